//! Findings → report rows for pages: the page checks (rules about a page as a whole: its
//! headers, its forms, the scripts it includes) and the `pages[]` records of the report.

use super::crawl::{self, ScannedPage};
use super::scripts::ScriptEntry;
use crate::finding::Finding;
use crate::js::Engine;
use crate::page;
use crate::report::{FormRecord, PageRecord};
use crate::rules::RuleSet;

/// Every page's checks (into `findings`) and its record, in page order.
pub fn pages(
    rules: &RuleSet,
    engine: &Engine,
    pages: &[ScannedPage],
    entries: &[ScriptEntry],
    findings: &mut Vec<Finding>,
) -> Vec<PageRecord> {
    let mut records = Vec::with_capacity(pages.len());
    for (pi, p) in pages.iter().enumerate() {
        let page_scripts: Vec<&ScriptEntry> =
            entries.iter().filter(|e| e.page_index == pi).collect();
        let page_host = p.host();
        let authorised = |h: &str| engine.may_receive_payment_data(page_host.as_deref(), h);
        // Scripts we only know the address of still tell something: a known skimmer domain
        // or a look-alike host in the URL.
        for e in &page_scripts {
            if e.text.is_none()
                && let Some(url) = &e.record.url
            {
                findings.extend(engine.check_script_url(&p.name, page_host.as_deref(), url));
            }
        }
        findings.extend(crate::checks::page_findings(
            rules,
            p,
            &page_scripts,
            &authorised,
        ));
        records.push(record(p));
    }
    records
}

fn record(p: &ScannedPage) -> PageRecord {
    PageRecord {
        url: p.name.clone(),
        status: p.status,
        payment_form: p.doc.payment_form(),
        headers: page::security_headers(&p.headers, &p.doc.meta_csp),
        requested_url: p
            .requested
            .as_ref()
            .map(|u| crawl::display(u, p.local.as_deref())),
        title: p.doc.title.clone(),
        encoding: Some(p.encoding.clone()),
        forms: p
            .doc
            .forms
            .iter()
            .map(|f| FormRecord {
                action: f.action.as_ref().map(|a| match a {
                    Ok(u) => match p.local.as_deref() {
                        // A local page's root-relative action names a file of the site.
                        Some(root) => root
                            .localize(u)
                            .map(|l| root.display(&l))
                            .unwrap_or_else(|| u.to_string()),
                        None => u.to_string(),
                    },
                    Err(raw) => raw.clone(),
                }),
                method: f.method.clone(),
                payment_fields: f.payment_fields.iter().map(|pf| pf.name.clone()).collect(),
                line: f.line,
            })
            .collect(),
        found_by: p.found_by.to_string(),
    }
}
