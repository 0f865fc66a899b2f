//! One resolved configuration from the command line and `skimscan.toml`: the command line wins,
//! then the config file, then the documented defaults. Every key of the file is the long option
//! of the same name (`fail-on`, `allow-host`, …; repeatable options take arrays), plus
//! `[sites."host"]` tables for per-site allowed hosts. Unknown keys and bad values are errors
//! that name the file and line, because a typo in a security tool's config must not silently
//! weaken it.

use crate::cache::CacheSetting;
pub mod options;

use crate::fetch::{self, FetchOptions, ResolveEntry};
use crate::finding::FailOn;
use crate::hosts::HostPattern;
pub use options::{ColorChoice, Format, ScanOptions};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A configuration problem: exit 2. `path`/`line` are set when it comes from the config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    File {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{0}")]
    Usage(String),
}

/// Per-site settings: `[sites."shop.example"]` applies to pages whose host is that host (or,
/// with `*.`, below it).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SiteFile {
    #[serde(default)]
    allow_host: Vec<String>,
}

/// A byte size: a number of bytes or a string such as "10MB", "512 KiB".
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SizeValue {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    format: Option<Format>,
    output: Option<PathBuf>,
    baseline: Option<PathBuf>,
    fail_on: Option<String>,
    #[serde(default)]
    allow_host: Vec<String>,
    allow_private: Option<bool>,
    #[serde(default)]
    rules: Vec<PathBuf>,
    no_default_rules: Option<bool>,
    depth: Option<u32>,
    max_pages: Option<usize>,
    #[serde(default)]
    resolve: Vec<String>,
    #[serde(default)]
    ca_cert: Vec<PathBuf>,
    #[serde(default)]
    header: Vec<String>,
    cookie: Option<String>,
    user_agent: Option<String>,
    concurrency: Option<usize>,
    per_host: Option<usize>,
    timeout: Option<f64>,
    deadline: Option<f64>,
    max_body_size: Option<SizeValue>,
    max_redirects: Option<usize>,
    retries: Option<u32>,
    fetch_remote: Option<bool>,
    color: Option<ColorChoice>,
    no_progress: Option<bool>,
    cache_dir: Option<PathBuf>,
    no_cache: Option<bool>,
    browser: Option<bool>,
    chromium: Option<PathBuf>,
    #[serde(default)]
    profile: Vec<String>,
    contain: Option<bool>,
    har: Option<PathBuf>,
    browser_wait: Option<f64>,
    #[serde(default)]
    sites: BTreeMap<String, SiteFile>,
}

/// Everything a scan needs, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub format: Format,
    pub output: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub fail_on: FailOn,
    /// `--allow-host` and the config's `allow-host`: authorised everywhere.
    pub allow_hosts: Vec<HostPattern>,
    /// Per-site authorised hosts: (site pattern, hosts).
    pub sites: Vec<(HostPattern, Vec<HostPattern>)>,
    pub rules_dirs: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub depth: u32,
    pub max_pages: usize,
    /// Fetch settings; `named_hosts` is completed by the scan with the targets' hosts.
    pub fetch: FetchOptions,
    /// `--deadline`: the whole scan's time limit, from the start of the pipeline.
    pub deadline: Duration,
    pub fetch_remote: bool,
    pub color: ColorChoice,
    pub progress: bool,
    /// `--cache-dir` / `--no-cache`: where analyses are kept between runs.
    pub cache: crate::cache::CacheSetting,
    /// `--browser` and its settings; `None` when the browser pass is off.
    pub browser: Option<crate::browser::BrowserOptions>,
}

pub const DEFAULT_DEPTH: u32 = 2;
pub const DEFAULT_MAX_PAGES: usize = 25;
/// Ten minutes: far beyond a healthy scan of a shop (seconds), short enough that a scheduled
/// scan of a site that stalls every script still reports within the hour.
pub const DEFAULT_DEADLINE_SECS: f64 = 600.0;
/// A day: a longer limit is no limit.
const MAX_DEADLINE_SECS: f64 = 86_400.0;
const MAX_TIMEOUT_SECS: f64 = 3600.0;

impl Config {
    /// Authorised hosts for pages of `page_host`: the global list plus matching `[sites]`.
    pub fn allowed_for(&self, page_host: Option<&str>) -> Vec<HostPattern> {
        let mut out = self.allow_hosts.clone();
        if let Some(h) = page_host {
            for (site, hosts) in &self.sites {
                if site.matches(h) {
                    out.extend(hosts.iter().cloned());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Parse "10MB", "512 KiB", "1048576" into bytes (KB = 1000, KiB = 1024; MB/GB likewise).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (try 10MB or 1048576)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("`{s}`: unknown size unit `{other}`")),
    };
    let bytes = n * mult;
    if !(1.0..=1e12).contains(&bytes) {
        return Err(format!("`{s}` is out of range (1 byte to 1 TB)"));
    }
    Ok(bytes as u64)
}

fn parse_header(h: &str) -> Result<(String, String), String> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| format!("header `{h}` must look like \"Name: value\""))?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_!#$%&'*+.^`|~".contains(&b))
    {
        return Err(format!("header `{h}` has an invalid name"));
    }
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(format!(
            "header `{}` has a line break or NUL in its value",
            name.trim()
        ));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// A number of seconds: finite, more than 0, at most `max`.
fn check_secs(name: &str, v: f64, max: f64) -> Result<(), String> {
    if v.is_finite() && v > 0.0 && v <= max {
        Ok(())
    } else {
        Err(format!(
            "{name} must be more than 0 and at most {max} seconds, not {v}"
        ))
    }
}

fn host_patterns(list: &[String]) -> Result<Vec<HostPattern>, String> {
    list.iter().map(|h| HostPattern::parse(h)).collect()
}

/// Find the line of a key in the config text, for errors about values serde accepted as types
/// but we reject as meaning (a bad severity, a bad host pattern).
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(key) && l[key.len()..].trim_start().starts_with('=')
        })
        .map(|i| i + 1)
}

/// Merge the command line with the config file (if any) into a [`Config`].
pub fn resolve(cli: &ScanOptions) -> Result<Config, ConfigError> {
    match &cli.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| ConfigError::File {
                path: p.clone(),
                line: None,
                message: format!("cannot read: {e}"),
            })?;
            resolve_text(cli, p, &text)
        }
        None => resolve_file(cli, ConfigFile::default(), "", None),
    }
}

/// Like [`resolve`], with the config file's text already read (`path` names it in errors and
/// anchors its relative paths). The fuzz targets load untrusted config text through this.
pub fn resolve_text(cli: &ScanOptions, path: &Path, text: &str) -> Result<Config, ConfigError> {
    let parsed: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::File {
        path: path.to_path_buf(),
        line: e.span().map(|s| crate::rules::line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    resolve_file(cli, parsed, text, Some(path))
}

fn resolve_file(
    cli: &ScanOptions,
    file: ConfigFile,
    text: &str,
    path: Option<&Path>,
) -> Result<Config, ConfigError> {
    let base_dir = path
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let rel = |p: &PathBuf| {
        if p.is_absolute() {
            p.clone()
        } else {
            base_dir.join(p)
        }
    };
    // A bad value from the file names the file and the key's line; from the CLI, the option.
    let file_err = |key: &str, message: String| match path {
        Some(p) => ConfigError::File {
            path: p.to_path_buf(),
            line: line_of_key(text, key),
            message,
        },
        None => ConfigError::Usage(message),
    };

    let fail_on = match (&cli.fail_on, &file.fail_on) {
        (Some(v), _) => v.parse::<FailOn>().map_err(ConfigError::Usage)?,
        (None, Some(v)) => v.parse::<FailOn>().map_err(|m| file_err("fail-on", m))?,
        (None, None) => FailOn::default(),
    };
    let mut allow_hosts = host_patterns(&cli.allow_host).map_err(ConfigError::Usage)?;
    allow_hosts.extend(host_patterns(&file.allow_host).map_err(|m| file_err("allow-host", m))?);
    let mut sites = Vec::new();
    for (site, s) in &file.sites {
        let pat = HostPattern::parse(site).map_err(|m| file_err("[sites", m))?;
        let hosts = host_patterns(&s.allow_host).map_err(|m| file_err("allow-host", m))?;
        sites.push((pat, hosts));
    }

    let mut resolve = Vec::new();
    for r in &cli.resolve {
        resolve.push(
            r.parse::<ResolveEntry>()
                .map_err(|m| ConfigError::Usage(format!("--resolve {m}")))?,
        );
    }
    for r in &file.resolve {
        resolve.push(
            r.parse::<ResolveEntry>()
                .map_err(|m| file_err("resolve", m))?,
        );
    }
    let mut headers = Vec::new();
    for h in &cli.header {
        headers.push(parse_header(h).map_err(ConfigError::Usage)?);
    }
    for h in &file.header {
        headers.push(parse_header(h).map_err(|m| file_err("header", m))?);
    }
    let timeout = cli
        .timeout
        .or(file.timeout)
        .unwrap_or(fetch::DEFAULT_TIMEOUT_SECS as f64);
    if let Err(m) = check_secs("timeout", timeout, MAX_TIMEOUT_SECS) {
        return Err(if cli.timeout.is_some() {
            ConfigError::Usage(m)
        } else {
            file_err("timeout", m)
        });
    }
    let deadline = cli
        .deadline
        .or(file.deadline)
        .unwrap_or(DEFAULT_DEADLINE_SECS);
    if let Err(m) = check_secs("deadline", deadline, MAX_DEADLINE_SECS) {
        return Err(if cli.deadline.is_some() {
            ConfigError::Usage(m)
        } else {
            file_err("deadline", m)
        });
    }
    let max_body = match (&cli.max_body_size, &file.max_body_size) {
        (Some(s), _) => {
            parse_size(s).map_err(|m| ConfigError::Usage(format!("--max-body-size {m}")))?
        }
        // A plain number gets the same range check as "10MB" (0 would refuse every body).
        (None, Some(SizeValue::Bytes(b))) => {
            parse_size(&b.to_string()).map_err(|m| file_err("max-body-size", m))?
        }
        (None, Some(SizeValue::Text(s))) => {
            parse_size(s).map_err(|m| file_err("max-body-size", m))?
        }
        (None, None) => fetch::DEFAULT_MAX_BODY,
    };
    let concurrency = cli
        .concurrency
        .or(file.concurrency)
        .unwrap_or(fetch::DEFAULT_CONCURRENCY);
    let per_host = cli
        .per_host
        .or(file.per_host)
        .unwrap_or(fetch::DEFAULT_PER_HOST);
    for (name, v, from_cli) in [
        ("concurrency", concurrency, cli.concurrency.is_some()),
        ("per-host", per_host, cli.per_host.is_some()),
    ] {
        if !(1..=1024).contains(&v) {
            let m = format!("{name} must be between 1 and 1024, not {v}");
            return Err(if from_cli {
                ConfigError::Usage(m)
            } else {
                file_err(name, m)
            });
        }
    }
    let retries = cli
        .retries
        .or(file.retries)
        .unwrap_or(fetch::DEFAULT_RETRIES);
    if retries > 10 {
        let m = format!("retries must be between 0 and 10, not {retries}");
        return Err(if cli.retries.is_some() {
            ConfigError::Usage(m)
        } else {
            file_err("retries", m)
        });
    }
    let max_pages = cli
        .max_pages
        .or(file.max_pages)
        .unwrap_or(DEFAULT_MAX_PAGES);
    if max_pages == 0 {
        let m = "max-pages must be at least 1".to_string();
        return Err(if cli.max_pages.is_some() {
            ConfigError::Usage(m)
        } else {
            file_err("max-pages", m)
        });
    }
    let mut ca_certs: Vec<PathBuf> = cli.ca_cert.clone();
    ca_certs.extend(file.ca_cert.iter().map(&rel));
    let mut rules_dirs = cli.rules.rules.clone();
    rules_dirs.extend(file.rules.iter().map(&rel));

    let fetch = FetchOptions {
        timeout: Duration::from_secs_f64(timeout),
        max_body,
        max_redirects: cli
            .max_redirects
            .or(file.max_redirects)
            .unwrap_or(fetch::DEFAULT_MAX_REDIRECTS),
        user_agent: cli
            .user_agent
            .clone()
            .or(file.user_agent.clone())
            .unwrap_or_else(|| fetch::DEFAULT_USER_AGENT.to_string()),
        headers,
        cookie: cli.cookie.clone().or(file.cookie.clone()),
        resolve,
        ca_certs,
        concurrency,
        per_host,
        retries,
        allow_private: cli.allow_private || file.allow_private.unwrap_or(false),
        named_hosts: Vec::new(),
    };

    let b = &cli.browser;
    let browser = if b.browser || file.browser.unwrap_or(false) {
        let mut o = crate::browser::BrowserOptions::new(fetch.timeout);
        o.chromium = b.chromium.clone().or(file.chromium.as_ref().map(&rel));
        let (names, from_cli) = match b.profile.is_empty() {
            false => (&b.profile, true),
            true => (&file.profile, false),
        };
        let mut profiles = Vec::new();
        for n in names {
            let p = n.parse().map_err(|m: String| match from_cli {
                true => ConfigError::Usage(format!("--profile: {m}")),
                false => file_err("profile", m),
            })?;
            if !profiles.contains(&p) {
                profiles.push(p);
            }
        }
        if !profiles.is_empty() {
            o.profiles = profiles;
        }
        o.contain = b.contain || file.contain.unwrap_or(false);
        o.har = b.har.clone().or(file.har.as_ref().map(&rel));
        if let Some(w) = b.browser_wait.or(file.browser_wait) {
            if !(w.is_finite() && (0.0..=120.0).contains(&w)) {
                return Err(ConfigError::Usage(format!(
                    "browser-wait must be between 0 and 120 seconds, not {w}"
                )));
            }
            o.wait_after_click = Duration::from_secs_f64(w);
            o.page_timeout = fetch.timeout + o.wait_after_click + Duration::from_secs(10);
        }
        Some(o)
    } else {
        let browser_only = b.chromium.is_some() || !b.profile.is_empty() || b.contain;
        if browser_only || b.har.is_some() || b.browser_wait.is_some() {
            return Err(ConfigError::Usage(
                "--chromium, --profile, --contain, --har and --browser-wait need --browser".into(),
            ));
        }
        None
    };

    // The command line (and its environment variables) first, then the file; `no-cache` wins
    // at each level. No cache folder known (no HOME): analyses are still shared within the scan.
    let cache = if cli.no_cache {
        CacheSetting::Off
    } else if let Some(d) = &cli.cache_dir {
        CacheSetting::Dir(d.clone())
    } else if file.no_cache.unwrap_or(false) {
        CacheSetting::Off
    } else if let Some(d) = &file.cache_dir {
        CacheSetting::Dir(rel(d))
    } else {
        crate::cache::default_dir().map_or(CacheSetting::Memory, CacheSetting::Dir)
    };

    Ok(Config {
        browser,
        format: cli.format.or(file.format).unwrap_or(Format::Text),
        output: cli.output.clone().or(file.output.as_ref().map(&rel)),
        baseline: cli.baseline.clone().or(file.baseline.as_ref().map(&rel)),
        fail_on,
        allow_hosts,
        sites,
        rules_dirs,
        no_default_rules: cli.rules.no_default_rules || file.no_default_rules.unwrap_or(false),
        depth: cli.depth.or(file.depth).unwrap_or(DEFAULT_DEPTH),
        max_pages,
        fetch,
        deadline: Duration::from_secs_f64(deadline),
        fetch_remote: cli.fetch_remote || file.fetch_remote.unwrap_or(false),
        color: cli.color.or(file.color).unwrap_or(ColorChoice::Auto),
        progress: !(cli.no_progress || file.no_progress.unwrap_or(false)),
        cache,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("skimscan.toml");
        std::fs::write(&p, text).unwrap();
        resolve(&ScanOptions {
            config: Some(p),
            ..Default::default()
        })
    }

    #[test]
    fn cache_setting_command_line_then_file_and_no_cache_wins() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("skimscan.toml");
        let with = |text: &str, cli: ScanOptions| {
            std::fs::write(&p, text).unwrap();
            resolve(&ScanOptions {
                config: Some(p.clone()),
                ..cli
            })
            .unwrap()
            .cache
        };
        assert_eq!(
            with("cache-dir = \"c\"\n", ScanOptions::default()),
            CacheSetting::Dir(dir.path().join("c"))
        );
        assert_eq!(
            with("no-cache = true\n", ScanOptions::default()),
            CacheSetting::Off
        );
        let cli_dir = ScanOptions {
            cache_dir: Some("/x".into()),
            ..Default::default()
        };
        assert_eq!(
            with("no-cache = true\n", cli_dir.clone()),
            CacheSetting::Dir("/x".into())
        );
        let cli_off = ScanOptions {
            no_cache: true,
            ..cli_dir
        };
        assert_eq!(with("cache-dir = \"c\"\n", cli_off), CacheSetting::Off);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
        assert_eq!(parse_size("1 MiB").unwrap(), 1_048_576);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let err = with_file("depth = 1\nfail_on = \"high\"\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("skimscan.toml:2"), "{msg}");
        assert!(msg.contains("fail_on"), "{msg}");
    }

    #[test]
    fn bad_value_names_its_line() {
        let err = with_file("depth = 1\n\nfail-on = \"severe\"\n").unwrap_err();
        assert!(err.to_string().contains("skimscan.toml:3"), "{err}");
        let err = with_file("timeout = \"soon\"\n").unwrap_err();
        assert!(err.to_string().contains("skimscan.toml:1"), "{err}");
        // Found writing the `config` fuzz target: a numeric size skipped the range check.
        let err = with_file("depth = 1\nmax-body-size = 0\n").unwrap_err();
        assert!(err.to_string().contains("skimscan.toml:2"), "{err}");
    }

    #[test]
    fn cli_wins_over_file_and_sites_apply() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(
            &p,
            "depth = 5\nmax-body-size = \"1MB\"\nallow-host = [\"*.pay.example\"]\n[sites.\"shop.example\"]\nallow-host = [\"tags.example\"]\n",
        )
        .unwrap();
        let cfg = resolve(&ScanOptions {
            config: Some(p),
            depth: Some(1),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(cfg.depth, 1);
        assert_eq!(cfg.fetch.max_body, 1_000_000);
        let allowed = cfg.allowed_for(Some("shop.example"));
        assert!(allowed.iter().any(|p| p.matches("tags.example")));
        assert!(allowed.iter().any(|p| p.matches("js.pay.example")));
        assert!(
            !cfg.allowed_for(Some("other.example"))
                .iter()
                .any(|p| p.matches("tags.example"))
        );
    }
}
