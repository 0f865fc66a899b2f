//! The scan's memory of analyses: which analysis a job is ([`AnalysisKey`]), what an earlier
//! job with that key produced (in this scan, or in an earlier run through the on-disk
//! [`Store`]), and what to keep. Everything here is an optimisation the report cannot see:
//! `--no-cache` turns it off and must give the same report, byte for byte.

use super::by_text::ByText;
use crate::cache::{
    AnalysisKey, CacheSetting, DEFAULT_MAX_BYTES, Fingerprint, Store, TextDigest, Unbound,
};
use crate::js::AnalysisJob;
use crate::rules::RuleSources;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct Reuse {
    /// `None`: `--no-cache`, every job is analysed on its own.
    fingerprint: Option<Fingerprint>,
    /// The digest of each text keyed so far: the early analyses and the analysis round key
    /// the same texts, and a site-wide library is one text on every page.
    digests: ByText<TextDigest>,
    memory: Mutex<HashMap<AnalysisKey, Arc<Unbound>>>,
    /// Keys analysed ahead of the analysis round (scan/early.rs) that no job has taken yet:
    /// the first job to take one counts as an analysis of this scan, not a cache hit.
    ahead: Mutex<HashSet<AnalysisKey>>,
    store: Option<Store>,
    /// A write failed: warned once, and the scan goes on without writing.
    write_failed: AtomicBool,
    wrote: AtomicBool,
}

impl Reuse {
    /// Nothing shared, nothing kept.
    pub fn off() -> Reuse {
        Reuse {
            fingerprint: None,
            digests: ByText::default(),
            memory: Mutex::new(HashMap::new()),
            ahead: Mutex::new(HashSet::new()),
            store: None,
            write_failed: AtomicBool::new(false),
            wrote: AtomicBool::new(false),
        }
    }

    /// The memory for a scan with these rules and authorised hosts. A cache folder that
    /// cannot be created costs one warning; analyses are then shared within the scan only.
    pub fn new(setting: &CacheSetting, rules: &RuleSources, allowed: &[String]) -> Reuse {
        let store = match setting {
            CacheSetting::Off => return Reuse::off(),
            CacheSetting::Memory => None,
            CacheSetting::Dir(dir) => match Store::open(dir, DEFAULT_MAX_BYTES) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!("{e}; scanning without the analysis cache");
                    None
                }
            },
        };
        Reuse {
            fingerprint: Some(Fingerprint::new(rules, allowed)),
            store,
            ..Reuse::off()
        }
    }

    /// The job's key, when jobs are shared at all.
    pub fn key(&self, job: &AnalysisJob) -> Option<AnalysisKey> {
        let fingerprint = self.fingerprint.as_ref()?;
        let digest = self.digests.get_or_work_out(&job.code, TextDigest::of);
        AnalysisKey::with_code_digest(fingerprint, job, &digest)
    }

    /// What an earlier job of this key produced: in this scan, else on disk.
    pub fn recall(&self, key: &AnalysisKey) -> Option<Arc<Unbound>> {
        if let Some(u) = self.memory.lock().ok()?.get(key) {
            return Some(u.clone());
        }
        let found = Arc::new(self.store.as_ref()?.get(key)?);
        if let Ok(mut m) = self.memory.lock() {
            m.insert(key.clone(), found.clone());
        }
        Some(found)
    }

    /// Keep a result for later jobs of this key: in this scan whatever it says (the same code
    /// is not re-run into the same budget or crash), on disk only when it is complete.
    pub fn remember(&self, key: AnalysisKey, result: Arc<Unbound>) {
        if let (Some(store), true) = (&self.store, result.complete())
            && !self.write_failed.load(Ordering::Relaxed)
        {
            match store.put(&key, &result) {
                Ok(_) => self.wrote.store(true, Ordering::Relaxed),
                Err(e) => {
                    if !self.write_failed.swap(true, Ordering::Relaxed) {
                        tracing::warn!("{e}; analyses of this scan are not kept");
                    }
                }
            }
        }
        if let Ok(mut m) = self.memory.lock() {
            m.insert(key, result);
        }
    }

    /// [`Reuse::remember`] for an analysis run ahead of the round that will use it.
    pub fn remember_ahead(&self, key: AnalysisKey, result: Arc<Unbound>) {
        if let Ok(mut a) = self.ahead.lock() {
            a.insert(key.clone());
        }
        self.remember(key, result);
    }

    /// Whether `key` was analysed ahead and this is the first job to take it (once per key).
    pub fn take_ahead(&self, key: &AnalysisKey) -> bool {
        self.ahead.lock().is_ok_and(|mut a| a.remove(key))
    }

    /// At the end of the scan: keep the cache within its bound.
    pub fn finish(&self) {
        if let Some(store) = &self.store
            && self.wrote.load(Ordering::Relaxed)
        {
            store.evict();
        }
    }
}
