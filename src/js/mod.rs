//! The detection engine: parse each script (oxc, tree-sitter as fallback), undo the common
//! hiding tricks by constant evaluation, find payment-data sources, network sinks and their
//! destinations, connect them, and turn the facts into findings through the rules.
//!
//! Scripts are analysed in worker processes ([`worker`]) when the scan knows the skimscan
//! binary (the command line always does), else on a small pool of dedicated threads with
//! large stacks: the parser and the walks recurse, and the depth pre-scan in [`budget`] keeps
//! the recursion bounded. The workers are the backstop for what a budget misses: a crash, an
//! exhausted memory or a runaway loop costs one script (an `errors[]` entry), never the scan.

pub mod analyse;
pub mod behaviour;
pub mod budget;
pub mod canon;
pub mod collect;
pub mod constants;
pub mod decoders;
pub mod destinations;
pub mod evaluate;
pub use crate::rules::fact_kinds;
pub mod facts;
pub mod fallback;
pub mod flow;
pub mod imports;
pub mod indicators;
pub mod inline_args;
pub mod interp;
pub mod knowledge;
pub mod markup;
pub mod pipes;
pub mod prefilter;
pub mod proxy_tables;
pub mod sandbox;
pub mod urls;
pub mod value;
pub mod vocabulary;
pub mod web_api;
pub mod worker;

use crate::finding::Finding;
use crate::hosts::HostPattern;
pub use crate::page::values::PageValues;
use crate::rules::RuleSet;
use crate::script_kind::ScriptKind;
use knowledge::Knowledge;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use worker::WORKER_STACK;
/// Analysis threads per batch (the machine's cores, at most this many).
const MAX_WORKERS: usize = 4;

/// Which hosts may receive payment data from a page: its own site (by registrable domain), the
/// hosts the user authorised (`--allow-host`, config, baseline), and the processors in `rules/`.
#[derive(Clone, Debug, Default)]
pub struct HostPolicy {
    pub allowed: Vec<HostPattern>,
}

/// One script to analyse, with the page context the classification needs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct AnalysisJob {
    /// The script's id (its URL, or `<page>#inline-N`).
    pub script_id: String,
    pub kind: ScriptKind,
    #[serde(with = "arc_str")]
    pub code: Arc<str>,
    /// The page the script runs on, and that page's host (None for a lone `.js` target, which
    /// is then judged as a third-party script of an unknown payment page).
    pub page_url: String,
    pub page_host: Option<String>,
    /// The page has payment fields (or the target is a lone script, assumed to be on one).
    pub payment_page: bool,
    /// Ids and names of the page's payment fields, as the page model found them (labels,
    /// `autocomplete`, names): reading one of these elements reads a card field even when its
    /// id has no payment word in it. Empty when the page is unknown.
    pub page_fields: Vec<String>,
    /// What of the page this script can read (its own tag, the elements it names; see
    /// `page::values::for_code`): destinations a script takes from its page.
    #[serde(default, skip_serializing_if = "PageValues::is_empty")]
    pub page_values: PageValues,
    /// The page's payment fields as the stub page mirrors them (ids, names, captions): a
    /// skimmer that looks for `#c2` or the label `カード番号` finds them there as on the page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_form: Vec<StubField>,
    /// 1-based position of the code's first character in its file (inline code in a page).
    pub line_offset: u32,
    pub column_offset: u32,
}

/// A payment field of the script's page, for the stub page (see `sandbox::emulate`).
#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct StubField {
    pub id: Option<String>,
    pub name: String,
    /// What it holds, as its `autocomplete` token (`cc-number`, `cc-csc`, `cc-exp`, `cc-name`):
    /// the stub page types that kind of canary into it.
    pub holds: String,
    /// What the page says it is (its label, placeholder or `aria-label`).
    pub caption: Option<String>,
    /// Its classes and `data-` attributes that no other control of the page has (`.cc-input`,
    /// `[data-mask=card]`): a skimmer gathering `[data-mask]` finds it on the stub page too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<String>,
}

impl AnalysisJob {
    /// The address the stub page takes for this script's page: the page's own when it is a
    /// web address, else `https://<host>` and a checkout path for the host a built page declares (canonical,
    /// `og:url`), so `'https://pay.' + location.hostname` is the shop's own subdomain there
    /// too; `None` (the stub's `shop.example`) for a lone script.
    pub fn stub_page_url(&self) -> Option<String> {
        if self.page_url.starts_with("https://") || self.page_url.starts_with("http://") {
            return Some(self.page_url.clone());
        }
        // A page known by its host only (a built site's page that declares its address): the
        // host, on a checkout path (see `STUB_PATH`).
        self.page_host
            .as_ref()
            .map(|h| format!("https://{h}{}", sandbox::emulate::STUB_PATH))
    }
}

/// What the engine found in one script.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ScriptAnalysis {
    /// Findings with `page`, `script`, `location`, `hosts` and `evidence` filled in.
    pub findings: Vec<Finding>,
    /// Analysis problems (a budget exceeded, no parser could read it): `errors[]` entries.
    pub errors: Vec<String>,
    /// Every outside host this script sends data to or loads code from (for baseline diffs).
    pub destinations: BTreeSet<String>,
    /// Absolute URLs of scripts this code loads at run time (`s.src = …`), when decodable.
    pub loads: Vec<String>,
    /// What the code reads and how it sends, for comparing two versions of a script.
    pub behaviour: behaviour::Behaviour,
    /// What the script hands to other scripts of its page and sends out of them (storage,
    /// events, messages, DOM staging), for [`Engine::join_pipes`]. It travels with the rest of
    /// the analysis from a worker process, so the page-level join happens in the parent.
    pub pipes: pipes::PipeFacts,
    /// The code the engine decoded out of this script (constant-folded `eval`/`Function`/
    /// `document.write` arguments and the sandbox's layers), one layer per line, at most
    /// `facts::MAX_DECODED_TEXT` bytes: kept with `--evidence` next to the script itself.
    #[serde(default)]
    pub decoded: String,
}

/// `Arc<str>` as a plain JSON string (serde's `rc` feature would do the same for every crate).
mod arc_str {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }
}

/// The engine, configured once per scan.
#[derive(Clone)]
pub struct Engine {
    rules: Arc<RuleSet>,
    policy: Arc<HostPolicy>,
    knowledge: Arc<Knowledge>,
    /// Worker processes the batches run on (see [`Engine::isolated`]); none: in-process.
    pool: Option<Arc<worker::WorkerPool>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .field("policy", &self.policy)
            .field("pool", &self.pool)
            .finish()
    }
}

impl Engine {
    pub fn new(rules: Arc<RuleSet>, policy: HostPolicy) -> Engine {
        let knowledge = Arc::new(Knowledge::from_rules(&rules));
        Engine {
            rules,
            policy: Arc::new(policy),
            knowledge,
            pool: None,
        }
    }

    /// The same engine, analysing batches in worker processes started from the skimscan
    /// binary ([`worker::locate`]) under [`worker::Limits::from_env`]. Without a known binary
    /// the engine stays in-process, and a warning says the scan is not isolated.
    pub fn isolated(self) -> Engine {
        match worker::locate() {
            Some(exe) => self.with_workers(exe, worker::Limits::from_env()),
            None => {
                tracing::warn!(
                    "analysis runs inside this process: no skimscan binary to start workers from (set {})",
                    worker::EXE_ENV
                );
                self
            }
        }
    }

    /// The same engine, analysing batches in worker processes of `exe` under `limits`.
    pub fn with_workers(mut self, exe: std::path::PathBuf, limits: worker::Limits) -> Engine {
        let setup = worker::protocol::Setup {
            rules: self.rules.sources().clone(),
            allowed: self
                .policy
                .allowed
                .iter()
                .map(|h| h.as_str().to_string())
                .collect(),
        };
        self.pool = Some(worker::pool_for(
            exe,
            &setup,
            limits,
            threads_for(usize::MAX),
        ));
        self
    }

    /// Analyse one script on the calling thread (tests, benches; the caller provides the
    /// stack — prefer [`Engine::analyse_batch`]).
    pub fn analyse_one(&self, job: &AnalysisJob) -> ScriptAnalysis {
        analyse::analyse(job, &self.knowledge, &self.rules, &self.policy)
    }

    /// Findings about a script the scan has only the address of (an external script that
    /// could not be fetched): its host on an indicator list, or imitating a well-known host.
    /// Location is absent (there is no code); `script` is the URL.
    pub fn check_script_url(
        &self,
        page_url: &str,
        page_host: Option<&str>,
        script_url: &str,
    ) -> Vec<Finding> {
        evaluate::url_findings(
            page_url,
            page_host,
            script_url,
            &self.knowledge,
            &self.rules,
            &self.policy,
        )
    }

    /// Whether `host` may receive payment data from a page of `page_host`: the same site, a
    /// host the user or baseline authorised, or a payment processor from `rules/data/`. The
    /// page checks (a payment form's action) use the same classification as the engine.
    pub fn may_receive_payment_data(&self, page_host: Option<&str>, host: &str) -> bool {
        let ctx = destinations::PageContext {
            page_host,
            allowed: &self.policy.allowed,
            processors: &self.knowledge.processors,
        };
        destinations::classify(
            &destinations::Target::Host(crate::hosts::normalise_host(host)),
            &ctx,
        ) != crate::rules::schema::DestinationClass::Outside
    }

    /// Indicator matches in a page's raw text (markup, comments, `view-source` captures):
    /// known skimmer domains and kit fingerprints named anywhere in the page.
    pub fn check_page_text(&self, page_url: &str, text: &str) -> Vec<Finding> {
        evaluate::page_text_findings(page_url, text, &self.knowledge, &self.rules)
    }

    /// Findings for data that one script of a page hands to another (through storage, an
    /// event, a message, IndexedDB or a staged element) which sends it outside. `scripts` are
    /// the (script id, analysis) of one page's scripts; each script's facts stay its own.
    pub fn join_pipes(&self, page_url: &str, scripts: &[(&str, &ScriptAnalysis)]) -> Vec<Finding> {
        let facts: Vec<(&str, &pipes::PipeFacts)> =
            scripts.iter().map(|(id, a)| (*id, &a.pipes)).collect();
        self.join_pipe_facts(page_url, &facts)
    }

    /// [`Engine::join_pipes`] on the pipes alone, kept from analyses made at different times
    /// (scripts loaded at run time are analysed in later rounds than the page's own).
    pub fn join_pipe_facts(
        &self,
        page_url: &str,
        scripts: &[(&str, &pipes::PipeFacts)],
    ) -> Vec<Finding> {
        pipes::join(page_url, scripts, &self.rules)
    }

    /// Analyse a batch of scripts, in parallel (worker processes, or big-stack threads);
    /// results are in the order of `jobs`. Blocking: call it from a blocking context. A
    /// script whose analysis fails in an unexpected way yields an `errors` entry, never a lost
    /// scan. Error messages do not repeat the script's id (the caller reports them under it).
    pub fn analyse_batch(&self, jobs: Vec<AnalysisJob>) -> Vec<ScriptAnalysis> {
        let n = jobs.len();
        if n == 0 {
            return Vec::new();
        }
        if let Some(pool) = &self.pool {
            return pool.analyse_batch(&jobs);
        }
        let workers = threads_for(n);
        let jobs = Arc::new(jobs);
        let next = Arc::new(AtomicUsize::new(0));
        let results: Arc<Mutex<Vec<Option<ScriptAnalysis>>>> = Arc::new(Mutex::new(vec![None; n]));
        let mut handles = Vec::new();
        for i in 0..workers {
            let (jobs, next, results, engine) =
                (jobs.clone(), next.clone(), results.clone(), self.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("skimscan-js-{i}"))
                .stack_size(WORKER_STACK)
                .spawn(move || {
                    loop {
                        let idx = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = jobs.get(idx) else { break };
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            engine.analyse_one(job)
                        }))
                        .unwrap_or_else(|_| ScriptAnalysis {
                            errors: vec!["internal error while analysing the script".into()],
                            ..Default::default()
                        });
                        if let Ok(mut res) = results.lock() {
                            res[idx] = Some(r);
                        }
                    }
                });
            match spawned {
                Ok(h) => handles.push(h),
                Err(e) => tracing::warn!("could not start an analysis thread: {e}"),
            }
        }
        for h in handles {
            let _ = h.join();
        }
        let mut res = match Arc::try_unwrap(results) {
            Ok(m) => m.into_inner().unwrap_or_else(|p| p.into_inner()),
            Err(shared) => shared.lock().map(|g| g.clone()).unwrap_or_default(),
        };
        res.iter_mut()
            .zip(jobs.iter())
            .map(|(r, _)| {
                r.take().unwrap_or_else(|| ScriptAnalysis {
                    errors: vec![
                        "the script was not analysed (no analysis thread could start)".into(),
                    ],
                    ..Default::default()
                })
            })
            .collect()
    }
}

/// Analysis threads (or worker processes) for `n` scripts: the machine's cores, at most
/// [`MAX_WORKERS`].
fn threads_for(n: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .clamp(1, MAX_WORKERS)
        .min(n)
}
