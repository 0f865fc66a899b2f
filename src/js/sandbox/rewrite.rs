//! Putting decoded values back into the script: each decoder call (or JSFuck fragment, or
//! entity decode) is replaced by the string it returns. The value is written as
//! `atob("<its Base64>")` so the constant evaluator folds it *and still knows it was decoded*
//! (a hidden URL keeps counting as hidden); values outside Latin-1, which `atob` cannot carry,
//! are written as JSON string literals (valid JavaScript). A shorter replacement is padded with spaces and keeps the original line
//! breaks, so every later offset — and so every finding's line and column — stays where it
//! was; a longer one shifts what follows on its line.

use base64::Engine as _;
use oxc_span::Span;

/// One constant expression and the string it evaluates to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    pub span: Span,
    pub value: String,
}

/// The script with the replacements applied (overlapping ones: the first wins). None when the
/// result would exceed `limit` bytes.
pub fn apply(src: &str, mut replacements: Vec<Replacement>, limit: usize) -> Option<String> {
    replacements.sort_by_key(|r| (r.span.start, std::cmp::Reverse(r.span.end)));
    let mut out = String::with_capacity(src.len());
    let mut pos = 0usize;
    for r in replacements {
        let (start, end) = (r.span.start as usize, r.span.end as usize);
        if start < pos
            || end > src.len()
            || !src.is_char_boundary(start)
            || !src.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&src[pos..start]);
        let literal = literal(&r.value)?;
        let original = &src[start..end];
        out.push_str(&literal);
        // Keep the original's line breaks after the literal, and pad with spaces when there is
        // room, so later lines and (on the same line) columns do not move.
        let breaks = original.bytes().filter(|b| *b == b'\n').count();
        let pad = original.len().saturating_sub(literal.len() + breaks);
        out.extend(std::iter::repeat_n(' ', pad));
        out.extend(std::iter::repeat_n('\n', breaks));
        pos = end;
        if out.len() > limit {
            return None;
        }
    }
    out.push_str(&src[pos..]);
    (out.len() <= limit.max(src.len())).then_some(out)
}

/// The replacement text for a decoded value (see the module documentation).
fn literal(value: &str) -> Option<String> {
    if value.chars().all(|c| (c as u32) <= 0xFF) {
        let bytes: Vec<u8> = value.chars().map(|c| c as u8).collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        return Some(format!("atob(\"{b64}\")"));
    }
    serde_json::to_string(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u32, end: u32, v: &str) -> Replacement {
        Replacement {
            span: Span::new(start, end),
            value: v.into(),
        }
    }

    #[test]
    fn shorter_values_keep_every_offset() {
        let src = "a(_0x1(0x1a,'k'));\nb();";
        let out = apply(src, vec![r(2, 16, "x")], 1 << 20).unwrap();
        assert_eq!(out.len(), src.len());
        assert_eq!(out.find("b();"), src.find("b();"));
        assert!(out.starts_with("a(atob(\"eA==\")"), "{out}");
    }

    #[test]
    fn line_breaks_inside_a_call_are_kept() {
        let src = "f(d(1,\n2)); g();";
        let out = apply(src, vec![r(2, 9, "z")], 1 << 20).unwrap();
        assert_eq!(out.lines().count(), src.lines().count());
    }

    #[test]
    fn quotes_and_line_separators_are_escaped() {
        let out = apply("x(d())", vec![r(2, 5, "a\"b\u{2028}")], 1 << 20).unwrap();
        assert_eq!(out, "x(\"a\\\"b\u{2028}\")");
        let out = apply("x(d())", vec![r(2, 5, "a\"b")], 1 << 20).unwrap();
        assert_eq!(out, "x(atob(\"YSJi\"))");
    }

    #[test]
    fn overlapping_replacements_keep_the_outer_one() {
        let out = apply("d(d(1))", vec![r(2, 6, "in"), r(0, 7, "out")], 1 << 20).unwrap();
        assert_eq!(out, "atob(\"b3V0\")");
    }

    #[test]
    fn output_over_the_limit_is_refused() {
        assert!(apply("d()", vec![r(0, 3, &"x".repeat(100))], 10).is_none());
    }
}
