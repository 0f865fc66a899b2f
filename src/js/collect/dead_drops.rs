//! Destinations read from another server's answer ("dead drops"). A skimmer keeps its
//! collection address out of the script: it asks a DNS-over-HTTPS resolver for a TXT record,
//! reads a JSON file on GitHub or a paste site, or a comment on a social network, and sends
//! the card to whatever address the answer holds. The script then never names where the card
//! goes, but it does name who decides: the host whose response the address is made from. A
//! send whose address can only be known from such a response is reported with that host
//! (the evidence says the address was read from its response), so the finding names the
//! place an investigator must look, and the outside-host rules judge it as they would the
//! address itself. The send is kept with its unknown address too: a drop file on the shop's
//! own server or an authorised host does not make it quiet.
//!
//! How: the request's response is a symbol of the data-flow graph ([`super::downloads`]);
//! the address of each send whose URL the evaluator could not know keeps its own
//! dependencies; at the end of the walk a response that reaches such an address gives it
//! the response's URL.

use super::Collector;
use crate::js::facts::{UrlText, snippet};
use crate::js::flow::Deps;
use oxc_ast::ast::*;

/// Sends with an unknown address remembered per script.
const MAX_TRACKED: usize = 64;

/// Sends (a range of `facts.sinks`) whose address is unknown, with what the address is made of.
pub(super) struct UnknownAddress {
    sinks: std::ops::Range<usize>,
    deps: Deps,
}

impl<'a> Collector<'a, '_, '_> {
    /// Whether an address's host is unknown: nothing of it, or an unknown start
    /// (`cfg.base + '/collect'`).
    pub(super) fn hostless(url: &UrlText) -> bool {
        url.text
            .as_deref()
            .is_none_or(|t| t.starts_with(crate::js::value::HOLE))
    }

    /// After `self.sink(…)` recorded the sinks from `first` on for the hostless address `u`:
    /// remember what the address is made of.
    pub(super) fn note_unknown_address(&mut self, u: &'a Expression<'a>, first: usize) {
        if self.unknown_addresses.len() >= MAX_TRACKED {
            return;
        }
        let last = self.facts.sinks.len();
        if first >= last {
            return;
        }
        let deps = self.deps(u);
        if deps.syms.is_empty() {
            return;
        }
        self.unknown_addresses.push(UnknownAddress {
            sinks: first..last,
            deps,
        });
    }

    /// At the end of the walk, before the responses are joined to code sinks: each unknown
    /// address a response reaches is that response's host's to decide.
    pub(super) fn join_dead_drops(&mut self) {
        if self.unknown_addresses.is_empty() {
            return;
        }
        let responses: Vec<(crate::js::flow::Sym, UrlText)> = self
            .responses_with_urls()
            .into_iter()
            .filter(|(_, u)| {
                u.text
                    .as_deref()
                    .is_some_and(|t| t.contains("://") || t.starts_with("//"))
            })
            .collect();
        let unknown = std::mem::take(&mut self.unknown_addresses);

        for group in responses.chunks(64) {
            let seeds: Vec<_> = group.iter().map(|r| r.0).collect();
            let reached = self.facts.graph.reach_many(&seeds);
            for a in &unknown {
                let Some(i) = (0..group.len()).find(|&i| {
                    a.deps
                        .syms
                        .iter()
                        .any(|s| reached.get(*s as usize).is_some_and(|b| b & (1 << i) != 0))
                }) else {
                    continue;
                };
                let (from, said) = match doh_zone(group[i].1.text.as_deref().unwrap_or("")) {
                    Some((zone, resolver)) => (
                        UrlText {
                            text: Some(format!("https://{zone}/")),
                            complete: false,
                            hidden: true,
                        },
                        format!("the DNS TXT record of {zone}, asked of {resolver}"),
                    ),
                    None => (
                        group[i].1.clone(),
                        format!(
                            "the response of {}",
                            snippet(group[i].1.text.as_deref().unwrap_or("?"), 100)
                        ),
                    ),
                };
                // The send stays as it was (an unknown address, reported as such) and is
                // recorded once more with the deciding host: a drop file on the shop's own
                // server or on an authorised host then leaves the unknown address standing,
                // and one on an outside host is judged as that host.
                for k in a.sinks.clone() {
                    let Some(sink) = self.facts.sinks.get(k) else {
                        continue;
                    };
                    let mut also = sink.clone();
                    also.evidence =
                        format!("{} ← address read from {said}", snippet(&sink.evidence, 80));
                    also.url = from.clone();
                    self.facts.sinks.push(also);
                }
            }
        }
    }
}

/// Public DNS-over-HTTPS resolvers with a JSON API (`?name=…&type=TXT`): a TXT record read
/// through one of them is the zone owner's to set, so the zone is who decides the address.
const DOH_RESOLVERS: &[&str] = &[
    "dns.google",
    "dns.google.com",
    "cloudflare-dns.com",
    "mozilla.cloudflare-dns.com",
    "one.one.one.one",
    "1.1.1.1",
    "dns.quad9.net",
    "doh.opendns.com",
    "dns.adguard-dns.com",
    "dns.nextdns.io",
    "doh.dns.sb",
];

/// The zone a DNS-over-HTTPS JSON query asks for, and the resolver asked.
fn doh_zone(address: &str) -> Option<(String, String)> {
    let u = url::Url::parse(address).ok()?;
    let resolver = u.host_str()?.to_ascii_lowercase();
    if !DOH_RESOLVERS.contains(&resolver.as_str()) {
        return None;
    }
    let name = u
        .query_pairs()
        .find(|(k, _)| k == "name")?
        .1
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let valid = name.contains('.')
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    valid.then_some((name, resolver))
}

#[cfg(test)]
mod tests {
    use super::doh_zone;

    #[test]
    fn a_doh_query_names_its_zone() {
        assert_eq!(
            doh_zone("https://dns.google/resolve?name=_v3.relay-zone.com&type=TXT"),
            Some(("_v3.relay-zone.com".into(), "dns.google".into()))
        );
        assert_eq!(
            doh_zone("https://cloudflare-dns.com/dns-query?type=16&name=a.b-zone.net."),
            Some(("a.b-zone.net".into(), "cloudflare-dns.com".into()))
        );
        assert_eq!(
            doh_zone("https://api.shop.example/resolve?name=x.example"),
            None
        );
        assert_eq!(
            doh_zone("https://dns.google/resolve?name=%3Cscript%3E"),
            None
        );
    }
}
