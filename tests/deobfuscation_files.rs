//! Files and containers that wrap code, through the whole CLI: a `.js` file that is a
//! `<script>` block, a page that is one commented script, a `data:` script URL and a Google
//! Tag Manager container whose Custom HTML tag holds the skimmer (served on 127.0.0.1 with
//! every host pinned by `--resolve`).

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/obfuscation")
        .join(name)
}

fn hosts_of(report: &serde_json::Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .flat_map(|f| f["hosts"].as_array().cloned().unwrap_or_default())
        .filter_map(|h| h.as_str().map(String::from))
        .collect()
}

#[test]
fn a_js_file_that_is_a_script_block_is_analysed_as_its_code() {
    let (code, report, _) = scan_json(&[fixture("script-wrapped.js").to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        hosts_of(&report, "payment-data-exfiltration").contains(&"wrapped-minjs.example".into()),
        "{report:#}"
    );
    // It is not a syntax error: the browser reads the code inside the tag.
    assert!(
        !rules_of(&report).contains(&"parse-fallback".to_string()),
        "{report:#}"
    );
}

#[test]
fn a_page_that_is_one_commented_script_is_analysed() {
    let (code, report, _) = scan_json(&[fixture("commented-loader.html").to_str().unwrap()]);
    assert_eq!(report["verdict"], "suspicious", "{report:#}");
    assert_eq!(code, 1, "{report:#}");
    let all: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["hosts"].as_array().cloned().unwrap_or_default())
        .filter_map(|h| h.as_str().map(String::from))
        .collect();
    assert!(all.contains(&"comment-loader.example".into()), "{report:#}");
}

#[test]
fn a_data_url_script_is_code_to_analyse() {
    let (code, report, _) = scan_json(&[fixture("data-url-checkout.html").to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        hosts_of(&report, "payment-data-exfiltration").contains(&"data-uri-cdn.example".into()),
        "{report:#}"
    );
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
}

#[test]
fn a_malformed_data_url_is_an_error_not_a_clean_scan() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("checkout.html");
    std::fs::write(
        &p,
        "<html><body><script src=\"data:text/javascript;base64,%%%not-base64\"></script></body></html>",
    )
    .unwrap();
    let (code, report, _) = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["complete"], false);
}

#[test]
fn custom_html_tags_of_a_gtm_container_are_scripts_of_the_page() {
    let container = std::fs::read_to_string(fixture("gtm-container.js")).unwrap();
    let srv = serve(vec![
        (
            "/checkout/",
            html(
                "<!doctype html><html><head><title>Checkout</title></head><body>\
                 <form action=\"/checkout/pay\" method=\"post\">\
                 <input name=\"payment[cc_number]\" autocomplete=\"cc-number\">\
                 <input name=\"payment[cc_cid]\" autocomplete=\"cc-csc\"></form>\
                 <script src=\"/gtm.js?id=GTM-AB12CD\"></script></body></html>",
            ),
        ),
        ("/gtm.js", js(&container)),
    ]);
    let url = srv.url("shop.example", "/checkout/");
    let (code, report, _) = scan_json(&[
        "--resolve",
        &srv.resolve("shop.example"),
        "--depth",
        "0",
        &url,
    ]);
    assert_eq!(code, 1, "{report:#}");
    let ids: Vec<&str> = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.iter().any(|i| i.ends_with("#gtm-tag-1")), "{ids:?}");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "payment-data-exfiltration")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        f["script"].as_str().unwrap().ends_with("#gtm-tag-1"),
        "{f:#}"
    );
    assert_eq!(f["hosts"][0], "gtm-tagcdn.example");
}

#[test]
fn an_event_handler_decoding_its_own_attribute_is_analysed_with_it() {
    // `onload` reads `this.getAttribute('data-icon')`: the element's attribute, in the page.
    let page = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pages/svg_onload_own_attribute.html");
    let (code, report, _) = scan_json(&[page.to_str().unwrap(), "--no-cache"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        hosts_of(&report, "payment-data-exfiltration")
            .contains(&"icons.svg-share-cdn.example".into()),
        "{report:#}"
    );
}
