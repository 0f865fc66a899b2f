//! From what the visits recorded to findings: the canary reaching a host that may not have
//! it (`exfiltration-observed`), and scripts or outside hosts that only some visitor
//! profiles get (`browser-profile-difference`: cloaking). Pure logic over records, so it is
//! tested without a browser.

use super::canary::Matcher;
use super::profiles::Profile;
use super::record::{Decision, RecordedRequest};
use crate::finding::Finding;
use crate::hosts;
use crate::rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet};

pub const EXFILTRATION_RULE: &str = "exfiltration-observed";
pub const PROFILE_RULE: &str = "browser-profile-difference";
/// The rules of the browser pass's checks (see `tests/checks_registry.rs`).
pub const RULES: &[&str] = &[EXFILTRATION_RULE, PROFILE_RULE];

/// Findings for requests that carried the canary to a host that may not receive card data;
/// returns them with the hosts that received it and may (for the inventory).
pub fn exfiltration(
    rules: &RuleSet,
    page: &str,
    requests: &[RecordedRequest],
    matcher: &Matcher,
    may_receive: &dyn Fn(&str) -> bool,
) -> (Vec<Finding>, BTreeSet<String>) {
    let mut expected = BTreeSet::new();
    // One finding per host and initiating script: the first request is the evidence, the
    // count says how many more there were.
    let mut by_dest: BTreeMap<(String, Option<String>), (usize, &RecordedRequest)> =
        BTreeMap::new();
    for r in requests {
        if r.found.is_none() || r.host.is_empty() {
            continue;
        }
        if may_receive(&r.host) {
            expected.insert(r.host.clone());
            continue;
        }
        by_dest
            .entry((r.host.clone(), r.initiator.clone()))
            .and_modify(|e| e.0 += 1)
            .or_insert((1, r));
    }
    // A request of a worker that could only be watched (not paused) is also answered by the
    // sinkhole, which knows no initiator: one finding for the host, the one naming the script.
    let named: BTreeSet<String> = by_dest
        .keys()
        .filter(|(_, i)| i.is_some())
        .map(|(h, _)| h.clone())
        .collect();
    by_dest.retain(|(host, initiator), (_, r)| {
        !(initiator.is_none() && r.decision == Decision::Sinkholed && named.contains(host))
    });
    let mut out = Vec::new();
    for ((host, initiator), (count, r)) in by_dest {
        let found = r.found.as_ref().map(|f| f.to_string()).unwrap_or_default();
        let evidence = format!(
            "{} {} ({} {}; canary {}; {}; profile {})",
            r.method,
            matcher.mask(&r.url),
            r.channel.as_str(),
            r.resource_type,
            found,
            r.decision.as_str(),
            r.profile
        );
        let more = if count > 1 {
            format!(" ({} requests in all)", count)
        } else {
            String::new()
        };
        let by = initiator
            .as_deref()
            .map(|i| format!(" by {i}"))
            .unwrap_or_default();
        let message = format!(
            "the test card typed into this page was sent to {host}{by}{more}, encoded as {found}; \
             the request was {}, so nothing left this machine",
            match r.decision {
                Decision::Continued | Decision::Observed => "recorded",
                other => other.as_str(),
            }
        );
        let Some(mut f) = rules.finding(EXFILTRATION_RULE, message) else {
            continue;
        };
        f.page = Some(page.to_string());
        f.script = initiator;
        f.hosts = vec![host];
        f.evidence = Some(evidence);
        out.push(f);
    }
    (out, expected)
}

/// What one profile's visit to a page saw, for the comparison.
pub struct ProfileView {
    pub profile: Profile,
    /// sha256 → script URL (or "inline/eval" when it has none).
    pub scripts: BTreeMap<String, String>,
    pub outside_hosts: BTreeSet<String>,
}

/// Scripts and outside hosts that some profiles got and others did not.
pub fn profile_differences(rules: &RuleSet, page: &str, views: &[ProfileView]) -> Vec<Finding> {
    if views.len() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let all_scripts: BTreeMap<&String, &String> =
        views.iter().flat_map(|v| v.scripts.iter()).collect();
    for (hash, url) in all_scripts {
        let with: Vec<String> = views
            .iter()
            .filter(|v| v.scripts.contains_key(hash))
            .map(|v| v.profile.to_string())
            .collect();
        if with.len() == views.len() {
            continue;
        }
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(hosts::normalise_host));
        let message = format!(
            "a script ran only for the {} visitor profile(s): {url} (sha256 {})",
            with.join(", "),
            &hash[..hash.len().min(16)]
        );
        if let Some(mut f) = rules.finding(PROFILE_RULE, message) {
            f.page = Some(page.to_string());
            f.script = Some(url.clone());
            f.hosts = host.into_iter().collect();
            f.evidence = Some(format!("profiles: {}", with.join(", ")));
            out.push(f);
        }
    }
    let all_hosts: BTreeSet<&String> = views.iter().flat_map(|v| &v.outside_hosts).collect();
    for host in all_hosts {
        let with: Vec<String> = views
            .iter()
            .filter(|v| v.outside_hosts.contains(host))
            .map(|v| v.profile.to_string())
            .collect();
        if with.len() == views.len() {
            continue;
        }
        let message = format!(
            "the page contacted {host} only for the {} visitor profile(s)",
            with.join(", ")
        );
        if let Some(mut f) = rules.finding(PROFILE_RULE, message) {
            f.page = Some(page.to_string());
            f.hosts = vec![host.clone()];
            f.evidence = Some(format!("profiles: {}", with.join(", ")));
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser::canary::{Canary, Found, Layer};
    use crate::browser::record::Channel;

    fn rules() -> RuleSet {
        RuleSet::load(false, &[]).unwrap_or_default()
    }

    fn req(host: &str, url: &str, found: Option<Found>) -> RecordedRequest {
        RecordedRequest {
            profile: Profile::Desktop,
            page: "https://shop.test/checkout".into(),
            started: "2026-11-25T00:00:00Z".into(),
            method: "POST".into(),
            url: url.into(),
            host: host.into(),
            headers: Vec::new(),
            body: None,
            channel: Channel::Http,
            resource_type: "Fetch".into(),
            decision: if found.is_some() {
                Decision::BlockedCanary
            } else {
                Decision::Continued
            },
            status: None,
            initiator: Some("https://cdn.test/x.js".into()),
            after_canary: true,
            found,
            network_id: None,
        }
    }

    #[test]
    fn canary_to_an_outside_host_is_critical_and_masked() {
        let c = Canary::from_seed(7);
        let m = Matcher::new(&c);
        let url = format!("https://evil.test/c?d={}", c.number);
        let reqs = vec![
            req("evil.test", &url, Some(Found(Vec::new()))),
            req("evil.test", &url, Some(Found(vec![Layer::Base64]))),
            req(
                "shop.test",
                "https://shop.test/api/pay",
                Some(Found(Vec::new())),
            ),
            req("cdn.test", "https://cdn.test/pixel", None),
        ];
        let may = |h: &str| h == "shop.test";
        let (findings, expected) =
            exfiltration(&rules(), "https://shop.test/checkout", &reqs, &m, &may);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.rule, EXFILTRATION_RULE);
        assert_eq!(f.severity, crate::finding::Severity::Critical);
        assert_eq!(f.hosts, vec!["evil.test".to_string()]);
        assert_eq!(f.script.as_deref(), Some("https://cdn.test/x.js"));
        let ev = f.evidence.clone().unwrap_or_default();
        assert!(!ev.contains(&c.number), "{ev}");
        assert!(ev.contains("evil.test/c?d=[canary]"), "{ev}");
        assert!(f.message.contains("2 requests"), "{}", f.message);
        assert_eq!(expected.into_iter().collect::<Vec<_>>(), vec!["shop.test"]);
    }

    #[test]
    fn a_watched_request_and_its_sinkhole_copy_are_one_finding() {
        let c = Canary::from_seed(9);
        let m = Matcher::new(&c);
        let url = format!("http://sh.evil.test/s?n={}", c.number);
        let mut watched = req("sh.evil.test", &url, Some(Found(Vec::new())));
        watched.decision = Decision::Observed;
        let mut sunk = req("sh.evil.test", &url, Some(Found(Vec::new())));
        sunk.decision = Decision::Sinkholed;
        sunk.channel = Channel::Sinkhole;
        sunk.initiator = None;
        // Another host reached only by the sinkhole keeps its own finding.
        let mut other = sunk.clone();
        other.host = "dns.evil.test".into();
        let reqs = vec![sunk, watched, other];
        let (findings, _) = exfiltration(
            &rules(),
            "https://shop.test/checkout",
            &reqs,
            &m,
            &|h: &str| h == "shop.test",
        );
        assert_eq!(findings.len(), 2, "{findings:#?}");
        let sh: Vec<_> = findings
            .iter()
            .filter(|f| f.hosts == vec!["sh.evil.test".to_string()])
            .collect();
        assert_eq!(sh.len(), 1, "{findings:#?}");
        assert_eq!(sh[0].script.as_deref(), Some("https://cdn.test/x.js"));
    }

    #[test]
    fn profile_only_scripts_and_hosts_are_reported() {
        let mk = |p, scripts: &[(&str, &str)], hosts: &[&str]| ProfileView {
            profile: p,
            scripts: scripts
                .iter()
                .map(|(h, u)| (h.to_string(), u.to_string()))
                .collect(),
            outside_hosts: hosts.iter().map(|h| h.to_string()).collect(),
        };
        let views = vec![
            mk(
                Profile::Desktop,
                &[("aa", "https://shop.test/app.js")],
                &["cdn.test"],
            ),
            mk(
                Profile::Mobile,
                &[
                    ("aa", "https://shop.test/app.js"),
                    ("bb", "https://m.evil.test/x.js"),
                ],
                &["cdn.test", "m.evil.test"],
            ),
        ];
        let f = profile_differences(&rules(), "p", &views);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(f.iter().all(|f| f.rule == PROFILE_RULE));
        assert!(f.iter().all(|f| f.hosts == vec!["m.evil.test".to_string()]));
        assert!(profile_differences(&rules(), "p", &views[..1]).is_empty());
    }
}
