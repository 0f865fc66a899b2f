//! Typed schemas for the engine's part of a rule file (`[match]`) and for the data files the
//! engine reads (`rules/data/*.toml`). Parsing them at load time means a mistake in a rule is
//! reported as "file:line: message" before anything is scanned, not discovered mid-scan.

use serde::Deserialize;

// The fact vocabulary belongs to the engine (it produces the facts); rule files name it.
pub use super::fact_kinds::{Channel, DestinationClass, FactKind, Marker, SourceKind};

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
    /// Two adjacent words naming something about a card that is not its data (`cc type`,
    /// `card brand`): a selector part with one of them does not name a card field.
    #[serde(default)]
    pub not_data: Vec<[String; 2]>,
    /// Words naming a part of the checkout that holds no card field (`shipping`,
    /// `newsletter`): every field *inside* such a part is not every field of the page.
    #[serde(default)]
    pub other_sections: Vec<String>,
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

/// `rules/data/web-api.toml`: the browser calls that send data out or load code, with the
/// argument that is the destination and the arguments that carry data. The engine matches a
/// call by its function's name however the function was reached (directly, through an alias,
/// `bind`, `call`/`apply`, `Reflect.apply` or an object map).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebApiFile {
    #[serde(default)]
    pub api: Vec<WebApiEntry>,
    /// Methods of the language and the DOM that never send: a call of one of them given a
    /// URL is not a call the analysis cannot see into (see `collect::opaque`).
    #[serde(default)]
    pub inert_methods: Vec<String>,
    /// Global functions of the language that never send.
    #[serde(default)]
    pub inert_globals: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebApiEntry {
    /// The function or constructor name (`fetch`, `sendBeacon`, `WebSocket`).
    pub name: String,
    /// Objects it must be called on (`navigator`, `location`); empty: a global function.
    #[serde(default)]
    pub receivers: Vec<String>,
    /// Called with `new`.
    #[serde(default)]
    pub construct: bool,
    /// `sink` (data leaves) or `load` (code arrives).
    pub kind: WebApiKind,
    pub channel: Channel,
    /// Index of the argument that is the URL.
    pub url: usize,
    /// Which arguments carry data: `all` or `url`.
    #[serde(default = "default_data")]
    pub data: WebApiData,
    /// Later `x.send(…)` calls on the object it returns carry data to it (WebSocket).
    #[serde(default)]
    pub handle: bool,
    /// A short script that must produce this sink (checked by the engine's tests).
    pub example: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WebApiKind {
    Sink,
    Load,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WebApiData {
    All,
    Url,
}

fn default_data() -> WebApiData {
    WebApiData::All
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
