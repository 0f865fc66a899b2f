//! `scan --baseline`: compare a scan with the reviewed baseline (PCI DSS 11.6.1).
//!
//! Sets each script's `baseline` status (`unchanged`, `changed`, `new`), fills `removed[]`, and
//! reports under the rules in `rules/baseline/`: a new script, a changed script (with a unified
//! diff of the beautified old and new code), a removed script, a changed security header, a
//! weakened or removed CSP, and a new outside destination host. A check whose rule is not
//! loaded stays silent.

use super::beautify::beautify;
use super::headers::compare_headers;
use super::matching::{self, Current};
use super::model::{Baseline, BaselinePage, BaselineScript};
use super::record::script_label;
use super::store::CodeStore;
use crate::finding::{self, Finding, Location, Severity, Verdict};
use crate::hosts::{self, HostPattern};
use crate::inventory::{BaselineStatus, ScriptKind, ScriptRecord, ScriptText};
use crate::report::{RemovedScript, Report};
use crate::rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet};

/// A diff longer than this is cut (the JSON report and dashboards carry it too).
const MAX_DIFF_LINES: usize = 200;
const MAX_DIFF_BYTES: usize = 16 * 1024;
/// Lines of added code quoted as a finding's evidence.
const EVIDENCE_LINES: usize = 3;
const EVIDENCE_LINE_CHARS: usize = 160;

pub const RULE_NEW_SCRIPT: &str = "baseline-new-script";
pub const RULE_CHANGED_SCRIPT: &str = "baseline-changed-script";
pub const RULE_REMOVED_SCRIPT: &str = "baseline-removed-script";
pub const RULE_HEADER_CHANGED: &str = "baseline-header-changed";
pub const RULE_CSP_WEAKENED: &str = "baseline-csp-weakened";
pub const RULE_NEW_DESTINATION: &str = "baseline-new-destination";

/// Compare a finished scan with a baseline: statuses, `removed[]`, baseline findings, and the
/// verdict recomputed. `store` is the baseline's old-code store (see [`CodeStore`]); without it
/// (or without a script's old code in it) a change is reported with "old code not stored"
/// instead of a diff.
pub fn compare(
    baseline: &Baseline,
    report: &mut Report,
    sources: &BTreeMap<String, ScriptText>,
    store: Option<&CodeStore>,
    rules: &RuleSet,
) {
    let mut findings = Vec::new();
    let mut statuses: Vec<Option<BaselineStatus>> = vec![None; report.scripts.len()];
    let mut removed = Vec::new();
    let roots = matching::Roots::new(baseline, report);
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

    for page in &report.pages {
        let recorded = matching::find_page(baseline, page, &roots).map(|(_, p)| p);
        let rec_page = recorded.unwrap_or(&empty);
        let idx: Vec<usize> = (0..report.scripts.len())
            .filter(|&i| report.scripts[i].page == page.url)
            .collect();
        let current: Vec<Current<'_>> = idx
            .iter()
            .map(|&i| {
                matching::describe(
                    &report.scripts[i],
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
        let ctx = PageCtx {
            page: &page.url,
            sources,
            // A page recorded as a payment page stays one: a skimmer that moves the card
            // fields out of reach of the scanner must not also lower the severities.
            payment: page.payment_form || recorded.is_some_and(|r| r.payment_form),
            rules,
            engine_findings: &report.findings,
        };
        for (ci, c) in current.iter().enumerate() {
            statuses[idx[ci]] = m.status[ci];
            match m.status[ci] {
                Some(BaselineStatus::New) => {
                    let reviewed_elsewhere = known_anywhere.contains(&c.identity)
                        || c.rel
                            .as_ref()
                            .is_some_and(|r| known_anywhere.contains(&format!("rel:{r}")));
                    findings.extend(ctx.new_script(c, reviewed_elsewhere));
                }
                Some(BaselineStatus::Changed) => {
                    if let Some(o) = m.matched[ci].map(|oi| &rec_page.scripts[oi]) {
                        let old_text = old_code(o);
                        let new_text = sources.get(&c.record.id).map(|t| t.text.as_ref());
                        findings.extend(ctx.changed_script(c, o, old_text.as_deref(), new_text));
                    }
                }
                _ => {}
            }
        }
        for &oi in &m.removed {
            let o = &rec_page.scripts[oi];
            let id = removed_id(&page.url, o);
            if let Some(mut f) = rules.finding(
                RULE_REMOVED_SCRIPT,
                format!(
                    "{} is in the baseline but no longer on the page. If the removal was intended, run `skimscan baseline update` to record it.",
                    script_label(o.kind, o.url.as_deref(), o.position)
                ),
            ) {
                f.page = Some(page.url.clone());
                f.script = Some(id.clone());
                findings.push(f);
            }
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
    for (s, st) in report.scripts.iter_mut().zip(statuses) {
        s.baseline = st;
    }
    findings.extend(new_destinations(baseline, report, rules));

    report.findings.extend(findings);
    finding::normalise(&mut report.findings);
    removed.sort();
    removed.dedup();
    report.removed = removed;
    report.verdict = Verdict::from_findings(&report.findings);
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

/// Whether the browser runs this script as JavaScript. Decided by what the page declares (the
/// tag's `type`), never by whether this scan could fetch or analyse the code: a remote script
/// of a local `dist/` page is not fetched, yet every customer's browser runs it.
fn runs_as_javascript(r: &ScriptRecord) -> bool {
    match r.kind {
        ScriptKind::External | ScriptKind::Dynamic => {
            crate::page::is_javascript(r.script_type.as_deref(), None)
        }
        // Code in the page is always available: `analysed` is exactly "runs as JavaScript"
        // (it also honours the legacy `language` attribute, which the record does not keep).
        ScriptKind::Inline | ScriptKind::Handler => r.analysed,
        // Seen running in the browser: JavaScript by definition.
        ScriptKind::Runtime => true,
    }
}

struct PageCtx<'a> {
    page: &'a str,
    sources: &'a BTreeMap<String, ScriptText>,
    payment: bool,
    rules: &'a RuleSet,
    engine_findings: &'a [Finding],
}

impl PageCtx<'_> {
    /// New or changed code matters less off payment pages (at most medium) and in blocks a
    /// browser does not run (at most low).
    fn cap_severity(&self, f: &mut Finding, r: &ScriptRecord) {
        if !self.payment {
            f.severity = f.severity.min(Severity::Medium);
        }
        if !runs_as_javascript(r) {
            // JSON-LD, templates: inventoried, but a browser does not run them as code.
            f.severity = f.severity.min(Severity::Low);
            f.message
                .push_str(" (The block is not JavaScript a browser runs: lower severity.)");
        }
    }

    fn place(&self, f: &mut Finding, r: &ScriptRecord) {
        f.page = Some(self.page.to_string());
        f.script = Some(r.id.clone());
        // `page_line` is a line of the page: a location for code in the page only (a script
        // file's findings are located in the file).
        f.location = match r.kind {
            ScriptKind::Inline | ScriptKind::Handler => {
                r.page_line.map(|line| Location { line, column: 1 })
            }
            ScriptKind::External | ScriptKind::Dynamic | ScriptKind::Runtime => None,
        };
    }

    /// Hosts of the engine's critical findings (an exfiltration flow) in this script.
    fn exfiltration_hosts(&self, r: &ScriptRecord) -> Vec<String> {
        let hosts: BTreeSet<String> = self
            .engine_findings
            .iter()
            .filter(|f| f.severity == Severity::Critical && f.script.as_deref() == Some(&r.id))
            .flat_map(|f| f.hosts.iter().cloned())
            .collect();
        hosts.into_iter().collect()
    }

    fn new_script(&self, c: &Current<'_>, reviewed_elsewhere: bool) -> Option<Finding> {
        let r = c.record;
        // Every script on a payment page must be in the reviewed inventory (PCI DSS 6.4.3);
        // elsewhere a script reviewed on another page of the site is not news.
        if !self.payment && reviewed_elsewhere {
            return None;
        }
        let label = script_label(r.kind, r.url.as_deref(), c.position);
        let origin = match (&r.host, r.party) {
            (Some(h), crate::inventory::Party::Third) => format!(" from the third-party host {h}"),
            _ => String::new(),
        };
        let exfil = self.exfiltration_hosts(r);
        let mut message = if self.payment {
            format!(
                "{label}{origin} runs on this payment page but is not in the baseline's script inventory."
            )
        } else {
            format!("{label}{origin} is not in the baseline.")
        };
        if !exfil.is_empty() {
            message.push_str(&format!(
                " Its code sends data to {} (see the critical finding on this script).",
                exfil.join(", ")
            ));
        }
        message.push_str(" Review it; if it is authorised, record it with `skimscan baseline update` and justify it.");
        let mut f = self.rules.finding(RULE_NEW_SCRIPT, message)?;
        self.cap_severity(&mut f, r);
        self.place(&mut f, r);
        let mut hosts: Vec<String> = exfil;
        if r.party == crate::inventory::Party::Third {
            hosts.extend(r.host.iter().cloned());
        }
        f.hosts = hosts;
        f.evidence = match (&r.url, r.kind) {
            (Some(u), ScriptKind::External | ScriptKind::Dynamic) => Some(u.clone()),
            _ => None,
        };
        Some(f)
    }

    fn changed_script(
        &self,
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
        let exfil = self.exfiltration_hosts(r);
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
        let mut f = self.rules.finding(RULE_CHANGED_SCRIPT, message)?;
        if same_behaviour {
            // A change to review, not an alarm: routine upgrades must not page anyone at the
            // default --fail-on high (the top complaint about script monitors).
            f.severity = f.severity.min(Severity::Medium);
        }
        self.cap_severity(&mut f, r);
        self.place(&mut f, r);
        if let (Some(a), Some(b)) = (old_text, new_text)
            && let Some(n) = first_changed_line(a, b)
        {
            // Point at the first changed line: in the page for code in the page (the text
            // starts at its `line_offset`), in the file for a script file.
            let start = self.sources.get(&r.id).map_or(1, |t| t.line_offset.max(1));
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

    fn header_findings(
        &self,
        old: &BTreeMap<String, String>,
        new: &BTreeMap<String, String>,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        for ch in compare_headers(old, new) {
            let what = match (&ch.old, &ch.new) {
                (Some(o), Some(n)) => format!("changed from `{o}` to `{n}`"),
                (Some(o), None) => format!("was removed (it was `{o}`)"),
                (None, Some(n)) => format!("was added: `{n}`"),
                (None, None) => continue,
            };
            let f = match &ch.weakened {
                Some(why) => self.rules.finding(
                    RULE_CSP_WEAKENED,
                    format!(
                        "The {} header {what}: {why}. Injected or altered scripts can now run or send data where the old policy stopped them.",
                        ch.name
                    ),
                ).map(|mut f| {
                    if !self.payment {
                        f.severity = f.severity.min(Severity::Medium);
                    }
                    f
                }),
                None => self.rules.finding(
                    RULE_HEADER_CHANGED,
                    format!("The security header {} {what}.", ch.name),
                ),
            };
            if let Some(mut f) = f {
                f.page = Some(self.page.to_string());
                f.evidence = Some(format!(
                    "{}: {}",
                    ch.name,
                    ch.new.as_deref().unwrap_or("(absent)")
                ));
                out.push(f);
            }
        }
        out
    }
}

/// Outside hosts the scripts contact now that the baseline never recorded (and no authorised
/// host pattern covers).
fn new_destinations(baseline: &Baseline, report: &Report, rules: &RuleSet) -> Vec<Finding> {
    let known: BTreeSet<String> = baseline
        .destinations
        .iter()
        .map(|h| hosts::normalise_host(h))
        .collect();
    let authorised: Vec<HostPattern> = super::authorised_hosts(baseline);
    // Host → the first script (in report order) that contacts it.
    let mut first: BTreeMap<String, &ScriptRecord> = BTreeMap::new();
    for s in &report.scripts {
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
            RULE_NEW_DESTINATION,
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
fn first_changed_line(old: &str, new: &str) -> Option<u32> {
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
fn added_excerpt(diff: &str, hosts: &[String]) -> Option<String> {
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
        .map(|l| {
            let mut s: String = l.chars().take(EVIDENCE_LINE_CHARS).collect();
            if s.len() < l.len() {
                s.push('…');
            }
            s
        })
        .collect();
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
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
