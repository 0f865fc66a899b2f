//! Target `js`: the JavaScript engine end to end on any text (the input as lossy UTF-8),
//! judged as a third-party script on a payment page, the setting where the most rules apply.
//! It goes through [`Engine::analyse_batch`], the scan's own path (big-stack worker threads),
//! twice in one batch, and checks that the analysis neither panicked (the batch turns a panic
//! into an "internal error" entry) nor depends on anything but its input.

use skimscan::js::{AnalysisJob, Engine, HostPolicy, ScriptAnalysis};
use skimscan::rules::RuleSet;
use std::sync::{Arc, OnceLock};

/// The batch's message for a script whose analysis panicked (`skimscan::js::Engine`).
const INTERNAL_ERROR: &str = "internal error";

pub fn run(data: &[u8]) {
    check_script(&String::from_utf8_lossy(data));
}

/// The engine with the shipped rules, built once per process.
pub fn engine() -> &'static (Engine, Arc<RuleSet>) {
    static ENGINE: OnceLock<(Engine, Arc<RuleSet>)> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let rules = Arc::new(RuleSet::load(false, &[]).expect("the shipped rules load"));
        (Engine::new(rules.clone(), HostPolicy::default()), rules)
    })
}

/// `code` as a third-party script of a checkout page.
pub fn checkout_job(code: &str) -> AnalysisJob {
    AnalysisJob {
        script_id: "https://cdn.widgets.example/js/app.js".to_string(),
        kind: skimscan::inventory::ScriptKind::External,
        code: Arc::from(code),
        page_url: "https://shop.example/checkout/".to_string(),
        page_host: Some("shop.example".to_string()),
        payment_page: true,
        line_offset: 1,
        column_offset: 1,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
    }
}

/// Analyse `code` as a script of a checkout page and check the result.
pub fn check_script(code: &str) {
    let (engine, rules) = engine();
    let job = checkout_job(code);
    let mut results = engine.analyse_batch(vec![job.clone(), job]);
    let second = results.pop().expect("one result per job");
    let first = results.pop().expect("one result per job");
    check_analysis(code, rules, &first);
    // The time budget is the one input that is not in the text: a run that hit it may stop
    // at a different place the second time.
    let timed_out = |a: &ScriptAnalysis| a.errors.iter().any(|e| e.contains("time budget"));
    if !timed_out(&first) && !timed_out(&second) {
        assert_eq!(
            first.findings, second.findings,
            "findings are deterministic"
        );
        assert_eq!(first.errors, second.errors, "errors are deterministic");
        assert_eq!(first.destinations, second.destinations);
        assert_eq!(first.loads, second.loads);
    }
}

/// What holds for any analysis: no panic, findings of loaded rules, locations in the code.
pub fn check_analysis(code: &str, rules: &RuleSet, a: &ScriptAnalysis) {
    for e in &a.errors {
        assert!(
            !e.contains(INTERNAL_ERROR),
            "the analysis panicked: {e} (rerun the input in the fuzz binary for the panic)"
        );
    }
    // JavaScript ends lines at \r, \u{2028} and \u{2029} too: count every terminator.
    let breaks = code
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
        .count();
    let lines = u32::try_from(breaks + 1).unwrap_or(u32::MAX);
    for f in &a.findings {
        let rule = rules.get(&f.rule);
        assert!(rule.is_some(), "finding of an unknown rule `{}`", f.rule);
        if let Some(loc) = f.location {
            assert!(
                loc.line >= 1 && loc.line <= lines && loc.column >= 1,
                "finding {} at {}:{} outside a script of {lines} lines",
                f.rule,
                loc.line,
                loc.column
            );
        }
    }
}
