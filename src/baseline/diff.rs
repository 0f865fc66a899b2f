//! `scan --baseline`: compare what a scan collected with the reviewed baseline (PCI DSS 11.6.1),
//! before the report exists.
//!
//! Gives each script's `baseline` status (`unchanged`, `changed`, `new`), the `removed[]`
//! entries, and findings under the rules in `rules/baseline/`: a new script, a changed script
//! (with a unified diff of the beautified old and new code), a removed script, a changed
//! security header, a weakened or removed CSP, and a new outside destination host. A check
//! whose rule is not loaded stays silent. The comparison only reads the scan's parts; its
//! result is added to them ([`Comparison::add_to`]) before the report, and so its verdict, is
//! assembled.

use super::beautify::beautify;
use super::checks;
use super::matching::{self, Current};
use super::model::{Baseline, BaselinePage, BaselineScript};
use super::store::CodeStore;
use crate::finding::Finding;
use crate::inventory::{BaselineStatus, ScriptKind, ScriptText};
use crate::report::{Parts, RemovedScript};
use crate::rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet};

/// A diff longer than this is cut (the JSON report and dashboards carry it too).
const MAX_DIFF_LINES: usize = 200;
const MAX_DIFF_BYTES: usize = 16 * 1024;
/// Lines of added code quoted as a finding's evidence.
const EVIDENCE_LINES: usize = 3;
const EVIDENCE_LINE_CHARS: usize = 160;

/// What the comparison with a baseline found, to be added to the scan's parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// One per scanned script, in the order of [`Parts::scripts`]: its status, or `None` when
    /// it cannot be compared (no hash).
    pub statuses: Vec<Option<BaselineStatus>>,
    /// Recorded scripts no longer seen.
    pub removed: Vec<RemovedScript>,
    pub findings: Vec<Finding>,
}

impl Comparison {
    /// Fill in the scripts' statuses and add the removed scripts and the findings, so the
    /// report assembled from `parts` judges them with everything else.
    pub fn add_to(self, parts: &mut Parts) {
        for (s, st) in parts.scripts.iter_mut().zip(self.statuses) {
            s.baseline = st;
        }
        parts.removed.extend(self.removed);
        parts.findings.extend(self.findings);
    }
}

/// Compare what a scan collected with a baseline: statuses, removed scripts and baseline
/// findings. `store` is the baseline's old-code store (see [`CodeStore`]); without it (or
/// without a script's old code in it) a change is reported with "old code not stored" instead
/// of a diff. `scan.findings` are the engine's (a new or changed script that sends data names
/// the host).
pub fn compare(
    baseline: &Baseline,
    scan: &Parts,
    sources: &BTreeMap<String, ScriptText>,
    store: Option<&CodeStore>,
    rules: &RuleSet,
) -> Comparison {
    let mut findings = Vec::new();
    let mut statuses: Vec<Option<BaselineStatus>> = vec![None; scan.scripts.len()];
    let mut removed = Vec::new();
    let roots = matching::Roots::new(baseline, &scan.pages);
    // Every recorded script, by identity and (first-party files) by path within the site.
    let mut known_anywhere: BTreeSet<String> = BTreeSet::new();
    for (_, s) in baseline.scripts() {
        known_anywhere.insert(s.identity.clone());
        if s.party == crate::inventory::Party::First
            && let Some(rel) = s
                .url
                .as_deref()
                .and_then(|u| matching::relative(u, roots.baseline.as_deref()))
        {
            known_anywhere.insert(format!("rel:{rel}"));
        }
    }
    let old_code =
        |s: &BaselineScript| store.and_then(|st| s.sha256.as_deref().and_then(|h| st.get(h)));
    let new_code = |c: &Current<'_>| sources.get(&c.record.id).map(|t| t.text.to_string());
    let empty = BaselinePage::default();

    for page in &scan.pages {
        let recorded = matching::find_page(baseline, page, &roots).map(|(_, p)| p);
        let rec_page = recorded.unwrap_or(&empty);
        let idx: Vec<usize> = (0..scan.scripts.len())
            .filter(|&i| scan.scripts[i].page == page.url)
            .collect();
        let current: Vec<Current<'_>> = idx
            .iter()
            .map(|&i| {
                matching::describe(
                    &scan.scripts[i],
                    sources,
                    &baseline.volatile,
                    roots.scan.as_deref(),
                )
            })
            .collect();
        let m = matching::match_page(
            &rec_page.scripts,
            roots.baseline.as_deref(),
            &current,
            &old_code,
            &new_code,
        );
        let ctx = checks::PageCtx {
            page: &page.url,
            sources,
            // A page recorded as a payment page stays one: a skimmer that moves the card
            // fields out of reach of the scanner must not also lower the severities.
            payment: page.payment_form || recorded.is_some_and(|r| r.payment_form),
            rules,
            engine_findings: &scan.findings,
        };
        for (ci, c) in current.iter().enumerate() {
            statuses[idx[ci]] = m.status[ci];
            match m.status[ci] {
                Some(BaselineStatus::New) => {
                    let reviewed_elsewhere = known_anywhere.contains(&c.identity)
                        || c.rel
                            .as_ref()
                            .is_some_and(|r| known_anywhere.contains(&format!("rel:{r}")));
                    findings.extend(checks::new_script::check(&ctx, c, reviewed_elsewhere));
                }
                Some(BaselineStatus::Changed) => {
                    if let Some(o) = m.matched[ci].map(|oi| &rec_page.scripts[oi]) {
                        let old_text = old_code(o);
                        let new_text = sources.get(&c.record.id).map(|t| t.text.as_ref());
                        findings.extend(checks::changed_script::check(
                            &ctx,
                            c,
                            o,
                            old_text.as_deref(),
                            new_text,
                        ));
                    }
                }
                _ => {}
            }
        }
        for &oi in &m.removed {
            let o = &rec_page.scripts[oi];
            let id = removed_id(&page.url, o);
            findings.extend(checks::removed_script::check(rules, &page.url, o, &id));
            removed.push(RemovedScript {
                page: page.url.clone(),
                url: o.url.clone(),
                id,
                kind: o.kind,
                sha256: o.sha256.clone(),
            });
        }
        if let Some(r) = recorded {
            findings.extend(ctx.header_findings(&r.headers, &page.headers));
        }
    }
    findings.extend(checks::new_destination::check(
        baseline,
        &scan.scripts,
        rules,
    ));
    Comparison {
        statuses,
        removed,
        findings,
    }
}

/// The id a removed script had: its URL, or `<page>#inline-N` as the scan names code in a page.
fn removed_id(page: &str, o: &BaselineScript) -> String {
    match (o.kind, &o.url) {
        (ScriptKind::Inline | ScriptKind::Handler, _) | (_, None) => {
            let kind = if o.kind == ScriptKind::Handler {
                "handler"
            } else {
                "inline"
            };
            match o.position {
                Some(n) => format!("{page}#{kind}-{n}"),
                None => format!("{page}#{kind}"),
            }
        }
        (_, Some(u)) => u.clone(),
    }
}

/// Line-level diff operations between two texts, comparing lines with per-request noise
/// masked (see [`super::normalise`]): a line that differs only in its form key or nonce is not
/// a change, so it neither shows in the diff nor moves the finding's location.
fn line_ops(old: &[&str], new: &[&str]) -> Vec<similar::DiffOp> {
    let norm = |lines: &[&str]| -> Vec<String> {
        lines
            .iter()
            .map(|l| super::normalise::normalise_code(l))
            .collect()
    };
    let (a, b) = (norm(old), norm(new));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &a, &b, Some(deadline))
}

/// The 1-based line of the new code where it first differs from the old, when the new code is
/// laid out on lines (in minified code a line number says little and the diff is of the
/// beautified code).
pub(super) fn first_changed_line(old: &str, new: &str) -> Option<u32> {
    if super::beautify::is_minified(new) {
        return None;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let op = line_ops(&a, &b)
        .into_iter()
        .find(|op| op.tag() != similar::DiffTag::Equal)?;
    // The first line with code in it: a blank line before an appended block says nothing.
    let n = op
        .new_range()
        .find(|&i| b.get(i).is_some_and(|l| !l.trim().is_empty()))
        .unwrap_or(op.new_range().start)
        .min(b.len().saturating_sub(1));
    u32::try_from(n + 1).ok()
}

/// A unified diff (3 lines of context) of the beautified old and new code, lines compared with
/// per-request noise masked but shown as they are, cut to a readable size.
pub fn unified_diff(old: &str, new: &str) -> String {
    let (a, b) = (beautify(old), beautify(new));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut lines: Vec<String> = vec!["--- baseline".into(), "+++ current".into()];
    for group in similar::group_diff_ops(line_ops(&a, &b), 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o0, o1) = (first.old_range().start, last.old_range().end);
        let (n0, n1) = (first.new_range().start, last.new_range().end);
        // Unified-diff ranges: 1-based start (0 for an empty range), then the length.
        let range = |s: usize, e: usize| {
            let len = e - s;
            let start = if len == 0 { s } else { s + 1 };
            if len == 1 {
                format!("{start}")
            } else {
                format!("{start},{len}")
            }
        };
        lines.push(format!("@@ -{} +{} @@", range(o0, o1), range(n0, n1)));
        for op in &group {
            match op.tag() {
                similar::DiffTag::Equal => {
                    lines.extend(b[op.new_range()].iter().map(|l| format!(" {l}")));
                }
                similar::DiffTag::Delete => {
                    lines.extend(a[op.old_range()].iter().map(|l| format!("-{l}")));
                }
                similar::DiffTag::Insert => {
                    lines.extend(b[op.new_range()].iter().map(|l| format!("+{l}")));
                }
                similar::DiffTag::Replace => {
                    lines.extend(a[op.old_range()].iter().map(|l| format!("-{l}")));
                    lines.extend(b[op.new_range()].iter().map(|l| format!("+{l}")));
                }
            }
        }
    }
    let mut out = String::new();
    let total = lines.len();
    for (n, line) in lines.iter().enumerate() {
        if n >= MAX_DIFF_LINES || out.len() + line.len() > MAX_DIFF_BYTES {
            out.push_str(&format!("… diff cut: {} more lines\n", total - n));
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The first added lines of a diff, for a finding's short evidence; lines naming one of the
/// finding's hosts come first (that is the line a responder needs).
pub(super) fn added_excerpt(diff: &str, hosts: &[String]) -> Option<String> {
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| l[1..].trim())
        // A lone `;` or `})` says nothing.
        .filter(|l| l.chars().filter(|c| c.is_alphanumeric()).count() > 1)
        .collect();
    let naming = |l: &str| hosts.iter().any(|h| l.contains(h.as_str()));
    let comment = |l: &str| l.starts_with("//") || l.starts_with("/*") || l.starts_with('*');
    // Lines naming a host first, then code, then comments; each group in file order.
    let mut ordered: Vec<(u8, usize, &str)> = added
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                if naming(l) {
                    0
                } else if comment(l) {
                    2
                } else {
                    1
                },
                i,
                *l,
            )
        })
        .collect();
    ordered.sort();
    let lines: Vec<String> = ordered
        .iter()
        .map(|(_, _, l)| *l)
        .take(EVIDENCE_LINES)
        .map(|l| crate::text::ellipsis(l, EVIDENCE_LINE_CHARS))
        .collect();
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
}
