//! The library reports progress to the reporter the caller passes in and draws nothing itself
//! (issue 8: the spinner belongs to the command layer).

use skimscan::config::{self, ScanOptions};
use skimscan::rules::RuleSet;
use skimscan::scan::progress::Progress;
use skimscan::scan::{ScanRequest, scan};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Progress for Recorder {
    fn page(&self, name: &str) {
        self.0.lock().unwrap().push(format!("page {name}"));
    }
    fn stage(&self, name: &str) {
        self.0.lock().unwrap().push(format!("stage {name}"));
    }
    fn finish(&self) {
        self.0.lock().unwrap().push("finish".into());
    }
}

#[test]
fn every_page_and_stage_reaches_the_callers_reporter() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("checkout")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<html><body><a href=\"checkout/\">Checkout</a><script>var a = 1;</script></body></html>",
    )
    .unwrap();
    std::fs::write(
        site.join("checkout/index.html"),
        "<html><body><form><input name=\"cc_number\" autocomplete=\"cc-number\"></form></body></html>",
    )
    .unwrap();
    let recorder = Arc::new(Recorder::default());
    let config = config::resolve(&ScanOptions::default()).unwrap();
    let target = skimscan::target::parse(&site.to_string_lossy()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcome = rt
        .block_on(scan(ScanRequest {
            targets: vec![target],
            config,
            rules: Arc::new(RuleSet::load(false, &[]).unwrap()),
            extra_allowed: Vec::new(),
            progress: recorder.clone(),
            keep: None,
        }))
        .unwrap();
    let events = recorder.0.lock().unwrap().clone();
    let pages: Vec<&String> = events.iter().filter(|e| e.starts_with("page ")).collect();
    assert_eq!(pages.len(), outcome.report.pages.len(), "{events:?}");
    assert!(pages.len() >= 2, "{events:?}");
    assert!(events.contains(&"stage scripts".to_string()), "{events:?}");
    assert_eq!(
        events.last().map(String::as_str),
        Some("finish"),
        "{events:?}"
    );
    assert_eq!(events.iter().filter(|e| *e == "finish").count(), 1);
}
