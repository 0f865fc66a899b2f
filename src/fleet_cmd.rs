//! The `scan` command's fleet options turned into work: which targets this process scans
//! (`--targets-file`, `--shard`), and the alert sent when the scan needs a person (`--notify`).
//! Kept apart from `app.rs` so the single-shop path reads the same as before.

use crate::alert::{self, Notifier, NotifyOptions};
use crate::cli::FleetArgs;
use crate::command::UsageError;
use crate::config::Config;
use crate::fleet::{self, Shard};
use crate::history::HistoryStore;
use crate::report::Report;

/// Exit code when the scan finished but an alert could not be delivered to every `--notify`
/// URL (the report was still written). It replaces 1 or 3: an alert is only sent for those.
pub const EXIT_ALERT_FAILED: u8 = 4;

/// The targets this process scans.
pub fn targets(args: &FleetArgs, command_line: &[String]) -> Result<Vec<String>, UsageError> {
    let shard = args
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(UsageError)?;
    let file = match &args.targets_file {
        Some(p) => fleet::read_targets_file(p).map_err(|e| UsageError(e.to_string()))?,
        None => Vec::new(),
    };
    if command_line.is_empty() && file.is_empty() {
        return Err(UsageError(
            "no targets: the command line and --targets-file name none".into(),
        ));
    }
    let chosen = fleet::select(command_line, &file, shard);
    if let Some(s) = shard {
        tracing::info!(
            shard = %format!("{}/{}", s.index, s.count),
            targets = chosen.len(),
            "this shard's share of the targets"
        );
    }
    Ok(chosen)
}

/// The webhook settings, checked before anything is scanned (a typo must not cost a scan).
pub fn notify_options(
    args: &FleetArgs,
    config: &Config,
) -> Result<Option<NotifyOptions>, UsageError> {
    if args.notify.is_empty() {
        return Ok(None);
    }
    let urls = args
        .notify
        .iter()
        .map(|u| alert::deliver::parse_notify_url(u))
        .collect::<Result<Vec<_>, _>>()
        .map_err(UsageError)?;
    let secret = match &args.notify_secret_env {
        Some(var) => match std::env::var_os(var) {
            Some(v) if !v.is_empty() => Some(v.into_encoded_bytes()),
            _ => {
                return Err(UsageError(format!(
                    "--notify-secret-env {var}: the environment variable is not set or empty"
                )));
            }
        },
        None => None,
    };
    Ok(Some(NotifyOptions {
        urls,
        secret,
        timeout: config.fetch.timeout,
    }))
}

/// Send the alert the report calls for, if any; the exit code to use instead of `code` when a
/// delivery failed. With a history, findings already alerted on are left out, findings gone
/// are reported resolved, and what was delivered is remembered (`alert::state`).
pub fn notify(
    opts: &NotifyOptions,
    report: &Report,
    config: &Config,
    code: u8,
    mut history: Option<&mut dyn HistoryStore>,
) -> u8 {
    let plan = match history.as_deref() {
        Some(store) => match alert::state::plan(store, report) {
            Ok(p) => p,
            Err(e) => {
                // Better a repeated alert than a missed one.
                eprintln!("skimscan: warning: {e}; alerting without de-duplication");
                history = None;
                alert::state::Plan::default()
            }
        },
        None => alert::state::Plan::default(),
    };
    let Some(doc) = alert::build(
        report,
        config.fail_on,
        &plan.already_alerted,
        &plan.resolved,
    ) else {
        return code;
    };
    let body = match serde_json::to_vec(&doc) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("skimscan: error: cannot encode the alert: {e}");
            return EXIT_ALERT_FAILED;
        }
    };
    let failures = match crate::command::runtime() {
        Ok(rt) => rt.block_on(async {
            match Notifier::new(opts.clone()) {
                Ok(n) => n.send(&body).await,
                Err(e) => vec![e],
            }
        }),
        Err(e) => {
            eprintln!("skimscan: error: {e}");
            return EXIT_ALERT_FAILED;
        }
    };
    for f in &failures {
        eprintln!("skimscan: error: {f}");
    }
    // Remember only what someone was told: with no delivery (every URL failed, or no client
    // to send with), the next scan alerts again.
    let no_client = failures
        .iter()
        .any(|f| matches!(f, alert::DeliveryError::Client(_)));
    let delivered = !no_client && failures.len() < opts.urls.len();
    if delivered
        && let Some(store) = history
        && let Err(e) = alert::state::remember(store, report, config.fail_on, &plan, &doc)
    {
        eprintln!(
            "skimscan: warning: the alert was sent but not remembered ({e}); it will be sent again"
        );
    }
    if failures.is_empty() {
        code
    } else {
        EXIT_ALERT_FAILED
    }
}
