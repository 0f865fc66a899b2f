//! One customer's visit to one payment page, in its own browser context (its own cookies and
//! its own egress proxy): emulate the profile, load the page and let the network settle,
//! find the card fields the way the static pass finds them (in iframes too), type the canary
//! key by key, leave the field, press pay, and wait for delayed senders. Every request is
//! paused and decided on while this happens ([`super::intercept`]); every script that runs
//! is recorded with its source.

use super::canary::Canary;
use super::egress::Egress;
use super::frames::{Children, Session};
use super::intercept::{self, Interceptor};
use super::profiles::{Persona, Profile};
use super::record::RecordedRequest;
use crate::page::PaymentFieldKind;
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::{dom, emulation, input, page as cdp_page};
use chromiumoxide::cdp::js_protocol::{debugger, runtime};
use chromiumoxide::types::Command;
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

/// The longest one DevTools command may take before the browser counts as hung.
pub(crate) const CDP_TIMEOUT: Duration = Duration::from_secs(15);
/// The network counts as settled after this long without activity and with no request under
/// way ([`Interceptor::settle`]): the time a page takes to act on what just arrived.
const QUIET: Duration = Duration::from_millis(300);
/// After typing, a shorter quiet period: what the keys set off starts at once.
const QUIET_AFTER_TYPING: Duration = Duration::from_millis(200);
/// The longest any settle wait may take.
const SETTLE_MAX: Duration = Duration::from_secs(5);
/// How long a page without card fields gets for a form drawn late.
const LATE_FORM: Duration = Duration::from_secs(2);
/// How often late card fields are looked for.
const LATE_POLL: Duration = Duration::from_millis(250);
/// Time for a focus listener's reaction (an injected frame) to reach the network.
const FOCUS_REACTION: Duration = Duration::from_millis(100);
/// Rounds of typing into fields that appeared while typing.
const LATE_ROUNDS: usize = 3;
/// Marks code the scanner evaluates itself, so the inventory leaves it out.
pub const INTERNAL_SOURCE: &str = "skimscan-internal";

/// Hides what headless automation exposes; skimmers check these before running.
pub(crate) const STEALTH: &str = r#"(() => {
  try { Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false, configurable: true }); } catch (e) {}
  if (!window.chrome) { window.chrome = { runtime: {} }; }
  try {
    if (navigator.plugins.length === 0) {
      Object.defineProperty(Navigator.prototype, 'plugins', { get: () => [1, 2, 3, 4, 5], configurable: true });
    }
    Object.defineProperty(Navigator.prototype, 'languages', { get: () => ['en-US', 'en'], configurable: true });
  } catch (e) {}
})();
//# sourceURL=skimscan-internal"#;

#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    #[error("the browser did not answer {0} within {1} s")]
    Hung(String, u64),
    #[error("DevTools {0}: {1}")]
    Cdp(String, String),
    #[error("the page did not finish within {0} s")]
    PageTimeout(u64),
}

/// Send one DevTools command to the page, within [`CDP_TIMEOUT`].
pub async fn call<T: Command>(page: &Page, cmd: T) -> Result<T::Response, VisitError> {
    let method = cmd.identifier().to_string();
    match tokio::time::timeout(CDP_TIMEOUT, page.execute(cmd)).await {
        Ok(Ok(r)) => Ok(r.result),
        Ok(Err(e)) => Err(VisitError::Cdp(method, e.to_string())),
        Err(_) => Err(VisitError::Hung(method, CDP_TIMEOUT.as_secs())),
    }
}

/// A script seen running.
#[derive(Clone, Debug)]
pub struct RanScript {
    pub url: Option<String>,
    pub text: String,
}

/// What one visit saw.
pub struct VisitOutcome {
    pub profile: Profile,
    pub started: String,
    pub requests: Vec<RecordedRequest>,
    pub scripts: Vec<RanScript>,
    /// Card fields typed into, as `kind name (frame)`.
    pub typed: Vec<String>,
    pub pressed_pay: bool,
    pub screenshot: Option<Vec<u8>>,
    /// Wall time of the visit.
    pub millis: u64,
    /// Problems that leave the visit incomplete.
    pub problems: Vec<String>,
}

/// What the visit needs besides the page.
pub struct VisitPlan<'a> {
    pub url: &'a Url,
    pub page_name: &'a str,
    pub profile: Profile,
    pub canary: &'a Canary,
    pub egress: &'a Egress,
    pub interceptor: intercept::Settings,
    pub wait_after_click: Duration,
    pub page_timeout: Duration,
    pub screenshot: bool,
    /// The pass's browser link and this visit's browser context: its service and shared
    /// workers ([`super::workers`]).
    pub link: Option<(super::workers::Link, String)>,
}

/// Run the visit on a fresh page of its own context.
pub async fn visit(page: &Page, plan: VisitPlan<'_>) -> VisitOutcome {
    let started = crate::clock::now_rfc3339();
    let persona = plan.profile.persona();
    let scripts: Arc<Mutex<BTreeMap<String, Option<String>>>> = Arc::default();
    let mut outcome = VisitOutcome {
        profile: plan.profile,
        started,
        requests: Vec::new(),
        scripts: Vec::new(),
        typed: Vec::new(),
        pressed_pay: false,
        screenshot: None,
        millis: 0,
        problems: Vec::new(),
    };
    let clock = Instant::now();
    let interceptor = match Interceptor::start(page, plan.interceptor.clone()).await {
        Ok(i) => i,
        Err(e) => {
            outcome.problems.push(e.to_string());
            return outcome;
        }
    };
    let children = match Children::start(
        page,
        interceptor.decider(),
        persona.clone(),
        plan.link.clone(),
    )
    .await
    {
        Ok(c) => c,
        Err(e) => {
            outcome.problems.push(e.to_string());
            outcome.requests = interceptor.finish(plan.egress).await;
            return outcome;
        }
    };
    let script_watch = watch_scripts(page, scripts.clone()).await;
    let budget = plan.page_timeout;
    let run = steps(page, &plan, &persona, &interceptor, &children, &mut outcome);
    match tokio::time::timeout(budget, run).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => outcome.problems.push(e.to_string()),
        Err(_) => outcome
            .problems
            .push(VisitError::PageTimeout(budget.as_secs()).to_string()),
    }
    // Sources are read while the page is still open.
    let ids: Vec<(String, Option<String>)> = scripts
        .lock()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    // Asked for all at once (answers keep the order asked in): one round trip's wait, not one
    // per script.
    let reads = ids.into_iter().map(|(id, url)| async move {
        let params = debugger::GetScriptSourceParams::new(runtime::ScriptId::new(id));
        call(page, params).await.ok().map(|src| RanScript {
            url,
            text: src.script_source,
        })
    });
    outcome
        .scripts
        .extend(futures::future::join_all(reads).await.into_iter().flatten());
    // Out-of-process iframes' and workers' scripts, bounded like the rest of the visit.
    let theirs = tokio::time::timeout(Duration::from_secs(20), children.scripts()).await;
    match theirs {
        Ok(s) => outcome.scripts.extend(s),
        Err(_) => outcome.problems.push(
            "the sources of the iframes' and workers' scripts were not read within 20 s".into(),
        ),
    }
    if let Some(h) = script_watch {
        h.abort();
    }
    drop(children);
    outcome.requests = interceptor.finish(plan.egress).await;
    outcome.millis = clock.elapsed().as_millis() as u64;
    outcome
}

/// Listen for every script V8 compiles (external, inline, eval'd, injected, `data:`/`blob:`,
/// in same-process iframes), keyed by script id.
async fn watch_scripts(
    page: &Page,
    into: Arc<Mutex<BTreeMap<String, Option<String>>>>,
) -> Option<tokio::task::JoinHandle<()>> {
    let mut parsed = page
        .event_listener::<debugger::EventScriptParsed>()
        .await
        .ok()?;
    call(page, debugger::EnableParams::default()).await.ok()?;
    Some(tokio::spawn(async move {
        while let Some(ev) = parsed.next().await {
            if not_the_pages(&ev.url) {
                continue;
            }
            let url = (!ev.url.is_empty()).then(|| ev.url.clone());
            if let Ok(mut m) = into.lock() {
                m.insert(ev.script_id.inner().clone(), url);
            }
        }
    }))
}

/// Code the browser runs that is not the page's: the scanner's own, chromiumoxide's
/// utility-world helpers, and Chromium's error pages (a frame that failed to load).
pub(crate) fn not_the_pages(url: &str) -> bool {
    url.contains(INTERNAL_SOURCE)
        || url.starts_with("____chromiumoxide")
        || url.starts_with("chrome-error:")
        || url.starts_with("chrome:")
}

async fn steps(
    page: &Page,
    plan: &VisitPlan<'_>,
    persona: &Persona,
    interceptor: &Interceptor,
    children: &Children,
    outcome: &mut VisitOutcome,
) -> Result<(), VisitError> {
    emulate(&Session::Page(page.clone()), persona).await?;
    let mut script = cdp_page::AddScriptToEvaluateOnNewDocumentParams::new(STEALTH);
    script.run_immediately = Some(true);
    call(page, script).await?;
    let mut phases = Phases::new();
    if persona.visit_twice {
        navigate(page, plan.url, None, interceptor, &mut phases).await?;
    }
    navigate(page, plan.url, persona.referrer, interceptor, &mut phases).await?;

    let mut fields = find_card_fields(page, children).await?;
    if fields.is_empty() {
        // A payment page whose card form is drawn late (a timer, a script waiting for the
        // page to be idle) gets a little longer before the visit gives up on typing.
        let until = Instant::now() + LATE_FORM;
        while fields.is_empty() && Instant::now() < until {
            tokio::time::sleep(LATE_POLL).await;
            fields = find_card_fields(page, children).await?;
        }
    }
    if !fields.is_empty() {
        // Each card field gets focus once before the card exists: a skimmer that injects its
        // fake payment frame when a card field is focused does it now, while the frame's host
        // can still be reached, and that frame's fields are typed into with the rest.
        for f in &fields {
            let _ = focus(&f.session, f.node_id).await;
        }
        tokio::time::sleep(FOCUS_REACTION).await;
        interceptor.settle(QUIET, SETTLE_MAX).await;
        fields = find_card_fields(page, children).await?;
    }
    phases.mark("fields");
    // From here on the card exists: only the shop and its processors can be reached.
    plan.egress.enter_canary_phase();
    interceptor.enter_canary_phase();
    let mut typed = BTreeSet::new();
    let mut docs = Vec::new();
    type_fields(page, plan.canary, &fields, &mut typed, outcome, &mut docs).await;
    let pay_from = docs.into_iter().next();
    phases.mark("typing");
    // Fields that appeared while typing (a frame injected on a key press, on the first
    // field's change): typed too, a few rounds at most.
    let mut late_docs = Vec::new();
    let late = Late {
        page,
        children,
        canary: plan.canary,
    };
    for _ in 0..LATE_ROUNDS {
        interceptor.settle(QUIET_AFTER_TYPING, SETTLE_MAX).await;
        if !late
            .type_new_fields(&mut typed, outcome, &mut late_docs)
            .await?
        {
            break;
        }
    }
    phases.mark("late fields");
    if let Some((session, doc)) = &pay_from {
        // Leaving the last field (blur/change listeners fire), then pay: the button of the
        // form the first field typed into (a hidden field of a hidden iframe cannot be), then
        // that of each form that appeared late, as a customer who saw it would.
        key(page, "Tab", "Tab", 9, None).await?;
        match press_pay(session, page, doc).await {
            Ok(pressed) => outcome.pressed_pay = pressed,
            Err(e) => tracing::info!(error = %e, "the pay button could not be pressed"),
        }
        for (session, doc) in late_docs.drain(..) {
            let _ = press_pay(&session, page, &doc).await;
        }
        phases.mark("pay");
        // Senders that wait (a timer after the click) get their chance; with no card typed
        // there is nothing to wait for. Meanwhile a card form drawn after the click (a fake
        // "payment failed, enter your card again" frame) is typed into and paid from too.
        let until = Instant::now() + plan.wait_after_click;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(left.min(LATE_POLL)).await;
            if !late
                .type_new_fields(&mut typed, outcome, &mut late_docs)
                .await?
            {
                continue;
            }
            key(page, "Tab", "Tab", 9, None).await?;
            for (session, doc) in late_docs.drain(..) {
                let _ = press_pay(&session, page, &doc).await;
            }
        }
        phases.mark("wait after pay");
    }
    tracing::debug!(page = %plan.page_name, profile = %plan.profile, phases = %phases, "visit phases");
    if plan.screenshot {
        let shot = cdp_page::CaptureScreenshotParams::default();
        if let Ok(r) = call(page, shot).await {
            use base64::Engine as _;
            outcome.screenshot = base64::engine::general_purpose::STANDARD
                .decode(AsRef::<str>::as_ref(&r.data))
                .ok();
        }
    }
    Ok(())
}

/// How long each step of a visit took, for `SKIMSCAN_LOG=skimscan::browser::visit=debug`
/// and the benchmark.
struct Phases {
    last: Instant,
    done: Vec<(&'static str, u128)>,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            last: Instant::now(),
            done: Vec::new(),
        }
    }

    fn mark(&mut self, name: &'static str) {
        self.done.push((name, self.last.elapsed().as_millis()));
        self.last = Instant::now();
    }
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, ms)) in self.done.iter().enumerate() {
            write!(f, "{}{name}={ms}", if i == 0 { "" } else { " " })?;
        }
        Ok(())
    }
}

/// Where a field is, independent of DOM node ids (which change with every `DOM.getDocument`).
fn field_key(f: &FoundField) -> String {
    format!(
        "{:?}|{}|{}|{:?}",
        f.session,
        without_query(&f.frame_url),
        f.name,
        f.kind
    )
}

/// A frame's URL as the report shows it: without query or fragment, where a form that was
/// submitted with GET would put the typed card.
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Where card fields that appear after the first typing are looked for.
struct Late<'v> {
    page: &'v Page,
    children: &'v Children,
    canary: &'v Canary,
}

impl Late<'_> {
    /// Type into the card fields that appeared since the last look (a frame injected on a key
    /// press or drawn after the click); false when there were none.
    async fn type_new_fields(
        &self,
        typed: &mut BTreeSet<String>,
        outcome: &mut VisitOutcome,
        docs: &mut Vec<(Session, String)>,
    ) -> Result<bool, VisitError> {
        let more = untyped(find_card_fields(self.page, self.children).await?, typed);
        if more.is_empty() {
            return Ok(false);
        }
        type_fields(self.page, self.canary, &more, typed, outcome, docs).await;
        Ok(true)
    }
}

/// The fields of `found` not typed into yet.
fn untyped(found: Vec<FoundField>, typed: &BTreeSet<String>) -> Vec<FoundField> {
    found
        .into_iter()
        .filter(|f| !typed.contains(&field_key(f)))
        .collect()
}

/// Type the canary's part into each field; the documents typed into are added to `docs`
/// (once each, in order, by session and URL: node ids do not outlive the next look at the
/// DOM), where the pay button is looked for.
async fn type_fields(
    page: &Page,
    canary: &Canary,
    fields: &[FoundField],
    typed: &mut BTreeSet<String>,
    outcome: &mut VisitOutcome,
    docs: &mut Vec<(Session, String)>,
) {
    let mut seen_docs: Vec<(String, String)> = Vec::new();
    for f in fields {
        if !typed.insert(field_key(f)) {
            continue;
        }
        let value = value_for(f, canary);
        if type_into(&f.session, page, f.node_id, &value).await.is_ok() {
            let doc = (format!("{:?}", f.session), f.frame_url.clone());
            if !seen_docs.contains(&doc) {
                seen_docs.push(doc);
                docs.push((f.session.clone(), f.frame_url.clone()));
            }
            outcome.typed.push(format!(
                "{} {}{}",
                kind_name(f.kind),
                f.name,
                if f.in_iframe {
                    format!(" (iframe {})", without_query(&f.frame_url))
                } else {
                    String::new()
                }
            ));
        }
    }
}

/// Make the session's frame look like the profile's device. An out-of-process iframe gets the
/// same user agent, touch points and locale (the page's override does not reach it), but not
/// the screen: its size is the page's to set.
pub(crate) async fn emulate(session: &Session, p: &Persona) -> Result<(), VisitError> {
    if !session.is_child() {
        let metrics = emulation::SetDeviceMetricsOverrideParams::new(
            i64::from(p.width),
            i64::from(p.height),
            p.device_scale,
            p.mobile,
        );
        session.call(metrics).await?;
    }
    let mut touch = emulation::SetTouchEmulationEnabledParams::new(p.touch_points > 0);
    if p.touch_points > 0 {
        touch.max_touch_points = Some(i64::from(p.touch_points));
    }
    session.call(touch).await?;
    let mut ua = emulation::SetUserAgentOverrideParams::new(p.user_agent);
    ua.accept_language = Some(p.accept_language.to_string());
    ua.platform = Some(p.platform.to_string());
    if let Some(major) = super::profiles::chrome_major(p.user_agent) {
        let brands = vec![
            emulation::UserAgentBrandVersion::new("Chromium", major),
            emulation::UserAgentBrandVersion::new("Google Chrome", major),
            emulation::UserAgentBrandVersion::new("Not_A Brand", "24"),
        ];
        let platform = if p.mobile { "Android" } else { "Windows" };
        let meta = emulation::UserAgentMetadata {
            brands: Some(brands),
            full_version_list: None,
            platform: platform.to_string(),
            platform_version: if p.mobile { "14.0.0" } else { "10.0.0" }.to_string(),
            architecture: if p.mobile { "arm" } else { "x86" }.to_string(),
            model: if p.mobile { "Pixel 8" } else { "" }.to_string(),
            mobile: p.mobile,
            bitness: Some("64".to_string()),
            wow64: Some(false),
            form_factors: None,
        };
        ua.user_agent_metadata = Some(meta);
    }
    session.call(ua).await?;
    let locale = emulation::SetLocaleOverrideParams {
        locale: Some(p.locale.to_string()),
    };
    // Some builds refuse a locale override equal to the current one; not worth failing for.
    let _ = session.call(locale).await;
    Ok(())
}

/// Navigate and wait for the load event and then for the network to go quiet.
async fn navigate(
    page: &Page,
    url: &Url,
    referrer: Option<&str>,
    interceptor: &Interceptor,
    phases: &mut Phases,
) -> Result<(), VisitError> {
    let mut loaded = page
        .event_listener::<cdp_page::EventLoadEventFired>()
        .await
        .map_err(|e| VisitError::Cdp("Page.loadEventFired".into(), e.to_string()))?;
    let mut nav = cdp_page::NavigateParams::new(url.as_str());
    nav.referrer = referrer.map(str::to_string);
    // chromiumoxide answers Page.navigate only once its own navigation tracking is satisfied,
    // which a page with out-of-process iframes can hold up; the load event below is what
    // counts, so a slow answer here is not a failure.
    match tokio::time::timeout(Duration::from_secs(3), page.execute(nav)).await {
        Ok(Ok(r)) => {
            if let Some(err) = &r.result.error_text {
                return Err(VisitError::Cdp("Page.navigate".into(), err.clone()));
            }
        }
        Ok(Err(e)) => return Err(VisitError::Cdp("Page.navigate".into(), e.to_string())),
        Err(_) => {}
    }
    // The load event, or the page timeout (a page that never fires it still gets looked at).
    let _ = tokio::time::timeout(Duration::from_secs(10), loaded.next()).await;
    phases.mark("load");
    interceptor.settle(QUIET, SETTLE_MAX).await;
    phases.mark("settle");
    Ok(())
}

/// A card field found in the rendered DOM of the page or one of its frames.
#[derive(Clone, Debug)]
struct FoundField {
    /// The page's session, or the out-of-process iframe's that holds the field.
    session: Session,
    node_id: dom::NodeId,
    kind: PaymentFieldKind,
    name: String,
    /// `month`, `year` or empty: which part of the expiry a split expiry field wants.
    expiry_part: &'static str,
    in_iframe: bool,
    frame_url: String,
}

/// Every document in the page (the top one and those of its iframes, same-process ones).
fn documents(node: &dom::Node, top: bool, out: &mut Vec<(dom::NodeId, String, bool)>) {
    if node.node_name == "#document" {
        out.push((
            node.node_id,
            node.document_url.clone().unwrap_or_default(),
            !top,
        ));
    }
    if let Some(doc) = &node.content_document {
        documents(doc, false, out);
    }
    for c in node.children.iter().flatten() {
        documents(c, top, out);
    }
}

/// Find card fields the way the static pass does: the rendered HTML of every frame goes
/// through the same extraction, then each field is located by its name or id. The page's
/// session sees its own document and its same-process iframes; each out-of-process iframe
/// is asked in its own session.
async fn find_card_fields(page: &Page, children: &Children) -> Result<Vec<FoundField>, VisitError> {
    let mut out = Vec::new();
    fields_in(&Session::Page(page.clone()), false, &mut out).await?;
    for child in children.iframes() {
        // A frame gone or not yet ready is skipped: the page's own fields are still typed.
        if let Err(e) = fields_in(&Session::Child(child.session), true, &mut out).await {
            tracing::debug!(frame = %child.url, error = %e, "card fields of an iframe");
        }
    }
    // The card number first, the way a customer fills a card form.
    out.sort_by_key(|f| match f.kind {
        PaymentFieldKind::CardNumber => 0,
        PaymentFieldKind::Expiry => 1,
        PaymentFieldKind::SecurityCode => 2,
        PaymentFieldKind::Holder => 3,
    });
    Ok(out)
}

/// The card fields of every document one session sees.
async fn fields_in(
    session: &Session,
    out_of_process: bool,
    out: &mut Vec<FoundField>,
) -> Result<(), VisitError> {
    let params = dom::GetDocumentParams {
        depth: Some(-1),
        pierce: Some(true),
    };
    let root = session.call(params).await?.root;
    let mut docs = Vec::new();
    documents(&root, true, &mut docs);
    for (doc_id, doc_url, in_iframe) in docs {
        let html_params = dom::GetOuterHtmlParams {
            node_id: Some(doc_id),
            ..Default::default()
        };
        let Ok(html) = session.call(html_params).await else {
            continue;
        };
        let base = Url::parse(&doc_url)
            .or_else(|_| Url::parse("about:blank"))
            .map_err(|e| VisitError::Cdp("DOM.getOuterHTML".into(), e.to_string()))?;
        let extracted = crate::page::extract(&html.outer_html, &base);
        for f in extracted.payment_fields {
            if f.name.is_empty() {
                continue;
            }
            let quoted = f.name.replace('\\', "\\\\").replace('"', "\\\"");
            let mut node = None;
            for sel in [format!("[name=\"{quoted}\"]"), format!("[id=\"{quoted}\"]")] {
                if let Ok(r) = session
                    .call(dom::QuerySelectorParams::new(doc_id, sel))
                    .await
                    && *r.node_id.inner() != 0
                {
                    node = Some(r.node_id);
                    break;
                }
            }
            let Some(node_id) = node else { continue };
            let lower = format!("{} {}", f.name, f.evidence).to_ascii_lowercase();
            let expiry_part = if f.kind != PaymentFieldKind::Expiry {
                ""
            } else if lower.contains("month") || lower.contains("mm") {
                "month"
            } else if lower.contains("year") || lower.contains("yy") {
                "year"
            } else {
                ""
            };
            out.push(FoundField {
                session: session.clone(),
                node_id,
                kind: f.kind,
                name: f.name,
                expiry_part,
                in_iframe: in_iframe || out_of_process,
                frame_url: doc_url.clone(),
            });
        }
    }
    Ok(())
}

fn kind_name(k: PaymentFieldKind) -> &'static str {
    match k {
        PaymentFieldKind::CardNumber => "card number",
        PaymentFieldKind::Expiry => "expiry",
        PaymentFieldKind::SecurityCode => "security code",
        PaymentFieldKind::Holder => "holder",
    }
}

fn value_for(f: &FoundField, c: &Canary) -> String {
    match (f.kind, f.expiry_part) {
        (PaymentFieldKind::CardNumber, _) => c.number.clone(),
        (PaymentFieldKind::Expiry, "month") => c.month.clone(),
        (PaymentFieldKind::Expiry, "year") => c.year.clone(),
        (PaymentFieldKind::Expiry, _) => c.expiry_mm_yy(),
        (PaymentFieldKind::SecurityCode, _) => c.cvv.clone(),
        (PaymentFieldKind::Holder, _) => c.holder.clone(),
    }
}

/// Focus the field (in its own frame's session) and type `value` with real key events, one
/// key at a time, as keyloggers expect (`keydown`, `keypress`, `input`, `keyup` per
/// character). Keys go to the page, which hands them to the focused frame, out of process
/// or not, as it does a customer's.
async fn type_into(
    session: &Session,
    page: &Page,
    node: dom::NodeId,
    value: &str,
) -> Result<(), VisitError> {
    focus(session, node).await?;
    for ch in value.chars() {
        let s = ch.to_string();
        let (code, vk) = key_code(ch);
        // No pause between keys: every key event fires whatever the speed, and a keylogger
        // that debounces sends once the typing stops, with the whole number.
        key(page, &s, &code, vk, Some(&s)).await?;
    }
    Ok(())
}

/// Scroll a field into view and focus it, in its own frame's session.
async fn focus(session: &Session, node: dom::NodeId) -> Result<(), VisitError> {
    let scroll = dom::ScrollIntoViewIfNeededParams {
        node_id: Some(node),
        ..Default::default()
    };
    let _ = session.call(scroll).await;
    let focus = dom::FocusParams {
        node_id: Some(node),
        ..Default::default()
    };
    session.call(focus).await.map(|_| ())
}

fn key_code(ch: char) -> (String, i64) {
    if ch.is_ascii_digit() {
        (format!("Digit{ch}"), i64::from(ch as u8))
    } else if ch.is_ascii_alphabetic() {
        (
            format!("Key{}", ch.to_ascii_uppercase()),
            i64::from(ch.to_ascii_uppercase() as u8),
        )
    } else if ch == ' ' {
        ("Space".into(), 32)
    } else if ch == '/' {
        ("Slash".into(), 191)
    } else {
        (String::new(), 0)
    }
}

/// One key press: keyDown (with text, which types it) and keyUp, sent together (one round
/// trip instead of two; Chromium dispatches a session's input events in the order sent).
async fn key(
    page: &Page,
    key_name: &str,
    code: &str,
    vk: i64,
    text: Option<&str>,
) -> Result<(), VisitError> {
    let event = |kind: input::DispatchKeyEventType| {
        let down = kind == input::DispatchKeyEventType::KeyDown;
        let mut ev = input::DispatchKeyEventParams::new(kind);
        ev.key = Some(key_name.to_string());
        if !code.is_empty() {
            ev.code = Some(code.to_string());
        }
        if vk != 0 {
            ev.windows_virtual_key_code = Some(vk);
            ev.native_virtual_key_code = Some(vk);
        }
        if down && let Some(t) = text {
            ev.text = Some(t.to_string());
            ev.unmodified_text = Some(t.to_string());
        }
        ev
    };
    let down = event(input::DispatchKeyEventType::KeyDown);
    let up = event(input::DispatchKeyEventType::KeyUp);
    futures::future::try_join(call(page, down), call(page, up)).await?;
    Ok(())
}

/// The pay button in the document of the first field typed into: a submit button, else any
/// button (the order the selectors are tried in).
const PAY_BUTTONS: &[&str] = &[
    "button[type=submit]",
    "input[type=submit]",
    "form button:not([type])",
    "button",
    "[role=button]",
];

/// Click the pay button with the mouse, where it is on screen; in an out-of-process iframe
/// (whose coordinates are its own, not the page's), focus it and press Enter, which
/// activates a button the same way.
async fn press_pay(session: &Session, page: &Page, doc_url: &str) -> Result<bool, VisitError> {
    let params = dom::GetDocumentParams {
        depth: Some(-1),
        pierce: Some(true),
    };
    let root = session.call(params).await?.root;
    let mut docs = Vec::new();
    documents(&root, true, &mut docs);
    let Some(doc) = docs
        .into_iter()
        .find(|(_, url, _)| url == doc_url)
        .map(|(id, _, _)| id)
    else {
        return Ok(false);
    };
    let mut button = None;
    for sel in PAY_BUTTONS {
        if let Ok(r) = session.call(dom::QuerySelectorParams::new(doc, *sel)).await
            && *r.node_id.inner() != 0
        {
            button = Some(r.node_id);
            break;
        }
    }
    let Some(button) = button else {
        return Ok(false);
    };
    if session.is_child() {
        let scroll = dom::ScrollIntoViewIfNeededParams {
            node_id: Some(button),
            ..Default::default()
        };
        let _ = session.call(scroll).await;
        let focus = dom::FocusParams {
            node_id: Some(button),
            ..Default::default()
        };
        session.call(focus).await?;
        key(page, "Enter", "Enter", 13, Some("\r")).await?;
        return Ok(true);
    }
    let scroll = dom::ScrollIntoViewIfNeededParams {
        node_id: Some(button),
        ..Default::default()
    };
    let _ = call(page, scroll).await;
    let quads = dom::GetContentQuadsParams {
        node_id: Some(button),
        ..Default::default()
    };
    let q = call(page, quads).await?.quads;
    let Some(quad) = q.first().map(|q| q.inner().clone()) else {
        return Ok(false);
    };
    if quad.len() < 8 {
        return Ok(false);
    }
    let x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4.0;
    let y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4.0;
    for kind in [
        input::DispatchMouseEventType::MouseMoved,
        input::DispatchMouseEventType::MousePressed,
        input::DispatchMouseEventType::MouseReleased,
    ] {
        let mut ev = input::DispatchMouseEventParams::new(kind.clone(), x, y);
        if kind != input::DispatchMouseEventType::MouseMoved {
            ev.button = Some(input::MouseButton::Left);
            ev.click_count = Some(1);
        }
        call(page, ev).await?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_pages_and_the_scanners_own_code_are_not_the_pages_scripts() {
        assert!(not_the_pages("chrome-error://chromewebdata/"));
        assert!(not_the_pages("skimscan-internal"));
        assert!(not_the_pages(
            "____chromiumoxide_utility_world___evaluation_script__"
        ));
        // What a page runs stays, whatever its scheme: a worker's blob:, an eval (no URL).
        assert!(!not_the_pages("blob:https://shop.example/6f1c"));
        assert!(!not_the_pages("https://pay.example/frame.html"));
        assert!(!not_the_pages(""));
    }
}
