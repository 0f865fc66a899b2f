//! Sinks reached through values (issue 9, class 1): aliases, `bind`, `call`/`apply`,
//! `Reflect.apply`, maps picked by computed keys, sinks passed as arguments or returned from
//! functions, bound arguments, getters, class statics, proxies, descriptor setters, choices of
//! functions, timer and promise callbacks, spread lists and wrapper parameters. Also: every row of `rules/data/web-api.toml` is recognised by its example.

mod engine_support;
use engine_support::{analyse, check_dir, engine, job};
use skimscan::finding::Severity;
use skimscan::rules::RuleSet;
use skimscan::rules::schema::{WebApiFile, WebApiKind};

#[test]
fn sinks_reached_through_values_are_found_and_look_alikes_stay_quiet() {
    let (skim, legit) = check_dir("sinks");
    assert!(
        skim >= 48 && legit >= 18,
        "{skim} skimmers, {legit} legitimate"
    );
}

/// Adding a sink is one row: each catalogue row's example, fed card data, must raise a
/// finding naming the example's host.
#[test]
fn every_web_api_catalogue_row_is_recognised_by_its_example() {
    let rules = RuleSet::load(false, &[]).expect("shipped rules");
    let files: Vec<WebApiFile> = rules
        .data("web-api")
        .iter()
        .map(|(_, v)| v.clone().try_into().expect("web-api.toml schema"))
        .collect();
    let rows: Vec<_> = files.iter().flat_map(|f| f.api.iter()).collect();
    assert!(rows.len() >= 10, "{} rows", rows.len());
    let engine = engine();
    for row in rows {
        let code = format!(
            "var x = document.getElementById('cc_number').value;\n{}",
            row.example
        );
        let r = engine
            .analyse_batch(vec![job("row.js", &code)])
            .pop()
            .unwrap();
        let named: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.hosts.iter().any(|h| h.ends_with("collect.example")))
            .collect();
        match row.kind {
            WebApiKind::Sink => {
                assert!(
                    named.iter().any(|f| f.rule == "payment-data-exfiltration"
                        && f.severity == Severity::Critical),
                    "{}: {:?}",
                    row.name,
                    r.findings
                )
            }
            WebApiKind::Load => assert!(
                named.iter().any(|f| f.rule.contains("script-load")),
                "{}: {:?}",
                row.name,
                r.findings
            ),
        }
    }
}

#[test]
fn an_unknown_callee_is_not_guessed_to_be_a_sink() {
    // `send` is a parameter nobody passes a browser function to: no sink, no flow.
    let r = analyse(
        "x.js",
        "function relay(send, d) { send('https://x.example/', d); }\nrelay(function (u, d) { console.log(u, d); }, document.getElementById('cc_number').value);",
    );
    assert!(
        r.findings.iter().all(|f| f.severity < Severity::High),
        "{:?}",
        r.findings
    );
}
