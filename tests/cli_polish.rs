//! Issue 7, part C, the smaller holes: messages that contradict themselves, files that fail for
//! an invisible byte-order mark, a warning that cried wolf, and an IDN host in `--resolve`
//! that was silently ignored. Each test names what used to go wrong.

mod common;
use common::*;
use std::path::Path;

const BOM: &str = "\u{feff}";

/// A checkout with payment fields and nothing wrong but a missing CSP (a `low` finding).
const CHECKOUT_WITHOUT_CSP: &str = r#"<!doctype html><html><head><title>Checkout</title></head><body>
<form action="/pay" method="post"><input name="cc_number" autocomplete="cc-number"><input name="cvc" autocomplete="cc-csc"></form>
</body></html>"#;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = skimscan().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn demo() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/demo/shop").to_string()
}

/// Used to: "timeout must be between 0 and 3600 seconds, not 0" — 0 is between 0 and 3600.
#[test]
fn a_zero_timeout_gets_a_message_that_says_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.html"), CHECKOUT_WITHOUT_CSP).unwrap();
    for t in ["0", "-1", "3601"] {
        let (code, _, stderr) = run(dir.path(), &["scan", "--timeout", t, "c.html"]);
        assert_eq!(code, 2, "{t}: {stderr}");
        assert!(
            stderr.contains("more than 0") && stderr.contains("at most 3600"),
            "{t}: {stderr}"
        );
        assert!(!stderr.contains("between 0 and"), "{t}: {stderr}");
    }
    std::fs::write(dir.path().join("s.toml"), "timeout = 0\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["scan", "--config", "s.toml", "c.html"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("s.toml:1") && stderr.contains("more than 0"),
        "{stderr}"
    );
}

/// Used to: a baseline saved by an editor with a UTF-8 BOM failed with "1:1 expected value".
#[test]
fn a_baseline_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b = d.join("b.json");
    let (code, _, stderr) = run(
        d,
        &["baseline", "create", "--out", "b.json", "--force", &demo()],
    );
    assert_eq!(code, 1, "{stderr}");
    let text = std::fs::read_to_string(&b).unwrap();
    std::fs::write(&b, format!("{BOM}{text}")).unwrap();
    let (code, stdout, stderr) = run(
        d,
        &["scan", "--format", "json", "--baseline", "b.json", &demo()],
    );
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let scripts = report["scripts"].as_array().unwrap();
    assert!(!scripts.is_empty());
    assert!(
        scripts.iter().all(|s| s["baseline"] == "unchanged"),
        "{report:#}"
    );
    // `baseline update` reads it too (and writes it back without the mark only if it changes).
    let (code, stdout, stderr) = run(d, &["baseline", "update", "b.json", &demo()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("nothing changed"), "{stdout}");
}

/// Used to: a config or rule file with a BOM was refused as invalid TOML.
#[test]
fn config_and_rule_files_with_a_byte_order_mark_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("skimscan.toml"),
        format!("{BOM}fail-on = \"never\"\n"),
    )
    .unwrap();
    let (code, _, stderr) = run(d, &["scan", "--config", "skimscan.toml", &demo()]);
    assert_eq!(code, 0, "fail-on never was read: {stderr}");
    std::fs::create_dir(d.join("rules")).unwrap();
    std::fs::write(
        d.join("rules/burner.toml"),
        format!(
            "{BOM}id = \"burner-domain\"\ntitle = \"Known burner domain\"\nseverity = \"critical\"\nkind = \"indicator\"\n[doc]\nwhat = \"w\"\nwhy = \"y\"\nexample = \"e\"\n[match]\ndomains = [\"burner.example\"]\n"
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run(d, &["rules", "list", "--rules", "rules"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("burner-domain"), "{stdout}");
}

/// Used to: `"schema_version": "1"` was refused as "version "1" is not supported (this
/// skimscan reads version 1)".
#[test]
fn a_string_schema_version_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("b.json"),
        "{\n  \"schema_version\": \"1\",\n  \"site\": \"shop\",\n  \"pages\": {}\n}\n",
    )
    .unwrap();
    let (code, _, stderr) = run(d, &["scan", "--baseline", "b.json", &demo()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the number 1"), "{stderr}");
    assert!(!stderr.contains("not supported"), "{stderr}");
}

/// Used to: `baseline create` warned "review them before trusting the baseline" for a lone
/// low finding (a missing CSP), so people learned to ignore the warning. It now warns when a
/// finding reaches `--fail-on` (the level the scan itself fails at).
#[test]
fn baseline_create_warns_only_for_findings_at_the_fail_on_level() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("checkout.html"), CHECKOUT_WITHOUT_CSP).unwrap();
    let (code, stdout, _) = run(d, &["scan", "--format", "json", "checkout.html"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rules_of(&report), vec!["csp-missing"], "{report:#}");

    let (code, _, stderr) = run(
        d,
        &["baseline", "create", "--out", "a.json", "checkout.html"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");

    let (code, _, stderr) = run(
        d,
        &[
            "baseline",
            "create",
            "--out",
            "b.json",
            "--fail-on",
            "low",
            "checkout.html",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("low"),
        "{stderr}"
    );

    let (code, _, stderr) = run(d, &["baseline", "create", "--out", "c.json", &demo()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("critical"),
        "{stderr}"
    );
}

/// Used to: `--resolve bücher.example:PORT:127.0.0.1` was kept as typed while the request
/// asks for `xn--bcher-kva.example`, so the pin never applied.
#[test]
fn an_idn_host_in_resolve_is_pinned() {
    let s = serve(vec![(
        "/checkout/",
        html(
            r#"<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'"><title>Kasse</title></head><body><form action="/pay"><input autocomplete="cc-number" name="cc"></form></body></html>"#,
        ),
    )]);
    for host in ["bücher.example", "BÜCHER.example", "xn--bcher-kva.example"] {
        let (code, report, stderr) = scan_json(&[
            "--resolve",
            &s.resolve(host),
            &s.url("bücher.example", "/checkout/"),
        ]);
        assert_eq!(code, 0, "{host}: {stderr}\n{report:#}");
        assert_eq!(report["pages"][0]["status"], 200, "{host}: {report:#}");
        assert_eq!(report["pages"][0]["payment_form"], true, "{host}");
    }
}
