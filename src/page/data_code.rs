//! Code the page carries as data: a loader keeps its skimmer Base64'd in a `data-` attribute,
//! an HTML comment, a string of a JSON block or a hidden input, and a script of the page runs
//! it from there (`Function(atob(el.getAttribute('data-widget')))()`), so no script tag and no
//! script file holds card code. Each such text that decodes to code ([`crate::encoded`]) is
//! handed on as a [`ScriptRef::Data`], which the scan analyses like code the page loads.
//!
//! Cost: every attribute value and comment of the page is looked at once; only text of
//! [`crate::encoded::MIN_ENCODED`] bytes or more is decoded, and at most [`MAX_PER_PAGE`]
//! pieces of code are kept.

use super::ScriptRef;
use crate::encoded::{MIN_ENCODED, decode_code};
use scraper::{ElementRef, Html, Node};

/// Pieces of code kept per page (a page full of encoded code is reported on its first ones).
const MAX_PER_PAGE: usize = 16;

/// The code hidden in the page's data, in document order, each once.
pub fn data_code(document: &Html, html: &str) -> Vec<ScriptRef> {
    let mut out: Vec<ScriptRef> = Vec::new();
    let mut push = |text: &str, plain: bool, origin: String| {
        if out.len() >= MAX_PER_PAGE || text.trim().len() < MIN_ENCODED {
            return;
        }
        // Markup kept as data (a tag manager's "custom HTML" tag in its container JSON):
        // the scripts in it run once a loader writes it into the page.
        let scripts = script_bodies(text);
        if !scripts.is_empty() {
            for body in scripts {
                if out.len() < MAX_PER_PAGE
                    && let Some((code, _)) = decode_code(body, true)
                    && !out
                        .iter()
                        .any(|s| matches!(s, ScriptRef::Data { code: c, .. } if *c == code))
                {
                    out.push(ScriptRef::Data {
                        code,
                        origin: format!("a <script> in markup in {origin}"),
                        line: line_of(html, body),
                    });
                }
            }
            return;
        }
        let Some((code, how)) = decode_code(text, plain) else {
            return;
        };
        if out
            .iter()
            .any(|s| matches!(s, ScriptRef::Data { code: c, .. } if *c == code))
        {
            return;
        }
        out.push(ScriptRef::Data {
            code,
            origin: format!("{origin}, {how}"),
            line: line_of(html, text),
        });
    };
    for node in document.tree.root().descendants() {
        match node.value() {
            Node::Comment(c) => push(c, true, "an HTML comment".into()),
            Node::Element(_) => {
                let Some(element) = ElementRef::wrap(node) else {
                    continue;
                };
                let tag = element.value().name();
                for (name, value) in element.value().attrs() {
                    let hidden_value = name == "value"
                        && tag == "input"
                        && element
                            .attr("type")
                            .is_some_and(|t| t.eq_ignore_ascii_case("hidden"));
                    if name.starts_with("data-") || hidden_value || name == "content" {
                        push(value, false, format!("the {name} attribute of <{tag}>"));
                    }
                }
                if tag == "script"
                    && !super::is_javascript(element.attr("type"), element.attr("language"))
                {
                    let text: String = element.text().collect();
                    let kind = element
                        .attr("type")
                        .unwrap_or("data")
                        .trim()
                        .to_ascii_lowercase();
                    // Plain code in such a block is the block's own row (analysed in
                    // scan/scripts.rs); encoded code in it is data a loader decodes.
                    push(&text, false, format!("a <script type={kind}> block"));
                    if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
                        for s in strings(&json) {
                            push(
                                s,
                                false,
                                format!("a string of a <script type={kind}> block"),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The bodies of the `<script>` elements (without `src`) in a piece of markup, in order.
fn script_bodies(markup: &str) -> Vec<&str> {
    let lower = markup.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let open = at + i;
        let Some(gt) = lower[open..].find('>') else {
            break;
        };
        let tag = &lower[open..open + gt];
        let body_start = open + gt + 1;
        let Some(close) = lower[body_start..].find("</script") else {
            break;
        };
        if !tag.contains("src=") {
            out.push(&markup[body_start..body_start + close]);
        }
        at = body_start + close + "</script".len();
    }
    out
}

/// The string values of a JSON document, depth first (bounded: a data block is small).
fn strings(v: &serde_json::Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::String(s) if s.len() >= MIN_ENCODED => out.push(s.as_str()),
            serde_json::Value::Array(a) => stack.extend(a.iter().rev()),
            serde_json::Value::Object(o) => stack.extend(o.values().rev()),
            _ => {}
        }
        if out.len() >= 64 {
            break;
        }
    }
    out
}

/// The 1-based line where `text` (as the parser gave it) first appears in the source; 1 when
/// entities made it differ from the source.
fn line_of(html: &str, text: &str) -> u32 {
    let probe: String = text.trim().chars().take(48).collect();
    html.find(&probe)
        .map(|at| html[..at].matches('\n').count() as u32 + 1)
        .unwrap_or(1)
}
