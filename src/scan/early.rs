//! Analysis that starts while the downloads go on (issue 8). The code of a parsed page is
//! analysed in that page's context right away (inline blocks and handlers) or as soon as its
//! body is loaded and decoded (external scripts), on at most one blocking worker per core; until then the analysis waited for the
//! last download, and on a small machine most of it came after the network was done.
//!
//! The results go into the scan's [`Reuse`] memory under each job's analysis key, and the
//! analysis round after the downloads (scan/analysis.rs) recalls them there. So this decides
//! nothing the report says: a result is only used where the same key's result would have been
//! used anyway (the cache's contract, with `--no-cache` as the reference), and the report is
//! the same whatever order the downloads finish in, or whether this ran at all.
//!
//! The hosts authorised for payment data are part of every key, and they are only final once
//! every page is known; the early jobs use the targets' hosts. When the pages end up on other
//! hosts (a redirect to another site), [`Early::round_for`] says no and the round starts from
//! nothing, as before.

use super::crawl::ScannedPage;
use super::deadline::Deadline;
use super::progress::Progress;
use super::reuse::Reuse;
use super::scripts::{fetch_key, runs_as_javascript, runs_as_module, target_url};
use crate::cache::{AnalysisKey, Identity, Unbound};
use crate::hosts::HostPattern;
use crate::inventory::ScriptKind;
use crate::js::{AnalysisJob, Engine, StubField};
use crate::page::ScriptRef;
use crate::page::values::{self, PageValues};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// A script's analysis context on one page, as scan/analysis.rs groups jobs: the same script
/// on pages with the same context is one analysis.
type ContextKey = (String, Option<String>, bool, Vec<String>, Vec<StubField>);

pub struct Early {
    inner: Arc<Inner>,
}

struct Inner {
    /// The engine of the analysis round, under the speculative policy (isolated: a script
    /// that crashes or exhausts its worker costs that script only).
    engine: Engine,
    reuse: Arc<Reuse>,
    /// The hosts `engine` and `reuse` authorise.
    allowed: Vec<HostPattern>,
    /// One analysis per core at a time: the downloads, hashing and parsing still need CPU.
    permits: Arc<Semaphore>,
    progress: Arc<dyn Progress>,
    deadline: Deadline,
    /// Set when the scan is done with this (or dropped it): queued jobs never start.
    cancelled: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Per fetch key: the jobs waiting for the script's text, or the text once loaded.
    scripts: HashMap<String, Script>,
    contexts: HashSet<ContextKey>,
    /// Analysis keys already started (two contexts can still be one analysis).
    started: HashSet<AnalysisKey>,
    tasks: Vec<JoinHandle<()>>,
    /// Jobs analysed here (not recalled from the cache folder), for the log.
    analysed: usize,
}

enum Script {
    Waiting(Vec<AnalysisJob>),
    Loaded(Arc<str>),
}

impl Early {
    /// Early analysis with `engine` (already isolated) and `reuse`, both built for `allowed`.
    pub fn new(
        engine: Engine,
        reuse: Reuse,
        allowed: Vec<HostPattern>,
        progress: Arc<dyn Progress>,
        deadline: Deadline,
    ) -> Early {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Early {
            inner: Arc::new(Inner {
                engine,
                reuse: Arc::new(reuse),
                allowed,
                permits: Arc::new(Semaphore::new(cores)),
                progress,
                deadline,
                cancelled: AtomicBool::new(false),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// A page was parsed: its inline code is analysed now, and each external classic script
    /// it runs when [`Early::loaded`] brings its text (now, if that already happened).
    pub fn page(&self, p: &ScannedPage) {
        let page_host = p.host();
        let payment = p.doc.payment_form();
        let fields = p.doc.payment_field_names();
        let form = super::analysis::stub_fields(&p.doc);
        // The identity only labels the result (taken off again before it is kept), so it
        // need not be the row's; it is, as far as scan/scripts.rs numbers the blocks.
        let job = |script_id: String, kind, code: &str, line_offset, column_offset| AnalysisJob {
            script_id,
            kind,
            code: Arc::from(code),
            page_url: p.name.clone(),
            page_host: page_host.clone(),
            payment_page: payment,
            page_fields: fields.clone(),
            page_form: form.clone(),
            // Inline code's own tag is the element holding its text; an external script's
            // is added below, once its text is known.
            page_values: values::for_code(
                &p.doc.elements,
                values::inline_tag(&p.doc.elements, code),
                code,
            ),
            line_offset,
            column_offset,
        };
        let (mut inline_n, mut handler_n, mut data_n) = (0, 0, 0);
        let mut state = self.inner.lock();
        for s in &p.doc.scripts {
            match s {
                ScriptRef::Inline {
                    code,
                    script_type,
                    is_javascript,
                    line,
                    column,
                } => {
                    inline_n += 1;
                    // Modules are analysed with their imports (scan/modules.rs).
                    if super::scripts::analysed_block(*is_javascript, code)
                        && script_type.as_deref() != Some("module")
                    {
                        let id = super::scripts::inline_id(&p.name, inline_n);
                        let task =
                            self.inner
                                .start(job(id, ScriptKind::Inline, code, *line, *column));
                        state.tasks.push(task);
                    }
                }
                ScriptRef::Handler { code, line, .. } => {
                    handler_n += 1;
                    let id = super::scripts::handler_id(&p.name, handler_n);
                    let task = self
                        .inner
                        .start(job(id, ScriptKind::Handler, code, *line, 1));
                    state.tasks.push(task);
                }
                ScriptRef::Data { code, line, .. } => {
                    data_n += 1;
                    let id = super::scripts::data_id(&p.name, data_n);
                    let task = self
                        .inner
                        .start(job(id, ScriptKind::Dynamic, code, *line, 1));
                    state.tasks.push(task);
                }
                ScriptRef::External {
                    url: Ok(u),
                    script_type,
                    via,
                    ..
                } => {
                    if runs_as_module(*via, script_type.as_deref())
                        || !runs_as_javascript(*via, script_type.as_deref())
                    {
                        continue;
                    }
                    let Some(resolved) = target_url(u, p.local.as_deref()) else {
                        continue;
                    };
                    let id = super::crawl::display(&resolved, p.local.as_deref());
                    let context = (
                        id.clone(),
                        page_host.clone(),
                        payment,
                        fields.clone(),
                        form.clone(),
                    );
                    if !state.contexts.insert(context) {
                        continue;
                    }
                    // An external script's code starts its file. What of the page it can
                    // read is chosen when its text is known (`with_code`).
                    let mut job = job(id, ScriptKind::External, "", 1, 1);
                    job.page_values = PageValues {
                        current: values::own_tag(&p.doc.elements, u.as_str()).cloned(),
                        elements: p.doc.elements.clone(),
                        host: None,
                    };
                    match state
                        .scripts
                        .entry(fetch_key(&resolved))
                        .or_insert_with(|| Script::Waiting(Vec::new()))
                    {
                        Script::Waiting(jobs) => jobs.push(job),
                        Script::Loaded(text) => {
                            let task = self.inner.start(with_code(job, text));
                            state.tasks.push(task);
                        }
                    }
                }
                ScriptRef::External { url: Err(_), .. } => {}
            }
        }
    }

    /// A script's text is loaded (`key`: its fetch key): the jobs waiting for it start.
    pub fn loaded(&self, key: &str, text: &Arc<str>) {
        let mut state = self.inner.lock();
        let before = state
            .scripts
            .insert(key.to_string(), Script::Loaded(text.clone()));
        if let Some(Script::Waiting(jobs)) = before {
            for job in jobs {
                let task = self.inner.start(with_code(job, text));
                state.tasks.push(task);
            }
        }
    }

    /// Wait for every analysis started so far (each ends by the scan's deadline).
    pub async fn settle(&self) {
        loop {
            let tasks = std::mem::take(&mut self.inner.lock().tasks);
            if tasks.is_empty() {
                break;
            }
            for t in tasks {
                let _ = t.await;
            }
        }
        let state = self.inner.lock();
        tracing::info!(
            "early analyses: {} external script contexts, {} analysed while loading",
            state.contexts.len(),
            state.analysed
        );
    }

    /// The engine of the early analyses. Its knowledge (indicator lists, vocabulary) depends
    /// on the rules only, so other checks of the scan can use it instead of building another.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The engine and the memory holding the early results, when the analysis round
    /// authorises the same hosts (its keys are then the same); `None`: the round needs its
    /// own.
    pub fn round_for(&self, allowed: &[HostPattern]) -> Option<(Engine, Arc<Reuse>)> {
        (self.inner.allowed == allowed)
            .then(|| (self.inner.engine.clone(), self.inner.reuse.clone()))
    }
}

impl Drop for Early {
    /// Nothing more starts; what is queued stops with the scan. An analysis already on a
    /// worker ends under the worker's own limits.
    fn drop(&mut self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        for t in std::mem::take(&mut self.inner.lock().tasks) {
            t.abort();
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn start(self: &Arc<Self>, job: AnalysisJob) -> JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let deadline = me.deadline;
            let _ = deadline.run(me.analyse(job)).await;
        })
    }

    /// Analyse one job on a blocking worker and keep its result under its key.
    async fn analyse(self: Arc<Self>, job: AnalysisJob) {
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return;
        };
        let me = self.clone();
        let done = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            if me.cancelled.load(Ordering::SeqCst) {
                return None;
            }
            let key = me.reuse.key(&job)?;
            if !me.lock().started.insert(key.clone()) {
                return None;
            }
            // Kept by an earlier run: read now, while the network is still busy.
            if me.reuse.recall(&key).is_some() {
                return None;
            }
            let result = me.engine.analyse_batch(vec![job.clone()]).pop()?;
            // A result naming its page cannot be shared; the round analyses it again.
            if let Some(u) = Unbound::unbind(&result, &Identity::of(&job)) {
                me.reuse.remember_ahead(key, Arc::new(u));
            }
            me.lock().analysed += 1;
            Some(job.script_id)
        })
        .await;
        if let Ok(Some(id)) = done {
            self.progress.analysed(&id);
        }
    }
}

/// A waiting external script's job with its text, and of the page's values (all of them while
/// it waited) only what that text can read.
fn with_code(job: AnalysisJob, text: &Arc<str>) -> AnalysisJob {
    let page_values = values::for_code(
        &job.page_values.elements,
        job.page_values.current.as_ref(),
        text,
    );
    AnalysisJob {
        code: text.clone(),
        page_values,
        ..job
    }
}
