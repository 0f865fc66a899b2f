//! Destinations: the host a URL points at, and its class relative to the page — first party
//! (same registrable domain, or a relative URL), authorised (the user's `--allow-host`
//! patterns and the shipped processor list), outside (everything else), or unresolved (the
//! URL is computed at run time). A lone `.js` target has no page host: every absolute host is
//! outside unless authorised.

use super::facts::UrlText;
use super::value::HOLE;
use crate::hosts::{self, HostPattern};
use crate::rules::schema::DestinationClass;
use std::net::IpAddr;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Host(String),
    Relative,
    Unknown,
}

/// Where a URL points, as far as its known text tells.
pub fn target_of(url: &UrlText) -> Target {
    let Some(text) = url.text.as_deref() else {
        return Target::Unknown;
    };
    // A complete URL: the host the browser contacts (percent-decoded, IDNA-mapped).
    if url.complete
        && let Some(h) = super::urls::whatwg_host(text)
        && !h.is_empty()
    {
        return Target::Host(hosts::normalise_host(&h));
    }
    if text.contains(HOLE) {
        return holed_target(text);
    }
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("//") {
        r
    } else if let Some(i) = lower.find("://") {
        let scheme = &lower[..i];
        if !matches!(scheme, "http" | "https" | "ws" | "wss" | "ftp") {
            return Target::Unknown;
        }
        &lower[i + 3..]
    } else if let Some(r) = ["stun:", "turn:", "turns:"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
    {
        r
    } else if lower.is_empty() {
        return if url.complete {
            Target::Relative
        } else {
            Target::Unknown
        };
    } else if lower.contains(':') && !lower.starts_with(['/', '.', '?', '#']) {
        // javascript:, data:, blob:, mailto:…
        let scheme = lower.split(':').next().unwrap_or("");
        if scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-')
        {
            return Target::Unknown;
        }
        return Target::Relative;
    } else {
        return Target::Relative;
    };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let terminated = end < rest.len();
    let authority = &rest[..end];
    let hostport = authority.rsplit('@').next().unwrap_or("");
    let host = if hostport.starts_with('[') {
        hostport
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    // The host as the browser will parse it: percent-escapes decoded, full-width and other
    // Unicode forms IDNA-mapped (`%65vil.example`, `ｅｖｉｌ.example` → `evil.example`).
    let Some(host) = hosts::parse_host(host) else {
        return Target::Unknown;
    };
    let valid = host.contains('.') || host.parse::<IpAddr>().is_ok() || host == "localhost";
    // An unterminated host in a partial URL may continue at run time ("https://a.b" + x);
    // accept it only when it already ends in a plausible top-level label.
    let plausible_end =
        terminated || url.complete || host.rsplit('.').next().is_some_and(|tld| tld.len() >= 2);
    if valid && plausible_end {
        Target::Host(host)
    } else {
        Target::Unknown
    }
}

/// A URL with unknown runs (`"https://" + x + ".collector.example/p"`): when only labels at
/// the start of the host are unknown, the known rest names the site it goes to — its
/// registrable domain is known even if the first label is not.
fn holed_target(text: &str) -> Target {
    let lower = text.trim().to_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("//") {
        r
    } else if let Some(i) = lower.find("://") {
        // `${proto}://host`, with `proto` chosen at run time between `ws` and `wss` (or
        // `http` and `https`): the host is the same whichever it is.
        let scheme = &lower[..i];
        let chosen = !scheme.is_empty() && scheme.chars().all(|c| c == HOLE);
        if !chosen && !matches!(scheme, "http" | "https" | "ws" | "wss") {
            return Target::Unknown;
        }
        &lower[i + 3..]
    } else {
        return Target::Unknown;
    };
    // A string that ends in known text ends there; one that ends unknown may go on.
    let end = match rest.find(['/', '?', '#', '\\']) {
        Some(e) => e,
        None if !rest.ends_with(HOLE) => rest.len(),
        None => return Target::Unknown,
    };
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    if !host.contains(HOLE) {
        // Known in full: parsed as the browser will (percent-escapes, full-width letters).
        return match hosts::parse_host(host) {
            Some(h) if h.contains('.') || h.parse::<IpAddr>().is_ok() => Target::Host(h),
            _ => Target::Unknown,
        };
    }
    // Only whole labels may be unknown, and only before the known suffix.
    let Some(last_hole) = host.rfind(HOLE) else {
        return Target::Unknown;
    };
    let suffix = &host[last_hole + HOLE.len_utf8()..];
    let Some(suffix) = suffix.strip_prefix('.') else {
        return Target::Unknown;
    };
    let Some(suffix) = hosts::parse_host(suffix) else {
        return Target::Unknown;
    };
    let suffix = suffix.as_str();
    if !suffix.contains('.') {
        return Target::Unknown;
    }
    // The known part must reach the registrable domain (`x.co.uk` is not a site).
    match psl::domain_str(suffix) {
        Some(d) if suffix.ends_with(d) => Target::Host(hosts::normalise_host(suffix)),
        _ => Target::Unknown,
    }
}

/// The page context a destination is judged in.
pub struct PageContext<'p> {
    pub page_host: Option<&'p str>,
    pub allowed: &'p [HostPattern],
    pub processors: &'p [HostPattern],
}

pub fn classify(target: &Target, ctx: &PageContext<'_>) -> DestinationClass {
    match target {
        Target::Unknown => DestinationClass::Unresolved,
        Target::Relative => DestinationClass::FirstParty,
        Target::Host(h) => {
            if ctx.page_host.is_some_and(|p| hosts::same_site(h, p)) {
                DestinationClass::FirstParty
            } else if hosts::any_matches(ctx.allowed, h) || hosts::any_matches(ctx.processors, h) {
                DestinationClass::Authorised
            } else {
                DestinationClass::Outside
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(t: &str, complete: bool) -> UrlText {
        UrlText {
            text: Some(t.into()),
            complete,
            hidden: false,
        }
    }

    #[test]
    fn hosts_are_read_from_urls() {
        assert_eq!(
            target_of(&u("https://Evil.Example:8443/c?x", true)),
            Target::Host("evil.example".into())
        );
        assert_eq!(
            target_of(&u("//cdn.example/x.js", true)),
            Target::Host("cdn.example".into())
        );
        assert_eq!(
            target_of(&u("wss://a.example:8080/g", true)),
            Target::Host("a.example".into())
        );
        assert_eq!(
            target_of(&u("https://user@b.example/", true)),
            Target::Host("b.example".into())
        );
        assert_eq!(
            target_of(&u("https://c.example/p?d=", false)),
            Target::Host("c.example".into())
        );
        assert_eq!(target_of(&u("https://", false)), Target::Unknown);
        assert_eq!(target_of(&u("https://a", false)), Target::Unknown);
        assert_eq!(target_of(&u("/checkout/pay", true)), Target::Relative);
        assert_eq!(target_of(&u("pay.php", true)), Target::Relative);
        assert_eq!(target_of(&u("javascript:void(0)", true)), Target::Unknown);
        assert_eq!(
            target_of(&u("stun:1.2.3.4:3479", true)),
            Target::Host("1.2.3.4".into())
        );
        // What the browser contacts, not the text.
        assert_eq!(
            target_of(&u("https://%65vil.example/c", true)),
            Target::Host("evil.example".into())
        );
        // Unknown first labels before a known registrable suffix.
        let h = |s: &str| s.replace('*', &HOLE.to_string());
        assert_eq!(
            target_of(&u(&h("https://*.collector.example/p.gif?*"), false)),
            Target::Host("collector.example".into())
        );
        assert_eq!(
            target_of(&u(&h("https://*.*.cdn.collector.example/x"), false)),
            Target::Host("cdn.collector.example".into())
        );
        assert_eq!(
            target_of(&u(&h("https://*.co.uk/x"), false)),
            Target::Unknown
        );
        // A scheme chosen at run time (`${proto}://rt.example`), not a path or a label.
        assert_eq!(
            target_of(&u(&h("*://rt.sock.example:8443/s"), false)),
            Target::Host("rt.sock.example".into())
        );
        assert_eq!(target_of(&u(&h("x*://a.example/"), false)), Target::Unknown);
        assert_eq!(
            target_of(&u(&h("https://a*b.example/x"), false)),
            Target::Unknown
        );
        assert_eq!(
            target_of(&u(&h("https://*.example"), false)),
            Target::Unknown
        );
        assert_eq!(
            target_of(&u(&h("//*.*.dns.cdn-resolve.example"), false)),
            Target::Host("dns.cdn-resolve.example".into())
        );
        assert_eq!(
            target_of(&u(&h("https://a.example*"), false)),
            Target::Unknown
        );
    }

    #[test]
    fn classes_follow_the_page_and_the_authorised_lists() {
        let allowed = vec![HostPattern::parse("*.partner.example").unwrap()];
        let processors = vec![HostPattern::parse("*.stripe.com").unwrap()];
        let ctx = PageContext {
            page_host: Some("www.shop.example"),
            allowed: &allowed,
            processors: &processors,
        };
        let c = |h: &str| classify(&Target::Host(h.into()), &ctx);
        assert_eq!(c("cdn.shop.example"), DestinationClass::FirstParty);
        assert_eq!(c("api.stripe.com"), DestinationClass::Authorised);
        assert_eq!(c("x.partner.example"), DestinationClass::Authorised);
        assert_eq!(c("evil.example"), DestinationClass::Outside);
        let lone = PageContext {
            page_host: None,
            allowed: &allowed,
            processors: &processors,
        };
        assert_eq!(
            classify(&Target::Host("shop.example".into()), &lone),
            DestinationClass::Outside
        );
        assert_eq!(
            classify(&Target::Relative, &lone),
            DestinationClass::FirstParty
        );
    }
}
