//! The browser pass (`scan --browser`, cli.md "The browser pass"): load each payment page in
//! headless Chromium as a customer would, record every script that actually runs, type a
//! canary card, press pay, and report every request that carries it.
//!
//! Static analysis sees the code it can decode; a skimmer delivered at run time (over a
//! WebSocket, from a tag manager, after a cloaking check), a VM-obfuscated one, or one served
//! only to phones is invisible to it. The browser pass is another source of scripts for the
//! same pipeline (its `runtime` scripts go through the static engine and the baseline like
//! any other) plus direct evidence: the canary seen leaving.
//!
//! Files: [`canary`] (the card and the search for it), [`profiles`] (who the visitor is),
//! [`record`] (what a visit saw), [`verdict`] (records → findings), [`har`] (the HAR file);
//! behind the `browser` feature, [`launch`] (Chromium), [`egress`] (the proxy every
//! connection goes through), [`intercept`] (the decision on each request), [`frames`]
//! (out-of-process iframes and workers, in sessions of their own), [`workers`] (service and
//! shared workers, held at the browser level), [`visit`] (one customer's visit) and [`pass`]
//! (all visits of a scan).

pub mod canary;
pub mod har;
pub mod profiles;
pub mod record;
pub mod verdict;

#[cfg(feature = "browser")]
pub mod egress;
#[cfg(feature = "browser")]
pub mod frames;
#[cfg(feature = "browser")]
pub mod intercept;
#[cfg(feature = "browser")]
pub mod launch;
#[cfg(feature = "browser")]
pub mod pass;
#[cfg(feature = "browser")]
pub mod visit;
#[cfg(feature = "browser")]
pub mod workers;

use profiles::Profile;
use std::path::PathBuf;
use std::time::Duration;

/// Seconds to wait after pressing pay for senders that wait (default of `--browser-wait`).
pub const DEFAULT_WAIT_AFTER_CLICK: Duration = Duration::from_secs(5);
/// Requests one visit may make before the rest are failed.
pub const DEFAULT_REQUEST_CAP: usize = 2000;

/// The browser pass's settings, resolved from the command line and the config file.
#[derive(Clone, Debug)]
pub struct BrowserOptions {
    /// `--chromium`; `None` = look on PATH.
    pub chromium: Option<PathBuf>,
    /// `--profile`, in the order given, no repeats; `[Desktop]` by default.
    pub profiles: Vec<Profile>,
    /// `--contain`.
    pub contain: bool,
    /// `--har FILE`.
    pub har: Option<PathBuf>,
    /// `--browser-wait SECS`.
    pub wait_after_click: Duration,
    /// One visit (load, type, pay, wait), from `--timeout` plus the wait.
    pub page_timeout: Duration,
    /// The whole pass.
    pub overall_timeout: Duration,
    pub request_cap: usize,
    /// `--evidence`: a screenshot of every visit and the pass's HAR are kept as artifacts
    /// (`PassOutcome::artifacts`), whether or not `--har` also writes the HAR to a file.
    pub evidence: bool,
}

impl BrowserOptions {
    pub fn new(timeout: Duration) -> BrowserOptions {
        BrowserOptions {
            chromium: None,
            profiles: vec![Profile::Desktop],
            contain: false,
            har: None,
            wait_after_click: DEFAULT_WAIT_AFTER_CLICK,
            page_timeout: timeout + DEFAULT_WAIT_AFTER_CLICK + Duration::from_secs(10),
            overall_timeout: Duration::from_secs(30 * 60),
            request_cap: DEFAULT_REQUEST_CAP,
            evidence: false,
        }
    }
}
