//! Pages → scripts: load every external script the pages reference (each URL once, however
//! many pages use it), and turn every script, inline block and event handler into an inventory
//! record with its hashes, party and integrity check, keeping its text for the analysis.

use super::crawl::{ScannedPage, display};
use super::imports_ahead::ImportsAhead;
use super::source::{LoadError, Loaded, Loader, LocalRoot};
use crate::hosts;
use crate::inventory::{self, ScriptKind, ScriptRecord, ScriptText};
use crate::page::{self, ExternalVia, ScriptRef};
use crate::report::ScanError;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::Arc;
use url::Url;

pub use crate::inventory::ScriptEntry;

/// A loaded script, reduced to what the inventory needs: hashes, size, integrity verdicts for
/// the `integrity` attributes pages gave it, and the text. The raw bytes are dropped right after
/// hashing so a large site does not hold every script twice.
#[derive(Clone, Debug)]
pub(super) struct LoadedScript {
    digest: inventory::CodeDigest,
    /// Every page's `integrity` attribute is checked against these.
    integrity: inventory::IntegrityHashes,
    text: Arc<str>,
}

pub(super) type Fetched = Result<LoadedScript, LoadError>;

/// Turn a load result into a [`LoadedScript`]: a non-2xx status is an error; hashing and
/// decoding run on a blocking thread so a large site's scripts are hashed on every
/// core while other downloads continue. A script that declares no charset is decoded with the
/// encoding of the page that includes it, as browsers do (a Shift_JIS page's scripts are
/// Shift_JIS too, and their `'カード番号'` must survive).
pub(super) async fn digest(r: Result<Loaded, LoadError>, page_encoding: Option<String>) -> Fetched {
    let l = r?;
    if let Some(s) = l.status.filter(|s| !(200..300).contains(s)) {
        return Err(LoadError::Failed(format!("HTTP status {s}")));
    }
    tokio::task::spawn_blocking(move || {
        let text =
            page::decode_script_with_fallback(&l.body, l.content_type(), page_encoding.as_deref());
        let (digest, integrity) = inventory::IntegrityHashes::with_digest(&l.body);
        LoadedScript {
            digest,
            integrity,
            text: Arc::from(text),
        }
    })
    .await
    .map_err(|e| LoadError::Failed(format!("hashing failed: {e}")))
}

pub(super) fn fetch_key(url: &Url) -> String {
    url.to_string()
}

/// Whether an external reference is code the page runs as a script (a `preload` of another
/// type, or a `type` no browser executes, is inventoried but not analysed).
pub(super) fn runs_as_javascript(via: ExternalVia, script_type: Option<&str>) -> bool {
    (via != ExternalVia::Preload || script_type.is_none()) && page::is_javascript(script_type, None)
}

/// Told each prefetched script's text as soon as it is loaded and decoded, with its fetch key
/// (the early analysis starts on it then: scan/early.rs). Called from the loading task: cheap,
/// never blocking.
pub type OnLoaded = Arc<dyn Fn(&str, &Arc<str>) + Send + Sync>;

/// Resolve an external reference of a page to the URL to load (local pages: inside the root).
pub(super) fn target_url(url: &Url, local: Option<&LocalRoot>) -> Option<Url> {
    // `//cdn.example/x.js` in a local file resolves to `file://cdn.example/x.js`; served over
    // the web it is a remote script (https, as sites are today).
    if url.scheme() == "file"
        && let Some(host) = url.host_str().filter(|h| !h.is_empty())
    {
        return Url::parse(&format!(
            "https://{host}{}",
            &url[url::Position::BeforePath..]
        ))
        .ok();
    }
    match (url.scheme(), local) {
        ("file", Some(root)) => root.localize(url),
        ("file", None) => None,
        _ => Some(url.clone()),
    }
}

/// Script loads started while the pages were still being crawled: a page's scripts begin to
/// download (and are hashed and decoded) as soon as the page is parsed, instead of after the
/// last page. [`collect`] takes each from here, or loads it itself when nobody started it.
///
/// Each loaded script's imports are read too, while later downloads go on
/// (scan/imports_ahead.rs); [`Prefetch::imports`] hands the readings to the module graph.
#[derive(Default)]
pub struct Prefetch {
    started: std::sync::Mutex<BTreeMap<String, tokio::task::JoinHandle<Fetched>>>,
    on_loaded: Option<OnLoaded>,
    imports: Arc<ImportsAhead>,
}

impl Prefetch {
    /// Prefetching that tells `on_loaded` each script's text as soon as it is ready.
    pub fn telling(on_loaded: OnLoaded) -> Prefetch {
        Prefetch {
            started: Default::default(),
            on_loaded: Some(on_loaded),
            imports: Default::default(),
        }
    }

    /// The imports read ahead of the module graph.
    pub fn imports(&self) -> &ImportsAhead {
        &self.imports
    }

    /// Start loading the external scripts of a freshly parsed page (each URL once per scan).
    pub fn page(&self, loader: &Arc<Loader>, p: &ScannedPage) {
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        for (url, local, encoding, runs_as) in external_urls(p) {
            let key = fetch_key(&url);
            if started.contains_key(&key) {
                continue;
            }
            let loader = loader.clone();
            let (tell, told_key) = (self.on_loaded.clone(), key.clone());
            let imports = self.imports.clone();
            let task = tokio::spawn(async move {
                let r = loader.load(&url, local.as_deref()).await;
                let fetched = digest(r, Some(encoding)).await;
                if let Ok(s) = &fetched {
                    if let Some(tell) = &tell {
                        tell(&told_key, &s.text);
                    }
                    // As the first page naming it runs it; a page that runs it the other way
                    // has the module graph read that on its own.
                    if let Some(module) = runs_as {
                        imports.submit(s.text.clone(), module);
                    }
                }
                fetched
            });
            started.insert(key, task);
        }
    }

    fn take(&self, key: &str) -> Option<tokio::task::JoinHandle<Fetched>> {
        self.started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key)
    }
}

impl Drop for Prefetch {
    /// Loads nobody took (a scan that ended early) stop with it.
    fn drop(&mut self) {
        for (_, task) in std::mem::take(self.started.get_mut().unwrap_or_else(|e| e.into_inner())) {
            task.abort();
        }
    }
}

/// An external script of a page: URL to fetch, the page's local root, its encoding, and
/// whether it runs as a module (`None`: it does not run as JavaScript).
type External = (Url, Option<Arc<LocalRoot>>, String, Option<bool>);

/// The external scripts a page loads.
fn external_urls(p: &ScannedPage) -> Vec<External> {
    p.doc
        .scripts
        .iter()
        .filter_map(|s| match s {
            ScriptRef::External {
                url: Ok(u),
                script_type,
                via,
                ..
            } => {
                let runs_as = runs_as_javascript(*via, script_type.as_deref())
                    .then(|| runs_as_module(*via, script_type.as_deref()));
                Some((target_url(u, p.local.as_deref())?, runs_as))
            }
            _ => None,
        })
        .map(|(t, runs_as)| (t, p.local.clone(), p.encoding.clone(), runs_as))
        .collect()
}

/// Whether an external reference runs as a module (its static imports load with it).
pub(super) fn runs_as_module(via: ExternalVia, script_type: Option<&str>) -> bool {
    via == ExternalVia::ModulePreload || script_type == Some("module")
}

pub async fn collect(
    loader: &Loader,
    prefetch: &Prefetch,
    pages: &[ScannedPage],
    concurrency: usize,
    errors: &mut Vec<ScanError>,
) -> Vec<ScriptEntry> {
    // Every distinct external URL once, in first-seen order (the first page that names a
    // script decides the encoding it is decoded with).
    let mut wanted: Vec<External> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in pages {
        for w in external_urls(p) {
            if seen.insert(fetch_key(&w.0)) {
                wanted.push(w);
            }
        }
    }
    let loaded: BTreeMap<String, Fetched> = futures::stream::iter(wanted)
        .map(|(url, local, encoding, _)| async move {
            let key = fetch_key(&url);
            let fetched = match prefetch.take(&key) {
                Some(task) => task
                    .await
                    .unwrap_or_else(|e| Err(LoadError::Failed(format!("loading failed: {e}")))),
                None => digest(loader.load(&url, local.as_deref()).await, Some(encoding)).await,
            };
            (key, fetched)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;

    let mut out = Vec::new();
    let mut reported: std::collections::BTreeSet<String> = Default::default();
    for (page_index, p) in pages.iter().enumerate() {
        let page_host = p.host();
        let mut inline_n = 0;
        let mut handler_n = 0;
        let mut data_n = 0;
        for s in &p.doc.scripts {
            match s {
                ScriptRef::External {
                    url,
                    integrity,
                    script_type,
                    via,
                    line,
                } => {
                    let resolved = url
                        .as_ref()
                        .ok()
                        .and_then(|u| target_url(u, p.local.as_deref()));
                    let name = match (&resolved, url) {
                        (Some(u), _) => display(u, p.local.as_deref()),
                        (None, Ok(u)) => u.to_string(),
                        (None, Err(raw)) => raw.clone(),
                    };
                    let host = resolved
                        .as_ref()
                        .filter(|u| u.scheme() != "file")
                        .and_then(|u| u.host_str())
                        .map(hosts::normalise_host);
                    let is_js = runs_as_javascript(*via, script_type.as_deref());
                    let mut record =
                        ScriptRecord::new(p.name.clone(), name.clone(), ScriptKind::External)
                            .at_url(&name, host, page_host.as_deref());
                    record.integrity_attr = integrity.clone();
                    record.script_type = script_type.clone();
                    record.page_line = Some(*line);
                    let mut entry_text = None;
                    let mut integrity_check = None;
                    let mut not_fetched = false;
                    match resolved.as_ref().and_then(|u| loaded.get(&fetch_key(u))) {
                        Some(Ok(loaded)) => {
                            record = record.read(&loaded.digest, is_js);
                            integrity_check =
                                integrity.as_deref().map(|a| loaded.integrity.check(a));
                            entry_text = Some(ScriptText {
                                id: name.clone(),
                                text: loaded.text.clone(),
                                line_offset: 1,
                                column_offset: 1,
                            });
                        }
                        Some(Err(LoadError::Failed(message))) => {
                            if reported.insert(name.clone()) {
                                errors.push(ScanError {
                                    url: name.clone(),
                                    message: message.clone(),
                                });
                            }
                        }
                        Some(Err(LoadError::NotFetched)) => not_fetched = true,
                        None => {
                            if url.is_ok() && reported.insert(name.clone()) {
                                errors.push(ScanError {
                                    url: name.clone(),
                                    message: "the script's address cannot be loaded from here"
                                        .into(),
                                });
                            }
                        }
                    }
                    out.push(ScriptEntry {
                        record,
                        text: entry_text,
                        integrity: integrity_check,
                        page_index,
                        not_fetched,
                        base_url: resolved.clone(),
                        module: runs_as_module(*via, script_type.as_deref()),
                    });
                }
                ScriptRef::Inline {
                    code,
                    script_type,
                    is_javascript,
                    line,
                    column,
                } => {
                    inline_n += 1;
                    let id = inline_id(&p.name, inline_n);
                    out.push(code_entry(
                        p,
                        page_index,
                        &page_host,
                        id,
                        ScriptKind::Inline,
                        code,
                        script_type.clone(),
                        analysed_block(*is_javascript, code),
                        *line,
                        *column,
                    ));
                }
                ScriptRef::Data {
                    code, origin, line, ..
                } => {
                    data_n += 1;
                    let id = data_id(&p.name, data_n);
                    tracing::debug!("{id}: code in the page's data ({origin})");
                    out.push(code_entry(
                        p,
                        page_index,
                        &page_host,
                        id,
                        ScriptKind::Dynamic,
                        code,
                        None,
                        true,
                        *line,
                        1,
                    ));
                }
                ScriptRef::Handler { code, line, .. } => {
                    handler_n += 1;
                    let id = handler_id(&p.name, handler_n);
                    out.push(code_entry(
                        p,
                        page_index,
                        &page_host,
                        id,
                        ScriptKind::Handler,
                        code,
                        None,
                        true,
                        *line,
                        1,
                    ));
                }
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn code_entry(
    p: &ScannedPage,
    page_index: usize,
    page_host: &Option<String>,
    id: String,
    kind: ScriptKind,
    code: &str,
    script_type: Option<String>,
    is_js: bool,
    line: u32,
    column: u32,
) -> ScriptEntry {
    let bytes = code.as_bytes();
    let script_type_is_module = script_type.as_deref() == Some("module");
    let mut record = ScriptRecord::new(p.name.clone(), id.clone(), kind)
        .read(&inventory::CodeDigest::of(bytes), is_js);
    // Code in the page is the page's own: first party, on the page's host.
    record.host = page_host.clone();
    record.script_type = script_type;
    record.page_line = Some(line);
    let text = ScriptText {
        id,
        text: Arc::from(code),
        line_offset: line,
        column_offset: column,
    };
    let mut entry = ScriptEntry::new(record, Some(text), page_index);
    entry.base_url = Some(p.doc.base_url.clone().unwrap_or_else(|| p.url.clone()));
    entry.module = kind == ScriptKind::Inline && script_type_is_module;
    entry
}

/// Add the scripts that page code loads at run time (`s.src = "…"` found by the engine) as
/// `dynamic` entries, loading each URL once. Only http(s) URLs of real pages are followed, and
/// local pages follow them only with `--fetch-remote` (as for their static scripts).
pub async fn collect_dynamic(
    loader: &Loader,
    pages: &[ScannedPage],
    loads: BTreeMap<usize, Vec<(String, String)>>,
    entries: &mut Vec<ScriptEntry>,
    concurrency: usize,
    errors: &mut Vec<ScanError>,
) {
    let mut per_page: Vec<(usize, Url)> = Vec::new();
    for (page_index, list) in loads {
        let Some(p) = pages.get(page_index) else {
            continue;
        };
        let present: std::collections::BTreeSet<String> = entries
            .iter()
            .filter(|e| e.page_index == page_index)
            .filter_map(|e| e.record.url.clone())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for (raw, _by) in list {
            let Ok(url) = p.url.join(&raw) else { continue };
            // A built site's page loads its stage 2 from the site's own files, as it would
            // from its server (inside the site's root only; see `target_url`).
            let Some(url) = target_url(&url, p.local.as_deref()) else {
                continue;
            };
            if !matches!(url.scheme(), "http" | "https" | "data" | "file") {
                continue;
            }
            let name = url.to_string();
            if present.contains(&name) || !seen.insert(name) {
                continue;
            }
            per_page.push((page_index, url));
        }
    }
    if per_page.is_empty() {
        return;
    }
    let mut unique: Vec<(Url, Option<Arc<LocalRoot>>, String)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (pi, u) in &per_page {
        if seen.insert(u.to_string()) {
            unique.push((
                u.clone(),
                pages[*pi].local.clone(),
                pages[*pi].encoding.clone(),
            ));
        }
    }
    let loaded: BTreeMap<String, Fetched> = futures::stream::iter(unique)
        .map(|(url, local, encoding)| async move {
            let r = loader.load(&url, local.as_deref()).await;
            (url.to_string(), digest(r, Some(encoding)).await)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut reported = std::collections::BTreeSet::new();
    for (page_index, url) in per_page {
        let p = &pages[page_index];
        entries.push(url_entry(
            p,
            page_index,
            &url,
            ScriptKind::Dynamic,
            false,
            loaded.get(&url.to_string()),
            "script loaded at run time",
            errors,
            &mut reported,
        ));
    }
}

/// The inventory row of a script a page loads by URL rather than by a tag of its own (a
/// script its code adds at run time, a module another module imports), from the result of
/// loading it. A failure is an `errors[]` entry (once per URL, prefixed with `context`); a
/// remote script a local target does not fetch is `not_fetched`.
#[allow(clippy::too_many_arguments)]
pub(super) fn url_entry(
    p: &ScannedPage,
    page_index: usize,
    url: &Url,
    kind: ScriptKind,
    module: bool,
    loaded: Option<&Fetched>,
    context: &str,
    errors: &mut Vec<ScanError>,
    reported: &mut std::collections::BTreeSet<String>,
) -> ScriptEntry {
    let name = display(url, p.local.as_deref());
    let host = Some(url)
        .filter(|u| u.scheme() != "file")
        .and_then(|u| u.host_str())
        .map(hosts::normalise_host);
    let page_host = p.host();
    let mut record = ScriptRecord::new(p.name.clone(), name.clone(), kind).at_url(
        &name,
        host,
        page_host.as_deref(),
    );
    record.script_type = module.then(|| "module".to_string());
    let mut text = None;
    let mut not_fetched = false;
    match loaded {
        Some(Ok(l)) => {
            record = record.read(&l.digest, true);
            text = Some(ScriptText::file(name.clone(), l.text.clone()));
        }
        Some(Err(LoadError::NotFetched)) => not_fetched = true,
        Some(Err(LoadError::Failed(m))) if reported.insert(name.clone()) => {
            errors.push(ScanError {
                url: name.clone(),
                message: format!("{context}: {m}"),
            });
        }
        Some(Err(LoadError::Failed(_))) | None => {}
    }
    ScriptEntry {
        record,
        text,
        integrity: None,
        page_index,
        not_fetched,
        base_url: Some(url.clone()),
        module,
    }
}

/// The id of a page's `n`-th inline script (from 1): the inventory and the analysis made
/// while the page loads (`scan/early.rs`) must name it alike for that analysis to be reused.
pub(super) fn inline_id(page: &str, n: usize) -> String {
    format!("{page}#inline-{n}")
}

/// Whether an inline block is analysed: JavaScript, or a block of another type that holds
/// code as it stands. Consent managers park scripts as `type="text/plain"` and switch the
/// type once the customer agrees; Partytown runs `type="text/partytown"` in a worker: code
/// the page will run all the same. JSON, templates, markup and what does not parse as a
/// script (a `text/babel` block's JSX) are not analysed: inventoried only, as before.
pub(super) fn analysed_block(is_javascript: bool, code: &str) -> bool {
    is_javascript || crate::encoded::is_code(code)
}

/// The id of the `n`-th piece of code a page carries as data (from 1; see `page::data_code`):
/// analysed as code the page's scripts load at run time.
pub(super) fn data_id(page: &str, n: usize) -> String {
    format!("{page}#data-{n}")
}

/// The id of a page's `n`-th event-handler attribute (from 1); see [`inline_id`].
pub(super) fn handler_id(page: &str, n: usize) -> String {
    format!("{page}#handler-{n}")
}
