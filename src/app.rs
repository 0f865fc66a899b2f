//! The commands: turn parsed arguments into work and the work into an exit code (cli.md):
//! 0 nothing at or above `--fail-on`, 1 something is, 2 usage/configuration/input error
//! (nothing was scanned), 3 the scan is incomplete and nothing reached `--fail-on`.
//! This file dispatches and runs `scan` and `rules`; what the commands share is in
//! [`crate::command`].

use crate::cli::{Cli, Command, RuleSourceArgs, RulesCommand, ScanArgs, ScanOptions};
pub use crate::command::{
    EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, UsageError, exit_code,
};
use crate::command::{collect_targets, emit_with, load_rules, prepare, scan_targets};
use crate::config::{self, Config};
use crate::rules::ExampleExpectation;
use crate::target::{self, Target};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

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
    let mut collected = collect_targets(
        config.clone(),
        rules.clone(),
        targets,
        extra,
        quiet,
        incident.keep.clone(),
    )?;
    // The baseline's findings join the scan's before the report exists: its verdict, and so
    // the exit code, the history and the alerts, are made once from all of them.
    if let (Some(b), Some(path)) = (&baseline, &config.baseline) {
        crate::baseline_cmd::compare(b, path, &mut collected, &rules);
    }
    let outcome = collected.assemble();
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
