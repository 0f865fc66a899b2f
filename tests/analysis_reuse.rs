//! The premise of sharing one analysis between copies of the same code (src/cache/unbound.rs):
//! the engine reads a job's identity — script id, page URL, line and column offsets — only to
//! label findings. For every script of the engine corpus, the result analysed under one
//! identity and relabelled must equal, byte for byte, the result analysed under another. If
//! the engine starts using the identity some other way, this fails before a report does.

use skimscan::cache::{Identity, Unbound};
use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::path::Path;
use std::sync::Arc;

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine");
    let mut out = Vec::new();
    for dir in ["skimmers", "legit"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "js"))
            .collect();
        files.sort();
        for p in files {
            let code = std::fs::read_to_string(&p).unwrap();
            out.push((p.display().to_string(), code));
        }
    }
    out
}

fn job(code: &str, page: &str, n: u32, line: u32, column: u32) -> AnalysisJob {
    AnalysisJob {
        script_id: format!("{page}#inline-{n}"),
        kind: ScriptKind::Inline,
        code: code.into(),
        page_url: page.into(),
        page_host: Some("shop.example".into()),
        payment_page: true,
        page_fields: vec!["cc-number".into(), "cvv".into()],
        page_values: Default::default(),
        page_form: Vec::new(),
        line_offset: line,
        column_offset: column,
    }
}

#[test]
fn a_result_relabelled_for_another_copy_equals_that_copys_own_analysis() {
    let engine = Engine::new(
        Arc::new(RuleSet::load(false, &[]).unwrap()),
        HostPolicy::default(),
    );
    let corpus = corpus();
    assert!(corpus.len() >= 40, "the engine corpus moved");
    let mut jobs = Vec::new();
    for (_, code) in &corpus {
        jobs.push(job(code, "https://shop.example/checkout/", 0, 1, 1));
        jobs.push(job(code, "https://shop.example/cart/?step=2", 3, 37, 15));
    }
    let results = engine.analyse_batch(jobs.clone());
    assert_eq!(results.len(), jobs.len());
    let (mut shared, mut located) = (0, 0);
    for (i, (name, _)) in corpus.iter().enumerate() {
        let (a, b) = (&jobs[2 * i], &jobs[2 * i + 1]);
        let (ra, rb) = (&results[2 * i], &results[2 * i + 1]);
        if !ra.errors.is_empty() || !rb.errors.is_empty() {
            // A budget ran out (time, under a loaded machine): not comparable, and never kept.
            continue;
        }
        let Some(u) = Unbound::unbind(ra, &Identity::of(a)) else {
            continue;
        };
        shared += 1;
        located += usize::from(ra.findings.iter().any(|f| f.location.is_some()));
        assert_eq!(
            serde_json::to_string_pretty(&u.bind(&Identity::of(b))).unwrap(),
            serde_json::to_string_pretty(rb).unwrap(),
            "{name}: relabelled ≠ analysed"
        );
        // And the other way.
        let back = Unbound::unbind(rb, &Identity::of(b)).expect("b unbinds as a did");
        assert_eq!(
            serde_json::to_string(&back.bind(&Identity::of(a))).unwrap(),
            serde_json::to_string(ra).unwrap(),
            "{name}: relabelled back ≠ analysed"
        );
    }
    // Most of the corpus must be shareable, and findings with places among them, or this
    // test proves nothing.
    assert!(
        shared * 10 >= corpus.len() * 8,
        "only {shared} of {} results could be shared",
        corpus.len()
    );
    assert!(
        located >= 20,
        "only {located} shared results had located findings"
    );
}
