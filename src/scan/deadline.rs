//! The whole scan's time limit (`--deadline`, default 600 s). Per-request timeouts alone do not
//! bound a scan: a page whose scripts all stall costs ceil(scripts / per-host) × timeout (a
//! thousand stalled scripts at 4 per host and 20 s: over an hour). Every load and every round
//! of analysis runs under this one deadline; what it cuts off is an `errors[]` entry naming
//! the page or script, so the report is still written, complete = false (exit 3 unless a
//! finding fires), and nothing is silently missing.
//!
//! Loads stop at four fifths of the deadline: the last fifth is kept for analysing what was
//! loaded, so a site that stalls its third-party scripts still has its own code (where the
//! skimmer may be) analysed, instead of every analysis being cut off with the loads.

use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// When the scan must stop waiting.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Instant,
    /// When waiting for pages and scripts stops.
    loads_by: Instant,
    limit: Duration,
}

/// The deadline ran out before the work finished.
#[derive(Debug)]
pub struct Expired;

impl Deadline {
    /// A deadline `limit` from now.
    pub fn starting_now(limit: Duration) -> Deadline {
        let now = Instant::now();
        Deadline {
            at: now + limit,
            loads_by: now + limit.mul_f64(0.8),
            limit,
        }
    }

    /// Run an analysis until it finishes or the deadline passes.
    pub async fn run<F: Future>(&self, work: F) -> Result<F::Output, Expired> {
        until(self.at, work).await
    }

    /// Run a load until it finishes or the time for loads passes (then `work` is dropped,
    /// which cancels the request).
    pub async fn run_load<F: Future>(&self, work: F) -> Result<F::Output, Expired> {
        until(self.loads_by, work).await
    }

    /// The `errors[]` message for work the deadline cut off: "not loaded: …".
    pub fn message(&self, not_done: &str) -> String {
        let l = self.limit;
        let secs = l.as_secs() + u64::from(l.subsec_nanos() > 0);
        format!("{not_done}: the scan's deadline ran out (--deadline {secs} s)")
    }
}

async fn until<F: Future>(at: Instant, work: F) -> Result<F::Output, Expired> {
    if Instant::now() >= at {
        return Err(Expired);
    }
    tokio::time::timeout_at(at, work).await.map_err(|_| Expired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_past_the_deadline_is_cut_off() {
        let d = Deadline::starting_now(Duration::from_millis(200));
        assert_eq!(d.run_load(async { 7 }).await.ok(), Some(7));
        let t = Instant::now();
        let slow = d.run_load(tokio::time::sleep(Duration::from_secs(30)));
        assert!(slow.await.is_err());
        // Loads stop first; the rest of the time is for analysis.
        assert!(t.elapsed() < Duration::from_millis(200));
        assert!(d.run_load(async { 7 }).await.is_err());
        assert_eq!(d.run(async { 7 }).await.ok(), Some(7));
        assert!(
            d.run(tokio::time::sleep(Duration::from_secs(30)))
                .await
                .is_err()
        );
        // Once passed, nothing more is started.
        assert!(d.run(async { 7 }).await.is_err());
        assert!(d.message("not loaded").contains("--deadline 1 s"));
    }
}
