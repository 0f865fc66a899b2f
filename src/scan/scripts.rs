//! Pages → scripts: load every external script the pages reference (each URL once, however
//! many pages use it), and turn every script, inline block and event handler into an inventory
//! record with its hashes, party and integrity check, keeping its text for the analysis.

use super::crawl::{ScannedPage, display};
use super::source::{LoadError, Loader, LocalRoot};
use crate::hosts;
use crate::inventory::{self, IntegrityCheck, Party, ScriptKind, ScriptRecord, ScriptText};
use crate::page::{self, ExternalVia, ScriptRef};
use crate::report::ScanError;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::Arc;
use url::Url;

/// A script found on a page, ready for the inventory and the analysis.
#[derive(Debug, Clone)]
pub struct ScriptEntry {
    pub record: ScriptRecord,
    /// The code, when we have it (not for scripts that could not be loaded).
    pub text: Option<ScriptText>,
    /// The `integrity` attribute checked against the bytes served.
    pub integrity: Option<IntegrityCheck>,
    /// Index of the page in the scan's page list.
    pub page_index: usize,
    /// The script is referenced but was not fetched by policy (a local page's remote script).
    pub not_fetched: bool,
}

type Fetched = Result<(Vec<u8>, String), LoadError>;

fn fetch_key(url: &Url) -> String {
    url.to_string()
}

/// Resolve an external reference of a page to the URL to load (local pages: inside the root).
fn target_url(url: &Url, local: Option<&LocalRoot>) -> Option<Url> {
    match (url.scheme(), local) {
        ("file", Some(root)) => root.localize(url),
        ("file", None) => None,
        _ => Some(url.clone()),
    }
}

pub async fn collect(
    loader: &Loader,
    pages: &[ScannedPage],
    concurrency: usize,
    errors: &mut Vec<ScanError>,
) -> Vec<ScriptEntry> {
    // Every distinct external URL once, in first-seen order.
    let mut wanted: Vec<(Url, Option<Arc<LocalRoot>>)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in pages {
        for s in &p.doc.scripts {
            if let ScriptRef::External { url: Ok(u), .. } = s
                && let Some(t) = target_url(u, p.local.as_deref())
                && seen.insert(fetch_key(&t))
            {
                wanted.push((t, p.local.clone()));
            }
        }
    }
    let loaded: BTreeMap<String, Fetched> = futures::stream::iter(wanted)
        .map(|(url, local)| async move {
            let r = loader.load(&url, local.as_deref()).await;
            let r = r.and_then(|l| match l.status {
                Some(s) if !(200..300).contains(&s) => {
                    Err(LoadError::Failed(format!("HTTP status {s}")))
                }
                _ => {
                    let text = page::decode_script(&l.body, l.content_type());
                    Ok((l.body, text))
                }
            });
            (fetch_key(&url), r)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;

    let mut out = Vec::new();
    let mut reported: std::collections::BTreeSet<String> = Default::default();
    for (page_index, p) in pages.iter().enumerate() {
        let page_host = p.url.host_str().map(hosts::normalise_host);
        let mut inline_n = 0;
        let mut handler_n = 0;
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
                    let party = match (&host, &page_host) {
                        (Some(h), Some(ph)) => hosts::party(h, ph),
                        (Some(_), None) => Party::Third,
                        (None, _) => Party::First,
                    };
                    let is_js = *via != ExternalVia::Preload || script_type.is_none();
                    let is_js = is_js && script_type.as_deref().is_none_or(is_javascript_type);
                    let mut record = ScriptRecord {
                        page: p.name.clone(),
                        url: Some(name.clone()),
                        kind: ScriptKind::External,
                        host,
                        party,
                        sha256: None,
                        sri: None,
                        integrity_attr: integrity.clone(),
                        size: None,
                        baseline: None,
                        id: name.clone(),
                        script_type: script_type.clone(),
                        analysed: false,
                        page_line: Some(*line),
                        destinations: Vec::new(),
                    };
                    let mut entry_text = None;
                    let mut integrity_check = None;
                    let mut not_fetched = false;
                    match resolved.as_ref().and_then(|u| loaded.get(&fetch_key(u))) {
                        Some(Ok((bytes, text))) => {
                            record.sha256 = Some(inventory::sha256_hex(bytes));
                            record.sri = Some(inventory::sri_sha384(bytes));
                            record.size = Some(bytes.len() as u64);
                            record.analysed = is_js;
                            integrity_check = integrity
                                .as_deref()
                                .map(|a| inventory::check_integrity(a, bytes));
                            entry_text = Some(ScriptText {
                                id: name.clone(),
                                text: Arc::from(text.as_str()),
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
                    let id = format!("{}#inline-{inline_n}", p.name);
                    out.push(code_entry(
                        p,
                        page_index,
                        &page_host,
                        id,
                        ScriptKind::Inline,
                        code,
                        script_type.clone(),
                        *is_javascript,
                        *line,
                        *column,
                    ));
                }
                ScriptRef::Handler { code, line, .. } => {
                    handler_n += 1;
                    let id = format!("{}#handler-{handler_n}", p.name);
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

/// JavaScript MIME types a browser runs (plus `module`); anything else is data.
pub fn is_javascript_type(t: &str) -> bool {
    let t = t
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        t.as_str(),
        "" | "module"
            | "text/javascript"
            | "application/javascript"
            | "application/ecmascript"
            | "application/x-ecmascript"
            | "application/x-javascript"
            | "text/ecmascript"
            | "text/javascript1.0"
            | "text/javascript1.1"
            | "text/javascript1.2"
            | "text/javascript1.3"
            | "text/javascript1.4"
            | "text/javascript1.5"
            | "text/jscript"
            | "text/livescript"
            | "text/x-ecmascript"
            | "text/x-javascript"
    )
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
    ScriptEntry {
        record: ScriptRecord {
            page: p.name.clone(),
            url: None,
            kind,
            host: page_host.clone(),
            party: Party::First,
            sha256: Some(inventory::sha256_hex(bytes)),
            sri: Some(inventory::sri_sha384(bytes)),
            integrity_attr: None,
            size: Some(bytes.len() as u64),
            baseline: None,
            id: id.clone(),
            script_type,
            analysed: is_js,
            page_line: Some(line),
            destinations: Vec::new(),
        },
        text: Some(ScriptText {
            id,
            text: Arc::from(code),
            line_offset: line,
            column_offset: column,
        }),
        integrity: None,
        page_index,
        not_fetched: false,
    }
}
