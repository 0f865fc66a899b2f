//! Command-line definitions (clap derive) and nothing else: what the user can type. Merging
//! these with `skimscan.toml` into one resolved configuration is `config.rs`'s job, so every
//! scanning option here is an `Option` (unset = "take the config file's value or the default").

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

/// Where rules come from.
#[derive(Debug, Args, Clone, Default)]
pub struct RuleSourceArgs {
    /// Load extra rule files from this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not load the rules shipped inside skimscan.
    #[arg(long)]
    pub no_default_rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Json,
    Sarif,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Options every scanning command takes (cli.md). All optional: unset falls back to the
/// config file, then to the documented default.
#[derive(Debug, Args, Clone, Default)]
pub struct ScanOptions {
    /// `scan`'s [`ReportArgs`], copied in by [`ReportArgs::apply`]; not options of the
    /// baseline commands.
    #[arg(skip)]
    pub format: Option<Format>,
    #[arg(skip)]
    pub output: Option<PathBuf>,
    #[arg(skip)]
    pub baseline: Option<PathBuf>,
    /// Exit 1 when a finding is at least this severe: info, low, medium, high (default), critical, never.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Authorise a host for scripts and payment data (repeatable; `*.example.com` allowed).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_host: Vec<String>,
    /// Let hosts found in page content resolve to private or loopback addresses.
    #[arg(long)]
    pub allow_private: bool,
    /// A skimscan.toml with any of these options plus per-site settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
    /// How many links deep to look for checkout pages from each target page (default 2).
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,
    /// At most this many discovered pages beyond the targets (default 25).
    #[arg(long, value_name = "N")]
    pub max_pages: Option<usize>,
    /// Pin HOST:PORT to ADDR, as curl does (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,
    /// Trust this extra PEM root certificate (repeatable).
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// Add a request header, "Name: value" (repeatable).
    #[arg(long, value_name = "NAME: VALUE")]
    pub header: Vec<String>,
    /// Send this Cookie header (e.g. a logged-in checkout session).
    #[arg(long, value_name = "COOKIE")]
    pub cookie: Option<String>,
    /// The User-Agent to send (default: a current desktop browser's).
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// Requests in flight at once (default 8).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Requests in flight at once to one host (default 4).
    #[arg(long, value_name = "N")]
    pub per_host: Option<usize>,
    /// Per-request timeout in seconds (default 20).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    /// The whole scan's time limit in seconds (default 600): pages, scripts and analyses not
    /// done by then are reported as errors (exit 3 unless a finding fires).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub deadline: Option<f64>,
    /// Largest response body accepted, after decompression: bytes, or with KB/MB/GB (default 10MB).
    #[arg(long, value_name = "SIZE")]
    pub max_body_size: Option<String>,
    /// Most redirects followed for one request (default 10).
    #[arg(long, value_name = "N")]
    pub max_redirects: Option<usize>,
    /// Retries for transient network failures (default 2).
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// For local .html files and site directories: also fetch their http(s) scripts (off by
    /// default, so scanning a suspect file never contacts the attacker's hosts).
    #[arg(long)]
    pub fetch_remote: bool,
    /// Colour in the text report: auto (a terminal and NO_COLOR unset), always, never.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
    /// Keep the analysis of code already seen in DIR between runs (default: the user's cache
    /// folder, e.g. ~/.cache/skimscan).
    #[arg(long, value_name = "DIR", env = "SKIMSCAN_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Analyse everything afresh: no cache on disk, and every copy of the same code analysed
    /// on its own (wins over --cache-dir).
    #[arg(long, env = "SKIMSCAN_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,
    #[command(flatten)]
    pub browser: BrowserArgs,
}

/// The browser pass (cli.md "The browser pass").
#[derive(Debug, Args, Clone, Default)]
pub struct BrowserArgs {
    /// Also load every payment page in headless Chromium as a customer would: inventory the
    /// scripts that run, type a canary card, press pay, report requests that carry it.
    #[arg(long)]
    pub browser: bool,
    /// The browser binary (default: chromium, chromium-browser, google-chrome on PATH).
    #[arg(long, value_name = "PATH")]
    pub chromium: Option<PathBuf>,
    /// Visitor profile, repeatable: desktop (default), mobile, search, returning.
    #[arg(long = "profile", value_name = "NAME")]
    pub profile: Vec<String>,
    /// Incident response: contact only hosts you named; answer everything else locally.
    #[arg(long)]
    pub contain: bool,
    /// Write the browser session(s) as HAR 1.2.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// Seconds to wait after pressing pay, for delayed senders (default 5).
    #[arg(long, value_name = "SECS")]
    pub browser_wait: Option<f64>,
}
