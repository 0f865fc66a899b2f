//! The HTML report: one self-contained file for auditors and incident responders — no script,
//! no stylesheet, font or image from anywhere, so it opens offline, from an evidence bundle or
//! an e-mail, and a scanned attacker URL in it is never loaded (URLs are text, not links).
//!
//! It shows the verdict, every finding with its code frame and the decoded evidence, the
//! script inventory with the justification and owner a reviewer gave each script in the
//! baseline, what changed since the baseline (with diffs), what could not be scanned, and —
//! with `--history` — a timeline of when each script was seen.

use super::text::frame_line;
use super::{FormatContext, Formatter, Report};
use crate::finding::Finding;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// A reviewer's notes on a script, from the baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotation {
    pub justification: String,
    pub owner: String,
}

/// When one script (by sha256) was seen, from the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineRow {
    pub script: String,
    pub sha256: String,
    pub first_seen: String,
    pub last_seen: String,
    pub scans: u64,
}

#[derive(Debug, Default)]
pub struct Html {
    /// Script id → the baseline's notes on it.
    pub annotations: BTreeMap<String, Annotation>,
    /// Present when the scan was recorded in a history.
    pub timeline: Option<Vec<TimelineRow>>,
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d232b;background:#f4f6f8}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d5dbe1;padding-bottom:4px}
.verdict{border-radius:8px;padding:16px 20px;color:#fff;margin:12px 0}
.verdict strong{font-size:24px;letter-spacing:.04em}
.v-malicious{background:#b3261e}.v-suspicious{background:#b86e00}.v-clean{background:#2e7d32}
.meta{color:#55606b;font-size:13px}
.finding{background:#fff;border:1px solid #d5dbe1;border-left:6px solid #888;border-radius:6px;padding:12px 16px;margin:12px 0}
.sev-critical{border-left-color:#b3261e}.sev-high{border-left-color:#d84315}.sev-medium{border-left-color:#b86e00}
.sev-low{border-left-color:#1565c0}.sev-info{border-left-color:#78909c}
.badge{display:inline-block;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:600;color:#fff;background:#78909c;text-transform:uppercase}
.badge.critical{background:#b3261e}.badge.high{background:#d84315}.badge.medium{background:#b86e00}.badge.low{background:#1565c0}
pre{background:#1d232b;color:#e8eaed;padding:10px 12px;border-radius:6px;overflow-x:auto;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre}
pre .add{color:#81c995}pre .del{color:#f28b82}pre .hunk{color:#8ab4f8}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:8px 0}dt{color:#55606b}dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #d5dbe1;padding:5px 7px;text-align:left;vertical-align:top}th{background:#e9edf1}
td.hash{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.status-new,.status-changed{font-weight:600;color:#b3261e}
.bar{position:relative;height:12px;background:#e9edf1;border-radius:3px;min-width:160px}
.bar span{position:absolute;top:0;bottom:0;background:#b3261e;border-radius:3px;min-width:3px}
.none{color:#55606b;font-style:italic}
";

/// The report's own name for an enum value (its serde name), e.g. `first`, `changed`.
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn sev(f: &Finding) -> &'static str {
    f.severity.as_str()
}

fn write_finding(out: &mut dyn Write, ctx: &FormatContext<'_>, f: &Finding) -> std::io::Result<()> {
    let s = sev(f);
    writeln!(
        out,
        "<article class=\"finding sev-{s}\" data-rule=\"{}\">",
        attr(&f.rule)
    )?;
    writeln!(
        out,
        "<h3><span class=\"badge {s}\">{s}</span> {} <code>{}</code></h3>",
        text(&f.title),
        text(&f.rule)
    )?;
    writeln!(out, "<dl>")?;
    if let Some(p) = &f.page {
        writeln!(out, "<dt>page</dt><dd>{}</dd>", text(p))?;
    }
    if let Some(sc) = &f.script {
        let at = f
            .location
            .map(|l| format!(":{}:{}", l.line, l.column))
            .unwrap_or_default();
        writeln!(out, "<dt>script</dt><dd>{}{at}</dd>", text(sc))?;
    }
    if !f.hosts.is_empty() {
        writeln!(out, "<dt>hosts</dt><dd>{}</dd>", text(&f.hosts.join(", ")))?;
    }
    writeln!(out, "</dl>")?;
    if let Some((line, shown, caret)) = frame_line(ctx, f) {
        let gutter = line.to_string();
        writeln!(
            out,
            "<pre class=\"frame\">{gutter} | {}\n{} | {}^</pre>",
            text(&shown),
            " ".repeat(gutter.len()),
            " ".repeat(caret)
        )?;
    }
    if let Some(e) = &f.evidence {
        writeln!(
            out,
            "<p><strong>Decoded evidence</strong></p><pre class=\"evidence\">{}</pre>",
            text(e)
        )?;
    }
    writeln!(out, "<p>{}</p>", text(&f.message))?;
    if let Some(d) = &f.diff {
        writeln!(out, "<p><strong>Change since the baseline</strong></p>")?;
        write_diff(out, d)?;
    }
    writeln!(out, "</article>")
}

fn write_diff(out: &mut dyn Write, diff: &str) -> std::io::Result<()> {
    write!(out, "<pre class=\"diff\">")?;
    for line in diff.lines() {
        let class = if line.starts_with("@@") {
            "hunk"
        } else if line.starts_with('+') {
            "add"
        } else if line.starts_with('-') {
            "del"
        } else {
            ""
        };
        if class.is_empty() {
            writeln!(out, "{}", text(line))?;
        } else {
            writeln!(out, "<span class=\"{class}\">{}</span>", text(line))?;
        }
    }
    writeln!(out, "</pre>")
}

/// Seconds since the epoch of a stored RFC 3339 time (for placing timeline bars).
fn epoch(t: &str) -> Option<i64> {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|d| d.unix_timestamp())
}

fn write_timeline(out: &mut dyn Write, rows: &[TimelineRow]) -> std::io::Result<()> {
    writeln!(
        out,
        "<section id=\"timeline\"><h2>Timeline: when each script was seen</h2>"
    )?;
    if rows.is_empty() {
        return writeln!(
            out,
            "<p class=\"none\">No script of this scan is in the history.</p></section>"
        );
    }
    let times: Vec<i64> = rows
        .iter()
        .flat_map(|r| [epoch(&r.first_seen), epoch(&r.last_seen)])
        .flatten()
        .collect();
    let (lo, hi) = (
        times.iter().copied().min().unwrap_or(0),
        times.iter().copied().max().unwrap_or(0),
    );
    let span = (hi - lo).max(1) as f64;
    writeln!(
        out,
        "<table><tr><th>script</th><th>sha256</th><th>first seen</th><th>last seen</th><th>scans</th><th>seen</th></tr>"
    )?;
    for r in rows {
        let (a, b) = (
            epoch(&r.first_seen).unwrap_or(lo),
            epoch(&r.last_seen).unwrap_or(hi),
        );
        let left = ((a - lo) as f64 / span * 100.0).clamp(0.0, 100.0);
        let width = ((b - a) as f64 / span * 100.0).clamp(0.0, 100.0 - left);
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"hash\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td><div class=\"bar\" title=\"{} – {}\"><span style=\"left:{left:.1}%;width:{width:.1}%\"></span></div></td></tr>",
            text(&r.script),
            text(&r.sha256),
            text(&r.first_seen),
            text(&r.last_seen),
            r.scans,
            attr(&r.first_seen),
            attr(&r.last_seen),
        )?;
    }
    writeln!(out, "</table></section>")
}

impl Formatter for Html {
    fn write(
        &self,
        r: &Report,
        ctx: &FormatContext<'_>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let verdict = r.verdict.as_str();
        let title = r
            .pages
            .first()
            .map(|p| p.url.as_str())
            .unwrap_or("skimscan report");
        writeln!(
            out,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        )?;
        // Belt and braces: even if a value escaped our escaping, the page may load nothing.
        writeln!(
            out,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        )?;
        writeln!(
            out,
            "<meta name=\"viewport\" content=\"width=device-width\">"
        )?;
        writeln!(out, "<title>skimscan: {verdict} — {}</title>", text(title))?;
        writeln!(out, "<style>{STYLE}</style></head><body><main>")?;
        writeln!(out, "<h1>skimscan report</h1>")?;
        writeln!(
            out,
            "<p class=\"meta\">{} {} · started {} · finished {}</p>",
            text(&r.tool.name),
            text(&r.tool.version),
            text(&r.started_at),
            text(&r.finished_at)
        )?;
        let completeness = if r.complete {
            "scan complete".to_string()
        } else {
            format!(
                "SCAN INCOMPLETE: {} thing(s) could not be scanned",
                r.errors.len()
            )
        };
        writeln!(
            out,
            "<section id=\"verdict\" class=\"verdict v-{verdict}\"><strong>{}</strong><br>{} finding(s) · {} page(s) · {} script(s) · {completeness}</section>",
            verdict.to_uppercase(),
            r.findings.len(),
            r.pages.len(),
            r.scripts.len()
        )?;

        writeln!(out, "<section id=\"findings\"><h2>Findings</h2>")?;
        if r.findings.is_empty() {
            writeln!(out, "<p class=\"none\">No findings.</p>")?;
        }
        for f in &r.findings {
            write_finding(out, ctx, f)?;
        }
        writeln!(out, "</section>")?;

        writeln!(
            out,
            "<section id=\"pages\"><h2>Pages</h2><table><tr><th>page</th><th>status</th><th>payment form</th><th>security headers</th></tr>"
        )?;
        for p in &r.pages {
            let headers = p
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n");
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(&p.url),
                p.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "file".into()),
                if p.payment_form { "yes" } else { "no" },
                if headers.is_empty() {
                    "none".to_string()
                } else {
                    text(&headers).to_string()
                }
            )?;
        }
        writeln!(out, "</table></section>")?;

        writeln!(
            out,
            "<section id=\"inventory\"><h2>Script inventory</h2><table><tr><th>page</th><th>script</th><th>kind</th><th>party</th><th>sha256</th><th>size</th><th>baseline</th><th>justification</th><th>owner</th></tr>"
        )?;
        for s in &r.scripts {
            let note = self.annotations.get(&s.id).cloned().unwrap_or_default();
            let status = s.baseline.map(|b| name(&b)).unwrap_or_else(|| "–".into());
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"hash\">{}</td><td>{}</td><td class=\"status-{status}\">{status}</td><td>{}</td><td>{}</td></tr>",
                text(&s.page),
                text(s.url.as_deref().unwrap_or(&s.id)),
                s.kind.as_str(),
                name(&s.party),
                text(s.sha256.as_deref().unwrap_or("not loaded")),
                s.size.map(|n| n.to_string()).unwrap_or_default(),
                text(&note.justification),
                text(&note.owner),
            )?;
        }
        writeln!(out, "</table></section>")?;

        let changed: Vec<&Finding> = r.findings.iter().filter(|f| f.diff.is_some()).collect();
        if r.scripts.iter().any(|s| s.baseline.is_some()) || !r.removed.is_empty() {
            writeln!(
                out,
                "<section id=\"changes\"><h2>Changes since the baseline</h2>"
            )?;
            let new_or_changed: Vec<_> = r
                .scripts
                .iter()
                .filter(|s| {
                    s.baseline
                        .is_some_and(|b| b != crate::inventory::BaselineStatus::Unchanged)
                })
                .collect();
            if new_or_changed.is_empty() && r.removed.is_empty() {
                writeln!(out, "<p class=\"none\">Nothing changed.</p>")?;
            }
            writeln!(out, "<ul>")?;
            for s in new_or_changed {
                let status = s.baseline.map(|b| name(&b)).unwrap_or_default();
                writeln!(
                    out,
                    "<li>{status}: {} on {}</li>",
                    text(s.url.as_deref().unwrap_or(&s.id)),
                    text(&s.page)
                )?;
            }
            for s in &r.removed {
                writeln!(
                    out,
                    "<li>removed: {} on {}</li>",
                    text(&s.id),
                    text(&s.page)
                )?;
            }
            writeln!(out, "</ul>")?;
            for f in changed {
                writeln!(
                    out,
                    "<h3>{}</h3>",
                    text(f.script.as_deref().unwrap_or(&f.title))
                )?;
                if let Some(d) = &f.diff {
                    write_diff(out, d)?;
                }
            }
            writeln!(out, "</section>")?;
        }

        if let Some(rows) = &self.timeline {
            write_timeline(out, rows)?;
        }

        writeln!(out, "<section id=\"errors\"><h2>Not scanned</h2>")?;
        if r.errors.is_empty() {
            writeln!(out, "<p class=\"none\">Everything was scanned.</p>")?;
        } else {
            writeln!(out, "<ul>")?;
            for e in &r.errors {
                writeln!(
                    out,
                    "<li><strong>{}</strong>: {}</li>",
                    text(&e.url),
                    text(&e.message)
                )?;
            }
            writeln!(out, "</ul>")?;
        }
        writeln!(out, "</section>")?;
        writeln!(out, "</main></body></html>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Severity, Verdict};
    use crate::report::{ScanError, Tool};

    /// Scanned content is the attacker's: every value lands as text, never as markup.
    #[test]
    fn hostile_values_are_escaped() {
        let hostile = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
        let report = Report {
            schema_version: 1,
            tool: Tool::default(),
            started_at: "2026-11-24T10:00:00Z".into(),
            finished_at: "2026-11-24T10:00:01Z".into(),
            verdict: Verdict::Malicious,
            complete: false,
            pages: Vec::new(),
            scripts: Vec::new(),
            removed: Vec::new(),
            browser: Vec::new(),
            findings: vec![Finding {
                rule: "payment-data-exfiltration".into(),
                severity: Severity::Critical,
                title: hostile.into(),
                page: Some(hostile.into()),
                script: Some(hostile.into()),
                location: None,
                hosts: vec![hostile.into()],
                evidence: Some(format!("</pre>{hostile}")),
                message: hostile.into(),
                diff: Some(format!("+{hostile}")),
            }],
            errors: vec![ScanError {
                url: hostile.into(),
                message: hostile.into(),
            }],
        };
        let rules = crate::rules::RuleSet::load(true, &[]).unwrap();
        let sources = BTreeMap::new();
        let ctx = FormatContext {
            sources: &sources,
            color: false,
            rules: &rules,
        };
        let mut out = Vec::new();
        Html::default().write(&report, &ctx, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}
