//! Every code and indicator rule's own pass/fail examples, run directly through the engine as
//! a lone script on a payment page (what `skimscan rules test` does through the CLI).

use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::{ExampleExpectation, RuleKind, RuleSet};
use std::sync::Arc;

fn job(code: &str) -> AnalysisJob {
    AnalysisJob {
        script_id: "example.js".into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: "example.js".into(),
        page_host: None,
        payment_page: true,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
        line_offset: 1,
        column_offset: 1,
    }
}

#[test]
fn every_engine_rule_passes_its_own_examples() {
    let rules = Arc::new(RuleSet::load(false, &[]).expect("shipped rules load"));
    let engine = Engine::new(rules.clone(), HostPolicy::default());
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in rules
        .iter()
        .filter(|r| matches!(r.kind, RuleKind::Code | RuleKind::Indicator))
    {
        for (i, ex) in rule.examples.iter().enumerate() {
            if ex.lang != "js" {
                continue;
            }
            checked += 1;
            let out = engine
                .analyse_batch(vec![job(&ex.code)])
                .pop()
                .unwrap_or_default();
            let fired = out.findings.iter().any(|f| f.rule == rule.id);
            let want = ex.expect == ExampleExpectation::Fail;
            if fired != want {
                failures.push(format!(
                    "{} example #{i} ({:?}): fired={fired}; findings: {:?}",
                    rule.id,
                    ex.expect,
                    out.findings
                        .iter()
                        .map(|f| (&f.rule, &f.evidence))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(checked >= 20, "only {checked} examples ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_rule_has_a_failing_example_except_budget() {
    let rules = RuleSet::load(false, &[]).expect("shipped rules load");
    for r in rules
        .iter()
        .filter(|r| r.kind == RuleKind::Code && r.id != "analysis-budget-exceeded")
    {
        assert!(
            r.examples
                .iter()
                .any(|e| e.expect == ExampleExpectation::Fail),
            "{} has no fail example",
            r.id
        );
        assert!(
            r.examples
                .iter()
                .any(|e| e.expect == ExampleExpectation::Pass),
            "{} has no pass example",
            r.id
        );
    }
}
