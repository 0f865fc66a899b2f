//! The HTML walk: one pass over the parsed document (html5ever through scraper, so malformed
//! markup becomes the same tree a browser builds) collecting what the page runs (scripts,
//! event handlers, `javascript:` URLs), what it collects (forms, payment fields), where it
//! leads (links, iframes) and which policies it sets in markup (`<base href>`, `<meta>` CSP).
//! Source lines come from [`super::positions`], because the parser keeps none.
//!
//! Known limits: html5ever checks element scopes by walking the stack of open elements, so a
//! hostile page of tens of thousands of nested unclosed elements parses in time proportional
//! to depth × elements (minutes at 100,000 levels in a debug build); the caller's page-size cap
//! bounds it. A field that the parser's table fix-up moves out of its `<form>` still counts for
//! the page but not for that form (scraper does not expose the parser's form owner).

use super::payment_fields::{self, FieldDescription};
use super::positions::{Positions, TagSpan};
use super::{ExternalVia, Form, Link, PageDoc, PaymentField, ScriptRef, percent_decode};
use scraper::{ElementRef, Html};
use std::collections::{HashMap, HashSet};
use url::Url;

/// The HTML standard's JavaScript MIME type essence strings: a `<script type>` that is one of
/// these (or empty, absent, or `module`) runs as JavaScript. Anything else — JSON-LD,
/// `text/template`, Magento's `text/x-magento-init` JSON, import maps — is data. An essence
/// match means parameters (`text/javascript; charset=utf-8`) do not match, as in browsers.
const JAVASCRIPT_TYPES: &[&str] = &[
    "application/ecmascript",
    "application/javascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/javascript",
    "text/javascript1.0",
    "text/javascript1.1",
    "text/javascript1.2",
    "text/javascript1.3",
    "text/javascript1.4",
    "text/javascript1.5",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
];

/// Attributes whose `javascript:` URL runs code when followed, submitted or loaded.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "formaction", "data"];

/// `<link rel=modulepreload as=…>` destinations that are scripts (the default is `script`).
const SCRIPT_LIKE_DESTINATIONS: &[&str] = &[
    "",
    "script",
    "audioworklet",
    "paintworklet",
    "serviceworker",
    "sharedworker",
    "worker",
];

/// Parse a page. `page_url` is where it was fetched from (a `file:` URL for local files).
pub fn extract(html: &str, page_url: &Url) -> PageDoc {
    let document = Html::parse_document(html);
    let elements: Vec<ElementRef<'_>> = document
        .tree
        .root()
        .descendants()
        .filter_map(ElementRef::wrap)
        .collect();
    let positions = Positions::new(html);
    let mut dom_counts: HashMap<&str, usize> = HashMap::new();
    for element in &elements {
        *dom_counts.entry(element.value().name()).or_default() += 1;
    }

    let base_url = elements
        .iter()
        .filter(|e| e.value().name() == "base")
        .find_map(|e| e.attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        // The standard refuses `data:` and `javascript:` base URLs.
        .filter(|u| !matches!(u.scheme(), "data" | "javascript"));
    let base = base_url.clone().unwrap_or_else(|| page_url.clone());

    let mut walk = Walk {
        positions: &positions,
        base: &base,
        dom_counts: &dom_counts,
        seen: HashMap::new(),
        cursor: 0,
    };
    let labels = label_texts(&elements);
    let (mut forms, form_by_node, form_by_id) = forms(&elements, &mut walk.clone_fresh());

    let mut doc = PageDoc {
        elements: super::values::page_elements(&document, &base),
        base_url,
        ..PageDoc::default()
    };
    // Fields in document order with their owning form; contextual ones are kept only if that
    // form turns out to hold other card fields.
    let mut fields: Vec<(Option<usize>, PaymentField, bool)> = Vec::new();
    // Classes and `data-` attributes of the page's other controls: a hook shared with them
    // does not pick card fields alone.
    let mut other_hooks: HashSet<String> = HashSet::new();

    for element in &elements {
        let name = element.value().name();
        let span = walk.next_span(name);
        handlers(element, span, &mut walk, &mut doc.scripts);
        match name {
            "script" => doc.scripts.extend(script(element, span, &mut walk)),
            "link" => {
                let canonical = element.attr("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|w| w.eq_ignore_ascii_case("canonical"))
                });
                if canonical && let Some(u) = element.attr("href").and_then(published_url) {
                    doc.declared_url = Some(u);
                }
                doc.scripts.extend(preload(element, span, &mut walk))
            }
            "input" | "select" | "textarea" => {
                let found = payment_field(element, &labels);
                if found.is_none() {
                    other_hooks.extend(hooks(element));
                }
                if let Some(found) = found {
                    let owner = match element.attr("form") {
                        Some(id) => form_by_id.get(id.trim()).copied(),
                        None => element
                            .ancestors()
                            .filter_map(ElementRef::wrap)
                            .find(|a| a.value().name() == "form")
                            .and_then(|form| form_by_node.iter().position(|f| *f == form)),
                    };
                    fields.push((owner, found.0, found.1));
                }
            }
            "iframe" | "frame" => {
                if let Some(Ok(url)) = element.attr("src").map(|src| resolve(&base, src))
                    && matches!(url.scheme(), "http" | "https" | "file")
                    && !doc.iframes.contains(&url)
                {
                    doc.iframes.push(url);
                }
            }
            "a" | "area" => doc.links.extend(link(element, &base)),
            "meta" => {
                if doc.declared_url.is_none()
                    && element
                        .attr("property")
                        .is_some_and(|p| p.trim().eq_ignore_ascii_case("og:url"))
                    && let Some(u) = element.attr("content").and_then(published_url)
                {
                    doc.declared_url = Some(u);
                }
                let is_csp = element
                    .attr("http-equiv")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("content-security-policy"));
                if let Some(content) = element.attr("content").filter(|_| is_csp)
                    && !content.trim().is_empty()
                {
                    doc.meta_csp.push(content.trim().to_string());
                }
            }
            "title" if doc.title.is_none() => {
                let title = collapse(&element.text().collect::<String>());
                doc.title = (!title.is_empty()).then_some(title);
            }
            _ => {}
        }
    }

    let mut card_form = vec![false; forms.len()];
    for (owner, _, contextual) in &fields {
        if let (Some(i), false) = (owner, contextual)
            && let Some(flag) = card_form.get_mut(*i)
        {
            *flag = true;
        }
    }
    for (owner, mut field, contextual) in fields {
        field.hooks.retain(|h| !other_hooks.contains(h));
        let in_card_form = owner
            .and_then(|i| card_form.get(i).copied())
            .unwrap_or(false);
        if contextual && !in_card_form {
            continue;
        }
        if let Some(form) = owner.and_then(|i| forms.get_mut(i)) {
            form.payment_fields.push(field.clone());
        }
        doc.payment_fields.push(field);
    }
    doc.forms = forms;
    if doc.scripts.is_empty() && super::bare_script::is_bare_script(html) {
        doc.scripts.push(ScriptRef::Inline {
            code: html.to_string(),
            script_type: None,
            is_javascript: true,
            line: 1,
            column: 1,
        });
    } else {
        doc.scripts
            .extend(super::data_code::data_code(&document, html));
    }
    doc
}

/// Walking state: which start tag of each name comes next, and a cursor for text searches so
/// a repeated attribute value is found at the right occurrence.
struct Walk<'a> {
    positions: &'a Positions<'a>,
    base: &'a Url,
    dom_counts: &'a HashMap<&'a str, usize>,
    seen: HashMap<String, usize>,
    cursor: usize,
}

impl Walk<'_> {
    fn clone_fresh(&self) -> Self {
        Walk {
            positions: self.positions,
            base: self.base,
            dom_counts: self.dom_counts,
            seen: HashMap::new(),
            cursor: 0,
        }
    }

    /// The source span of the next element named `name`, when the source can be trusted.
    fn next_span(&mut self, name: &str) -> Option<TagSpan> {
        let nth = self.seen.entry(name.to_string()).or_default();
        let index = *nth;
        *nth += 1;
        let count = self.dom_counts.get(name).copied().unwrap_or(0);
        let span = self.positions.tag(name, index, count);
        if let Some(span) = span {
            self.cursor = span.start;
        }
        span
    }

    /// The line of an element: its tag when known, else where `needle` (an attribute value)
    /// appears next, else 1.
    fn line(&mut self, span: Option<TagSpan>, needle: Option<&str>) -> u32 {
        let needle: String = needle
            .and_then(|n| n.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(|l| l.chars().take(80).collect())
            .unwrap_or_default();
        if let Some(span) = span {
            // A tag can span lines: the attribute's own line is the one to show.
            let offset = self
                .positions
                .find_within(&needle, span.start, span.end)
                .unwrap_or(span.start);
            return self.positions.line_col(offset).0;
        }
        match self.positions.find(&needle, self.cursor) {
            Some(offset) => {
                self.cursor = offset;
                self.positions.line_col(offset).0
            }
            None => 1,
        }
    }
}

/// Forms in document order, with lookups from the element and from its `id` (for fields with
/// a `form="…"` attribute, which may point at a form later in the page).
fn forms<'a>(
    elements: &[ElementRef<'a>],
    walk: &mut Walk<'_>,
) -> (Vec<Form>, Vec<ElementRef<'a>>, HashMap<String, usize>) {
    let mut forms = Vec::new();
    let mut by_node = Vec::new();
    let mut by_id = HashMap::new();
    for element in elements.iter().filter(|e| e.value().name() == "form") {
        let span = walk.next_span("form");
        let action_raw = element
            .attr("action")
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let method = element
            .attr("method")
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| matches!(m.as_str(), "get" | "post" | "dialog"))
            .unwrap_or_else(|| "get".to_string());
        let id = element.attr("id").map(str::trim).filter(|i| !i.is_empty());
        let line = walk.line(span, action_raw.or(id));
        let index = forms.len();
        by_node.push(*element);
        if let Some(id) = id {
            by_id.entry(id.to_string()).or_insert(index);
        }
        forms.push(Form {
            action: action_raw.map(|a| resolve(walk.base, a)),
            method,
            id: id.map(str::to_string),
            payment_fields: Vec::new(),
            line,
        });
    }
    (forms, by_node, by_id)
}

/// Event-handler attributes and `javascript:` URLs on one element.
fn handlers(
    element: &ElementRef<'_>,
    span: Option<TagSpan>,
    walk: &mut Walk<'_>,
    out: &mut Vec<ScriptRef>,
) {
    let tag = element.value().name();
    let own: Vec<(String, String)> = element
        .value()
        .attrs()
        .filter(|(n, _)| !n.to_ascii_lowercase().starts_with("on"))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    for (attribute, value) in element.value().attrs() {
        let attribute = attribute.to_ascii_lowercase();
        let code = if attribute.len() > 2 && attribute.starts_with("on") {
            let code = value.trim();
            (!code.is_empty()).then(|| super::handler_this::bind_own_attributes(code, &own))
        } else if URL_ATTRIBUTES.contains(&attribute.as_str())
            && (attribute != "data" || tag == "object")
        {
            javascript_url(value)
        } else {
            None
        };
        if let Some(code) = code {
            let line = walk.line(span, Some(value));
            out.push(ScriptRef::Handler {
                code,
                attribute,
                element: tag.to_string(),
                line,
            });
        }
    }
}

/// The code of a `javascript:` URL, percent-decoded; browsers ignore surrounding whitespace and
/// tabs or newlines inside the URL.
fn javascript_url(value: &str) -> Option<String> {
    let cleaned: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme = cleaned.get(..11)?;
    if !scheme.eq_ignore_ascii_case("javascript:") {
        return None;
    }
    Some(percent_decode(cleaned.get(11..).unwrap_or("")))
}

fn script(
    element: &ElementRef<'_>,
    span: Option<TagSpan>,
    walk: &mut Walk<'_>,
) -> Option<ScriptRef> {
    let script_type = element.attr("type").map(|t| t.trim().to_ascii_lowercase());
    // A consent manager's blocked script (`type="text/plain"` with its category) is made a
    // script again when the customer consents, as most do: it runs, and so is analysed. An
    // external one is listed with the type it runs as (the fetch path decides by type); an
    // inline one keeps its own and is marked as code.
    let consent = super::consent::consent_gated(element, script_type.as_deref());
    let src = element.attr("src").or_else(|| {
        // Some managers keep the address aside until consent (Klaro, iubenda).
        consent
            .then(|| {
                element
                    .attr("data-src")
                    .or_else(|| element.attr("data-suppressedsrc"))
            })
            .flatten()
    });
    if let Some(src) = src {
        let line = walk.line(span, Some(src));
        // An empty `src` fetches nothing in browsers (it fires `error`); resolving it would
        // name the page itself as the script.
        let url = if src.trim().is_empty() {
            Err(src.to_string())
        } else {
            resolve(walk.base, src)
        };
        return Some(ScriptRef::External {
            url,
            integrity: element.attr("integrity").map(str::to_string),
            script_type: if consent {
                Some("text/javascript".into())
            } else {
                script_type
            },
            via: ExternalVia::ScriptTag,
            line,
        });
    }
    let code: String = element.text().collect();
    // An empty block runs nothing and has nothing to inventory.
    if code.trim().is_empty() {
        return None;
    }
    let is_javascript = consent || is_javascript(script_type.as_deref(), element.attr("language"));
    let (line, column) = match span {
        Some(span) => walk.positions.line_col(span.end),
        None => walk
            .positions
            .find_code(&code, walk.cursor)
            .unwrap_or((1, 1)),
    };
    Some(ScriptRef::Inline {
        code,
        script_type,
        is_javascript,
        line,
        column,
    })
}

/// Whether a `<script>` with this `type` (and legacy `language`) runs as JavaScript.
///
/// Backslash-escaped quotes around the value (`type=\"text/javascript\"`) are ignored: markup
/// injected through a database field or a JavaScript string (Magento `core_config_data`
/// skimmers) often arrives escaped and is unescaped when the shop renders it, so it runs.
pub fn is_javascript(script_type: Option<&str>, language: Option<&str>) -> bool {
    let unescape = |v: &str| {
        v.trim()
            .trim_matches(|c| c == '\\' || c == '"' || c == '\'')
            .to_ascii_lowercase()
    };
    let essence = match (script_type, language) {
        (Some(t), _) => unescape(t),
        // No type: a non-empty `language` means `text/<language>`.
        (None, Some(l)) if !l.trim().is_empty() => {
            format!("text/{}", l.trim().to_ascii_lowercase())
        }
        (None, _) => String::new(),
    };
    essence.is_empty() || essence == "module" || JAVASCRIPT_TYPES.contains(&essence.as_str())
}

/// `<link rel=preload as=script>` and `<link rel=modulepreload>` fetch scripts ahead of use.
fn preload(
    element: &ElementRef<'_>,
    span: Option<TagSpan>,
    walk: &mut Walk<'_>,
) -> Option<ScriptRef> {
    let rel = element.attr("rel")?.to_ascii_lowercase();
    let rels: Vec<&str> = rel.split_ascii_whitespace().collect();
    let destination = element
        .attr("as")
        .map(|a| a.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let via = if rels.contains(&"modulepreload") {
        SCRIPT_LIKE_DESTINATIONS
            .contains(&destination.as_str())
            .then_some(ExternalVia::ModulePreload)
    } else if rels.contains(&"preload") {
        (destination == "script").then_some(ExternalVia::Preload)
    } else {
        None
    }?;
    let href = element.attr("href").filter(|h| !h.trim().is_empty())?;
    let line = walk.line(span, Some(href));
    Some(ScriptRef::External {
        url: resolve(walk.base, href),
        integrity: element.attr("integrity").map(str::to_string),
        script_type: None,
        via,
        line,
    })
}

fn link(element: &ElementRef<'_>, base: &Url) -> Option<Link> {
    let href = element.attr("href")?;
    if javascript_url(href).is_some() {
        return None;
    }
    let url = resolve(base, href).ok()?;
    let mut parts: Vec<String> = vec![element.text().collect()];
    parts.extend(element.attr("title").map(str::to_string));
    parts.extend(element.attr("aria-label").map(str::to_string));
    // Cart links are often icons: the image's alt text is the link's name.
    parts.extend(
        element
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "img")
            .filter_map(|e| e.attr("alt").map(str::to_string)),
    );
    Some(Link {
        url,
        text: collapse(&parts.join(" ")),
    })
}

/// Label text by the id it points at (`<label for>`), several labels joined.
fn label_texts(elements: &[ElementRef<'_>]) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = HashMap::new();
    for element in elements.iter().filter(|e| e.value().name() == "label") {
        let Some(target) = element.attr("for").map(str::trim).filter(|f| !f.is_empty()) else {
            continue;
        };
        let text = collapse(&element.text().collect::<String>());
        let entry = labels.entry(target.to_string()).or_default();
        if !entry.is_empty() {
            entry.push(' ');
        }
        entry.push_str(&text);
    }
    labels
}

/// Classify a form control; returns the field and whether it only counts in a card form.
fn payment_field(
    element: &ElementRef<'_>,
    labels: &HashMap<String, String>,
) -> Option<(PaymentField, bool)> {
    let id = element.attr("id");
    let wrapping_label = element
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "label")
        .map(|l| collapse(&l.text().collect::<String>()));
    let label = id
        .and_then(|i| labels.get(i.trim()).cloned())
        .or(wrapping_label);
    let input_type = (element.value().name() == "input")
        .then(|| element.attr("type"))
        .flatten();
    let description = FieldDescription {
        input_type,
        autocomplete: element.attr("autocomplete"),
        name: element.attr("name"),
        id,
        placeholder: element.attr("placeholder"),
        aria_label: element.attr("aria-label"),
        label: label.as_deref(),
    };
    let classified = payment_fields::classify(&description)?;
    let name = element
        .attr("name")
        .filter(|n| !n.is_empty())
        .or(id)
        .unwrap_or("")
        .to_string();
    Some((
        PaymentField {
            kind: classified.kind,
            name,
            id: id
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(str::to_string),
            evidence: classified.evidence,
            caption: label
                .filter(|l| !l.is_empty())
                .or_else(|| element.attr("placeholder").map(collapse))
                .or_else(|| element.attr("aria-label").map(collapse))
                .filter(|c| !c.is_empty()),
            hooks: hooks(element),
        },
        classified.contextual,
    ))
}

/// The selector parts a control answers to besides its id and name, written as
/// [`crate::js::vocabulary`] reads them out of a selector: `.class`, `[data-x]`,
/// `[data-x=value]` (at most a few of each, short ones).
fn hooks(element: &ElementRef<'_>) -> Vec<String> {
    const MAX_HOOKS: usize = 8;
    const MAX_HOOK_CHARS: usize = 64;
    let mut out: Vec<String> = element
        .value()
        .classes()
        .map(|c| format!(".{c}"))
        .take(MAX_HOOKS)
        .collect();
    for (name, value) in element.value().attrs() {
        if out.len() >= 2 * MAX_HOOKS {
            break;
        }
        let name = name.to_ascii_lowercase();
        if !name.starts_with("data-") {
            continue;
        }
        out.push(format!("[{name}]"));
        let value = value.trim();
        if !value.is_empty() && !value.contains(['"', '\'', ']']) {
            out.push(format!("[{name}={value}]"));
        }
    }
    out.retain(|h| h.len() <= MAX_HOOK_CHARS);
    out
}

/// Resolve a URL attribute the way browsers do (surrounding whitespace ignored); the raw text
/// when it does not resolve.
fn resolve(base: &Url, raw: &str) -> Result<Url, String> {
    base.join(raw.trim()).map_err(|_| raw.to_string())
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An absolute http(s) address with a host name (not an IP literal): what a page may declare
/// as its published address.
fn published_url(raw: &str) -> Option<Url> {
    let u = Url::parse(raw.trim()).ok()?;
    let named = matches!(u.host(), Some(url::Host::Domain(_)));
    (matches!(u.scheme(), "http" | "https") && named).then_some(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PaymentFieldKind;

    fn doc(html: &str) -> PageDoc {
        match Url::parse("https://shop.example/checkout") {
            Ok(page) => extract(html, &page),
            Err(_) => PageDoc::default(),
        }
    }

    #[test]
    fn javascript_types() {
        for t in [
            None,
            Some(""),
            Some("module"),
            Some("TEXT/JavaScript"),
            Some(" application/x-javascript "),
            // Escaped markup from a database field, unescaped when the shop renders it.
            Some("\\\"text/javascript\\\""),
        ] {
            assert!(is_javascript(t, None), "{t:?}");
        }
        for t in [
            "application/ld+json",
            "text/template",
            "text/x-magento-init",
            "importmap",
            "text/javascript; charset=utf-8",
        ] {
            assert!(!is_javascript(Some(t), None), "{t}");
        }
        assert!(is_javascript(None, Some("JavaScript1.2")));
        assert!(!is_javascript(None, Some("vbscript")));
    }

    #[test]
    fn shopify_number_counts_only_in_a_card_form() {
        let page = doc(
            r#"<form id="card"><input name="number"><input name="verification_value"></form>
            <form id="qty"><input name="number" type="text"></form>"#,
        );
        assert_eq!(page.forms[0].payment_fields.len(), 2);
        assert_eq!(
            page.forms[0].payment_fields[0].kind,
            PaymentFieldKind::CardNumber
        );
        assert!(page.forms[1].payment_fields.is_empty());
        assert_eq!(page.payment_fields.len(), 2);
    }

    #[test]
    fn labels_and_form_attribute() {
        let page = doc(r#"<form id="pay" action=""></form>
            <label>Card number <input id="a" form="pay"></label>
            <label for="b">有効期限</label><input id="b">
            <input aria-label="Security code" form="missing">"#);
        let kinds: Vec<_> = page
            .payment_fields
            .iter()
            .map(|f| (f.kind, f.evidence.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (PaymentFieldKind::CardNumber, "label=Card number"),
                (PaymentFieldKind::Expiry, "label=有効期限"),
                (PaymentFieldKind::SecurityCode, "aria-label=Security code"),
            ]
        );
        assert_eq!(page.forms[0].action, None);
        assert_eq!(page.forms[0].payment_fields.len(), 1);
    }

    #[test]
    fn javascript_urls_in_every_url_attribute() {
        let page = doc(
            "<form action=\"javascript:send()\"><button formaction=\" javascript:go(%27x%27)\">x</button></form>\n\
             <object data=\"javascript:o()\"></object><iframe src=\"jav\tascript:f()\"></iframe>\n\
             <div data=\"javascript:not_an_object()\"></div><a href=\"/cart\">javascript:</a>",
        );
        let handlers: Vec<_> = page
            .scripts
            .iter()
            .filter_map(|s| match s {
                ScriptRef::Handler {
                    code,
                    attribute,
                    element,
                    line,
                } => Some((code.as_str(), attribute.as_str(), element.as_str(), *line)),
                _ => None,
            })
            .collect();
        assert_eq!(
            handlers,
            [
                ("send()", "action", "form", 1),
                ("go('x')", "formaction", "button", 1),
                ("o()", "data", "object", 2),
                ("f()", "src", "iframe", 2),
            ]
        );
        assert!(page.iframes.is_empty());
        assert_eq!(page.links.len(), 1);
    }

    #[test]
    fn multi_line_tag_reports_the_attribute_line() {
        let page = doc("<button\n  class=\"x\"\n  onclick=\"pay()\">Pay</button>");
        assert!(matches!(
            &page.scripts[..],
            [ScriptRef::Handler { line: 3, .. }]
        ));
    }

    /// In SVG a `<title>` is not raw text, so the tag scan (which treats `<title>` as raw text)
    /// misses the script inside it: counts disagree and lines come from searching the code.
    #[test]
    fn positions_fall_back_to_searching_when_counts_disagree() {
        let page = doc(
            "<p>\n<svg><title><script>first()</script></title></svg>\n<script>\n  second();</script>",
        );
        let positions: Vec<_> = page
            .scripts
            .iter()
            .filter_map(|s| match s {
                ScriptRef::Inline {
                    code, line, column, ..
                } => Some((code.trim(), *line, *column)),
                _ => None,
            })
            .collect();
        assert_eq!(positions, [("first()", 2, 21), ("second();", 3, 1)]);
    }

    #[test]
    fn empty_and_whitespace_scripts_are_skipped_and_sources_kept_raw() {
        let page = doc(
            "<script> \n </script><script src=\"\"></script><link rel=modulepreload href=m.js as=style>",
        );
        assert_eq!(page.scripts.len(), 1);
        assert!(
            matches!(&page.scripts[0], ScriptRef::External { url: Err(raw), .. } if raw.is_empty())
        );
    }
}
