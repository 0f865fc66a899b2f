//! The engine's steady-state cost without a ten-minute bench build (a development aid):
//! `cargo run --release --example engine_loop -- DIR [ROUNDS] [full]` analyses every `*.js`
//! file of DIR once to warm up, then ROUNDS times (default 5) in one process on one
//! big-stack thread, as the `analysis` bench's `full_analysis` does, and after each round
//! parses them with oxc alone. Prints the best round of each and their ratio. With `full`,
//! parse-only is skipped (for `perf record` of the analysis alone). With `files`, prints each
//! file's best analysis and parse times instead (where the time goes, file by file).

use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::sync::Arc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: engine_loop DIR [ROUNDS] [full]"))?;
    let rounds: usize = args.next().map_or(Ok(5), |s| s.parse())?;
    let mode = args.next().unwrap_or_default();
    let only_full = mode == "full";
    let per_file = mode == "files";
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    paths.sort();
    let mut codes: Vec<(String, Arc<str>)> = Vec::new();
    for p in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(p)?).into();
        codes.push((p.display().to_string(), text));
    }
    let rules = Arc::new(RuleSet::load(false, &[])?);
    let engine = Engine::new(rules, HostPolicy::default());
    let jobs: Vec<AnalysisJob> = codes
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
    let report = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            for j in &jobs {
                engine.analyse_one(j);
            }
            if per_file {
                return per_file_times(&engine, &jobs, &codes, rounds);
            }
            let (mut full, mut parse) = (f64::MAX, f64::MAX);
            for _ in 0..rounds {
                let t = std::time::Instant::now();
                let n: usize = jobs
                    .iter()
                    .map(|j| engine.analyse_one(j).findings.len())
                    .sum();
                full = full.min(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(n);
                if only_full {
                    continue;
                }
                let t = std::time::Instant::now();
                let mut stmts = 0;
                for (_, code) in &codes {
                    let alloc = oxc_allocator::Allocator::default();
                    let ret = oxc_parser::Parser::new(&alloc, code, oxc_span::SourceType::script())
                        .parse();
                    stmts += ret.program.body.len();
                }
                std::hint::black_box(stmts);
                parse = parse.min(t.elapsed().as_secs_f64() * 1e3);
            }
            if only_full {
                format!("full {full:.1} ms")
            } else {
                format!(
                    "full {full:.1} ms  parse {parse:.1} ms  ratio {:.2}",
                    full / parse
                )
            }
        })?
        .join()
        .map_err(|_| anyhow::anyhow!("the analysis thread panicked"))?;
    println!("{report}");
    Ok(())
}

/// Each file's best analysis time and best oxc parse time over `rounds`, slowest first.
fn per_file_times(
    engine: &Engine,
    jobs: &[AnalysisJob],
    codes: &[(String, Arc<str>)],
    rounds: usize,
) -> String {
    let mut rows: Vec<(f64, f64, &str)> = Vec::new();
    for (j, (name, code)) in jobs.iter().zip(codes) {
        let (mut full, mut parse) = (f64::MAX, f64::MAX);
        for _ in 0..rounds {
            let t = std::time::Instant::now();
            std::hint::black_box(engine.analyse_one(j).findings.len());
            full = full.min(t.elapsed().as_secs_f64() * 1e3);
            let t = std::time::Instant::now();
            let alloc = oxc_allocator::Allocator::default();
            let ret = oxc_parser::Parser::new(&alloc, code, oxc_span::SourceType::script()).parse();
            std::hint::black_box(ret.program.body.len());
            parse = parse.min(t.elapsed().as_secs_f64() * 1e3);
        }
        let short = name.rsplit('/').next().unwrap_or(name);
        rows.push((full, parse, short));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (tf, tp): (f64, f64) = rows.iter().fold((0.0, 0.0), |(f, p), r| (f + r.0, p + r.1));
    let mut out = String::new();
    for (f, p, n) in &rows {
        out.push_str(&format!("{f:8.1} ms {p:7.1} ms {:6.1}x  {n}\n", f / p));
    }
    out.push_str(&format!("{tf:8.1} ms {tp:7.1} ms {:6.1}x  total", tf / tp));
    out
}
