//! The module graph: the code a `<script type="module">` runs is mostly in the files it
//! imports (`import "./pay.js"`, `export * from …`, `import("./lazy.js")`), and a skimmer
//! planted in an imported file never shows up as a tag. Starting from the page's scripts,
//! this reads each script's imports from its syntax tree ([`crate::js::imports`]), resolves
//! them (relative paths, the page's import map, the local site root), loads every module once
//! and adds a `scripts[]` row per page for it — `external` for static imports, which load with
//! the graph, `dynamic` for `import()` — so the analysis, the inventory and the baseline see it.
//!
//! Bounded: a module is walked once per page (cycles end there), at most [`MAX_DEPTH`]
//! imports deep and [`MAX_MODULES`] modules per scan; whatever a bound or a failure leaves
//! out is an `errors[]` entry, so the scan is never complete without having seen it.
//! Remote imports of a local target follow `--fetch-remote` like its remote scripts.

use super::crawl::ScannedPage;
use super::imports_ahead::{ImportsRead, Memo, READER_STACK};
use super::scripts::{self, Fetched, ScriptEntry, target_url, url_entry};
use super::source::{Loader, LocalRoot};
use crate::inventory::ScriptKind;
use crate::js::imports::ImportsError;
use crate::page::ImportMap;
use crate::report::ScanError;
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use url::Url;

/// How many imports deep the graph is followed.
pub const MAX_DEPTH: usize = 16;
/// How many modules one scan loads through imports.
pub const MAX_MODULES: usize = 2_000;

/// A script whose imports are to be read.
struct Pending {
    page_index: usize,
    base: Url,
    module: bool,
    depth: usize,
    code: Arc<str>,
    /// The script's id, for errors.
    id: String,
}

/// A module to load for a page.
struct Wanted {
    page_index: usize,
    url: Url,
    dynamic: bool,
    depth: usize,
}

/// Follow the imports of `entries[from..]`, adding a row for every module they load. Imports
/// already read (scan/imports_ahead.rs, while the scripts downloaded) are taken from `memo`.
pub async fn follow(
    loader: &Loader,
    memo: &Arc<Memo>,
    pages: &[ScannedPage],
    entries: &mut Vec<ScriptEntry>,
    from: usize,
    concurrency: usize,
    errors: &mut Vec<ScanError>,
) {
    let maps: Vec<ImportMap> = pages
        .iter()
        .map(|p| ImportMap::of_page(&p.doc, p.doc.base_url.as_ref().unwrap_or(&p.url)))
        .collect();
    // (page, URL) of every script the page already has, and of every module walked.
    let mut present: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let (Some(u), Some(_)) = (&e.base_url, &e.record.url) {
            present.entry((e.page_index, u.to_string())).or_insert(i);
        }
    }
    let mut walked: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut level: Vec<Pending> = Vec::new();
    for e in entries.iter().skip(from) {
        if let Some(p) = pending_of(e, 0) {
            if e.module && e.record.url.is_some() {
                walked.insert((p.page_index, p.base.to_string()));
            }
            level.push(p);
        }
    }
    let mut cache: BTreeMap<String, Fetched> = BTreeMap::new();
    let mut loaded_count = 0usize;
    let mut reported = BTreeSet::new();
    while !level.is_empty() {
        let parsed = parse_all(memo, &level).await;
        let mut wanted: Vec<Wanted> = Vec::new();
        for (item, result) in level.iter().zip(parsed) {
            let found = match result {
                Ok(found) => found,
                Err(e) => {
                    errors.push(ScanError {
                        url: item.id.clone(),
                        message: format!("the modules it imports were not followed: {e}"),
                    });
                    continue;
                }
            };
            let Some(page) = pages.get(item.page_index) else {
                continue;
            };
            for import in found.imports {
                let map = &maps[item.page_index];
                let Some(url) = map
                    .resolve(&import.specifier, &item.base)
                    .and_then(|u| target_url(&u, page.local.as_deref()))
                else {
                    errors.push(ScanError {
                        url: item.id.clone(),
                        message: format!(
                            "imports `{}`, which neither a path nor the page's import map resolves to a module this scan can load",
                            import.specifier
                        ),
                    });
                    continue;
                };
                if !walked.insert((item.page_index, url.to_string())) {
                    continue;
                }
                let depth = item.depth + 1;
                if depth > MAX_DEPTH || loaded_count >= MAX_MODULES {
                    let why = if depth > MAX_DEPTH {
                        format!("more than {MAX_DEPTH} imports deep")
                    } else {
                        format!("more than {MAX_MODULES} modules in the scan")
                    };
                    errors.push(ScanError {
                        url: super::crawl::display(&url, page.local.as_deref()),
                        message: format!(
                            "imported by {} but not followed: the module graph is {why}",
                            item.id
                        ),
                    });
                    continue;
                }
                loaded_count += 1;
                wanted.push(Wanted {
                    page_index: item.page_index,
                    url,
                    dynamic: import.dynamic,
                    depth,
                });
            }
        }
        load_missing(loader, pages, &wanted, &present, &mut cache, concurrency).await;
        let mut next = Vec::new();
        for w in wanted {
            let key = (w.page_index, w.url.to_string());
            // A module the page also names in a tag (`modulepreload`, `<script src>`) keeps
            // that row; it is now known to run as a module.
            let index = match present.get(&key) {
                Some(&i) => i,
                None => {
                    let kind = if w.dynamic {
                        ScriptKind::Dynamic
                    } else {
                        ScriptKind::External
                    };
                    entries.push(url_entry(
                        &pages[w.page_index],
                        w.page_index,
                        &w.url,
                        kind,
                        true,
                        cache.get(w.url.as_str()),
                        "imported module",
                        errors,
                        &mut reported,
                    ));
                    present.insert(key, entries.len() - 1);
                    entries.len() - 1
                }
            };
            if let Some(e) = entries.get_mut(index) {
                e.module = true;
                next.extend(pending_of(e, w.depth));
            }
        }
        level = next;
    }
}

/// The script as a source of imports, when it is JavaScript the scan has the code of.
fn pending_of(e: &ScriptEntry, depth: usize) -> Option<Pending> {
    let text = e.text.as_ref()?;
    if !e.record.analysed {
        return None;
    }
    Some(Pending {
        page_index: e.page_index,
        base: e.base_url.clone()?,
        module: e.module,
        depth,
        code: text.text.clone(),
        id: e.record.id.clone(),
    })
}

/// Load every wanted URL that is neither cached nor already a script of its page.
async fn load_missing(
    loader: &Loader,
    pages: &[ScannedPage],
    wanted: &[Wanted],
    present: &BTreeMap<(usize, String), usize>,
    cache: &mut BTreeMap<String, Fetched>,
    concurrency: usize,
) {
    let mut todo: Vec<(Url, Option<Arc<LocalRoot>>, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for w in wanted {
        let key = w.url.to_string();
        if present.contains_key(&(w.page_index, key.clone()))
            || cache.contains_key(&key)
            || !seen.insert(key)
        {
            continue;
        }
        let p = &pages[w.page_index];
        todo.push((w.url.clone(), p.local.clone(), p.encoding.clone()));
    }
    let results: Vec<(String, Fetched)> = futures::stream::iter(todo)
        .map(|(url, local, encoding)| async move {
            let r = loader.load(&url, local.as_deref()).await;
            (url.to_string(), scripts::digest(r, Some(encoding)).await)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    cache.extend(results);
}

/// Read the imports of every pending script on one big-stack thread, off the async workers;
/// what `memo` already holds is not read again.
async fn parse_all(memo: &Arc<Memo>, level: &[Pending]) -> Vec<ImportsRead> {
    let work: Vec<(Arc<str>, bool)> = level.iter().map(|p| (p.code.clone(), p.module)).collect();
    let n = work.len();
    // Read ahead: no thread needed.
    let known: Option<Vec<ImportsRead>> = work.iter().map(|(c, m)| memo.get(c, *m)).collect();
    if let Some(known) = known {
        return known;
    }
    let memo = memo.clone();
    let joined = tokio::task::spawn_blocking(move || {
        std::thread::Builder::new()
            .name("skimscan-imports".into())
            .stack_size(READER_STACK)
            // A site-wide library is a script of every page, sharing one text: the memo reads
            // its imports once (the same bytes as a module and as a classic script differ).
            .spawn(move || {
                work.iter()
                    .map(|(code, module)| memo.read(code, *module))
                    .collect::<Vec<_>>()
            })
            .ok()
            .and_then(|h| h.join().ok())
    })
    .await;
    match joined {
        Ok(Some(r)) if r.len() == n => r,
        // The thread could not start or failed: say so for every script rather than pretend
        // they import nothing.
        _ => (0..n).map(|_| Err(ImportsError::Failed)).collect(),
    }
}
