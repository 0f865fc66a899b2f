//! The security headers of a page's response, reduced to what matters for script and data
//! control (CSP, framing, HSTS, referrer, permissions, MIME sniffing) and to what can be stored
//! in a baseline: cookies are summarised by their flags only, never their values, so a report
//! or a committed baseline never carries a session id.

use std::collections::BTreeMap;

/// Response headers kept verbatim (lower-case names).
const KEPT: &[&str] = &[
    "content-security-policy",
    "content-security-policy-report-only",
    "x-frame-options",
    "strict-transport-security",
    "referrer-policy",
    "permissions-policy",
    "x-content-type-options",
];

/// The page's security headers, keyed by lower-case name. Repeated headers are joined with
/// ", " (for CSP that is the header list of separate policies, each enforced, as browsers do).
/// `set-cookie` becomes `name: flags` per cookie, sorted by name and joined with " | ".
/// `meta_csp` (policies set by `<meta http-equiv>`) appears as `meta-content-security-policy`.
pub fn security_headers(
    headers: &[(String, String)],
    meta_csp: &[String],
) -> BTreeMap<String, String> {
    let mut kept: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in headers {
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim();
        if name == "set-cookie" {
            if let Some(summary) = cookie_summary(value) {
                cookies.push(summary);
            }
        } else if KEPT.contains(&name.as_str()) && !value.is_empty() {
            kept.entry(name).or_default().push(value.to_string());
        }
    }
    let mut out: BTreeMap<String, String> = kept
        .into_iter()
        .map(|(name, values)| (name, values.join(", ")))
        .collect();
    if !cookies.is_empty() {
        cookies.sort();
        let joined = cookies
            .iter()
            .map(|(name, flags)| format!("{name}: {flags}"))
            .collect::<Vec<_>>();
        out.insert("set-cookie".to_string(), joined.join(" | "));
    }
    let meta: Vec<&str> = meta_csp
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if !meta.is_empty() {
        out.insert("meta-content-security-policy".to_string(), meta.join(", "));
    }
    out
}

/// `name=value; Path=/; HttpOnly; Secure; SameSite=Lax` → (`name`, `HttpOnly; Secure;
/// SameSite=Lax`). The value and the path, domain and expiry are dropped.
fn cookie_summary(set_cookie: &str) -> Option<(String, String)> {
    let mut parts = set_cookie.split(';');
    let name = parts.next()?.split('=').next()?.trim();
    if name.is_empty() {
        return None;
    }
    let mut flags = Vec::new();
    for attribute in parts {
        let (key, value) = match attribute.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (attribute.trim(), None),
        };
        match key.to_ascii_lowercase().as_str() {
            "httponly" => flags.push("HttpOnly".to_string()),
            "secure" => flags.push("Secure".to_string()),
            "partitioned" => flags.push("Partitioned".to_string()),
            "samesite" => flags.push(format!("SameSite={}", value.unwrap_or(""))),
            _ => {}
        }
    }
    let flags = if flags.is_empty() {
        "(no flags)".to_string()
    } else {
        flags.join("; ")
    };
    Some((name.to_string(), flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn keeps_security_headers_and_joins_repeats() {
        let headers = [
            h("Content-Security-Policy", "script-src 'self'"),
            h("content-security-policy", "connect-src 'self'"),
            h("X-Frame-Options", "DENY"),
            h("Server", "nginx"),
        ];
        let out = security_headers(&headers, &["form-action 'self'".to_string()]);
        assert_eq!(
            out["content-security-policy"],
            "script-src 'self', connect-src 'self'"
        );
        assert_eq!(out["x-frame-options"], "DENY");
        assert_eq!(out["meta-content-security-policy"], "form-action 'self'");
        assert!(!out.contains_key("server"));
    }

    #[test]
    fn cookies_are_flags_only_sorted_by_name() {
        let headers = [
            h("Set-Cookie", "cart=abc123; Path=/"),
            h(
                "set-cookie",
                "PHPSESSID=secretvalue; path=/; secure; HttpOnly; SameSite=Lax",
            ),
        ];
        let out = security_headers(&headers, &[]);
        assert_eq!(
            out["set-cookie"],
            "PHPSESSID: Secure; HttpOnly; SameSite=Lax | cart: (no flags)"
        );
        assert!(!out["set-cookie"].contains("secretvalue"));
    }
}
