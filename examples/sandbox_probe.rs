//! Print what the sealed interpreter plans and produces for one script (a development aid):
//! `cargo run --example sandbox_probe -- FILE.js`. With `STUB_PAGE=1`, runs the script whole on
//! the stub page instead and prints what it read and sent (`sandbox::emulate::observe`);
//! `STUB_FIELDS` (JSON, a list of `js::StubField`) adds a page's payment fields to it,
//! `STUB_URL` gives its address.

use oxc_allocator::Allocator;
use oxc_span::SourceType;
use skimscan::js::sandbox::{self, engine::Limits, shapes::Plan};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: sandbox_probe FILE.js"))?;
    let src = std::fs::read_to_string(&path)?;
    if std::env::var_os("STUB_PAGE").is_some() {
        // `SKIMSCAN_LOG=skimscan::js::sandbox=trace` says where the run threw.
        if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SKIMSCAN_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
        }
        let obfuscated = sandbox::emulate::worth_running(&src);
        let fields: Vec<skimscan::js::StubField> = match std::env::var("STUB_FIELDS") {
            Ok(json) => serde_json::from_str(&json)?,
            Err(_) => Vec::new(),
        };
        let url = std::env::var("STUB_URL").ok();
        let at = sandbox::emulate::StubPage {
            url: url.as_deref(),
            fields: &fields,
        };
        let o = sandbox::emulate::observe(&src, sandbox::emulate::limits(obfuscated), at)?;
        println!("obfuscated (dense hex): {obfuscated}");
        if !o.asked_ids.is_empty() {
            println!("asked for before making anything: {:?}", o.asked_ids);
        }
        for (selector, value) in &o.reads {
            println!("read {selector} = {value}");
        }
        for (how, url, data) in &o.sends {
            println!(
                "send {how} {url} {}",
                data.chars().take(4000).collect::<String>()
            );
        }
        if let Some(layer) = sandbox::emulate::layer(&o, true) {
            println!("layer (flows of field data):\n{layer}");
        }
        return Ok(());
    }
    let alloc = Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, &src, SourceType::script()).parse();
    let plan = Plan::of(&src, &ret.program);
    let text = |s: oxc_span::Span| src.get(s.start as usize..s.end as usize).unwrap_or("");
    println!("setup: {}", plan.setup.len());
    for s in &plan.setup {
        println!(
            "  setup {:?}",
            &text(*s).chars().take(100).collect::<String>()
        );
    }
    println!("evaluations: {}", plan.evaluations.len());
    for e in plan.evaluations.iter().take(20) {
        println!(
            "  eval {:?}",
            &text(e.span).chars().take(100).collect::<String>()
        );
    }
    println!(
        "code_sinks {:?} packers {:?} loop {}",
        plan.code_sinks, plan.packers, plan.decoding_loop
    );
    for at in &plan.code_sinks {
        let rest = src.get(*at as usize..).unwrap_or("");
        println!("  sink {:?}", rest.chars().take(80).collect::<String>());
    }
    if std::env::var_os("PLAN_ONLY").is_some() {
        return Ok(());
    }
    println!(
        "late_reads {:?}",
        plan.late_reads.iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    let d = sandbox::run(&src, &plan, Limits::default(), |_| false);
    println!("exhausted {:?} replaced {}", d.exhausted, d.replaced);
    for l in &d.layers {
        println!(
            "--- layer {} at {:?}:\n{}",
            l.how,
            l.at,
            l.code.chars().take(400_000).collect::<String>()
        );
    }
    Ok(())
}
