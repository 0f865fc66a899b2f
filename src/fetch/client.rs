//! Building the reqwest clients: TLS roots, the guarded resolver, decompression, timeouts.
//!
//! - TLS is rustls with the platform's roots (rustls-platform-verifier) plus every certificate
//!   in each `--ca-cert` file, so a staging or corporate CA works without dropping the public
//!   roots. A file that cannot be read or holds no usable certificate is a usage error.
//! - Proxies from the environment are ignored: a proxy resolves names itself, which would
//!   bypass the address guard's resolver.
//! - Redirects are not followed here: the fetcher follows them itself so every hop passes the
//!   guard and loops are reported as loops.
//! - Responses are decompressed (gzip, brotli, deflate) inside the body stream, so the size
//!   cap the fetcher applies counts decompressed bytes.
//! - The user's extra headers and cookie are *not* client defaults: the fetcher adds them only
//!   to requests for hosts the user named, so a session cookie never reaches a script host
//!   found in page content.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::guard::{AddressGuard, GuardedResolver};
use super::{ClientError, FetchOptions};

/// What a desktop browser sends besides its user agent; some skimmers serve their payload only
/// to requests that look like a browser's.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const BROWSER_ACCEPT_LANGUAGE: &str = "en-US,en;q=0.9";

/// Every certificate in every `--ca-cert` file, checked one by one so a bad file is named.
pub(crate) fn load_ca_certs(
    paths: &[impl AsRef<Path>],
) -> Result<Vec<reqwest::Certificate>, ClientError> {
    let mut out = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let err = |message: String| ClientError::CaCert {
            path: path.to_path_buf(),
            message,
        };
        let pem = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let mut found = 0usize;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let der = cert.map_err(|e| err(format!("not a PEM certificate file: {e}")))?;
            // Parse it as a trust anchor now: the platform verifier would only fail later, at
            // client build time, without saying which file was at fault.
            let mut probe = rustls::RootCertStore::empty();
            probe
                .add(der.clone())
                .map_err(|e| err(format!("certificate {} is not usable: {e}", found + 1)))?;
            let cert = reqwest::Certificate::from_der(der.as_ref())
                .map_err(|e| err(format!("certificate {}: {e}", found + 1)))?;
            out.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(err(
                "no PEM certificate (-----BEGIN CERTIFICATE-----) found".into(),
            ));
        }
    }
    Ok(out)
}

/// The user's `--header` and `--cookie`, validated once.
pub(crate) fn user_headers(opts: &FetchOptions) -> Result<HeaderMap, ClientError> {
    let mut map = HeaderMap::new();
    for (name, value) in &opts.headers {
        let header = format!("{name}: {value}");
        let n =
            HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| ClientError::Header {
                header: header.clone(),
                message: e.to_string(),
            })?;
        let v = HeaderValue::from_str(value.trim()).map_err(|e| ClientError::Header {
            header: header.clone(),
            message: e.to_string(),
        })?;
        map.append(n, v);
    }
    if let Some(cookie) = &opts.cookie {
        let v = HeaderValue::from_str(cookie.trim()).map_err(|e| ClientError::Header {
            header: format!("Cookie: {cookie}"),
            message: e.to_string(),
        })?;
        map.append(reqwest::header::COOKIE, v);
    }
    Ok(map)
}

/// One client. `pins` are the `--resolve` entries for the port this client serves.
pub(crate) fn build_client(
    opts: &FetchOptions,
    guard: &Arc<AddressGuard>,
    pins: HashMap<String, IpAddr>,
    ca_certs: &[reqwest::Certificate],
) -> Result<reqwest::Client, ClientError> {
    let user_agent = HeaderValue::from_str(&opts.user_agent).map_err(|e| ClientError::Header {
        header: format!("User-Agent: {}", opts.user_agent),
        message: e.to_string(),
    })?;
    let mut defaults = HeaderMap::new();
    defaults.insert(
        reqwest::header::ACCEPT,
        HeaderValue::from_static(BROWSER_ACCEPT),
    );
    defaults.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        HeaderValue::from_static(BROWSER_ACCEPT_LANGUAGE),
    );
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent)
        .default_headers(defaults)
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .no_proxy()
        .gzip(true)
        .brotli(true)
        .deflate(true)
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .pool_max_idle_per_host(opts.per_host.max(1))
        .dns_resolver(Arc::new(GuardedResolver::new(Arc::clone(guard), pins)));
    if !ca_certs.is_empty() {
        builder = builder.tls_certs_merge(ca_certs.iter().cloned());
    }
    builder
        .build()
        .map_err(|e| ClientError::Build(super::error_chain(&e)))
}
