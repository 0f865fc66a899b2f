//! The engine's fact vocabulary: the kinds of facts it produces about a script, where data is
//! read from, how it leaves, what class a destination is, and which obfuscation markers it
//! recognises. Rule files select facts by these names (kebab-case in TOML). The engine produces
//! them and re-exports this module as `js::fact_kinds`; it lives here, below both, so rules
//! never import the engine.

use serde::{Deserialize, Serialize};

/// What kind of fact a code rule matches. The engine produces these facts per script; a code
/// rule selects among them with the filters in [`CodeMatch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactKind {
    /// Data read from a source reaches a sink (proven through the flow analysis).
    Flow,
    /// Sources are read and an outside sink exists in the same script, without a proven flow.
    CoOccurrence,
    /// A flow of card data to an outside host that a run on the stub page saw receive the
    /// card fields by name with their values masked (an error reporter's scrubbed form state).
    MaskedFlow,
    /// Code loads more code (script element, `document.write('<script src>')`, `$.getScript`).
    Load,
    /// A form's `action` is set at run time.
    FormAction,
    /// Markup that contains payment fields is injected (a fake payment form).
    InjectedPaymentForm,
    /// The same, by a script whose card data provably goes only to the shop itself or to an
    /// authorised processor, and nowhere else (a processor's SDK, the shop's own
    /// single-page checkout): an inventory fact, not a fake form.
    RenderedPaymentForm,
    /// Code hidden in a string is executed (`eval`, `new Function`, `setTimeout(string)`).
    HiddenCode,
    /// Obfuscation or evasion markers (string tables, packers, anti-debugging, URL gates).
    Obfuscation,
    /// A destination host looks like a well-known host but is not it.
    Lookalike,
    /// A per-script budget (size, nesting depth, time) was exceeded.
    BudgetExceeded,
    /// The primary parser failed and the fallback parser was used.
    ParseFallback,
}

/// Where data is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A field selected by a payment-vocabulary id, name, class or selector.
    Payment,
    /// Every field of a form or page (`form.elements`, `FormData`, `serialize()`).
    Harvest,
    /// Keystroke / input event listeners.
    Keystroke,
}

/// How data leaves (or code arrives).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Xhr,
    Fetch,
    Beacon,
    ElementSrc,
    WebSocket,
    EventSource,
    WebRtc,
    PostMessage,
    FormAction,
    Navigation,
    Jquery,
    DocumentWrite,
    Markup,
    Analytics,
    ScriptLoad,
    /// A call of a function the analysis cannot see into, given data and an absolute URL.
    OpaqueCall,
    /// A URL an element's attribute or inline style makes the browser fetch (`srcset`,
    /// `poster`, `ping`, CSS `url()`, an SVG `xlink:href`): data in it is sent, but a constant
    /// one is a page resource, not a sending channel (never an outside sink for
    /// co-occurrence).
    ElementUrl,
    /// Text a request brings back, run as code (`eval`, `Function`, a timer's string): code
    /// loaded from the request's host, however it travelled.
    CodeDownload,
}

/// The class of a destination relative to the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DestinationClass {
    FirstParty,
    Authorised,
    Outside,
    /// The URL could not be resolved from constants.
    Unresolved,
}

/// Obfuscation and evasion markers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Marker {
    StringTable,
    EscapeDensity,
    CharCodeBuild,
    Packer,
    AntiDebug,
    CheckoutGate,
}
