//! All visits of one scan: one Chromium, one canary, and for every page × profile a visit in
//! its own browser context with its own egress proxy, run in parallel up to
//! `--concurrency`, within the per-page and overall time limits. Whatever goes wrong with the
//! browser (it does not start, crashes, hangs) becomes an `errors[]` entry for the pages it
//! left unvisited, so the scan is incomplete rather than clean. The browser is closed (killed
//! if need be) and its profile directory removed before this returns.

use super::canary::{Canary, Matcher};
use super::egress::{CardPolicy, Egress, EgressPolicy};
use super::profiles::Profile;
use super::record::{BrowserVisit, Channel};
use super::verdict::{self, ProfileView};
use super::visit::{self, VisitOutcome, VisitPlan};
use super::{BrowserOptions, har, intercept, launch, workers};
use crate::fetch::FetchOptions;
use crate::fetch::guard::AddressGuard;
use crate::finding::Finding;
use crate::finding::ScanError;
use crate::hosts::{self, HostPattern};
use crate::rules::RuleSet;
use chromiumoxide::Browser;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use url::Url;

/// A page to visit.
#[derive(Clone, Debug)]
pub struct PassPage {
    /// Index in the scan's page list.
    pub index: usize,
    pub url: Url,
    /// The page as reports name it.
    pub name: String,
}

/// Whether `host` may receive card data on a page of `page_host` (the shop, its processors).
pub type CardAuthority = Arc<dyn Fn(Option<&str>, &str) -> bool + Send + Sync>;

/// The scan's settings the pass shares with the fetcher.
pub struct PassContext {
    /// Timeouts, `--resolve`, `--ca-cert`, headers, cookie, user agent, named hosts.
    pub fetch: FetchOptions,
    /// `--contain`: hosts the user named (targets and `--allow-host`).
    pub contain_hosts: Vec<HostPattern>,
    pub card_authority: CardAuthority,
    pub concurrency: usize,
}

/// A script seen running on a page.
#[derive(Clone, Debug)]
pub struct RuntimeScript {
    pub page_index: usize,
    pub profile: Profile,
    pub url: Option<String>,
    pub text: String,
}

#[derive(Default)]
pub struct PassOutcome {
    pub scripts: Vec<RuntimeScript>,
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    pub visits: Vec<BrowserVisit>,
    /// With `BrowserOptions::evidence`: what the browser saw, for the evidence bundle, as
    /// (where it came from, bytes): a PNG screenshot per visit and the HAR of the whole pass.
    pub artifacts: Vec<(String, Vec<u8>)>,
}

type VisitResult = (usize, Profile, Result<(VisitOutcome, Vec<String>), String>);

pub async fn run(
    opts: &BrowserOptions,
    binary: &Path,
    ctx: PassContext,
    pages: Vec<PassPage>,
    rules: &RuleSet,
) -> PassOutcome {
    let mut out = PassOutcome::default();
    if pages.is_empty() {
        return out;
    }
    let launched = match launch::launch(binary, &ctx.fetch.ca_certs, &ctx.fetch.user_agent).await {
        Ok(l) => l,
        Err(e) => {
            for p in &pages {
                out.errors.push(ScanError {
                    url: p.name.clone(),
                    message: format!("browser pass not run: {e}"),
                });
            }
            return out;
        }
    };
    let canary = Canary::generate();
    let matcher = Matcher::new(&canary);
    let jobs: Vec<(PassPage, Profile)> = pages
        .iter()
        .flat_map(|p| opts.profiles.iter().map(move |pr| (p.clone(), *pr)))
        .collect();
    let mut results: Vec<VisitResult> = Vec::new();
    {
        let browser = &launched.browser;
        let (link, outgoing) = workers::link();
        let (ctx, canary, matcher, l) = (&ctx, &canary, &matcher, &link);
        let mut stream = futures::stream::iter(jobs.iter().cloned())
            .map(|(page, profile)| async move {
                let r = visit_one(browser, l, &page, profile, opts, ctx, canary, matcher).await;
                (page.index, profile, r)
            })
            .buffer_unordered(ctx.concurrency.max(1));
        // The browser-level holder of service and shared workers runs beside the visits and
        // ends with them; should it stop early, the visits go on without it.
        let drive = async {
            let serve = async {
                workers::serve(browser, l, outgoing).await;
                futures::future::pending::<()>().await
            };
            let visits = async {
                while let Some(r) = stream.next().await {
                    results.push(r);
                }
            };
            tokio::select! {
                () = visits => {}
                () = serve => {}
            }
        };
        if tokio::time::timeout(opts.overall_timeout, drive)
            .await
            .is_err()
        {
            tracing::warn!("browser pass: overall time limit reached");
        }
    }
    launched.close().await;

    let done: BTreeSet<(usize, Profile)> = results.iter().map(|(i, p, _)| (*i, *p)).collect();
    for (page, profile) in &jobs {
        if !done.contains(&(page.index, *profile)) {
            out.errors.push(ScanError {
                url: page.name.clone(),
                message: format!(
                    "browser pass ({profile}): not visited within the {} s overall limit",
                    opts.overall_timeout.as_secs()
                ),
            });
        }
    }
    results.sort_by_key(|(i, p, _)| (*i, *p));
    let mut har_visits = Vec::new();
    let mut views: BTreeMap<usize, Vec<ProfileView>> = BTreeMap::new();
    let by_index: BTreeMap<usize, &PassPage> = pages.iter().map(|p| (p.index, p)).collect();
    for (index, profile, result) in &results {
        let Some(page) = by_index.get(index) else {
            continue;
        };
        let (visit, refused) = match result {
            Ok(v) => v,
            Err(e) => {
                out.errors.push(ScanError {
                    url: page.name.clone(),
                    message: format!("browser pass ({profile}): {e}"),
                });
                continue;
            }
        };
        for p in &visit.problems {
            out.errors.push(ScanError {
                url: page.name.clone(),
                message: format!("browser pass ({profile}): {p}"),
            });
        }
        for r in refused {
            out.errors.push(ScanError {
                url: page.name.clone(),
                message: format!("browser pass ({profile}): refused by the address guard: {r}"),
            });
        }
        let page_host = page.url.host_str().map(hosts::normalise_host);
        let authority = ctx.card_authority.clone();
        let may = |h: &str| authority(page_host.as_deref(), h);
        let (findings, expected) =
            verdict::exfiltration(rules, &page.name, &visit.requests, &matcher, &may);
        out.findings.extend(findings);
        let outside: BTreeSet<String> = visit
            .requests
            .iter()
            .filter(|r| {
                !(r.channel == Channel::Sinkhole && r.found.is_none() && browser_service(&r.host))
            })
            .map(|r| r.host.clone())
            .filter(|h| {
                !h.is_empty()
                    && page_host
                        .as_deref()
                        .is_none_or(|ph| !hosts::same_site(h, ph))
            })
            .collect();
        let mut scripts = BTreeMap::new();
        for s in &visit.scripts {
            scripts.insert(
                crate::inventory::sha256_hex(s.text.as_bytes()),
                s.url
                    .clone()
                    .unwrap_or_else(|| "(inline or eval'd code)".into()),
            );
            out.scripts.push(super::pass::RuntimeScript {
                page_index: *index,
                profile: *profile,
                url: s.url.clone(),
                text: s.text.clone(),
            });
        }
        out.visits.push(BrowserVisit {
            page: page.name.clone(),
            profile: profile.to_string(),
            complete: visit.problems.is_empty(),
            canary: canary.masked(),
            fields_typed: visit.typed.clone(),
            pressed_pay: visit.pressed_pay,
            scripts_run: visit.scripts.len(),
            requests: visit.requests.len(),
            outside_hosts: outside.iter().cloned().collect(),
            card_received_by: expected.into_iter().collect(),
            millis: visit.millis,
        });
        views.entry(*index).or_default().push(ProfileView {
            profile: *profile,
            scripts,
            outside_hosts: outside,
        });
        if let Some(png) = &visit.screenshot {
            out.artifacts.push((
                format!("browser screenshot: {} ({profile})", page.name),
                png.clone(),
            ));
        }
        har_visits.push(har::HarVisit {
            id: format!("page_{index}_{profile}"),
            title: format!("{} ({profile})", page.name),
            started: visit.started.clone(),
            requests: &visit.requests,
        });
    }
    for (index, v) in &views {
        if let Some(page) = by_index.get(index) {
            out.findings
                .extend(verdict::profile_differences(rules, &page.name, v));
        }
    }
    if opts.har.is_some() || opts.evidence {
        let doc = har::build(&har_visits, &matcher);
        match serde_json::to_vec_pretty(&doc) {
            Ok(bytes) => {
                if let Some(path) = &opts.har
                    && let Err(e) = std::fs::write(path, &bytes)
                {
                    out.errors.push(ScanError {
                        url: path.display().to_string(),
                        message: format!("cannot write the HAR file: {e}"),
                    });
                }
                if opts.evidence {
                    out.artifacts.push(("browser HAR".into(), bytes));
                }
            }
            Err(e) => out.errors.push(ScanError {
                url: "browser HAR".into(),
                message: format!("cannot serialise the HAR: {e}"),
            }),
        }
    }
    out
}

/// Chromium's own services (autofill, safe browsing, updates), which it contacts with every
/// background feature switched off: their connections go through the egress proxy like the
/// page's (and are sinkholed after the card is typed), but they are the browser's, not the
/// page's, so they are not listed as hosts the page contacted.
fn browser_service(host: &str) -> bool {
    [
        "googleapis.com",
        "gstatic.com",
        "google.com",
        "gvt1.com",
        "googleusercontent.com",
    ]
    .iter()
    .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

#[allow(clippy::too_many_arguments)]
async fn visit_one(
    browser: &Browser,
    link: &workers::Link,
    page: &PassPage,
    profile: Profile,
    opts: &BrowserOptions,
    ctx: &PassContext,
    canary: &Canary,
    matcher: &Matcher,
) -> Result<(VisitOutcome, Vec<String>), String> {
    let clock = std::time::Instant::now();
    let page_host = page.url.host_str().map(hosts::normalise_host);
    let authority = ctx.card_authority.clone();
    let ph = page_host.clone();
    let may: CardPolicy = Arc::new(move |h: &str| authority(ph.as_deref(), h));
    let mut named = ctx.fetch.named_hosts.clone();
    for r in &ctx.fetch.resolve {
        named.extend(HostPattern::parse(&r.host).ok());
    }
    let egress = Egress::start(EgressPolicy {
        guard: Arc::new(AddressGuard::new(ctx.fetch.allow_private, named.clone())),
        pins: ctx.fetch.resolve.clone(),
        contain: opts.contain.then(|| ctx.contain_hosts.clone()),
        may_receive_card: may,
        connect_timeout: ctx.fetch.timeout,
    })
    .await
    .map_err(|e| format!("cannot start the egress proxy: {e}"))?;
    let cp = CreateBrowserContextParams {
        dispose_on_detach: Some(true),
        proxy_server: Some(egress.proxy_url()),
        proxy_bypass_list: Some("<-loopback>".into()),
        ..Default::default()
    };
    let context_id = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        browser.create_browser_context(cp),
    )
    .await
    .map_err(|_| "the browser did not create a context within 15 s".to_string())?
    .map_err(|e| format!("cannot create a browser context: {e}"))?;
    let mut target = CreateTargetParams::new("about:blank");
    target.browser_context_id = Some(context_id.clone());
    let tab = tokio::time::timeout(std::time::Duration::from_secs(15), browser.new_page(target))
        .await
        .map_err(|_| "the browser did not open a tab within 15 s".to_string())?
        .map_err(|e| format!("cannot open a tab: {e}"))?;
    let plan = VisitPlan {
        url: &page.url,
        page_name: &page.name,
        profile,
        canary,
        egress: &egress,
        interceptor: intercept::Settings {
            profile,
            page_name: page.name.clone(),
            matcher: matcher.clone(),
            contain: opts.contain.then(|| ctx.contain_hosts.clone()),
            named,
            headers: ctx.fetch.headers.clone(),
            cookie: ctx.fetch.cookie.clone(),
            request_cap: opts.request_cap,
        },
        wait_after_click: opts.wait_after_click,
        page_timeout: opts.page_timeout,
        screenshot: opts.evidence,
        link: Some((link.clone(), context_id.inner().clone())),
    };
    let opened = clock.elapsed().as_millis();
    let outcome = visit::visit(&tab, plan).await;
    let visited = clock.elapsed().as_millis();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), tab.close()).await;
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        browser.dispose_browser_context(context_id),
    )
    .await;
    tracing::debug!(
        page = %page.name,
        profile = %profile,
        "visit overhead: open={opened} close={}",
        clock.elapsed().as_millis() - visited
    );
    let refused = egress.refused();
    Ok((outcome, refused))
}
