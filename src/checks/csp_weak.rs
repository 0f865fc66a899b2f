//! `csp-weak`: a payment page's enforced Content-Security-Policy leaves one of the directives
//! that stop a skimmer open: where scripts load from, where data may be sent, where forms post.

use super::PageCtx;
use crate::finding::Finding;

pub const RULE: &str = "csp-weak";

pub fn check(ctx: &PageCtx<'_>) -> Option<Finding> {
    let enforced = &ctx.csp.enforced;
    if !ctx.payment || enforced.is_empty() {
        return None;
    }
    let s = crate::csp::summarise(enforced, &ctx.csp.report_only);
    let mut missing = Vec::new();
    if !s.restricts_script_src {
        missing.push("script-src");
    }
    if !s.restricts_connect_src {
        missing.push("connect-src");
    }
    if !s.restricts_form_action {
        missing.push("form-action");
    }
    if missing.is_empty() {
        return None;
    }
    let mut f = ctx.rules.finding(
        RULE,
        format!(
            "The Content-Security-Policy of this payment page does not restrict {}.",
            missing.join(", ")
        ),
    )?;
    f.page = Some(ctx.page.name.clone());
    f.evidence = Some(crate::text::ellipsis(&enforced.join(", "), 200));
    Some(f)
}
