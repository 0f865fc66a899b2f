//! `rules list`, `rules test` and `explain` through the binary: every shipped rule's own
//! pass/fail examples go through the real pipeline, and a failing example fails the command.

mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn every_shipped_rule_passes_its_own_examples() {
    skimscan()
        .timeout(std::time::Duration::from_secs(900))
        .args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"))
        .stdout(predicate::str::contains("FAILED").not());
}

#[test]
fn a_rule_whose_example_does_not_hold_fails_rules_test() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        r#"id = "my-csp-check"
title = "t"
severity = "low"
kind = "page"
[doc]
what = "w"
why = "y"
example = "e"
[[examples]]
expect = "fail"
lang = "html"
code = "<p>this page has no payment form, so no page check can fire</p>"
"#,
    )
    .unwrap();
    skimscan()
        .timeout(std::time::Duration::from_secs(900))
        .args(["rules", "test", dir.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAILED  my-csp-check #1 should have fired",
        ));
}

#[test]
fn list_and_explain() {
    skimscan()
        .timeout(std::time::Duration::from_secs(900))
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("payment-data-exfiltration"))
        .stdout(predicate::str::contains("baseline-changed-script"))
        .stdout(predicate::str::contains("csp-missing"));
    skimscan()
        .timeout(std::time::Duration::from_secs(900))
        .args(["explain", "form-action-outside"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Why it matters"));
    skimscan()
        .timeout(std::time::Duration::from_secs(900))
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2);
    skimscan()
        .timeout(std::time::Duration::from_secs(900))
        .args(["rules", "list", "--no-default-rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("payment-data-exfiltration").not());
}
