//! Page discovery over HTTP: from the home page through the cart to the checkout (English and
//! Japanese link words), depth and page limits, same-site iframes, and Shift_JIS pages.

mod common;
use common::*;

fn shop() -> Server {
    serve(vec![
        (
            "/",
            html(
                r#"<html><head><title>Shop</title><script src="/static/shop.js"></script></head><body>
              <a href="/about">About us</a> <a href="/basket">View basket (2)</a> <a href="https://elsewhere.example/checkout">partner checkout</a>
              <a href="mailto:help@shop.test">mail</a></body></html>"#,
            ),
        ),
        ("/about", html("<p>We make soap.</p>")),
        (
            "/basket",
            html(
                r#"<html><body><h1>Basket</h1><a href="/secure/checkout/">Proceed to checkout</a></body></html>"#,
            ),
        ),
        (
            "/secure/checkout/",
            html(
                r#"<html><head><script src="/static/shop.js"></script><script src="/static/checkout.js"></script></head><body>
              <form action="/secure/checkout/place" method="post">
                <label for="n">Card number</label><input id="n" name="card-number" autocomplete="cc-number">
                <input name="cvc" autocomplete="cc-csc"></form>
              <iframe src="/secure/frame"></iframe></body></html>"#,
            ),
        ),
        (
            "/secure/frame",
            html(r#"<html><body><script>var framed = 1;</script></body></html>"#),
        ),
        ("/static/shop.js", js("function addToCart(){}")),
        ("/static/checkout.js", js("document.title = 'Checkout';")),
    ])
}

#[test]
fn follows_cart_to_checkout_and_marks_the_payment_page() {
    let s = shop();
    let (code, report, stderr) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/"),
    ]);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}\n{report:#}");
    let pages: Vec<&str> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    let checkout = s.url("shop.test", "/secure/checkout/");
    assert!(pages.contains(&checkout.as_str()), "{pages:?}");
    assert!(
        pages.contains(&s.url("shop.test", "/basket").as_str()),
        "{pages:?}"
    );
    assert!(
        !pages.iter().any(|p| p.ends_with("/about")),
        "about is not on the way to checkout: {pages:?}"
    );
    assert!(
        !pages.iter().any(|p| p.contains("elsewhere.example")),
        "never leaves the site: {pages:?}"
    );
    assert!(
        pages.contains(&s.url("shop.test", "/secure/frame").as_str()),
        "same-site iframe scanned: {pages:?}"
    );
    let cp = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == checkout)
        .unwrap();
    assert_eq!(cp["payment_form"], true);
    // shop.js is used on two pages but fetched once.
    assert_eq!(s.hits("/static/shop.js"), 1);
    let scripts = report["scripts"].as_array().unwrap();
    let shop_js: Vec<_> = scripts
        .iter()
        .filter(|x| {
            x["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/static/shop.js"))
        })
        .collect();
    assert_eq!(shop_js.len(), 2, "one inventory row per page");
    assert_eq!(shop_js[0]["sha256"].as_str().unwrap().len(), 64);
    assert!(shop_js[0]["sri"].as_str().unwrap().starts_with("sha384-"));
    assert_eq!(shop_js[0]["party"], "first");
    assert_eq!(s.hits("/about"), 0);
}

#[test]
fn depth_limits_discovery() {
    let s = shop();
    let (_, report, _) = scan_json(&[
        "--depth",
        "1",
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/"),
    ]);
    let pages: Vec<&str> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    assert_eq!(pages.len(), 2, "home and basket only: {pages:?}");
    let (_, report, _) = scan_json(&[
        "--max-pages",
        "1",
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/"),
    ]);
    assert_eq!(
        report["pages"].as_array().unwrap().len(),
        2,
        "target plus one discovered page"
    );
}

#[test]
fn japanese_link_words_lead_to_the_checkout() {
    let s = serve(vec![
        (
            "/",
            html(
                r#"<html><body><a href="/item/1">商品</a><a href="/c">カートを見る</a></body></html>"#,
            ),
        ),
        (
            "/c",
            html(r#"<html><body><a href="/o">レジに進む</a></body></html>"#),
        ),
        (
            "/o",
            html(
                r#"<html><body><form action="/o/confirm" method="post"><label for="a">カード番号</label><input id="a" name="a"><label for="b">セキュリティコード</label><input id="b" name="b"></form></body></html>"#,
            ),
        ),
    ]);
    let (_, report, _) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/"),
    ]);
    let o = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == s.url("shop.test", "/o"));
    let o = o.unwrap_or_else(|| panic!("checkout not found: {report:#}"));
    assert_eq!(o["payment_form"], true);
    assert_eq!(s.hits("/item/1"), 0);
}

#[test]
fn shift_jis_page_decodes_by_its_charset() {
    let text = r#"<html><head><title>お支払い</title></head><body><form action="/pay" method="post"><label for="x">カード番号</label><input id="x" name="x"></form></body></html>"#;
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let s = serve(vec![(
        "/pay",
        Route::Ok {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=Shift_JIS".into())],
            body: bytes.into_owned(),
        },
    )]);
    let (_, report, _) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/pay"),
    ]);
    let p = &report["pages"][0];
    assert_eq!(p["payment_form"], true, "{report:#}");
    assert_eq!(p["title"], "お支払い");
    assert_eq!(p["encoding"], "Shift_JIS");
}
