//! The scan options as a user types them: on the command line (these are `clap` argument
//! groups, flattened into the commands by `crate::cli`) or, by the same names, in
//! `skimscan.toml`. They live with the configuration they resolve into, so `config` depends on
//! nothing above it: the command-line module uses them, not the other way round.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

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
