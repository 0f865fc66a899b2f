//! Politeness: how many requests are in flight, in all and per host.
//!
//! A scan fetches one page and then dozens of scripts, often from the same few hosts. A global
//! limit (`--concurrency`) keeps the scanner's own footprint bounded; a per-host limit keeps it
//! from hammering one shop (and from tripping rate limits that would turn into 429s and
//! incomplete scans). Modelled on lychee's per-host semaphores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Hands out permits: one global and one for the request's host.
#[derive(Debug)]
pub struct Politeness {
    global: Arc<Semaphore>,
    per_host_limit: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Held while a request is in flight; dropping it frees both slots.
#[derive(Debug)]
pub struct Permit {
    // `None` only if a semaphore were closed, which never happens here; a missing permit
    // would merely loosen the limit, so it is not worth a panic path.
    _host: Option<OwnedSemaphorePermit>,
    _global: Option<OwnedSemaphorePermit>,
}

impl Politeness {
    /// Limits below 1 are raised to 1: a zero-sized semaphore would wait forever.
    pub fn new(concurrency: usize, per_host: usize) -> Politeness {
        Politeness {
            global: Arc::new(Semaphore::new(concurrency.max(1))),
            per_host_limit: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Wait for a slot for `host` (already normalised), then for a global one. The host slot
    /// comes first so a request queued behind a busy host does not sit on a global slot that
    /// a request to an idle host could use.
    pub async fn acquire(&self, host: &str) -> Permit {
        let host_sem = {
            // A poisoned lock only means another task panicked while inserting; the map is
            // still usable.
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(
                hosts
                    .entry(host.to_string())
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_host_limit))),
            )
        };
        let host_permit = host_sem.acquire_owned().await.ok();
        let global_permit = Arc::clone(&self.global).acquire_owned().await.ok();
        Permit {
            _host: host_permit,
            _global: global_permit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn per_host_and_global_limits_hold() {
        let p = Arc::new(Politeness::new(3, 2));
        let in_a = Arc::new(AtomicUsize::new(0));
        let max_a = Arc::new(AtomicUsize::new(0));
        let in_all = Arc::new(AtomicUsize::new(0));
        let max_all = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..12 {
            let (p, in_a, max_a, in_all, max_all) = (
                p.clone(),
                in_a.clone(),
                max_a.clone(),
                in_all.clone(),
                max_all.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let host = if i % 2 == 0 {
                    "a.test"
                } else {
                    format!("h{i}.test").leak()
                };
                let _permit = p.acquire(host).await;
                let all = in_all.fetch_add(1, Ordering::SeqCst) + 1;
                max_all.fetch_max(all, Ordering::SeqCst);
                if host == "a.test" {
                    let a = in_a.fetch_add(1, Ordering::SeqCst) + 1;
                    max_a.fetch_max(a, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                if host == "a.test" {
                    in_a.fetch_sub(1, Ordering::SeqCst);
                }
                in_all.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert!(max_a.load(Ordering::SeqCst) <= 2);
        assert!(max_all.load(Ordering::SeqCst) <= 3);
        assert!(max_all.load(Ordering::SeqCst) >= 2);
    }

    #[tokio::test]
    async fn zero_limits_do_not_deadlock() {
        let p = Politeness::new(0, 0);
        let _a = p.acquire("x.test").await;
    }
}
