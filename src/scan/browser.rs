//! The browser pass as another source of scripts for the pipeline: hand it the payment pages
//! (and the target pages, whose card form may only exist once their code runs), then turn
//! every script it saw running into an inventory row. A script whose bytes the static pass
//! already has for that page is the same script; anything else is `kind: runtime` and goes
//! through the engine and the baseline comparison like any other.

use super::crawl::ScannedPage;
use super::scripts::ScriptEntry;
use crate::browser::BrowserOptions;
use crate::browser::pass::{self, CardAuthority, PassContext, PassPage};
use crate::browser::record::BrowserVisit;
use crate::config::Config;
use crate::finding::Finding;
use crate::hosts::{self, HostPattern};
use crate::inventory::{self, ScriptKind, ScriptRecord, ScriptText};
use crate::js::Engine;
use crate::report::ScanError;
use crate::rules::RuleSet;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// What the pass added to the scan.
pub struct BrowserAdditions {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    pub visits: Vec<BrowserVisit>,
    /// Screenshots and the HAR for `--evidence` (see `PassOutcome::artifacts`).
    pub artifacts: Vec<(String, Vec<u8>)>,
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    opts: &BrowserOptions,
    binary: &Path,
    cfg: &Config,
    contain_hosts: Vec<HostPattern>,
    named_hosts: &[HostPattern],
    pages: &[ScannedPage],
    engine: &Engine,
    rules: &RuleSet,
    entries: &mut Vec<ScriptEntry>,
) -> BrowserAdditions {
    let mut errors = Vec::new();
    let mut visit = Vec::new();
    for (index, p) in pages.iter().enumerate() {
        if !(p.doc.payment_form() || p.found_by == "target") {
            continue;
        }
        if p.local.is_some() || !matches!(p.url.scheme(), "http" | "https") {
            errors.push(ScanError {
                url: p.name.clone(),
                message: "browser pass: only http(s) pages are loaded in the browser; serve the site to check it".into(),
            });
            continue;
        }
        visit.push(PassPage {
            index,
            url: p.url.clone(),
            name: p.name.clone(),
        });
    }
    let mut fetch = cfg.fetch.clone();
    fetch.named_hosts = named_hosts.to_vec();
    let engine = engine.clone();
    let authority: CardAuthority =
        Arc::new(move |page_host, host| engine.may_receive_payment_data(page_host, host));
    let ctx = PassContext {
        fetch,
        contain_hosts,
        card_authority: authority,
        concurrency: cfg.fetch.concurrency,
    };
    let outcome = pass::run(opts, binary, ctx, visit, rules).await;
    errors.extend(outcome.errors);

    // Static scripts' hashes per page: a runtime script with the same bytes is not new.
    let mut known: BTreeSet<(usize, String)> = entries
        .iter()
        .filter_map(|e| {
            let hash = e
                .text
                .as_ref()
                .map(|t| inventory::sha256_hex(t.text.as_bytes()))?;
            Some((e.page_index, hash))
        })
        .collect();
    for s in outcome.scripts {
        let bytes = s.text.as_bytes();
        let sha = inventory::sha256_hex(bytes);
        if !known.insert((s.page_index, sha.clone())) {
            continue;
        }
        let Some(page) = pages.get(s.page_index) else {
            continue;
        };
        let page_host = page.host();
        let host = s
            .url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .and_then(|u| u.host_str().map(hosts::normalise_host));
        let party = match (&host, &page_host) {
            (Some(h), Some(ph)) => hosts::party(h, ph),
            _ => inventory::Party::First,
        };
        // Identity: the URL when it is a real one, else the page, the profile and the hash
        // (eval'd and injected code has no address).
        let id = match &s.url {
            Some(u) if host.is_some() => u.clone(),
            _ => format!("{}#runtime-{}", page.name, &sha[..12]),
        };
        let id = if entries.iter().any(|e| e.record.id == id) {
            format!("{id}#runtime-{}", &sha[..12])
        } else {
            id
        };
        let mut record = ScriptRecord::new(page.name.clone(), id.clone(), ScriptKind::Runtime)
            .read(&inventory::CodeDigest::of(bytes), true);
        record.url = s.url.clone();
        record.host = host;
        record.party = party;
        let text = ScriptText::file(id, Arc::from(s.text.as_str()));
        entries.push(ScriptEntry::new(record, Some(text), s.page_index));
    }
    BrowserAdditions {
        findings: outcome.findings,
        errors,
        visits: outcome.visits,
        artifacts: outcome.artifacts,
    }
}
