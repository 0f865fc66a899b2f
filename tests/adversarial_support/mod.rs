//! Shared by the adversarial tests (issue 7): hostile scripts generated at test time (every
//! construct the parser or our walks recurse on, at depths that overflowed even the 256 MiB
//! analysis stack before the fix), a shop with a planted skimmer to scan next to them, and a
//! run of the real binary that reports its peak memory, workers included.
#![allow(dead_code)]

use base64::Engine as _;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// One hostile script: what it nests, and its code.
pub struct Hostile {
    pub name: &'static str,
    pub code: String,
}

/// Every construct that nests without (or with) brackets, deep enough to overflow the
/// analysis stack of a pre-scan that does not count it.
pub fn constructs() -> Vec<Hostile> {
    let h = |name, code: String| Hostile { name, code };
    vec![
        h(
            "assignment-chain",
            format!("var a;a={}1;", "a=".repeat(500_000)),
        ),
        h(
            "member-assignment-chain",
            format!("var o={{}};{}1;", "o.p=".repeat(300_000)),
        ),
        h("not-chain", format!("var z={}0;", "!".repeat(3_000_000))),
        h("tilde-chain", format!("var z={}0;", "~".repeat(3_000_000))),
        h("minus-chain", format!("var z={}0;", "- ".repeat(1_500_000))),
        h(
            "conditional-chain",
            format!("var z={}c;", "a?b:".repeat(500_000)),
        ),
        h("arrow-chain", format!("var z={}1;", "x=>".repeat(500_000))),
        h("new-chain", format!("var z={}F;", "new ".repeat(500_000))),
        h(
            "typeof-chain",
            format!("var z={}x;", "typeof ".repeat(400_000)),
        ),
        h("void-chain", format!("var z={}0;", "void ".repeat(500_000))),
        h(
            "delete-chain",
            format!("var z={}x;", "delete ".repeat(400_000)),
        ),
        h(
            "await-chain",
            format!("async function f(){{return {}x}}", "await ".repeat(400_000)),
        ),
        h(
            "yield-chain",
            format!("function*g(){{{}x}}", "yield ".repeat(400_000)),
        ),
        h(
            "spread-chain",
            format!("f({}a{});", "...[".repeat(300_000), "]".repeat(300_000)),
        ),
        h(
            "template-substitutions",
            format!("var t={}x{};", "`${".repeat(300_000), "}`".repeat(300_000)),
        ),
        h(
            "quote-in-regex",
            format!(
                "var r=/'/;var x={}1{};",
                "(".repeat(500_000),
                ")".repeat(500_000)
            ),
        ),
        h(
            "nested-functions",
            format!("{}{}", "function f(){".repeat(300_000), "}".repeat(300_000)),
        ),
        h("if-chain", format!("{}x();", "if(1)".repeat(500_000))),
        h("call-chain", format!("f{};", "()".repeat(1_000_000))),
        h("member-chain", format!("a{};", ".b".repeat(1_000_000))),
        h(
            "exponent-chain",
            format!("var z=2{};", "**2".repeat(500_000)),
        ),
    ]
}

/// The same code hidden the way skimmers hide stage two: `eval(atob("…"))`.
pub fn in_eval(code: &str) -> String {
    format!(
        "eval(atob(\"{}\"));",
        base64::engine::general_purpose::STANDARD.encode(code)
    )
}

/// Copy the demo shop (its checkout script carries a planted skimmer: exit 1) into `dir`.
pub fn demo_shop(dir: &Path) {
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/shop"),
        dir,
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Add a page to a site directory that loads each script (written under `static/`), as a
/// shop whose theme was tampered with would.
pub fn page_with_scripts(site: &Path, page: &str, scripts: &[(String, String)]) {
    let mut tags = String::new();
    for (name, code) in scripts {
        std::fs::write(site.join("static").join(name), code).unwrap();
        tags.push_str(&format!("<script src=\"/static/{name}\"></script>\n"));
    }
    std::fs::write(
        site.join(page),
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Offers</title>\n{tags}</head><body><h1>Offers</h1></body></html>\n"
        ),
    )
    .unwrap();
}

/// A finished run of the binary: exit code (128 + signal when killed), output, and the peak
/// resident memory of the process and every process it waited for (its workers), in KiB.
pub struct Measured {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub max_rss_kib: i64,
}

impl Measured {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON report (exit {}): {e}\nstderr: {}",
                self.code, self.stderr
            )
        })
    }
}

/// Run skimscan with `args` (and extra environment) and measure it with `wait4`, whose
/// resource usage includes the workers it reaped.
// The child is reaped by `wait4` below (std's `wait` would not report its memory).
#[allow(clippy::zombie_processes)]
pub fn run_measured(args: &[&str], envs: &[(&str, &str)]) -> Measured {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skimscan"))
        .args(args)
        .envs(envs.iter().copied())
        .env("NO_COLOR", "1")
        .env_remove("SKIMSCAN_LOG")
        // What is measured is the analysis itself, never a result kept by an earlier run.
        .env("SKIMSCAN_NO_CACHE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        out.read_to_end(&mut b).unwrap();
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        err.read_to_end(&mut b).unwrap();
        String::from_utf8_lossy(&b).into_owned()
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for the child we started.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: waits for our own child and writes into locals we own.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Measured {
        code,
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
        max_rss_kib: usage.ru_maxrss,
    }
}

/// The `errors[]` entries of a JSON report as (url, message).
pub fn errors_of(report: &serde_json::Value) -> Vec<(String, String)> {
    report["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["url"].as_str().unwrap_or("").to_string(),
                        e["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a report has a finding of `rule` on a script whose id ends with `script`.
pub fn has_finding(report: &serde_json::Value, rule: &str, script: &str) -> bool {
    report["findings"].as_array().is_some_and(|a| {
        a.iter()
            .any(|f| f["rule"] == rule && f["script"].as_str().is_some_and(|s| s.ends_with(script)))
    })
}
