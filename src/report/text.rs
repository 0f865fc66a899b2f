//! The text report for people: the verdict first, then the findings grouped by page (worst
//! first), each with its rule, severity, location and a code frame in the style of rustc and
//! ruff, then what the scan could not do. Colour only when allowed (a terminal, `NO_COLOR`
//! unset, or `--color always`).

use super::{FormatContext, Formatter, Report};
use crate::finding::{Finding, Severity, Verdict};
use crate::inventory::Party;
use anstyle::{AnsiColor, Effects, Style};
use std::collections::BTreeMap;
use std::io::Write;

pub struct Text;

/// How much of a long (minified) line a code frame shows around the column.
const FRAME_WIDTH: usize = 100;

fn paint(color: bool, style: Style, s: &str) -> String {
    if color {
        format!("{}{s}{}", style.render(), style.render_reset())
    } else {
        s.to_string()
    }
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::new()
            .fg_color(Some(AnsiColor::Red.into()))
            .effects(Effects::BOLD),
        Severity::High => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Severity::Info => Style::new().fg_color(Some(AnsiColor::BrightBlack.into())),
    }
}

/// The line of code a finding points at, cut to a window around the column, with the caret's
/// offset in that window.
pub(crate) fn frame_line(ctx: &FormatContext<'_>, f: &Finding) -> Option<(u32, String, usize)> {
    let loc = f.location?;
    let src = ctx.sources.get(f.script.as_deref()?)?;
    let rel_line = loc.line.checked_sub(src.line_offset.saturating_sub(1))?;
    let line = src.text.lines().nth(rel_line.checked_sub(1)? as usize)?;
    let mut col = loc.column.saturating_sub(1) as usize;
    if rel_line == 1 {
        col = col.saturating_sub(src.column_offset.saturating_sub(1) as usize);
    }
    // A window of the line around the column, read without copying the line: a minified
    // script can be one 20 MB line, and a report may hold many findings in it.
    let col = line.chars().take(col).count();
    let start = col.saturating_sub(FRAME_WIDTH / 3);
    let mut rest = line.chars().skip(start);
    let mut shown: String = rest
        .by_ref()
        .take(FRAME_WIDTH)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut caret = col - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if rest.next().is_some() {
        shown.push('…');
    }
    Some((loc.line, shown, caret))
}

/// A labelled value whose later lines line up under the first (multi-line evidence).
fn write_block(out: &mut dyn Write, label: &str, text: &str) -> std::io::Result<()> {
    let indent = " ".repeat(label.chars().count());
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if i == 0 {
            writeln!(out, "{label}{line}")?;
        } else {
            writeln!(out, "{indent}{line}")?;
        }
    }
    Ok(())
}

fn write_finding(out: &mut dyn Write, ctx: &FormatContext<'_>, f: &Finding) -> std::io::Result<()> {
    let c = ctx.color;
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().fg_color(Some(AnsiColor::BrightBlue.into()));
    writeln!(
        out,
        "{}{} {}",
        paint(c, severity_style(f.severity), f.severity.as_str()),
        paint(c, bold, &format!("[{}]", f.rule)),
        paint(c, bold, &f.title)
    )?;
    let place = match (&f.script, f.location) {
        (Some(s), Some(l)) => format!("{s}:{}:{}", l.line, l.column),
        (Some(s), None) => s.clone(),
        (None, Some(l)) => format!(
            "{}:{}:{}",
            f.page.as_deref().unwrap_or("?"),
            l.line,
            l.column
        ),
        (None, None) => f.page.clone().unwrap_or_default(),
    };
    writeln!(out, "  {} {place}", paint(c, dim, "-->"))?;
    if let Some((line_no, text, caret)) = frame_line(ctx, f) {
        let w = line_no.to_string().len();
        writeln!(out, "{} {}", " ".repeat(w + 1), paint(c, dim, "|"))?;
        writeln!(
            out,
            "{} {} {text}",
            paint(c, dim, &format!(" {line_no:>w$}")),
            paint(c, dim, "|")
        )?;
        writeln!(
            out,
            "{} {} {}{}",
            " ".repeat(w + 1),
            paint(c, dim, "|"),
            " ".repeat(caret),
            paint(c, severity_style(f.severity), "^")
        )?;
    }
    if !f.hosts.is_empty() {
        writeln!(out, "   = hosts: {}", f.hosts.join(", "))?;
    }
    if let Some(e) = &f.evidence {
        write_block(out, "   = evidence: ", e)?;
    }
    if !f.message.is_empty() {
        write_block(out, "   = ", &f.message)?;
    }
    if let Some(d) = &f.diff {
        writeln!(out, "   = diff:")?;
        for line in d.lines() {
            let style = if line.starts_with('+') && !line.starts_with("+++") {
                Style::new().fg_color(Some(AnsiColor::Green.into()))
            } else if line.starts_with('-') && !line.starts_with("---") {
                Style::new().fg_color(Some(AnsiColor::Red.into()))
            } else {
                Style::new()
            };
            writeln!(out, "     {}", paint(c, style, line))?;
        }
    }
    writeln!(out, "   = help: skimscan explain {}", f.rule)?;
    writeln!(out)
}

impl Formatter for Text {
    fn write(
        &self,
        r: &Report,
        ctx: &FormatContext<'_>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let c = ctx.color;
        let verdict_style = match r.verdict {
            Verdict::Malicious => Style::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD),
            Verdict::Suspicious => Style::new()
                .fg_color(Some(AnsiColor::Yellow.into()))
                .effects(Effects::BOLD),
            Verdict::Clean => Style::new()
                .fg_color(Some(AnsiColor::Green.into()))
                .effects(Effects::BOLD),
        };
        let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
        for f in &r.findings {
            *counts.entry(f.severity).or_default() += 1;
        }
        let count_text = if counts.is_empty() {
            "no findings".to_string()
        } else {
            counts
                .iter()
                .rev()
                .map(|(s, n)| format!("{n} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let completeness = if r.complete {
            "scan complete".to_string()
        } else {
            format!("SCAN INCOMPLETE ({} errors)", r.errors.len())
        };
        writeln!(
            out,
            "verdict: {} ({count_text}); {completeness}",
            paint(c, verdict_style, &r.verdict.as_str().to_uppercase())
        )?;
        let payment_pages = r.pages.iter().filter(|p| p.payment_form).count();
        let third = r.scripts.iter().filter(|s| s.party == Party::Third).count();
        let changed = r
            .scripts
            .iter()
            .filter(|s| {
                s.baseline
                    .is_some_and(|b| b != crate::inventory::BaselineStatus::Unchanged)
            })
            .count();
        write!(
            out,
            "scanned {} page(s) ({payment_pages} with payment fields), {} script(s) ({third} third-party)",
            r.pages.len(),
            r.scripts.len()
        )?;
        if r.scripts.iter().any(|s| s.baseline.is_some()) || !r.removed.is_empty() {
            write!(
                out,
                "; baseline: {changed} new or changed, {} removed",
                r.removed.len()
            )?;
        }
        writeln!(out)?;
        writeln!(out)?;

        // Findings grouped by page, pages in the order of their worst finding.
        let mut groups: Vec<(String, Vec<&Finding>)> = Vec::new();
        for f in &r.findings {
            let page = f.page.clone().unwrap_or_else(|| "(no page)".into());
            match groups.iter_mut().find(|(p, _)| *p == page) {
                Some((_, v)) => v.push(f),
                None => groups.push((page, vec![f])),
            }
        }
        for (page, fs) in &groups {
            let payment = r.pages.iter().any(|p| &p.url == page && p.payment_form);
            let header = if payment {
                format!("{page} (payment page)")
            } else {
                page.clone()
            };
            writeln!(
                out,
                "{}",
                paint(
                    c,
                    Style::new().effects(Effects::BOLD | Effects::UNDERLINE),
                    &header
                )
            )?;
            writeln!(out)?;
            for f in fs {
                write_finding(out, ctx, f)?;
            }
        }
        if !r.removed.is_empty() {
            writeln!(out, "removed since the baseline:")?;
            for s in &r.removed {
                writeln!(out, "  - {} on {}", s.id, s.page)?;
            }
            writeln!(out)?;
        }
        if !r.errors.is_empty() {
            writeln!(
                out,
                "{}",
                paint(
                    c,
                    Style::new()
                        .fg_color(Some(AnsiColor::Yellow.into()))
                        .effects(Effects::BOLD),
                    "not scanned (the report is incomplete):"
                )
            )?;
            for e in &r.errors {
                writeln!(out, "  {}: {}", e.url, e.message)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }
}
