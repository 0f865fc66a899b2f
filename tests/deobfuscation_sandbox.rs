//! The sealed interpreter itself: no I/O at all, deterministic, and every budget enforced with
//! an error (never a hang, a crash or a silent success).

use skimscan::js::sandbox::engine::{Limits, Outcome, Sandbox, SandboxError};
use std::time::{Duration, Instant};

fn sandbox() -> Sandbox {
    Sandbox::new(Limits::default()).expect("sandbox starts")
}

fn value(s: &mut Sandbox, code: &str) -> Option<String> {
    match s.run(code) {
        Ok(Outcome::Done(v)) => v,
        Ok(Outcome::Threw) => Some("threw".into()),
        Err(e) => panic!("{code}: {e}"),
    }
}

#[test]
fn no_io_is_reachable() {
    let mut s = sandbox();
    for name in [
        "fetch",
        "XMLHttpRequest",
        "require",
        "process",
        "std",
        "os",
        "document",
        "navigator",
        "location",
        "WebSocket",
        "Image",
        "importScripts",
        "performance",
    ] {
        assert_eq!(
            value(&mut s, &format!("typeof {name}")).as_deref(),
            Some("undefined"),
            "{name} is present"
        );
    }
    // A module loader is not set: dynamic import rejects instead of reading anything.
    assert_eq!(
        value(
            &mut s,
            "var r='pending'; import('/etc/passwd').then(function(){r='loaded'},function(){r='refused'}); r"
        )
        .as_deref(),
        Some("pending")
    );
    assert_eq!(
        value(&mut s, "typeof import.meta === 'undefined' ? 'x' : 'y'").as_deref(),
        Some("threw")
    );
}

#[test]
fn timers_are_inert_and_record_string_code() {
    let mut s = sandbox();
    assert_eq!(
        value(
            &mut s,
            "var ran = false; setTimeout(function(){ ran = true; }, 0); setInterval('var zz = 1', 10); String(ran)"
        )
        .as_deref(),
        Some("false")
    );
    let layers = s.take_layers().expect("layers");
    assert_eq!(
        layers,
        vec![("setTimeout".to_string(), "var zz = 1".to_string())]
    );
}

#[test]
fn eval_and_function_are_recorded_and_still_run() {
    let mut s = sandbox();
    assert_eq!(
        value(
            &mut s,
            "var k = 3; Function('return eval(\"k * 2\") + \"\"')()"
        )
        .as_deref(),
        Some("6")
    );
    let layers = s.take_layers().expect("layers");
    assert_eq!(
        layers.iter().map(|(h, _)| h.as_str()).collect::<Vec<_>>(),
        vec!["Function", "eval"]
    );
    // The constructor reached through any function is the recorder too (JSFuck's route).
    value(&mut s, "[]['filter']['constructor']('return 1')()");
    assert_eq!(s.take_layers().expect("layers").len(), 1);
}

#[test]
fn time_and_randomness_are_fixed() {
    let mut a = sandbox();
    let mut b = sandbox();
    let code = "String(Date.now()) + ':' + Math.random() + ':' + new Date().getTime()";
    assert_eq!(value(&mut a, code), value(&mut b, code));
}

#[test]
fn an_infinite_loop_is_stopped_by_the_work_budget() {
    let limits = Limits {
        work: 200,
        work_per_run: 100,
        ..Limits::default()
    };
    let mut s = Sandbox::new(limits).expect("sandbox");
    let before = s.work_done();
    let t = Instant::now();
    let r = s.run("while (true) {}");
    assert!(matches!(r, Err(SandboxError::Work(1))), "{r:?}");
    // Counted, not timed: the step stopped at exactly its share of polls.
    assert_eq!(s.work_done(), before + 100);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    // Once a budget is gone, nothing else runs.
    assert!(matches!(s.run("1"), Err(SandboxError::Work(_))));
}

#[test]
fn the_same_code_does_the_same_work() {
    let code = "var s = 0; for (var i = 0; i < 3e6; i++) { s += i % 7; } String(s)";
    let mut a = sandbox();
    let mut b = sandbox();
    assert_eq!(value(&mut a, code), value(&mut b, code));
    assert!(a.work_done() > 100, "{}", a.work_done());
    assert_eq!(a.work_done(), b.work_done());
}

#[test]
fn the_clock_is_a_backstop_when_work_is_not_counted_fast_enough() {
    let limits = Limits {
        work: u64::MAX / 2,
        work_per_run: u64::MAX / 4,
        time_per_run: Duration::from_millis(200),
        ..Limits::default()
    };
    let mut s = Sandbox::new(limits).expect("sandbox");
    let t = Instant::now();
    let r = s.run("while (true) {}");
    assert!(matches!(r, Err(SandboxError::Time(200))), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[test]
fn a_memory_bomb_is_stopped_by_the_memory_budget() {
    let limits = Limits {
        memory: 16 << 20,
        ..Limits::default()
    };
    let mut s = Sandbox::new(limits).expect("sandbox");
    let r = s.run("var a = []; while (true) { a.push(new Array(100000).fill(1)); }");
    assert!(
        matches!(r, Err(SandboxError::Memory(_)) | Err(SandboxError::Work(_))),
        "{r:?}"
    );
    let mut s = Sandbox::new(limits).expect("sandbox");
    let r = s.run("var s = 'x'; while (true) { s = s + s; }");
    assert!(matches!(r, Err(SandboxError::Memory(_))), "{r:?}");
}

#[test]
fn huge_output_is_refused() {
    let limits = Limits {
        output: 1 << 20,
        ..Limits::default()
    };
    let mut s = Sandbox::new(limits).expect("sandbox");
    value(
        &mut s,
        "for (var i = 0; i < 40; i++) { try { eval('/*' + new Array(100000).join(String(i)) + '*/'); } catch (e) {} }",
    );
    assert!(matches!(s.take_layers(), Err(SandboxError::Output(1))));
}

#[test]
fn deep_recursion_throws_instead_of_crashing() {
    let mut s = sandbox();
    assert_eq!(
        value(&mut s, "function f(n){ return f(n + 1) + 1; } f(0)").as_deref(),
        Some("threw")
    );
    // The sandbox is still usable afterwards.
    assert_eq!(value(&mut s, "'ok'").as_deref(), Some("ok"));
}
