//! The sealed JavaScript engine: one QuickJS runtime (through `rquickjs`) per script, with the
//! language and its pure built-ins and nothing else, and hard limits on time, memory, stack
//! and output.
//!
//! Why QuickJS and not boa: QuickJS lets the host cap the heap (`set_memory_limit`) and stop
//! running code from outside (`set_interrupt_handler`, polled by the interpreter), so a
//! decoder that loops forever or doubles a string until the machine runs out of memory is
//! stopped with a budget error. boa 0.22 has neither (its `RuntimeLimits` cover loop
//! iterations, recursion and stack only), so a memory bomb would be bounded only by the
//! process; the comparison is in `docs/sandbox.md`.
//!
//! What the context does not have: QuickJS's `std` and `os` modules are never loaded, no
//! module loader is set (so `import()` fails), and there is no `fetch`, `XMLHttpRequest`,
//! `require`, DOM or timer. `prelude.js` makes time and randomness deterministic and turns
//! `eval`, `Function`, string timers and script Blobs into recorders (see there).

use rquickjs::context::EvalOptions;
use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::Declared;
use rquickjs::{Context, Ctx, Module, Runtime, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// QuickJS polls its interrupt handler once per this many counted operations (function
/// calls, backward jumps, iterations of the built-ins' own loops: `JS_INTERRUPT_COUNTER_INIT`
/// in quickjs.c). A poll is the unit of work the budgets count.
pub const OPS_PER_POLL: u64 = 10_000;

/// The decoder sandbox's work, in polls: about 3 s of QuickJS on the 2-core machine the
/// budgets were measured on (0.45-0.8 ms a poll on large obfuscated scripts; BENCHMARKS.md).
/// A decoder needs a fraction of it.
pub const DECODER_WORK: u64 = 6_000;

/// What one sandbox may use.
///
/// Work is counted, not timed: the same script on the same page does the same work on an
/// idle laptop and on a loaded CI runner, so whether a decoder finished (and so the verdict)
/// does not depend on the machine's load. The wall-clock limits stay as a backstop for the
/// time a built-in spends without polling (a long `String.prototype.repeat`, a regular
/// expression backtracking), set well above what the work budget takes on a slow machine.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Interrupt polls (of [`OPS_PER_POLL`] operations) for everything the sandbox runs for
    /// one script.
    pub work: u64,
    /// Polls one statement or one call may take.
    pub work_per_run: u64,
    /// Wall-clock backstop for everything the sandbox runs for one script.
    pub time: Duration,
    /// Wall-clock backstop for one statement or one call.
    pub time_per_run: Duration,
    /// Heap of the JavaScript runtime.
    pub memory: usize,
    /// Native stack the interpreter may use (deep recursion throws a RangeError).
    pub stack: usize,
    /// Bytes of code and strings handed back.
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            work: DECODER_WORK,
            work_per_run: DECODER_WORK / 2,
            time: Duration::from_secs(9),
            time_per_run: Duration::from_millis(4_500),
            memory: 64 << 20,
            stack: 1 << 20,
            output: 4 << 20,
        }
    }
}

/// Why the sandbox could not do its work.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SandboxError {
    #[error("the decoder ran out of its time budget ({0} ms)")]
    Time(u128),
    #[error("the decoder ran out of its work budget ({0} million operations)")]
    Work(u64),
    #[error("the decoder ran out of its memory budget ({0} MB)")]
    Memory(usize),
    #[error("the decoder's output exceeded its budget ({0} MB)")]
    Output(usize),
    #[error("the JavaScript sandbox could not start: {0}")]
    Start(String),
}

/// How one piece of code ended in the sandbox.
#[derive(Debug)]
pub enum Outcome {
    /// It completed; a string result is returned (other values are not needed).
    Done(Option<String>),
    /// It threw an ordinary exception (a page API that is absent here, a bug in the code).
    Threw,
}

/// One QuickJS runtime and context with the prelude installed.
pub struct Sandbox {
    // Field order matters: the context must be dropped before its runtime.
    context: Context,
    runtime: Runtime,
    limits: Limits,
    started: Instant,
    /// Microseconds after `started` at which the running code is interrupted.
    stop_at: Arc<AtomicU64>,
    /// Interrupt polls so far, and the count at which the running code is interrupted.
    polls: Arc<AtomicU64>,
    stop_polls: Arc<AtomicU64>,
    interrupted: Arc<AtomicBool>,
    /// The first budget the sandbox ran out of; later runs are refused.
    exhausted: Option<SandboxError>,
    /// What `import()` asked for, in order (see [`Imports`]).
    imports: Arc<Mutex<Vec<String>>>,
}

/// The sandbox's module resolver: `import(url)` is a request the browser would make (a
/// loader's second stage, or data in the URL), so the name is recorded, and nothing is ever
/// loaded: resolving fails, and the script sees the rejected promise a blocked request gives.
struct Imports(Arc<Mutex<Vec<String>>>);

/// Names recorded per sandbox at most.
const MAX_IMPORTS: usize = 64;

impl Resolver for Imports {
    fn resolve<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        if let Ok(mut names) = self.0.lock()
            && names.len() < MAX_IMPORTS
        {
            names.push(name.to_string());
        }
        Err(rquickjs::Error::new_resolving_message(
            base,
            name,
            "modules are not loaded in the sandbox",
        ))
    }
}

impl Loader for Imports {
    fn load<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        Err(rquickjs::Error::new_loading(name))
    }
}

impl Sandbox {
    pub fn new(limits: Limits) -> Result<Sandbox, SandboxError> {
        let runtime = Runtime::new().map_err(|e| SandboxError::Start(e.to_string()))?;
        runtime.set_memory_limit(limits.memory);
        runtime.set_max_stack_size(limits.stack);
        let started = Instant::now();
        let stop_at = Arc::new(AtomicU64::new(u64::MAX));
        let polls = Arc::new(AtomicU64::new(0));
        let stop_polls = Arc::new(AtomicU64::new(u64::MAX));
        let interrupted = Arc::new(AtomicBool::new(false));
        {
            let (stop_at, interrupted) = (stop_at.clone(), interrupted.clone());
            let (polls, stop_polls) = (polls.clone(), stop_polls.clone());
            runtime.set_interrupt_handler(Some(Box::new(move || {
                let done = polls.fetch_add(1, Ordering::Relaxed) + 1;
                let stop = done >= stop_polls.load(Ordering::Relaxed)
                    || started.elapsed().as_micros() as u64 >= stop_at.load(Ordering::Relaxed);
                if stop {
                    interrupted.store(true, Ordering::Relaxed);
                }
                stop
            })));
        }
        let imports = Arc::new(Mutex::new(Vec::new()));
        runtime.set_loader(Imports(imports.clone()), Imports(imports.clone()));
        let context = Context::full(&runtime).map_err(|e| SandboxError::Start(e.to_string()))?;
        let mut sandbox = Sandbox {
            context,
            runtime,
            limits,
            started,
            stop_at,
            polls,
            stop_polls,
            interrupted,
            exhausted: None,
            imports,
        };
        // The page's clock starts at the scan's day (see `prelude.js`): one value for every
        // script of a scan, whatever the hour.
        let day_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400 * 86_400_000);
        let args = format!("{}, {day_ms}", limits.output);
        match sandbox.run_own("__skimscan_prelude", include_str!("prelude.js"), &args)? {
            Outcome::Done(_) => Ok(sandbox),
            Outcome::Threw => Err(SandboxError::Start("the prelude failed".into())),
        }
    }

    /// Give the context `__skimscan_crypto`, the stub page's cryptography (see
    /// [`super::web_crypto`]): pure computation over bounded input, no I/O.
    pub fn install_crypto(&mut self) -> Result<(), SandboxError> {
        self.context
            .with(|ctx| -> rquickjs::Result<()> {
                let f = rquickjs::Function::new(
                    ctx.clone(),
                    |op: String,
                     alg: String,
                     key: String,
                     iv: String,
                     data: String,
                     extra: String| {
                        super::web_crypto::run(&op, &alg, &key, &iv, &data, &extra)
                    },
                )?;
                ctx.globals().set("__skimscan_crypto", f)
            })
            .map_err(|e| SandboxError::Start(e.to_string()))
    }

    /// The stub page's native image and compression codecs (see `media.rs`), as
    /// `__skimscan_media(op, arg, data)`.
    pub fn install_media(&mut self) -> Result<(), SandboxError> {
        self.context
            .with(|ctx| -> rquickjs::Result<()> {
                let f = rquickjs::Function::new(
                    ctx.clone(),
                    |op: String, arg: String, data: String| super::media::run(&op, &arg, &data),
                )?;
                ctx.globals().set("__skimscan_media", f)
            })
            .map_err(|e| SandboxError::Start(e.to_string()))
    }

    /// Give the context `__skimscan_words(code)`: what code made at run time says about the
    /// page it expects (see [`super::page_words::of_code`]), as JSON. Parsing only.
    pub fn install_words(&mut self) -> Result<(), SandboxError> {
        self.context
            .with(|ctx| -> rquickjs::Result<()> {
                let f = rquickjs::Function::new(ctx.clone(), |code: String| {
                    super::page_words::of_code(&code)
                })?;
                ctx.globals().set("__skimscan_words", f)
            })
            .map_err(|e| SandboxError::Start(e.to_string()))
    }

    /// What `import()` asked for so far, in order.
    pub fn imports(&self) -> Vec<String> {
        self.imports.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The budget the sandbox ran out of, if any.
    pub fn exhausted(&self) -> Option<&SandboxError> {
        self.exhausted.as_ref()
    }

    /// Run `code` as a global script. Ordinary exceptions are an [`Outcome`]; running out of
    /// time or memory is an error, and every later run is refused with the same error.
    pub fn run(&mut self, code: &str) -> Result<Outcome, SandboxError> {
        let slice = self.begin_slice()?;
        let memory_mb = self.limits.memory >> 20;
        // A page's classic scripts run in sloppy mode, and decoders rely on it (`for(i=0;…)`
        // with an undeclared `i`, `this` at the top level); rquickjs evaluates strictly by
        // default, where such a loop throws before it decodes anything.
        let mut options = EvalOptions::default();
        options.strict = false;
        let result = self.context.with(|ctx| {
            match ctx.eval_with_options::<Value, _>(code, options) {
                Ok(v) => Ok(Outcome::Done(string_of(&v))),
                Err(_) => {
                    let exception = ctx.catch();
                    if is_resource_error(&ctx, &exception) {
                        Err(SandboxError::Memory(memory_mb))
                    } else {
                        // Why a stub page or a decoder stopped short, for whoever
                        // extends them (`SKIMSCAN_LOG=skimscan::js::sandbox=trace`).
                        if tracing::enabled!(target: "skimscan::js::sandbox", tracing::Level::TRACE)
                        {
                            let text = exception
                                .as_object()
                                .and_then(|o| o.get::<_, String>("message").ok())
                                .or_else(|| exception.as_string().and_then(|s| s.to_string().ok()))
                                .unwrap_or_default();
                            tracing::trace!(target: "skimscan::js::sandbox", "threw: {text}");
                        }
                        Ok(Outcome::Threw)
                    }
                }
            }
        });
        self.end_slice(slice)?;
        result.map_err(|e| self.exhaust(e))
    }

    /// Run one of skimscan's own files (`source`, a function expression) with `args` (the
    /// text of its argument list), compiled to bytecode once per process (see
    /// [`super::own_code`]); `name` is the global it is bound to while it runs.
    pub fn run_own(
        &mut self,
        name: &'static str,
        source: &'static str,
        args: &str,
    ) -> Result<Outcome, SandboxError> {
        let slice = self.begin_slice()?;
        let memory_mb = self.limits.memory >> 20;
        let result = self.context.with(|ctx| {
            if super::own_code::define(&ctx, name, source).is_ok() {
                return Ok(true);
            }
            let exception = ctx.catch();
            if is_resource_error(&ctx, &exception) {
                Err(SandboxError::Memory(memory_mb))
            } else {
                Ok(false)
            }
        });
        self.end_slice(slice)?;
        if !result.map_err(|e| self.exhaust(e))? {
            return Ok(Outcome::Threw);
        }
        self.run(&format!("{name}({args}); delete globalThis.{name};"))
    }

    /// Arm the interrupt for one step: the per-step budgets, or what is left of the totals.
    fn begin_slice(&mut self) -> Result<Slice, SandboxError> {
        if let Some(e) = &self.exhausted {
            return Err(e.clone());
        }
        let done = self.polls.load(Ordering::Relaxed);
        if done >= self.limits.work {
            return Err(self.exhaust(work_error(self.limits.work)));
        }
        let elapsed = self.started.elapsed();
        if elapsed >= self.limits.time {
            return Err(self.exhaust(SandboxError::Time(self.limits.time.as_millis())));
        }
        let slice = Slice {
            work: self.limits.work_per_run.min(self.limits.work - done),
            time: self.limits.time_per_run.min(self.limits.time - elapsed),
        };
        self.stop_polls.store(done + slice.work, Ordering::Relaxed);
        self.stop_at
            .store((elapsed + slice.time).as_micros() as u64, Ordering::Relaxed);
        Ok(slice)
    }

    /// Disarm the interrupt; a step it stopped ran out of its work (or, on the backstop, its
    /// time).
    fn end_slice(&mut self, slice: Slice) -> Result<(), SandboxError> {
        let stop_polls = self.stop_polls.swap(u64::MAX, Ordering::Relaxed);
        self.stop_at.store(u64::MAX, Ordering::Relaxed);
        if self.interrupted.swap(false, Ordering::Relaxed) {
            let e = if self.polls.load(Ordering::Relaxed) >= stop_polls {
                work_error(slice.work)
            } else {
                SandboxError::Time(slice.time.as_millis())
            };
            return Err(self.exhaust(e));
        }
        Ok(())
    }

    /// Interrupt polls so far (each [`OPS_PER_POLL`] operations).
    pub fn work_done(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    /// Run the promise reactions the code queued (at most `max`), under the same budgets as
    /// [`Sandbox::run`]. Reactions that throw are skipped.
    pub fn drain_jobs(&mut self, max: usize) -> Result<(), SandboxError> {
        let slice = self.begin_slice()?;
        for _ in 0..max {
            match self.runtime.execute_pending_job() {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) if self.interrupted.load(Ordering::Relaxed) => break,
                Err(_) => {}
            }
        }
        self.end_slice(slice)
    }

    /// Take the code the prelude's recorders captured so far: (how it was run, code).
    pub fn take_layers(&mut self) -> Result<Vec<(String, String)>, SandboxError> {
        let taken = self.context.with(|ctx| {
            let take: rquickjs::Function = ctx.globals().get("__skimscan_take").ok()?;
            let list: Vec<Value> = take.call(()).ok()?;
            let over: bool = ctx
                .globals()
                .get::<_, rquickjs::Function>("__skimscan_over")
                .ok()
                .and_then(|f| f.call(()).ok())
                .unwrap_or(false);
            let strings: Vec<String> = list.iter().filter_map(string_of).collect();
            Some((strings, over))
        });
        let Some((flat, over)) = taken else {
            return Ok(Vec::new());
        };
        let layers = flat
            .chunks_exact(2)
            .map(|p| (p[0].clone(), p[1].clone()))
            .collect();
        if over {
            let e = SandboxError::Output(self.limits.output >> 20);
            self.exhausted.get_or_insert(e.clone());
            return Err(e);
        }
        Ok(layers)
    }

    fn exhaust(&mut self, e: SandboxError) -> SandboxError {
        self.exhausted.get_or_insert(e.clone());
        e
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // What a run cost, to set budgets by (`SKIMSCAN_LOG=skimscan::js::sandbox=debug`).
        tracing::debug!(
            target: "skimscan::js::sandbox",
            "sandbox used {} polls in {} ms",
            self.work_done(),
            self.started.elapsed().as_millis()
        );
    }
}

/// The budgets of one step.
#[derive(Clone, Copy)]
struct Slice {
    work: u64,
    time: Duration,
}

fn work_error(polls: u64) -> SandboxError {
    SandboxError::Work(polls * OPS_PER_POLL / 1_000_000)
}

fn string_of(v: &Value<'_>) -> Option<String> {
    v.as_string().and_then(|s| s.to_string().ok())
}

/// QuickJS reports running out of memory (and being interrupted) as an `InternalError`. A
/// script could throw a look-alike on purpose; that only makes its own analysis incomplete,
/// never clean.
fn is_resource_error<'js>(ctx: &Ctx<'js>, exception: &Value<'js>) -> bool {
    let _ = ctx;
    exception
        .as_object()
        .and_then(|o| o.get::<_, String>("name").ok())
        .is_some_and(|n| n == "InternalError")
}
