//! Baselines as code (PCI DSS 6.4.3 inventory, 11.6.1 change detection): a reviewed JSON record
//! of a site's payment-page scripts and security headers, kept in git, and the comparison of a
//! scan against it.
//!
//! - [`model`]: the file format (serde types, deterministic order, `schema_version` 1).
//! - [`store`]: loading (refusing corrupt or unknown-version files), atomic saving, and the
//!   content-addressed store of old script code beside the file (`<baseline>.d/`).
//! - [`normalise`]: the identity of inline code with per-request noise (form keys, nonces,
//!   cart ids, timestamps) masked, and CSP nonces.
//! - [`record`]: `baseline create` / `baseline update` from a scan report.
//! - [`diff`]: `scan --baseline`: statuses, `removed[]`, and the baseline findings, computed
//!   from what the scan collected and added to it before the report is assembled.
//! - [`file`]: the `baseline create` / `update` commands as file operations.
//! - [`lock`]: one writer per baseline at a time.
//! - [`portable`]: an update through another spelling of a local site keeps portable names.
//! - [`beautify`]: a small token-aware pretty printer so diffs of minified code are readable.

pub mod beautify;
pub mod checks;
pub mod diff;
pub mod file;
pub mod headers;
pub mod lock;
mod matching;
pub mod model;
pub use crate::normalise;
pub mod portable;
pub mod record;
pub mod store;

pub use diff::{Comparison, compare};
pub use file::{create_file, default_targets, update_file, update_file_checked};
pub use lock::BaselineLock;
pub use model::{Baseline, BaselinePage, BaselineScript};
pub use record::{Change, create, update};
pub use store::{BaselineError, CodeStore, Stamp, load, load_stamped, save_atomic};

use crate::hosts::HostPattern;

/// The hosts a baseline authorises for scripts and payment data, for the engine's allow list.
/// Entries that do not parse were refused by [`load`], so none are dropped here in practice.
pub fn authorised_hosts(baseline: &Baseline) -> Vec<HostPattern> {
    let mut out: Vec<HostPattern> = baseline
        .authorised_hosts
        .iter()
        .filter_map(|h| HostPattern::parse(h).ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether a script URL matches one of the baseline's `volatile` patterns (compared by identity
/// and analysed, never hashed).
pub fn is_volatile(baseline: &Baseline, url: &str) -> bool {
    model::volatile_pattern(&baseline.volatile, url).is_some()
}
