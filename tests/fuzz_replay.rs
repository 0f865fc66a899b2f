//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) and the crashes the fuzzer found
//! and that were fixed (`fuzz/crashes/<target>/`) through the fuzz targets, without AFL: every
//! input the fuzzer kept is a regression test of `cargo test`. The targets' code is included
//! from `fuzz/src/targets/` by path, so the fuzzer and this test check the same invariants.
//!
//! Crashes still open (today: stack overflows in the engine, being fixed in `src/js/budget.rs`)
//! would abort this whole test binary, so they are listed in `fuzz/crashes/OPEN` and skipped
//! here; a test checks that every crash file is either replayed or listed there with a note.

#[path = "../fuzz/src/targets/mod.rs"]
mod targets;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The input files of one directory, sorted; notes (`*.md`) are not inputs.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

/// The crash files still open: `fuzz/crashes/OPEN` lines `<target>/<file>  <note>`.
fn open_crashes() -> BTreeSet<String> {
    let text = std::fs::read_to_string(fuzz_dir().join("crashes/OPEN")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Run every file through its target; return the files that failed, with the panic message.
fn replay(target: &targets::Target, files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for file in files {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let run = target.run;
        if let Err(panic) = std::panic::catch_unwind(move || run(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", file.display()));
        }
    }
    failures
}

#[test]
fn every_target_has_a_corpus_and_it_replays_cleanly() {
    let mut failures = Vec::new();
    for target in targets::TARGETS {
        let files = inputs(&fuzz_dir().join("corpus").join(target.name));
        assert!(!files.is_empty(), "fuzz/corpus/{} is empty", target.name);
        failures.extend(replay(target, &files));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixed_crashes_stay_fixed() {
    let open = open_crashes();
    let mut failures = Vec::new();
    for target in targets::TARGETS {
        let files: Vec<PathBuf> = inputs(&fuzz_dir().join("crashes").join(target.name))
            .into_iter()
            .filter(|f| !open.contains(&relative_name(target.name, f)))
            .collect();
        failures.extend(replay(target, &files));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn open_crashes_are_real_files_with_a_note() {
    let text = std::fs::read_to_string(fuzz_dir().join("crashes/OPEN")).unwrap_or_default();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let name = words.next().unwrap_or_default();
        assert!(
            fuzz_dir().join("crashes").join(name).is_file(),
            "fuzz/crashes/OPEN names `{name}`, which does not exist"
        );
        assert!(
            words.next().is_some(),
            "`{name}` in fuzz/crashes/OPEN has no note"
        );
    }
}

#[test]
fn every_target_name_is_a_corpus_directory_and_back() {
    let names: BTreeSet<&str> = targets::TARGETS.iter().map(|t| t.name).collect();
    let dirs: BTreeSet<String> = std::fs::read_dir(fuzz_dir().join("corpus"))
        .expect("fuzz/corpus exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        dirs.iter().map(String::as_str).collect(),
        "one corpus directory per target"
    );
    assert!(targets::find("js").is_some() && targets::find("nope").is_none());
}

/// The grammar target is only worth its time if what it writes gets past the parser: most of
/// its seed programs must parse with oxc (no `parse-fallback` finding) and reach the rules.
#[test]
fn grammar_seeds_write_javascript_the_parser_reads() {
    let seeds = inputs(&fuzz_dir().join("corpus/js_grammar"));
    let mut parsed = 0;
    for seed in &seeds {
        let program = targets::js_grammar::generate(&std::fs::read(seed).expect("seed readable"));
        assert!(!program.trim().is_empty(), "{}", seed.display());
        let (engine, _) = targets::js::engine();
        let job = targets::js::checkout_job(&program);
        let analysis = engine.analyse_batch(vec![job]).pop().expect("one result");
        if !analysis.findings.iter().any(|f| f.rule == "parse-fallback") {
            parsed += 1;
        }
    }
    assert!(
        parsed * 2 >= seeds.len(),
        "only {parsed} of {} grammar seeds parse",
        seeds.len()
    );
}

fn relative_name(target: &str, file: &Path) -> String {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    format!("{target}/{}", name.unwrap_or_default())
}
