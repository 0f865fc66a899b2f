//! What every command shares: exit codes, the usage error, preparing options, rules and
//! targets, running the scan pipeline, and writing its report. The commands (`app` for `scan`
//! and `rules`, `baseline_cmd`, `history_cmd`, `fleet_cmd`, `incident`) use this module and
//! never each other, so the command layer has no cycles.

use crate::cli::{ColorChoice, Format, ScanOptions};
use crate::config::{self, Config};
use crate::finding::FailOn;
use crate::report::{self, FormatContext, Formatter, Report};
use crate::rules::RuleSet;
use crate::scan::{self, Collected, ScanOutcome, ScanRequest};
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
    pub(crate) fn from<E: std::fmt::Display>(e: E) -> Self {
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
    collect_targets(config, rules, targets, extra_allowed, quiet, None).map(Collected::assemble)
}

/// Run the scan pipeline to the report's parts, not yet assembled, so `scan --baseline` can
/// add its comparison before the verdict is made; `keep` keeps every body loaded for
/// `--evidence`.
pub fn collect_targets(
    config: Config,
    rules: Arc<RuleSet>,
    targets: Vec<Target>,
    extra_allowed: Vec<crate::hosts::HostPattern>,
    quiet: bool,
    keep: Option<Arc<crate::evidence::Artifacts>>,
) -> Result<Collected, UsageError> {
    let multi = targets.len() > 1
        || targets
            .iter()
            .any(|t| matches!(t, Target::Url(_) | Target::SiteDir(_)));
    let progress: Arc<dyn scan::progress::Progress> =
        if config.progress && !quiet && multi && std::io::stderr().is_terminal() {
            Arc::new(crate::spinner::Spinner::start())
        } else {
            Arc::new(scan::progress::Silent)
        };
    let rt = runtime()?;
    let collected = rt.block_on(scan::collect(ScanRequest {
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
    collected.map_err(UsageError::from)
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
