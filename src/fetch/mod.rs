//! Fetching pages and scripts over HTTP(S): one configured client (TLS roots, `--resolve`,
//! timeouts, size caps, redirects, retries), the address guard that keeps a hostile page from
//! steering the scanner into the network it runs in, per-host politeness, and same-site
//! checkout discovery.

pub mod client;
pub mod guard;
pub mod politeness;
pub mod retry;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use url::{Host, Url};

use crate::hosts::{HostPattern, normalise_host};
use guard::{AddressGuard, Refusal};
use politeness::Politeness;

/// A current desktop Chrome on Windows: skimmers hide from clients that look like bots, so the
/// scanner looks like the most common browser unless told otherwise (`--user-agent`).
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
/// Per request (each redirect hop and each retry is a request).
pub const DEFAULT_TIMEOUT_SECS: u64 = 20;
/// 10 MiB, counted after decompression.
pub const DEFAULT_MAX_BODY: u64 = 10 * 1024 * 1024;
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
pub const DEFAULT_CONCURRENCY: usize = 8;
pub const DEFAULT_PER_HOST: usize = 4;
pub const DEFAULT_RETRIES: u32 = 2;

/// `--resolve HOST:PORT:ADDR`, curl's meaning: connections to HOST:PORT go to ADDR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveEntry {
    pub host: String,
    pub port: u16,
    pub addr: std::net::IpAddr,
}

impl std::str::FromStr for ResolveEntry {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // HOST:PORT:ADDR where ADDR may be an IPv6 address, bracketed or not.
        let mut parts = s.splitn(3, ':');
        let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("`{s}` is not HOST:PORT:ADDR"));
        };
        let port: u16 = port
            .parse()
            .map_err(|_| format!("`{s}`: `{port}` is not a port number"))?;
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let addr = addr
            .parse()
            .map_err(|_| format!("`{s}`: `{addr}` is not an IP address"))?;
        if host.is_empty() {
            return Err(format!("`{s}`: empty host name"));
        }
        // The host as a request URL will carry it: an IDN (`bücher.example`) in punycode
        // (`xn--bcher-kva.example`), or the pin would never match.
        let host = match Host::parse(host) {
            Ok(Host::Domain(d)) => d,
            Ok(ip) => ip.to_string(),
            Err(e) => return Err(format!("`{s}`: `{host}` is not a host name: {e}")),
        };
        Ok(ResolveEntry {
            host: crate::hosts::normalise_host(&host),
            port,
            addr,
        })
    }
}

/// Everything the client needs, resolved from the CLI and the config file.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Per request, from connecting to the last body byte; each redirect hop and each retry
    /// is a request of its own.
    pub timeout: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body: u64,
    /// Redirects followed before `TooManyRedirects`; 0 refuses the first one.
    pub max_redirects: usize,
    pub user_agent: String,
    /// Extra request headers, `(name, value)`.
    pub headers: Vec<(String, String)>,
    pub cookie: Option<String>,
    pub resolve: Vec<ResolveEntry>,
    pub ca_certs: Vec<PathBuf>,
    /// Requests in flight at once, and per host, across all calls on one `Fetcher` (share
    /// one behind an `Arc`); values below 1 count as 1.
    pub concurrency: usize,
    pub per_host: usize,
    /// Retries for transient failures (connect errors, 502/503/504, 429); see [`retry`].
    pub retries: u32,
    /// `--allow-private`: content-found hosts may resolve to non-public addresses.
    pub allow_private: bool,
    /// Hosts the user named (target hosts, `--resolve` hosts, `--allow-host`): these may be
    /// contacted even when they resolve to non-public addresses, and only these receive
    /// `headers` and `cookie` (a session cookie must not reach a script host found in page
    /// content). `--resolve` hosts count as named whether or not they are listed here.
    pub named_hosts: Vec<HostPattern>,
}

impl Default for FetchOptions {
    /// The documented defaults; no headers, cookie, pins or extra roots.
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            max_body: DEFAULT_MAX_BODY,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            headers: Vec::new(),
            cookie: None,
            resolve: Vec::new(),
            ca_certs: Vec::new(),
            concurrency: DEFAULT_CONCURRENCY,
            per_host: DEFAULT_PER_HOST,
            retries: DEFAULT_RETRIES,
            allow_private: false,
            named_hosts: Vec::new(),
        }
    }
}

/// A fetched resource.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The URL after redirects.
    pub url: Url,
    pub status: u16,
    /// Response headers with lower-cased names, in the order received (repeated ones repeat).
    pub headers: Vec<(String, String)>,
    /// The decoded (decompressed) body, at most `max_body` bytes.
    pub body: Vec<u8>,
    /// The address actually connected to, when known.
    pub remote_addr: Option<SocketAddr>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// Why a resource could not be fetched. Every variant names the URL; the Display text is what
/// `errors[].message` shows.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {secs} s")]
    Timeout { url: Url, secs: u64 },
    #[error("body larger than the {limit}-byte limit")]
    TooLarge { url: Url, limit: u64 },
    #[error("more than {limit} redirects (last: {last})")]
    TooManyRedirects {
        url: Url,
        limit: usize,
        last: String,
    },
    #[error("redirect loop at {last}")]
    RedirectLoop { url: Url, last: String },
    #[error(
        "refused to contact {host} ({addr}): {reason}; pass --allow-host {host} or --allow-private to allow it"
    )]
    Refused {
        url: Url,
        host: String,
        addr: String,
        reason: String,
    },
    #[error("unsupported URL scheme `{scheme}`")]
    Scheme { url: Url, scheme: String },
    #[error("connection failed: {message}")]
    Connect { url: Url, message: String },
    #[error("{message}")]
    Other { url: Url, message: String },
}

impl FetchError {
    pub fn url(&self) -> &Url {
        match self {
            FetchError::Timeout { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::RedirectLoop { url, .. }
            | FetchError::Refused { url, .. }
            | FetchError::Scheme { url, .. }
            | FetchError::Connect { url, .. }
            | FetchError::Other { url, .. } => url,
        }
    }
}

/// Setting up the client failed (a bad CA file, a bad header): a usage error, exit 2.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read CA certificate {path}: {message}")]
    CaCert { path: PathBuf, message: String },
    #[error("invalid header `{header}`: {message}")]
    Header { header: String, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// The HTTP client. Cheap to share behind an `Arc`; every method is safe to call concurrently.
///
/// `get` follows redirects itself (each hop passes the address guard; a URL seen twice is a
/// loop), retries transient failures per [`retry`], waits for a global and a per-host slot
/// ([`politeness`]), and reads the body as a stream, stopping as soon as the decompressed size
/// passes `max_body`.
pub struct Fetcher {
    /// For every port without a `--resolve` pin.
    client: reqwest::Client,
    /// One client per pinned port: a resolver sees only the host, never the port, so curl's
    /// HOST:PORT meaning is kept by giving each pinned port its own resolver.
    pinned: HashMap<u16, reqwest::Client>,
    guard: Arc<AddressGuard>,
    politeness: Politeness,
    /// `--header` and `--cookie`, sent only to named hosts.
    user_headers: HeaderMap,
    opts: FetchOptions,
}

/// What one request (one redirect hop) ended with.
enum Hop {
    Done(Fetched),
    Redirect(Url),
}

/// A failed request, and whether the retry policy considers it transient.
struct HopError {
    // Boxed: a FetchError with its URL is large, and hops return it on every path.
    error: Box<FetchError>,
    transient: bool,
}

impl HopError {
    fn fatal(error: FetchError) -> HopError {
        HopError {
            error: Box::new(error),
            transient: false,
        }
    }
}

impl Fetcher {
    pub fn new(opts: FetchOptions) -> Result<Fetcher, ClientError> {
        let mut named = opts.named_hosts.clone();
        let mut pins_by_port: HashMap<u16, HashMap<String, IpAddr>> = HashMap::new();
        for entry in &opts.resolve {
            let pattern = HostPattern::parse(&entry.host).map_err(|m| {
                ClientError::Build(format!("--resolve {}:{}: {m}", entry.host, entry.port))
            })?;
            named.push(pattern);
            // A repeated HOST:PORT: the last entry wins.
            pins_by_port
                .entry(entry.port)
                .or_default()
                .insert(normalise_host(&entry.host), entry.addr);
        }
        let guard = Arc::new(AddressGuard::new(opts.allow_private, named));
        let ca_certs = client::load_ca_certs(&opts.ca_certs)?;
        let user_headers = client::user_headers(&opts)?;
        // Each client loads the platform's root certificates (~10 ms apiece, before the first
        // request can leave): the pinned ports' clients are built beside the default one.
        let (default_client, pinned) = std::thread::scope(|s| {
            let build = |pins| client::build_client(&opts, &guard, pins, &ca_certs);
            let aside: Vec<_> = pins_by_port
                .into_iter()
                .map(|(port, pins)| {
                    let kept = pins.clone();
                    let on_thread = std::thread::Builder::new()
                        .name("skimscan-tls-setup".into())
                        .spawn_scoped(s, move || build(pins));
                    (port, on_thread, kept)
                })
                .collect();
            let default_client = build(HashMap::new());
            let mut pinned = HashMap::new();
            for (port, on_thread, pins) in aside {
                let client = match on_thread {
                    Ok(handle) => handle.join().unwrap_or_else(|_| {
                        Err(ClientError::Build("building the HTTP client failed".into()))
                    }),
                    // No thread to spare: built here.
                    Err(_) => build(pins),
                };
                pinned.insert(port, client);
            }
            (default_client, pinned)
        });
        let default_client = default_client?;
        let pinned = pinned
            .into_iter()
            .map(|(port, client)| client.map(|c| (port, c)))
            .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(Fetcher {
            client: default_client,
            pinned,
            guard,
            politeness: Politeness::new(opts.concurrency, opts.per_host),
            user_headers,
            opts,
        })
    }

    /// The options this fetcher was built with.
    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// Whether the user named `host` (it may be contacted at any address and receives the
    /// user's headers and cookie).
    pub fn is_named_host(&self, host: &str) -> bool {
        self.guard.is_named(host)
    }

    /// GET a URL. Non-2xx statuses are returned as `Ok` (the caller decides what they mean);
    /// redirects are followed and `Fetched.url` is where they ended.
    pub async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        let mut seen: HashSet<Url> = HashSet::from([without_fragment(url)]);
        let mut followed = 0usize;
        loop {
            match self.hop_with_retries(url, &current).await? {
                Hop::Done(fetched) => return Ok(fetched),
                Hop::Redirect(next) => {
                    if !seen.insert(without_fragment(&next)) {
                        return Err(FetchError::RedirectLoop {
                            url: url.clone(),
                            last: next.to_string(),
                        });
                    }
                    followed += 1;
                    if followed > self.opts.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: url.clone(),
                            limit: self.opts.max_redirects,
                            last: next.to_string(),
                        });
                    }
                    tracing::debug!(from = %current, to = %next, "following redirect");
                    current = next;
                }
            }
        }
    }

    /// One hop, retried per the retry policy.
    async fn hop_with_retries(&self, original: &Url, url: &Url) -> Result<Hop, FetchError> {
        let mut attempt = 0u32;
        loop {
            let result = self.hop(original, url).await;
            let wait = if attempt >= self.opts.retries {
                None
            } else {
                match &result {
                    Err(e) if e.transient => Some(retry::backoff(attempt)),
                    Ok(Hop::Done(f)) if retry::status_is_transient(f.status) => {
                        match f.header("retry-after") {
                            // A server asking for a long wait gets its answer returned instead.
                            Some(v) => retry::retry_after(Some(v)),
                            None => Some(retry::backoff(attempt)),
                        }
                    }
                    _ => None,
                }
            };
            match wait {
                Some(delay) => {
                    tracing::debug!(url = %url, attempt, ?delay, "retrying after a transient failure");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                None => return result.map_err(|e| *e.error),
            }
        }
    }

    /// One request: guard, politeness slot, send, check the peer, then either the redirect
    /// target or the capped body.
    async fn hop(&self, original: &Url, url: &Url) -> Result<Hop, HopError> {
        let fail = |error| Err(HopError::fatal(error));
        if !matches!(url.scheme(), "http" | "https") {
            return fail(FetchError::Scheme {
                url: original.clone(),
                scheme: url.scheme().to_string(),
            });
        }
        let host = match url.host() {
            Some(Host::Domain(d)) => normalise_host(d),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => {
                return fail(FetchError::Other {
                    url: original.clone(),
                    message: format!("{url} has no host"),
                });
            }
        };
        // The connector connects to an IP-literal host without asking the resolver, so the
        // guard has to look at it here, before anything is sent.
        let literal: Option<IpAddr> = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal
            && let Err(r) = self.guard.check(&host, ip)
        {
            return fail(refused(original, &r));
        }

        let _permit = self.politeness.acquire(&host).await;
        let client = url
            .port_or_known_default()
            .and_then(|port| self.pinned.get(&port))
            .unwrap_or(&self.client);
        let mut request = client.get(url.clone());
        if self.guard.is_named(&host) && !self.user_headers.is_empty() {
            request = request.headers(self.user_headers.clone());
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err(self.send_error(original, e)),
        };

        // Defence in depth: the resolver only yields vetted addresses, but check the address
        // the connection really went to, in case some path bypassed it.
        let remote_addr = response.remote_addr();
        if let Some(peer) = remote_addr
            && let Err(r) = self.guard.check(&host, peer.ip())
        {
            return fail(refused(original, &r));
        }

        let status = response.status();
        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
            && let Some(location) = response.headers().get(reqwest::header::LOCATION)
        {
            let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
            return match url.join(location.trim()) {
                Ok(next) => Ok(Hop::Redirect(next)),
                Err(e) => fail(FetchError::Other {
                    url: original.clone(),
                    message: format!(
                        "redirect from {url} to an invalid location `{location}`: {e}"
                    ),
                }),
            };
        }

        let too_large = || FetchError::TooLarge {
            url: original.clone(),
            limit: self.opts.max_body,
        };
        // An honest Content-Length over the cap fails without reading anything. (With a
        // compressed body reqwest reports no length; the streaming count below covers it.)
        if response
            .content_length()
            .is_some_and(|len| len > self.opts.max_body)
        {
            return fail(too_large());
        }
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();

        // Chunks come out of the decompressor in small pieces, so a gzip bomb is stopped at
        // the cap (plus one chunk) instead of being inflated whole.
        // Reserve what an honest Content-Length announces (already known to be within the
        // cap); a lying one only costs a reallocation.
        let announced = response.content_length().unwrap_or(0);
        let mut body: Vec<u8> = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let total = body.len() as u64 + chunk.len() as u64;
                    if total > self.opts.max_body {
                        return fail(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return fail(self.timeout(original)),
                Err(e) => {
                    // A connection that broke mid-body is worth another try; a body that does
                    // not decompress will not decompress the next time either.
                    return Err(HopError {
                        transient: broke_mid_body(&e),
                        error: Box::new(FetchError::Other {
                            url: original.clone(),
                            message: format!(
                                "reading the body of {url} failed: {}",
                                error_chain(&e)
                            ),
                        }),
                    });
                }
            }
        }
        Ok(Hop::Done(Fetched {
            url: url.clone(),
            status: status.as_u16(),
            headers,
            body,
            remote_addr,
        }))
    }

    fn timeout(&self, url: &Url) -> FetchError {
        let t = self.opts.timeout;
        // Rounded up, so a sub-second test timeout does not read "0 s".
        let secs = t.as_secs() + u64::from(t.subsec_nanos() > 0);
        FetchError::Timeout {
            url: url.clone(),
            secs,
        }
    }

    /// Sort a failed send into the error it is, and decide whether it is worth a retry.
    fn send_error(&self, original: &Url, e: reqwest::Error) -> HopError {
        if let Some(r) = find_in_chain::<Refusal>(&e) {
            return HopError::fatal(refused(original, r));
        }
        if e.is_timeout() {
            // Not retried: a host that said nothing for `timeout` will most likely do so again.
            return HopError::fatal(self.timeout(original));
        }
        if e.is_connect() {
            // A certificate problem will be there on the next try too.
            let tls = find_in_chain::<rustls::Error>(&e).is_some();
            return HopError {
                error: Box::new(FetchError::Connect {
                    url: original.clone(),
                    message: error_chain(&e),
                }),
                transient: !tls,
            };
        }
        HopError::fatal(FetchError::Other {
            url: original.clone(),
            message: error_chain(&e),
        })
    }
}

fn refused(url: &Url, r: &Refusal) -> FetchError {
    FetchError::Refused {
        url: url.clone(),
        host: r.host.clone(),
        addr: r.addr.to_string(),
        reason: r.why.to_string(),
    }
}

fn without_fragment(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    u
}

/// The first error of type `T` in `e`'s source chain. `io::Error` hides a wrapped error from
/// `source()` (it returns the wrapped error's own source), and TLS failures arrive as an
/// `io::Error` inside an `io::Error`, so the walk steps into wrapped errors itself.
fn find_in_chain<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// Whether a body error is the connection failing rather than the content. reqwest reports
/// every body error as a decode error wrapping a body error, whether the connection broke
/// (a hyper error underneath) or the decompressor rejected the bytes (an `InvalidData` I/O
/// error underneath), so the cause at the bottom decides.
fn broke_mid_body(e: &reqwest::Error) -> bool {
    let mut saw_body_error = false;
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(|r| r.is_body())
        {
            saw_body_error = true;
        }
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::InvalidData)
        {
            return false;
        }
        next = err.source();
    }
    saw_body_error
}

/// An error and its causes on one line ("a: b: c"), skipping causes whose text the line
/// already holds (reqwest and hyper often repeat each other). The request URL is left out:
/// `errors[]` shows it beside the message.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    // "error sending request" says nothing its causes don't say better.
    if let Some(r) = e.downcast_ref::<reqwest::Error>()
        && r.is_request()
        && e.source().is_some()
    {
        next = e.source();
    }
    while let Some(err) = next {
        let mut text = err.to_string();
        if let Some(r) = err.downcast_ref::<reqwest::Error>()
            && let Some(u) = r.url()
        {
            text = text.replace(&format!(" for url ({u})"), "");
        }
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}
