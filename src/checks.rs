//! Page-level checks that need no JavaScript analysis: Subresource Integrity (a mismatch, and
//! third-party scripts on payment pages without it), the Content-Security-Policy of payment
//! pages, payment forms that post to an outside host, and remote scripts of local pages that
//! were not fetched. Each check reports under its rule in `rules/page/`; a check whose rule is
//! not loaded stays silent.

use crate::csp;
use crate::finding::{Finding, Location};
use crate::inventory::{IntegrityCheck, Party, ScriptEntry};
use crate::page::{PaymentField, PaymentFieldKind, ScannedPage};
use crate::rules::RuleSet;

/// Run every page check on one page. `authorised(host)` says whether a host may receive
/// payment data from this page (first party, allowed by the user, or a known processor).
pub fn page_findings(
    rules: &RuleSet,
    page: &ScannedPage,
    scripts: &[&ScriptEntry],
    authorised: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let payment = page.doc.payment_form();
    let at = |line: u32| Some(Location { line, column: 1 });

    for s in scripts {
        let r = &s.record;
        if let Some(IntegrityCheck::Mismatch { expected }) = &s.integrity
            && let Some(mut f) = rules.finding(
                "integrity-mismatch",
                format!(
                    "The page pins this script with integrity=\"{}\" but the server sent different bytes ({}). Browsers refuse to run it; if the hash was updated elsewhere, the script changed without review.",
                    expected.join(" "),
                    r.sri.as_deref().unwrap_or("?")
                ),
            ) {
                f.page = Some(page.name.clone());
                f.script = Some(r.id.clone());
                f.location = r.page_line.and_then(at);
                f.hosts = r.host.iter().filter(|_| r.party == Party::Third).cloned().collect();
                f.evidence = r.integrity_attr.clone();
                out.push(f);
            }
        // The browser checks a supported integrity attribute whenever the script loads; when we
        // could not check it ourselves (not fetched, failed), the attribute still counts.
        let has_sri = match &s.integrity {
            Some(IntegrityCheck::Matches | IntegrityCheck::Mismatch { .. }) => true,
            Some(IntegrityCheck::Unsupported) => false,
            None => r.integrity_attr.as_deref().is_some_and(|a| {
                a.split_ascii_whitespace().any(|t| {
                    let t = t.to_ascii_lowercase();
                    t.starts_with("sha256-") || t.starts_with("sha384-") || t.starts_with("sha512-")
                })
            }),
        };
        if payment && r.party == Party::Third && r.url.is_some() && !has_sri
            && let Some(mut f) = rules.finding(
                "third-party-script-without-sri",
                format!(
                    "{} is loaded on a payment page without an integrity hash: whoever controls {} can change what runs next to the card fields.",
                    r.id,
                    r.host.as_deref().unwrap_or("its host")
                ),
            ) {
                f.page = Some(page.name.clone());
                f.script = Some(r.id.clone());
                f.location = r.page_line.and_then(at);
                f.hosts = r.host.iter().cloned().collect();
                out.push(f);
            }
        if s.not_fetched
            && let Some(mut f) = rules.finding(
                "remote-script-not-fetched",
                format!(
                    "{} was inventoried but not fetched or analysed: local targets never contact remote hosts unless --fetch-remote is given, and --contain contacts only the hosts you named.",
                    r.id
                ),
            ) {
                f.page = Some(page.name.clone());
                f.script = Some(r.id.clone());
                f.location = r.page_line.and_then(at);
                f.hosts = r.host.iter().cloned().collect();
                out.push(f);
            }
    }

    if payment {
        out.extend(csp_findings(rules, page));
        for form in &page.doc.forms {
            if form.payment_fields.is_empty() {
                continue;
            }
            let Some(Ok(action)) = &form.action else {
                continue;
            };
            let Some(host) = action.host_str() else {
                continue;
            };
            if authorised(host) {
                continue;
            }
            if let Some(mut f) = rules.finding(
                "form-action-outside",
                format!(
                    "A form with payment fields ({}) submits to {host}, which is neither this site nor an authorised payment processor.",
                    field_summary(&form.payment_fields)
                ),
            ) {
                f.page = Some(page.name.clone());
                f.location = at(form.line);
                f.hosts = vec![crate::hosts::normalise_host(host)];
                f.evidence = Some(format!("<form action=\"{action}\" method=\"{}\">", form.method));
                out.push(f);
            }
        }
    }
    out
}

fn csp_findings(rules: &RuleSet, page: &ScannedPage) -> Vec<Finding> {
    let mut enforced: Vec<String> = page
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-security-policy"))
        .map(|(_, v)| v.clone())
        .collect();
    enforced.extend(page.doc.meta_csp.iter().cloned());
    let report_only: Vec<String> = page
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-security-policy-report-only"))
        .map(|(_, v)| v.clone())
        .collect();
    let mut out = Vec::new();
    if enforced.is_empty() {
        let note = if report_only.is_empty() {
            "no Content-Security-Policy at all"
        } else {
            "only a report-only Content-Security-Policy, which blocks nothing"
        };
        if let Some(mut f) = rules.finding(
            "csp-missing",
            format!(
                "This payment page has {note}: any injected script may run and send data anywhere."
            ),
        ) {
            f.page = Some(page.name.clone());
            out.push(f);
        }
        return out;
    }
    let s = csp::summarise(&enforced, &report_only);
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
    if !missing.is_empty()
        && let Some(mut f) = rules.finding(
            "csp-weak",
            format!(
                "The Content-Security-Policy of this payment page does not restrict {}.",
                missing.join(", ")
            ),
        )
    {
        f.page = Some(page.name.clone());
        f.evidence = Some(truncate(&enforced.join(", "), 200));
        out.push(f);
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
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
