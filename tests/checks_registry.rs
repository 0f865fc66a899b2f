//! Every shipped page, baseline and browser rule has exactly one check, and every check a
//! shipped rule (issue 8: one file per check, naming its rule id in one place). A rule file
//! without a check is a promise the tool does not keep; a check without a rule file can never
//! fire (`RuleSet::finding` returns nothing for an unknown id) and is dead code.

use std::collections::BTreeSet;
use std::path::Path;

fn shipped(dir: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules")
        .join(dir);
    let mut ids = BTreeSet::new();
    for e in std::fs::read_dir(&dir).expect("rules directory") {
        let text = std::fs::read_to_string(e.expect("entry").path()).expect("rule file");
        let value: toml::Value = toml::from_str(&text).expect("rule files are TOML");
        let id = value["id"].as_str().expect("a rule has an id").to_string();
        ids.insert(id);
    }
    ids
}

fn exactly_once(rules: &[&str]) -> BTreeSet<String> {
    let set: BTreeSet<String> = rules.iter().map(|r| r.to_string()).collect();
    assert_eq!(set.len(), rules.len(), "a rule has two checks: {rules:?}");
    set
}

/// How often `"<id>"` is written in the library's non-test source: once, in its check.
fn spelled_in_src(id: &str) -> Vec<String> {
    fn walk(dir: &Path, needle: &str, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, needle, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("source");
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for (n, line) in code.lines().enumerate() {
                    if !line.trim_start().starts_with("//") && line.contains(needle) {
                        out.push(format!("{}:{}", p.display(), n + 1));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    walk(&src, &format!("\"{id}\""), &mut out);
    out
}

fn holds(family: &str, checks: &[&str]) {
    let checks = exactly_once(checks);
    let rules = shipped(family);
    let without_check: Vec<_> = rules.difference(&checks).collect();
    let without_rule: Vec<_> = checks.difference(&rules).collect();
    assert!(
        without_check.is_empty() && without_rule.is_empty(),
        "rules/{family}: rules without a check {without_check:?}, checks without a rule {without_rule:?}"
    );
    for id in &checks {
        let at = spelled_in_src(id);
        assert_eq!(
            at.len(),
            1,
            "rule id {id} is written in more than one place: {at:?}"
        );
    }
}

#[test]
fn every_page_rule_has_one_check_and_every_check_a_rule() {
    holds("page", skimscan::checks::RULES);
}

#[test]
fn every_baseline_rule_has_one_check_and_every_check_a_rule() {
    holds("baseline", skimscan::baseline::checks::RULES);
}

#[test]
fn every_browser_rule_has_one_check_and_every_check_a_rule() {
    holds("browser", skimscan::browser::verdict::RULES);
}

#[test]
fn every_check_file_is_registered() {
    // A check file that is not in its family's RULES would run unchecked by the tests above.
    for (dir, rules) in [
        ("src/checks", skimscan::checks::RULES),
        ("src/baseline/checks", skimscan::baseline::checks::RULES),
    ] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut declared = BTreeSet::new();
        for e in std::fs::read_dir(&dir).expect("check directory") {
            let p = e.expect("entry").path();
            let text = std::fs::read_to_string(&p).expect("source");
            if let Some(rest) = text.split("pub const RULE: &str = \"").nth(1) {
                declared.insert(rest.split('"').next().unwrap_or("").to_string());
            }
        }
        assert_eq!(declared, exactly_once(rules), "{}", dir.display());
    }
}
