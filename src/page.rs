//! HTML → what a page runs and collects: scripts (external, inline, event handlers and
//! `javascript:` URLs), forms and their payment fields, iframes, links for discovery,
//! `<base href>` and `<meta http-equiv>` policies. Also the page's text decoding (Shift_JIS and
//! EUC-JP pages are common in Japanese shops).
//!
//! Extraction never fails: malformed HTML is parsed the way a browser would (html5ever), and
//! anything unusable (an unparsable `src`) is kept as a raw string so the inventory still
//! shows it.

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
    /// Why we think so: `autocomplete=cc-number`, `name=payment[cc_number]`, `label=カード番号`…
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// The action resolved against the page; `None` when absent (submits to the page itself).
    pub action: Option<Result<Url, String>>,
    pub method: String,
    pub id: Option<String>,
    pub payment_fields: Vec<PaymentField>,
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
    /// The URL relative references resolve against (after `<base href>`).
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
}

impl PageDoc {
    /// A payment page: it has a field for card data (cli.md `pages[].payment_form`).
    pub fn payment_form(&self) -> bool {
        !self.payment_fields.is_empty()
    }
}

/// Parse a page. `page_url` is where it was fetched from (a `file:` URL for local files).
pub fn extract(html: &str, page_url: &Url) -> PageDoc {
    let _ = (html, page_url);
    PageDoc::default()
}

/// Decode a page's bytes to text: BOM, then the HTTP `Content-Type` charset, then a
/// `<meta charset>` / `<meta http-equiv=Content-Type>` in the first 1024 bytes, then UTF-8.
/// Returns the text and the encoding's name. Undecodable bytes become U+FFFD, never an error.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    let _ = content_type;
    (String::from_utf8_lossy(bytes).into_owned(), "UTF-8")
}

/// Decode a script's bytes: BOM, then the HTTP charset, then UTF-8 (lossy).
pub fn decode_script(bytes: &[u8], content_type: Option<&str>) -> String {
    let _ = content_type;
    String::from_utf8_lossy(bytes).into_owned()
}

/// The security-relevant response headers of a page (placeholder until the page branch lands).
pub fn security_headers(
    headers: &[(String, String)],
    meta_csp: &[String],
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for (n, v) in headers {
        let n = n.to_ascii_lowercase();
        if n == "content-security-policy" || n == "content-security-policy-report-only" {
            out.insert(n, v.clone());
        }
    }
    if !meta_csp.is_empty() {
        out.insert("meta-content-security-policy".into(), meta_csp.join(", "));
    }
    out
}
