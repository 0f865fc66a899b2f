//! Target `page`: a fetched page's bytes, with or without a Content-Type header, decoded and
//! extracted the way the scan does it (`page::decode_html`, `page::extract`), then its
//! `<meta>` policies summarised. Extraction runs on the calling thread, as in the scan, so a
//! deep document that would overflow a worker's stack crashes here too.

use skimscan::page::{ScriptRef, decode_html, extract, security_headers};
use url::Url;

pub fn run(data: &[u8]) {
    let (content_type, body) = super::split_content_type(data);
    let (html, encoding) = decode_html(body, content_type.as_deref());
    assert!(
        !encoding.is_empty(),
        "decode_html names the encoding it used"
    );
    let page_url = Url::parse("https://shop.example/checkout/index.php").expect("constant URL");
    let doc = extract(&html, &page_url);
    assert_eq!(
        doc,
        extract(&html, &page_url),
        "extraction is deterministic"
    );

    // Every line the report will print points into the page.
    let lines = u32::try_from(html.lines().count())
        .unwrap_or(u32::MAX)
        .max(1);
    for script in &doc.scripts {
        let (line, column) = match script {
            ScriptRef::External { line, .. }
            | ScriptRef::Handler { line, .. }
            | ScriptRef::Data { line, .. } => (*line, 1),
            ScriptRef::Inline { line, column, .. } => (*line, *column),
        };
        assert!(
            (1..=lines + 1).contains(&line) && column >= 1,
            "script position {line}:{column} outside a page of {lines} lines: {script:?}"
        );
    }
    // A field found in a form is a payment field of the page.
    for form in &doc.forms {
        for field in &form.payment_fields {
            assert!(
                doc.payment_fields.contains(field),
                "form field {field:?} missing from the page's payment fields"
            );
        }
    }
    // The page's policies go on to the header record and the CSP checks.
    let headers = security_headers(&[], &doc.meta_csp);
    let summary = skimscan::csp::summarise(&doc.meta_csp, &[]);
    if summary.enforced {
        assert!(
            headers.contains_key("meta-content-security-policy"),
            "an enforced <meta> policy is recorded: {:?}",
            doc.meta_csp
        );
    }
}
