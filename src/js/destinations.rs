//! Destinations: the host a URL points at, and its class relative to the page — first party
//! (same registrable domain, or a relative URL), authorised (the user's `--allow-host`
//! patterns and the shipped processor list), outside (everything else), or unresolved (the
//! URL is computed at run time). A lone `.js` target has no page host: every absolute host is
//! outside unless authorised.

use super::facts::UrlText;
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
    let host = host.trim_end_matches('.');
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
        && (host.contains('.') || host.parse::<IpAddr>().is_ok() || host == "localhost");
    // An unterminated host in a partial URL may continue at run time ("https://a.b" + x);
    // accept it only when it already ends in a plausible top-level label.
    let plausible_end =
        terminated || url.complete || host.rsplit('.').next().is_some_and(|tld| tld.len() >= 2);
    if valid && plausible_end {
        Target::Host(hosts::normalise_host(host))
    } else {
        Target::Unknown
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
