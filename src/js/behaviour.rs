//! What a script does, in a few words a reviewer can compare between two versions: which kinds
//! of payment data it reads and by which means it sends data or loads code. A library upgrade
//! that reads nothing new and sends by no new means is a change to review, not an alarm; a
//! "new version" that starts reading card fields or beaconing is the skimmer case. The outside
//! hosts are compared separately (`destinations`).

use super::facts::Facts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behaviour {
    /// Kinds of payment data read (`payment`, `harvest`, `keystroke`…), sorted.
    #[serde(default)]
    pub reads: BTreeSet<String>,
    /// Ways the code sends data or loads code (`xhr`, `fetch`, `beacon`, `element-src`…), sorted.
    #[serde(default)]
    pub sends: BTreeSet<String>,
    /// False when the analysis stopped early (a budget, a parse fallback): the lists may then
    /// miss something, and no comparison may call two versions "the same".
    #[serde(default)]
    pub complete: bool,
}

impl Behaviour {
    pub fn is_empty(&self) -> bool {
        self.reads.is_empty() && self.sends.is_empty() && !self.complete
    }
}

/// A fact kind's name as the rule files spell it (kebab-case of the variant).
fn kebab(debug: String) -> String {
    let mut out = String::with_capacity(debug.len() + 4);
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn summarise(facts: &Facts) -> Behaviour {
    Behaviour {
        reads: facts
            .sources
            .iter()
            .map(|s| kebab(format!("{:?}", s.kind)))
            .collect(),
        sends: facts
            .sinks
            .iter()
            .map(|s| kebab(format!("{:?}", s.channel)))
            .chain(
                facts
                    .loads
                    .iter()
                    .map(|l| kebab(format!("{:?}", l.channel))),
            )
            .collect(),
        complete: facts.budget_exceeded.is_none() && facts.problems.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn names_follow_the_rule_files() {
        assert_eq!(kebab("ElementSrc".into()), "element-src");
        assert_eq!(kebab("Xhr".into()), "xhr");
        assert_eq!(kebab("WebSocket".into()), "web-socket");
    }
}
