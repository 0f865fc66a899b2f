//! The fuzz targets: one function per parser of untrusted input (a fetched page and its text
//! encoding, a script, a baseline file, `skimscan.toml`, a rule file, a CSP header, a URL or
//! host). Each takes raw bytes, must never panic, and asserts what must hold for any input:
//! errors name their file, output is deterministic, findings name loaded rules, a deep script
//! ends in a budget error rather than a crash.
//!
//! The same functions serve the AFL++ binary (`fuzz/src/main.rs`) and the corpus replay test of
//! the main crate (`tests/fuzz_replay.rs`, which includes this directory by path), so every
//! input the fuzzer kept is also an ordinary regression test, run without AFL.

mod baseline;
mod config;
mod csp;
mod decode;
pub mod js;
pub mod js_grammar;
mod page;
mod rules;
mod url;

/// One fuzz target: its name (the corpus directory `fuzz/corpus/<name>/`) and its entry point.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, in the order `.ci/run` fuzzes them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "page",
        run: page::run,
    },
    Target {
        name: "decode",
        run: decode::run,
    },
    Target {
        name: "js",
        run: js::run,
    },
    Target {
        name: "js_grammar",
        run: js_grammar::run,
    },
    Target {
        name: "baseline",
        run: baseline::run,
    },
    Target {
        name: "config",
        run: config::run,
    },
    Target {
        name: "rules",
        run: rules::run,
    },
    Target {
        name: "csp",
        run: csp::run,
    },
    Target {
        name: "url",
        run: url::run,
    },
];

pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The Content-Type a server might have sent with a body, chosen by the input so the charset
/// sniffing runs with and without a header, with common and bogus labels: a first byte below 8
/// picks a listed header, 0xFF takes the header from the input up to the first newline, and
/// anything else (a readable seed page) means no header at all.
fn split_content_type(data: &[u8]) -> (Option<String>, &[u8]) {
    const TYPES: &[&str] = &[
        "text/html; charset=utf-8",
        "text/html; charset=\"Shift_JIS\"",
        "text/html;charset=euc-jp",
        "application/javascript; charset=windows-1252",
        "text/html; charset=utf-16le",
        "text/html; charset=x-no-such-encoding",
        "text/html",
        "text/html; charset=",
    ];
    match data.split_first() {
        Some((&first, rest)) if usize::from(first) < TYPES.len() => {
            (Some(TYPES[usize::from(first)].to_string()), rest)
        }
        Some((0xFF, rest)) => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let header = String::from_utf8_lossy(&rest[..end]).into_owned();
            (Some(header), rest.get(end + 1..).unwrap_or(&[]))
        }
        _ => (None, data),
    }
}
