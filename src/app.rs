//! The commands: turn parsed arguments into work and the work into an exit code (cli.md):
//! 0 nothing at or above `--fail-on`, 1 something is, 2 usage/configuration/input error
//! (nothing was scanned), 3 the scan is incomplete and nothing reached `--fail-on`.

use crate::cli::{
    Cli, ColorChoice, Command, Format, RuleSourceArgs, RulesCommand, ScanArgs, ScanOptions,
};
use crate::config::{self, Config};
use crate::finding::FailOn;
use crate::report::{self, FormatContext, Formatter, Report};
use crate::rules::{ExampleExpectation, RuleSet};
use crate::scan::{self, ScanOutcome, ScanRequest};
use crate::target::{self, Target};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

/// A failure that ends the command before or instead of a report: exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl UsageError {
    fn from<E: std::fmt::Display>(e: E) -> Self {
        UsageError(e.to_string())
    }
}

/// The exit code a finished report deserves.
pub fn exit_code(report: &Report, fail_on: FailOn) -> u8 {
    if report.findings.iter().any(|f| fail_on.trips(f.severity)) {
        EXIT_FINDINGS
    } else if !report.complete {
        EXIT_INCOMPLETE
    } else {
        EXIT_OK
    }
}

pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Scan(args) => run_scan(args, cli.quiet),
        Command::Baseline(cmd) => crate::baseline_cmd::run(cmd, cli.quiet),
        Command::Rules(RulesCommand::List(src)) => rules_list(&src),
        Command::Rules(RulesCommand::Test { dir, source }) => rules_test(dir, &source),
        Command::Explain(args) => explain(&args.id, &args.source),
        Command::History(cmd) => crate::history_cmd::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("skimscan: error: {e}");
            EXIT_USAGE
        }
    }
}

pub fn load_rules(no_default: bool, dirs: &[std::path::PathBuf]) -> Result<RuleSet, UsageError> {
    RuleSet::load(no_default, dirs).map_err(|e| UsageError(format!("rule file {e}")))
}

pub fn runtime() -> Result<tokio::runtime::Runtime, UsageError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the async runtime: {e}")))
}

/// Resolve options, rules and targets: everything that can fail with exit 2 before scanning.
pub fn prepare(
    options: &ScanOptions,
    raw_targets: &[String],
) -> Result<(Config, Arc<RuleSet>, Vec<Target>), UsageError> {
    let config = config::resolve(options).map_err(UsageError::from)?;
    let rules = load_rules(config.no_default_rules, &config.rules_dirs)?;
    let targets = raw_targets
        .iter()
        .map(|t| target::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(UsageError::from)?;
    Ok((config, Arc::new(rules), targets))
}

pub fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Run the scan pipeline to its report.
pub fn scan_targets(
    config: Config,
    rules: Arc<RuleSet>,
    targets: Vec<Target>,
    extra_allowed: Vec<crate::hosts::HostPattern>,
    quiet: bool,
) -> Result<ScanOutcome, UsageError> {
    scan_targets_keeping(config, rules, targets, extra_allowed, quiet, None)
}

/// [`scan_targets`], keeping every body loaded for `--evidence`.
pub fn scan_targets_keeping(
    config: Config,
    rules: Arc<RuleSet>,
    targets: Vec<Target>,
    extra_allowed: Vec<crate::hosts::HostPattern>,
    quiet: bool,
    keep: Option<Arc<crate::evidence::Artifacts>>,
) -> Result<ScanOutcome, UsageError> {
    let multi = targets.len() > 1
        || targets
            .iter()
            .any(|t| matches!(t, Target::Url(_) | Target::SiteDir(_)));
    let progress = config.progress && !quiet && multi && std::io::stderr().is_terminal();
    let rt = runtime()?;
    let outcome = rt.block_on(scan::scan(ScanRequest {
        targets,
        config,
        rules,
        extra_allowed,
        progress,
        keep,
    }));
    // A parse abandoned after its time budget may still be running on a blocking thread; do
    // not wait for it (its result is already reported as an error).
    rt.shutdown_background();
    outcome.map_err(UsageError::from)
}

/// Write a report in the configured format to stdout or `--output`.
pub fn emit(outcome: &ScanOutcome, config: &Config, rules: &RuleSet) -> Result<(), UsageError> {
    emit_with(outcome, config, rules, report::html::Html::default())
}

/// [`emit`], with what only the HTML report shows (baseline notes, the history's timeline).
pub fn emit_with(
    outcome: &ScanOutcome,
    config: &Config,
    rules: &RuleSet,
    html: report::html::Html,
) -> Result<(), UsageError> {
    let to_terminal = config.output.is_none() && std::io::stdout().is_terminal();
    let ctx = FormatContext {
        sources: &outcome.sources,
        color: use_color(config.color, to_terminal),
        rules,
    };
    let formatter: Box<dyn Formatter> = match config.format {
        Format::Text => Box::new(report::text::Text),
        Format::Json => Box::new(report::json::Json),
        Format::Sarif => Box::new(report::sarif::Sarif),
        Format::Html => Box::new(html),
    };
    let mut buf = Vec::new();
    formatter
        .write(&outcome.report, &ctx, &mut buf)
        .map_err(|e| UsageError(format!("cannot format the report: {e}")))?;
    match &config.output {
        Some(path) => write_atomic(path, &buf)
            .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&buf).and_then(|_| out.flush()) {
                // A closed pipe (`| head`) is the reader's choice, not our failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| UsageError(format!("cannot write the report: {e}"))),
            }
        }
    }
}

/// Write a report or other output file atomically (see `crate::output`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::output::write_atomic(path, bytes)
}

fn run_scan(args: ScanArgs, quiet: bool) -> Result<u8, UsageError> {
    let raw_targets = crate::fleet_cmd::targets(&args.fleet, &args.targets)?;
    let mut options = args.options;
    args.report.apply(&mut options);
    let (config, rules, targets) = prepare(&options, &raw_targets)?;
    let notify = crate::fleet_cmd::notify_options(&args.fleet, &config)?;
    if let Some(out) = &config.output {
        crate::output::check_writable_dir(out).map_err(UsageError)?;
        refuse_report_over_inputs(out, &config, options.config.as_deref(), &targets)?;
    }
    let baseline = match &config.baseline {
        Some(p) => Some(crate::baseline_cmd::load(p)?),
        None => None,
    };
    let extra = baseline
        .as_ref()
        .map(crate::baseline_cmd::authorised_hosts)
        .unwrap_or_default();
    let mut incident = crate::incident::Incident::prepare(&args.incident)?;
    let mut outcome = scan_targets_keeping(
        config.clone(),
        rules.clone(),
        targets,
        extra,
        quiet,
        incident.keep.clone(),
    )?;
    if let (Some(b), Some(path)) = (&baseline, &config.baseline) {
        crate::baseline_cmd::compare(b, path, &mut outcome, &rules);
    }
    let (html, recorded) = incident.record(&outcome, baseline.as_ref());
    emit_with(&outcome, &config, &rules, html)?;
    recorded?;
    incident.finish(&outcome, &rules)?;
    let code = exit_code(&outcome.report, config.fail_on);
    Ok(match &notify {
        Some(n) => {
            crate::fleet_cmd::notify(n, &outcome.report, &config, code, incident.history_mut())
        }
        None => code,
    })
}

/// `-o` must never replace what the scan reads: the reviewed baseline above all, but also the
/// config, rule files, CA files and local targets.
fn refuse_report_over_inputs(
    out: &Path,
    config: &Config,
    config_file: Option<&Path>,
    targets: &[Target],
) -> Result<(), UsageError> {
    use crate::output::Input;
    const PAGES_AND_SCRIPTS: &[&str] = &["html", "htm", "js", "mjs", "cjs"];
    let mut inputs: Vec<Input<'_>> = Vec::new();
    let store = config
        .baseline
        .as_deref()
        .map(crate::baseline::CodeStore::for_baseline);
    if let Some(b) = &config.baseline {
        inputs.push(Input {
            path: b,
            what: "the baseline",
            read: &[],
        });
    }
    if let Some(s) = &store {
        inputs.push(Input {
            path: s.dir(),
            what: "the baseline's code store",
            read: &["js"],
        });
    }
    if let Some(c) = config_file {
        inputs.push(Input {
            path: c,
            what: "the config file",
            read: &[],
        });
    }
    for d in &config.rules_dirs {
        inputs.push(Input {
            path: d,
            what: "a rules directory",
            read: &["toml"],
        });
    }
    for c in &config.fetch.ca_certs {
        inputs.push(Input {
            path: c,
            what: "a CA certificate file",
            read: &[],
        });
    }
    for t in targets {
        match t {
            Target::HtmlFile(p) | Target::JsFile(p) | Target::SiteDir(p) | Target::Har(p) => inputs
                .push(Input {
                    path: p,
                    what: "a target",
                    read: PAGES_AND_SCRIPTS,
                }),
            Target::Url(_) => {}
        }
    }
    crate::output::refuse_input_overwrite(out, &inputs).map_err(UsageError)
}

fn rules_list(src: &RuleSourceArgs) -> Result<u8, UsageError> {
    let rules = load_rules(src.no_default_rules, &src.rules)?;
    let mut out = std::io::stdout().lock();
    let w = rules.iter().map(|r| r.id.len()).max().unwrap_or(2);
    let _ = writeln!(out, "{:<w$}  {:<8}  {:<9}  TITLE", "ID", "SEVERITY", "KIND");
    for r in rules.iter() {
        let kind = format!("{:?}", r.kind).to_lowercase();
        if writeln!(
            out,
            "{:<w$}  {:<8}  {:<9}  {}",
            r.id,
            r.severity.as_str(),
            kind,
            r.title
        )
        .is_err()
        {
            break;
        }
    }
    Ok(EXIT_OK)
}

fn explain(id: &str, src: &RuleSourceArgs) -> Result<u8, UsageError> {
    let rules = load_rules(src.no_default_rules, &src.rules)?;
    let Some(r) = rules.get(id) else {
        let mut near: Vec<&str> = rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|x| x.contains(id) || id.contains(*x))
            .collect();
        near.truncate(5);
        let hint = if near.is_empty() {
            "run `skimscan rules list` for every id".to_string()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return Err(UsageError(format!("no rule `{id}`: {hint}")));
    };
    let mut out = std::io::stdout().lock();
    let kind = format!("{:?}", r.kind).to_lowercase();
    let _ = writeln!(out, "{} ({}, {kind} rule)\n{}\n", r.id, r.severity, r.title);
    let _ = writeln!(out, "## What it does\n{}\n", r.doc.what.trim());
    let _ = writeln!(out, "## Why it matters\n{}\n", r.doc.why.trim());
    let _ = writeln!(out, "## Example\n{}\n", r.doc.example.trim());
    if !r.references.is_empty() {
        let _ = writeln!(out, "## References");
        for x in &r.references {
            let _ = writeln!(out, "- {x}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "defined in {}", r.origin);
    Ok(EXIT_OK)
}

/// Run every rule's own examples through the real pipeline: `js` examples are scanned as a
/// lone script (a payment page's script), `html` examples as a local page.
fn rules_test(dir: Option<std::path::PathBuf>, src: &RuleSourceArgs) -> Result<u8, UsageError> {
    let mut dirs = src.rules.clone();
    dirs.extend(dir);
    let rules = Arc::new(load_rules(src.no_default_rules, &dirs)?);
    let tmp = tempfile::tempdir().map_err(UsageError::from)?;
    let mut config = config::resolve(&ScanOptions::default()).map_err(UsageError::from)?;
    // A rule's examples test the engine as it is, not what a cache remembers of it.
    config.cache = crate::cache::CacheSetting::Off;
    let mut failed = 0usize;
    let mut passed = 0usize;
    let mut out = std::io::stdout().lock();
    for r in rules.iter() {
        for (i, ex) in r.examples.iter().enumerate() {
            let ext = if ex.lang == "html" { "html" } else { "js" };
            let path = tmp.path().join(format!("{}-{i}.{ext}", r.id));
            std::fs::write(&path, &ex.code).map_err(UsageError::from)?;
            let target = target::parse(&path.to_string_lossy()).map_err(UsageError::from)?;
            let outcome = scan_targets(
                config.clone(),
                rules.clone(),
                vec![target],
                Vec::new(),
                true,
            )?;
            let fired = outcome.report.findings.iter().any(|f| f.rule == r.id);
            let ok = match ex.expect {
                ExampleExpectation::Fail => fired,
                ExampleExpectation::Pass => !fired,
            };
            let what = match ex.expect {
                ExampleExpectation::Fail => "fires on its fail example",
                ExampleExpectation::Pass => "stays quiet on its pass example",
            };
            if ok {
                passed += 1;
                let _ = writeln!(out, "ok      {} #{} {what}", r.id, i + 1);
            } else {
                failed += 1;
                let _ = writeln!(
                    out,
                    "FAILED  {} #{} should have {}",
                    r.id,
                    i + 1,
                    if fired { "stayed quiet" } else { "fired" }
                );
                if let Some(n) = &ex.note {
                    let _ = writeln!(out, "        note: {n}");
                }
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    Ok(if failed > 0 { EXIT_FINDINGS } else { EXIT_OK })
}
