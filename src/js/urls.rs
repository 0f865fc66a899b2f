//! URL values the way a browser computes them: `new URL(path, base)` objects and their parts,
//! and the host a complete URL really contacts. The `url` crate implements the WHATWG URL
//! standard (percent-decoding and IDNA mapping of hosts), so `https://%65vil.example` and a
//! host typed in full-width letters are the host the browser would resolve, not the text.

use super::value::{HOLE, Value};
use url::Url;

/// `new URL(input, base)`: the resolved `href`, or — when the base is only partly known and
/// the input is a path — the base's known pieces followed by the path (enough to name the host).
pub fn new_url<'a>(input: Option<&Value<'a>>, base: Option<&Value<'a>>) -> Value<'a> {
    let input_text = input.and_then(Value::to_js_string);
    let known = match base {
        None | Some(Value::Undefined) => {
            return match input_text.as_deref().map(Url::parse) {
                Some(Ok(u)) => Value::Url(u.as_str().into()),
                _ => Value::Unknown,
            };
        }
        Some(Value::Holed(h)) => h.to_string(),
        Some(Value::Prefix(p)) => format!("{p}{HOLE}"),
        Some(b) => {
            let Some(b) = b.to_js_string() else {
                return Value::Unknown;
            };
            let Some(i) = input_text else {
                return Value::Unknown;
            };
            return match Url::parse(&b).and_then(|b| b.join(&i)) {
                Ok(u) => Value::Url(u.as_str().into()),
                Err(_) => Value::Unknown,
            };
        }
    };
    // The base is computed at run time: keep what is known of it.
    if let Some(Ok(u)) = input_text.as_deref().map(Url::parse) {
        return Value::Url(u.as_str().into());
    }
    let path = input_text.unwrap_or_else(|| HOLE.to_string());
    let joined = if path.starts_with('/') {
        // An absolute path replaces the base's path: keep the base up to its host.
        let host_end = known
            .find("://")
            .map(|i| i + 3)
            .and_then(|s| known[s..].find('/').map(|e| s + e))
            .unwrap_or(known.len());
        format!("{}{path}", &known[..host_end])
    } else {
        format!("{known}{HOLE}")
    };
    Value::Holed(joined.into())
}

/// A property of a `URL` object.
pub fn url_part<'a>(href: &str, key: &str) -> Value<'a> {
    let Ok(u) = Url::parse(href) else {
        return Value::Unknown;
    };
    let s = match key {
        "href" => u.as_str().to_string(),
        "origin" => u.origin().ascii_serialization(),
        "protocol" => format!("{}:", u.scheme()),
        "host" => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        },
        "hostname" => u.host_str().unwrap_or("").to_string(),
        "pathname" => u.path().to_string(),
        "search" => u.query().map(|q| format!("?{q}")).unwrap_or_default(),
        "hash" => u.fragment().map(|f| format!("#{f}")).unwrap_or_default(),
        _ => return Value::Unknown,
    };
    Value::str(s)
}

/// The host a complete URL contacts, as the browser parses it (lower-case, percent-decoded,
/// IDNA-mapped); None when the text is not an absolute URL with a host.
pub fn whatwg_host(text: &str) -> Option<String> {
    let u = Url::parse(text.trim()).ok()?;
    match u.host()? {
        url::Host::Domain(d) => Some(d.trim_end_matches('.').to_string()),
        url::Host::Ipv4(a) => Some(a.to_string()),
        url::Host::Ipv6(a) => Some(a.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_resolve_like_a_browser() {
        let base = Value::str("https://cdn.collector.example/a/b");
        let u = new_url(Some(&Value::str("/c?x=1")), Some(&base));
        assert_eq!(u.known_text(), Some("https://cdn.collector.example/c?x=1"));
        assert_eq!(
            url_part("https://a.example:8443/p?q#h", "host").as_str(),
            Some("a.example:8443")
        );
        let partial = Value::Holed(format!("https://{HOLE}.collector.example").into());
        let u = new_url(Some(&Value::str("/g")), Some(&partial));
        assert_eq!(
            u.pattern(),
            Some(format!("https://{HOLE}.collector.example/g").as_str())
        );
        assert_eq!(
            whatwg_host("https://%65vil.example/x").as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            whatwg_host("https://\u{ff45}\u{ff56}\u{ff49}\u{ff4c}.example/").as_deref(),
            Some("evil.example")
        );
        assert_eq!(whatwg_host("/relative"), None);
    }
}
