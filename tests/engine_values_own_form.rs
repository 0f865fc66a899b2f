//! Skimmers that bring their own form (issue 9, class 5): fields the script creates and names
//! like card fields are card sources, and hiding a processor's frame beside them is reported.

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
