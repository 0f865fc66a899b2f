//! Shared by the `engine_values_*` tests: run the engine on fixture scripts (each file's
//! `// expect:` line names the rule and host it must raise; `legit-*` files must raise nothing
//! high or critical), the way the scan pipeline does, without a network.
#![allow(dead_code)]

use skimscan::finding::{Finding, Severity};
use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy, ScriptAnalysis};
use skimscan::rules::RuleSet;
use std::path::Path;
use std::sync::Arc;

pub fn engine() -> Engine {
    Engine::new(
        Arc::new(RuleSet::load(false, &[]).expect("shipped rules")),
        HostPolicy::default(),
    )
}

/// A script on the checkout page of `www.shop.example`.
pub fn job(name: &str, code: &str) -> AnalysisJob {
    AnalysisJob {
        script_id: name.into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: "https://www.shop.example/checkout/".into(),
        page_host: Some("www.shop.example".into()),
        payment_page: true,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
        line_offset: 1,
        column_offset: 1,
    }
}

pub fn analyse(name: &str, code: &str) -> ScriptAnalysis {
    engine()
        .analyse_batch(vec![job(name, code)])
        .pop()
        .expect("one result")
}

pub fn fixtures(dir: &str) -> Vec<(String, String)> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine/values")
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

fn brief(f: &[Finding]) -> Vec<String> {
    f.iter()
        .map(|f| format!("{} {:?} {:?}", f.rule, f.severity, f.hosts))
        .collect()
}

/// Every `skim-*` fixture raises the rule and host of its `// expect: RULE HOST` lines; every
/// `legit-*` fixture stays below high. Returns the number of fixtures of each kind.
pub fn check_dir(dir: &str) -> (usize, usize) {
    let engine = engine();
    let fx = fixtures(dir);
    let results = engine.analyse_batch(fx.iter().map(|(n, c)| job(n, c)).collect());
    let mut failures = Vec::new();
    let (mut skim, mut legit) = (0, 0);
    for ((name, code), r) in fx.iter().zip(results) {
        if name.starts_with("skim-") {
            skim += 1;
            let expects: Vec<&str> = code
                .lines()
                .filter_map(|l| l.trim().strip_prefix("// expect:"))
                .collect();
            assert!(!expects.is_empty(), "{name} has no `// expect:` line");
            for e in expects {
                let mut parts = e.split_whitespace();
                let rule = parts.next().unwrap_or("");
                let host = parts.next();
                let hit = r
                    .findings
                    .iter()
                    .any(|f| f.rule == rule && host.is_none_or(|h| f.hosts.iter().any(|x| x == h)));
                if !hit {
                    failures.push(format!(
                        "{name}: expected {e}, got {:?}",
                        brief(&r.findings)
                    ));
                }
            }
        } else if name.starts_with("legit-") {
            legit += 1;
            let strong: Vec<_> = r
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::High)
                .cloned()
                .collect();
            if !strong.is_empty() {
                failures.push(format!("{name}: {:?}", brief(&strong)));
            }
        }
        if !r.errors.is_empty() {
            failures.push(format!("{name}: errors {:?}", r.errors));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    (skim, legit)
}
