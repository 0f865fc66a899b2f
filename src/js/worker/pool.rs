//! The scan side: a few worker processes kept alive for the scan, each fed one script at a
//! time. A worker that dies (a signal, the memory limit) or overruns the wall-clock limit is
//! stopped and replaced; its script becomes an analysis error naming what happened, so the
//! report is incomplete rather than lost or silently clean. Results come back in job order.

use super::protocol::{self, FrameError, Ready, Setup};
use super::{Limits, MEMORY_ARG, WORKER_ARG};
use crate::js::{AnalysisJob, ScriptAnalysis};
use std::io::{BufWriter, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How much of a worker's stderr is kept to explain its death.
const STDERR_TAIL: usize = 4096;
/// How long a new worker may take to load the rules and say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Why one job got no answer.
#[derive(Debug, thiserror::Error)]
enum WorkerFailure {
    #[error("could not start an analysis worker ({exe}): {why}")]
    Start { exe: String, why: String },
    #[error(
        "the analysis did not finish within {0} s (wall-clock limit); the worker was stopped and the script was not analysed"
    )]
    Timeout(u64),
    #[error("the analysis worker died ({0}); the script was not analysed")]
    Died(String),
    #[error(
        "the analysis worker answered with a broken message ({0}); the script was not analysed"
    )]
    Protocol(String),
}

/// A pool of analysis worker processes for one scan.
pub struct WorkerPool {
    exe: PathBuf,
    setup: Vec<u8>,
    limits: Limits,
    size: usize,
    idle: Mutex<Vec<Worker>>,
}

impl std::fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerPool")
            .field("exe", &self.exe)
            .field("limits", &self.limits)
            .field("size", &self.size)
            .finish()
    }
}

impl WorkerPool {
    pub fn new(exe: PathBuf, setup: &Setup, limits: Limits, size: usize) -> WorkerPool {
        // Serialised once; every worker gets the same bytes.
        let setup = serde_json::to_vec(setup).unwrap_or_default();
        WorkerPool {
            exe,
            setup,
            limits,
            size: size.max(1),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Whether `other` would start the same workers (binary, set-up, limits, size).
    pub fn same_setup(&self, other: &WorkerPool) -> bool {
        self.exe == other.exe
            && self.setup == other.setup
            && self.limits == other.limits
            && self.size == other.size
    }

    /// Analyse the jobs on up to `size` workers; one result per job, in job order.
    pub fn analyse_batch(&self, jobs: &[AnalysisJob]) -> Vec<ScriptAnalysis> {
        let n = jobs.len();
        let slots: Vec<Mutex<Option<ScriptAnalysis>>> = (0..n).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..self.size.min(n) {
                s.spawn(|| {
                    let mut worker = self.idle.lock().ok().and_then(|mut v| v.pop());
                    loop {
                        let idx = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = jobs.get(idx) else { break };
                        let answer = self.run_one(&mut worker, job).unwrap_or_else(|e| {
                            tracing::warn!(script = %job.script_id, "{e}");
                            ScriptAnalysis {
                                errors: vec![e.to_string()],
                                ..Default::default()
                            }
                        });
                        if let Ok(mut slot) = slots[idx].lock() {
                            *slot = Some(answer);
                        }
                    }
                    if let (Some(w), Ok(mut idle)) = (worker, self.idle.lock()) {
                        idle.push(w);
                    }
                });
            }
        });
        slots
            .into_iter()
            .map(|m| {
                m.into_inner()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| ScriptAnalysis {
                        errors: vec!["the script was not analysed (no analysis worker ran)".into()],
                        ..Default::default()
                    })
            })
            .collect()
    }

    /// Run one job on `worker`, starting one if needed; a worker that failed is dropped (and
    /// so stopped), and the next job starts a fresh one.
    fn run_one(
        &self,
        worker: &mut Option<Worker>,
        job: &AnalysisJob,
    ) -> Result<ScriptAnalysis, WorkerFailure> {
        let w = match worker {
            Some(w) => w,
            None => worker.insert(Worker::start(&self.exe, &self.setup, &self.limits)?),
        };
        let r = w.analyse(job, self.limits.timeout);
        if r.is_err() {
            *worker = None;
        }
        r
    }
}

/// One worker process, with the threads that read its stdout (answers) and stderr (kept to
/// explain a death).
struct Worker {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    answers: Receiver<Result<Vec<u8>, FrameError>>,
    stderr_tail: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
    memory_mib: u64,
}

impl Worker {
    fn start(exe: &PathBuf, setup: &[u8], limits: &Limits) -> Result<Worker, WorkerFailure> {
        let fail = |why: String| WorkerFailure::Start {
            exe: exe.display().to_string(),
            why,
        };
        let mut child = Command::new(exe)
            .arg(WORKER_ARG)
            .arg(MEMORY_ARG)
            .arg(limits.memory_mib.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| fail(e.to_string()))?;
        let (Some(stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail("no pipes to the worker".into()));
        };
        let (tx, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let frame = protocol::read_frame_bytes(&mut stdout);
                let end = frame.is_err();
                if tx.send(frame).is_err() || end {
                    break;
                }
            }
        });
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let tail = stderr_tail.clone();
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut t) = tail.lock() {
                    t.extend_from_slice(&buf[..n]);
                    if t.len() > STDERR_TAIL {
                        let cut = t.len() - STDERR_TAIL;
                        t.drain(..cut);
                    }
                }
            }
        });
        let mut w = Worker {
            child,
            stdin: BufWriter::new(stdin),
            answers,
            stderr_tail,
            stderr_reader: Some(stderr_reader),
            memory_mib: limits.memory_mib,
        };
        let sent = std::io::Write::write_all(&mut w.stdin, &(setup.len() as u32).to_be_bytes())
            .and_then(|_| std::io::Write::write_all(&mut w.stdin, setup))
            .and_then(|_| std::io::Write::flush(&mut w.stdin));
        if sent.is_err() {
            return Err(fail(w.death()));
        }
        match w.answers.recv_timeout(START_TIMEOUT) {
            Ok(Ok(bytes)) => match serde_json::from_slice::<Ready>(&bytes) {
                Ok(Ready::Ready) => Ok(w),
                Ok(Ready::Failed(why)) => Err(fail(why)),
                Err(e) => Err(fail(format!("unexpected answer: {e}"))),
            },
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => Err(fail(w.death())),
            Err(RecvTimeoutError::Timeout) => Err(fail("it did not become ready".into())),
        }
    }

    fn analyse(
        &mut self,
        job: &AnalysisJob,
        timeout: Duration,
    ) -> Result<ScriptAnalysis, WorkerFailure> {
        if protocol::write_frame(&mut self.stdin, job).is_err() {
            return Err(WorkerFailure::Died(self.death()));
        }
        match self.answers.recv_timeout(timeout) {
            Ok(Ok(bytes)) => {
                serde_json::from_slice(&bytes).map_err(|e| WorkerFailure::Protocol(e.to_string()))
            }
            Ok(Err(FrameError::TooLarge(n))) => {
                Err(WorkerFailure::Protocol(format!("a {n}-byte frame")))
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                Err(WorkerFailure::Died(self.death()))
            }
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                Err(WorkerFailure::Timeout(timeout.as_secs()))
            }
        }
    }

    /// Wait for a worker whose pipe closed and say how it ended, in the words its stderr
    /// gives (Rust names a stack overflow and a failed allocation before aborting).
    fn death(&mut self) -> String {
        let status = wait_briefly(&mut self.child);
        if let Some(h) = self.stderr_reader.take() {
            let _ = h.join();
        }
        let tail = self
            .stderr_tail
            .lock()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        describe_death(status, &tail, self.memory_mib)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Stop it whatever it is doing: a worker is only dropped when its work is over or it
        // failed. `wait` reaps it so no zombie is left behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait up to a few seconds for a worker whose pipes closed to exit; kill it if it does not.
fn wait_briefly(child: &mut Child) -> Option<std::process::ExitStatus> {
    for _ in 0..200 {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => return None,
        }
    }
    let _ = child.kill();
    child.wait().ok()
}

fn describe_death(
    status: Option<std::process::ExitStatus>,
    stderr: &str,
    memory_mib: u64,
) -> String {
    use std::os::unix::process::ExitStatusExt;
    let how = match status {
        Some(s) => match (s.signal(), s.code()) {
            (Some(sig), _) => format!("killed by signal {sig} ({})", signal_name(sig)),
            (None, Some(code)) => format!("exited with code {code}"),
            (None, None) => "ended".to_string(),
        },
        None => "ended in an unknown way".to_string(),
    };
    let cause = if stderr.contains("has overflowed its stack") {
        Some("stack overflow".to_string())
    } else if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        Some(format!("memory limit of {memory_mib} MiB reached"))
    } else {
        None
    };
    match cause {
        Some(c) => format!("{c}; {how}"),
        None => how,
    }
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGKILL => "SIGKILL",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn a_death_is_named_from_the_signal_and_the_last_words() {
        let abrt = std::process::ExitStatus::from_raw(libc::SIGABRT);
        let m = describe_death(
            Some(abrt),
            "\nthread 'skimscan-worker' has overflowed its stack\nfatal runtime error: stack overflow\n",
            1024,
        );
        assert_eq!(m, "stack overflow; killed by signal 6 (SIGABRT)");
        let m = describe_death(Some(abrt), "memory allocation of 4096 bytes failed\n", 512);
        assert!(m.starts_with("memory limit of 512 MiB reached"), "{m}");
        let code = std::process::ExitStatus::from_raw(2 << 8);
        assert_eq!(describe_death(Some(code), "", 1), "exited with code 2");
    }
}
