//! `form-action-outside`: a form with payment fields posts to a host that is neither the shop
//! nor an authorised processor: the card leaves with the submit, no script needed.

use super::PageCtx;
use crate::finding::{Finding, Location};
use crate::page::{PaymentField, PaymentFieldKind};

pub const RULE: &str = "form-action-outside";

pub fn check(ctx: &PageCtx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if !ctx.payment {
        return out;
    }
    for form in &ctx.page.doc.forms {
        if form.payment_fields.is_empty() {
            continue;
        }
        let Some(Ok(action)) = &form.action else {
            continue;
        };
        let Some(host) = action.host_str() else {
            continue;
        };
        if (ctx.authorised)(host) {
            continue;
        }
        if let Some(mut f) = ctx.rules.finding(
            RULE,
            format!(
                "A form with payment fields ({}) submits to {host}, which is neither this site nor an authorised payment processor.",
                field_summary(&form.payment_fields)
            ),
        ) {
            f.page = Some(ctx.page.name.clone());
            f.location = Some(Location {
                line: form.line,
                column: 1,
            });
            f.hosts = vec![crate::hosts::normalise_host(host)];
            f.evidence = Some(format!("<form action=\"{action}\" method=\"{}\">", form.method));
            out.push(f);
        }
    }
    out
}

/// A short human list of payment fields ("card number, security code").
fn field_summary(fields: &[PaymentField]) -> String {
    let mut kinds: Vec<&str> = fields
        .iter()
        .map(|f| match f.kind {
            PaymentFieldKind::CardNumber => "card number",
            PaymentFieldKind::SecurityCode => "security code",
            PaymentFieldKind::Expiry => "expiry",
            PaymentFieldKind::Holder => "card holder",
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds.join(", ")
}
