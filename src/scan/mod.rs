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
pub mod modules;
pub mod progress;
pub mod reuse;
pub mod scripts;
pub mod source;
mod targets;

use crate::config::Config;
use crate::fetch::{ClientError, Fetcher};
use crate::finding::Finding;
use crate::hosts::{self, HostPattern};
use crate::inventory::ScriptText;
use crate::js::{Engine, HostPolicy};
use crate::page;
use crate::report::{FormRecord, PageRecord, Parts, Report, ScanError};
use crate::rules::RuleSet;
use crate::target::Target;
use crawl::{CrawlLimits, PageTask};
use scripts::ScriptEntry;
use source::{Loader, LoaderSettings};
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

/// How many rounds of scripts-loading-scripts are followed (a loader, its stage 2, stage 3…).
const MAX_DYNAMIC_ROUNDS: usize = 4;

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

/// The pipeline, targets to the report's parts (see [`Collected`]).
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
    // A machine without a browser must say so before scanning, never scan static-only.
    #[cfg(feature = "browser")]
    let chromium = match &cfg.browser {
        Some(b) => Some(
            crate::browser::launch::find_chromium(b.chromium.as_deref())
                .map_err(|e| SetupError::Browser(e.to_string()))?,
        ),
        None => None,
    };
    #[cfg(not(feature = "browser"))]
    if cfg.browser.is_some() {
        return Err(SetupError::Browser(
            "this skimscan was built without the `browser` feature".into(),
        ));
    }
    // Without --fetch-remote a capture is all there is: a live URL beside it could not load.
    let live_targets = tasks.iter().any(|t| t.local.is_none());
    if let Some(c) = &capture {
        if live_targets && !cfg.fetch_remote {
            return Err(SetupError::Local {
                path: "targets".into(),
                message: "a .har capture cannot be scanned with URL targets unless --fetch-remote is given".into(),
            });
        }
        for url in c.pages() {
            tasks.push(PageTask {
                url: url.clone(),
                local: None,
                // Every captured page is a target; links lead to pages the capture lacks.
                depth: cfg.depth,
                found_by: "target",
            });
        }
    }
    let capture = capture.map(Arc::new);
    let needs_network = live_targets || cfg.fetch_remote;
    let fetcher = if needs_network {
        let mut opts = cfg.fetch.clone();
        opts.named_hosts = named_hosts.clone();
        Some(Arc::new(Fetcher::new(opts)?))
    } else {
        None
    };
    let loader = Loader::new(LoaderSettings {
        fetcher,
        max_body: cfg.fetch.max_body,
        fetch_remote: cfg.fetch_remote,
        contain: cfg
            .browser
            .as_ref()
            .filter(|b| b.contain)
            .map(|_| contain_hosts(cfg, &req.targets)),
        deadline,
        capture: capture.clone(),
        keep: req.keep.clone(),
    });

    let progress = req.progress.clone();
    let on_page = |name: &str| progress.page(name);
    let loader = Arc::new(loader);
    // Scripts are analysed as they arrive (scan/early.rs), under the hosts the targets
    // authorise; `--no-cache` shares no analysis, so there is nothing to start early.
    let early = (!matches!(cfg.cache, crate::cache::CacheSetting::Off)).then(|| {
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
        let reuse = reuse::Reuse::new(&cfg.cache, req.rules.sources(), &allowed_text);
        Arc::new(early::Early::new(
            engine,
            reuse,
            allowed,
            progress.clone(),
            deadline,
        ))
    });
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
    let mut entries = scripts::collect(
        &loader,
        &prefetch,
        &pages,
        cfg.fetch.concurrency,
        &mut errors,
    )
    .await;
    // The imports of the scripts loaded so far were read while they downloaded.
    prefetch.imports().settle().await;
    let imports_read = prefetch.imports().memo();
    modules::follow(
        &loader,
        &imports_read,
        &pages,
        &mut entries,
        0,
        cfg.fetch.concurrency,
        &mut errors,
    )
    .await;
    if let Some(c) = &capture {
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
        scripts::collect_dynamic(
            &loader,
            &pages,
            loads,
            &mut entries,
            cfg.fetch.concurrency,
            &mut errors,
        )
        .await;
    }
    tracing::info!(
        scripts = entries.len(),
        elapsed_ms = clock.elapsed().as_millis() as u64,
        "scripts loaded"
    );

    for p in &lone_scripts {
        match targets::lone_script(p, cfg.fetch.max_body) {
            Ok(entry) => entries.push(entry),
            Err(e) => errors.push(e),
        }
    }

    let allowed = authorised_hosts(
        cfg,
        &req.extra_allowed,
        pages.iter().filter_map(|p| p.url.host_str()),
    );
    let policy = HostPolicy {
        allowed: allowed.clone(),
    };

    // The analysis, then one round of the scripts that code loads at run time (kind
    // `dynamic`): they run on the page too, so they are fetched (through the same guard) and
    // analysed like any other script.
    // Isolated: a script that crashes or exhausts its worker costs that script, not the scan.
    // Each distinct analysis once: copies of the same code share it, and earlier runs' results
    // are reused (src/cache). When the early analyses (scan/early.rs) authorised these same
    // hosts, their engine and memory are this round's: the round recalls what they found.
    if let Some(e) = &early {
        e.settle().await;
    }
    let (engine, reuse) = match early.as_ref().and_then(|e| e.round_for(&allowed)) {
        Some(same) => same,
        None => {
            let allowed_text: Vec<String> =
                allowed.iter().map(|h| h.as_str().to_string()).collect();
            (
                Engine::new(req.rules.clone(), policy.clone()).isolated(),
                Arc::new(reuse::Reuse::new(
                    &cfg.cache,
                    req.rules.sources(),
                    &allowed_text,
                )),
            )
        }
    };
    containers::expand(&mut entries, 0);
    let first = analysis::analyse_until(&engine, &reuse, &mut entries, 0, &pages, &deadline).await;
    tracing::info!(
        elapsed_ms = clock.elapsed().as_millis() as u64,
        "scripts analysed"
    );
    findings.extend(first.findings);
    errors.extend(first.errors);
    analysis::keep_decoded(req.keep.as_deref(), &first.decoded);
    let mut pipes = first.pipes;
    // Loaders chain (a stub loads stage 2, which loads stage 3): follow a bounded number of
    // rounds, and say so when code still loads more, so the scan is never "complete" without
    // having seen what runs.
    let mut pending = first.loads;
    let mut round = 0;
    while !pending.is_empty() {
        if round == MAX_DYNAMIC_ROUNDS {
            for (page_index, list) in &pending {
                for (url, by) in list {
                    errors.push(ScanError {
                        url: url.clone(),
                        message: format!(
                            "loaded at run time by {by} after {MAX_DYNAMIC_ROUNDS} rounds of loaders; not followed (page {})",
                            pages.get(*page_index).map(|p| p.name.as_str()).unwrap_or("?")
                        ),
                    });
                }
            }
            break;
        }
        round += 1;
        let before = entries.len();
        scripts::collect_dynamic(
            &loader,
            &pages,
            pending,
            &mut entries,
            cfg.fetch.concurrency,
            &mut errors,
        )
        .await;
        // Scripts added at run time import modules too.
        modules::follow(
            &loader,
            &imports_read,
            &pages,
            &mut entries,
            before,
            cfg.fetch.concurrency,
            &mut errors,
        )
        .await;
        if entries.len() == before {
            break;
        }
        containers::expand(&mut entries, before);
        let next =
            analysis::analyse_until(&engine, &reuse, &mut entries, before, &pages, &deadline).await;
        findings.extend(next.findings);
        errors.extend(next.errors);
        analysis::keep_decoded(req.keep.as_deref(), &next.decoded);
        pipes.extend(next.pipes);
        pending = next.loads;
    }

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
        findings.extend(runtime.findings);
        errors.extend(runtime.errors);
        analysis::keep_decoded(req.keep.as_deref(), &runtime.decoded);
        pipes.extend(runtime.pipes);
    }
    findings.extend(analysis::join_pipes(&engine, &pages, &pipes));

    reuse.finish();

    // Page checks and page records.
    let mut page_records = Vec::new();
    for (pi, p) in pages.iter().enumerate() {
        let page_scripts: Vec<&ScriptEntry> =
            entries.iter().filter(|e| e.page_index == pi).collect();
        let page_host = p.host();
        let authorised = |h: &str| engine.may_receive_payment_data(page_host.as_deref(), h);
        // Scripts we only know the address of still tell something: a known skimmer domain
        // or a look-alike host in the URL.
        for e in &page_scripts {
            if e.text.is_none()
                && let Some(url) = &e.record.url
            {
                findings.extend(engine.check_script_url(&p.name, page_host.as_deref(), url));
            }
        }
        findings.extend(crate::checks::page_findings(
            &req.rules,
            p,
            &page_scripts,
            &authorised,
        ));
        page_records.push(PageRecord {
            url: p.name.clone(),
            status: p.status,
            payment_form: p.doc.payment_form(),
            headers: page::security_headers(&p.headers, &p.doc.meta_csp),
            requested_url: p
                .requested
                .as_ref()
                .map(|u| crawl::display(u, p.local.as_deref())),
            title: p.doc.title.clone(),
            encoding: Some(p.encoding.clone()),
            forms: p
                .doc
                .forms
                .iter()
                .map(|f| FormRecord {
                    action: f.action.as_ref().map(|a| match a {
                        Ok(u) => match p.local.as_deref() {
                            // A local page's root-relative action names a file of the site.
                            Some(root) => root
                                .localize(u)
                                .map(|l| root.display(&l))
                                .unwrap_or_else(|| u.to_string()),
                            None => u.to_string(),
                        },
                        Err(raw) => raw.clone(),
                    }),
                    method: f.method.clone(),
                    payment_fields: f.payment_fields.iter().map(|pf| pf.name.clone()).collect(),
                    line: f.line,
                })
                .collect(),
            found_by: p.found_by.to_string(),
        });
    }

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
