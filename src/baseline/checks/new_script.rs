//! `baseline-new-script`: a script runs that the reviewed inventory does not have. On a payment
//! page every script must be in it (PCI DSS 6.4.3); elsewhere a script reviewed on another page
//! of the site is not news.

use super::PageCtx;
use crate::baseline::matching::Current;
use crate::baseline::record::script_label;
use crate::finding::Finding;
use crate::inventory::ScriptKind;

pub const RULE: &str = "baseline-new-script";

pub(crate) fn check(
    ctx: &PageCtx<'_>,
    c: &Current<'_>,
    reviewed_elsewhere: bool,
) -> Option<Finding> {
    let r = c.record;
    // Every script on a payment page must be in the reviewed inventory (PCI DSS 6.4.3);
    // elsewhere a script reviewed on another page of the site is not news.
    if !ctx.payment && reviewed_elsewhere {
        return None;
    }
    let label = script_label(r.kind, r.url.as_deref(), c.position);
    let origin = match (&r.host, r.party) {
        (Some(h), crate::inventory::Party::Third) => format!(" from the third-party host {h}"),
        _ => String::new(),
    };
    let exfil = ctx.exfiltration_hosts(r);
    let mut message = if ctx.payment {
        format!(
            "{label}{origin} runs on this payment page but is not in the baseline's script inventory."
        )
    } else {
        format!("{label}{origin} is not in the baseline.")
    };
    if !exfil.is_empty() {
        message.push_str(&format!(
            " Its code sends data to {} (see the critical finding on this script).",
            exfil.join(", ")
        ));
    }
    message.push_str(" Review it; if it is authorised, record it with `skimscan baseline update` and justify it.");
    let mut f = ctx.rules.finding(RULE, message)?;
    ctx.cap_severity(&mut f, r);
    ctx.place(&mut f, r);
    let mut hosts: Vec<String> = exfil;
    if r.party == crate::inventory::Party::Third {
        hosts.extend(r.host.iter().cloned());
    }
    f.hosts = hosts;
    f.evidence = match (&r.url, r.kind) {
        (Some(u), ScriptKind::External | ScriptKind::Dynamic) => Some(u.clone()),
        _ => None,
    };
    Some(f)
}
