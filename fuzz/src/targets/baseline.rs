//! Target `baseline`: a baseline file's text, as `scan --baseline` and `baseline update` read
//! it. A bad file is refused with its name; a good one survives being written and read back
//! unchanged (`baseline update` rewrites files, and a review diff must show only real changes).

use skimscan::baseline::store::{parse, to_json};
use std::path::Path;

pub fn run(data: &[u8]) {
    // The loader reads the file as UTF-8 first; other bytes are refused before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("baselines/shop.json");
    match parse(path, text) {
        Ok(baseline) => {
            let written = to_json(&baseline);
            let reread = match parse(path, &written) {
                Ok(b) => b,
                Err(e) => panic!("a written baseline does not load again: {e}\n{written}"),
            };
            assert_eq!(to_json(&reread), written, "writing a baseline is stable");
        }
        Err(e) => {
            let message = e.to_string();
            assert!(message.starts_with("baselines/shop.json"), "{message}");
        }
    }
}
