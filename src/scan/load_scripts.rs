//! Pages → scripts: every script the pages include (each URL loaded once), the modules they
//! import, the scripts a capture shows code loaded at run time, and lone script targets.

use super::crawl::ScannedPage;
use super::imports_ahead::Memo;
use super::modules;
use super::scripts::{self, Prefetch, ScriptEntry};
use super::source::Loader;
use super::targets;
use crate::config::Config;
use crate::har::Capture;
use crate::report::ScanError;
use std::path::PathBuf;
use std::sync::Arc;

/// The scripts of `pages` as inventory entries, plus the imports read while they downloaded
/// (later rounds follow the imports of scripts added at run time with them).
pub async fn load(
    loader: &Loader,
    prefetch: &Prefetch,
    pages: &[ScannedPage],
    capture: Option<&Capture>,
    lone_scripts: &[PathBuf],
    cfg: &Config,
    errors: &mut Vec<ScanError>,
) -> (Vec<ScriptEntry>, Arc<Memo>) {
    let concurrency = cfg.fetch.concurrency;
    let mut entries = scripts::collect(loader, prefetch, pages, concurrency, errors).await;
    // The imports of the scripts loaded so far were read while they downloaded.
    prefetch.imports().settle().await;
    let imports_read = prefetch.imports().memo();
    modules::follow(
        loader,
        &imports_read,
        pages,
        &mut entries,
        0,
        concurrency,
        errors,
    )
    .await;
    if let Some(c) = capture {
        // Scripts in the capture that no page's markup names ran because code loaded them.
        let urls: Vec<url::Url> = pages.iter().map(|p| p.url.clone()).collect();
        let listed = |pi: usize, u: &url::Url| {
            entries
                .iter()
                .any(|e| e.page_index == pi && e.record.url.as_deref() == Some(u.as_str()))
        };
        let loads = c
            .runtime_scripts(&urls, &listed)
            .into_iter()
            .map(|(pi, list)| {
                let list = list.into_iter().map(|u| (u.to_string(), String::new()));
                (pi, list.collect())
            })
            .collect();
        scripts::collect_dynamic(loader, pages, loads, &mut entries, concurrency, errors).await;
    }
    for p in lone_scripts {
        match targets::lone_script(p, cfg.fetch.max_body) {
            Ok(entry) => entries.push(entry),
            Err(e) => errors.push(e),
        }
    }
    (entries, imports_read)
}
