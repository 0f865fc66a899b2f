//! Markup written by code (`document.write`, `innerHTML`, `insertAdjacentHTML`, jQuery
//! `html/append`): the script URLs and inline code it carries, the images and frames it
//! points at, form actions, and whether it builds card-entry fields (a fake payment form).
//! A light tag scanner is enough here: the markup is a decoded string, not a page.

use super::vocabulary::Vocabulary;
use regex::Regex;
use std::sync::LazyLock;

static SCRIPT_SRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<script\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)"#).expect("constant regex")
});
static SCRIPT_BODY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<script\b([^>]*)>(.*?)</script").expect("constant regex"));
static RESOURCE_SRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<(?:img|iframe|embed|object|source|link)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?([^"'\s>]+)"#)
        .expect("constant regex")
});
static FORM_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<form\b[^>]*?\baction\s*=\s*["']?([^"'\s>]+)"#).expect("constant regex")
});
static INPUT_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<(?:input|select)\b[^>]*>").expect("constant regex"));
/// A field's describing attribute and its value: quoted (spaces and all), or unquoted (up to
/// the next space: `<input id=n placeholder="Card number">` is two attributes).
static FIELD_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)\b(?:name|id|placeholder|autocomplete|class|aria-label|title|data-[a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#,
    )
    .expect("constant regex")
});

/// An element's id or name (what a script selects it by).
static FIELD_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)\b(?:id|name)\s*=\s*["']?([^"'\s>]+)"#).expect("constant regex")
});
/// A field's classes (`class="tj input"`), each kept as `.tj` beside its id and name: a
/// script reads the fields it wrote by class as often as by id.
static FIELD_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^"'\s>]+))"#).expect("constant regex")
});
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<label\b([^>]*)>(.*?)</label\s*>"#).expect("constant regex")
});
static LABEL_FOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?is)\bfor\s*=\s*["']?([^"'\s>]+)"#).expect("constant regex"));
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("constant regex"));

static SCRIPT_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<script\b([^>]*)>").expect("constant regex"));
static SCRIPT_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</script").expect("constant regex"));

/// Byte ranges of inline `<script>` bodies (no `src`), in order.
pub fn inline_script_ranges(html: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(open) = SCRIPT_OPEN.captures_at(html, pos) {
        let Some(whole) = open.get(0) else { break };
        let attrs = open.get(1).map_or("", |g| g.as_str()).to_ascii_lowercase();
        let start = whole.end();
        let end = SCRIPT_CLOSE
            .find_at(html, start)
            .map_or(html.len(), |m| m.start());
        if !attrs.contains("src") && end > start {
            out.push((start, end));
        }
        pos = end.max(start);
        if pos >= html.len() {
            break;
        }
    }
    out
}

/// Offset of the first occurrence of `needle` in `html` (0 when absent), for placing a finding.
pub fn first_offset(html: &str, needle: &str) -> u32 {
    html.find(needle).map_or(0, |o| o as u32)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct MarkupFacts {
    pub script_srcs: Vec<String>,
    pub inline_scripts: Vec<String>,
    pub resources: Vec<String>,
    pub form_actions: Vec<String>,
    /// Input or select elements whose name, id, placeholder or autocomplete names a card field.
    pub payment_fields: usize,
    /// The ids and names of the fields that are card fields by their attributes or by their
    /// label (`<label>Card number</label><input id="x1">`, `<label for="x1">`): what the
    /// script that wrote the markup reads them back by.
    pub card_field_keys: Vec<String>,
}

pub fn scan(html: &str, vocab: &Vocabulary) -> MarkupFacts {
    let mut m = MarkupFacts::default();
    if !html.contains('<') {
        return m;
    }
    m.script_srcs = SCRIPT_SRC
        .captures_iter(html)
        .filter_map(|c| c.get(1))
        .map(|g| g.as_str().to_string())
        .collect();
    for c in SCRIPT_BODY.captures_iter(html) {
        let attrs = c.get(1).map_or("", |g| g.as_str());
        if attrs.to_ascii_lowercase().contains("src") {
            continue;
        }
        if let Some(body) = c.get(2)
            && !body.as_str().trim().is_empty()
        {
            m.inline_scripts.push(body.as_str().to_string());
        }
    }
    m.resources = RESOURCE_SRC
        .captures_iter(html)
        .filter_map(|c| c.get(1))
        .map(|g| g.as_str().to_string())
        .collect();
    m.form_actions = FORM_ACTION
        .captures_iter(html)
        .filter_map(|c| c.get(1))
        .map(|g| g.as_str().to_string())
        .collect();
    // Labels that name a card field: those for an id, and the one just before a field.
    let labels: Vec<(usize, Option<String>, bool)> = LABEL
        .captures_iter(html)
        .filter_map(|c| {
            let all = c.get(0)?;
            let target = c
                .get(1)
                .and_then(|a| LABEL_FOR.captures(a.as_str()))
                .and_then(|f| f.get(1))
                .map(|g| g.as_str().to_string());
            let text = c.get(2).map_or("", |g| g.as_str());
            let card = vocab.matches(TAG.replace_all(text, " ").trim());
            Some((all.end(), target, card))
        })
        .collect();
    let mut prev_end = 0;
    for tag in INPUT_TAG.find_iter(html) {
        let t = tag.as_str();
        let after = prev_end;
        prev_end = tag.end();
        if t.to_ascii_lowercase().contains("type=\"hidden\"")
            || t.to_ascii_lowercase().contains("type=hidden")
        {
            continue;
        }
        let by_attr = FIELD_ATTR
            .captures_iter(t)
            .filter_map(|c| c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)))
            .any(|v| vocab.matches(v.as_str()));
        if by_attr {
            m.payment_fields += 1;
        }
        let mut keys: Vec<String> = FIELD_KEY
            .captures_iter(t)
            .filter_map(|c| c.get(1))
            .map(|g| g.as_str().to_string())
            .collect();
        let classes: Vec<String> = FIELD_CLASS
            .captures_iter(t)
            .filter_map(|c| c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)))
            .flat_map(|g| {
                g.as_str()
                    .split_whitespace()
                    .map(|c| format!(".{c}"))
                    .collect::<Vec<_>>()
            })
            .collect();
        let by_label = labels.iter().any(|(end, target, card)| {
            *card
                && match target {
                    Some(id) => keys.contains(id),
                    None => *end > after && *end <= tag.start(),
                }
        });
        // The text just before the field, whatever element holds it (`<dt>カード番号</dt><dd>
        // <input>`, a table cell, a span): the caption a customer reads.
        let by_caption = html
            .get(after..tag.start())
            .and_then(|between| {
                TAG.split(between)
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .last()
            })
            .is_some_and(|t| t.chars().count() <= 60 && vocab.matches(t));
        if by_attr || by_label || by_caption {
            keys.extend(classes);
            m.card_field_keys.extend(keys);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::schema::VocabularyFile;

    #[test]
    fn markup_yields_scripts_resources_and_fields() {
        let v = Vocabulary::from_files(&[VocabularyFile {
            words: vec!["cc".into(), "cvv".into()],
            ..Default::default()
        }]);
        let m = scan(
            "<script src='//evil.example/a.js'></script><script>var a=1;</script><img src=https://x.example/p.gif>\
             <form action=\"https://f.example/post\"><input name=\"cc_number\"><input type=hidden name=cc_x><input name=email></form>",
            &v,
        );
        assert_eq!(m.script_srcs, vec!["//evil.example/a.js"]);
        assert_eq!(m.inline_scripts, vec!["var a=1;"]);
        assert_eq!(m.resources, vec!["https://x.example/p.gif"]);
        assert_eq!(m.form_actions, vec!["https://f.example/post"]);
        assert_eq!(m.payment_fields, 1);
        assert_eq!(m.card_field_keys, vec!["cc_number"]);
    }

    /// A field named only by its label (before it, or `for` its id) is a card field; a field
    /// after an unrelated label is not.
    #[test]
    fn labels_name_card_fields() {
        let v = Vocabulary::from_files(&[VocabularyFile {
            words: vec!["card".into(), "cvv".into()],
            ..Default::default()
        }]);
        let m = scan(
            "<label>Card number</label><input id=\"x1\"><label>Email</label><input id=\"x2\">             <input id='x3'><label for=\"x3\"><b>CVV</b></label>",
            &v,
        );
        assert_eq!(m.card_field_keys, vec!["x1", "x3"]);
        assert_eq!(m.payment_fields, 0);
    }

    /// A caption in any element just before a field names it (definition lists, table
    /// cells); a caption further back, before another field, does not.
    #[test]
    fn captions_name_card_fields() {
        let v = Vocabulary::from_files(&[VocabularyFile {
            words: vec!["card".into(), "cvv".into()],
            ..Default::default()
        }]);
        let m = scan(
            "<dl><dt>Card number</dt><dd><input id=\"a1\"></dd><dt>Name</dt><dd><input id=\"a2\"></dd></dl>\
             <table><tr><td>CVV</td><td><input id='a3'></td></tr><tr><td><input id='a4'></td></tr></table>",
            &v,
        );
        assert_eq!(m.card_field_keys, vec!["a1", "a3"]);
    }
}
