//! Service workers and shared workers: targets that belong to a browser context rather than to
//! a page, so the page's own auto-attach ([`super::frames`]) does not hold them reliably.
//!
//! - A shared worker is never a child of the page: only the browser session is told of it.
//! - A service worker is announced to the page too, but chromiumoxide 0.9 detaches every
//!   service-worker session a page is given (and tells it to run) as soon as it hears of it,
//!   so a session of ours there would be gone before the worker's first line; the page's
//!   auto-attach therefore leaves service workers out ([`super::frames`]).
//!
//! Both are reached from the browser session instead. The browser's own auto-attach would hold
//! them before their first line, but at the browser level Chromium offers it only with
//! flattened sessions, which chromiumoxide gives no way to send commands to. So every
//! `Target.targetCreated` of these two kinds in a visit's browser context (every visit has its
//! own) is answered with `Target.attachToTarget {flatten: false}` at once, and the session is
//! handed to that visit, which switches on its script inventory (`Debugger.enable` reports the
//! scripts already compiled too, so none is missed) and its request decision exactly as for a
//! dedicated worker. What such a worker sends in the few milliseconds before that is not
//! paused, but it still goes through the visit's egress proxy, which sends every connection to
//! a host that may not receive card data to the sinkhole once the canary exists: it is
//! recorded there and nothing leaves. Commands to these sessions travel as browser-level
//! `Target.sendMessageToTarget`, which only the task holding the `Browser` can send: [`serve`]
//! runs beside the visits and [`Link`] is how a visit's sessions reach it.

use super::frames::Hub;
use super::visit::{CDP_TIMEOUT, VisitError};
use chromiumoxide::Browser;
use chromiumoxide::cdp::browser_protocol::target;
use chromiumoxide::types::{Command, Method, MethodId};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::{mpsc, oneshot};

/// The worker kinds reached from the browser session.
pub const BROWSER_LEVEL_KINDS: &[&str] = &["service_worker", "shared_worker"];

/// `Target.sendMessageToTarget` (see [`super::frames`] for why it is declared here).
#[derive(Debug, serde::Serialize)]
pub(crate) struct SendMessageToTarget {
    #[serde(rename = "sessionId")]
    pub session_id: String,
    pub message: String,
}

impl Method for SendMessageToTarget {
    fn identifier(&self) -> MethodId {
        "Target.sendMessageToTarget".into()
    }
}

impl Command for SendMessageToTarget {
    type Response = Value;
}

type Outgoing = (SendMessageToTarget, oneshot::Sender<Result<(), String>>);

#[derive(Default)]
struct Routes {
    /// Browser context id → the visit's hub.
    contexts: HashMap<String, Weak<Hub>>,
    /// Browser-level session id → the hub it was handed to.
    sessions: HashMap<String, Weak<Hub>>,
}

/// A visit's way to the browser session; cheap to clone.
#[derive(Clone)]
pub struct Link {
    tx: mpsc::UnboundedSender<Outgoing>,
    routes: Arc<Mutex<Routes>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Link {
    /// Workers of this browser context go to `hub` from now on.
    pub(crate) fn register(&self, context: &str, hub: &Arc<Hub>) {
        lock(&self.routes)
            .contexts
            .insert(context.to_string(), Arc::downgrade(hub));
    }

    pub(crate) fn unregister(&self, context: &str) {
        let mut r = lock(&self.routes);
        r.contexts.remove(context);
        r.sessions.retain(|_, h| h.strong_count() > 0);
    }

    /// Send `message` to a browser-level session.
    pub(crate) async fn send(&self, session: &str, message: String) -> Result<(), VisitError> {
        let (tx, rx) = oneshot::channel();
        let cmd = SendMessageToTarget {
            session_id: session.to_string(),
            message,
        };
        let closed = || VisitError::Cdp("Target.sendMessageToTarget".into(), "no browser".into());
        self.tx.send((cmd, tx)).map_err(|_| closed())?;
        match tokio::time::timeout(CDP_TIMEOUT, rx).await {
            Err(_) => Err(VisitError::Hung(
                "Target.sendMessageToTarget".into(),
                CDP_TIMEOUT.as_secs(),
            )),
            Ok(Err(_)) => Err(closed()),
            Ok(Ok(r)) => r.map_err(|e| VisitError::Cdp("Target.sendMessageToTarget".into(), e)),
        }
    }
}

/// The pass's link; [`serve`] must run (beside the visits) for it to carry anything.
pub(crate) fn link() -> (Link, mpsc::UnboundedReceiver<Outgoing>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        Link {
            tx,
            routes: Arc::default(),
        },
        rx,
    )
}

type Attaching<'a> = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Option<(Arc<Hub>, target::EventAttachedToTarget)>>
            + Send
            + 'a,
    >,
>;

/// Attach to every new service and shared worker of a visit's browser context and hand it to
/// that visit; carry the visits' commands to them. Runs until the pass drops it; returns early
/// only if the browser's events cannot be listened to (the workers are then left to the egress
/// proxy, and the reason logged).
pub(crate) async fn serve(
    browser: &Browser,
    link: &Link,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
) {
    let listen = async {
        let created = browser
            .event_listener::<target::EventTargetCreated>()
            .await?;
        let messages = browser
            .event_listener::<target::EventReceivedMessageFromTarget>()
            .await?;
        Ok::<_, chromiumoxide::error::CdpError>((created, messages))
    };
    let (mut created, mut messages) = match listen.await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "service and shared workers will not be inventoried");
            return;
        }
    };
    let mut sending = FuturesUnordered::new();
    let mut attaching: FuturesUnordered<Attaching<'_>> = FuturesUnordered::new();
    loop {
        tokio::select! {
            Some((cmd, answer)) = outgoing.recv() => {
                sending.push(async move {
                    let r = tokio::time::timeout(CDP_TIMEOUT, browser.execute(cmd)).await;
                    let r = match r {
                        Ok(Ok(_)) => Ok(()),
                        Ok(Err(e)) => Err(e.to_string()),
                        Err(_) => Err("no answer".to_string()),
                    };
                    let _ = answer.send(r);
                });
            }
            Some(()) = sending.next(), if !sending.is_empty() => {}
            Some(ev) = created.next() => {
                let info = ev.target_info.clone();
                if !BROWSER_LEVEL_KINDS.contains(&info.r#type.as_str()) {
                    continue;
                }
                let context = info.browser_context_id.as_ref().map(|c| c.inner().clone());
                let Some(hub) = context.and_then(|c| {
                    lock(&link.routes).contexts.get(&c).and_then(Weak::upgrade)
                }) else {
                    continue;
                };
                attaching.push(Box::pin(async move {
                    let attach = target::AttachToTargetParams {
                        target_id: info.target_id.clone(),
                        flatten: Some(false),
                    };
                    match tokio::time::timeout(CDP_TIMEOUT, browser.execute(attach)).await {
                        Ok(Ok(r)) => Some((hub, target::EventAttachedToTarget {
                            session_id: r.result.session_id,
                            target_info: info,
                            waiting_for_debugger: false,
                        })),
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, url = %info.url, "attaching to a worker");
                            None
                        }
                        Err(_) => None,
                    }
                }));
            }
            Some(done) = attaching.next(), if !attaching.is_empty() => {
                if let Some((hub, ev)) = done {
                    let sid = ev.session_id.inner().clone();
                    lock(&link.routes).sessions.insert(sid.clone(), Arc::downgrade(&hub));
                    tokio::spawn(super::frames::adopt_browser_level(hub, sid, ev));
                }
            }
            Some(ev) = messages.next() => {
                let sid = ev.session_id.inner().clone();
                tracing::trace!(session = %sid, message = %ev.message.chars().take(300).collect::<String>(), "from a worker");
                let hub = lock(&link.routes).sessions.get(&sid).and_then(Weak::upgrade);
                if let Some(hub) = hub {
                    hub.on_message(vec![sid], &ev.message);
                }
            }
            else => return,
        }
    }
}
