//! HTML → what a page runs and collects: scripts (external, inline, event handlers and
//! `javascript:` URLs), forms and their payment fields, iframes, links for discovery,
//! `<base href>` and `<meta http-equiv>` policies. Also the page's text decoding (Shift_JIS and
//! EUC-JP pages are common in Japanese shops).
//!
//! Extraction never fails: malformed HTML is parsed the way a browser would (html5ever), and
//! anything unusable (an unparsable `src`) is kept as a raw string so the inventory still
//! shows it.

mod bare_script;
mod consent;
mod data_code;
mod decode;
pub mod discover;
mod extract;
mod handler_this;
mod headers;
mod import_map;
mod payment_fields;
mod positions;
mod scanned;
pub mod values;

pub use decode::{decode_html, decode_script, decode_script_with_fallback};
pub use extract::{extract, is_javascript};
pub use headers::security_headers;
pub use import_map::ImportMap;

pub use scanned::ScannedPage;
use url::Url;

/// How an external script is referenced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExternalVia {
    ScriptTag,
    Preload,
    ModulePreload,
}

/// One piece of JavaScript (or a non-JS `<script>` block) found in the page, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptRef {
    External {
        /// The `src`/`href` resolved against the page (and `<base href>`); `Err(raw)` when it
        /// does not resolve to a URL.
        url: Result<Url, String>,
        integrity: Option<String>,
        /// `type` attribute, lower-cased (`module`, `text/javascript`…), if present.
        script_type: Option<String>,
        via: ExternalVia,
        /// 1-based line of the tag in the page source.
        line: u32,
    },
    Inline {
        code: String,
        script_type: Option<String>,
        /// False for blocks a browser does not run as JavaScript (JSON-LD, templates…).
        is_javascript: bool,
        /// Where the code (not the tag) starts in the page: 1-based line and column.
        line: u32,
        column: u32,
    },
    /// Code the page carries as data (a `data-` attribute, a comment, a data block, a hidden
    /// input) that decodes to JavaScript: a loader on the page can run it (see `data_code`).
    Data {
        /// The decoded code.
        code: String,
        /// Where it was and how it was encoded: `the data-widget attribute of <div>, Base64`.
        origin: String,
        /// 1-based line of the text in the page source (best effort).
        line: u32,
    },
    Handler {
        code: String,
        /// `onclick`, `onload`…, or `href`/`src`/`action`/`formaction` for `javascript:` URLs.
        attribute: String,
        /// The element's tag name.
        element: String,
        /// 1-based line of the element in the page source (best effort).
        line: u32,
    },
}

/// What kind of payment data a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PaymentFieldKind {
    CardNumber,
    SecurityCode,
    Expiry,
    Holder,
}

/// A form field that holds payment data, and the evidence that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentField {
    pub kind: PaymentFieldKind,
    /// The field's name, or its id when it has no name.
    pub name: String,
    /// The field's `id`, when it has one: scripts select fields by id as often as by name,
    /// and a field known only by its label has no payment word in either.
    pub id: Option<String>,
    /// Why we think so: `autocomplete=cc-number`, `name=payment[cc_number]`, `label=カード番号`…
    pub evidence: String,
    /// What the page says the field is, as a customer reads it: its label's text, else its
    /// placeholder or `aria-label` (whitespace collapsed). Skimmers find fields by it.
    pub caption: Option<String>,
    /// Selector parts that pick this field and no other control of the page: its classes
    /// (`.cc-input`) and `data-` attributes (`[data-mask]`, `[data-mask=card]`). A script
    /// that gathers `[data-mask]` on a page where only the card fields are masked reads them.
    pub hooks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// The action resolved against the page; `None` when absent (submits to the page itself).
    pub action: Option<Result<Url, String>>,
    pub method: String,
    pub id: Option<String>,
    pub payment_fields: Vec<PaymentField>,
    /// 1-based line of the `<form>` tag (best effort).
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub url: Url,
    /// The link's visible text (and `title`/`aria-label`), whitespace-collapsed.
    pub text: String,
}

/// Everything extracted from one HTML document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageDoc {
    /// The `<base href>` URL relative references resolve against, when the page sets one
    /// (the first `<base>` with an `href`); `None` when they resolve against the page URL.
    pub base_url: Option<Url>,
    pub title: Option<String>,
    pub scripts: Vec<ScriptRef>,
    pub forms: Vec<Form>,
    /// `<iframe src>` / `<frame src>`, resolved.
    pub iframes: Vec<Url>,
    /// `<a href>` and `<area href>` links, resolved, for checkout discovery.
    pub links: Vec<Link>,
    /// Payment fields anywhere in the page (inside a form or not).
    pub payment_fields: Vec<PaymentField>,
    /// `<meta http-equiv="Content-Security-Policy">` values (they count as CSP for scripts).
    pub meta_csp: Vec<String>,
    /// The address the page says it is published at: `<link rel="canonical">`, else
    /// `<meta property="og:url">` (absolute http(s) only). For a page read from disk it is the
    /// only knowledge of the shop's own host (see `ScannedPage::host`).
    pub declared_url: Option<Url>,
    /// Elements whose values a script can read (meta contents, data attributes, data blocks,
    /// script tags' `data-` attributes): see [`values`].
    pub elements: Vec<values::PageElement>,
}

/// Percent-decode a string (`%E3%82%AB` → `カ`); invalid escapes stay as they are and invalid
/// UTF-8 becomes U+FFFD. Used for `javascript:` URLs and for matching words in URL paths.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

impl PageDoc {
    /// A payment page: it has a field for card data (cli.md `pages[].payment_form`).
    pub fn payment_form(&self) -> bool {
        !self.payment_fields.is_empty()
    }

    /// The names and ids of the page's payment fields, sorted and unique: what the engine must
    /// treat as card fields on this page even when no payment word is in them
    /// (`<label for="f3">Card number</label><input id="f3">`).
    pub fn payment_field_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .payment_fields
            .iter()
            .flat_map(|f| {
                std::iter::once(f.name.clone())
                    .chain(f.id.clone())
                    .chain(f.hooks.iter().cloned())
            })
            .filter(|n| !n.trim().is_empty())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}
