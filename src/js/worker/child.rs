//! The worker side: the skimscan binary started as `skimscan __analysis-worker`. It limits its
//! own address space, reads the engine set-up, then analyses one job after another until its
//! stdin closes. Whatever a hostile script does to it (overflow a stack, exhaust memory) ends
//! this process only; the scan that started it reports the script and starts another worker.

use super::protocol::{self, FrameError, Job, Ready, Setup};
use super::{MEMORY_ARG, WORKER_STACK};
use crate::hosts::HostPattern;
use crate::js::{Engine, HostPolicy, ScriptAnalysis};
use crate::rules::RuleSet;
use std::io::{BufReader, BufWriter};
use std::sync::Arc;

/// Run the worker loop; returns the process exit code.
pub fn serve(args: &[String]) -> u8 {
    quiet_panics();
    let memory_mib = args
        .windows(2)
        .find(|w| w[0] == MEMORY_ARG)
        .and_then(|w| w[1].parse::<u64>().ok());
    if let Some(mib) = memory_mib
        && let Err(e) = limit_address_space(mib << 20)
    {
        eprintln!("skimscan worker: cannot set the memory limit: {e}");
        return 2;
    }
    // The parser and the walks recurse: run on a thread with a large stack (reserved, not
    // committed), as the in-process engine does.
    let spawned = std::thread::Builder::new()
        .name("skimscan-worker".into())
        .stack_size(WORKER_STACK)
        .spawn(move || run_loop(memory_mib));
    match spawned {
        Ok(h) => h.join().unwrap_or(3),
        Err(e) => {
            eprintln!("skimscan worker: cannot start the analysis thread: {e}");
            2
        }
    }
}

fn run_loop(memory_mib: Option<u64>) -> u8 {
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = BufWriter::new(std::io::stdout().lock());
    let setup: Setup = match protocol::read_frame(&mut input) {
        Ok(s) => s,
        Err(FrameError::Closed) => return 0,
        Err(e) => {
            eprintln!("skimscan worker: bad set-up message: {e}");
            return 2;
        }
    };
    let engine = match build_engine(&setup) {
        Ok(e) => {
            if protocol::write_frame(&mut output, &Ready::Ready).is_err() {
                return 0;
            }
            e
        }
        Err(why) => {
            let _ = protocol::write_frame(&mut output, &Ready::Failed(why));
            return 2;
        }
    };
    loop {
        let job: Job = match protocol::read_frame(&mut input) {
            Ok(j) => j,
            Err(FrameError::Closed) => return 0,
            Err(e) => {
                eprintln!("skimscan worker: bad job message: {e}");
                return 2;
            }
        };
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine.analyse_one(&job)
        }))
        .unwrap_or_else(|payload| {
            let text = panic_text(payload.as_ref());
            // The parser's arena reports a failed allocation as a panic: the memory limit.
            let message = if text.contains("out of memory") || text.contains("memory allocation")
            {
                match memory_mib {
                    Some(mib) => format!(
                        "the analysis ran out of memory (worker limit {mib} MiB); the script was not analysed"
                    ),
                    None => "the analysis ran out of memory; the script was not analysed".into(),
                }
            } else {
                format!("internal error while analysing the script: {text}")
            };
            ScriptAnalysis {
                errors: vec![message],
                ..Default::default()
            }
        });
        if protocol::write_frame(&mut output, &answer).is_err() {
            // The scan went away; nothing is waiting for the answer.
            return 0;
        }
    }
}

/// Report a panic in one line, never with a backtrace, whatever `RUST_BACKTRACE` says. The
/// parser's arena panics when the memory limit is reached; std's hook then symbolises a
/// backtrace while holding its backtrace lock, the symbolisation's own allocation fails, and
/// the out-of-memory hook waits for that same lock: the worker hung until the scan's
/// wall-clock limit instead of reporting the memory limit (seen under `RUST_BACKTRACE=1`, about
/// one run in fifteen). Writing the message formats straight to the unbuffered stderr.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("skimscan worker: {info}");
    }));
}

fn build_engine(setup: &Setup) -> Result<Engine, String> {
    let rules = RuleSet::from_sources(&setup.rules).map_err(|e| format!("rule file {e}"))?;
    let allowed = setup
        .allowed
        .iter()
        .map(|h| HostPattern::parse(h))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Engine::new(Arc::new(rules), HostPolicy { allowed }))
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".into()
    }
}

/// Cap this process's address space (`RLIMIT_AS`): an allocation beyond it fails, and the
/// worker dies of it instead of the machine swapping. Virtual, so it counts the reserved
/// analysis stack too; the scan's limit leaves room for that. A lower limit the worker
/// inherited (`ulimit -v`) is kept: a process may lower its limits, never raise them.
fn limit_address_space(bytes: u64) -> std::io::Result<()> {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut current) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let wanted = bytes as libc::rlim_t;
    let hard = current.rlim_max;
    let cap = if hard == libc::RLIM_INFINITY {
        wanted
    } else {
        wanted.min(hard)
    };
    let lim = libc::rlimit {
        rlim_cur: cap,
        rlim_max: cap,
    };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
