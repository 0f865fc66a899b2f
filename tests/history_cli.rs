//! Scan history: `scan --history`, `history import | list | script | check`. Six weekly
//! reports of a shop whose library carried a skimmer in weeks 3 and 4 give exactly that
//! exposure window; the weekly-evidence check fails when no complete scan is recent, for a
//! site or for any target of a fleet's targets file; bad input is exit 2 with nothing
//! recorded; concurrent writers all land. Every test runs on the embedded SQLite file and on a
//! real PostgreSQL (tests/history_support).

mod common;
mod har_support;
mod history_support;

use history_support::Backend;

use common::skimscan;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const ORIGIN: &str = "https://juniper-rye.example";

fn sha256(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A complete capture of the shop (the reviews widget's body included this time).
fn capture(dir: &Path, skimmed: bool) -> String {
    let mut har = har_support::shop_visit(ORIGIN, skimmed);
    har["log"]["entries"][3]["response"]["content"]["text"] =
        Value::String("/* reviews */ var stars = 5;".into());
    har_support::write(dir, if skimmed { "skimmed.har" } else { "clean.har" }, &har)
}

fn report_of(har: &str) -> Value {
    let (_, report, stderr) = common::scan_json(&[har]);
    assert_eq!(report["complete"], true, "{stderr}");
    report
}

fn week(n: u32) -> String {
    // Mondays from 2021-05-03, 02:00 UTC.
    let day = 3 + 7 * (n - 1);
    let (month, day) = if day > 31 { (6, day - 31) } else { (5, day) };
    format!("2021-{month:02}-{day:02}T02:00:00Z")
}

/// Six weekly reports; the skimmer is live in weeks 3 and 4.
fn six_weeks(dir: &Path) -> Vec<PathBuf> {
    let clean = report_of(&capture(dir, false));
    let skimmed = report_of(&capture(dir, true));
    (1..=6)
        .map(|n| {
            let mut r = if n == 3 || n == 4 {
                skimmed.clone()
            } else {
                clean.clone()
            };
            r["started_at"] = Value::String(week(n));
            r["finished_at"] = Value::String(week(n).replace("02:00:00", "02:00:07"));
            let p = dir.join(format!("week-{n}.json"));
            std::fs::write(&p, serde_json::to_vec_pretty(&r).unwrap()).unwrap();
            p
        })
        .collect()
}

fn history(db: &str, args: &[&str]) -> (i32, String, String) {
    let out = skimscan()
        .env_remove("SKIMSCAN_HISTORY")
        .arg("history")
        .args(args)
        .arg("--history")
        .arg(db)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn history_json(db: &str, args: &[&str]) -> (i32, Value) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (code, out, err) = history(db, &a);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

crate::on_both_backends!(
    six_weekly_reports_give_the_skimmer_s_exposure_window,
    the_weekly_check_needs_a_recent_complete_scan,
    the_fleet_check_lists_every_target_without_recent_evidence,
    bad_input_is_exit_2_and_records_nothing,
    concurrent_writers_all_land,
);

fn six_weekly_reports_give_the_skimmer_s_exposure_window(backend: &Backend) {
    let dir = backend.scratch();
    let db = &backend.db("history").spec;
    let mut reports = six_weeks(dir.path());
    // Imported out of order: the reports' own times count, not the order of import.
    reports.reverse();
    let args: Vec<&str> = reports.iter().map(|p| p.to_str().unwrap()).collect();
    let mut import = vec!["import"];
    import.extend(&args);
    let (code, out, err) = history(db, &import);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported 6 report(s)"), "{out}");

    let skimmed_lib = sha256(&format!(
        "{}{}",
        har_support::LIBRARY_CLEAN,
        har_support::SKIMMER
    ));
    let clean_lib = sha256(har_support::LIBRARY_CLEAN);
    let (code, w) = history_json(db, &["script", &skimmed_lib]);
    assert_eq!(code, 0);
    assert_eq!(w["first_seen"], week(3));
    assert_eq!(w["last_seen"], week(4));
    assert_eq!(w["scans"], 2);
    assert_eq!(w["last_scan_without_before"], week(2));
    assert_eq!(w["first_scan_without_after"], week(5));
    let pages: Vec<&str> = w["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(pages, [format!("{ORIGIN}/"), format!("{ORIGIN}/checkout/")]);
    let lib_url = format!("{ORIGIN}/static/js/juniper-ui.min.js");
    assert_eq!(w["urls"], serde_json::json!([lib_url]));

    // By URL: every version the library served, and when.
    let (code, u) = history_json(db, &["script", &lib_url]);
    assert_eq!(code, 0);
    assert_eq!(u["scans"], 6);
    let versions = u["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{u:#}");
    assert_eq!(versions[0]["sha256"], clean_lib.as_str());
    assert_eq!(versions[0]["first_seen"], week(1));
    assert_eq!(versions[0]["last_seen"], week(6));
    assert_eq!(versions[0]["scans"], 4);
    assert_eq!(versions[1]["sha256"], skimmed_lib.as_str());
    assert_eq!(versions[1]["first_seen"], week(3));
    assert_eq!(versions[1]["last_seen"], week(4));
    assert_eq!(versions[1]["scans"], 2);

    // The text form, for people.
    let (code, text, _) = history(db, &["script", &skimmed_lib]);
    assert_eq!(code, 0);
    assert!(text.contains(&format!("first seen  {}", week(3))), "{text}");
    assert!(text.contains(&format!("last seen   {}", week(4))), "{text}");

    // Importing the same reports again records nothing twice.
    let (code, out, _) = history(db, &import);
    assert_eq!(code, 0);
    assert!(
        out.contains("imported 0 report(s); 6 already recorded"),
        "{out}"
    );
    let (_, list) = history_json(db, &["list"]);
    let scans = list["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 6);
    assert_eq!(scans[0]["started_at"], week(1));
    assert_eq!(scans[2]["verdict"], "malicious");
    assert_eq!(scans[0]["verdict"], "clean");
    assert_eq!(
        scans[0]["sites"],
        serde_json::json!(["juniper-rye.example"])
    );

    // Never seen: exit 1, said plainly.
    let (code, text, _) = history(db, &["script", &"0".repeat(64)]);
    assert_eq!(code, 1);
    assert!(text.contains("not seen"), "{text}");
}

fn the_weekly_check_needs_a_recent_complete_scan(backend: &Backend) {
    let dir = backend.scratch();
    let db = &backend.db("h").spec;
    let reports = six_weeks(dir.path());
    history(db, &["import", reports[5].to_str().unwrap()]);
    // The last scan is from 2021: no evidence for this week.
    let (code, out, _) = history(db, &["check", "--max-age", "8d"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("MISSING") && out.contains("juniper-rye.example"),
        "{out}"
    );

    // An incomplete scan today is not evidence either.
    // (The plain capture lacks the reviews widget's body.)
    let har = har_support::shop_visit(ORIGIN, false);
    let incomplete = har_support::write(dir.path(), "incomplete.har", &har);
    skimscan()
        .args(["scan", "--history", db, &incomplete])
        .assert()
        .code(3);
    let (code, v) = history_json(db, &["check", "--max-age", "8d"]);
    assert_eq!(code, 1);
    assert_eq!(v["ok"], false);
    assert_eq!(v["sites"][0]["last_complete_scan"], week(6));

    // A complete scan today, recorded through SKIMSCAN_HISTORY: the check passes.
    let clean = capture(dir.path(), false);
    skimscan()
        .env("SKIMSCAN_HISTORY", db)
        .args(["scan", &clean])
        .assert()
        .code(0);
    let (code, v) = history_json(db, &["check", "--max-age", "8d"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["sites"][0]["site"], "juniper-rye.example");
    assert_eq!(v["sites"][0]["ok"], true);
    let (code, _, _) = history(db, &["check", "--max-age", "8d", "--site", "other.example"]);
    assert_eq!(code, 1, "a site never scanned has no evidence");
    let (_, list) = history_json(db, &["list", "--site", "juniper-rye.example"]);
    assert_eq!(list["scans"].as_array().unwrap().len(), 3);

    // An empty history proves nothing.
    let empty = backend.db("empty");
    let (code, out, _) = history(&empty.spec, &["check", "--max-age", "1w"]);
    assert_eq!(code, 1, "{out}");
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A report of the shop moved to another host, at `started_at`, complete or not.
fn report_for(base: &Value, host: &str, started_at: &str, complete: bool, dir: &Path) -> PathBuf {
    let text = serde_json::to_string(base)
        .unwrap()
        .replace("juniper-rye.example", host);
    let mut r: Value = serde_json::from_str(&text).unwrap();
    r["started_at"] = Value::String(started_at.into());
    r["finished_at"] = Value::String(started_at.into());
    r["complete"] = Value::Bool(complete);
    let p = dir.join(format!("{host}-{complete}.json"));
    std::fs::write(&p, serde_json::to_vec(&r).unwrap()).unwrap();
    p
}

fn the_fleet_check_lists_every_target_without_recent_evidence(backend: &Backend) {
    let dir = backend.scratch();
    let db = &backend.db("fleet").spec;
    let base = report_of(&capture(dir.path(), false));
    // old-shop: complete but in 2021; flaky-shop: recent but incomplete; never-scanned: none.
    let old = report_for(&base, "old-shop.example", &week(1), true, dir.path());
    let flaky = report_for(&base, "flaky-shop.example", &now(), false, dir.path());
    let (code, _, err) = history(
        db,
        &["import", old.to_str().unwrap(), flaky.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    // juniper-rye: scanned now, complete, recorded by the scan itself.
    skimscan()
        .args(["scan", "--history", db, &capture(dir.path(), false)])
        .assert()
        .code(0);

    let fleet = dir.path().join("fleet.txt");
    std::fs::write(
        &fleet,
        "# the fleet\n\
         https://juniper-rye.example/checkout/\n\
         https://old-shop.example/   # migrated last year\n\
         \n\
         https://never-scanned.example/checkout/\n\
         https://flaky-shop.example/\n",
    )
    .unwrap();
    let file = fleet.to_str().unwrap();
    let (code, out, err) = history(db, &["check", "--max-age", "8d", "--targets-file", file]);
    assert_eq!(code, 1, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("ok ") && lines[0].contains("https://juniper-rye.example/checkout/"),
        "{out}"
    );
    for (line, target, last) in [
        (1, "https://old-shop.example/", week(1)),
        (2, "https://never-scanned.example/checkout/", "never".into()),
        (3, "https://flaky-shop.example/", "never".into()),
    ] {
        assert!(
            lines[line].starts_with("MISSING")
                && lines[line].contains(target)
                && lines[line].ends_with(&format!("last complete scan {last}")),
            "{out}"
        );
    }
    assert!(
        out.contains("3 of 4 target(s) have no complete scan since"),
        "{out}"
    );

    let (code, v) = history_json(db, &["check", "--max-age", "8d", "--targets-file", file]);
    assert_eq!(code, 1);
    assert_eq!(v["ok"], false);
    assert_eq!(
        v["missing"],
        serde_json::json!([
            "https://old-shop.example/",
            "https://never-scanned.example/checkout/",
            "https://flaky-shop.example/"
        ])
    );
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 4);
    assert_eq!(targets[0]["site"], "juniper-rye.example");
    assert_eq!(targets[0]["ok"], true);
    assert_eq!(targets[1]["last_complete_scan"], week(1));
    assert_eq!(targets[2]["last_scan"], Value::Null);
    assert!(targets[3]["last_scan"].is_string(), "{v:#}");
    assert_eq!(targets[3]["last_complete_scan"], Value::Null);

    // A fleet whose every target has fresh evidence passes; a longer window lets old-shop in.
    let fresh = dir.path().join("fresh.txt");
    std::fs::write(&fresh, "https://juniper-rye.example/\n").unwrap();
    let (code, out, _) = history(
        db,
        &[
            "check",
            "--max-age",
            "8d",
            "--targets-file",
            fresh.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("all 1 target(s) have a complete scan"),
        "{out}"
    );

    // A targets file naming nothing, or one that cannot be read, is a usage error.
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "# nobody yet\n").unwrap();
    for f in [empty.to_str().unwrap(), "/nonexistent/fleet.txt"] {
        let (code, _, err) = history(db, &["check", "--max-age", "8d", "--targets-file", f]);
        assert_eq!(code, 2, "{err}");
    }
    let (code, _, _) = history(
        db,
        &[
            "check",
            "--max-age",
            "8d",
            "--targets-file",
            file,
            "--site",
            "x.example",
        ],
    );
    assert_eq!(code, 2, "--site and --targets-file together");
}

fn bad_input_is_exit_2_and_records_nothing(backend: &Backend) {
    let dir = backend.scratch();
    let db = &backend.db("h").spec;
    let reports = six_weeks(dir.path());
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"verdict\": \"clean\"}").unwrap();
    let (code, _, err) = history(
        db,
        &[
            "import",
            reports[0].to_str().unwrap(),
            junk.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("junk.json") && err.contains("not a skimscan JSON report"),
        "{err}"
    );
    let (_, list) = history_json(db, &["list"]);
    assert_eq!(list["scans"].as_array().unwrap().len(), 0, "all or nothing");

    let (code, _, err) = history(db, &["check", "--max-age", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("--max-age"), "{err}");

    skimscan()
        .env_remove("SKIMSCAN_HISTORY")
        .args(["history", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SKIMSCAN_HISTORY"));

    let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/shop");
    if backend.is_postgres() {
        return;
    }
    // SQLite only: a file that is not a database, a directory.
    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(
        &corrupt,
        b"this is not a database, it is a grocery list\n".repeat(200),
    )
    .unwrap();
    let (code, _, err) = history(corrupt.to_str().unwrap(), &["list"]);
    assert_eq!(code, 2);
    assert!(err.contains("corrupt.db"), "{err}");

    skimscan()
        .args(["scan", "--history", dir.path().to_str().unwrap(), shop])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());
}

fn concurrent_writers_all_land(backend: &Backend) {
    let dir = backend.scratch();
    let db = &backend.db("shared").spec;
    let base = report_of(&capture(dir.path(), false));
    // Four writers, five distinct reports each, started together on a database none created.
    let mut children = Vec::new();
    for w in 0..4 {
        let mut paths = Vec::new();
        for i in 0..5 {
            let mut r = base.clone();
            r["started_at"] = Value::String(format!("2026-0{}-1{}T00:00:00Z", w + 1, i));
            let p = dir.path().join(format!("w{w}-{i}.json"));
            std::fs::write(&p, serde_json::to_vec(&r).unwrap()).unwrap();
            paths.push(p);
        }
        children.push(
            std::process::Command::new(env!("CARGO_BIN_EXE_skimscan"))
                .args(["history", "import", "--history"])
                .arg(db)
                .args(&paths)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (_, list) = history_json(db, &["list"]);
    assert_eq!(list["scans"].as_array().unwrap().len(), 20);
}
