//! `skimscan baseline create|update` and `scan --baseline`: the glue between the command line
//! and `crate::baseline`. The library does the work; this file scans, prints and picks the exit
//! code (a corrupt or unknown-version baseline is exit 2 and is never written).

use crate::app::{self, UsageError};
use crate::baseline::{self, Baseline, CodeStore};
use crate::cli::BaselineCommand;
use crate::hosts::HostPattern;
use crate::rules::RuleSet;
use crate::scan::ScanOutcome;
use std::io::Write;
use std::path::Path;

pub type Loaded = Baseline;

pub fn load(path: &Path) -> Result<Loaded, UsageError> {
    baseline::load(path).map_err(|e| UsageError(e.to_string()))
}

pub fn authorised_hosts(b: &Loaded) -> Vec<HostPattern> {
    baseline::authorised_hosts(b)
}

pub fn compare(b: &Loaded, path: &Path, outcome: &mut ScanOutcome, rules: &RuleSet) {
    let store = CodeStore::for_baseline(path);
    baseline::compare(
        b,
        &mut outcome.report,
        &outcome.sources,
        Some(&store),
        rules,
    );
}

pub fn run(cmd: BaselineCommand, quiet: bool) -> Result<u8, UsageError> {
    let now = crate::scan::now_rfc3339();
    match cmd {
        BaselineCommand::Create {
            out,
            force,
            targets,
            options,
        } => {
            if out.exists() && !force {
                return Err(UsageError(format!(
                    "{}: already exists; use `skimscan baseline update` to refresh it, or --force to replace it",
                    out.display()
                )));
            }
            crate::output::check_writable_dir(&out).map_err(UsageError)?;
            let (config, rules, targets) = app::prepare(&options, &targets)?;
            let outcome = app::scan_targets(config.clone(), rules, targets, Vec::new(), quiet)?;
            let b = baseline::create_file(&out, force, &outcome.report, &outcome.sources, &now)
                .map_err(|e| UsageError(e.to_string()))?;
            if !quiet {
                let scripts: usize = b.pages.values().map(|p| p.scripts.len()).sum();
                eprintln!(
                    "skimscan: wrote {} ({} pages, {scripts} scripts); fill in each script's justification and owner, then commit it with {}",
                    out.display(),
                    b.pages.len(),
                    CodeStore::for_baseline(&out).dir().display()
                );
                warn_findings(&outcome);
            }
            Ok(app::exit_code(&outcome.report, config.fail_on))
        }
        BaselineCommand::Update {
            file,
            targets,
            options,
        } => {
            // Refuse a corrupt or unknown-version file before scanning anything.
            let old = load(&file)?;
            let targets = if targets.is_empty() {
                baseline::default_targets(&old)
            } else {
                targets
            };
            let (config, rules, targets) = app::prepare(&options, &targets)?;
            let outcome = app::scan_targets(
                config.clone(),
                rules,
                targets,
                baseline::authorised_hosts(&old),
                quiet,
            )?;
            let (_, changes) =
                baseline::update_file(&file, &old, &outcome.report, &outcome.sources, &now)
                    .map_err(|e| UsageError(e.to_string()))?;
            let mut out = std::io::stdout().lock();
            if changes.is_empty() {
                let _ = writeln!(out, "{}: nothing changed", file.display());
            }
            for c in &changes {
                let _ = writeln!(out, "{c}");
            }
            if !quiet {
                warn_findings(&outcome);
            }
            Ok(app::exit_code(&outcome.report, config.fail_on))
        }
    }
}

/// Recording a baseline over a skimmer would bless it: say so.
fn warn_findings(outcome: &ScanOutcome) {
    let r = &outcome.report;
    if !r.findings.is_empty() {
        eprintln!(
            "skimscan: warning: the scan that made this baseline reported {} finding(s) (verdict: {}); review them with `skimscan scan` before trusting the baseline",
            r.findings.len(),
            r.verdict.as_str()
        );
    }
    if !r.complete {
        eprintln!(
            "skimscan: warning: the scan was incomplete ({} error(s)); what it could not see was kept as recorded",
            r.errors.len()
        );
    }
}
