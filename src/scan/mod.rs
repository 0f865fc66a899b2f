//! The scan pipeline, top to bottom: targets → pages (load and discover) → scripts (load,
//! hash, inventory) → facts and findings (the engine, the page checks) → report. Each stage gets
//! what it needs as a value; nothing reaches back up the pipeline.
//!
//! Problems that stop nothing (a page that does not load, a script refused by the address
//! guard, a script the engine could not finish) become `errors[]` entries and make the report
//! incomplete; only problems with the request itself (a bad CA file) are errors here.

pub mod analysis;
#[cfg(feature = "browser")]
pub mod browser;
pub mod by_text;
pub mod containers;
pub mod crawl;
pub mod deadline;
pub mod early;
pub mod imports_ahead;
mod load_scripts;
pub mod modules;
pub mod progress;
mod records;
pub mod reuse;
mod rounds;
pub mod scripts;
mod setup;
pub mod source;
mod targets;

use crate::config::Config;
use crate::fetch::ClientError;
use crate::finding::Finding;
use crate::hosts::{self, HostPattern};
use crate::inventory::ScriptText;
use crate::js::{Engine, HostPolicy};
use crate::report::{Parts, Report};
use crate::rules::RuleSet;
use crate::target::Target;
use crawl::CrawlLimits;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What to scan and how.
pub struct ScanRequest {
    pub targets: Vec<Target>,
    pub config: Config,
    pub rules: Arc<RuleSet>,
    /// Hosts authorised by a baseline, on top of the configuration's.
    pub extra_allowed: Vec<HostPattern>,
    /// Told how far the scan got (the command layer's spinner, or [`progress::Silent`]).
    pub progress: Arc<dyn progress::Progress>,
    /// `--evidence`: keep every body loaded.
    pub keep: Option<Arc<crate::evidence::Artifacts>>,
}

/// The report plus every script's text by id (for code frames, baselines and diffs).
pub struct ScanOutcome {
    pub report: Report,
    pub sources: BTreeMap<String, ScriptText>,
}

/// What the scan collected, with the report not yet assembled: a stage after the scan (the
/// baseline comparison) adds its statuses and findings to `parts`, then [`Collected::assemble`]
/// makes the report, verdict included, once.
pub struct Collected {
    pub parts: Parts,
    pub sources: BTreeMap<String, ScriptText>,
}

impl Collected {
    pub fn assemble(self) -> ScanOutcome {
        ScanOutcome {
            report: self.parts.assemble(),
            sources: self.sources,
        }
    }
}

/// The scan to its report, for callers that add nothing to what it collected.
pub async fn scan(req: ScanRequest) -> Result<ScanOutcome, SetupError> {
    Ok(collect(req).await?.assemble())
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{path}: {message}")]
    Local { path: String, message: String },
    /// `--browser` on a machine without a usable browser: nothing was scanned (exit 2).
    #[error("--browser: {0}")]
    Browser(String),
    #[error(transparent)]
    Har(#[from] crate::har::HarError),
}

pub use crate::clock::now_rfc3339;

/// `--contain`: the hosts the user named — the targets' and `--allow-host`'s (a `--resolve`
/// pin says where a host is, not that it may be contacted).
pub fn contain_hosts(cfg: &Config, targets: &[Target]) -> Vec<HostPattern> {
    let mut out = cfg.allow_hosts.clone();
    for t in targets {
        if let Target::Url(u) = t
            && let Some(h) = u.host_str()
        {
            out.extend(HostPattern::parse(h).ok());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Hosts authorised for payment data: the user's, the matching [sites] tables', the
/// baseline's. (Per-site lists apply when any scanned page belongs to the site.)
fn authorised_hosts<'a>(
    cfg: &Config,
    extra: &[HostPattern],
    page_hosts: impl Iterator<Item = &'a str>,
) -> Vec<HostPattern> {
    let mut allowed = extra.to_vec();
    allowed.extend(cfg.allowed_for(None));
    for h in page_hosts {
        allowed.extend(cfg.allowed_for(Some(&hosts::normalise_host(h))));
    }
    allowed.sort();
    allowed.dedup();
    allowed
}

/// The pipeline, targets to the report's parts (see [`Collected`]): each stage is a file of
/// its own; this function only hands each one what the earlier ones produced.
pub async fn collect(req: ScanRequest) -> Result<Collected, SetupError> {
    let started_at = now_rfc3339();
    let cfg = &req.config;
    let deadline = deadline::Deadline::starting_now(cfg.deadline);
    let targets::Expanded {
        mut errors,
        mut tasks,
        lone_scripts,
        capture,
        named_hosts,
    } = targets::expand(&req.targets, cfg)?;
    #[allow(unused_variables)]
    let chromium = setup::browser_binary(&req)?;
    let live_targets = tasks.iter().any(|t| t.local.is_none());
    setup::add_capture_pages(&req, capture.as_ref(), &mut tasks)?;
    let capture = capture.map(Arc::new);
    let loader = Arc::new(setup::loader(
        &req,
        live_targets,
        &named_hosts,
        capture.clone(),
        deadline,
    )?);
    let progress = req.progress.clone();
    let on_page = |name: &str| progress.page(name);
    // Scripts are analysed as they arrive (scan/early.rs), under the hosts the targets
    // authorise.
    let early = setup::early(&req, &tasks, deadline);
    let prefetch = match &early {
        Some(e) => {
            let e = e.clone();
            scripts::Prefetch::telling(Arc::new(move |key, text| e.loaded(key, text)))
        }
        None => scripts::Prefetch::default(),
    };
    let on_parsed = |p: &crate::page::ScannedPage| {
        prefetch.page(&loader, p);
        if let Some(e) = &early {
            e.page(p);
        }
    };
    let limits = CrawlLimits {
        depth: cfg.depth,
        max_pages: cfg.max_pages,
        concurrency: cfg.fetch.concurrency,
    };
    let clock = std::time::Instant::now();
    let mut findings: Vec<Finding> = Vec::new();
    // The page-text check reads the rules' knowledge only (no host policy): the early
    // analyses' engine has it built already, and building it takes as long as a page load.
    let text_engine = match &early {
        Some(e) => e.engine().clone(),
        None => Engine::new(req.rules.clone(), HostPolicy::default()),
    };
    let page_text_check = |page: &str, text: &str| text_engine.check_page_text(page, text);
    let pages = crawl::crawl(
        &loader,
        tasks,
        &limits,
        &mut errors,
        &on_page,
        &on_parsed,
        &page_text_check,
        &mut findings,
    )
    .await;
    tracing::info!(
        pages = pages.len(),
        elapsed_ms = clock.elapsed().as_millis() as u64,
        "pages loaded"
    );
    progress.stage("scripts");
    let (mut entries, imports_read) = load_scripts::load(
        &loader,
        &prefetch,
        &pages,
        capture.as_deref(),
        &lone_scripts,
        cfg,
        &mut errors,
    )
    .await;
    tracing::info!(
        scripts = entries.len(),
        elapsed_ms = clock.elapsed().as_millis() as u64,
        "scripts loaded"
    );

    let allowed = authorised_hosts(
        cfg,
        &req.extra_allowed,
        pages.iter().filter_map(|p| p.url.host_str()),
    );
    if let Some(e) = &early {
        e.settle().await;
    }
    let (engine, reuse) = setup::round_engine(&req, early.as_ref(), &allowed);
    let rounds = rounds::Rounds {
        loader: &loader,
        imports_read: &imports_read,
        pages: &pages,
        engine: &engine,
        reuse: &reuse,
        deadline: &deadline,
        keep: req.keep.as_deref(),
        concurrency: cfg.fetch.concurrency,
    };
    let mut found = rounds::Found::default();
    rounds.run(&mut entries, &mut found, &mut errors).await;
    tracing::info!(
        elapsed_ms = clock.elapsed().as_millis() as u64,
        "scripts analysed"
    );

    // The browser pass: what actually runs and what actually leaves (scan/browser.rs).
    #[allow(unused_mut)]
    let mut browser_visits = Vec::new();
    #[cfg(feature = "browser")]
    if let (Some(opts), Some(binary)) = (&cfg.browser, &chromium) {
        progress.stage("browser");
        let before = entries.len();
        let mut opts = opts.clone();
        opts.evidence = req.keep.is_some();
        let added = browser::run(
            &opts,
            binary,
            cfg,
            contain_hosts(cfg, &req.targets),
            &named_hosts,
            &pages,
            &engine,
            &req.rules,
            &mut entries,
        )
        .await;
        findings.extend(added.findings);
        errors.extend(added.errors);
        browser_visits = added.visits;
        if let Some(keep) = &req.keep {
            for (source, bytes) in &added.artifacts {
                keep.add(source, bytes);
            }
        }
        let runtime = analysis::analyse(&engine, &reuse, &mut entries, before, &pages).await;
        found.add(runtime, req.keep.as_deref());
    }
    findings.extend(found.findings);
    errors.extend(found.errors);
    findings.extend(analysis::join_pipes(&engine, &pages, &found.pipes));
    reuse.finish();

    let page_records = records::pages(&req.rules, &engine, &pages, &entries, &mut findings);
    let mut sources = BTreeMap::new();
    let mut script_records = Vec::with_capacity(entries.len());
    for e in entries {
        if let Some(t) = e.text {
            sources.entry(t.id.clone()).or_insert(t);
        }
        script_records.push(e.record);
    }
    progress.finish();

    // Sorting, de-duplication and the verdict happen once, when the report is assembled.
    let parts = Parts {
        started_at,
        finished_at: now_rfc3339(),
        pages: page_records,
        scripts: script_records,
        removed: Vec::new(),
        findings,
        errors,
        browser: browser_visits,
    };
    Ok(Collected { parts, sources })
}
