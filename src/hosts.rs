//! Host names as the analysis sees them: registrable domains (public-suffix aware), first or
//! third party relative to a page, and user-authorised host patterns (`*.example.com`).
//!
//! The registrable domain ("eTLD+1") is what makes `cdn.shop.co.jp` first party on
//! `www.shop.co.jp` while `shop.github.io` and `evil.github.io` stay strangers.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Lower-case a host and drop a trailing dot and IPv6 brackets, so comparisons are exact.
pub fn normalise_host(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    h.trim_start_matches('[').trim_end_matches(']').to_string()
}

/// A host written in code or markup, parsed as the URL standard does (the `url` crate):
/// percent-escapes decoded, Unicode and full-width forms IDNA-mapped to ASCII, IPv4 in any of
/// its spellings made dotted-decimal; None when a browser would reject it. Normalised as
/// [`normalise_host`].
pub fn parse_host(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_start_matches('[').trim_end_matches(']');
    if raw.is_empty() {
        return None;
    }
    // `url::Host::parse` treats its input as a special-scheme host; brackets mark IPv6.
    let host = if raw.contains(':') {
        url::Host::parse(&format!("[{raw}]")).ok()?
    } else {
        url::Host::parse(raw).ok()?
    };
    Some(normalise_host(&host.to_string()))
}

/// The registrable domain of a host: `www.shop.co.jp` → `shop.co.jp`. Unknown suffixes follow
/// the public-suffix list's implicit `*` rule, as browsers do (`cdn.shop.test` → `shop.test`);
/// IP addresses and single labels (`localhost`) are their own registrable domain.
pub fn registrable_domain(host: &str) -> String {
    let h = normalise_host(host);
    // psl treats an IP address as a domain (`127.0.0.1` → `0.1`): handle addresses first.
    if h.parse::<IpAddr>().is_ok() {
        return h;
    }
    match psl::domain(h.as_bytes()) {
        Some(d) => String::from_utf8_lossy(d.as_bytes()).into_owned(),
        _ => h,
    }
}

/// Whether `host` is the same site as `page_host` (same registrable domain).
pub fn same_site(host: &str, page_host: &str) -> bool {
    registrable_domain(host) == registrable_domain(page_host)
}

/// First party: same registrable domain as the page. Third party: anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    First,
    Third,
}

pub fn party(host: &str, page_host: &str) -> Party {
    if same_site(host, page_host) {
        Party::First
    } else {
        Party::Third
    }
}

/// A host the user (or the shipped processor list) authorises: `shop.example` matches exactly;
/// `*.example.com` matches any subdomain of example.com and example.com itself.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostPattern {
    raw: String,
    suffix: Option<String>,
}

impl HostPattern {
    pub fn parse(s: &str) -> Result<HostPattern, String> {
        let raw = normalise_host(s);
        if raw.is_empty() || raw.contains('/') || raw.contains(' ') {
            return Err(format!("`{s}` is not a host name or `*.domain` pattern"));
        }
        if let Some(rest) = raw.strip_prefix("*.") {
            if rest.is_empty() || rest.contains('*') {
                return Err(format!("`{s}` is not a valid wildcard host pattern"));
            }
            return Ok(HostPattern {
                suffix: Some(rest.to_string()),
                raw,
            });
        }
        if raw.contains('*') {
            return Err(format!(
                "`{s}`: a wildcard is only allowed as a leading `*.`"
            ));
        }
        Ok(HostPattern { raw, suffix: None })
    }

    pub fn matches(&self, host: &str) -> bool {
        let h = normalise_host(host);
        match &self.suffix {
            Some(sfx) => h == *sfx || h.ends_with(&format!(".{sfx}")),
            None => h == self.raw,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

/// Whether any pattern in the list matches the host.
pub fn any_matches(patterns: &[HostPattern], host: &str) -> bool {
    patterns.iter().any(|p| p.matches(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_parse_as_the_browser_parses_them() {
        assert_eq!(
            parse_host("%65vil.example").as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            parse_host("\u{ff45}\u{ff56}\u{ff49}\u{ff4c}\u{ff0e}example").as_deref(),
            Some("evil.example")
        );
        assert_eq!(parse_host("Shop.Example.").as_deref(), Some("shop.example"));
        assert_eq!(parse_host("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(parse_host("[::1]").as_deref(), Some("::1"));
        assert_eq!(parse_host("bad host.example"), None);
        assert_eq!(parse_host(""), None);
    }

    #[test]
    fn registrable_domains_respect_public_suffixes() {
        assert_eq!(registrable_domain("www.shop.co.jp"), "shop.co.jp");
        assert_eq!(registrable_domain("CDN.Example.COM."), "example.com");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(registrable_domain("[::1]"), "::1");
        assert!(!same_site("shop.github.io", "evil.github.io"));
        assert!(same_site("cdn.shop.test", "www.shop.test"));
        assert_eq!(registrable_domain("localhost"), "localhost");
        assert_eq!(party("cdn.shop.co.jp", "www.shop.co.jp"), Party::First);
        assert_eq!(party("evil.example", "shop.example"), Party::Third);
    }

    #[test]
    fn host_patterns() {
        let p = HostPattern::parse("*.stripe.com").unwrap();
        assert!(p.matches("js.stripe.com"));
        assert!(p.matches("stripe.com"));
        assert!(!p.matches("evilstripe.com"));
        assert!(!p.matches("stripe.com.evil.example"));
        let exact = HostPattern::parse("Pay.Example").unwrap();
        assert!(exact.matches("pay.example"));
        assert!(!exact.matches("x.pay.example"));
        assert!(HostPattern::parse("a*b.com").is_err());
        assert!(HostPattern::parse("").is_err());
    }
}

/// A brand whose look-alikes skimmers register (`rules/data/well-known-hosts.toml`).
#[derive(Clone, Debug)]
pub struct Brand {
    pub label: String,
    pub domains: Vec<String>,
    pub category: String,
}

/// The brand a host imitates, if any: its registrable domain is not one of any brand's own
/// domains, and its name contains a brand label, or is one edit away from it
/// (`googie` ↔ `google`, `googletagmanagr` ↔ `googletagmanager`). Labels shorter than five
/// letters are only matched exactly, so ordinary words do not look like brands.
pub fn imitated_brand<'b>(host: &str, brands: &'b [Brand]) -> Option<&'b Brand> {
    let rd = registrable_domain(host);
    if rd.parse::<IpAddr>().is_ok() {
        return None;
    }
    if brands.iter().any(|b| b.domains.contains(&rd)) {
        return None;
    }
    let name = rd.split('.').next().unwrap_or("");
    let sub = normalise_host(host);
    let squash = |s: &str| s.replace(['-', '_'], "");
    let name_sq = squash(name);
    // The brand that explains most of the name wins (a near miss counts one letter less):
    // `googletagmanagr` imitates googletagmanager, not google.
    let mut best: Option<(usize, &Brand)> = None;
    for b in brands {
        let label = squash(&b.label);
        if label.len() < 5 {
            continue;
        }
        let own_domain_as_subdomain = b
            .domains
            .iter()
            .any(|d| sub.starts_with(&format!("{d}.")) || sub.contains(&format!(".{d}.")));
        let exact = name_sq.contains(&label) || own_domain_as_subdomain;
        // Near misses only for long labels: short ones are ordinary words one letter away.
        let near = !exact && label.len() >= 8 && within_one_edit_window(&name_sq, &label);
        let score = if exact { label.len() } else { label.len() - 1 };
        if (exact || near) && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, b));
        }
    }
    best.map(|(_, b)| b)
}

/// Whether some window of `text` is within one edit (substitution, insertion, deletion) of
/// `label`.
fn within_one_edit_window(text: &str, label: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let l: Vec<char> = label.chars().collect();
    // Insertions and deletions only for long labels: `static` is one deletion from
    // `gstatic`, but nobody mistakes one for the other.
    let lens: &[usize] = if l.len() >= 8 {
        &[l.len() - 1, l.len(), l.len() + 1]
    } else {
        &[l.len()]
    };
    for &len in lens {
        if len == 0 || len > t.len() {
            continue;
        }
        for start in 0..=t.len() - len {
            if edit_distance_le1(&t[start..start + len], &l) {
                return true;
            }
        }
    }
    false
}

fn edit_distance_le1(a: &[char], b: &[char]) -> bool {
    if a == b {
        return true;
    }
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if l.len() - s.len() > 1 {
        return false;
    }
    let mut i = 0;
    while i < s.len() && s[i] == l[i] {
        i += 1;
    }
    if s.len() == l.len() {
        s[i + 1..] == l[i + 1..]
    } else {
        s[i..] == l[i + 1..]
    }
}

#[cfg(test)]
mod lookalike_tests {
    use super::*;

    fn brands() -> Vec<Brand> {
        let b = |label: &str, d: &[&str]| Brand {
            label: label.into(),
            domains: d.iter().map(|s| s.to_string()).collect(),
            category: "x".into(),
        };
        vec![
            b("google-analytics", &["google-analytics.com"]),
            b("google", &["google.com", "googleapis.com"]),
            b("jquery", &["jquery.com"]),
            b("googletagmanager", &["googletagmanager.com"]),
        ]
    }

    #[test]
    fn lookalikes_are_found_and_real_hosts_are_not() {
        let b = brands();
        let label = |h: &str| imitated_brand(h, &b).map(|x| x.label.clone());
        assert_eq!(
            label("www.gocgle-analytics.com").as_deref(),
            Some("google-analytics")
        );
        assert_eq!(
            label("cdn-jquery-static.example").as_deref(),
            Some("jquery")
        );
        assert_eq!(label("jquery-cdn.link").as_deref(), Some("jquery"));
        assert_eq!(
            label("googletagmanagr.com").as_deref(),
            Some("googletagmanager")
        );
        assert_eq!(label("www.google-analytics.com"), None);
        assert_eq!(label("ajax.googleapis.com"), None);
        assert_eq!(label("code.jquery.com"), None);
        assert_eq!(label("shop.example"), None);
        assert_eq!(label("static-cdn.example"), None);
        assert_eq!(label("10.0.0.1"), None);
    }
}
