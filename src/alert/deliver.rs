//! Sending an alert: one POST per `--notify` URL, signed, retried on transient failures, never
//! hanging the scan.
//!
//! - The URLs are the user's own (their Slack, their SOAR): the address guard does not apply,
//!   but only `http`/`https` are accepted and redirects are *not* followed — a webhook that
//!   redirects is misconfigured, and following it would send the signed alert somewhere the
//!   user did not name.
//! - `X-Skimscan-Signature: sha256=<hex HMAC-SHA256 of the raw body>` when a secret is set, the
//!   scheme GitHub's webhooks use, so receivers can reuse their verification code.
//! - A 5xx, a 429, a timeout or a connection error is retried with exponential backoff
//!   (0.5 s, 1 s, 2 s); each attempt is bounded by the scan's `--timeout`. A 3xx or other 4xx
//!   is final: repeating the same request will not change the answer.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::time::Duration;

/// Attempts per URL (the first and three retries).
pub const MAX_ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

#[derive(Clone, Debug)]
pub struct NotifyOptions {
    pub urls: Vec<url::Url>,
    /// The shared secret for the signature (read from the environment variable the user named).
    pub secret: Option<Vec<u8>>,
    /// Per-attempt limit.
    pub timeout: Duration,
}

/// Why an alert did not reach one URL (after every attempt).
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("alert to {url} not delivered after {attempts} attempt(s): {message}")]
    Failed {
        url: String,
        attempts: u32,
        message: String,
    },
    #[error("cannot set up the webhook client: {0}")]
    Client(String),
}

/// Parse a `--notify` value: an absolute http(s) URL.
pub fn parse_notify_url(raw: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(raw.trim()).map_err(|e| format!("--notify `{raw}`: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!("--notify `{raw}`: only http(s) URLs with a host"));
    }
    Ok(u)
}

/// The signature header's value for `body`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256=");
    for b in tag.iter() {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

pub struct Notifier {
    client: reqwest::Client,
    opts: NotifyOptions,
}

impl Notifier {
    pub fn new(opts: NotifyOptions) -> Result<Notifier, DeliveryError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .user_agent(concat!("skimscan/", env!("CARGO_PKG_VERSION")))
            .no_proxy()
            .build()
            .map_err(|e| DeliveryError::Client(e.to_string()))?;
        Ok(Notifier { client, opts })
    }

    /// POST `body` to every URL; the errors of those that failed.
    pub async fn send(&self, body: &[u8]) -> Vec<DeliveryError> {
        let sig = self.opts.secret.as_deref().map(|s| signature(s, body));
        let sends = self
            .opts
            .urls
            .iter()
            .map(|u| self.send_one(u, body, sig.as_deref()));
        futures::future::join_all(sends)
            .await
            .into_iter()
            .filter_map(Result::err)
            .collect()
    }

    async fn send_one(
        &self,
        url: &url::Url,
        body: &[u8],
        sig: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let mut last = String::new();
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=MAX_ATTEMPTS {
            let mut req = self
                .client
                .post(url.clone())
                .header("content-type", "application/json")
                .body(body.to_vec());
            if let Some(s) = sig {
                req = req.header("x-skimscan-signature", s);
            }
            let retry = match req.send().await {
                Ok(resp) if resp.status().is_success() => return Ok(()),
                Ok(resp) => {
                    let st = resp.status();
                    last = format!("HTTP {st}");
                    if st.is_redirection() {
                        last.push_str(" (redirects are not followed for alerts)");
                    }
                    st.is_server_error() || st == reqwest::StatusCode::TOO_MANY_REQUESTS
                }
                Err(e) => {
                    last = if e.is_timeout() {
                        format!("no answer within {} s", self.opts.timeout.as_secs_f64())
                    } else {
                        crate::fetch::error_chain(&e)
                    };
                    true
                }
            };
            if !retry {
                return Err(DeliveryError::Failed {
                    url: shown(url),
                    attempts: attempt,
                    message: last,
                });
            }
            if attempt < MAX_ATTEMPTS {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        Err(DeliveryError::Failed {
            url: shown(url),
            attempts: MAX_ATTEMPTS,
            message: last,
        })
    }
}

/// A webhook URL for messages: without its path and query, which often hold the token
/// (Slack's `hooks.slack.com/services/T…/B…/secret`).
fn shown(u: &url::Url) -> String {
    format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or("?"))
        + &u.port().map(|p| format!(" (port {p})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_hmac() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn only_http_urls() {
        assert!(parse_notify_url("https://hooks.example/x").is_ok());
        assert!(parse_notify_url("http://127.0.0.1:9/x").is_ok());
        for bad in [
            "file:///etc/passwd",
            "ftp://x/",
            "hooks.example/x",
            "https://",
        ] {
            assert!(parse_notify_url(bad).is_err(), "{bad}");
        }
    }
}
