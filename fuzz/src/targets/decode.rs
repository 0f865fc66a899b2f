//! Target `decode`: text decoding of pages and scripts (BOM, HTTP charset, `<meta>` prescan),
//! with the Content-Type header taken from the input. Decoding never fails, and text that is
//! already UTF-8 and labelled so comes out unchanged.

use skimscan::page::{decode_html, decode_script, decode_script_with_fallback};

/// Byte-order marks: a BOM wins over any label, so the round-trip check skips them.
const BOMS: &[&[u8]] = &[b"\xEF\xBB\xBF", b"\xFE\xFF", b"\xFF\xFE"];

pub fn run(data: &[u8]) {
    let (content_type, body) = super::split_content_type(data);
    let content_type = content_type.as_deref();
    let (page, encoding) = decode_html(body, content_type);
    assert_eq!(
        decode_html(body, content_type),
        (page.clone(), encoding),
        "decoding is deterministic"
    );
    let script = decode_script_with_fallback(body, content_type, Some(encoding));
    let plain = decode_script(body, content_type);

    let utf8 = std::str::from_utf8(body).ok();
    let has_bom = BOMS.iter().any(|b| body.starts_with(b));
    if let Some(text) = utf8
        && !has_bom
    {
        if content_type == Some("text/html; charset=utf-8") {
            assert_eq!(page, text, "UTF-8 labelled UTF-8 decodes unchanged");
            assert_eq!(encoding, "UTF-8");
        }
        if content_type.is_none() {
            assert_eq!(plain, text, "an unlabelled UTF-8 script decodes unchanged");
            if encoding == "UTF-8" {
                assert_eq!(
                    script, text,
                    "a UTF-8 page's UTF-8 script decodes unchanged"
                );
            }
        }
    }
}
