//! `csp-missing`: a payment page without an enforced Content-Security-Policy (none, or only a
//! report-only one, which blocks nothing): any injected script may run and send anywhere.

use super::PageCtx;
use crate::finding::Finding;

pub const RULE: &str = "csp-missing";

pub fn check(ctx: &PageCtx<'_>) -> Option<Finding> {
    if !ctx.payment || !ctx.csp.enforced.is_empty() {
        return None;
    }
    let note = if ctx.csp.report_only.is_empty() {
        "no Content-Security-Policy at all"
    } else {
        "only a report-only Content-Security-Policy, which blocks nothing"
    };
    let mut f = ctx.rules.finding(
        RULE,
        format!(
            "This payment page has {note}: any injected script may run and send data anywhere."
        ),
    )?;
    f.page = Some(ctx.page.name.clone());
    Some(f)
}
