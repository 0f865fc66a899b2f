//! Security header changes between a baseline page and a scan (PCI DSS 11.6.1 covers
//! "security-impacting HTTP headers" of payment pages), and whether a Content-Security-Policy
//! change weakens the page's protection against injected or exfiltrating scripts.

use super::normalise::header_value;
use std::collections::{BTreeMap, BTreeSet};

/// One header that differs from the baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderChange {
    /// Lower-case header name (`meta-content-security-policy` for a CSP set in the page).
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// For CSP headers: why the change weakens the policy, when it does.
    pub weakened: Option<String>,
}

/// Enforcing CSP headers: a report-only policy blocks nothing, so losing an enforcing policy
/// is a weakening even when a report-only one remains.
const ENFORCING_CSP: [&str; 2] = ["content-security-policy", "meta-content-security-policy"];

/// Directives that keep injected code from running or from sending data out.
const GUARDING: [&str; 6] = [
    "default-src",
    "script-src",
    "script-src-elem",
    "connect-src",
    "form-action",
    "frame-src",
];

/// Compare recorded and current headers (both already normalised with
/// [`header_value`]; current ones are normalised here too, so either may be raw).
pub fn compare_headers(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Vec<HeaderChange> {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let o = old.get(name).map(|v| header_value(name, v));
        let n = new.get(name).map(|v| header_value(name, v));
        if o == n {
            continue;
        }
        let weakened = if ENFORCING_CSP.contains(&name.as_str()) {
            csp_weakening(o.as_deref(), n.as_deref(), name, new)
        } else {
            None
        };
        out.push(HeaderChange {
            name: name.clone(),
            old: o,
            new: n,
            weakened,
        });
    }
    out
}

type Policy = BTreeMap<String, BTreeSet<String>>;

fn parse_policy(v: &str) -> Policy {
    let mut p = Policy::new();
    // Several policies joined with `,` all apply; merging their directives is a simplification
    // that only matters for the rare page that sends several.
    for directive in v.split([';', ',']) {
        let mut words = directive.split_ascii_whitespace();
        let Some(name) = words.next() else { continue };
        let sources = words.map(|w| w.to_ascii_lowercase()).collect();
        p.entry(name.to_ascii_lowercase()).or_insert(sources);
    }
    p
}

/// The sources a directive effectively has: its own, or `default-src`'s when it falls back.
fn effective<'a>(p: &'a Policy, directive: &str) -> Option<&'a BTreeSet<String>> {
    p.get(directive).or_else(|| {
        if directive == "form-action" {
            None
        } else {
            p.get("default-src")
        }
    })
}

fn csp_weakening(
    old: Option<&str>,
    new: Option<&str>,
    name: &str,
    all_new: &BTreeMap<String, String>,
) -> Option<String> {
    let old = old?;
    let Some(new) = new else {
        let other = ENFORCING_CSP
            .iter()
            .any(|h| *h != name && all_new.contains_key(*h));
        return Some(if other {
            format!("the {name} policy was removed")
        } else {
            "the Content-Security-Policy was removed: nothing limits which scripts run or where they send data".into()
        });
    };
    let (o, n) = (parse_policy(old), parse_policy(new));
    let mut reasons = Vec::new();
    for d in GUARDING {
        let (Some(os), ns) = (effective(&o, d), effective(&n, d)) else {
            continue;
        };
        let Some(ns) = ns else {
            reasons.push(format!("{d} no longer restricted"));
            continue;
        };
        let added: Vec<&String> = ns.difference(os).collect();
        // A new nonce or hash allows one reviewed script; anything else (a host, a scheme,
        // 'unsafe-inline') lets more code run or more data leave.
        for a in added {
            if !(a.starts_with("'nonce-") || a.starts_with("'sha")) {
                reasons.push(format!("{d} now allows {a}"));
            }
        }
    }
    if reasons.is_empty() {
        None
    } else {
        Some(reasons.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(v: &[(&str, &str)]) -> BTreeMap<String, String> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn removed_csp_is_a_weakening() {
        let old = map(&[("content-security-policy", "script-src 'self'")]);
        let ch = compare_headers(&old, &BTreeMap::new());
        assert_eq!(ch.len(), 1);
        assert!(
            ch[0]
                .weakened
                .as_deref()
                .is_some_and(|w| w.contains("removed"))
        );
    }

    #[test]
    fn added_host_and_unsafe_inline_weaken() {
        let old = map(&[(
            "content-security-policy",
            "default-src 'self'; connect-src 'self'",
        )]);
        let new = map(&[(
            "content-security-policy",
            "default-src 'self' 'unsafe-inline'; connect-src 'self' https://evil.example",
        )]);
        let ch = compare_headers(&old, &new);
        let w = ch[0].weakened.clone().unwrap_or_default();
        assert!(w.contains("script-src now allows 'unsafe-inline'"), "{w}");
        assert!(
            w.contains("connect-src now allows https://evil.example"),
            "{w}"
        );
    }

    #[test]
    fn tightening_or_a_new_nonce_is_not_a_weakening() {
        let old = map(&[(
            "content-security-policy",
            "script-src 'self' 'nonce-abc' https://cdn.example",
        )]);
        let new = map(&[("content-security-policy", "script-src 'self' 'nonce-xyz'")]);
        let ch = compare_headers(&old, &new);
        assert_eq!(ch.len(), 1, "removing a host is a change");
        assert_eq!(ch[0].weakened, None);
        // Only the nonce differs: no change at all.
        let same = map(&[(
            "content-security-policy",
            "script-src 'self' 'nonce-zzz' https://cdn.example",
        )]);
        assert!(compare_headers(&old, &same).is_empty());
    }
}
