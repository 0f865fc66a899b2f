//! Before the first page loads: the browser the pass will use, the pages a capture adds, the
//! loader every source goes through, and the early analyses that start as scripts arrive.

use super::crawl::PageTask;
use super::deadline::Deadline;
use super::early::Early;
use super::reuse::Reuse;
use super::source::{Loader, LoaderSettings};
use super::{ScanRequest, SetupError, authorised_hosts, contain_hosts};
use crate::fetch::Fetcher;
use crate::har::Capture;
use crate::hosts::HostPattern;
use crate::js::{Engine, HostPolicy};
use std::sync::Arc;

/// The Chromium the browser pass will run, found before anything is scanned: a machine
/// without a browser must say so, never scan static-only.
#[cfg(feature = "browser")]
pub fn browser_binary(req: &ScanRequest) -> Result<Option<std::path::PathBuf>, SetupError> {
    match &req.config.browser {
        Some(b) => crate::browser::launch::find_chromium(b.chromium.as_deref())
            .map(Some)
            .map_err(|e| SetupError::Browser(e.to_string())),
        None => Ok(None),
    }
}

/// Without the `browser` feature, `--browser` is refused rather than ignored.
#[cfg(not(feature = "browser"))]
pub fn browser_binary(req: &ScanRequest) -> Result<Option<std::path::PathBuf>, SetupError> {
    match req.config.browser {
        Some(_) => Err(SetupError::Browser(
            "this skimscan was built without the `browser` feature".into(),
        )),
        None => Ok(None),
    }
}

/// Every page of a capture is a target. Without `--fetch-remote` a capture is all there is: a
/// live URL beside it could not load.
pub fn add_capture_pages(
    req: &ScanRequest,
    capture: Option<&Capture>,
    tasks: &mut Vec<PageTask>,
) -> Result<(), SetupError> {
    let Some(c) = capture else { return Ok(()) };
    let live_targets = tasks.iter().any(|t| t.local.is_none());
    if live_targets && !req.config.fetch_remote {
        return Err(SetupError::Local {
            path: "targets".into(),
            message:
                "a .har capture cannot be scanned with URL targets unless --fetch-remote is given"
                    .into(),
        });
    }
    for url in c.pages() {
        tasks.push(PageTask {
            url: url.clone(),
            local: None,
            // Every captured page is a target; links lead to pages the capture lacks.
            depth: req.config.depth,
            found_by: "target",
        });
    }
    Ok(())
}

/// The loader: the network only when a target is live (`live_targets`, counted before a
/// capture's pages were added) or `--fetch-remote` asks for it.
pub fn loader(
    req: &ScanRequest,
    live_targets: bool,
    named_hosts: &[HostPattern],
    capture: Option<Arc<Capture>>,
    deadline: Deadline,
) -> Result<Loader, SetupError> {
    let cfg = &req.config;
    let fetcher = if live_targets || cfg.fetch_remote {
        let mut opts = cfg.fetch.clone();
        opts.named_hosts = named_hosts.to_vec();
        Some(Arc::new(Fetcher::new(opts)?))
    } else {
        None
    };
    Ok(Loader::new(LoaderSettings {
        fetcher,
        max_body: cfg.fetch.max_body,
        fetch_remote: cfg.fetch_remote,
        contain: cfg
            .browser
            .as_ref()
            .filter(|b| b.contain)
            .map(|_| contain_hosts(cfg, &req.targets)),
        deadline,
        capture,
        keep: req.keep.clone(),
    }))
}

/// The analyses that start while pages and scripts still download (scan/early.rs), under the
/// hosts the targets authorise. `--no-cache` shares no analysis, so there is nothing to start.
pub fn early(req: &ScanRequest, tasks: &[PageTask], deadline: Deadline) -> Option<Arc<Early>> {
    let cfg = &req.config;
    if matches!(cfg.cache, crate::cache::CacheSetting::Off) {
        return None;
    }
    let allowed = authorised_hosts(
        cfg,
        &req.extra_allowed,
        tasks.iter().filter_map(|t| t.url.host_str()),
    );
    let allowed_text: Vec<String> = allowed.iter().map(|h| h.as_str().to_string()).collect();
    let engine = Engine::new(
        req.rules.clone(),
        HostPolicy {
            allowed: allowed.clone(),
        },
    )
    .isolated();
    let reuse = Reuse::new(&cfg.cache, req.rules.sources(), &allowed_text);
    Some(Arc::new(Early::new(
        engine,
        reuse,
        allowed,
        req.progress.clone(),
        deadline,
    )))
}

/// The engine and memory of the analysis rounds, under the hosts the pages authorise. When the
/// early analyses authorised the same hosts, theirs are reused: the rounds recall what they
/// found. Isolated: a script that crashes or exhausts its worker costs that script, not the scan.
pub fn round_engine(
    req: &ScanRequest,
    early: Option<&Arc<Early>>,
    allowed: &[HostPattern],
) -> (Engine, Arc<Reuse>) {
    if let Some(same) = early.and_then(|e| e.round_for(allowed)) {
        return same;
    }
    let allowed_text: Vec<String> = allowed.iter().map(|h| h.as_str().to_string()).collect();
    (
        Engine::new(
            req.rules.clone(),
            HostPolicy {
                allowed: allowed.to_vec(),
            },
        )
        .isolated(),
        Arc::new(Reuse::new(
            &req.config.cache,
            req.rules.sources(),
            &allowed_text,
        )),
    )
}
