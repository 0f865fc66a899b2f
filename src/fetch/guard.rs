//! The address guard: which addresses the scanner may connect to.
//!
//! A page under scan is hostile by assumption. If it could make the scanner fetch
//! `http://169.254.169.254/latest/meta-data/` or `http://10.0.0.5/admin`, the scanner would
//! become a way into the network it runs in (server-side request forgery). So a host found in
//! page content may only be contacted at a *public* address, unless the user named that host
//! (a target's host, a `--resolve` pin, an `--allow-host` pattern) or passed `--allow-private`.
//!
//! The check sits where the address is chosen, not where the URL is read:
//! - [`GuardedResolver`] is the client's DNS resolver. It resolves a name (or applies a
//!   `--resolve` pin) and drops every non-public address the host is not entitled to, so the
//!   connector can only ever connect to vetted addresses, whichever DNS answer it tries and
//!   however often the name is re-resolved (DNS rebinding gains nothing).
//! - IP-literal URL hosts never reach a resolver (the connector parses them itself), so
//!   [`AddressGuard::check`] is applied to them before any request is made.
//! - After a response arrives, the fetcher checks the address actually connected to again, as
//!   defence in depth against a connector path that bypasses the resolver.

use ipnet::{Ipv4Net, Ipv6Net};
use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, LazyLock};

use crate::hosts::{HostPattern, any_matches, normalise_host};

/// Why an address is not public. The Display text is the reason shown in `errors[]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonPublic {
    Unspecified,
    Loopback,
    /// RFC 1918: 10/8, 172.16/12, 192.168/16.
    Private,
    /// RFC 6598 carrier-grade NAT space, 100.64/10 (also where some clouds put metadata).
    SharedAddressSpace,
    LinkLocal,
    /// A cloud provider's instance-metadata endpoint (169.254.169.254 and friends): the
    /// classic target of request forgery, since it hands out credentials.
    CloudMetadata,
    /// IPv6 unique-local, fc00::/7 (and the deprecated site-local fec0::/10).
    UniqueLocal,
    Multicast,
    Broadcast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// 198.18/15.
    Benchmarking,
    /// Anything else IANA reserves as not globally reachable (0/8, 192.0.0/24, 240/4,
    /// 64:ff9b:1::/48, 100::/64, 2001::/23, …).
    Reserved,
}

impl fmt::Display for NonPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NonPublic::Unspecified => "unspecified address",
            NonPublic::Loopback => "loopback address",
            NonPublic::Private => "private address",
            NonPublic::SharedAddressSpace => "shared (carrier-grade NAT) address",
            NonPublic::LinkLocal => "link-local address",
            NonPublic::CloudMetadata => "link-local address (cloud metadata)",
            NonPublic::UniqueLocal => "unique-local address",
            NonPublic::Multicast => "multicast address",
            NonPublic::Broadcast => "broadcast address",
            NonPublic::Documentation => "documentation address",
            NonPublic::Benchmarking => "benchmarking address",
            NonPublic::Reserved => "reserved address",
        })
    }
}

/// The classification of one address, with how an IPv4 address was embedded in an IPv6 one
/// (IPv4-mapped, NAT64, 6to4), since a reader of the refusal needs to see both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classification {
    pub kind: NonPublic,
    /// The embedded IPv4 address and the name of the embedding, when that decided it.
    pub embedded: Option<(Ipv4Addr, &'static str)>,
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.embedded {
            Some((v4, how)) => write!(f, "{} ({how} {v4})", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

/// `None` for a public address; otherwise why it is not public.
pub fn classify(ip: IpAddr) -> Option<Classification> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4).map(|kind| Classification {
            kind,
            embedded: None,
        }),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<NonPublic> {
    // Metadata endpoints first: they sit inside ranges below but deserve their own reason.
    const METADATA: [[u8; 4]; 3] = [
        [169, 254, 169, 254], // AWS, GCP, Azure, OpenStack, DigitalOcean, …
        [169, 254, 170, 2],   // AWS ECS task metadata
        [100, 100, 100, 200], // Alibaba Cloud
    ];
    if METADATA.contains(&ip.octets()) {
        return Some(NonPublic::CloudMetadata);
    }
    V4_RANGES
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|(_, kind)| *kind)
}

/// A table of address ranges, written as CIDR text for review (`ipnet` parses it once).
fn ranges<N: std::str::FromStr>(table: &[(&str, NonPublic)]) -> Vec<(N, NonPublic)>
where
    N::Err: fmt::Debug,
{
    table
        .iter()
        .map(|(cidr, kind)| {
            (
                cidr.parse()
                    .expect("the built-in range table is valid CIDR"),
                *kind,
            )
        })
        .collect()
}

/// IPv4 ranges that are not the public internet, first match wins (IANA special-purpose
/// registry, RFC 6890 and successors).
static V4_RANGES: LazyLock<Vec<(Ipv4Net, NonPublic)>> = LazyLock::new(|| {
    ranges(&[
        ("0.0.0.0/32", NonPublic::Unspecified),
        ("0.0.0.0/8", NonPublic::Reserved), // "this network"
        ("10.0.0.0/8", NonPublic::Private),
        ("100.64.0.0/10", NonPublic::SharedAddressSpace),
        ("127.0.0.0/8", NonPublic::Loopback),
        ("169.254.0.0/16", NonPublic::LinkLocal),
        ("172.16.0.0/12", NonPublic::Private),
        ("192.0.0.0/24", NonPublic::Reserved), // IETF protocol assignments
        ("192.0.2.0/24", NonPublic::Documentation),
        ("192.168.0.0/16", NonPublic::Private),
        ("198.18.0.0/15", NonPublic::Benchmarking),
        ("198.51.100.0/24", NonPublic::Documentation),
        ("203.0.113.0/24", NonPublic::Documentation),
        ("224.0.0.0/4", NonPublic::Multicast),
        ("255.255.255.255/32", NonPublic::Broadcast),
        ("240.0.0.0/4", NonPublic::Reserved),
    ])
});

/// IPv6 ranges that are not the public internet, after the forms that embed IPv4.
static V6_RANGES: LazyLock<Vec<(Ipv6Net, NonPublic)>> = LazyLock::new(|| {
    ranges(&[
        ("64:ff9b:1::/48", NonPublic::Reserved), // local NAT64
        ("100::/64", NonPublic::Reserved),       // discard-only
        ("2001:db8::/32", NonPublic::Documentation),
        ("2001::/23", NonPublic::Reserved), // Teredo, ORCHID, …
        ("3fff::/20", NonPublic::Documentation),
        ("fc00::/7", NonPublic::UniqueLocal),
        ("fe80::/10", NonPublic::LinkLocal),
        ("fec0::/10", NonPublic::UniqueLocal), // site-local
        ("ff00::/8", NonPublic::Multicast),
    ])
});

fn in_v6(ip: Ipv6Addr, cidr: &str) -> bool {
    cidr.parse::<Ipv6Net>().is_ok_and(|net| net.contains(&ip))
}

fn classify_v6(ip: Ipv6Addr) -> Option<Classification> {
    let plain = |kind| {
        Some(Classification {
            kind,
            embedded: None,
        })
    };
    let bits = u128::from(ip);
    // Forms that carry an IPv4 address reach that IPv4 host (through the kernel, a NAT64
    // gateway or a 6to4 relay), so they are judged by it: ::ffff:169.254.169.254 is the
    // metadata endpoint in disguise.
    let embedded = |v4: Ipv4Addr, how: &'static str| {
        classify_v4(v4).map(|kind| Classification {
            kind,
            embedded: Some((v4, how)),
        })
    };
    if ip == Ipv6Addr::UNSPECIFIED {
        return plain(NonPublic::Unspecified);
    }
    if ip == Ipv6Addr::LOCALHOST {
        return plain(NonPublic::Loopback);
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return embedded(v4, "IPv4-mapped");
    }
    let low32 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if in_v6(ip, "::/96") {
        // Deprecated IPv4-compatible ::a.b.c.d: never a legitimate public destination.
        return embedded(low32, "IPv4-compatible").or(plain(NonPublic::Reserved));
    }
    if in_v6(ip, "64:ff9b::/96") {
        return embedded(low32, "NAT64");
    }
    if in_v6(ip, "2002::/16") {
        let v4 = Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32);
        return embedded(v4, "6to4");
    }
    if METADATA_V6.contains(&ip) {
        return plain(NonPublic::CloudMetadata);
    }
    if let Some((_, kind)) = V6_RANGES.iter().find(|(net, _)| net.contains(&ip)) {
        return plain(*kind);
    }
    // Only 2000::/3 is assigned as global unicast; the rest is reserved by IANA.
    if !in_v6(ip, "2000::/3") {
        return plain(NonPublic::Reserved);
    }
    None
}

/// AWS's IPv6 instance-metadata endpoint (inside fc00::/7, but worth naming).
const METADATA_V6: [Ipv6Addr; 1] = [Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254)];

/// A refusal: `host` resolved to (or is) `addr`, which it may not be contacted at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub host: String,
    pub addr: IpAddr,
    pub why: Classification,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} resolves to {}, a {}", self.host, self.addr, self.why)
    }
}

// The resolver hands a refusal to reqwest as an error; the fetcher finds it again by walking
// the error's source chain and downcasting, so the refusal stays typed end to end.
impl std::error::Error for Refusal {}

/// Who may be contacted where. Shared by the resolver and the fetcher.
#[derive(Debug)]
pub struct AddressGuard {
    allow_private: bool,
    named: Vec<HostPattern>,
}

impl AddressGuard {
    /// `named` are the hosts the user named; `--resolve` hosts must be among them (the
    /// fetcher adds them).
    pub fn new(allow_private: bool, named: Vec<HostPattern>) -> AddressGuard {
        AddressGuard {
            allow_private,
            named,
        }
    }

    /// Whether the user named this host, so it may be contacted at any address and receives
    /// the user's headers and cookie.
    pub fn is_named(&self, host: &str) -> bool {
        any_matches(&self.named, host)
    }

    /// Whether `host` may be contacted at `addr`.
    pub fn check(&self, host: &str, addr: IpAddr) -> Result<(), Refusal> {
        if self.allow_private || self.is_named(host) {
            return Ok(());
        }
        match classify(addr) {
            None => Ok(()),
            Some(why) => Err(Refusal {
                host: normalise_host(host),
                addr,
                why,
            }),
        }
    }
}

/// The DNS resolver the HTTP client uses: `--resolve` pins first, the system resolver
/// otherwise, and only addresses the guard accepts come out.
pub(crate) struct GuardedResolver {
    guard: Arc<AddressGuard>,
    /// Normalised host → address, for the port this resolver's client serves (the resolver
    /// never sees the port, so the fetcher keeps one client per pinned port).
    pins: HashMap<String, IpAddr>,
}

impl GuardedResolver {
    pub(crate) fn new(guard: Arc<AddressGuard>, pins: HashMap<String, IpAddr>) -> Self {
        GuardedResolver { guard, pins }
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = normalise_host(name.as_str());
        if let Some(ip) = self.pins.get(&host) {
            // A pinned host is user-named: the pin is used as given, whatever it points at.
            // Port 0 means "the URL's port" to the connector.
            let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(SocketAddr::new(*ip, 0)));
            return Box::pin(std::future::ready(Ok(addrs)));
        }
        let guard = Arc::clone(&self.guard);
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut first_refusal = None;
            let mut vetted = Vec::with_capacity(found.len());
            for sa in found {
                match guard.check(&host, sa.ip()) {
                    Ok(()) => vetted.push(sa),
                    Err(r) => {
                        first_refusal.get_or_insert(r);
                    }
                }
            }
            if vetted.is_empty()
                && let Some(r) = first_refusal
            {
                return Err(Box::new(r) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: reqwest::dns::Addrs = Box::new(vetted.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<NonPublic> {
        classify(s.parse().unwrap()).map(|c| c.kind)
    }

    #[test]
    fn ipv4_ranges() {
        use NonPublic::*;
        for (addr, want) in [
            ("127.0.0.1", Some(Loopback)),
            ("127.255.0.9", Some(Loopback)),
            ("10.1.2.3", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.1", None),
            ("192.168.1.1", Some(Private)),
            ("100.64.0.1", Some(SharedAddressSpace)),
            ("100.128.0.1", None),
            ("169.254.169.254", Some(CloudMetadata)),
            ("169.254.170.2", Some(CloudMetadata)),
            ("100.100.100.200", Some(CloudMetadata)),
            ("169.254.1.1", Some(LinkLocal)),
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("240.0.0.1", Some(Reserved)),
            ("224.0.0.1", Some(Multicast)),
            ("192.0.2.1", Some(Documentation)),
            ("198.51.100.7", Some(Documentation)),
            ("203.0.113.9", Some(Documentation)),
            ("198.18.0.1", Some(Benchmarking)),
            ("198.19.255.1", Some(Benchmarking)),
            ("192.0.0.170", Some(Reserved)),
            ("93.184.215.14", None),
            ("8.8.8.8", None),
            ("1.1.1.1", None),
        ] {
            assert_eq!(kind(addr), want, "{addr}");
        }
    }

    #[test]
    fn ipv6_ranges_and_embedded_ipv4() {
        use NonPublic::*;
        for (addr, want) in [
            ("::1", Some(Loopback)),
            ("::", Some(Unspecified)),
            ("fc00::1", Some(UniqueLocal)),
            ("fd12:3456::1", Some(UniqueLocal)),
            ("fd00:ec2::254", Some(CloudMetadata)),
            ("fe80::1", Some(LinkLocal)),
            ("fec0::1", Some(UniqueLocal)),
            ("ff02::1", Some(Multicast)),
            ("2001:db8::1", Some(Documentation)),
            ("3fff::1", Some(Documentation)),
            ("2001::1", Some(Reserved)),
            ("100::1", Some(Reserved)),
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:169.254.169.254", Some(CloudMetadata)),
            ("::ffff:10.0.0.1", Some(Private)),
            ("::127.0.0.1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(CloudMetadata)),
            ("64:ff9b::c0a8:0101", Some(Private)),
            ("64:ff9b:1::1", Some(Reserved)),
            ("2002:7f00:0001::1", Some(Loopback)),
            ("2002:0808:0808::1", None),
            ("64:ff9b::808:808", None),
            ("::ffff:8.8.8.8", None),
            ("2606:4700:4700::1111", None),
            ("2a00:1450:4001::200e", None),
            ("4000::1", Some(Reserved)),
        ] {
            assert_eq!(kind(addr), want, "{addr}");
        }
    }

    #[test]
    fn reasons_name_the_embedding() {
        let c = classify("::ffff:169.254.169.254".parse().unwrap()).unwrap();
        assert_eq!(
            c.to_string(),
            "link-local address (cloud metadata) (IPv4-mapped 169.254.169.254)"
        );
        let c = classify("169.254.169.254".parse().unwrap()).unwrap();
        assert_eq!(c.to_string(), "link-local address (cloud metadata)");
    }

    #[test]
    fn named_hosts_and_allow_private_lift_the_guard() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let named = vec![
            HostPattern::parse("shop.test").unwrap(),
            HostPattern::parse("*.corp.test").unwrap(),
        ];
        let guard = AddressGuard::new(false, named.clone());
        assert!(guard.check("shop.test", loopback).is_ok());
        assert!(guard.check("SHOP.test.", loopback).is_ok());
        assert!(guard.check("api.corp.test", loopback).is_ok());
        let r = guard.check("evil.test", loopback).unwrap_err();
        assert_eq!(r.host, "evil.test");
        assert_eq!(r.why.kind, NonPublic::Loopback);
        assert!(guard.check("evil.test", "8.8.8.8".parse().unwrap()).is_ok());
        let open = AddressGuard::new(true, Vec::new());
        assert!(open.check("evil.test", loopback).is_ok());
    }
}
