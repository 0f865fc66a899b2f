//! Target `csp`: Content-Security-Policy values (one per input line; a line starting with
//! `ro:` is report-only) and the other security headers. The summary must not depend on the
//! order of the policies (a resource must pass all of them), and what is not enforced
//! restricts nothing.

use skimscan::csp::summarise;
use skimscan::page::security_headers;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (mut enforced, mut report_only) = (Vec::new(), Vec::new());
    let mut headers = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("ro:") {
            Some(policy) => report_only.push(policy.to_string()),
            None => enforced.push(line.to_string()),
        }
        // The same line as a raw header, for the header record (cookies, HSTS…).
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    let summary = summarise(&enforced, &report_only);
    let mut sorted = summary.wildcard_sources.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        summary.wildcard_sources, sorted,
        "wildcards sorted, no duplicates"
    );
    if !summary.enforced {
        assert!(!summary.restricts_script_src && !summary.restricts_connect_src);
        assert!(!summary.restricts_form_action && summary.wildcard_sources.is_empty());
    }
    if summary.unsafe_inline || summary.unsafe_eval {
        assert!(summary.restricts_script_src, "{summary:?}");
    }
    enforced.reverse();
    report_only.reverse();
    assert_eq!(
        summarise(&enforced, &report_only),
        summary,
        "the order of the policies does not matter"
    );
    let record = security_headers(&headers, &enforced);
    assert_eq!(record, security_headers(&headers, &enforced));
}
