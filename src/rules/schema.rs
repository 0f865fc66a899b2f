//! Typed schemas for the engine's part of a rule file (`[match]`) and for the data files the
//! engine reads (`rules/data/*.toml`). Parsing them at load time means a mistake in a rule is
//! reported as "file:line: message" before anything is scanned, not discovered mid-scan.

use serde::Deserialize;

/// What kind of fact a code rule matches. The engine produces these facts per script; a code
/// rule selects among them with the filters in [`CodeMatch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactKind {
    /// Data read from a source reaches a sink (proven through the flow analysis).
    Flow,
    /// Sources are read and an outside sink exists in the same script, without a proven flow.
    CoOccurrence,
    /// Code loads more code (script element, `document.write('<script src>')`, `$.getScript`).
    Load,
    /// A form's `action` is set at run time.
    FormAction,
    /// Markup that contains payment fields is injected (a fake payment form).
    InjectedPaymentForm,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
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

/// The `[match]` table of a `code` rule: the fact kind plus filters; an empty filter list
/// accepts anything.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeMatch {
    pub fact: FactKind,
    #[serde(default)]
    pub sources: Vec<SourceKind>,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub destinations: Vec<DestinationClass>,
    #[serde(default)]
    pub markers: Vec<Marker>,
    /// Only when the URL or code was hidden (decoded from an encoding or string table).
    #[serde(default)]
    pub hidden: Option<bool>,
    /// Only when the code runs behind a checkout-URL test.
    #[serde(default)]
    pub gated: Option<bool>,
    /// Only on payment pages (lone scripts count as on a payment page).
    #[serde(default)]
    pub payment_page: Option<bool>,
    /// At least this many distinct markers (obfuscation facts).
    #[serde(default)]
    pub min_markers: Option<usize>,
}

/// The `[match]` table of an `indicator` rule: known-bad hosts and code fingerprints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorMatch {
    /// Registrable domains (or exact hosts) used by skimmer campaigns.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Exact strings (case-sensitive) found in the source or in decoded strings.
    #[serde(default)]
    pub strings: Vec<String>,
    /// Regular expressions (Rust `regex` syntax) over the source text.
    #[serde(default)]
    pub regexes: Vec<String>,
}

/// `rules/data/payment-vocabulary.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyFile {
    #[serde(default)]
    pub source: Vec<String>,
    /// Whole words (after splitting on punctuation, `_` and camelCase) that name a card field.
    #[serde(default)]
    pub words: Vec<String>,
    /// Two adjacent words that together name a card field (`card number`, `security code`).
    #[serde(default)]
    pub pairs: Vec<[String; 2]>,
    /// Substrings (non-Latin scripts, platform field names) matched anywhere.
    #[serde(default)]
    pub substrings: Vec<String>,
}

/// `rules/data/processors.toml`: hosts authorised to receive payment data.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessorsFile {
    #[serde(default)]
    pub processor: Vec<ProcessorEntry>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessorEntry {
    pub name: String,
    pub hosts: Vec<String>,
}

/// `rules/data/well-known-hosts.toml`: brands whose look-alikes skimmers register.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WellKnownFile {
    #[serde(default)]
    pub brand: Vec<WellKnownBrand>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WellKnownBrand {
    /// The label a look-alike imitates (`google-analytics`, `jquery`).
    pub label: String,
    /// The registrable domains that really belong to the brand.
    pub domains: Vec<String>,
    /// What the brand is (analytics, cdn, processor, tag-manager, messaging).
    pub category: String,
}

/// Wrapper used to re-read a rule file for its typed `[match]` table, so errors keep spans.
#[derive(Deserialize)]
pub(crate) struct CodeMatchOnly {
    #[serde(rename = "match")]
    pub condition: Option<CodeMatch>,
}

#[derive(Deserialize)]
pub(crate) struct IndicatorMatchOnly {
    #[serde(rename = "match")]
    pub condition: Option<IndicatorMatch>,
}
