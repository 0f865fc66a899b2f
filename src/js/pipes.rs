//! Flows across the scripts of one page. A page's scripts share one window: one script can put
//! card data into a pipe (Web storage under a key, a cookie, an event, a message, an IndexedDB
//! store, a staged DOM element) and another can read it back and send it out. Each script's
//! analysis exports its pipes — which keys it fills with payment data, and which keys it reads
//! back into an outside sink — so the facts stay per script (cacheable by the script's bytes)
//! and the page-level join here connects them.

use crate::finding::{Finding, Location};
use crate::rules::RuleSet;
use crate::rules::schema::Channel;
use std::collections::{BTreeMap, BTreeSet};

/// What one script puts into pipes and what it sends out of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PipeFacts {
    /// Pipe keys this script fills with payment data, with a description of the data.
    pub written: BTreeMap<String, String>,
    /// Pipe contents this script sends to an outside host.
    pub sent: Vec<PipeSend>,
}

/// A pipe read back and sent out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PipeSend {
    pub key: String,
    pub host: String,
    pub channel: Channel,
    pub location: Location,
    pub evidence: String,
}

/// A pipe key in words, for messages.
pub fn describe(key: &str) -> String {
    let (kind, rest) = key.split_once(':').unwrap_or((key, ""));
    match kind {
        "local" => format!("localStorage['{rest}']"),
        "session" => format!("sessionStorage['{rest}']"),
        "cookie" => "a cookie".into(),
        "event" => format!("the event '{rest}'"),
        "message" => "a posted message".into(),
        "idb" => format!("the IndexedDB store '{rest}'"),
        "dom" => format!("the page element '{rest}'"),
        _ => key.to_string(),
    }
}

/// Findings for data one script of a page hands to another that sends it out.
/// `scripts` are (script id, pipes) of the scripts of one page, in page order.
pub fn join(page_url: &str, scripts: &[(&str, &PipeFacts)], rules: &RuleSet) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (wi, (writer, wp)) in scripts.iter().enumerate() {
        for (key, what) in &wp.written {
            for (si, (sender, sp)) in scripts.iter().enumerate() {
                if si == wi || writer == sender {
                    continue;
                }
                for send in sp.sent.iter().filter(|s| &s.key == key) {
                    if !seen.insert((sender.to_string(), send.host.clone(), key.clone())) {
                        continue;
                    }
                    let Some(mut f) = rules.finding(
                        "payment-data-exfiltration",
                        format!(
                            "Data from {what} is put into {} by {writer}, and {sender} reads it back and sends it to {}. Scripts of one page share the window: treat the page as compromised and remove both scripts.",
                            describe(key),
                            send.host
                        ),
                    ) else {
                        continue;
                    };
                    f.page = Some(page_url.to_string());
                    f.script = Some(sender.to_string());
                    f.location = Some(send.location);
                    f.hosts = vec![send.host.clone()];
                    f.evidence = Some(format!("{} ← {} ← {writer}", send.evidence, describe(key)));
                    out.push(f);
                }
            }
        }
    }
    crate::finding::normalise(&mut out);
    out
}
