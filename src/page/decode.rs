//! Text decoding of fetched pages and scripts, the way a browser picks the encoding.
//!
//! Japanese shops still serve Shift_JIS and EUC-JP pages; decoding them as UTF-8 would turn the
//! payment vocabulary (カード番号, 有効期限…) into replacement characters and hide payment
//! fields. The order follows the HTML standard: byte-order mark, then the HTTP `Content-Type`
//! charset, then a `<meta>` prescan of the first 1024 bytes, then — when nothing declares an
//! encoding — the browsers' guess: UTF-8 when the bytes are valid UTF-8, otherwise what
//! `chardetng` (the detector Firefox uses, made for exactly this case) finds. Many older
//! Japanese shops serve Shift_JIS or EUC-JP pages with no declaration at all. Decoding never
//! fails: malformed bytes become U+FFFD.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How many bytes the `<meta charset>` prescan looks at (HTML standard: 1024).
const PRESCAN_LIMIT: usize = 1024;
/// How many bytes the encoding detector reads: enough text to tell Japanese encodings apart,
/// without running over a whole large page.
const SNIFF_LIMIT: usize = 64 * 1024;

/// Decode a page's bytes to text. Returns the text and the name of the encoding used.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    let encoding = content_type
        .and_then(charset_from_content_type)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| prescan_meta_charset(bytes))
        .unwrap_or_else(|| sniff_encoding(bytes));
    // `decode` sniffs the BOM first and lets it win over the label, as browsers do.
    let (text, used, _had_errors) = encoding.decode(bytes);
    (text.into_owned(), used.name())
}

/// Decode a script's bytes: BOM, then the HTTP charset, then UTF-8 (lossy).
pub fn decode_script(bytes: &[u8], content_type: Option<&str>) -> String {
    decode_script_with_fallback(bytes, content_type, None)
}

/// Like [`decode_script`], with the encoding to use when neither a BOM nor the HTTP header
/// names one. Browsers decode such a script with the including page's encoding, so pass the
/// name [`decode_html`] returned for the page. An unknown label falls back to UTF-8.
pub fn decode_script_with_fallback(
    bytes: &[u8],
    content_type: Option<&str>,
    page_encoding: Option<&str>,
) -> String {
    let encoding = content_type
        .and_then(charset_from_content_type)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| page_encoding.and_then(|label| Encoding::for_label(label.as_bytes())))
        .unwrap_or(UTF_8);
    let (text, _used, _had_errors) = encoding.decode(bytes);
    text.into_owned()
}

/// The encoding of undeclared bytes: a BOM decides (decoding sniffs it), valid UTF-8 is
/// UTF-8, anything else is what the detector guesses from the text.
fn sniff_encoding(bytes: &[u8]) -> &'static Encoding {
    if Encoding::for_bom(bytes).is_some() || std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let head = &bytes[..bytes.len().min(SNIFF_LIMIT)];
    // ISO-2022-JP is not guessed for pages that run scripts (the detector's advice: it lets an
    // attacker smuggle markup past filters), and UTF-8 was ruled out above.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, head.len() == bytes.len());
    // No top-level-domain hint: the scan may read a local file, and the content decides well
    // enough once it holds a few lines of text.
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// The `charset` parameter of a `Content-Type` value, without quotes.
fn charset_from_content_type(content_type: &str) -> Option<String> {
    let lower = content_type.to_ascii_lowercase();
    let start = lower.find("charset=")? + "charset=".len();
    let rest = &lower[start..];
    let value = rest
        .split(';')
        .next()?
        .trim()
        .trim_matches(|c| c == '"' || c == '\'');
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The HTML standard's "prescan a byte stream to determine its encoding", simplified: the
/// first `<meta charset>` or `<meta http-equiv=Content-Type content="…charset=…">` in the
/// first 1024 bytes, skipping comments.
fn prescan_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_LIMIT)];
    let mut i = 0;
    while i < head.len() {
        if head[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &head[i..];
        if rest.starts_with(b"<!--") {
            i = find(head, b"-->", i + 4).map_or(head.len(), |end| end + 3);
            continue;
        }
        let is_meta = rest.len() > 5
            && rest[1..5].eq_ignore_ascii_case(b"meta")
            && (rest[5].is_ascii_whitespace() || rest[5] == b'/');
        if !is_meta {
            i += 1;
            continue;
        }
        let (attrs, end) = meta_attributes(head, i + 5);
        i = end;
        if let Some(encoding) = encoding_from_meta(&attrs) {
            return Some(encoding);
        }
    }
    None
}

/// Pick the encoding a `<meta>` tag's attributes declare, with the standard's overrides.
fn encoding_from_meta(attrs: &[(String, String)]) -> Option<&'static Encoding> {
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let label = match get("charset") {
        Some(charset) => Some(charset.trim().to_string()),
        None => {
            let is_content_type =
                get("http-equiv").is_some_and(|v| v.trim().eq_ignore_ascii_case("content-type"));
            if is_content_type {
                get("content").and_then(charset_from_content_type)
            } else {
                None
            }
        }
    }?;
    let encoding = Encoding::for_label(label.as_bytes())?;
    // A page that claims UTF-16 in ASCII-compatible bytes is not UTF-16; the standard maps it
    // to UTF-8, and x-user-defined to windows-1252.
    if encoding == encoding_rs::UTF_16BE || encoding == encoding_rs::UTF_16LE {
        return Some(UTF_8);
    }
    if encoding == encoding_rs::X_USER_DEFINED {
        return Some(WINDOWS_1252);
    }
    Some(encoding)
}

/// Read the attributes of a tag starting at `start` (just after the tag name), up to `>`.
/// Returns lower-cased names with raw values, and the index after the tag.
fn meta_attributes(bytes: &[u8], start: usize) -> (Vec<(String, String)>, usize) {
    let mut attrs = Vec::new();
    let mut i = start;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attrs, i);
        }
        if bytes[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = String::from_utf8_lossy(&bytes[name_start..i]).to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && matches!(bytes[i], b'"' | b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                let value_end = bytes[value_start..]
                    .iter()
                    .position(|&b| b == quote)
                    .map_or(bytes.len(), |p| value_start + p);
                value = String::from_utf8_lossy(&bytes[value_start..value_end]).into_owned();
                i = (value_end + 1).min(bytes.len());
            } else {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = String::from_utf8_lossy(&bytes[value_start..i]).into_owned();
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{EUC_JP, ISO_2022_JP, SHIFT_JIS};

    const JA: &str = "<p>カード番号と有効期限</p>";

    fn encoded(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        encoding.encode(text).0.into_owned()
    }

    #[test]
    fn shift_jis_by_header() {
        let bytes = encoded(SHIFT_JIS, JA);
        let (text, name) = decode_html(&bytes, Some("text/html; charset=Shift_JIS"));
        assert_eq!(name, "Shift_JIS");
        assert_eq!(text, JA);
    }

    #[test]
    fn euc_jp_by_meta_charset() {
        let page = format!("<html><head><meta charset=\"euc-jp\"></head><body>{JA}");
        let (text, name) = decode_html(&encoded(EUC_JP, &page), Some("text/html"));
        assert_eq!(name, "EUC-JP");
        assert!(text.contains(JA));
    }

    #[test]
    fn shift_jis_by_http_equiv_after_comment() {
        let page = format!(
            "<!-- <meta charset=utf-8> --><META HTTP-EQUIV='Content-Type' \
             CONTENT='text/html; charset=x-sjis'>{JA}"
        );
        let (text, name) = decode_html(&encoded(SHIFT_JIS, &page), None);
        assert_eq!(name, "Shift_JIS");
        assert!(text.contains(JA));
    }

    #[test]
    fn iso_2022_jp_by_header() {
        let bytes = encoded(ISO_2022_JP, JA);
        let (text, name) = decode_html(&bytes, Some("text/html;charset=\"ISO-2022-JP\""));
        assert_eq!(name, "ISO-2022-JP");
        assert_eq!(text, JA);
    }

    #[test]
    fn bom_wins_over_header() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(JA.as_bytes());
        let (text, name) = decode_html(&bytes, Some("text/html; charset=shift_jis"));
        assert_eq!(name, "UTF-8");
        assert_eq!(text, JA);
    }

    #[test]
    fn meta_beyond_1024_bytes_is_ignored_and_default_is_utf8() {
        let page = format!("{}<meta charset=shift_jis>", " ".repeat(1100));
        let (_, name) = decode_html(page.as_bytes(), None);
        assert_eq!(name, "UTF-8");
    }

    #[test]
    fn undeclared_japanese_pages_are_detected() {
        let page = "<html><head><title>お支払い</title></head><body><form>\
            <label for=\"f1\">カード番号</label><input id=\"f1\">\
            <label for=\"f2\">有効期限</label><input id=\"f2\">\
            <label for=\"f3\">セキュリティコード</label><input id=\"f3\">\
            <p>ご注文内容をご確認のうえ、お支払い情報を入力してください。</p></form>";
        for encoding in [SHIFT_JIS, EUC_JP] {
            let (text, name) = decode_html(&encoded(encoding, page), Some("text/html"));
            assert_eq!(name, encoding.name());
            assert_eq!(text, page);
        }
        let (_, name) = decode_html(page.as_bytes(), None);
        assert_eq!(name, "UTF-8");
    }

    #[test]
    fn meta_utf16_means_utf8() {
        let (_, name) = decode_html(b"<meta charset=utf-16le><p>x", None);
        assert_eq!(name, "UTF-8");
    }

    #[test]
    fn malformed_bytes_become_replacement_characters() {
        let (text, _) = decode_html(b"ok \xFF\xFE\x80 ok", Some("text/html; charset=utf-8"));
        assert!(text.contains('\u{FFFD}'));
        let (text, _) = decode_html(b"<meta charset=\"", None);
        assert_eq!(text, "<meta charset=\"");
    }

    #[test]
    fn script_uses_header_then_page_fallback() {
        let bytes = encoded(SHIFT_JIS, "var s='決済';");
        assert!(decode_script(&bytes, None).contains('\u{FFFD}'));
        assert_eq!(
            decode_script(&bytes, Some("application/javascript; charset=Shift_JIS")),
            "var s='決済';"
        );
        assert_eq!(
            decode_script_with_fallback(&bytes, None, Some("Shift_JIS")),
            "var s='決済';"
        );
    }
}
