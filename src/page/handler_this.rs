//! An event handler runs with its element as `this`: `this.getAttribute('data-s')` and
//! `this.dataset.s` in an `onload` are the element's own attributes, written right beside the
//! code in the page. Skimmers keep their payload there (an SVG whose `onload` decodes its own
//! `data-` attribute and runs it), so the handler's code is analysed with those reads replaced
//! by the attribute's text as a string literal. Only reads of attributes the element has are
//! replaced; everything else in the code is as written.

use regex::{Captures, Regex};
use std::sync::LazyLock;

static GET_ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bthis\s*\.\s*getAttribute\s*\(\s*(?:'([\w:.-]{1,64})'|"([\w:.-]{1,64})")\s*\)"#)
        .expect("pattern compiles")
});
static DATASET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bthis\s*\.\s*dataset\s*\.\s*([A-Za-z_$][\w$]{0,63})").expect("pattern compiles")
});

/// `code` of a handler on an element with `attrs` (names lower-cased, as HTML has them),
/// with `this.getAttribute(…)` and `this.dataset.…` of those attributes as literals.
pub(super) fn bind_own_attributes(code: &str, attrs: &[(String, String)]) -> String {
    if !code.contains("this") || attrs.is_empty() {
        return code.to_string();
    }
    let value = |name: &str| {
        attrs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| literal(v))
    };
    let code = GET_ATTRIBUTE.replace_all(code, |c: &Captures<'_>| {
        let name = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        value(name).unwrap_or_else(|| c[0].to_string())
    });
    DATASET
        .replace_all(&code, |c: &Captures<'_>| {
            value(&data_attribute(&c[1])).unwrap_or_else(|| c[0].to_string())
        })
        .into_owned()
}

/// `dataset.fooBar` is the attribute `data-foo-bar`.
fn data_attribute(key: &str) -> String {
    let mut out = String::from("data-");
    for ch in key.chars() {
        if ch.is_ascii_uppercase() {
            out.push('-');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// A JavaScript string literal of `v` (JSON's string syntax is JavaScript's).
fn literal(v: &str) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "''".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_elements_own_attributes_are_read_as_written() {
        let attrs = vec![
            ("data-s".to_string(), "a\"b".to_string()),
            ("data-key-name".to_string(), "k".to_string()),
        ];
        let code = "var s=this.getAttribute('data-s'),k=this.dataset.keyName,x=this.getAttribute('data-none');";
        assert_eq!(
            bind_own_attributes(code, &attrs),
            "var s=\"a\\\"b\",k=\"k\",x=this.getAttribute('data-none');"
        );
        // Another element's attributes are not this one's.
        assert_eq!(
            bind_own_attributes("el.getAttribute('data-s')", &attrs),
            "el.getAttribute('data-s')"
        );
    }
}
