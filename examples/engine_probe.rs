//! Print the engine's findings for one JavaScript file as JSON (a development aid until the
//! CLI drives the engine): `cargo run --release --example engine_probe -- FILE.js`.

use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::sync::Arc;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: engine_probe FILE.js"))?;
    // `SKIMSCAN_LOG=skimscan::js::facts=trace` prints the facts the rules are given.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SKIMSCAN_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    }
    let bytes = std::fs::read(&path)?;
    let code: Arc<str> = String::from_utf8_lossy(&bytes).into();
    let rules = Arc::new(RuleSet::load(false, &[])?);
    let engine = Engine::new(rules, HostPolicy::default());
    let t = std::time::Instant::now();
    let job = AnalysisJob {
        script_id: path.clone(),
        kind: ScriptKind::External,
        code,
        page_url: path.clone(),
        // `SKIMSCAN_PROBE_HOST=shop.example`: the page's host, as a scan of that shop knows it.
        page_host: std::env::var("SKIMSCAN_PROBE_HOST").ok(),
        payment_page: true,
        // `engine_probe FILE id,name,…`: the page's payment fields known from their labels
        // or autocomplete, as the scan passes them.
        page_fields: std::env::args()
            .nth(2)
            .map(|f| f.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        page_values: Default::default(),
        page_form: Vec::new(),
        line_offset: 1,
        column_offset: 1,
    };
    // A page (as evaluate.py decides): analyse its inline scripts the way the page pipeline
    // will, one job each, with their line offsets.
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2000)]).to_lowercase();
    let page =
        head.contains("<html") || head.contains("<!doctype") || head.trim_start().starts_with('<');
    let jobs = if page {
        let text = job.code.clone();
        skimscan::js::markup::inline_script_ranges(&text)
            .into_iter()
            .enumerate()
            .map(|(i, (s, e))| {
                let line = text[..s].matches('\n').count() as u32 + 1;
                let col = text[..s]
                    .rsplit('\n')
                    .next()
                    .map_or(0, |l| l.chars().count()) as u32
                    + 1;
                AnalysisJob {
                    script_id: format!("{path}#inline-{i}"),
                    kind: ScriptKind::Inline,
                    code: text[s..e].into(),
                    line_offset: line,
                    column_offset: col,
                    page_fields: Vec::new(),
                    ..job.clone()
                }
            })
            .collect()
    } else {
        vec![job]
    };
    let results = engine.analyse_batch(jobs);
    let mut findings = Vec::new();
    if page {
        // What the page pipeline can add with the engine's two page-level checks.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        findings.extend(engine.check_page_text(&path, &text));
        let srcs = regex::Regex::new(r#"(?i)<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)"#)?;
        for c in srcs.captures_iter(&text) {
            if let Some(u) = c.get(1) {
                findings.extend(engine.check_script_url(&path, None, u.as_str()));
            }
        }
    }
    let mut errors = Vec::new();
    let mut destinations = std::collections::BTreeSet::new();
    let mut loads = Vec::new();
    for r in results {
        findings.extend(r.findings);
        errors.extend(r.errors);
        destinations.extend(r.destinations);
        loads.extend(r.loads);
    }
    let out = serde_json::json!({
        "findings": findings,
        "errors": errors,
        "destinations": destinations,
        "loads": loads,
        "ms": t.elapsed().as_millis(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
