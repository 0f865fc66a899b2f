//! Skimmers that bring their own form (issue 9, class 5): fields the script creates and names
//! like card fields are card sources, and hiding a processor's frame beside them is reported.
//! Fields named through `setAttribute` (also from a loop over constant labels), built by
//! jQuery from an attributes object, written into a frame's own document, or read back by
//! their class count too, and so does a list they are kept in.
//! A script whose own card fields provably send only to the shop or an authorised processor
//! (a processor's SDK, a single-page checkout) is an inventory item, `payment-form-rendered`.

mod engine_support;
use engine_support::{analyse, check_dir};

#[test]
fn own_card_fields_are_sources_and_injections() {
    let (skim, legit) = check_dir("own_form");
    assert!(
        skim >= 4 && legit >= 1,
        "{skim} skimmers, {legit} legitimate"
    );
}

#[test]
fn hiding_the_processor_frame_is_named_in_the_evidence() {
    let code = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/engine/values/own_form/skim-own-card-fields.js"
    ))
    .unwrap();
    let r = analyse("overlay.js", &code);
    let f: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "injected-payment-form")
        .collect();
    assert!(
        f.iter()
            .any(|f| f.evidence.as_deref().is_some_and(|e| e.contains("display"))),
        "{f:?}"
    );
}

/// The legitimate scripts that draw card fields are reported at low as rendered forms; a fake
/// form that also sends home, or sends where the analysis cannot tell, is still injected.
#[test]
fn card_fields_sent_only_home_are_a_rendered_form() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/engine/values/own_form/"
    );
    let rules = |name: &str| -> Vec<String> {
        let code = std::fs::read_to_string(format!("{dir}{name}")).unwrap();
        analyse(name, &code)
            .findings
            .iter()
            .map(|f| f.rule.clone())
            .collect()
    };
    for legit in [
        "legit-processor-sdk-own-inputs.js",
        "legit-spa-payment-step.js",
    ] {
        let r = rules(legit);
        assert!(
            r.iter().any(|r| r == "payment-form-rendered")
                && !r.iter().any(|r| r == "injected-payment-form"),
            "{legit}: {r:?}"
        );
    }
    for skim in [
        "skim-own-form-home-and-away.js",
        "skim-own-form-unresolved.js",
    ] {
        let r = rules(skim);
        assert!(
            r.iter().any(|r| r == "injected-payment-form")
                && !r.iter().any(|r| r == "payment-form-rendered"),
            "{skim}: {r:?}"
        );
    }
}
