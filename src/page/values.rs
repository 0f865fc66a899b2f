//! What a page tells its scripts through its markup. A script can take its collector's host
//! from the page instead of carrying it: its own tag's `data-` attributes
//! (`document.currentScript.dataset.cdn`), a `<meta name=… content=…>`, the JSON of a
//! configuration block (`JSON.parse(document.getElementById('cfg').textContent)`), a hidden
//! input's value. Such a script names no host at all; with the page's values the engine
//! resolves the destination as the browser will.
//!
//! A script's analysis then depends on its page, so only what the script can name joins its
//! job ([`for_code`]): the elements whose id, meta name or `data-` attribute its text
//! mentions, and its own tag when it reads `currentScript`. A library that names nothing of
//! the page stays one analysis (and one cache entry) on every page.

use scraper::{ElementRef, Html};
use url::Url;

/// Elements kept per page.
const MAX_ELEMENTS: usize = 256;
/// Bytes kept of an element's text (a configuration block) and of an attribute's value.
const MAX_TEXT: usize = 8 * 1024;
const MAX_ATTR: usize = 2 * 1024;

/// One element of the page, as a script reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageElement {
    /// Lower-case tag name.
    pub tag: String,
    /// Attributes in document order; a script tag's `src` is resolved against the page.
    pub attrs: Vec<(String, String)>,
    /// The text of a data block (`<script type="application/json">`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl PageElement {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The page's values one script can read (see [`for_code`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageValues {
    /// The script's own tag (`document.currentScript`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<PageElement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<PageElement>,
    /// The page's host (`location.hostname`), set by the engine from the job's page host
    /// (already part of the job, so never serialised with the values).
    #[serde(skip)]
    pub host: Option<String>,
}

impl PageValues {
    pub fn is_empty(&self) -> bool {
        self.current.is_none() && self.elements.is_empty()
    }

    /// The JSON a data global of the page holds (see `page_elements`).
    pub fn global(&self, name: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.tag == GLOBAL_TAG && e.attr("name") == Some(name))
            .and_then(|e| e.text.as_deref())
    }

    /// The element with this id.
    pub fn by_id(&self, id: &str) -> Option<&PageElement> {
        self.elements.iter().find(|e| e.attr("id") == Some(id))
    }
}

/// The elements of a page a script can take values from: `<meta>` with a `content`, elements
/// with an id that carry `data-` attributes or a value, data blocks with an id, and script
/// tags with `data-` attributes (for `currentScript`), in document order.
pub fn page_elements(document: &Html, base: &Url) -> Vec<PageElement> {
    let mut out = Vec::new();
    for node in document.tree.root().descendants() {
        if out.len() >= MAX_ELEMENTS {
            break;
        }
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let v = el.value();
        let tag = v.name();
        if tag == "style" {
            let vars = custom_properties(&el.text().collect::<String>());
            if !vars.is_empty() {
                out.push(PageElement {
                    tag: "style".into(),
                    attrs: vars,
                    text: None,
                });
            }
            continue;
        }
        // `var wc_checkout_params = {…};` (WordPress's wp_localize_script, a theme's settings):
        // a classic script that only declares data is a global every script of the page reads.
        if tag == "script"
            && v.attr("src").is_none()
            && super::is_javascript(v.attr("type"), v.attr("language"))
        {
            let text = el.text().collect::<String>();
            for (name, json) in data_globals(&text) {
                out.push(PageElement {
                    tag: GLOBAL_TAG.into(),
                    attrs: vec![("name".into(), name)],
                    text: Some(json),
                });
            }
        }
        let has_data = v.attrs().any(|(n, _)| n.starts_with("data-"));
        let has_id = v.attr("id").is_some();
        // What a `<template>` holds is read by class as often as by id
        // (`tpl.content.querySelector('.link').dataset.endpoint`).
        let in_template = el.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| e.name() == "template")
        });
        let keep = match tag {
            "template" => has_id,
            "meta" => v.attr("content").is_some(),
            "script" => {
                has_data || (has_id && !super::is_javascript(v.attr("type"), v.attr("language")))
            }
            "input" => has_id && (has_data || (is_hidden(v) && v.attr("value").is_some())),
            _ => (has_id || in_template) && has_data,
        };
        if !keep {
            continue;
        }
        let attrs = v
            .attrs()
            .filter(|(_, value)| value.len() <= MAX_ATTR)
            .map(|(n, value)| {
                let value = if tag == "script" && n == "src" {
                    base.join(value.trim())
                        .map_or_else(|_| value.to_string(), |u| u.to_string())
                } else {
                    value.to_string()
                };
                (n.to_string(), value)
            })
            .collect();
        let text = (tag == "script" && v.attr("src").is_none())
            .then(|| el.text().collect::<String>())
            .filter(|t| !t.trim().is_empty() && t.len() <= MAX_TEXT);
        out.push(PageElement {
            tag: tag.to_string(),
            attrs,
            text,
        });
    }
    out
}

/// The tag of the synthetic element standing for a data global (see [`data_globals`]).
pub const GLOBAL_TAG: &str = "#global";

/// The globals a classic script declares when it does nothing else: each statement `var
/// NAME = <JSON object or array>;` (also `let`, `const`, `window.NAME =`), whole script only.
/// Anything else in the script (a call, a function) and it declares nothing here: code is
/// the engine's to read, not the page's.
fn data_globals(text: &str) -> Vec<(String, String)> {
    static DECL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?s)^\s*(?:(?:var|let|const)\s+|window\.)([A-Za-z_$][\w$]{2,63})\s*=\s*",
        )
        .expect("constant regex")
    });
    let mut out = Vec::new();
    let mut rest = skip_comments(text);
    if rest.len() > MAX_TEXT {
        return out;
    }
    while !rest.is_empty() {
        let Some(m) = DECL.captures(rest) else {
            return Vec::new();
        };
        let name = m[1].to_string();
        let after = &rest[m[0].len()..];
        // The JSON value runs to the `;` or line end that ends the statement: the first
        // prefix that parses as an object or array.
        let mut de = serde_json::Deserializer::from_str(after).into_iter::<serde_json::Value>();
        let Some(Ok(value)) = de.next() else {
            return Vec::new();
        };
        if !(value.is_object() || value.is_array()) {
            return Vec::new();
        }
        let used = de.byte_offset();
        out.push((name, after[..used].to_string()));
        rest = after[used..].trim_start();
        rest = skip_comments(rest.strip_prefix(';').unwrap_or(rest));
        if out.len() > 16 {
            return Vec::new();
        }
    }
    out
}

/// `text` after its leading white space and comments (WordPress wraps its data in
/// `/* <![CDATA[ */ … /* ]]> */`).
fn skip_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(r) = text.strip_prefix("/*") {
            match r.find("*/") {
                Some(i) => text = &r[i + 2..],
                None => return "",
            }
        } else if let Some(r) = text.strip_prefix("//") {
            text = r.find('\n').map_or("", |i| &r[i..]);
        } else {
            return text;
        }
    }
}

fn is_hidden(v: &scraper::node::Element) -> bool {
    v.attr("type")
        .is_some_and(|t| t.eq_ignore_ascii_case("hidden"))
}

/// The custom properties a style sheet declares (`--brand-font-src: "https://…/";`), in
/// order, values as written: `getComputedStyle(el).getPropertyValue('--x')` reads them.
fn custom_properties(css: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = css;
    while let Some(i) = rest.find("--") {
        rest = &rest[i..];
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        let after = rest[name_end..].trim_start();
        if name.len() > 2
            && let Some(v) = after.strip_prefix(':')
        {
            let end = v.find([';', '}']).unwrap_or(v.len());
            let value = v[..end].trim();
            if !value.is_empty() && value.len() <= MAX_ATTR && out.len() < 64 {
                out.push((name.to_string(), value.to_string()));
            }
        }
        rest = &rest[name_end..];
    }
    out
}

/// The script tag that loads `script_url` (a resolved `src` equal to it), if it is among
/// `elements`.
pub fn own_tag<'e>(elements: &'e [PageElement], script_url: &str) -> Option<&'e PageElement> {
    elements
        .iter()
        .find(|e| e.tag == "script" && e.attr("src") == Some(script_url))
}

/// The script element of an inline block (`document.currentScript` while it runs): a kept
/// script tag without `src` whose text is the block's.
pub fn inline_tag<'e>(elements: &'e [PageElement], code: &str) -> Option<&'e PageElement> {
    let code = code.trim();
    elements.iter().find(|e| {
        e.tag == "script"
            && e.attr("src").is_none()
            && e.text.as_deref().is_some_and(|t| t.trim() == code)
    })
}

/// What of the page `code` can read: its own tag when it names `currentScript`, and each
/// element whose id, meta name or property, or `data-` attribute (or its `dataset` name) the
/// code mentions. One pass over the code whatever the number of elements (a job is made per
/// script and page: a 200-page shop asks this thousands of times).
pub fn for_code(elements: &[PageElement], own: Option<&PageElement>, code: &str) -> PageValues {
    // Needles and the element each names (`usize::MAX`: `currentScript`).
    let mut needles: Vec<String> = Vec::new();
    let mut owners: Vec<usize> = Vec::new();
    if own.is_some() {
        needles.push("currentScript".into());
        owners.push(usize::MAX);
    }
    for (i, e) in elements.iter().enumerate() {
        for (n, v) in &e.attrs {
            let mut add = |s: String| {
                if s.len() >= 3 {
                    needles.push(s);
                    owners.push(i);
                }
            };
            // Each needle as a script names it, not as a bare word: an id or a meta name in
            // a string (`'store-config'`, `"#store-config"`), a data attribute by its name or
            // through `dataset`. A word a library happens to contain (`description`, `role`)
            // would tie its analysis to every page that differs in that element.
            let quoted = |v: &str| {
                vec![
                    format!("'{v}"),
                    format!("\"{v}"),
                    format!("`{v}"),
                    format!("#{v}"),
                ]
            };
            match n.as_str() {
                _ if e.tag == "style" => add(n.clone()),
                // A data global by its name (`window.wcfc_params`, `wcfc_params.cdn`).
                "name" if e.tag == GLOBAL_TAG && v.len() >= 4 => add(v.clone()),
                "id" if v.len() >= 3 => quoted(v).into_iter().for_each(&mut add),
                "name" | "property" if e.tag == "meta" && v.len() >= 3 => {
                    quoted(v).into_iter().for_each(&mut add)
                }
                _ => {
                    if let Some(d) = n.strip_prefix("data-") {
                        add(n.clone());
                        let ds = dataset_name(d);
                        if ds.len() >= 3 {
                            add(format!("dataset.{ds}"));
                            add(format!("dataset['{ds}'"));
                            add(format!("dataset[\"{ds}\""));
                        }
                    }
                }
            }
        }
    }
    let mut named = vec![false; elements.len()];
    let mut current = false;
    if !needles.is_empty()
        && let Ok(ac) = aho_corasick::AhoCorasick::new(&needles)
    {
        for m in ac.find_overlapping_iter(code) {
            match owners[m.pattern().as_usize()] {
                usize::MAX => current = true,
                i => named[i] = true,
            }
        }
    }
    PageValues {
        current: own.filter(|_| current).cloned(),
        elements: elements
            .iter()
            .zip(&named)
            .filter(|(_, n)| **n)
            .map(|(e, _)| e.clone())
            .collect(),
        host: None,
    }
}

/// The `dataset` property of a `data-` attribute's name: `shop-id` → `shopId`.
pub fn dataset_name(rest: &str) -> String {
    let mut out = String::with_capacity(rest.len());
    let mut upper = false;
    for c in rest.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Vec<PageElement> {
        let html = r##"<html><head><meta name="telemetry-path" content="/collect/v3">
<meta property="og:url" content="https://shop.example/checkout/">
<script type="application/json" id="store-config">{"telemetry":{"host":"events.cdn.example"}}</script>
<script src="/js/widget.js?v=2" data-cdn="widgets.example" data-shop-id="42"></script>
<script src="/js/plain.js"></script></head>
<body><div id="reviews" data-api="https://reviews.example/api"></div><div class="x" data-y="z"></div>
<input type="hidden" id="endpoint" value="https://e.example/">
<style>:root { --brand-src: "https://fonts.cdn.example/s/"; --gap: 8px } a { color: var(--c) }</style>
<template id="tpl"><a class="link" data-endpoint="https://t.example/c" href="#">x</a></template>
<input id="cc_number" name="payment[cc_number]"></body></html>"##;
        page_elements(
            &Html::parse_document(html),
            &Url::parse("https://shop.example/checkout/").unwrap(),
        )
    }

    /// WordPress prints `var x = {…};` per script (several in one block sometimes); a block
    /// that does anything else is code, and declares no data global here.
    #[test]
    fn data_only_scripts_declare_globals() {
        let wp = "\n/* <![CDATA[ */\nvar wc_params = {\"ajax_url\":\"\\/wp-admin\\/admin-ajax.php\",\"nonce\":\"a1\"};\nwindow.theme_cfg = [1, {\"cdn\":\"x.example\"}]\n/* ]]> */\n";
        let g = data_globals(wp);
        assert_eq!(
            g.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["wc_params", "theme_cfg"]
        );
        assert!(g[1].1.contains("x.example"));
        assert!(data_globals("var a = {\"x\": 1}; send(a);").is_empty());
        assert!(data_globals("var cfg = 'https://x.example';").is_empty());
        assert!(data_globals("var cfg = {x: 1};").is_empty());
    }

    #[test]
    fn what_a_script_can_read_is_kept() {
        let els = page();
        let tags: Vec<&str> = els.iter().map(|e| e.tag.as_str()).collect();
        assert_eq!(
            tags,
            [
                "meta", "meta", "script", "script", "div", "input", "style", "template", "a"
            ]
        );
        assert_eq!(
            els[6].attrs,
            [
                (
                    "--brand-src".to_string(),
                    "\"https://fonts.cdn.example/s/\"".to_string()
                ),
                ("--gap".to_string(), "8px".to_string())
            ]
        );
        assert_eq!(
            els[2].text.as_deref(),
            Some(r#"{"telemetry":{"host":"events.cdn.example"}}"#)
        );
        assert_eq!(
            els[3].attr("src"),
            Some("https://shop.example/js/widget.js?v=2")
        );
        assert!(own_tag(&els, "https://shop.example/js/widget.js?v=2").is_some());
        assert!(own_tag(&els, "https://shop.example/js/plain.js").is_none());
    }

    #[test]
    fn a_script_gets_only_what_it_names() {
        let els = page();
        let own = own_tag(&els, "https://shop.example/js/widget.js?v=2");
        let lib = for_code(&els, own, "function f(a){return a.map(String)}");
        assert!(lib.is_empty(), "{lib:?}");
        let v = for_code(
            &els,
            own,
            "var me=document.currentScript; var c=JSON.parse(document.getElementById('store-config').textContent); m('telemetry-path'); x.dataset.shopId",
        );
        assert!(v.current.is_some());
        let ids: Vec<Option<&str>> = v
            .elements
            .iter()
            .map(|e| e.attr("id").or(e.attr("name")))
            .collect();
        // The widget's tag is also named by its `dataset.shopId`.
        assert_eq!(ids, [Some("telemetry-path"), Some("store-config"), None]);
        assert_eq!(dataset_name("shop-id"), "shopId");
    }
}
