//! `--format html`: one self-contained file (nothing loaded from anywhere) with the verdict,
//! the findings with code frames and decoded evidence, the inventory with the baseline's
//! justifications and owners, the changes with diffs and the history's timeline — checked in
//! the source, and rendered by headless Chromium, where a probe asserts the key elements are
//! laid out and visible (not just present), and a screenshot is kept.

mod common;
mod har_support;

use common::skimscan;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const JUSTIFICATION: &str = "Storefront UI helpers; reviewed by the web team";
const OWNER: &str = "web-team@juniper-rye.example";

/// The scan of the skimmed capture as HTML, with a reviewed baseline of the clean one and a
/// history holding two earlier weekly scans.
fn html_report(dir: &Path) -> String {
    let origin = "https://juniper-rye.example";
    let mut clean = har_support::shop_visit(origin, false);
    clean["log"]["entries"][3]["response"]["content"]["text"] =
        Value::String("var stars = 5;".into());
    let mut skimmed = har_support::shop_visit(origin, true);
    skimmed["log"]["entries"][3]["response"]["content"]["text"] =
        Value::String("var stars = 5;".into());
    let clean = har_support::write(dir, "clean.har", &clean);
    let skimmed = har_support::write(dir, "skimmed.har", &skimmed);

    let baseline = dir.join("baseline.json");
    skimscan()
        .args([
            "baseline",
            "create",
            "--out",
            baseline.to_str().unwrap(),
            &clean,
        ])
        .assert()
        .success();
    let mut b: Value = serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    for page in b["pages"].as_object_mut().unwrap().values_mut() {
        for s in page["scripts"].as_array_mut().unwrap() {
            if s["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("juniper-ui.min.js"))
            {
                s["justification"] = Value::from(JUSTIFICATION);
                s["owner"] = Value::from(OWNER);
            }
        }
    }
    std::fs::write(&baseline, serde_json::to_vec_pretty(&b).unwrap()).unwrap();

    let db = dir.join("history.db");
    let (_, mut earlier, _) = common::scan_json(&[&clean]);
    for (i, day) in ["2026-11-06T02:00:00Z", "2026-11-13T02:00:00Z"]
        .iter()
        .enumerate()
    {
        earlier["started_at"] = Value::from(*day);
        let p = dir.join(format!("earlier-{i}.json"));
        std::fs::write(&p, serde_json::to_vec(&earlier).unwrap()).unwrap();
        skimscan()
            .args([
                "history",
                "import",
                "--history",
                db.to_str().unwrap(),
                p.to_str().unwrap(),
            ])
            .assert()
            .success();
    }

    let out = dir.join("report.html");
    skimscan()
        .args([
            "scan",
            "--format",
            "html",
            "-o",
            out.to_str().unwrap(),
            "--baseline",
            baseline.to_str().unwrap(),
            "--history",
            db.to_str().unwrap(),
            &skimmed,
        ])
        .assert()
        .code(1);
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn the_html_report_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let html = html_report(dir.path());
    // Nothing external: every `<` in the file is one of our own tags (all scanned text is
    // escaped), none of which loads anything; the stylesheet imports nothing.
    for banned in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "<svg", "<video", "<audio",
        "<a ",
    ] {
        assert!(!html.contains(banned), "the report contains {banned}");
    }
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(!style.contains("url(") && !style.contains("@import"));
    // The capture's markup (`<form`, `<iframe` in the checkout) never appears unescaped.
    assert!(!html.contains("<form") && !html.contains("<input"));
    assert!(html.contains("default-src 'none'"));
    for id in [
        "id=\"verdict\"",
        "id=\"findings\"",
        "id=\"inventory\"",
        "id=\"changes\"",
        "id=\"timeline\"",
        "id=\"errors\"",
    ] {
        assert!(html.contains(id), "{id}");
    }
    assert!(html.contains("MALICIOUS"));
    assert!(html.contains("payment-data-exfiltration"));
    assert!(html.contains("static-jquery-cdn.example"));
    assert!(html.contains(JUSTIFICATION) && html.contains(OWNER));
    assert!(
        html.contains("class=\"diff\""),
        "the changed library's diff"
    );
    assert!(
        html.contains("2026-11-06T02:00:00Z"),
        "the timeline starts at the first import"
    );
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SKIMSCAN_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    // The real binary: Debian's /usr/bin/chromium is a wrapper script.
    let real = Path::new("/usr/lib/chromium/chromium");
    if real.is_file() {
        return Some(real.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for d in std::env::split_paths(&path) {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Run Chromium headless with a fresh profile, killing it if it does not finish in time.
fn run_chromium(bin: &Path, profile: &Path, args: &[String]) -> String {
    let mut child = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Appended to a copy of the report: measures what a reader would see and writes it into the
/// page, which `--dump-dom` returns.
const PROBE: &str = r##"<script>(function(){
function shown(e){if(!e)return "missing";var r=e.getBoundingClientRect(),s=getComputedStyle(e);
 return r.width>0&&r.height>0&&s.visibility!=="hidden"&&s.display!=="none"&&parseFloat(s.opacity)>0?"visible":"hidden";}
function q(sel){return shown(document.querySelector(sel));}
function cell(text){var tds=document.querySelectorAll("td");for(var i=0;i<tds.length;i++){if(tds[i].textContent.indexOf(text)>=0)return shown(tds[i]);}return "missing";}
var out={verdict:q("#verdict"),critical:q(".finding.sev-critical"),frame:q(".finding pre.frame"),
 evidence:q(".finding pre.evidence"),inventory:q("#inventory table"),justification:cell("__JUST__"),
 owner:cell("__OWNER__"),diff:q("pre.diff"),timeline:q("#timeline table"),bar:q("#timeline .bar span"),
 errors:q("#errors"),verdictText:document.querySelector("#verdict strong").textContent,
 verdictColor:getComputedStyle(document.querySelector("#verdict")).backgroundColor};
var p=document.createElement("pre");p.id="probe";p.textContent=JSON.stringify(out);document.body.appendChild(p);})();</script>"##;

#[test]
fn chromium_renders_the_key_elements_visibly() {
    let Some(bin) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but no Chromium was found (.ci/run installs Debian's chromium)");
        }
        println!(
            "SKIPPED chromium_renders_the_key_elements_visibly: no Chromium found (set SKIMSCAN_CHROMIUM)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = html_report(dir.path());
    // The probe is a script, which the report's own policy forbids: the probe copy drops it.
    let probe_html = html
        .lines()
        .filter(|l| !l.contains("Content-Security-Policy"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(
            "</main></body>",
            &format!(
                "</main>{}</body>",
                PROBE
                    .replace("__JUST__", JUSTIFICATION)
                    .replace("__OWNER__", OWNER)
            ),
        );
    let probe_path = dir.path().join("probe.html");
    std::fs::write(&probe_path, probe_html).unwrap();
    let dom = run_chromium(
        &bin,
        &dir.path().join("profile-a"),
        &[
            "--window-size=1280,1600".into(),
            "--dump-dom".into(),
            format!("file://{}", probe_path.display()),
        ],
    );
    let start = dom.find("<pre id=\"probe\">").expect("the probe ran") + "<pre id=\"probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let seen: Value = serde_json::from_str(&json).unwrap();
    for key in [
        "verdict",
        "critical",
        "frame",
        "evidence",
        "inventory",
        "justification",
        "owner",
        "diff",
        "timeline",
        "bar",
        "errors",
    ] {
        assert_eq!(seen[key], "visible", "{key}: {seen:#}");
    }
    assert_eq!(seen["verdictText"], "MALICIOUS");
    assert_eq!(
        seen["verdictColor"], "rgb(179, 38, 30)",
        "the malicious verdict is red"
    );

    // The screenshot kept as evidence of what a reader sees (the real report, policy intact).
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &bin,
        &dir.path().join("profile-b"),
        &[
            "--window-size=1280,2200".into(),
            format!("--screenshot={}", shot.display()),
            format!("file://{}", dir.path().join("report.html").display()),
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    println!("screenshot: {}", shot.display());
}
