//! Engine throughput, one thread: full analysis against oxc parse-only on the same bytes.
//!
//! Inputs: every file in the directories of `SKIMSCAN_BENCH_DIRS` (colon-separated; e.g. the
//! benign libraries from `benign/fetch.sh` and the real corpus), or, when unset, the engine's
//! own technique fixtures. Run: `SKIMSCAN_BENCH_DIRS=/tmp/benign:../shared/corpus/real cargo
//! bench --bench analysis`. The numbers are recorded in BENCHMARKS.md ("Engine speed").

use divan::Bencher;
use divan::counter::BytesCount;
use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn main() {
    divan::main();
}

fn inputs() -> &'static Vec<(String, Arc<str>)> {
    static INPUTS: OnceLock<Vec<(String, Arc<str>)>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let dirs: Vec<PathBuf> = match std::env::var("SKIMSCAN_BENCH_DIRS") {
            Ok(v) => v
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect(),
            Err(_) => vec![
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine/skimmers"),
            ],
        };
        let mut out = Vec::new();
        for d in dirs {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            paths.sort();
            for p in paths {
                if p.file_name().is_some_and(|n| n == "MANIFEST.tsv") {
                    continue;
                }
                if let Ok(b) = std::fs::read(&p) {
                    out.push((p.display().to_string(), String::from_utf8_lossy(&b).into()));
                }
            }
        }
        out
    })
}

fn total_bytes() -> usize {
    inputs().iter().map(|(_, c)| c.len()).sum()
}

#[divan::bench(sample_count = 10)]
fn oxc_parse_only(b: Bencher) {
    b.counter(BytesCount::new(total_bytes())).bench(|| {
        let mut stmts = 0;
        for (_, code) in inputs() {
            let alloc = oxc_allocator::Allocator::default();
            let ret = oxc_parser::Parser::new(&alloc, code, oxc_span::SourceType::script()).parse();
            stmts += ret.program.body.len();
        }
        stmts
    });
}

/// What the sealed interpreter adds (issue 11's "≤ 10 % on ordinary code"): parse, find the
/// decoder shapes, and run the sandbox wherever the plan says it is worth it, counting every
/// code sink as not folded (an upper bound: the engine skips sinks the evaluator decoded).
/// Its time minus `oxc_parse_only` is the sandbox's share of `full_analysis`.
#[divan::bench(sample_count = 10)]
fn parse_and_sandbox(b: Bencher) {
    b.counter(BytesCount::new(total_bytes())).bench(|| {
        let mut layers = 0;
        for (_, code) in inputs() {
            let alloc = oxc_allocator::Allocator::default();
            let ret = oxc_parser::Parser::new(&alloc, code, oxc_span::SourceType::script()).parse();
            layers += skimscan::js::sandbox::decode(code, &ret.program, |_| false, false)
                .layers
                .len();
        }
        layers
    });
}

#[divan::bench(sample_count = 10)]
fn full_analysis(b: Bencher) {
    let rules = Arc::new(RuleSet::load(false, &[]).expect("shipped rules"));
    let engine = Engine::new(rules, HostPolicy::default());
    let jobs: Vec<AnalysisJob> = inputs()
        .iter()
        .map(|(name, code)| AnalysisJob {
            script_id: name.clone(),
            kind: ScriptKind::External,
            code: code.clone(),
            page_url: name.clone(),
            page_host: None,
            payment_page: true,
            page_fields: Vec::new(),
            page_values: Default::default(),
            page_form: Vec::new(),
            line_offset: 1,
            column_offset: 1,
        })
        .collect();
    // The bench thread's stack is small; run on one big-stack thread as the engine does.
    b.counter(BytesCount::new(total_bytes())).bench(|| {
        let jobs = jobs.clone();
        let engine = engine.clone();
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                jobs.iter()
                    .map(|j| engine.analyse_one(j).findings.len())
                    .sum::<usize>()
            })
            .ok()
            .and_then(|h| h.join().ok())
    });
}
