//! `--format sarif`: the output validates against the official SARIF 2.1.0 schema (checked in
//! as tests/sarif-schema-2.1.0.json), describes the rules, places results on the script or the
//! page, and fingerprints results so dashboards follow them across runs.

mod baseline_support;

use baseline_support::*;
use serde_json::Value;
use skimscan::baseline;
use skimscan::finding::Location;
use skimscan::report::sarif::Sarif;
use skimscan::report::{FormatContext, Formatter, Report, ScanError};
use skimscan::rules::RuleSet;

fn sarif(report: &Report, site: &Site, rules: &RuleSet) -> Value {
    let ctx = FormatContext {
        sources: &site.sources,
        color: false,
        rules,
    };
    let mut out = Vec::new();
    Sarif.write(report, &ctx, &mut out).expect("write");
    assert!(out.ends_with(b"}\n"));
    serde_json::from_slice(&out).expect("SARIF is JSON")
}

/// The skimmer scenario compared with a baseline: engine and baseline findings together.
fn skimmed_report(rules: &RuleSet) -> (Report, Site) {
    let base = shop(0);
    let b = baseline::create(&base.report(), &base.sources, "2026-11-24T10:00:00Z");
    let mut site = with_script_text(
        shop(1),
        CHECKOUT_JS,
        &fixture("checkout-skimmed.js"),
        &["evil.example"],
    )
    .analysed(CHECKOUT, CHECKOUT_JS)
    .external(
        CHECKOUT,
        "https://cdn.analytics.example/t.js",
        "track()",
        &[],
    );
    site.pages[1].headers.clear();
    let mut parts = site.parts();
    baseline::compare(&b, &parts, &site.sources, None, rules).add_to(&mut parts);
    parts.errors.push(ScanError {
        url: "https://cdn.example/slow.js".into(),
        message: "timed out after 20 s".into(),
    });
    let report = parts.assemble();
    assert!(!report.complete, "an error makes the scan incomplete");
    (report, site)
}

fn schema_validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("schema file"))
        .expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

#[test]
fn output_validates_against_the_sarif_2_1_0_schema() {
    let rules = RuleSet::load(false, &[]).expect("rules");
    let (report, site) = skimmed_report(&rules);
    let log = sarif(&report, &site, &rules);
    let validator = schema_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The schema is not vacuous: a broken log is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("severe");
    assert!(!validator.is_valid(&broken));

    // An empty, clean report is valid too.
    let empty = Site::default().page(HOME, false, &[]);
    assert!(validator.is_valid(&sarif(&empty.report(), &empty, &rules)));
}

#[test]
fn rules_results_locations_and_invocation() {
    let rules = RuleSet::load(false, &[]).expect("rules");
    let (report, site) = skimmed_report(&rules);
    let log = sarif(&report, &site, &rules);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "skimscan");
    let descriptors = driver["rules"].as_array().expect("rules");
    let changed = descriptors
        .iter()
        .find(|r| r["id"] == "baseline-changed-script")
        .expect("baseline rule described");
    assert_eq!(changed["defaultConfiguration"]["level"], "error");
    assert_eq!(changed["properties"]["security-severity"], "8.0");
    assert!(
        changed["help"]["markdown"]
            .as_str()
            .unwrap_or("")
            .contains("## Why it matters")
    );

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), report.findings.len());
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(descriptors[idx]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["skimscanFinding/v1"].is_string());
    }
    let find = |rule: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} result"))
    };
    let critical = find("payment-data-exfiltration");
    assert_eq!(critical["level"], "error");
    let loc = &critical["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], CHECKOUT_JS);
    // The real finding points at the skimmer appended on line 13 of the fixture.
    assert_eq!(loc["region"]["startLine"], 13);
    let csp = find("baseline-csp-weakened");
    assert_eq!(
        csp["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        CHECKOUT
    );
    let changed_checkout = results
        .iter()
        .find(|r| {
            r["ruleId"] == "baseline-changed-script" && r["properties"]["script"] == CHECKOUT_JS
        })
        .expect("checkout.js changed");
    assert_eq!(changed_checkout["properties"]["hosts"][0], "evil.example");

    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let note = &inv["toolExecutionNotifications"][0];
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("timed out")
    );
}

#[test]
fn fingerprints_survive_unrelated_edits_and_distinguish_findings() {
    let rules = RuleSet::load(false, &[]).expect("rules");
    let (report, site) = skimmed_report(&rules);
    let prints = |r: &Report| -> Vec<String> {
        let log = sarif(r, &site, &rules);
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| {
                x["partialFingerprints"]["skimscanFinding/v1"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    let before = prints(&report);
    let mut moved = report.clone();
    for f in &mut moved.findings {
        f.location = f.location.map(|l| Location {
            line: l.line + 40,
            column: l.column,
        });
    }
    assert_eq!(
        prints(&moved),
        before,
        "line numbers are not part of the identity"
    );
    let unique: std::collections::BTreeSet<_> = before.iter().collect();
    assert_eq!(
        unique.len(),
        before.len(),
        "every result has its own fingerprint"
    );
}
