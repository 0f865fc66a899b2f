//! Issue 8, "analyse each piece of code once, ever": copies of the same code share one
//! analysis within a scan, and complete analyses are kept under `--cache-dir` between runs.
//! None of it may change a report: a realistic shop (one inline script on every page at
//! different lines, one file under `?v=1` and `?v=2`, a skimmer inline on two checkout pages
//! and as a versioned file) gives the same JSON report, timings aside, with `--no-cache`, a
//! cold cache, a warm one, damaged entries and an unwritable cache folder.

mod common;

use common::{Server, html, js, serve};
use serde_json::Value;
use std::path::{Path, PathBuf};

const HOST: &str = "shop.example";
const ANALYTICS: &str = include_str!("fixtures/engine/legit/analytics-events.js");
const APP: &str = include_str!("fixtures/engine/legit/card-formatting.js");
const SKIMMER: &str = include_str!("fixtures/engine/skimmers/t22-image-beacon.js");
const SKIMMER_FILE: &str = include_str!("fixtures/engine/skimmers/t02-websocket-typosquat.js");
const PRODUCT_PAGES: usize = 12;

/// The analytics snippet of every page. Its loader's URL is known to the engine (the
/// wrapper's arguments are its parameters), so the scan fetches the library it loads: served
/// here, on the shop, so the test stays offline.
fn analytics() -> String {
    ANALYTICS.replace(
        "https://www.google-analytics.com/analytics.js",
        "/static/vendor/analytics.js",
    )
}

fn shop() -> Server {
    let mut routes = vec![
        ("/static/app.js", js(APP)),
        ("/static/pay.js", js(SKIMMER_FILE)),
        (
            "/static/vendor/analytics.js",
            js("window.ga && ga('send', 'timing');"),
        ),
    ];
    let analytics = analytics();
    let mut pages = Vec::new();
    for i in 0..PRODUCT_PAGES {
        // A different amount of markup before the script on each page: the same code at
        // other lines and columns.
        let filler = "<p>Handmade.</p>\n".repeat(i);
        let v = 1 + i % 2;
        pages.push((
            format!("/p/{i}"),
            format!(
                "<!doctype html><html><head><title>Product {i}</title>\n\
                 <script src=\"/static/app.js?v={v}\"></script></head><body>\n{filler}\
                 <h1>Product {i}</h1>{}<script>{analytics}</script>\n</body></html>\n",
                " ".repeat(i)
            ),
        ));
    }
    for (name, lines) in [("a", 0), ("b", 5)] {
        pages.push((
            format!("/checkout/{name}"),
            format!(
                "<!doctype html><html><head><title>Checkout</title>\n\
                 <script src=\"/static/pay.js?v={}\"></script></head><body>\n{}\
                 <form action=\"/order\" method=\"post\">\n\
                 <input name=\"cardholder\" autocomplete=\"cc-name\">\n\
                 <input name=\"cardnumber\" autocomplete=\"cc-number\">\n\
                 <input name=\"cvc\" autocomplete=\"cc-csc\">\n\
                 <button id=\"submit\">Pay</button></form>\n\
                 <script>{analytics}</script>\n<script>\n{SKIMMER}</script>\n</body></html>\n",
                if name == "a" { 1 } else { 2 },
                "<br>\n".repeat(lines)
            ),
        ));
    }
    let pages: Vec<(String, String)> = pages;
    let page_routes: Vec<(&str, common::Route)> =
        pages.iter().map(|(p, b)| (p.as_str(), html(b))).collect();
    routes.extend(page_routes);
    serve(routes)
}

fn targets(s: &Server) -> Vec<String> {
    let mut t: Vec<String> = (0..PRODUCT_PAGES)
        .map(|i| s.url(HOST, &format!("/p/{i}")))
        .collect();
    t.push(s.url(HOST, "/checkout/a"));
    t.push(s.url(HOST, "/checkout/b"));
    t
}

/// What a scan printed: exit code, JSON report without its timings, stderr, and the
/// analysis counts it logged (jobs, analysed) summed over rounds.
struct Run {
    code: i32,
    report: String,
    stderr: String,
    jobs: usize,
    analysed: usize,
}

fn scan(s: &Server, extra: &[&str]) -> Run {
    let out = common::skimscan()
        .env(
            "SKIMSCAN_LOG",
            "skimscan=warn,skimscan::scan::analysis=info",
        )
        .args(["scan", "--format", "json", "--depth", "0", "--resolve"])
        .arg(s.resolve(HOST))
        .args(extra)
        .args(targets(s))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report: {e}\nstderr: {stderr}"));
    v.as_object_mut().unwrap().remove("started_at");
    v.as_object_mut().unwrap().remove("finished_at");
    let (mut jobs, mut analysed) = (0, 0);
    for line in stderr.lines() {
        if let Some(rest) = line.split("analyses: ").nth(1) {
            let nums: Vec<usize> = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect();
            jobs += nums[0];
            analysed += nums[1];
        }
    }
    Run {
        code: out.status.code().unwrap_or(-1),
        report: serde_json::to_string_pretty(&v).unwrap(),
        stderr,
        jobs,
        analysed,
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir.join("analysis-v1")) else {
        return out;
    };
    for d in rd.flatten() {
        for e in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
            if !e.file_name().to_string_lossy().starts_with('.') {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn arg(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn no_cache_cold_and_warm_scans_give_the_same_report() {
    let s = shop();
    let dir = tempfile::tempdir().unwrap();
    let cache = ["--cache-dir".to_string(), arg(dir.path())];
    let cache: Vec<&str> = cache.iter().map(String::as_str).collect();

    let fresh = scan(&s, &["--no-cache"]);
    assert_eq!(fresh.code, 1, "the skimmer is found: {}", fresh.stderr);
    let report: Value = serde_json::from_str(&fresh.report).unwrap();
    assert_eq!(report["verdict"], "malicious");
    assert_eq!(report["complete"], true, "{}", fresh.report);
    // The inline skimmer is reported on both checkout pages, each at its own line.
    let skim: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["hosts"][0] == "img-stats.example")
        .collect();
    let mut places: Vec<(String, u64)> = skim
        .iter()
        .map(|f| {
            (
                f["page"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    places.sort();
    places.dedup();
    assert_eq!(places.len(), 2, "{places:?}");
    assert_ne!(places[0].1, places[1].1, "{places:?}");
    // --no-cache analyses every copy: 12 + 2 analytics, 2 skimmers, app.js?v=1/2, pay.js?v=1/2,
    // and the library the analytics snippet loads (fetched once, analysed in the context of
    // the product pages and of the checkout pages).
    assert_eq!(fresh.jobs, 22, "{}", fresh.stderr);
    assert_eq!(fresh.analysed, fresh.jobs);
    assert!(entries(dir.path()).is_empty());

    let cold = scan(&s, &cache);
    assert_eq!(cold.report, fresh.report, "cold cache ≠ --no-cache");
    assert_eq!(cold.code, fresh.code);
    assert_eq!(cold.jobs, 22);
    // One analysis per distinct code and context: analytics on product pages, on checkout
    // pages (another context: card fields), the skimmer, app.js, pay.js, and the loaded
    // library in both contexts.
    assert_eq!(cold.analysed, 7, "{}", cold.stderr);
    assert_eq!(entries(dir.path()).len(), 7);

    let warm = scan(&s, &cache);
    assert_eq!(warm.report, fresh.report, "warm cache ≠ --no-cache");
    assert_eq!(warm.analysed, 0, "{}", warm.stderr);
    assert!(!warm.stderr.contains("WARN"), "{}", warm.stderr);

    // Other rules are another cache: nothing of the shipped rules' analyses is reused.
    let mut other_rules = cache.clone();
    other_rules.push("--no-default-rules");
    let other = scan(&s, &other_rules);
    assert_eq!(other.analysed, 7, "{}", other.stderr);
}

/// The warm scan really reads the cache (so the equalities above are not a cache never used):
/// an entry forged with a sound checksum shows in the report.
#[test]
fn a_warm_scan_takes_its_results_from_the_cache() {
    use sha2::{Digest, Sha256};
    let s = shop();
    let dir = tempfile::tempdir().unwrap();
    let d = arg(dir.path());
    scan(&s, &["--cache-dir", &d]);
    for p in entries(dir.path()) {
        let bytes = std::fs::read(&p).unwrap();
        let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
        let mut body: Value = serde_json::from_slice(&bytes[nl + 1..]).unwrap();
        for f in body["result"]["analysis"]["findings"]
            .as_array_mut()
            .unwrap()
        {
            f["message"] = "FORGED".into();
        }
        let body = serde_json::to_vec(&body).unwrap();
        let sum: String = Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut out = format!("skimscan-analysis-cache 1 {sum}\n").into_bytes();
        out.extend(body);
        std::fs::write(&p, out).unwrap();
    }
    let warm = scan(&s, &["--cache-dir", &d]);
    assert_eq!(warm.analysed, 0);
    assert!(warm.report.contains("FORGED"), "{}", warm.report);
}

#[test]
fn damaged_entries_are_analysed_afresh_and_rewritten() {
    let s = shop();
    let fresh = scan(&s, &["--no-cache"]);
    let dir = tempfile::tempdir().unwrap();
    let d = arg(dir.path());
    scan(&s, &["--cache-dir", &d]);
    let all = entries(dir.path());
    assert_eq!(all.len(), 7);
    // Truncated, one byte changed, emptied, garbage, another entry's (sound) content.
    let original: Vec<Vec<u8>> = all.iter().map(|p| std::fs::read(p).unwrap()).collect();
    std::fs::write(&all[0], &original[0][..original[0].len() / 2]).unwrap();
    let mut flipped = original[1].clone();
    let last = flipped.len() - 2;
    flipped[last] ^= 0x01;
    std::fs::write(&all[1], flipped).unwrap();
    std::fs::write(&all[2], b"").unwrap();
    std::fs::write(&all[3], b"\x00\x01 not an entry \xff").unwrap();
    std::fs::write(&all[4], &original[3]).unwrap();
    let after = scan(&s, &["--cache-dir", &d]);
    assert_eq!(after.report, fresh.report);
    assert_eq!(after.analysed, 5, "every damaged entry is a miss");
    assert!(!after.stderr.contains("WARN"), "{}", after.stderr);
    // Rewritten: the next scan is served from the cache again.
    let again = scan(&s, &["--cache-dir", &d]);
    assert_eq!(again.report, fresh.report);
    assert_eq!(again.analysed, 0);
}

#[test]
fn a_cache_that_cannot_be_written_costs_one_warning_not_the_scan() {
    let s = shop();
    let fresh = scan(&s, &["--no-cache"]);
    let dir = tempfile::tempdir().unwrap();

    // The folder cannot be created (a file is in the way).
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let blocked = scan(&s, &["--cache-dir", &arg(&file)]);
    assert_eq!(blocked.report, fresh.report);
    assert_eq!(blocked.code, fresh.code);
    assert_eq!(
        blocked.stderr.matches("WARN").count(),
        1,
        "{}",
        blocked.stderr
    );
    assert!(
        blocked.stderr.contains("analysis cache"),
        "{}",
        blocked.stderr
    );
    // Copies are still shared within the scan.
    assert_eq!(blocked.analysed, 7);

    // The folder exists but no entry can be written (every shard folder is a file).
    let full = dir.path().join("full");
    std::fs::create_dir_all(full.join("analysis-v1")).unwrap();
    for i in 0..=255u8 {
        std::fs::write(full.join("analysis-v1").join(format!("{i:02x}")), b"x").unwrap();
    }
    let unwritable = scan(&s, &["--cache-dir", &arg(&full)]);
    assert_eq!(unwritable.report, fresh.report);
    assert_eq!(
        unwritable.stderr.matches("WARN").count(),
        1,
        "{}",
        unwritable.stderr
    );
    assert!(
        unwritable.stderr.contains("cannot write"),
        "{}",
        unwritable.stderr
    );
}

/// An analysis a budget cut short is reported as incomplete and never kept: the next run
/// tries again instead of repeating an incomplete answer forever.
#[test]
fn incomplete_analyses_are_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let deep = format!("var x = {}1{};\n", "[".repeat(3000), "]".repeat(3000));
    let deep_js = common::write_file(dir.path(), "deep.js", deep);
    let out = common::skimscan()
        .args(["scan", "--format", "json", "--cache-dir"])
        .arg(cache.path())
        .arg(&deep_js)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false, "the nesting budget was exceeded");
    assert!(entries(cache.path()).is_empty());

    let plain = common::write_file(dir.path(), "plain.js", APP);
    common::skimscan()
        .args(["scan", "--format", "json", "--cache-dir"])
        .arg(cache.path())
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(entries(cache.path()).len(), 1);
}

/// Scans that share one cache folder at the same moment (two scheduled jobs, CI shards) race
/// to write the same entries: each still reports what `--no-cache` reports, the folder ends
/// with one sound entry per analysis and no half-written files, and the next scan is served
/// from it entirely.
#[test]
fn concurrent_scans_share_one_cache_folder_safely() {
    let s = shop();
    let fresh = scan(&s, &["--no-cache"]);
    let dir = tempfile::tempdir().unwrap();
    let d = arg(dir.path());
    let runs: Vec<Run> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..4)
            .map(|_| sc.spawn(|| scan(&s, &["--cache-dir", &d])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &runs {
        assert_eq!(
            r.report, fresh.report,
            "a racing scan differs: {}",
            r.stderr
        );
        assert_eq!(r.code, fresh.code);
        assert!(!r.stderr.contains("WARN"), "{}", r.stderr);
    }
    assert_eq!(entries(dir.path()).len(), 7);
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path().join("analysis-v1"))
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let warm = scan(&s, &["--cache-dir", &d]);
    assert_eq!(warm.report, fresh.report);
    assert_eq!(warm.analysed, 0, "{}", warm.stderr);
}
