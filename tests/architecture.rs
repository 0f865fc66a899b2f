//! The layout's promise, checked: data moves one way (target → pages → scripts → facts →
//! findings → report, with the commands on top), so no top-level module of the library may
//! reach, through any chain of `crate::` paths, back to itself. A cycle is how a pipeline
//! quietly turns into a ball of mud (the scan calling checks calling the scan; the baseline
//! patching a report that imports the baseline), so it fails the build here, with the lines
//! that close it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `module -> (module it names -> where)`, from the non-test code of `src/`.
type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to: `src/scan/crawl.rs` → `scan`, `src/app.rs` → `app`.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// Every `crate::<module>` a line of code names (comments and test modules excluded: tests
/// may reach anywhere, and a doc link is not a dependency).
fn named_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        // `skimscan::crate::` cannot occur; `$crate::` (macros) and `mycrate::` are not ours.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut g = Graph::new();
    for file in files {
        let Some(from) = top_module(src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a source file is UTF-8");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("#[cfg(test)]") {
                break;
            }
            if code.starts_with("//") {
                continue;
            }
            let code = code.split(" //").next().unwrap_or(code);
            for to in named_modules(code) {
                if to != from {
                    let at = format!("{}:{}", file.display(), n + 1);
                    g.entry(from.clone())
                        .or_default()
                        .entry(to)
                        .or_default()
                        .push(at);
                }
            }
        }
    }
    g
}

/// Strongly connected components with more than one module (Tarjan, iterative enough for a
/// few dozen modules by plain recursion).
fn cycles(g: &Graph) -> Vec<BTreeSet<String>> {
    struct State<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(edges) = s.g.get(v) {
            for w in edges.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: BTreeSet<&str> = g
        .iter()
        .flat_map(|(k, v)| std::iter::once(k.as_str()).chain(v.keys().map(String::as_str)))
        .collect();
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn describe(g: &Graph, comp: &BTreeSet<String>) -> String {
    let mut out = String::new();
    for a in comp {
        for (b, at) in g.get(a).into_iter().flatten() {
            if comp.contains(b) {
                out.push_str(&format!("  {a} -> {b}   ({})\n", at[0]));
            }
        }
    }
    out
}

#[test]
fn the_library_has_no_import_cycles_between_its_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = graph(&src);
    // The graph really was read: the pipeline's main edges are there.
    assert!(g["scan"].contains_key("js"), "scan -> js missing: {g:?}");
    assert!(g["app"].contains_key("command"));
    let found = cycles(&g);
    let text: Vec<String> = found.iter().map(|c| describe(&g, c)).collect();
    assert!(
        found.is_empty(),
        "import cycles between modules (each must be broken by moving the shared type or \
         function below both):\n{}",
        text.join("\n")
    );
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_names_its_lines() {
    // The check above is only worth something if it can fail: a made-up three-module loop.
    let mut g = Graph::new();
    for (a, b) in [
        ("scan", "checks"),
        ("checks", "page"),
        ("page", "scan"),
        ("report", "finding"),
    ] {
        g.entry(a.into())
            .or_default()
            .insert(b.into(), vec![format!("src/{a}.rs:1")]);
    }
    let found = cycles(&g);
    assert_eq!(found.len(), 1);
    let names: Vec<&str> = found[0].iter().map(String::as_str).collect();
    assert_eq!(names, ["checks", "page", "scan"]);
    assert!(describe(&g, &found[0]).contains("page -> scan   (src/page.rs:1)"));
    assert_eq!(
        named_modules("use crate::scan::crawl; let x = $crate::y; mycrate::z; crate::js::a"),
        ["scan", "js"]
    );
}
