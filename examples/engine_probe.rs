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
        page_host: None,
        payment_page: true,
        line_offset: 1,
        column_offset: 1,
    };
    let r = engine.analyse_batch(vec![job]).pop().unwrap_or_default();
    let out = serde_json::json!({
        "findings": r.findings,
        "errors": r.errors,
        "destinations": r.destinations,
        "loads": r.loads,
        "ms": t.elapsed().as_millis(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
