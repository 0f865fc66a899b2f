//! Page-level checks that need no JavaScript analysis: Subresource Integrity (a mismatch, and
//! third-party scripts on payment pages without it), the Content-Security-Policy of payment
//! pages, payment forms that post to an outside host, and remote scripts of local pages that
//! were not fetched. One file per check, each naming its rule (in `rules/page/`) once as
//! `RULE`; a check whose rule is not loaded stays silent. `tests/checks_registry.rs` holds
//! every shipped rule to exactly one check and every check to a shipped rule.

pub mod csp_missing;
pub mod csp_weak;
pub mod form_action_outside;
pub mod integrity_mismatch;
pub mod remote_script_not_fetched;
pub mod third_party_script_without_sri;

use crate::finding::{Finding, Location};
use crate::inventory::ScriptEntry;
use crate::page::ScannedPage;
use crate::rules::RuleSet;

/// The rules of the page checks, one per file above.
pub const RULES: &[&str] = &[
    integrity_mismatch::RULE,
    third_party_script_without_sri::RULE,
    remote_script_not_fetched::RULE,
    csp_missing::RULE,
    csp_weak::RULE,
    form_action_outside::RULE,
];

/// The page's Content-Security-Policies as the browser receives them.
pub struct Policies {
    /// Enforced: the headers and `<meta http-equiv>` tags.
    pub enforced: Vec<String>,
    /// `Content-Security-Policy-Report-Only` headers: they block nothing.
    pub report_only: Vec<String>,
}

impl Policies {
    fn of(page: &ScannedPage) -> Policies {
        let headers = |name: &str| -> Vec<String> {
            page.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .collect()
        };
        let mut enforced = headers("content-security-policy");
        enforced.extend(page.doc.meta_csp.iter().cloned());
        Policies {
            enforced,
            report_only: headers("content-security-policy-report-only"),
        }
    }
}

/// What every page check reads.
pub struct PageCtx<'a> {
    pub rules: &'a RuleSet,
    pub page: &'a ScannedPage,
    /// The page has a payment form (card fields).
    pub payment: bool,
    pub csp: Policies,
    /// Whether a host may receive payment data from this page (first party, allowed by the
    /// user, or a known processor).
    pub authorised: &'a dyn Fn(&str) -> bool,
}

impl PageCtx<'_> {
    /// A finding about one script: on this page, at the script's line in the page.
    fn place_script(&self, f: &mut Finding, s: &ScriptEntry) {
        f.page = Some(self.page.name.clone());
        f.script = Some(s.record.id.clone());
        f.location = s.record.page_line.map(|line| Location { line, column: 1 });
    }
}

/// Run every page check on one page. `authorised(host)` says whether a host may receive
/// payment data from this page (first party, allowed by the user, or a known processor).
pub fn page_findings(
    rules: &RuleSet,
    page: &ScannedPage,
    scripts: &[&ScriptEntry],
    authorised: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let ctx = PageCtx {
        rules,
        page,
        payment: page.doc.payment_form(),
        csp: Policies::of(page),
        authorised,
    };
    let mut out = Vec::new();
    for s in scripts {
        out.extend(integrity_mismatch::check(&ctx, s));
        out.extend(third_party_script_without_sri::check(&ctx, s));
        out.extend(remote_script_not_fetched::check(&ctx, s));
    }
    out.extend(csp_missing::check(&ctx));
    out.extend(csp_weak::check(&ctx));
    out.extend(form_action_outside::check(&ctx));
    out
}
