//! `.har` targets: a capture from a customer's browser scanned end to end — pages with their
//! recorded headers, scripts from saved (plain and base64) bodies, frames and scripts loaded at
//! run time — with no request to anything unless `--fetch-remote`; and bad captures refused
//! with exit 2, never a panic or a "clean" report.

mod common;
mod har_support;

use common::{js, serve, skimscan};
use har_support::*;
use predicates::prelude::*;
use serde_json::Value;

fn scripts_by_url<'a>(report: &'a Value, url: &str) -> Vec<&'a Value> {
    report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["url"] == url)
        .collect()
}

#[test]
fn a_captured_shop_visit_is_scanned_offline_and_the_skimmer_found() {
    // A live server answers for the shop's host: if the scan fetched anything, it would count.
    let server = serve(vec![(
        "/static/js/reviews.js",
        js("/* reviews */ var r = 1;"),
    )]);
    let origin = server.url("juniper-rye.example", "");
    let dir = tempfile::tempdir().unwrap();
    let har = write(dir.path(), "visit.har", &shop_visit(&origin, true));
    let (code, report, stderr) =
        common::scan_json(&["--resolve", &server.resolve("juniper-rye.example"), &har]);
    assert_eq!(
        server.total.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing fetched"
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["verdict"], "malicious");
    assert_eq!(report["complete"], false, "a script body is missing");

    // Pages: the captured documents and the frame, with the recorded response headers.
    let pages: Vec<&str> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    let checkout = format!("{origin}/checkout/");
    let frame = format!("{origin}/checkout/payment-frame.html");
    assert!(pages.contains(&checkout.as_str()), "{pages:?}");
    assert!(pages.contains(&frame.as_str()), "{pages:?}");
    assert!(!pages.iter().any(|p| p.ends_with("/api/cart")), "{pages:?}");
    let cp = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == checkout.as_str())
        .unwrap();
    assert_eq!(cp["payment_form"], true);
    assert_eq!(cp["status"], 200);
    assert_eq!(cp["headers"]["content-security-policy"], CSP);

    // The library (base64 in the capture) is hashed as the bytes the browser received.
    let lib_url = format!("{origin}/static/js/juniper-ui.min.js");
    let lib = scripts_by_url(&report, &lib_url);
    assert!(!lib.is_empty());
    let body = format!("{LIBRARY_CLEAN}{SKIMMER}");
    let want = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(body.as_bytes());
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(lib[0]["sha256"], want.as_str());

    // The skimmer, found in the first-party library, with its decoded destination.
    let exfil: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "payment-data-exfiltration")
        .collect();
    assert!(!exfil.is_empty(), "{:#}", report["findings"]);
    assert_eq!(exfil[0]["script"], lib_url.as_str());
    assert!(
        exfil[0]["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "static-jquery-cdn.example"),
        "{:#}",
        exfil[0]
    );

    // The script loaded at run time is in the inventory as dynamic; the frame's script too.
    let chat = scripts_by_url(&report, &format!("{origin}/static/js/chat-widget.js"));
    assert!(!chat.is_empty(), "{:#}", report["scripts"]);
    assert_eq!(chat[0]["kind"], "dynamic");
    assert_eq!(chat[0]["page"], checkout.as_str());
    assert!(chat[0]["sha256"].is_string());
    assert!(!scripts_by_url(&report, &format!("{origin}/static/js/frame.js")).is_empty());

    // The missing body is an error naming the script, not a silent gap.
    let reviews = format!("{origin}/static/js/reviews.js");
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["url"] == reviews.as_str()
                && e["message"].as_str().unwrap().contains("no body")),
        "{errors:?}"
    );
    assert_eq!(scripts_by_url(&report, &reviews)[0]["sha256"], Value::Null);
}

#[test]
fn fetch_remote_fills_in_what_the_capture_lacks() {
    let server = serve(vec![(
        "/static/js/reviews.js",
        js("/* reviews */ var stars = 5;"),
    )]);
    let origin = server.url("juniper-rye.example", "");
    let dir = tempfile::tempdir().unwrap();
    let har = write(dir.path(), "visit.har", &shop_visit(&origin, false));
    let (code, report, stderr) = common::scan_json(&[
        "--fetch-remote",
        "--allow-private",
        "--resolve",
        &server.resolve("juniper-rye.example"),
        &har,
    ]);
    // Only what the capture lacks was requested: the reviews script, once.
    assert_eq!(server.hits("/static/js/reviews.js"), 1);
    assert_eq!(server.total.load(std::sync::atomic::Ordering::SeqCst), 1);
    let reviews = scripts_by_url(&report, &format!("{origin}/static/js/reviews.js"));
    assert!(reviews[0]["sha256"].is_string(), "{stderr}");
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{:#}",
        report["errors"]
    );
    assert_eq!(report["complete"], true);
    // The clean library: no skimmer finding.
    assert!(
        !common::rules_of(&report).contains(&"payment-data-exfiltration".to_string()),
        "{:#}",
        report["findings"]
    );
    assert!(code == 0 || code == 1, "{code} {stderr}");
}

#[test]
fn the_demo_capture_finds_the_demo_skimmer() {
    let har = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/shop.har");
    let (code, report, stderr) = common::scan_json(&[har]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["complete"], true, "{:#}", report["errors"]);
    let rules = common::rules_of(&report);
    assert!(
        rules.contains(&"payment-data-exfiltration".to_string()),
        "{rules:?}"
    );
    assert_eq!(report["pages"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_captures_are_usage_errors_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let good = serde_json::to_string(&shop_visit("https://juniper-rye.example", true)).unwrap();
    let nested = format!("{{\"log\": {}", "[".repeat(50_000));
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty.har", String::new(), "not a HAR capture"),
        ("text.har", "GET / HTTP/1.1".into(), "not a HAR capture"),
        (
            "truncated.har",
            good[..good.len() / 2].to_string(),
            "not a HAR capture",
        ),
        ("array.har", "[]".into(), "not a HAR capture"),
        (
            "nolog.har",
            "{\"entries\": []}".into(),
            "missing field `log`",
        ),
        (
            "version.har",
            "{\"log\":{\"version\":\"3.0\",\"entries\":[]}}".into(),
            "unsupported HAR version",
        ),
        (
            "nopage.har",
            "{\"log\":{\"version\":\"1.2\",\"entries\":[]}}".into(),
            "no HTML page",
        ),
        (
            "badtype.har",
            "{\"log\":{\"entries\":[{\"request\":{\"url\":5}}]}}".into(),
            "not a HAR capture",
        ),
        ("nested.har", nested, "not a HAR capture"),
    ];
    for (name, body, why) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        skimscan()
            .args(["scan", p.to_str().unwrap()])
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(why).and(predicate::str::contains("panick").not()));
    }
}

#[test]
fn a_huge_capture_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.har");
    // Sparse: no disk or memory is used, but the size is past the limit.
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(skimscan::har::MAX_CAPTURE_BYTES + 1).unwrap();
    skimscan()
        .args(["scan", p.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than"));
}

#[test]
fn an_oversized_body_is_an_error_for_that_script_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut har = shop_visit("https://juniper-rye.example", false);
    let big = format!("var pad = \"{}\";", "x".repeat(5_000));
    har["log"]["entries"][6]["response"]["content"]["text"] = Value::String(big);
    let p = har_support::write(dir.path(), "big.har", &har);
    let (code, report, _) = common::scan_json(&["--max-body-size", "2KB", &p]);
    assert_eq!(code, 3);
    assert!(
        report["errors"].as_array().unwrap().iter().any(|e| e["url"]
            .as_str()
            .unwrap()
            .ends_with("chat-widget.js")
            && e["message"].as_str().unwrap().contains("limit")),
        "{:#}",
        report["errors"]
    );
}

#[test]
fn a_capture_beside_a_live_url_needs_fetch_remote() {
    let dir = tempfile::tempdir().unwrap();
    let har = write(
        dir.path(),
        "v.har",
        &shop_visit("https://juniper-rye.example", false),
    );
    skimscan()
        .args(["scan", &har, "https://juniper-rye.example/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fetch-remote"));
}
