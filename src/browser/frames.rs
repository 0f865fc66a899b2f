//! The parts of a page Chromium runs in other targets: cross-origin iframes (out of process,
//! "OOPIF") and workers. Their DOM, their scripts and their requests are not in the page's
//! own DevTools session, so a pass that only talks to the page cannot type into a processor's
//! card iframe, does not see a skimmer planted inside one, and has no source for a worker's
//! code.
//!
//! chromiumoxide 0.9 auto-attaches such targets itself (flattened sessions) and lets them run
//! at once, but offers no way to send a command to a session other than a page's. So the
//! visit asks for its own, non-flattened, sessions: `Target.setAutoAttach {flatten: false,
//! waitForDebuggerOnStart: true}` on the page, and the same inside every iframe (a worker of
//! an OOPIF is its child). Commands travel as `Target.sendMessageToTarget` (nested once per
//! level) and answers and events come back as `Target.receivedMessageFromTarget`. A new
//! target is held before it runs its first line until its `Debugger` (the script inventory)
//! and `Fetch` (the request decision, [`super::intercept`]) are on, then released.
//!
//! Where a step fails (a target gone, a domain a target lacks) the visit goes on: the egress
//! proxy ([`super::egress`]) still cuts every connection to a host that may not receive card
//! data once the canary is typed, so nothing leaves either way.

use super::intercept::Decider;
use super::profiles::Persona;
use super::visit::{CDP_TIMEOUT, STEALTH, VisitError, call, not_the_pages};
use super::workers::{BROWSER_LEVEL_KINDS, Link, SendMessageToTarget};
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::{fetch, network, page as cdp_page, target};
use chromiumoxide::cdp::js_protocol::{debugger, runtime};
use chromiumoxide::types::Command;
use futures::StreamExt;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Sessions nest at most this deep (page → iframe → worker → …); deeper targets are resumed
/// and left to the egress proxy, so a page cannot make the scanner recurse without end.
const MAX_DEPTH: usize = 4;

// `Target.sendMessageToTarget` is deprecated for flattened sessions and left out of
// chromiumoxide's generated protocol for that reason, but it is the way into non-flattened
// ones: declared in [`super::workers`], which sends it at the browser level too.

/// One DevTools session a visit talks to: the page's own, or a child target's.
#[derive(Clone)]
pub enum Session {
    Page(Page),
    Child(Child),
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Session::Page(p) => write!(f, "page session {:?}", p.session_id()),
            Session::Child(c) => write!(f, "child session {:?}", c.path),
        }
    }
}

impl Session {
    /// Send one command, within [`CDP_TIMEOUT`].
    pub async fn call<T: Command>(&self, cmd: T) -> Result<T::Response, VisitError> {
        match self {
            Session::Page(p) => call(p, cmd).await,
            Session::Child(c) => c.call(cmd).await,
        }
    }

    pub fn is_child(&self) -> bool {
        matches!(self, Session::Child(_))
    }
}

/// A child target's session: the session ids from the page's outward in.
#[derive(Clone)]
pub struct Child {
    path: Vec<String>,
    hub: Arc<Hub>,
}

impl Child {
    async fn call<T: Command>(&self, cmd: T) -> Result<T::Response, VisitError> {
        let method = cmd.identifier().to_string();
        let params = serde_json::to_value(&cmd)
            .map_err(|e| VisitError::Cdp(method.clone(), e.to_string()))?;
        let value = self.hub.request(&self.path, &method, params).await?;
        T::response_from_value(value).map_err(|e| VisitError::Cdp(method, e.to_string()))
    }
}

/// A child target the visit holds a session with.
#[derive(Clone)]
pub struct ChildTarget {
    pub session: Child,
    /// `iframe` or `worker`.
    pub kind: String,
    pub url: String,
}

type Answer = tokio::sync::oneshot::Sender<Result<Value, String>>;
/// A command in flight: the session path it was sent to, and its id.
type RequestKey = (Vec<String>, u64);

pub(crate) struct Hub {
    page: Page,
    /// The browser session, for the service and shared workers of this visit's context
    /// ([`super::workers`]); their session ids are in `browser_sessions`.
    link: Option<Link>,
    browser_sessions: Mutex<HashSet<String>>,
    decider: Decider,
    /// Who the visitor is: iframes get the same user agent as the page.
    persona: Persona,
    next_id: AtomicU64,
    pending: Mutex<HashMap<RequestKey, Answer>>,
    /// The envelope of a nested command (at its level) → the command inside: a target gone
    /// below the envelope fails it at once instead of leaving the command unanswered.
    envelopes: Mutex<HashMap<RequestKey, RequestKey>>,
    children: Mutex<Vec<ChildTarget>>,
    /// Every script a child compiled, by (session path, script id).
    scripts: Mutex<BTreeMap<(Vec<String>, String), Script>>,
}

/// A child's script: its URL, and its source once read. Sources are asked for as soon as a
/// script is seen, since a worker may be gone by the end of the visit.
#[derive(Clone)]
struct Script {
    url: Option<String>,
    text: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    async fn request(
        &self,
        path: &[String],
        method: &str,
        params: Value,
    ) -> Result<Value, VisitError> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = tokio::sync::oneshot::channel();
        let key = (path.to_vec(), id);
        lock(&self.pending).insert(key.clone(), tx);
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        let exchange = async {
            self.send_raw(path, id, message).await?;
            rx.await
                .map_err(|_| VisitError::Cdp(method.to_string(), "session closed".into()))
        };
        let r = tokio::time::timeout(CDP_TIMEOUT, exchange).await;
        lock(&self.pending).remove(&key);
        lock(&self.envelopes).retain(|_, inner| *inner != key);
        match r {
            Err(_) => Err(VisitError::Hung(method.to_string(), CDP_TIMEOUT.as_secs())),
            Ok(Err(e)) => Err(e),
            Ok(Ok(Err(e))) => Err(VisitError::Cdp(method.to_string(), e)),
            Ok(Ok(Ok(v))) => Ok(v),
        }
    }

    /// Wrap `message` once per level below the page's own child, innermost first, and send it
    /// through the page's session. The wrappers' own answers are not waited for.
    async fn send_raw(&self, path: &[String], id: u64, message: String) -> Result<(), VisitError> {
        let Some((outer, inner)) = path.split_first() else {
            return Err(VisitError::Cdp(
                "Target.sendMessageToTarget".into(),
                "no session".into(),
            ));
        };
        let mut msg = message;
        for (level, sid) in inner.iter().enumerate().rev() {
            let envelope = self.next_id.fetch_add(1, Ordering::SeqCst);
            lock(&self.envelopes).insert((path[..=level].to_vec(), envelope), (path.to_vec(), id));
            msg = json!({"id": envelope, "method": "Target.sendMessageToTarget",
                         "params": {"sessionId": sid, "message": msg}})
            .to_string();
        }
        if lock(&self.browser_sessions).contains(outer)
            && let Some(link) = &self.link
        {
            return link.send(outer, msg).await;
        }
        let send = SendMessageToTarget {
            session_id: outer.clone(),
            message: msg,
        };
        call(&self.page, send).await.map(|_| ())
    }

    /// One message from a child session (`path`): an answer, an event, or a message from a
    /// grandchild to unwrap.
    pub(crate) fn on_message(self: &Arc<Self>, mut path: Vec<String>, message: &str) {
        let mut text = message.to_string();
        loop {
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                return;
            };
            if let Some(id) = v.get("id").and_then(Value::as_u64) {
                let inner = lock(&self.envelopes).remove(&(path.clone(), id));
                if let Some(inner) = inner {
                    if let Some(e) = v.get("error")
                        && let Some(tx) = lock(&self.pending).remove(&inner)
                    {
                        let _ = tx.send(Err(e.to_string()));
                    }
                    return;
                }
                if let Some(tx) = lock(&self.pending).remove(&(path, id)) {
                    let r = match v.get("error") {
                        Some(e) => Err(e.to_string()),
                        None => Ok(v.get("result").cloned().unwrap_or(Value::Null)),
                    };
                    let _ = tx.send(r);
                }
                return;
            }
            let params = v.get("params").cloned().unwrap_or(Value::Null);
            match v.get("method").and_then(Value::as_str).unwrap_or("") {
                "Target.receivedMessageFromTarget" => {
                    let (Some(sid), Some(inner)) = (
                        params.get("sessionId").and_then(Value::as_str),
                        params.get("message").and_then(Value::as_str),
                    ) else {
                        return;
                    };
                    path.push(sid.to_string());
                    text = inner.to_string();
                }
                "Target.attachedToTarget" => {
                    if let Ok(ev) = serde_json::from_value::<target::EventAttachedToTarget>(params)
                    {
                        let mut child = path.clone();
                        child.push(ev.session_id.inner().clone());
                        tokio::spawn(adopt(self.clone(), child, ev));
                    }
                    return;
                }
                "Debugger.scriptParsed" => {
                    if let Ok(ev) = serde_json::from_value::<debugger::EventScriptParsed>(params)
                        && let Some(key) = record_script(&self.scripts, path, &ev)
                    {
                        tokio::spawn(read_source(self.clone(), key));
                    }
                    return;
                }
                "Network.requestWillBeSent" => {
                    if let Ok(ev) =
                        serde_json::from_value::<network::EventRequestWillBeSent>(params)
                    {
                        self.decider.observed(&ev);
                    }
                    return;
                }
                "Fetch.requestPaused" => {
                    if let Ok(ev) = serde_json::from_value::<fetch::EventRequestPaused>(params) {
                        let session = Session::Child(Child {
                            path,
                            hub: self.clone(),
                        });
                        let decider = self.decider.clone();
                        tokio::spawn(async move { decider.decide(&session, &ev).await });
                    }
                    return;
                }
                _ => return,
            }
        }
    }
}

type ScriptKey = (Vec<String>, String);

fn record_script(
    into: &Mutex<BTreeMap<ScriptKey, Script>>,
    path: Vec<String>,
    ev: &debugger::EventScriptParsed,
) -> Option<ScriptKey> {
    if not_the_pages(&ev.url) {
        return None;
    }
    let url = (!ev.url.is_empty()).then(|| ev.url.clone());
    let key = (path, ev.script_id.inner().clone());
    lock(into).insert(key.clone(), Script { url, text: None });
    Some(key)
}

/// Read one script's source into the inventory; a target already gone has none to give.
async fn read_source(hub: Arc<Hub>, key: ScriptKey) {
    let child = Child {
        path: key.0.clone(),
        hub: hub.clone(),
    };
    let params = debugger::GetScriptSourceParams::new(runtime::ScriptId::new(key.1.clone()));
    match child.call(params).await {
        Ok(src) => {
            if let Some(s) = lock(&hub.scripts).get_mut(&key) {
                s.text = Some(src.script_source);
            }
        }
        Err(e) => tracing::debug!(error = %e, "a child's script source"),
    }
}

/// A new child target, held before its first line: switch on what the visit needs there,
/// then let it run.
async fn adopt(hub: Arc<Hub>, path: Vec<String>, ev: target::EventAttachedToTarget) {
    let kind = ev.target_info.r#type.clone();
    let child = Child {
        path: path.clone(),
        hub: hub.clone(),
    };
    let session = Session::Child(child.clone());
    let ours = (matches!(kind.as_str(), "iframe" | "worker")
        || BROWSER_LEVEL_KINDS.contains(&kind.as_str()))
        && path.len() <= MAX_DEPTH;
    hub.decider.child_held();
    tracing::debug!(kind = %kind, url = %ev.target_info.url, depth = path.len(), "child target");
    if ours {
        if let Err(e) = session.call(debugger::EnableParams::default()).await {
            tracing::debug!(error = %e, "child Debugger.enable");
        }
        let pattern = fetch::RequestPattern {
            url_pattern: Some("*".into()),
            resource_type: None,
            request_stage: Some(fetch::RequestStage::Request),
        };
        let enable = fetch::EnableParams {
            patterns: Some(vec![pattern]),
            ..Default::default()
        };
        if let Err(e) = session.call(enable).await {
            tracing::debug!(error = %e, "child Fetch.enable");
        }
        // A shared worker was already running when its session came: its requests cannot
        // be paused (its loader was set up without interception), only watched.
        if kind == "shared_worker" {
            let net = network::EnableParams::default();
            if let Err(e) = session.call(net).await {
                tracing::debug!(error = %e, "worker Network.enable");
            }
        }
        if kind == "iframe" {
            if let Err(e) = super::visit::emulate(&session, &hub.persona).await {
                tracing::debug!(error = %e, "child emulation");
            }
            let mut stealth = cdp_page::AddScriptToEvaluateOnNewDocumentParams::new(STEALTH);
            stealth.run_immediately = Some(true);
            let _ = session.call(stealth).await;
            // The iframe's own workers (and nested OOPIFs), held the same way.
            let _ = session.call(auto_attach()).await;
        }
        lock(&hub.children).push(ChildTarget {
            session: child,
            kind,
            url: ev.target_info.url.clone(),
        });
    }
    if ev.waiting_for_debugger
        && let Err(e) = session
            .call(runtime::RunIfWaitingForDebuggerParams::default())
            .await
    {
        tracing::debug!(error = %e, "child Runtime.runIfWaitingForDebugger");
    }
    hub.decider.child_released();
}

/// A service worker or shared worker held at the browser level ([`super::workers`]) for this
/// visit: the same set-up as a child of the page.
pub(crate) async fn adopt_browser_level(
    hub: Arc<Hub>,
    session: String,
    ev: target::EventAttachedToTarget,
) {
    lock(&hub.browser_sessions).insert(session.clone());
    adopt(hub, vec![session], ev).await;
}

/// The page's (and each iframe's) own auto-attach: iframes and dedicated workers, held before
/// they run. Service and shared workers are left out (the browser session holds those,
/// [`super::workers`]): chromiumoxide would detach a page's service-worker session at once.
fn auto_attach() -> target::SetAutoAttachParams {
    let mut filter: Vec<target::FilterEntry> = BROWSER_LEVEL_KINDS
        .iter()
        .chain(["browser", "tab"].iter())
        .map(|k| target::FilterEntry {
            exclude: Some(true),
            r#type: Some((*k).to_string()),
        })
        .collect();
    filter.push(target::FilterEntry {
        exclude: None,
        r#type: None,
    });
    target::SetAutoAttachParams {
        auto_attach: true,
        wait_for_debugger_on_start: true,
        flatten: Some(false),
        filter: Some(target::TargetFilter::new(filter)),
    }
}

/// The child targets of one visit.
pub struct Children {
    hub: Arc<Hub>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The browser link and this visit's context, to unregister from when done.
    link: Option<(Link, String)>,
}

impl Children {
    /// Start holding the page's future child targets; call before navigating.
    /// `link`: the pass's browser link and the visit's browser context, so the context's
    /// service and shared workers come to this visit.
    pub async fn start(
        page: &Page,
        decider: Decider,
        persona: Persona,
        link: Option<(Link, String)>,
    ) -> Result<Children, VisitError> {
        let hub = Arc::new(Hub {
            page: page.clone(),
            link: link.as_ref().map(|(l, _)| l.clone()),
            browser_sessions: Mutex::default(),
            decider,
            persona,
            next_id: AtomicU64::new(1),
            pending: Mutex::default(),
            envelopes: Mutex::default(),
            children: Mutex::default(),
            scripts: Mutex::default(),
        });
        let listen = |e: chromiumoxide::error::CdpError| {
            VisitError::Cdp("event listener".into(), e.to_string())
        };
        let mut messages = page
            .event_listener::<target::EventReceivedMessageFromTarget>()
            .await
            .map_err(listen)?;
        let mut attached = page
            .event_listener::<target::EventAttachedToTarget>()
            .await
            .map_err(listen)?;
        let mut tasks = Vec::new();
        let h = hub.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = messages.next().await {
                tracing::trace!(session = %ev.session_id.inner(), message = %ev.message.chars().take(300).collect::<String>(), "from child");
                h.on_message(vec![ev.session_id.inner().clone()], &ev.message);
            }
        }));
        // Replaces chromiumoxide's flattened auto-attach for this page: children get
        // sessions the visit can speak to and wait for it before they run. Should the browser
        // refuse, each child chromiumoxide attaches (and lets run) gets a session of ours
        // afterwards: scripts already gone and requests already made are missed then, which
        // the egress proxy covers for the card.
        let own = call(page, auto_attach()).await.is_ok();
        let h = hub.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = attached.next().await {
                let ev = (*ev).clone();
                if own {
                    tokio::spawn(adopt(h.clone(), vec![ev.session_id.inner().clone()], ev));
                    continue;
                }
                let (h, page) = (h.clone(), h.page.clone());
                tokio::spawn(async move {
                    let attach = target::AttachToTargetParams {
                        target_id: ev.target_info.target_id.clone(),
                        flatten: Some(false),
                    };
                    if let Ok(r) = call(&page, attach).await {
                        let mut late = ev;
                        late.waiting_for_debugger = false;
                        adopt(h, vec![r.session_id.inner().clone()], late).await;
                    }
                });
            }
        }));
        if let Some((l, context)) = &link {
            l.register(context, &hub);
        }
        Ok(Children { hub, tasks, link })
    }

    /// The iframes (out of process) the visit holds sessions with, in the order they came.
    pub fn iframes(&self) -> Vec<ChildTarget> {
        lock(&self.hub.children)
            .iter()
            .filter(|c| c.kind == "iframe")
            .cloned()
            .collect()
    }

    /// The source of every script the children compiled. Those not read yet (a script seen
    /// just now) are asked for once more; a target gone since has none to give.
    pub async fn scripts(&self) -> Vec<super::visit::RanScript> {
        let unread: Vec<ScriptKey> = lock(&self.hub.scripts)
            .iter()
            .filter(|(_, s)| s.text.is_none())
            .map(|(k, _)| k.clone())
            .collect();
        for key in unread {
            read_source(self.hub.clone(), key).await;
        }
        lock(&self.hub.scripts)
            .values()
            .filter_map(|s| {
                Some(super::visit::RanScript {
                    url: s.url.clone(),
                    text: s.text.clone()?,
                })
            })
            .collect()
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        if let Some((l, context)) = &self.link {
            l.unregister(context);
        }
        for t in &self.tasks {
            t.abort();
        }
    }
}
