//! `baseline-new-destination`: a script now contacts an outside host the baseline never recorded
//! for the site (and no authorised host pattern covers): the first sign of a skimmer's collector.

use crate::baseline::model::Baseline;
use crate::baseline::record::script_label;
use crate::finding::Finding;
use crate::hosts::{self, HostPattern};
use crate::inventory::ScriptRecord;
use crate::rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet};

pub const RULE: &str = "baseline-new-destination";

/// Outside hosts the scripts contact now that the baseline never recorded (and no authorised
/// host pattern covers). `scripts` in the scan's order: the first to contact a host names it.
pub fn check(baseline: &Baseline, scripts: &[ScriptRecord], rules: &RuleSet) -> Vec<Finding> {
    let known: BTreeSet<String> = baseline
        .destinations
        .iter()
        .map(|h| hosts::normalise_host(h))
        .collect();
    let authorised: Vec<HostPattern> = crate::baseline::authorised_hosts(baseline);
    // Host → the first script (in the scan's order) that contacts it.
    let mut first: BTreeMap<String, &ScriptRecord> = BTreeMap::new();
    for s in scripts {
        for d in &s.destinations {
            let h = hosts::normalise_host(d);
            if known.contains(&h) || hosts::any_matches(&authorised, &h) {
                continue;
            }
            first.entry(h).or_insert(s);
        }
    }
    let mut out = Vec::new();
    for (host, s) in first {
        let label = script_label(s.kind, s.url.as_deref(), None);
        if let Some(mut f) = rules.finding(
            RULE,
            format!(
                "{label} contacts {host}, an outside host the baseline never recorded for this site. If it is an authorised processor, add it to the baseline's authorised_hosts."
            ),
        ) {
            f.page = Some(s.page.clone());
            f.script = Some(s.id.clone());
            f.hosts = vec![host];
            out.push(f);
        }
    }
    out
}
