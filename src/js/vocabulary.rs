//! Payment vocabulary: does an id, a name, a class, a selector or a label name a card field?
//! Words come from `rules/data/payment-vocabulary.toml`; a selector is split into words on
//! punctuation, `_`, `-` and camelCase, so `payment[cc_number]`, `#cardNumber` and
//! `input[name="wc-gateway-card-cvc"]` all match while `accept` and `success` do not.

use crate::rules::schema::VocabularyFile;
use aho_corasick::AhoCorasick;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    words: HashSet<String>,
    /// Two-word names (`card` + `code`): the second words allowed after each first word.
    /// Keyed by the first word so a lookup borrows the split words instead of cloning them.
    pairs: HashMap<String, HashSet<String>>,
    substrings: Option<AhoCorasick>,
    /// Two-word names of something about a card that is not its data (`cc` + `type`, `card`
    /// + `brand`): a part of a selector holding one does not name a card field.
    not_data: HashMap<String, HashSet<String>>,
    /// Words naming a part of the checkout that holds no card field (`other_sections`).
    other_sections: HashSet<String>,
    /// Ids and names of the page's own payment fields (see [`Vocabulary::with_page_fields`]),
    /// matched exactly.
    page_fields: HashSet<String>,
}

impl Vocabulary {
    pub fn from_files(files: &[VocabularyFile]) -> Vocabulary {
        let mut v = Vocabulary::default();
        let mut subs = Vec::new();
        for f in files {
            v.words.extend(f.words.iter().map(|w| w.to_lowercase()));
            for [a, b] in &f.pairs {
                v.pairs
                    .entry(a.to_lowercase())
                    .or_default()
                    .insert(b.to_lowercase());
            }
            subs.extend(f.substrings.iter().map(|s| s.to_lowercase()));
            v.other_sections
                .extend(f.other_sections.iter().map(|w| w.to_lowercase()));
            for [a, b] in &f.not_data {
                v.not_data
                    .entry(a.to_lowercase())
                    .or_default()
                    .insert(b.to_lowercase());
            }
        }
        if !subs.is_empty() {
            v.substrings = AhoCorasick::new(subs).ok();
        }
        v
    }

    /// This vocabulary plus the ids and names of the payment fields of the page a script runs
    /// on. The page model knows a field from its label or `autocomplete` even when its id is
    /// `f3`; a script reading `getElementById('f3')` reads that card field.
    pub fn with_page_fields(&self, names: &[String]) -> Vocabulary {
        let mut v = self.clone();
        v.page_fields.extend(
            names
                .iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
        );
        v
    }

    /// Whether the text names a payment-card field.
    pub fn matches(&self, text: &str) -> bool {
        self.matches_with(text, true)
    }

    fn matches_with(&self, text: &str, page_fields: bool) -> bool {
        if text.len() > 2_000 {
            return false;
        }
        if page_fields
            && !self.page_fields.is_empty()
            && (selected_names(text)
                .iter()
                .any(|n| self.page_fields.contains(*n))
                || selected_hooks(text)
                    .iter()
                    .any(|h| self.page_fields.contains(h)))
        {
            return true;
        }
        if !self.not_data.is_empty() {
            // Judged per selector part: `#cc-number, #cc-type` still names the number.
            return text.split(',').any(|part| self.names_card_data(part));
        }
        self.names_card(text)
    }

    /// Whether a variable or property name (`form.f3`, `var cc_number`) names a card field.
    /// The page's own field ids count only when they are distinctive (`f3`, `x_9`,
    /// `checkout[credit_card][number]`): a page whose card field is `id="name"` or
    /// `id="number"` does not make every `visitor.name` or `var number` card data. Selectors
    /// (`getElementById('number')`) still find such a field through [`Vocabulary::matches`].
    pub fn matches_name(&self, name: &str) -> bool {
        self.matches_with(name, distinctive(name))
    }

    /// Whether a scope (an ancestor in a selector, or the element a search starts from)
    /// names a part of the checkout with no card field: a section word, and nothing naming
    /// payment or a card field.
    pub fn names_other_section(&self, scope: &str) -> bool {
        if self.other_sections.is_empty() || scope.trim().is_empty() || scope.len() > 400 {
            return false;
        }
        let words = split_words(scope);
        words.iter().any(|w| self.other_sections.contains(w))
            && !words
                .iter()
                .any(|w| matches!(w.as_str(), "payment" | "pay" | "card" | "billing"))
            && !self.names_card(scope)
    }

    /// Whether a selector selects every field (see [`is_harvest_selector`]), counting only
    /// the parts not scoped inside another part of the checkout (`#shipping-step input`).
    pub fn harvests(&self, sel: &str) -> bool {
        self.unscoped(sel, is_harvest_selector)
    }

    /// [`selects_fields`], with the same scoping.
    pub fn selects_fields(&self, sel: &str) -> bool {
        self.unscoped(sel, selects_fields)
    }

    fn unscoped(&self, sel: &str, test: fn(&str) -> bool) -> bool {
        sel.split(',').any(|part| {
            test(part) && {
                let part = part.trim();
                let scope = part
                    .rfind(|c: char| c.is_whitespace() || c == '>')
                    .map_or("", |i| &part[..i]);
                !self.names_other_section(scope)
            }
        })
    }

    /// A part that names a card field and not something about the card (`payment[cc_type]`,
    /// `card-brand-icon`).
    fn names_card_data(&self, part: &str) -> bool {
        let words = split_words(part);
        let about = words
            .windows(2)
            .any(|p| self.not_data.get(&p[0]).is_some_and(|s| s.contains(&p[1])));
        !about && self.names_card(part)
    }

    fn names_card(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        if let Some(ac) = &self.substrings
            && ac.is_match(&lower)
        {
            return true;
        }
        let words = split_words(text);
        if words.iter().any(|w| self.words.contains(w.as_str())) {
            return true;
        }
        words
            .windows(2)
            .any(|p| self.pairs.get(&p[0]).is_some_and(|s| s.contains(&p[1])))
    }
}

/// Lower-case words of an identifier or selector: split on anything but letters and digits,
/// and at lower→upper camelCase boundaries. The unsplit alphanumeric runs are kept too
/// (`cardNumber` gives `card`, `number` and `cardnumber`).
pub fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        if run.is_empty() {
            continue;
        }
        let mut cur = String::new();
        let mut prev_lower = false;
        let mut parts = 0;
        for c in run.chars() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
                parts += 1;
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
            parts += 1;
        }
        if parts > 1 {
            out.push(run.to_lowercase());
        }
    }
    out
}

/// The element ids and names a text selects: the text itself when it is a bare name (an
/// argument of `getElementById`, a property of `form.elements`), `#id` parts of a selector,
/// and the values of `[id=…]` / `[name=…]` attribute selectors. Class names and tag names are
/// not field names, so `input[name=email]` selects `email`, never `name` or `input`.
/// A name that is no plain word: it has a digit, a separator or a bracket, or capitals
/// inside it (`f3`, `x_9`, `cc-num`, `cardNo`).
fn distinctive(name: &str) -> bool {
    name.chars()
        .any(|c| c.is_ascii_digit() || "_-[]".contains(c))
        || name.chars().skip(1).any(|c| c.is_uppercase())
}

/// The `data-` attribute tests of a selector as the page model writes a field's hooks
/// (see `page::extract::hooks`): `[data-x]` for a test of presence, `[data-x=v]` without
/// quotes for an exact value; other tests (`[data-x^=v]`) are not written.
pub(crate) fn selected_hooks(text: &str) -> Vec<String> {
    let not = negated(text);
    let mut out = Vec::new();
    for (i, _) in text.match_indices("[data-") {
        if not.iter().any(|r| r.contains(&i)) {
            continue;
        }
        let inside = &text[i + 1..];
        let Some(end) = inside.find(']') else {
            continue;
        };
        let inside = &inside[..end];
        let (name, value) = match inside.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim().trim_matches(['"', '\'']))),
            None => (inside.trim(), None),
        };
        if !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        let name = name.to_ascii_lowercase();
        match value {
            None => out.push(format!("[{name}]")),
            Some(v) if !v.is_empty() => out.push(format!("[{name}={v}]")),
            Some(_) => {}
        }
    }
    out
}

/// The byte ranges of a selector inside `:not(…)`: what they name is what is *not* picked.
fn negated(t: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    for (i, _) in t.match_indices(":not(") {
        let start = i + ":not(".len();
        let mut depth = 1;
        let mut end = t.len();
        for (j, c) in t[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + j;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(start..end);
    }
    out
}

pub(crate) fn selected_names(text: &str) -> Vec<&str> {
    let t = text.trim();
    let is_name_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    if !t.is_empty() && !t.contains(|c: char| c.is_whitespace() || "#.[]=:>,()*~+'\"".contains(c)) {
        return vec![t];
    }
    let not = negated(t);
    let kept = |i: &(usize, &str)| !not.iter().any(|r| r.contains(&i.0));
    let mut out = Vec::new();
    for (i, _) in t.match_indices('#').filter(kept) {
        let rest = &t[i + 1..];
        let end = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
        if end > 0 {
            out.push(&rest[..end]);
        }
    }
    // Classes with their dot (`.tj`), as markup the script wrote keeps its fields' classes.
    for (i, _) in t.match_indices('.').filter(kept) {
        let rest = &t[i + 1..];
        let end = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
        if end > 0 {
            out.push(&t[i..i + 1 + end]);
        }
    }
    for attr in ["[id", "[name"] {
        for (i, _) in t.match_indices(attr).filter(kept) {
            let rest = t[i + attr.len()..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let (quote, rest) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => (Some(q), &rest[1..]),
                _ => (None, rest),
            };
            let end = match quote {
                Some(q) => rest.find(q),
                None => rest.find(|c: char| c == ']' || c.is_whitespace()),
            }
            .unwrap_or(rest.len());
            if end > 0 {
                out.push(&rest[..end]);
            }
        }
    }
    out
}

/// Whether `querySelector(sel)` picks one field by an attribute value not known until run
/// time (`input[autocomplete$="' + token + '"]`, whose unknown run the evaluator writes as
/// `*`, or of which only the part before it is known): one field, named by the caller,
/// never every field of the page. (A card word in the known part makes it a card read.)
pub fn one_field_by_unknown_value(sel: &str) -> bool {
    if sel.contains(',') {
        return false;
    }
    let Some(last) = sel.split_whitespace().last() else {
        return false;
    };
    last.split('[').skip(1).any(|test| {
        let (inside, closed) = match test.split_once(']') {
            Some((inside, _)) => (inside, true),
            None => (test, false),
        };
        match inside.split_once('=') {
            Some((_, value)) => {
                let value = value.trim().trim_matches(['"', '\'']);
                value.contains('*') || (!closed && value.is_empty())
            }
            None => false,
        }
    })
}

/// Whether a selector selects every field of a form or page (`input`, `select`, `:input`,
/// `form input`, `input[type=text]`) rather than named fields. A selector list is a union:
/// when one of its parts selects every field, so does the list, whatever the other parts add
/// (`"input, select, checkbox"` still reads every input although `checkbox` matches nothing).
/// `#chat-widget textarea`: every comma part ends in a bare field tag, with no attribute,
/// class or id that picks a kind of field. `querySelector` returns the first such element —
/// one field, whatever it is, not every field of the page.
pub fn bare_field_tag(sel: &str) -> bool {
    sel.split(',').all(|part| {
        let last = part.split_whitespace().last().unwrap_or("");
        let last = last.trim_start_matches('>').to_ascii_lowercase();
        matches!(last.as_str(), "input" | "textarea" | "select")
    })
}

pub fn is_harvest_selector(sel: &str) -> bool {
    harvest_parts(sel, &["input", "select", "textarea", ":input", "form"])
}

/// Whether a selector selects the fields themselves, not only a form (`form.checkout`). A
/// form element is where fields are, not what was typed into them: a script that selects
/// the checkout form to listen for `submit` reads nothing. Enumerating the form
/// (`form.elements`, `new FormData(form)`, `serialize()`, its `input`s) is a harvest of its
/// own, and a form selected into data that is sent still carries every field (the flow).
pub fn selects_fields(sel: &str) -> bool {
    harvest_parts(sel, &["input", "select", "textarea", ":input"])
}

fn harvest_parts(sel: &str, tags: &[&str]) -> bool {
    let s = sel.trim().to_ascii_lowercase();
    if s.is_empty() || s.len() > 200 {
        return false;
    }
    s.split(',').any(|part| {
        let last = part.split_whitespace().last().unwrap_or("");
        let last = last.trim_start_matches('>');
        // `form#co-payment-form`: one form by its id is still all of its fields.
        if tags.contains(&"form")
            && (last == "form"
                || last.starts_with("form") && last[4..].starts_with(['#', ':', '[', '.']))
        {
            return true;
        }
        // `input[name="payment[method]"]:checked`, `input#email`: one named field, not all.
        if names_one_field(last) {
            return false;
        }
        // `*` (every element, `getElementsByTagName('*')`) includes every field.
        last == "*"
            || tags.iter().any(|t| {
                last == *t || (last.starts_with(t) && last[t.len()..].starts_with([':', '[', '.']))
            }) && !selects_a_non_card_type(last)
    })
}

/// Input types that never hold card data: `input[type=email]`, `input[type="checkbox"]`,
/// `input[type=hidden]` select one kind of field, not the card fields (those are `text`,
/// `tel`, `number`, `password` for a security code, `month` for an expiry, or untyped).
pub(crate) const NON_CARD_TYPES: &[&str] = &[
    "email",
    "checkbox",
    "radio",
    "submit",
    "button",
    "reset",
    "hidden",
    "image",
    "file",
    "color",
    "range",
    "date",
    "datetime-local",
    "time",
    "week",
    "url",
    "search",
];

fn selects_a_non_card_type(compound: &str) -> bool {
    // `input:not([type=hidden])` selects every other field: what `:not(…)` names is excluded.
    let mut kept = String::with_capacity(compound.len());
    let mut rest = compound;
    while let Some(i) = rest.find(":not(") {
        kept.push_str(&rest[..i]);
        rest = rest[i..].find(')').map_or("", |j| &rest[i + j + 1..]);
    }
    kept.push_str(rest);
    // `input:checked` is the ticked boxes and chosen radios; `input[name*=newsletter]`
    // the fields whose name says what else they are.
    if kept.contains(":checked") || names_other_fields(&kept) {
        return true;
    }
    kept.match_indices("[type").any(|(i, _)| {
        let rest = kept[i + 5..].trim_start();
        let Some(v) = rest.strip_prefix('=') else {
            return false;
        };
        let v = v.trim_start().trim_start_matches(['"', '\'']);
        let end = v.find(['"', '\'', ']', ' ']).unwrap_or(v.len());
        NON_CARD_TYPES.contains(&&v[..end])
    })
}

/// `[name*=newsletter]`, `[id^="shipping"]`, `[name$=email]`: an attribute match on a name
/// or id whose words are those of fields that never hold card data (and no card word).
fn names_other_fields(compound: &str) -> bool {
    const OTHER: &[&str] = &[
        "newsletter",
        "email",
        "mail",
        "phone",
        "telephone",
        "shipping",
        "street",
        "city",
        "postcode",
        "postal",
        "zip",
        "coupon",
        "promo",
        "search",
        "comment",
        "subscri",
        "firstname",
        "lastname",
        "country",
        "region",
    ];
    const CARD: &[&str] = &[
        "card", "cc", "cvv", "cvc", "csc", "pan", "pay", "exp", "secur",
    ];
    ["[name", "[id"].iter().any(|attr| {
        compound.match_indices(attr).any(|(i, _)| {
            let rest = compound[i + attr.len()..].trim_start();
            let Some(v) = ["*=", "^=", "$=", "~=", "|="]
                .iter()
                .find_map(|op| rest.strip_prefix(op))
            else {
                return false;
            };
            let v = v.trim_start().trim_start_matches(['"', '\'']);
            let v = &v[..v.find(['"', '\'', ']']).unwrap_or(v.len())];
            OTHER.iter().any(|w| v.contains(w)) && !CARD.iter().any(|w| v.contains(w))
        })
    })
}

/// Whether a compound selector picks a field by its exact id or name (`#x`, `[id=x]`,
/// `[name="x"]`) or its autofill token (`[autocomplete="cc-number"]`: the browser's own
/// name for one kind of field; also its last or one of its words, `[autocomplete$=
/// "address-line1"]` for `shipping address-line1`). Prefix and substring matches
/// (`[name^=payment]`, `[autocomplete*=cc]`) still select many fields.
fn names_one_field(compound: &str) -> bool {
    if compound.contains('#') {
        return true;
    }
    ["[name", "[id", "[autocomplete"].iter().any(|attr| {
        compound.match_indices(attr).any(|(i, _)| {
            let rest = compound[i + attr.len()..].trim_start();
            rest.starts_with('=')
                || (*attr == "[autocomplete"
                    && (rest.starts_with("$=") || rest.starts_with("~="))
                    && rest[2..]
                        .trim_start_matches(['"', '\'', ' '])
                        .starts_with(|c: char| c.is_ascii_alphabetic()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_field_by_a_value_known_at_run_time() {
        assert!(one_field_by_unknown_value("input[autocomplete$=\"*\"]"));
        assert!(one_field_by_unknown_value("form input[name*=\"*\"]"));
        assert!(one_field_by_unknown_value("input[name=\""));
        // The `*=` operator and a known value, a bare tag, a list: not this.
        assert!(!one_field_by_unknown_value("input[name*=\"street\"]"));
        assert!(!one_field_by_unknown_value("input"));
        assert!(!one_field_by_unknown_value("input[name=\"*\"], select"));
        assert!(!one_field_by_unknown_value("input[type=text]"));
    }

    fn vocab() -> Vocabulary {
        Vocabulary::from_files(&[VocabularyFile {
            source: vec![],
            words: vec!["cc".into(), "cvv".into(), "cardnumber".into()],
            pairs: vec![
                ["card".into(), "number".into()],
                ["security".into(), "code".into()],
            ],
            substrings: vec!["カード番号".into()],
            not_data: vec![
                ["cc".into(), "type".into()],
                ["card".into(), "brand".into()],
            ],
            other_sections: vec!["shipping".into(), "newsletter".into()],
        }])
    }

    /// An autofill token picks one kind of field, also by its last word (Shopify's
    /// `shipping address-line1`); a substring of tokens does not.
    #[test]
    fn an_autofill_token_suffix_is_one_kind_of_field() {
        assert!(!is_harvest_selector(
            "input[autocomplete$=\"address-line1\"]"
        ));
        assert!(!is_harvest_selector("input[autocomplete~=postal-code]"));
        assert!(!is_harvest_selector("input[autocomplete=\"cc-number\"]"));
        assert!(is_harvest_selector("input[autocomplete*=\"a\"]"));
        assert!(is_harvest_selector("input[autocomplete$=\"\"]"));
    }

    /// Every field inside a part of the checkout with no card field is that part's fields;
    /// the same scope naming payment, or an unscoped part of the list, still harvests.
    #[test]
    fn fields_inside_another_section_are_not_every_field() {
        let v = vocab();
        assert!(!v.harvests("#checkout-step-shipping input, #checkout-step-shipping select"));
        assert!(!v.harvests(".newsletter-box > input"));
        assert!(v.harvests("#shipping-payment-method input"));
        assert!(v.harvests("#checkout-step-shipping input, form input"));
        assert!(v.harvests("input"));
        assert!(v.names_other_section("#shipping-address"));
        assert!(!v.names_other_section("#co-payment-form"));
        assert!(!v.names_other_section("#shipping-cc-number"));
    }

    /// Something about the card (its brand radio, a brand icon) is not a card field; a
    /// selector's other part still is, and attribute names such as `type` are not affected.
    #[test]
    fn what_is_about_a_card_is_not_a_card_field() {
        let v = vocab();
        assert!(!v.matches("input[name=\"payment[cc_type]\"]:checked"));
        assert!(!v.matches("#card-brand-icon"));
        assert!(v.matches("#cc-number, #cc-type"));
        assert!(v.matches("input[type=tel][name=cardnumber]"));
        assert!(v.matches("payment[cc_number]"));
    }

    #[test]
    fn payment_words_match_on_word_boundaries() {
        let v = vocab();
        assert!(v.matches("payment[cc_number]"));
        assert!(v.matches("#cardNumber"));
        assert!(v.matches("input[name='card-number']"));
        assert!(v.matches("Security Code"));
        assert!(v.matches("カード番号"));
        assert!(!v.matches("accept"));
        assert!(!v.matches("success-message"));
        assert!(!v.matches(".card-body"));
        // Magento's payment-method radio is not a card field; its card fields are.
        assert!(!v.matches("input[name=\"payment[method]\"]:checked"));
    }

    #[test]
    fn page_field_hooks_match_presence_and_exact_values_outside_negations() {
        let v = vocab().with_page_fields(&[
            "k2".into(),
            "[data-field]".into(),
            "[data-field=pan]".into(),
            ".js-zahl".into(),
        ]);
        assert!(v.matches("[data-field]"));
        assert!(v.matches("input[data-field='pan']"));
        assert!(v.matches("form .js-zahl"));
        assert!(!v.matches("[data-field=promo]"));
        assert!(!v.matches("[data-field^=pa]"));
        assert!(!v.matches(".feld:not(.js-zahl)"));
        assert!(!v.matches("input:not([data-field])"));
        assert!(!v.matches("input:not(#k2)"));
    }

    #[test]
    fn page_fields_match_by_id_and_name_only() {
        let v = vocab().with_page_fields(&["f3".into(), "x_9".into()]);
        for hit in [
            "f3",
            "#f3",
            "form#pay #f3",
            "input[name=\"x_9\"]",
            "[id='f3']",
            "#cardNumber",
        ] {
            assert!(v.matches(hit), "{hit}");
        }
        for miss in ["f30", ".f3", "input[name=email]", "f3-label-text ok"] {
            assert!(!v.matches(miss), "{miss}");
        }
        assert!(!vocab().matches("f3"));
        // As a variable or property name, only a distinctive page field id counts.
        let generic = vocab().with_page_fields(&["name".into(), "number".into(), "f3".into()]);
        assert!(generic.matches("name") && generic.matches("#number"));
        assert!(!generic.matches_name("name") && !generic.matches_name("number"));
        assert!(generic.matches_name("f3"));
    }

    #[test]
    fn harvest_selectors() {
        assert!(is_harvest_selector("input"));
        assert!(is_harvest_selector("input, select"));
        assert!(is_harvest_selector("form input[type=text]"));
        assert!(is_harvest_selector(":input"));
        assert!(!is_harvest_selector("#cc_number"));
        assert!(!is_harvest_selector("input[type=hidden]"));
        assert!(!is_harvest_selector("input[type=email], input[name=email]"));
        assert!(!is_harvest_selector("input[type='checkbox']"));
        assert!(is_harvest_selector("input[type=tel]"));
        assert!(is_harvest_selector("input:not([type=hidden])"));
        assert!(is_harvest_selector(
            "input:not([type=hidden]):not([type=submit])"
        ));
        assert!(!is_harvest_selector(".inputs"));
        // A list is a union: one part that selects every field is enough.
        assert!(is_harvest_selector("input, select, textarea, checkbox"));
        assert!(!is_harvest_selector("#cc_number, .inputs"));
        assert!(!is_harvest_selector("input[type=hidden], .x"));
        assert!(is_harvest_selector("*"));
        assert!(is_harvest_selector("form *"));
        assert!(!is_harvest_selector("*.card-body"));
        // A field picked by its exact name or id is that field, whatever its tag.
        assert!(!is_harvest_selector(
            "input[name=\"payment[method]\"]:checked"
        ));
        assert!(!is_harvest_selector("form input#email"));
        assert!(!is_harvest_selector("select[id='country']"));
        assert!(!is_harvest_selector("input[autocomplete=\"cc-number\"]"));
        assert!(is_harvest_selector("input[autocomplete^=cc]"));
        // Ticked boxes, and fields whose name says they are something else.
        assert!(!is_harvest_selector("input[name*=newsletter]:checked"));
        assert!(!is_harvest_selector("input:checked"));
        assert!(!is_harvest_selector("input[name^='shipping']"));
        assert!(!is_harvest_selector("form input[id*=email]"));
        assert!(is_harvest_selector("input[name*=card]"));
        assert!(is_harvest_selector("input[name^=shipping_cc]"));
        assert!(is_harvest_selector("input[name*=payment]"));
        assert!(is_harvest_selector("form.checkout"));
        assert!(is_harvest_selector("form#co-payment-form"));
        assert!(!is_harvest_selector("formatted-price"));
        assert!(!selects_fields("form.checkout, form#payment"));
        assert!(selects_fields("form.checkout input"));
        assert!(selects_fields("form *"));
        assert!(is_harvest_selector("input[name^=payment]"));
        assert!(is_harvest_selector("input[name*=\"card\"], #x"));
    }
}
