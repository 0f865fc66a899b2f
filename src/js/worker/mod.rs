//! Analysis in child processes. The engine's budgets bound what a hostile script can make the
//! parser, the walks and the evaluator do, but a budget can be missed, and a missed one ends in
//! a stack overflow (an abort no thread can catch), an exhausted memory, or a loop. So the scan
//! analyses scripts in worker processes — the skimscan binary re-executed with a hidden first
//! argument — under a memory limit (`RLIMIT_AS`) and a wall-clock limit per script: a worker
//! that dies takes one script with it, which the report lists in `errors[]` (the scan is then
//! incomplete, exit 3 unless something reached `--fail-on`), and the scan carries on.
//!
//! The command line always uses workers (`main.rs` registers its own binary). A library user
//! (a test calling `scan::scan`) gets them when the binary is known: registered with
//! [`use_binary`] or named by `SKIMSCAN_WORKER_EXE`; otherwise the analysis runs on threads
//! in the calling process, as before, and a warning says so.

mod child;
mod pool;
pub mod protocol;

pub use pool::WorkerPool;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The hidden first argument that turns the skimscan binary into an analysis worker.
pub const WORKER_ARG: &str = "__analysis-worker";
/// The worker's memory-limit argument (MiB follows).
const MEMORY_ARG: &str = "--memory-mib";
/// Names the worker binary for library users.
pub const EXE_ENV: &str = "SKIMSCAN_WORKER_EXE";
/// Overrides the worker's address-space limit, in MiB.
pub const MEMORY_ENV: &str = "SKIMSCAN_WORKER_MEMORY_MIB";
/// Overrides the wall-clock limit per script, in seconds.
pub const TIMEOUT_ENV: &str = "SKIMSCAN_WORKER_TIMEOUT_SECS";

/// Stack of an analysis thread (in a worker or in-process). Reserved, not committed: only
/// what the recursion touches becomes resident.
pub(crate) const WORKER_STACK: usize = 256 << 20;

/// Address space of a worker: the analysis of one script stays well under 1 GiB resident
/// (BENCHMARKS.md); the limit is virtual, so it also covers the reserved stack and the
/// allocator's arenas. A backstop, not the budget.
const DEFAULT_MEMORY_MIB: u64 = 2048;
/// The engine stops itself after `budget::TIME_PER_SCRIPT`; this is the backstop for a loop
/// the engine's own clock does not see.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

static BINARY: OnceLock<PathBuf> = OnceLock::new();
/// The last pool handed out, kept for the next engine with the same set-up: `rules test`
/// scans each rule example separately and would otherwise start a worker per example. Idle
/// workers of a kept pool are stopped by [`release_pools`] (the binary calls it on exit).
static LAST_POOL: Mutex<Option<Arc<WorkerPool>>> = Mutex::new(None);

/// Stop the workers of the kept pool (and reap them) before the process exits.
pub fn release_pools() {
    if let Ok(mut last) = LAST_POOL.lock() {
        last.take();
    }
}

/// A pool for this set-up: the last one if it is the same, else a new one (which replaces it).
pub fn pool_for(
    exe: PathBuf,
    setup: &protocol::Setup,
    limits: Limits,
    size: usize,
) -> Arc<WorkerPool> {
    let fresh = WorkerPool::new(exe, setup, limits, size);
    let Ok(mut last) = LAST_POOL.lock() else {
        return Arc::new(fresh);
    };
    if let Some(p) = last.as_ref()
        && p.same_setup(&fresh)
    {
        return p.clone();
    }
    let p = Arc::new(fresh);
    *last = Some(p.clone());
    p
}

/// The limits each worker runs under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub memory_mib: u64,
    pub timeout: Duration,
}

impl Limits {
    /// The defaults, or the `SKIMSCAN_WORKER_*` overrides when set to a positive number.
    pub fn from_env() -> Limits {
        let num = |var: &str| {
            std::env::var(var)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|&n| n > 0)
        };
        // Seconds, with a fraction (`0.5`) for tests that must outrun a fast machine.
        let secs = std::env::var(TIMEOUT_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|&n| n > 0.0 && n.is_finite() && n < 1e9);
        Limits {
            memory_mib: num(MEMORY_ENV).unwrap_or(DEFAULT_MEMORY_MIB),
            timeout: secs.map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64),
        }
    }
}

/// Declare `exe` the binary to start workers from (the command line registers itself).
pub fn use_binary(exe: PathBuf) {
    let _ = BINARY.set(exe);
}

/// The worker binary: the registered one, else `SKIMSCAN_WORKER_EXE`.
pub fn locate() -> Option<PathBuf> {
    if let Some(p) = BINARY.get() {
        return Some(p.clone());
    }
    std::env::var_os(EXE_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// When the process was started as a worker (`argv[1]` is [`WORKER_ARG`]), run the worker
/// loop and return its exit code; otherwise `None`.
pub fn entry_point() -> Option<u8> {
    // args_os: a user's non-UTF-8 argument must reach clap, not panic here.
    let mut args = std::env::args_os().skip(1);
    if args.next()? != WORKER_ARG {
        return None;
    }
    let rest: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    Some(child::serve(&rest))
}
