//! Fetching pages and scripts over HTTP(S): one configured client (TLS roots, `--resolve`,
//! timeouts, size caps, redirects, retries), the address guard that keeps a hostile page from
//! steering the scanner into the network it runs in, per-host politeness, and same-site
//! checkout discovery.

pub mod discover;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

use crate::hosts::HostPattern;

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
        Ok(ResolveEntry {
            host: crate::hosts::normalise_host(host),
            port,
            addr,
        })
    }
}

/// Everything the client needs, resolved from the CLI and the config file.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    pub timeout: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body: u64,
    pub max_redirects: usize,
    pub user_agent: String,
    /// Extra request headers, `(name, value)`.
    pub headers: Vec<(String, String)>,
    pub cookie: Option<String>,
    pub resolve: Vec<ResolveEntry>,
    pub ca_certs: Vec<PathBuf>,
    /// Requests in flight at once, and per host.
    pub concurrency: usize,
    pub per_host: usize,
    /// Retries for transient failures (connect errors, 502/503/504, 429).
    pub retries: u32,
    /// `--allow-private`: content-found hosts may resolve to non-public addresses.
    pub allow_private: bool,
    /// Hosts the user named (target hosts, `--resolve` hosts, `--allow-host`): these may be
    /// contacted even when they resolve to non-public addresses.
    pub named_hosts: Vec<HostPattern>,
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
pub struct Fetcher {
    client: reqwest::Client,
    opts: FetchOptions,
}

impl Fetcher {
    pub fn new(opts: FetchOptions) -> Result<Fetcher, ClientError> {
        let client = reqwest::Client::builder()
            .timeout(opts.timeout)
            .user_agent(opts.user_agent.clone())
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(Fetcher { client, opts })
    }

    /// GET a URL. Non-2xx statuses are returned as `Ok` (the caller decides what they mean).
    pub async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        let resp = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| FetchError::Connect {
                url: url.clone(),
                message: e.to_string(),
            })?;
        let status = resp.status().as_u16();
        let final_url = resp.url().clone();
        let remote_addr = resp.remote_addr();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp.bytes().await.map_err(|e| FetchError::Other {
            url: url.clone(),
            message: e.to_string(),
        })?;
        let _ = &self.opts;
        Ok(Fetched {
            url: final_url,
            status,
            headers,
            body: body.to_vec(),
            remote_addr,
        })
    }
}
