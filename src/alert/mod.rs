//! Alerts: tell a webhook (Slack, a SOAR, an on-call bridge) when a scan needs a person.
//!
//! A scheduled scan is only useful if someone hears about it when it matters, and only if they
//! are not drowned: an alert goes out when the scan reaches `--fail-on` or is incomplete, it
//! says what is *new* (findings, changed scripts) rather than everything, and it is signed so
//! the receiver can trust it. [`payload`] builds the document, [`deliver`] sends it, and with
//! `--history` [`state`] remembers what was alerted so that a finding is told of once, and its
//! disappearance once.

pub mod deliver;
pub mod payload;
pub mod state;

pub use deliver::{DeliveryError, Notifier, NotifyOptions};
pub use payload::{Alert, AlertReason, FindingKey, build};
