//! Analyse each piece of code once, ever: the memory of analyses, within a scan and across
//! scans.
//!
//! An analysis is keyed by the code's sha256, the page context the engine reads, and the
//! [`Fingerprint`] of the engine (this build, the loaded rules, the authorised hosts)
//! ([`key`]). The result is kept without the script's identity, so an inline script on 200
//! pages, or one file under `?v=1` and `?v=2`, is analysed once and each copy gets its own
//! labels back ([`unbound`]). Complete results are also kept on disk between runs, under
//! `--cache-dir` (default: the user's cache folder), bounded in size ([`store`]). The cache is
//! never a reason for a different report: an unusable entry is a miss, and a cache that cannot
//! be written costs a warning, not the scan.

pub mod key;
pub mod store;
pub mod unbound;

pub use key::{AnalysisKey, Fingerprint, TextDigest};
pub use store::{DEFAULT_MAX_BYTES, Store, StoreError};
pub use unbound::{Identity, Unbound};

use std::path::PathBuf;

/// Where analyses are kept between runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheSetting {
    /// `--no-cache`: every script is analysed afresh, each copy on its own, as before the
    /// cache existed (the reference the cache is tested against).
    Off,
    /// Analyses are shared within the scan only (no cache folder is known).
    Memory,
    /// Shared within the scan and kept in this folder between runs.
    Dir(PathBuf),
}

/// The user's cache folder for skimscan: `$XDG_CACHE_HOME/skimscan`, else
/// `~/.cache/skimscan` (`%LOCALAPPDATA%\skimscan` on Windows); `None` when none is known.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            // The XDG spec: a relative path is invalid and ignored.
            .filter(|p| p.is_absolute())
    };
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("skimscan"))
}
