//! Target `url`: URLs and host names from the command line, config files, baselines and pages
//! (one per input line): TARGET arguments, `--resolve` entries, host patterns, registrable
//! domains, look-alike brands, the address guard and `Retry-After` values.

use skimscan::fetch::ResolveEntry;
use skimscan::fetch::guard::{AddressGuard, classify};
use skimscan::hosts::{HostPattern, imitated_brand, normalise_host, registrable_domain, same_site};
use skimscan::js::knowledge::Knowledge;
use skimscan::rules::RuleSet;
use skimscan::target::{Target, parse};
use std::net::IpAddr;
use std::sync::OnceLock;

fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| {
        Knowledge::from_rules(&RuleSet::load(false, &[]).expect("the shipped rules load"))
    })
}

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        host(line);
        // Only URL-looking targets (`scheme://…`): anything else is a local path (`/tmp://`
        // is the directory /tmp), and the fuzzer must not go looking through the file system.
        let has_scheme = line.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        });
        if has_scheme {
            match parse(line) {
                Ok(Target::Url(url)) => {
                    assert!(matches!(url.scheme(), "http" | "https"), "{url}");
                    assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{url}");
                }
                Ok(other) => panic!("`{line}` taken for a local target: {other:?}"),
                Err(_) => {}
            }
        }
        if let Ok(entry) = line.parse::<ResolveEntry>() {
            AddressGuard::new(false, Vec::new())
                .check(&entry.host, entry.addr)
                .ok();
        }
        if let Ok(addr) = line.trim().parse::<IpAddr>() {
            classify(addr);
        }
        skimscan::fetch::retry::retry_after(Some(line));
    }
}

fn host(h: &str) {
    let normal = normalise_host(h);
    let domain = registrable_domain(h);
    assert!(
        normal.ends_with(&domain),
        "registrable domain `{domain}` is not a suffix of `{normal}`"
    );
    assert!(same_site(h, h));
    if let Some(brand) = imitated_brand(h, &knowledge().brands) {
        assert!(
            !brand.domains.contains(&domain),
            "`{h}` is {}'s own domain, not a look-alike",
            brand.label
        );
    }
    if let Ok(pattern) = HostPattern::parse(h) {
        assert!(!pattern.as_str().is_empty());
    }
}
