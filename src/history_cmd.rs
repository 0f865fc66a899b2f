//! `skimscan history list | script | check | import`: the glue between the command line and
//! `crate::history`. The history is named by `--history DB` or `SKIMSCAN_HISTORY`; every
//! command prints text for people or, with `--format json`, one JSON document.
//!
//! Exit codes: 0 done; 1 `check` found a site (or a `--targets-file` target) without a
//! complete scan in the window, or `script` found no scan that saw the script; 2 a usage or
//! input error (no history named, a bad duration, a report that is not a skimscan JSON report —
//! then nothing is imported —, a history database that cannot be opened or reached).

use crate::cli::{HistoryCommand, HistoryDb, HistoryFormat};
use crate::command::{EXIT_FINDINGS, EXIT_OK, UsageError};
use crate::history::{self, HistoryStore, Recorded, ScanRecord, ScriptQuery};
use crate::report::Report;
use serde::Serialize;
use std::io::Write;

fn open(db: &HistoryDb) -> Result<Box<dyn HistoryStore>, UsageError> {
    let Some(spec) = &db.db else {
        return Err(UsageError(
            "no history named: give --history DB or set SKIMSCAN_HISTORY".into(),
        ));
    };
    history::open(spec).map_err(|e| UsageError(e.to_string()))
}

fn print_json<T: Serialize>(value: &T) -> Result<(), UsageError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| UsageError(e.to_string()))?;
    print_text(&format!("{text}\n"))
}

fn print_text(text: &str) -> Result<(), UsageError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| UsageError(format!("cannot write: {e}"))),
    }
}

pub fn run(cmd: HistoryCommand) -> Result<u8, UsageError> {
    match cmd {
        HistoryCommand::List { site, db, format } => list(&*open(&db)?, site.as_deref(), format),
        HistoryCommand::Script { script, db, format } => {
            script_window(&*open(&db)?, &script, format)
        }
        HistoryCommand::Check {
            max_age,
            site,
            targets_file: Some(file),
            db,
            format,
        } => {
            let _ = site; // clap refuses --site with --targets-file
            let since = window_start(&max_age)?;
            let targets =
                crate::fleet::read_targets_file(&file).map_err(|e| UsageError(e.to_string()))?;
            if targets.is_empty() {
                return Err(UsageError(format!("{}: names no target", file.display())));
            }
            check_targets(&*open(&db)?, &since, &targets, format)
        }
        HistoryCommand::Check {
            max_age,
            site,
            targets_file: None,
            db,
            format,
        } => check(&*open(&db)?, &max_age, site.as_deref(), format),
        HistoryCommand::Import {
            reports,
            db,
            format,
        } => import(&reports, &db, format),
    }
}

fn list(
    store: &dyn HistoryStore,
    site: Option<&str>,
    format: HistoryFormat,
) -> Result<u8, UsageError> {
    let scans = store.list(site).map_err(|e| UsageError(e.to_string()))?;
    if format == HistoryFormat::Json {
        print_json(&serde_json::json!({ "scans": scans }))?;
        return Ok(EXIT_OK);
    }
    let mut text = String::new();
    if scans.is_empty() {
        text.push_str("no scans recorded\n");
    }
    for s in &scans {
        text.push_str(&format!(
            "{}  {:<10}  {:<10}  {} page(s), {} script(s), {} finding(s)  {}  [{}]\n",
            s.started_at,
            s.verdict,
            if s.complete { "complete" } else { "INCOMPLETE" },
            s.pages,
            s.scripts,
            s.findings,
            s.sites.join(" "),
            s.source
        ));
    }
    print_text(&text)?;
    Ok(EXIT_OK)
}

fn script_window(
    store: &dyn HistoryStore,
    arg: &str,
    format: HistoryFormat,
) -> Result<u8, UsageError> {
    let query = ScriptQuery::parse(arg);
    let found =
        history::exposure::exposure(store, &query).map_err(|e| UsageError(e.to_string()))?;
    let Some(e) = found else {
        if format == HistoryFormat::Json {
            print_json(&serde_json::json!({ "query": arg, "seen": false }))?;
        } else {
            print_text(&format!("{arg}: not seen in any recorded scan\n"))?;
        }
        return Ok(EXIT_FINDINGS);
    };
    if format == HistoryFormat::Json {
        print_json(&e)?;
        return Ok(EXIT_OK);
    }
    let mut t = format!("{}\n", e.query);
    t.push_str(&format!("  first seen  {}\n", e.first_seen));
    t.push_str(&format!("  last seen   {}\n", e.last_seen));
    t.push_str(&format!("  scans       {}\n", e.scans));
    if let Some(b) = &e.last_scan_without_before {
        t.push_str(&format!(
            "  absent in the scan of {b} (appeared after it)\n"
        ));
    }
    if let Some(a) = &e.first_scan_without_after {
        t.push_str(&format!("  gone in the scan of {a}\n"));
    }
    t.push_str("  pages:\n");
    for p in &e.pages {
        t.push_str(&format!("    {p}\n"));
    }
    if !e.urls.is_empty() {
        t.push_str("  served from:\n");
        for u in &e.urls {
            t.push_str(&format!("    {u}\n"));
        }
    }
    t.push_str("  versions:\n");
    for v in &e.versions {
        t.push_str(&format!(
            "    {}  {} .. {}  ({} scan(s))\n",
            v.sha256.as_deref().unwrap_or("(not loaded)"),
            v.first_seen,
            v.last_seen,
            v.scans
        ));
    }
    print_text(&t)?;
    Ok(EXIT_OK)
}

fn check(
    store: &dyn HistoryStore,
    max_age: &str,
    site: Option<&str>,
    format: HistoryFormat,
) -> Result<u8, UsageError> {
    let since = window_start(max_age)?;
    let scans = store.list(site).map_err(|e| UsageError(e.to_string()))?;
    let mut sites = history::check(&scans, &since);
    if let Some(s) = site {
        sites.retain(|c| c.site == s);
        if sites.is_empty() {
            sites.push(history::SiteCheck {
                site: s.to_string(),
                last_scan: None,
                last_complete_scan: None,
                ok: false,
            });
        }
    }
    // An empty history proves nothing was scanned.
    let ok = !sites.is_empty() && sites.iter().all(|c| c.ok);
    if format == HistoryFormat::Json {
        print_json(&serde_json::json!({ "since": since, "ok": ok, "sites": sites }))?;
    } else {
        let mut t = String::new();
        if sites.is_empty() {
            t.push_str("no scans recorded: no evidence of any scan\n");
        }
        for c in &sites {
            let last = c.last_complete_scan.as_deref().unwrap_or("never");
            t.push_str(&format!(
                "{}  {}  last complete scan {last}{}\n",
                if c.ok { "ok     " } else { "MISSING" },
                c.site,
                if c.ok {
                    String::new()
                } else {
                    format!(" (none since {since})")
                }
            ));
        }
        print_text(&t)?;
    }
    Ok(if ok { EXIT_OK } else { EXIT_FINDINGS })
}

/// The start of the `--max-age` window (now minus the duration), as stored times are written.
fn window_start(max_age: &str) -> Result<String, UsageError> {
    let age = humantime::parse_duration(max_age.trim())
        .map_err(|e| UsageError(format!("--max-age `{max_age}`: {e} (try 8d, 36h or 1w)")))?;
    let age = time::Duration::try_from(age)
        .map_err(|_| UsageError(format!("--max-age `{max_age}` is too long")))?;
    time::OffsetDateTime::now_utc()
        .checked_sub(age)
        .and_then(|t| t.replace_nanosecond(0).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .ok_or_else(|| UsageError(format!("--max-age `{max_age}` is too long")))
}

/// One target of a `--targets-file` and its evidence.
#[derive(Debug, Serialize)]
struct TargetCheck<'t> {
    target: &'t str,
    /// The site its scans are recorded under (a URL's host, a local site's folder).
    site: String,
    last_scan: Option<String>,
    last_complete_scan: Option<String>,
    ok: bool,
}

/// `history check --targets-file`: every target of the fleet needs a complete scan in the
/// window, whichever shard scanned it; the ones without are listed (exit 1).
fn check_targets(
    store: &dyn HistoryStore,
    since: &str,
    targets: &[String],
    format: HistoryFormat,
) -> Result<u8, UsageError> {
    let scans = store.list(None).map_err(|e| UsageError(e.to_string()))?;
    let by_site: std::collections::BTreeMap<String, history::SiteCheck> =
        history::check(&scans, since)
            .into_iter()
            .map(|c| (c.site.clone(), c))
            .collect();
    let checks: Vec<TargetCheck<'_>> = targets
        .iter()
        .map(|t| {
            let site = history::record::site_of_target(t);
            let found = by_site.get(&site);
            TargetCheck {
                target: t,
                last_scan: found.and_then(|c| c.last_scan.clone()),
                last_complete_scan: found.and_then(|c| c.last_complete_scan.clone()),
                ok: found.is_some_and(|c| c.ok),
                site,
            }
        })
        .collect();
    let missing: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.target).collect();
    let ok = missing.is_empty();
    if format == HistoryFormat::Json {
        print_json(&serde_json::json!({
            "since": since, "ok": ok, "targets": checks, "missing": missing
        }))?;
    } else {
        let mut t = String::new();
        for c in &checks {
            let site = if c.site == c.target {
                String::new()
            } else {
                format!(" ({})", c.site)
            };
            t.push_str(&format!(
                "{}  {}{site}  last complete scan {}\n",
                if c.ok { "ok     " } else { "MISSING" },
                c.target,
                c.last_complete_scan.as_deref().unwrap_or("never")
            ));
        }
        if ok {
            t.push_str(&format!(
                "all {} target(s) have a complete scan since {since}\n",
                checks.len()
            ));
        } else {
            t.push_str(&format!(
                "{} of {} target(s) have no complete scan since {since}\n",
                missing.len(),
                checks.len()
            ));
        }
        print_text(&t)?;
    }
    Ok(if ok { EXIT_OK } else { EXIT_FINDINGS })
}

fn import(
    paths: &[std::path::PathBuf],
    db: &HistoryDb,
    format: HistoryFormat,
) -> Result<u8, UsageError> {
    // Read and check every report before recording any: a bad file imports nothing.
    let mut records = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p)
            .map_err(|e| UsageError(format!("{}: cannot read: {e}", p.display())))?;
        let report: Report = serde_json::from_str(&text)
            .map_err(|e| UsageError(format!("{}: not a skimscan JSON report: {e}", p.display())))?;
        let rec = ScanRecord::from_report(&report, "import")
            .map_err(|e| UsageError(format!("{}: {e}", p.display())))?;
        records.push((p.display().to_string(), rec));
    }
    let mut store = open(db)?;
    let mut out = Vec::new();
    for (name, rec) in &records {
        let r = store.record(rec).map_err(|e| UsageError(e.to_string()))?;
        let (id, new) = match r {
            Recorded::New(id) => (id, true),
            Recorded::AlreadyThere(id) => (id, false),
        };
        out.push(serde_json::json!({
            "report": name, "scan_id": id, "started_at": rec.started_at, "new": new
        }));
    }
    if format == HistoryFormat::Json {
        print_json(&serde_json::json!({ "imported": out }))?;
    } else {
        let new = out.iter().filter(|o| o["new"] == true).count();
        print_text(&format!(
            "imported {new} report(s); {} already recorded\n",
            out.len() - new
        ))?;
    }
    Ok(EXIT_OK)
}
