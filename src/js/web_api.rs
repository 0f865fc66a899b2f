//! The browser's API as the engine knows it: which global names are browser objects (so a
//! function reached through an alias or a map is still recognised), and the catalogue of
//! calls that send data out or load code, read from `rules/data/web-api.toml` so a reviewer
//! can read and extend it without touching the collector.

use crate::rules::schema::{WebApiEntry, WebApiFile};

/// Global names the browser defines that matter to the analysis. A script's own binding of
/// the same name wins (the evaluator looks at the script's declarations first).
const BROWSER_GLOBALS: &[&str] = &[
    "fetch",
    "fetchLater",
    "navigator",
    "location",
    "document",
    "XMLHttpRequest",
    "WebSocket",
    "EventSource",
    "Image",
    "Audio",
    "Reflect",
    "Function",
    "localStorage",
    "sessionStorage",
    "indexedDB",
    "open",
    "postMessage",
    "BroadcastChannel",
    "MessageChannel",
    "Worker",
    "SharedWorker",
    "RTCPeerConnection",
    "webkitRTCPeerConnection",
    "importScripts",
    "queueMicrotask",
    "requestIdleCallback",
    "requestAnimationFrame",
    "setTimeout",
    "setInterval",
    "CustomEvent",
    "Event",
    "URLSearchParams",
    "FormData",
    "Blob",
    "jQuery",
];

pub fn is_browser_global(name: &str) -> bool {
    BROWSER_GLOBALS.contains(&name)
}

/// DOM interfaces whose prototypes hold property setters a script may call directly
/// (`Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src').set`).
pub fn is_dom_interface(name: &str) -> bool {
    (name.starts_with("HTML") && name.ends_with("Element") && name.len() <= 32)
        || matches!(name, "Element" | "Node" | "Location" | "Document")
}

/// The catalogue of sending and loading calls.
#[derive(Clone, Debug, Default)]
pub struct WebApi {
    pub entries: Vec<WebApiEntry>,
    inert_methods: std::collections::HashSet<String>,
    inert_globals: std::collections::HashSet<String>,
}

impl WebApi {
    pub fn from_files(files: &[WebApiFile]) -> WebApi {
        WebApi {
            entries: files.iter().flat_map(|f| f.api.iter().cloned()).collect(),
            inert_methods: files
                .iter()
                .flat_map(|f| f.inert_methods.iter().cloned())
                .collect(),
            inert_globals: files
                .iter()
                .flat_map(|f| f.inert_globals.iter().cloned())
                .collect(),
        }
    }

    /// A method of the language or the DOM that never sends (`push`, `setAttribute`).
    pub fn is_inert_method(&self, name: &str) -> bool {
        self.inert_methods.contains(name)
    }

    /// A global function of the language that never sends (`encodeURIComponent`).
    pub fn is_inert_global(&self, name: &str) -> bool {
        self.inert_globals.contains(name)
    }

    /// The entry for a call of `name` on `receiver` (its dotted path, `None` for a global
    /// function call), with or without `new`.
    pub fn find(
        &self,
        name: &str,
        receiver: Option<&str>,
        construct: bool,
    ) -> Option<&WebApiEntry> {
        self.entries.iter().find(|e| {
            e.name == name
                && e.construct == construct
                && match receiver {
                    None => e.receivers.is_empty() || e.receivers.iter().any(|r| r.is_empty()),
                    Some(r) => e.receivers.iter().any(|x| x == r || x == "*"),
                }
        })
    }

    /// The entry an API path names (`navigator.sendBeacon`, `fetch`).
    pub fn find_path(&self, path: &str, construct: bool) -> Option<&WebApiEntry> {
        let path = path.strip_prefix("window.").unwrap_or(path);
        match path.rsplit_once('.') {
            Some((recv, name)) => self.find(name, Some(recv), construct),
            None => self.find(path, None, construct),
        }
    }
}
