//! `skimscan baseline create|update` and `scan --baseline`: the glue between the command line
//! and `crate::baseline`. The library does the work; this file scans, prints and picks the exit
//! code (a corrupt or unknown-version baseline is exit 2 and is never written). Both commands
//! hold the baseline's lock while they run, and `update` refuses to overwrite an edit made
//! while it scanned.

use crate::baseline::{self, Baseline, CodeStore};
use crate::cli::BaselineCommand;
use crate::command::{self as app, UsageError};
use crate::finding::{FailOn, Severity};
use crate::hosts::HostPattern;
use crate::rules::RuleSet;
use crate::scan::{Collected, ScanOutcome};
use std::io::Write;
use std::path::Path;

pub type Loaded = Baseline;

pub fn load(path: &Path) -> Result<Loaded, UsageError> {
    baseline::load(path).map_err(|e| UsageError(e.to_string()))
}

pub fn authorised_hosts(b: &Loaded) -> Vec<HostPattern> {
    baseline::authorised_hosts(b)
}

/// `scan --baseline`: compare what the scan collected with the baseline and add the result to
/// it, before the report (and its verdict) is assembled.
pub fn compare(b: &Loaded, path: &Path, collected: &mut Collected, rules: &RuleSet) {
    let store = CodeStore::for_baseline(path);
    baseline::compare(b, &collected.parts, &collected.sources, Some(&store), rules)
        .add_to(&mut collected.parts);
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
            let _lock =
                baseline::BaselineLock::acquire(&out).map_err(|e| UsageError(e.to_string()))?;
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
                warn_findings(&outcome, config.fail_on);
            }
            Ok(app::exit_code(&outcome.report, config.fail_on))
        }
        BaselineCommand::Update {
            file,
            targets,
            options,
        } => {
            // Another command writing this baseline would lose one of the two results.
            let _lock =
                baseline::BaselineLock::acquire(&file).map_err(|e| UsageError(e.to_string()))?;
            // Refuse a corrupt or unknown-version file before scanning anything.
            let (old, stamp) =
                baseline::load_stamped(&file).map_err(|e| UsageError(e.to_string()))?;
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
            let (_, changes) = baseline::update_file_checked(
                &file,
                &old,
                &stamp,
                &outcome.report,
                &outcome.sources,
                &now,
            )
            .map_err(|e| UsageError(e.to_string()))?;
            let mut out = std::io::stdout().lock();
            if changes.is_empty() {
                let _ = writeln!(out, "{}: nothing changed", file.display());
            }
            for c in &changes {
                let _ = writeln!(out, "{c}");
            }
            if !quiet {
                warn_findings(&outcome, config.fail_on);
            }
            Ok(app::exit_code(&outcome.report, config.fail_on))
        }
    }
}

/// Recording a baseline over a skimmer would bless it: say so. The warning fires at the level
/// the scan itself fails at (`--fail-on`, default high), so it agrees with the exit code and is
/// not worn out by hygiene findings (a lone `low` missing CSP); with `--fail-on never`, which
/// only silences the exit code, it still fires from `high` up.
fn warn_findings(outcome: &ScanOutcome, fail_on: FailOn) {
    let r = &outcome.report;
    let level = match fail_on {
        FailOn::At(s) => s,
        FailOn::Never => Severity::High,
    };
    let serious: Vec<Severity> = r
        .findings
        .iter()
        .map(|f| f.severity)
        .filter(|s| *s >= level)
        .collect();
    if !serious.is_empty() {
        let mut counts: Vec<String> = Vec::new();
        for s in Severity::ALL.into_iter().rev() {
            let n = serious.iter().filter(|x| **x == s).count();
            if n > 0 {
                counts.push(format!("{n} {}", s.as_str()));
            }
        }
        eprintln!(
            "skimscan: warning: the scan that made this baseline found {} finding(s) at or above {} ({}); review them with `skimscan scan` before trusting the baseline",
            serious.len(),
            level.as_str(),
            counts.join(", ")
        );
    }
    if !r.complete {
        eprintln!(
            "skimscan: warning: the scan was incomplete ({} error(s)); what it could not see was kept as recorded",
            r.errors.len()
        );
    }
}
