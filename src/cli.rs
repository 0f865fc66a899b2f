//! Command-line definitions (clap derive) and nothing else: what the user can type. Merging
//! these with `skimscan.toml` into one resolved configuration is `config.rs`'s job, so every
//! scanning option here is an `Option` (unset = "take the config file's value or the default").

pub use crate::config::options::{BrowserArgs, ColorChoice, Format, RuleSourceArgs, ScanOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "skimscan",
    version,
    about = "Find payment-page skimmers: inventory checkout scripts, diff them against a baseline, and flag code that sends card data to outside hosts",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More logging on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr, no progress bar.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan pages, sites or files for skimmers and unauthorised changes.
    Scan(ScanArgs),
    /// Record or refresh a reviewed baseline (the PCI DSS 6.4.3 script inventory).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// List the loaded rules or run their own examples.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Show a rule's documentation.
    Explain(ExplainArgs),
    /// Scans recorded with --history: exposure windows, weekly evidence, imports.
    #[command(subcommand)]
    History(HistoryCommand),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// URLs (http/https), .html files, .js files, directories holding a built site, or .har captures.
    #[arg(required_unless_present = "targets_file", value_name = "TARGET")]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub options: ScanOptions,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub incident: IncidentArgs,
}

/// Scanning many shops on a schedule: targets from a file, shards, alerts (`scan` only).
#[derive(Debug, Args, Clone, Default)]
pub struct FleetArgs {
    /// Targets, one a line (`#` comments), in addition to those on the command line.
    #[arg(long, value_name = "FILE")]
    pub targets_file: Option<PathBuf>,
    /// Scan only the I-th (0-based) of N stable shares of the targets (Kubernetes Indexed
    /// Jobs, CI matrices): the same target always lands on the same shard.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// POST a JSON alert here when the scan reaches --fail-on or is incomplete (repeatable).
    #[arg(long, value_name = "URL")]
    pub notify: Vec<String>,
    /// Sign alerts with the secret in this environment variable (X-Skimscan-Signature:
    /// sha256=<HMAC-SHA256 of the body>).
    #[arg(long, value_name = "VAR", requires = "notify")]
    pub notify_secret_env: Option<String>,
}

/// Options only `scan` takes: the baseline commands write a baseline, not a report, so they
/// refuse these rather than silently ignore them.
#[derive(Debug, Args, Clone, Default)]
pub struct ReportArgs {
    /// Report format on stdout: text (default), json, sarif or html (one self-contained file).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of stdout (never over an input of the scan).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compare with a baseline made by `baseline create`.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

impl ReportArgs {
    /// Copy these into the options `config::resolve` merges with the config file.
    pub fn apply(&self, options: &mut ScanOptions) {
        options.format = self.format;
        options.output = self.output.clone();
        options.baseline = self.baseline.clone();
    }
}

/// Incident response: evidence kept, scans recorded (`scan` only).
#[derive(Debug, Args, Clone, Default)]
pub struct IncidentArgs {
    /// Keep every artifact under DIR/artifacts/<sha256>, the JSON report as DIR/report.json and
    /// DIR/MANIFEST.sha256 (checked by `sha256sum -c`).
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Write --evidence into a directory that is not empty (replacing an earlier bundle).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub history: HistoryDb,
}

/// Where scans are recorded.
#[derive(Debug, Args, Clone, Default)]
pub struct HistoryDb {
    /// Record the scan in this history: a file path (embedded SQLite, created on first use) or
    /// a postgres://user:password@host:port/db URL (PostgreSQL; tables created on first use).
    #[arg(long = "history", value_name = "DB", env = "SKIMSCAN_HISTORY")]
    pub db: Option<String>,
}

/// Output of the history commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum HistoryFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Scans recorded: time, sites, verdict, complete.
    List {
        /// Only scans that covered this site (a host, or a local site's folder).
        #[arg(long, value_name = "HOST")]
        site: Option<String>,
        #[command(flatten)]
        db: HistoryDb,
        #[arg(long, value_enum, default_value_t)]
        format: HistoryFormat,
    },
    /// Exposure window of a script: first seen, last seen, pages, versions, scans (exit 1 if never seen).
    Script {
        /// The script's sha256, or its URL (every version it served).
        #[arg(value_name = "SHA256|URL")]
        script: String,
        #[command(flatten)]
        db: HistoryDb,
        #[arg(long, value_enum, default_value_t)]
        format: HistoryFormat,
    },
    /// Exit 1 if a site (or a target of --targets-file) has no complete scan within --max-age
    /// (PCI DSS 11.6.1 weekly evidence).
    Check {
        /// The window, e.g. 8d, 36h, 1w.
        #[arg(long, value_name = "DURATION")]
        max_age: String,
        /// Check only this site.
        #[arg(long, value_name = "HOST")]
        site: Option<String>,
        /// Check every target of this file (the fleet's `scan --targets-file`): exit 1 if any
        /// has no complete scan in the window, listing them.
        #[arg(long, value_name = "FILE", conflicts_with = "site")]
        targets_file: Option<PathBuf>,
        #[command(flatten)]
        db: HistoryDb,
        #[arg(long, value_enum, default_value_t)]
        format: HistoryFormat,
    },
    /// Add earlier JSON reports (`scan --format json`); each report's started_at is its time.
    Import {
        #[arg(required = true, value_name = "REPORT.json")]
        reports: Vec<PathBuf>,
        #[command(flatten)]
        db: HistoryDb,
        #[arg(long, value_enum, default_value_t)]
        format: HistoryFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan the targets and write a new baseline.
    Create {
        /// Where to write the baseline (refuses to overwrite an existing file without --force).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Overwrite an existing baseline file.
        #[arg(long)]
        force: bool,
        #[arg(required = true, value_name = "TARGET")]
        targets: Vec<String>,
        #[command(flatten)]
        options: ScanOptions,
    },
    /// Re-record a baseline's site, keeping every justification and owner, and print what changed.
    Update {
        /// The baseline to update in place (atomically).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Targets to scan (default: the pages recorded in the baseline).
        #[arg(value_name = "TARGET")]
        targets: Vec<String>,
        #[command(flatten)]
        options: ScanOptions,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Id, severity, kind and title of every loaded rule.
    List(RuleSourceArgs),
    /// Run every rule's own pass/fail examples; exit 1 if any fails.
    Test {
        /// Also load and test the rules in this directory (as --rules does).
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
        #[command(flatten)]
        source: RuleSourceArgs,
    },
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, as `rules list` shows it.
    #[arg(value_name = "RULE-ID")]
    pub id: String,
    #[command(flatten)]
    pub source: RuleSourceArgs,
}
