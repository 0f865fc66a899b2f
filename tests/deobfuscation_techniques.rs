//! Each hiding technique of issue 11 wraps a checkout skimmer (fixtures written by
//! `scripts/gen_obfuscation_fixtures.py` from public descriptions of the technique): the
//! engine must run the attacker's own decoder in the sandbox and name the real destination in
//! a critical finding. The first line of each fixture says which host to expect.

use skimscan::finding::Severity;
use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy, ScriptAnalysis};
use skimscan::rules::RuleSet;
use std::path::Path;
use std::sync::Arc;

fn engine() -> Engine {
    Engine::new(
        Arc::new(RuleSet::load(false, &[]).expect("shipped rules")),
        HostPolicy::default(),
    )
}

fn job(name: &str, code: &str) -> AnalysisJob {
    AnalysisJob {
        script_id: name.into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: name.into(),
        page_host: Some("shop.example".into()),
        payment_page: true,
        line_offset: 1,
        column_offset: 1,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
    }
}

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/obfuscation")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The host the fixture's first line names (`// … expect: <rule> <host>`).
fn expected_host(code: &str) -> String {
    code.lines()
        .next()
        .and_then(|l| l.split_whitespace().last())
        .expect("expect line")
        .to_string()
}

fn analyse(name: &str, code: &str) -> ScriptAnalysis {
    engine()
        .analyse_batch(vec![job(name, code)])
        .pop()
        .expect("one result")
}

/// A critical `payment-data-exfiltration` naming `host`.
fn assert_named(what: &str, a: &ScriptAnalysis, host: &str) {
    let named = a.findings.iter().any(|f| {
        f.rule == "payment-data-exfiltration"
            && f.severity == Severity::Critical
            && f.hosts.iter().any(|h| h == host)
    });
    assert!(named, "{what}: {:#?} {:?}", a.findings, a.errors);
}

/// No high or critical finding.
fn assert_quiet(name: &str, a: &ScriptAnalysis) {
    let high: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::High)
        .map(|f| (&f.rule, &f.hosts, &f.evidence))
        .collect();
    assert!(high.is_empty(), "{name}: {high:#?}");
}

fn assert_exfiltration(name: &str) {
    let code = fixture(name);
    let host = expected_host(&code);
    let a = analyse(name, &code);
    let found = a.findings.iter().any(|f| {
        f.rule == "payment-data-exfiltration"
            && f.severity == Severity::Critical
            && f.hosts.contains(&host)
    });
    assert!(
        found,
        "{name}: no critical exfiltration to {host}; findings: {:#?}; errors: {:?}",
        a.findings
            .iter()
            .map(|f| (&f.rule, &f.hosts, &f.evidence))
            .collect::<Vec<_>>(),
        a.errors
    );
    assert!(a.errors.is_empty(), "{name}: {:?}", a.errors);
    assert!(
        a.destinations.contains(&host),
        "{name}: {:?}",
        a.destinations
    );
}

#[test]
fn dean_edwards_packer_is_unpacked() {
    assert_exfiltration("packer.js");
}

#[test]
fn string_array_with_base64_rotation_and_wrappers_is_decoded() {
    assert_exfiltration("string-array-base64.js");
}

#[test]
fn string_array_with_rc4_rotation_and_wrappers_is_decoded() {
    assert_exfiltration("string-array-rc4.js");
}

/// Real javascript-obfuscator output (medium preset): string-array wrappers that forward to
/// wrappers declared below them, in functions flattened into switch dispatchers, with
/// decoded property names as computed keys.
#[test]
fn javascript_obfuscator_medium_wrapper_chains_are_decoded() {
    assert_exfiltration("jo-medium-wrapper-chains.js");
}

/// Real javascript-obfuscator output (high preset): control-flow flattening moves every
/// call of the script's own functions and every operator into tables of small functions
/// (`t.pLm(post, s)` for `post(s)`), with RC4 string arrays and debug protection.
#[test]
fn javascript_obfuscator_high_call_tables_are_written_back() {
    assert_exfiltration("jo-high-call-tables.js");
}

/// Real js-confuser output (medium preset): the whole script inside `Function(…)`, strings
/// concealed behind decoders that a flattened state machine builds at run time. No decoder
/// has a shape to plan for; the script runs whole on a stub page in the sandbox and the
/// canary card number it sends names the host.
#[test]
fn js_confuser_medium_runs_whole_on_a_stub_page() {
    assert_exfiltration("js-confuser-medium.js");
    // The evidence says the flow was seen in a run, not read in the text.
    let a = analyse("js-confuser-medium.js", &fixture("js-confuser-medium.js"));
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "payment-data-exfiltration")
        .expect("exfiltration");
    let evidence = f.evidence.as_deref().unwrap_or("");
    assert!(evidence.starts_with("run on a stub page: "), "{evidence}");
}

/// js-confuser's high preset (control-flow flattening, opaque predicates, integrity checks)
/// around a skimmer that sends through an SVG image's `xlink:href`.
#[test]
fn js_confuser_high_runs_whole_on_a_stub_page() {
    assert_exfiltration("js-confuser-high.js");
}

/// The commonest place for a skimmer: appended to the shop's copy of jQuery. The
/// obfuscated part is dense in hex but the 87 KB library dilutes it over the file; jQuery's
/// own start-up (support tests on detached elements, `createHTMLDocument`) must run on the
/// stub page for the skimmer after it to run at all.
#[test]
fn js_confuser_appended_to_jquery_runs_on_a_stub_page() {
    let skimmer = fixture("js-confuser-appended-skimmer.js");
    let host = expected_host(&skimmer);
    let code = format!("{}\n{skimmer}", fixture("jquery-3.7.1.min.js"));
    let a = analyse("jquery.min.js", &code);
    assert!(
        a.findings
            .iter()
            .any(|f| f.rule == "payment-data-exfiltration"
                && f.severity == Severity::Critical
                && f.hosts.contains(&host)),
        "{:#?}",
        a.findings
            .iter()
            .map(|f| (&f.rule, &f.hosts))
            .collect::<Vec<_>>()
    );
}

/// A skimmer written for one platform acts only on that platform's field ids (BigCommerce's
/// `ccNumber`, `ccCvv`); obfuscated, its literals give the stub page no hint of them, so the
/// stub page carries the card fields of the common platforms.
#[test]
fn js_confuser_skimmer_of_one_platform_finds_its_fields_on_the_stub_page() {
    assert_exfiltration("js-confuser-bigcommerce-ids.js");
}

/// A skimmer that mounts its own card form once, guarded by the id it gives the form
/// (`if (document.getElementById(id)) return;`): the page answers every id, so the guard
/// would stop it. The id is read from the decoded strings (javascript-obfuscator, an id with
/// `secure` in it, which names no card field) or, when no literal shows it (js-confuser),
/// learned from the run: what the script asked for before it made anything is absent in a
/// second run.
#[test]
fn an_obfuscated_skimmer_guarded_by_its_own_forms_id_mounts_it() {
    assert_exfiltration("jo-guarded-overlay.js");
    assert_exfiltration("js-confuser-guarded-overlay.js");
}

/// Obfuscated skimmers that ask the page as a browser answers: a keylogger that picks card
/// fields by the reflected `e.target.autocomplete` property, and a label walk whose patterns
/// exist only as strings joined at run time and handed to `new RegExp`. Their twins, which
/// report only lengths, stay quiet on the same stub page.
#[test]
fn obfuscated_skimmers_reading_reflected_attributes_or_run_time_patterns_are_named() {
    assert_exfiltration("js-confuser-autocomplete-keylogger.js");
    assert_exfiltration("js-confuser-runtime-regexp-labels.js");
    for legit in [
        "js-confuser-autocomplete-lengths.js",
        "js-confuser-runtime-regexp-labels-lengths.js",
    ] {
        assert_quiet(legit, &analyse(legit, &fixture(legit)));
    }
}

/// A keylogger that arms on the third keystroke and only then listens for the blur that
/// sends: the stub page's customer goes on to leave each field. Once with escaped strings,
/// once behind js-confuser's own cipher alphabet (no hex number, no escape: the alphabet's
/// even spread over printable ASCII is what marks it); the twin sends only lengths.
#[test]
fn a_keylogger_armed_while_typing_is_named_behind_either_string_hiding() {
    assert_exfiltration("js-confuser-armed-keylogger.js");
    assert_exfiltration("js-confuser-cipher-alphabet-armed.js");
    let legit = "js-confuser-cipher-alphabet-lengths.js";
    assert_quiet(legit, &analyse(legit, &fixture(legit)));
}

/// Skimmers that probe their environment before they arm, as kits do to skip emulators and
/// bots: the stub page answers as a desktop Chrome of today does (an `Intl` time zone, media
/// queries, PDF plugins, the scan's date, a clock that moves over timers, built-in-looking
/// functions, intervals that tick for as long as a customer stays). Each address is decoded by a generator only the
/// stub page runs.
#[test]
fn skimmers_gated_on_their_environment_still_run_on_the_stub_page() {
    let skimmer = fixture("env-gated/skimmer.js");
    for gate in [
        // A geo filter on the customer's time zone.
        "var tz = Intl.DateTimeFormat().resolvedOptions().timeZone || '';\n  if (/^(Antarctica|Europe\\/Moscow)/.test(tz)) return;\n  arm();",
        // A desktop-only kit.
        "if (!window.matchMedia('(pointer: fine)').matches || !matchMedia('(min-width: 1024px)').matches) return;\n  arm();",
        // A headless-browser check: a real Chrome lists its PDF plugins.
        "if (!navigator.plugins || navigator.plugins.length === 0 || !navigator.mimeTypes.length) return;\n  arm();",
        // A campaign that starts on 1 March 2025.
        "if (Date.now() < Date.UTC(2025, 2, 1)) return;\n  arm();",
        // An emulator check: time must pass over a 300 ms timer.
        "var t0 = Date.now();\n  setTimeout(function () { if (Date.now() - t0 < 250) return; arm(); }, 300);",
        // A check that the page's sender is the browser's own, not a wrapper.
        "if (!/\\[native code\\]/.test(navigator.sendBeacon.toString())) return;\n  arm();",
        // Arming on the 50th tick of a 100 ms poll, five seconds after load.
        "var n = 0;\n  var poll = setInterval(function () { if (++n < 50) return; clearInterval(poll); arm(); }, 100);",
    ] {
        let code = skimmer.replace("/* GATE */", gate);
        assert_named(gate, &analyse("gated.js", &code), "metrics-jsdelivr.net");
    }
}

/// A module script (`<script type="module">`) that starts with a top-level `await`: a syntax
/// error for a classic script, so the stub page ran nothing of it. It runs as the browser
/// runs a module now, its address decoded there.
#[test]
fn a_module_with_top_level_await_runs_on_the_stub_page() {
    let code = format!(
        "await Promise.resolve();\n{}",
        fixture("env-gated/skimmer.js").replace("/* GATE */", "arm();")
    );
    assert_named(
        "widget.js",
        &analyse("widget.js", &code),
        "metrics-jsdelivr.net",
    );
}

/// jQuery merged with an analytics beacon, plain or obfuscated, is no skimmer: jQuery's own
/// `serialize` (`this.serializeArray()`) reads no form, and the beacon carries no field.
#[test]
fn jquery_merged_with_an_analytics_beacon_stays_quiet() {
    let jquery = fixture("jquery-3.7.1.min.js");
    let plain = "(function () {\n  function text(sel) { var e = document.querySelector(sel); return e ? String(e.textContent || '').trim() : ''; }\n  document.addEventListener('click', function (e) {\n    var b = e.target && e.target.closest ? e.target.closest('button') : null;\n    if (b && /checkout|place|order/i.test(b.className + b.id)) { navigator.sendBeacon('https://events.luma-insights.example/collect', JSON.stringify({ e: 'order_click', total: text('.grand.totals .price'), page: location.pathname })); }\n  }, true);\n})();";
    for appended in [plain.to_string(), fixture("js-confuser-appended-legit.js")] {
        assert_quiet(
            "jquery.min.js",
            &analyse("jquery.min.js", &format!("{jquery}\n{appended}")),
        );
    }
}

#[test]
fn jsfuck_fragments_are_evaluated() {
    assert_exfiltration("jsfuck.js");
}

#[test]
fn xor_decoder_with_a_computed_key_is_run() {
    assert_exfiltration("xor-key.js");
}

#[test]
fn html_entities_through_jquery_are_decoded() {
    assert_exfiltration("html-entities.js");
}

#[test]
fn vm_dispatch_loop_assembling_the_url_is_run() {
    assert_exfiltration("vm-dispatch.js");
}

#[test]
fn function_chain_whose_second_layer_needs_the_first_is_decoded() {
    assert_exfiltration("function-chain.js");
}

#[test]
fn decoded_layers_are_reported_as_hidden_code() {
    let code = fixture("function-chain.js");
    let a = analyse("function-chain.js", &code);
    assert!(
        a.findings.iter().any(|f| f.rule == "hidden-code-execution"),
        "{:#?}",
        a.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
    );
}

#[test]
fn a_decoder_that_never_ends_makes_the_analysis_incomplete() {
    // The decoder loops forever before producing the code it would eval: the sandbox stops it
    // once it has done its counted work (not after a time that depends on the machine's
    // load) and the script is reported as only partly analysed, never as clean.
    let code = "function _dec(s){var o='';while(true){o+=String.fromCharCode(s.charCodeAt(0)^1);o=o.slice(-8);}return o;}\n\
                var _p=_dec('x');\neval(_p);\n";
    let a = analyse("spin.js", code);
    assert!(
        a.errors.iter().any(|e| e.contains("work budget")),
        "{:?}",
        a.errors
    );
    assert!(
        a.findings
            .iter()
            .any(|f| f.rule == "analysis-budget-exceeded"),
        "{:#?}",
        a.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
    );
}

#[test]
fn a_memory_bomb_in_a_decoder_is_stopped() {
    let code = "function _grow(s){while(true){s=s+s;}}\nvar _u=_grow('ab');\neval(_u);\n";
    let a = analyse("bomb.js", code);
    assert!(
        a.errors
            .iter()
            .any(|e| e.contains("memory budget") || e.contains("work budget")),
        "{:?}",
        a.errors
    );
}

#[test]
fn ordinary_code_with_decoders_stays_clean() {
    // A shop's own helper decodes a Base64 configuration string and posts non-payment
    // analytics to its own host: the sandbox may run, but nothing suspicious appears.
    let code = r#"
function cfg(s){ return JSON.parse(decodeURIComponent(escape(atob(s)))); }
var settings = cfg('eyJlbmRwb2ludCI6Ii9hcGkvZXZlbnRzIiwic2FtcGxlIjowLjV9');
function track(name){ var x = new XMLHttpRequest(); x.open('POST', settings.endpoint); x.send(JSON.stringify({e: name})); }
document.addEventListener('click', function(){ track(String.fromCharCode(99,108,105,99,107)); });
"#;
    let a = analyse("shop-analytics.js", code);
    let strong: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .map(|f| (&f.rule, &f.hosts))
        .collect();
    assert!(strong.is_empty(), "{strong:?}");
    assert!(a.errors.is_empty(), "{:?}", a.errors);
}

/// A hook on `XMLHttpRequest.prototype.send`, obfuscated, that copies only the requests whose
/// URL names its platform's payment route: the stub page's own checkout requests name the
/// platforms' routes, so the hook copies one and the copy is seen.
#[test]
fn an_obfuscated_request_hook_with_a_route_filter_is_followed() {
    assert_exfiltration("jo-xhr-send-hook-opencart-route.js");
}
