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

/// A Japanese checkout whose card fields (`f1`…`f4`) are known only by their labels, in the
/// language `captions` says (`"ja"` labels or English ones), loading `script` from `js/`.
fn labelled_checkout(dir: &Path, captions: &str, script: &str) {
    let [number, expiry, code, holder] = if captions == "ja" {
        [
            "カード番号",
            "有効期限（月/年）",
            "セキュリティコード",
            "カード名義",
        ]
    } else {
        [
            "Card number",
            "Expiry (MM/YY)",
            "Security code",
            "Name on card",
        ]
    };
    let page = format!(
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>お支払い | くらし雑貨店</title>
<link rel="canonical" href="https://www.kurashi-zakka.example/shopping/payment"></head><body>
<form id="order" action="/shopping/confirm" method="post"><dl>
<dt><label for="f1">{number}</label></dt><dd><input id="f1" name="f1" inputmode="numeric"></dd>
<dt><label for="f2">{expiry}</label></dt><dd><input id="f2" name="f2"></dd>
<dt><label for="f3">{code}</label></dt><dd><input id="f3" name="f3"></dd>
<dt><label for="f4">{holder}</label></dt><dd><input id="f4" name="f4"></dd>
</dl><button type="submit">注文を確定する</button></form>
<script src="js/shop.js"></script></body></html>"#
    );
    write_file(dir, "checkout.html", page);
    write_file(dir, "js/shop.js", std::fs::read(fixture(script)).unwrap());
}

/// The stub page the script runs on has the page's own fields with their labels: an
/// obfuscated skimmer that looks for this shop's Japanese captions (no word of them readable
/// in its text) finds them there and is seen sending the card. On a page whose labels it
/// does not know it sends nothing, as in a browser; a script that sends only how much was
/// typed stays quiet.
#[test]
fn a_skimmer_finds_the_fields_by_the_labels_of_its_page() {
    let ja = tempfile::tempdir().unwrap();
    labelled_checkout(ja.path(), "ja", "js-confuser-japanese-labels.js");
    let (code, report, _) = scan_json(&[ja.path().to_str().unwrap(), "--no-cache"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        hosts_of(&report, "payment-data-exfiltration"),
        vec!["px.kurashi-stats-cdn.example".to_string()],
        "{report:#}"
    );

    let en = tempfile::tempdir().unwrap();
    labelled_checkout(en.path(), "en", "js-confuser-japanese-labels.js");
    let (_, report, _) = scan_json(&[en.path().to_str().unwrap(), "--no-cache"]);
    assert!(
        hosts_of(&report, "payment-data-exfiltration").is_empty(),
        "{report:#}"
    );

    let lengths = tempfile::tempdir().unwrap();
    labelled_checkout(
        lengths.path(),
        "ja",
        "js-confuser-japanese-labels-lengths.js",
    );
    let (_, report, _) = scan_json(&[lengths.path().to_str().unwrap(), "--no-cache"]);
    let loud: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
}
