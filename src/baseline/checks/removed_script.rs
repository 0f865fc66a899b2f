//! `baseline-removed-script`: a recorded script is no longer on the page. Usually a cleanup, but
//! the inventory must say so (and a skimmer's dropper may remove what it replaced).

use crate::baseline::model::BaselineScript;
use crate::baseline::record::script_label;
use crate::finding::Finding;
use crate::rules::RuleSet;

pub const RULE: &str = "baseline-removed-script";

pub fn check(rules: &RuleSet, page: &str, o: &BaselineScript, id: &str) -> Option<Finding> {
    let mut f = rules.finding(
        RULE,
        format!(
            "{} is in the baseline but no longer on the page. If the removal was intended, run `skimscan baseline update` to record it.",
            script_label(o.kind, o.url.as_deref(), o.position)
        ),
    )?;
    f.page = Some(page.to_string());
    f.script = Some(id.to_string());
    Some(f)
}
