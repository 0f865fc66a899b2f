//! The JSON report contract (cli.md): field names, types and order, checked on the bundled demo
//! shop, plus a snapshot of the whole report (timestamps redacted) so any change to what users
//! and CI parse shows up in review.

mod common;
use common::*;

fn demo_report() -> (i32, serde_json::Value) {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/shop");
    let out = skimscan()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--format", "json", "demo/shop"])
        .output()
        .unwrap();
    assert!(std::path::Path::new(demo).is_dir());
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).expect("JSON report"),
    )
}

fn keys(v: &serde_json::Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn top_level_shape_follows_the_contract() {
    let (_, r) = demo_report();
    assert_eq!(
        keys(&r),
        [
            "schema_version",
            "tool",
            "started_at",
            "finished_at",
            "verdict",
            "complete",
            "pages",
            "scripts",
            "removed",
            "findings",
            "errors"
        ]
    );
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "skimscan");
    assert_eq!(r["tool"]["version"], env!("CARGO_PKG_VERSION"));
    for t in ["started_at", "finished_at"] {
        let s = r[t].as_str().unwrap();
        assert!(
            s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T',
            "{t}: {s}"
        );
    }
    assert!(["clean", "suspicious", "malicious"].contains(&r["verdict"].as_str().unwrap()));
    assert!(r["complete"].is_boolean());
}

#[test]
fn pages_scripts_and_findings_have_the_documented_fields() {
    let (_, r) = demo_report();
    let page = &r["pages"][0];
    for k in ["url", "status", "payment_form", "headers"] {
        assert!(page.get(k).is_some(), "pages[].{k} missing: {page:#}");
    }
    for s in r["scripts"].as_array().unwrap() {
        let k = keys(s);
        assert_eq!(
            &k[..11],
            [
                "page",
                "url",
                "kind",
                "host",
                "party",
                "sha256",
                "sri",
                "integrity_attr",
                "size",
                "baseline",
                "id"
            ]
        );
        assert!(
            ["external", "inline", "handler", "dynamic"].contains(&s["kind"].as_str().unwrap())
        );
        assert!(["first", "third"].contains(&s["party"].as_str().unwrap()));
        if s["kind"] == "inline" {
            assert!(s["url"].is_null());
        }
        if let Some(h) = s["sha256"].as_str() {
            assert_eq!(h.len(), 64);
            assert!(s["sri"].as_str().unwrap().starts_with("sha384-"));
        }
        assert!(s["baseline"].is_null(), "no baseline given");
    }
    for f in r["findings"].as_array().unwrap() {
        assert_eq!(
            &keys(f)[..9],
            [
                "rule", "severity", "title", "page", "script", "location", "hosts", "evidence",
                "message"
            ]
        );
        assert!(
            ["info", "low", "medium", "high", "critical"]
                .contains(&f["severity"].as_str().unwrap())
        );
        assert!(f["hosts"].is_array());
    }
}

#[test]
fn output_is_deterministic() {
    let (_, mut a) = demo_report();
    let (_, mut b) = demo_report();
    for r in [&mut a, &mut b] {
        r["started_at"] = "".into();
        r["finished_at"] = "".into();
    }
    assert_eq!(a, b);
}

#[test]
fn demo_report_snapshot() {
    let (code, r) = demo_report();
    insta::assert_json_snapshot!("demo_shop_report", (code, r), {
        "[1].started_at" => "[time]",
        "[1].finished_at" => "[time]",
    });
}
