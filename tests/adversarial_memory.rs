//! Issue 7, items 2 and 4: bounded memory. Any single script up to the size cap analyses
//! within 1 GiB (before the fix a 10 MB `a?b:c?…` chain reached 3.8 GB), measured as the
//! peak resident memory of the scan and its workers; and the text report no longer copies the
//! whole line for every code frame (before: 4 bytes per character of the line, per finding —
//! 80 MB each on a 20 MB one-line script). Sizes here prove the point in seconds; the full
//! measurements per input class are in BENCHMARKS.md.

mod adversarial_support;

use adversarial_support::run_measured;
use skimscan::finding::{Finding, Location, Severity, Verdict};
use skimscan::inventory::ScriptText;
use skimscan::report::{FormatContext, Formatter, Report, Tool};
use skimscan::rules::RuleSet;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Counts the heap bytes each thread has live and their peak, so a test can see what one
/// call allocates (per thread: the other tests of this file allocate at the same time).
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts (const thread-locals, no allocation).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let _ = LIVE.try_with(|l| {
                l.set(l.get() + layout.size() as isize);
                let _ = PEAK.try_with(|p| p.set(p.get().max(l.get())));
            });
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        let _ = LIVE.try_with(|l| l.set(l.get() - layout.size() as isize));
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const GIB_IN_KIB: i64 = 1024 * 1024;

/// Scan one generated script as a lone target and return the scan's peak RSS in KiB; the
/// script must have been analysed (possibly partly, with an error), never lost.
fn peak_rss_of(name: &str, code: &str) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, code).unwrap();
    let m = run_measured(
        &[
            "scan",
            "--format",
            "json",
            "--max-body-size",
            "25MB",
            path.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        m.code == 0 || m.code == 1 || m.code == 3,
        "{name}: exit {} {}",
        m.code,
        m.stderr
    );
    let report = m.json();
    let errors = report["errors"].to_string();
    assert!(!errors.contains("worker died"), "{name}: {errors}");
    m.max_rss_kib
}

#[test]
fn a_long_conditional_chain_stays_under_a_gigabyte() {
    let code = format!("var z={}c;", "a?b:".repeat(1_000_000));
    let kib = peak_rss_of("ternary.js", &code);
    assert!(
        kib < GIB_IN_KIB,
        "4 MB ternary chain: peak {} MiB",
        kib / 1024
    );
}

#[test]
fn other_worst_case_classes_stay_under_a_gigabyte() {
    let classes: Vec<(&str, String)> = vec![
        (
            "plus-chain.js",
            format!("var s=1{};", "+1".repeat(2_000_000)),
        ),
        (
            "deep-arrays.js",
            format!("var d={}0{};\n", "[".repeat(900), "]".repeat(900)).repeat(2_000),
        ),
        (
            "string-table.js",
            format!(
                "var _0x=[{}];",
                (0..300_000)
                    .map(|i| format!("'s{i:07}'"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ),
        (
            "tiny-functions.js",
            (0..200_000)
                .map(|i| format!("function f{i}(a){{return a+{i}}}"))
                .collect(),
        ),
    ];
    for (name, code) in classes {
        let kib = peak_rss_of(name, &code);
        assert!(kib < GIB_IN_KIB, "{name}: peak {} MiB", kib / 1024);
    }
}

#[test]
fn code_frames_on_a_huge_line_copy_only_a_window() {
    // A 20 MB one-line script with findings all along it.
    let unit = "a.push('xyzzy',1,2,3);";
    let line: String = unit.repeat(20 * 1024 * 1024 / unit.len());
    let findings: Vec<Finding> = (0..20)
        .map(|i| Finding {
            rule: "obfuscated-code".into(),
            severity: Severity::Medium,
            title: "t".into(),
            page: Some("p".into()),
            script: Some("big.js".into()),
            location: Some(Location {
                line: 1,
                column: 1 + i * 1_000_000,
            }),
            hosts: Vec::new(),
            evidence: Some("e".into()),
            message: "m".into(),
            diff: None,
        })
        .collect();
    let report = Report {
        schema_version: 1,
        tool: Tool::default(),
        started_at: String::new(),
        finished_at: String::new(),
        verdict: Verdict::Suspicious,
        complete: true,
        pages: Vec::new(),
        scripts: Vec::new(),
        removed: Vec::new(),
        browser: Vec::new(),
        findings,
        errors: Vec::new(),
    };
    let mut sources = BTreeMap::new();
    sources.insert(
        "big.js".to_string(),
        ScriptText {
            id: "big.js".into(),
            text: Arc::from(line.as_str()),
            line_offset: 1,
            column_offset: 1,
        },
    );
    let rules = RuleSet::default();
    let ctx = FormatContext {
        sources: &sources,
        color: false,
        rules: &rules,
    };
    let mut out = Vec::with_capacity(1 << 20);
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    skimscan::report::text::Text
        .write(&report, &ctx, &mut out)
        .unwrap();
    let extra = (PEAK.with(Cell::get) - before).max(0) as usize;
    assert!(
        extra < 8 << 20,
        "the text report allocated {} MB for 20 code frames",
        extra >> 20
    );
    let text = String::from_utf8(out).unwrap();
    let frames = text.lines().filter(|l| l.starts_with(" 1 | ")).count();
    assert_eq!(frames, 20, "{}", &text[..2000.min(text.len())]);
    assert!(text.lines().all(|l| l.chars().count() < 400));
}
