//! The retry policy: which failures are worth a second try, and how long to wait.
//!
//! Retrying hides flakiness that would otherwise make a scan incomplete, but every retry
//! multiplies the time a dead host costs. So only failures that are likely to be gone a moment
//! later are retried (all fetches are GETs, so repeating one is safe):
//!
//! - the connection could not be made (refused, reset, DNS failure) or broke while the body
//!   was being read;
//! - the server answered 429 Too Many Requests, 502 Bad Gateway, 503 Service Unavailable or
//!   504 Gateway Timeout.
//!
//! Not retried: timeouts, whether connecting or waiting for the server (a host that said
//! nothing for `--timeout` seconds will most likely do so again, and a retry would triple the
//! worst case), TLS certificate errors, address-guard refusals, oversized or undecodable
//! bodies, redirect problems, and every other status (the caller sees the status).
//!
//! Waits are short and doubling (250 ms, 500 ms, 1 s, …, at most 5 s); a `Retry-After` of a few
//! seconds is honoured, a longer one is not waited for (the last response is returned instead).

use std::time::Duration;

/// First wait; doubled for each further attempt.
pub const BASE_DELAY: Duration = Duration::from_millis(250);
/// No single wait is longer than this, `Retry-After` included.
pub const MAX_DELAY: Duration = Duration::from_secs(5);

/// Whether a response status is a transient server-side condition.
pub fn status_is_transient(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The wait before retry number `attempt` (0 for the first retry).
pub fn backoff(attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
    BASE_DELAY.saturating_mul(factor).min(MAX_DELAY)
}

/// The wait a `Retry-After` header asks for, when it is a small number of seconds. An HTTP
/// date or a long wait yields `None`: the caller then does not retry a status response.
pub fn retry_after(value: Option<&str>) -> Option<Duration> {
    let secs: u64 = value?.trim().parse().ok()?;
    let wait = Duration::from_secs(secs);
    (wait <= MAX_DELAY).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(10), MAX_DELAY);
        assert_eq!(backoff(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn transient_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(status_is_transient(s));
        }
        for s in [200, 301, 404, 500, 501] {
            assert!(!status_is_transient(s));
        }
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(retry_after(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some("600")), None);
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(None), None);
    }
}
