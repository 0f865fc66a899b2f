//! Which form fields hold payment card data, from their `autocomplete` token, name, id,
//! placeholder, `aria-label` and label text, in English and Japanese and with the field names
//! of common shop platforms.
//!
//! A page with such a field is a payment page, the page a skimmer targets, so false positives
//! matter as much as misses: a coupon or post-code field must not turn a newsletter form into a
//! payment form. English words therefore match whole tokens (`card_number`, `cardNumber` and
//! `card-number` all split into `card` + `number`; `cid` does not match inside `decide`), while
//! Japanese, which has no word separators, matches substrings.

use super::PaymentFieldKind::{self, CardNumber, Expiry, Holder, SecurityCode};

/// `autocomplete` tokens (HTML standard autofill field names) that name card data.
/// `cc-type` (the card brand) is deliberately absent: a brand selector is not card data and
/// appears on pages that only show which cards are accepted.
const AUTOCOMPLETE: &[(&str, PaymentFieldKind)] = &[
    ("cc-number", CardNumber),
    ("cc-csc", SecurityCode),
    ("cc-exp", Expiry),
    ("cc-exp-month", Expiry),
    ("cc-exp-year", Expiry),
    ("cc-name", Holder),
    ("cc-given-name", Holder),
    ("cc-family-name", Holder),
];

/// English vocabulary as token sequences that must appear consecutively in the field's tokens.
/// Order matters: the first match wins, so the more specific sequences come first
/// (`card holder` before anything with `card`, `security code` before `card code`).
const ENGLISH: &[(&[&str], PaymentFieldKind)] = &[
    // Holder: "cardholder", "card holder name", "name on card".
    (&["cardholder"], Holder),
    (&["cardholdername"], Holder),
    (&["card", "holder"], Holder),
    (&["name", "on", "card"], Holder),
    (&["nameoncard"], Holder),
    (&["cc", "name"], Holder),
    (&["cc", "owner"], Holder), // Magento 1 `payment[cc_owner]`
    // Security code: CVV and its many names; Magento `payment[cc_cid]`, Authorize.Net
    // `x_card_code`, EC-CUBE `security_code`, Shopify `verification_value`.
    (&["cvv"], SecurityCode),
    (&["cvv2"], SecurityCode),
    (&["cvc"], SecurityCode),
    (&["cvc2"], SecurityCode),
    (&["cvn"], SecurityCode),
    (&["csc"], SecurityCode),
    (&["cid"], SecurityCode),
    (&["security", "code"], SecurityCode),
    (&["securitycode"], SecurityCode),
    (&["verification", "code"], SecurityCode),
    (&["verification", "value"], SecurityCode),
    (&["card", "code"], SecurityCode),
    // Expiry: "expiry", "expiration", `exp_month`, `exp-date`, Magento `cc_exp_month`,
    // Authorize.Net `x_exp_date`.
    (&["expiry"], Expiry),
    (&["expiration"], Expiry),
    (&["expirydate"], Expiry),
    (&["expirationdate"], Expiry),
    (&["exp", "month"], Expiry),
    (&["exp", "year"], Expiry),
    (&["exp", "date"], Expiry),
    (&["expdate"], Expiry),
    (&["expmonth"], Expiry),
    (&["expyear"], Expiry),
    (&["cc", "exp"], Expiry),
    (&["ccexp"], Expiry),
    (&["card", "exp"], Expiry),
    // Card number: Magento `payment[cc_number]`, WooCommerce `wc-…-card-number`,
    // Authorize.Net `x_card_num`, EC-CUBE `card_no`, "credit card", "PAN".
    (&["card", "number"], CardNumber),
    (&["cardnumber"], CardNumber),
    (&["card", "num"], CardNumber),
    (&["cardnum"], CardNumber),
    (&["card", "no"], CardNumber),
    (&["cardno"], CardNumber),
    (&["cc", "number"], CardNumber),
    (&["ccnumber"], CardNumber),
    (&["cc", "num"], CardNumber),
    (&["ccnum"], CardNumber),
    (&["cc", "no"], CardNumber),
    (&["ccno"], CardNumber),
    (&["credit", "card"], CardNumber),
    (&["creditcard"], CardNumber),
    (&["pan"], CardNumber),
];

/// Tokens that veto a match: fields about a card's brand, gift cards, coupons or newsletters
/// are not card data even when they contain a card word ("credit card type", "gift card
/// number", "save card").
const VETO: &[&str] = &[
    "type",
    "brand",
    "gift",
    "giftcard",
    "coupon",
    "discount",
    "newsletter",
    "captcha",
    "save",
    "remember",
    "loyalty",
    "points",
    "member",
    "membership",
];

/// Japanese vocabulary, matched as substrings (no word boundaries in Japanese). Longer, more
/// specific words come first.
const JAPANESE: &[(&str, PaymentFieldKind)] = &[
    ("カード名義", Holder),
    ("名義", Holder),
    ("クレジットカード番号", CardNumber),
    ("カード番号", CardNumber),
    ("セキュリティコード", SecurityCode),
    ("セキュリティーコード", SecurityCode),
    ("有効期限", Expiry),
];

/// Japanese phrases that veto a match: a bank account holder (口座名義) is not card data.
const JAPANESE_VETO: &[&str] = &["口座", "ポイント", "クーポン"];

/// Names that mean card data only inside a form that already has card fields: Shopify's card
/// form calls the card number just `number`.
const CONTEXTUAL: &[(&str, PaymentFieldKind)] = &[("number", CardNumber)];

/// Input types that never hold typed card data.
const IGNORED_INPUT_TYPES: &[&str] = &[
    "hidden", "submit", "button", "reset", "image", "checkbox", "radio", "file", "color", "range",
];

/// A decision about one field: its kind, the evidence, and whether it needs a card form
/// around it to count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Classified {
    pub kind: PaymentFieldKind,
    pub evidence: String,
    pub contextual: bool,
}

/// What the classifier looks at, gathered from the element and its labels.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldDescription<'a> {
    pub input_type: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
    pub name: Option<&'a str>,
    pub id: Option<&'a str>,
    pub placeholder: Option<&'a str>,
    pub aria_label: Option<&'a str>,
    pub label: Option<&'a str>,
}

/// Whether an `<input type=…>` can hold typed card data.
pub(crate) fn is_data_input_type(input_type: Option<&str>) -> bool {
    let t = input_type.unwrap_or("").trim().to_ascii_lowercase();
    !IGNORED_INPUT_TYPES.contains(&t.as_str())
}

/// Classify a field; `None` when it is not a payment field.
pub(crate) fn classify(field: &FieldDescription<'_>) -> Option<Classified> {
    if !is_data_input_type(field.input_type) {
        return None;
    }
    if let Some(autocomplete) = field.autocomplete {
        for token in autocomplete.split_ascii_whitespace() {
            let token = token.to_ascii_lowercase();
            if let Some((_, kind)) = AUTOCOMPLETE.iter().find(|(t, _)| *t == token) {
                return Some(Classified {
                    kind: *kind,
                    evidence: format!("autocomplete={token}"),
                    contextual: false,
                });
            }
        }
    }
    let sources = [
        ("name", field.name),
        ("id", field.id),
        ("placeholder", field.placeholder),
        ("aria-label", field.aria_label),
        ("label", field.label),
    ];
    for (what, value) in sources {
        let Some(value) = value else { continue };
        if let Some(kind) = classify_text(value) {
            return Some(Classified {
                kind,
                evidence: format!("{what}={}", shorten(value)),
                contextual: false,
            });
        }
    }
    for (what, value) in [("name", field.name), ("id", field.id)] {
        let Some(value) = value else { continue };
        let lower = value.trim().to_ascii_lowercase();
        if let Some((_, kind)) = CONTEXTUAL.iter().find(|(n, _)| *n == lower) {
            return Some(Classified {
                kind: *kind,
                evidence: format!("{what}={} in a card form", shorten(value)),
                contextual: true,
            });
        }
    }
    None
}

/// Classify one piece of text (a name, an id, a label…) against the vocabulary.
pub(crate) fn classify_text(text: &str) -> Option<PaymentFieldKind> {
    if !JAPANESE_VETO.iter().any(|v| text.contains(v))
        && let Some((_, kind)) = JAPANESE.iter().find(|(word, _)| text.contains(word))
    {
        return Some(*kind);
    }
    let tokens = tokens(text);
    if tokens.iter().any(|t| VETO.contains(&t.as_str())) {
        return None;
    }
    ENGLISH
        .iter()
        .find(|(sequence, _)| contains_sequence(&tokens, sequence))
        .map(|(_, kind)| *kind)
}

/// Split into lower-case ASCII alphanumeric tokens at punctuation, spaces and camelCase
/// boundaries: `payment[cc_number]` → payment, cc, number; `cardNumber` → card, number.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            current.push(c.to_ascii_lowercase());
        } else {
            previous_lower = false;
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn contains_sequence(tokens: &[String], sequence: &[&str]) -> bool {
    !sequence.is_empty()
        && tokens.len() >= sequence.len()
        && tokens
            .windows(sequence.len())
            .any(|w| w.iter().zip(sequence).all(|(t, s)| t == s))
}

/// Evidence strings stay short: a label can be a paragraph.
fn shorten(value: &str) -> String {
    let collapsed = value.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::ellipsis(&collapsed, 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name(name: &str) -> Option<PaymentFieldKind> {
        classify(&FieldDescription {
            name: Some(name),
            ..Default::default()
        })
        .filter(|c| !c.contextual)
        .map(|c| c.kind)
    }

    #[test]
    fn autocomplete_tokens() {
        for (token, kind) in [
            ("cc-number", CardNumber),
            ("section-pay billing cc-csc", SecurityCode),
            ("CC-EXP-MONTH", Expiry),
            ("cc-name", Holder),
        ] {
            let field = FieldDescription {
                autocomplete: Some(token),
                ..Default::default()
            };
            assert_eq!(classify(&field).map(|c| c.kind), Some(kind), "{token}");
        }
        let brand = FieldDescription {
            autocomplete: Some("cc-type"),
            ..Default::default()
        };
        assert_eq!(classify(&brand), None);
    }

    #[test]
    fn english_and_platform_names() {
        for (name, kind) in [
            ("payment[cc_number]", CardNumber),
            ("payment[cc_cid]", SecurityCode),
            ("payment[cc_exp_month]", Expiry),
            ("payment[cc_owner]", Holder),
            (
                "wc-authorize-net-cim-credit-card-account-number",
                CardNumber,
            ),
            ("stripe-card-number", CardNumber),
            ("x_card_num", CardNumber),
            ("x_card_code", SecurityCode),
            ("x_exp_date", Expiry),
            ("card_no", CardNumber),
            ("security_code", SecurityCode),
            ("verification_value", SecurityCode),
            ("cardNumber", CardNumber),
            ("ccnum", CardNumber),
            ("CVV2", SecurityCode),
            ("cvc", SecurityCode),
            ("expiry", Expiry),
            ("exp-date", Expiry),
            ("cardholder", Holder),
            ("Name on card", Holder),
            ("Credit Card", CardNumber),
        ] {
            assert_eq!(by_name(name), Some(kind), "{name}");
        }
    }

    #[test]
    fn japanese_labels() {
        for (label, kind) in [
            ("クレジットカード番号", CardNumber),
            ("カード番号（半角数字）", CardNumber),
            ("セキュリティコード", SecurityCode),
            ("有効期限（月）", Expiry),
            ("カード名義人", Holder),
        ] {
            let field = FieldDescription {
                label: Some(label),
                ..Default::default()
            };
            assert_eq!(classify(&field).map(|c| c.kind), Some(kind), "{label}");
        }
        assert_eq!(classify_text("口座名義"), None);
    }

    #[test]
    fn negatives() {
        for name in [
            "discount_code",
            "coupon",
            "postcode",
            "expires_newsletter",
            "captcha",
            "address",
            "decide",
            "company",
            "panel",
            "email",
            "telephone",
            "gift_card_number",
            "credit_card_type",
            "payment[cc_type]",
            "order_comment",
        ] {
            assert_eq!(by_name(name), None, "{name}");
        }
    }

    #[test]
    fn hidden_and_buttons_do_not_count() {
        for input_type in ["hidden", "submit", "button", "HIDDEN"] {
            let field = FieldDescription {
                input_type: Some(input_type),
                name: Some("cc_number"),
                ..Default::default()
            };
            assert_eq!(classify(&field), None, "{input_type}");
        }
    }

    #[test]
    fn bare_number_needs_a_card_form() {
        let field = FieldDescription {
            name: Some("number"),
            ..Default::default()
        };
        assert!(classify(&field).is_some_and(|c| c.contextual));
    }

    #[test]
    fn tokenizer() {
        assert_eq!(tokens("payment[cc_number]"), ["payment", "cc", "number"]);
        assert_eq!(tokens("creditCardNumber"), ["credit", "card", "number"]);
        assert_eq!(tokens("CVV2"), ["cvv2"]);
    }
}
