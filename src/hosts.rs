//! Host names as the analysis sees them: registrable domains (public-suffix aware), first or
//! third party relative to a page, and user-authorised host patterns (`*.example.com`).
//!
//! The registrable domain ("eTLD+1") is what makes `cdn.shop.co.jp` first party on
//! `www.shop.co.jp` while `shop.github.io` and `evil.github.io` stay strangers.

use crate::inventory::Party;
use std::net::IpAddr;

/// Lower-case a host and drop a trailing dot and IPv6 brackets, so comparisons are exact.
pub fn normalise_host(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    h.trim_start_matches('[').trim_end_matches(']').to_string()
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
