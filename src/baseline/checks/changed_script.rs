//! `baseline-changed-script`: a recorded script's code changed. The finding carries the diff of
//! the beautified old and new code and says what the new version does that the old did not; a
//! change with the same behaviour is a review item (medium), not an alarm.

use super::PageCtx;
use crate::baseline::diff::{added_excerpt, first_changed_line, unified_diff};
use crate::baseline::matching::Current;
use crate::baseline::model::BaselineScript;
use crate::baseline::record::script_label;
use crate::finding::{Finding, Location, Severity};
use std::collections::BTreeSet;

pub const RULE: &str = "baseline-changed-script";

pub(crate) fn check(
    ctx: &PageCtx<'_>,
    c: &Current<'_>,
    o: &BaselineScript,
    old_text: Option<&str>,
    new_text: Option<&str>,
) -> Option<Finding> {
    let r = c.record;
    let label = script_label(r.kind, r.url.as_deref(), c.position);
    let short = |h: Option<&str>| h.map(|h| h.chars().take(12).collect::<String>());
    let hashes = match (short(o.sha256.as_deref()), short(r.sha256.as_deref())) {
        (Some(a), Some(b)) => format!(" (sha256 {a}… → {b}…)"),
        _ => String::new(),
    };
    let mut message = format!("{label} changed since the baseline{hashes}.");
    let diff = match (old_text, new_text) {
        (Some(a), Some(b)) => {
            let d = unified_diff(a, b);
            if d.contains("\n@@ ") {
                Some(d)
            } else {
                message.push_str(
                    " Only values that look per-request (tokens, ids, timestamps) differ.",
                );
                None
            }
        }
        (None, _) => {
            message.push_str(" Old code not stored (no baseline code store beside the baseline file), so no diff.");
            None
        }
        (Some(_), None) => None,
    };
    let exfil = ctx.exfiltration_hosts(r);
    let old_dest: BTreeSet<&String> = o.destinations.iter().collect();
    let new_dest: Vec<String> = r
        .destinations
        .iter()
        .filter(|d| !old_dest.contains(d))
        .cloned()
        .collect();
    if !exfil.is_empty() {
        message.push_str(&format!(
            " The new code sends data to {} (see the critical finding on this script).",
            exfil.join(", ")
        ));
    } else if !new_dest.is_empty() {
        message.push_str(&format!(" It now contacts {}.", new_dest.join(", ")));
    }
    let change = behaviour_change(o.behaviour.as_ref(), r.behaviour.as_ref());
    let same_behaviour = exfil.is_empty() && new_dest.is_empty() && change == Ok(None);
    match &change {
        Ok(Some(gained)) => message.push_str(&format!(" Its behaviour changed: {gained}.")),
        Ok(None) if same_behaviour => message.push_str(
            " Its behaviour is the same as the recorded version's: it reads no new kind of payment data, sends by no new means and contacts no new outside host (a routine upgrade looks like this); review the diff, then record it with `skimscan baseline update`.",
        ),
        Ok(None) => {}
        Err(why) => message.push_str(&format!(" {why}")),
    }
    if !o.justification.is_empty() {
        message.push_str(&format!(" Recorded justification: {}", o.justification));
    }
    let mut f = ctx.rules.finding(RULE, message)?;
    if same_behaviour {
        // A change to review, not an alarm: routine upgrades must not page anyone at the
        // default --fail-on high (the top complaint about script monitors).
        f.severity = f.severity.min(Severity::Medium);
    }
    ctx.cap_severity(&mut f, r);
    ctx.place(&mut f, r);
    if let (Some(a), Some(b)) = (old_text, new_text)
        && let Some(n) = first_changed_line(a, b)
    {
        // Point at the first changed line: in the page for code in the page (the text
        // starts at its `line_offset`), in the file for a script file.
        let start = ctx.sources.get(&r.id).map_or(1, |t| t.line_offset.max(1));
        f.location = Some(Location {
            line: start + n - 1,
            column: 1,
        });
    }
    f.hosts = exfil.into_iter().chain(new_dest).collect();
    f.evidence = diff
        .as_deref()
        .and_then(|d| added_excerpt(d, &f.hosts))
        .or_else(|| r.sha256.as_ref().map(|h| format!("sha256 {h}")));
    f.diff = diff;
    Some(f)
}

/// What the new version's behaviour gained over the recorded one: `Ok(None)` when nothing
/// (both analyses complete), `Ok(Some(text))` naming what is new, `Err(why)` when the two
/// cannot be compared (an old baseline without behaviour, an analysis that stopped early).
fn behaviour_change(
    old: Option<&crate::js::behaviour::Behaviour>,
    new: Option<&crate::js::behaviour::Behaviour>,
) -> Result<Option<String>, String> {
    let (Some(old), Some(new)) = (old, new) else {
        return Err(
            "The baseline does not record what the old version did (made before skimscan recorded behaviour, or not analysed), so the change is rated as new code."
                .into(),
        );
    };
    let reads: Vec<&str> = new
        .reads
        .difference(&old.reads)
        .map(String::as_str)
        .collect();
    let sends: Vec<&str> = new
        .sends
        .difference(&old.sends)
        .map(String::as_str)
        .collect();
    let mut gained = Vec::new();
    if !reads.is_empty() {
        gained.push(format!("it now reads {} data", reads.join(", ")));
    }
    if !sends.is_empty() {
        gained.push(format!("it now sends by {}", sends.join(", ")));
    }
    if !gained.is_empty() {
        return Ok(Some(gained.join("; ")));
    }
    if !old.complete || !new.complete {
        return Err("The analysis of one version stopped early, so the behaviours cannot be called the same.".into());
    }
    Ok(None)
}
