//! A URL object's parts set by a script (`u.hostname = …`): the address it then holds.

use super::Interp;
use crate::js::value::{Scope, Value};
use oxc_ast::ast::{Expression, StaticMemberExpression};
use oxc_syntax::operator::AssignmentOperator;

impl<'a> Interp<'a> {
    /// `u.hostname = 'api.x.example'` on a URL object held by a name: the name now holds the
    /// changed URL (or an unknown one), never the stale address. Whether it was such a write.
    pub(super) fn set_url_part(
        &self,
        obj: &Value<'a>,
        m: &'a StaticMemberExpression<'a>,
        op: AssignmentOperator,
        rhs: &Value<'a>,
        sc: Option<&Scope<'a>>,
    ) -> bool {
        let (Value::Url(href), Expression::Identifier(id)) = (obj, m.object.without_parentheses())
        else {
            return false;
        };
        let part = m.property.name.as_str();
        if !URL_PARTS.contains(&part) {
            return false;
        }
        let changed = match op {
            AssignmentOperator::Assign => rhs
                .to_js_string()
                .and_then(|t| url_with_part(href, part, &t)),
            _ => None,
        };
        let v = changed.map_or(Value::Unknown, |u| Value::Url(u.into()));
        self.assign_name(id.name.as_str(), v, sc);
        true
    }
}

/// The properties of a URL object that change its address when set.
const URL_PARTS: &[&str] = &[
    "href", "hostname", "host", "protocol", "pathname", "search", "hash", "port", "username",
    "password",
];

/// `href` with one of its parts set as a script sets a URL object's property (WHATWG
/// setters, the `url` crate's); `None` when the part is not one of them or does not parse.
fn url_with_part(href: &str, part: &str, value: &str) -> Option<String> {
    let mut u = url::Url::parse(href).ok()?;
    let ok = match part {
        "href" => {
            u = url::Url::parse(value).ok()?;
            true
        }
        "hostname" => u.set_host(Some(value)).is_ok(),
        "host" => match value.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
                u.set_host(Some(h)).is_ok() && u.set_port(p.parse().ok()).is_ok()
            }
            _ => u.set_host(Some(value)).is_ok(),
        },
        "protocol" => u.set_scheme(value.trim_end_matches(':')).is_ok(),
        "pathname" => {
            u.set_path(value);
            true
        }
        "search" => {
            u.set_query(Some(value.trim_start_matches('?')).filter(|q| !q.is_empty()));
            true
        }
        "hash" => {
            u.set_fragment(Some(value.trim_start_matches('#')).filter(|f| !f.is_empty()));
            true
        }
        "port" => u.set_port(value.parse().ok()).is_ok(),
        "username" => u.set_username(value).is_ok(),
        "password" => u.set_password(Some(value)).is_ok(),
        _ => false,
    };
    ok.then(|| u.to_string())
}

#[cfg(test)]
mod url_part_tests {
    use super::url_with_part;

    #[test]
    fn setting_a_url_objects_parts_changes_its_address() {
        let base = "https://www.google-analytics.com/g/collect?v=2";
        assert_eq!(
            url_with_part(base, "hostname", "api.evil.example").as_deref(),
            Some("https://api.evil.example/g/collect?v=2")
        );
        assert_eq!(
            url_with_part(base, "host", "x.example:8443").as_deref(),
            Some("https://x.example:8443/g/collect?v=2")
        );
        assert_eq!(
            url_with_part(base, "href", "https://y.example/c").as_deref(),
            Some("https://y.example/c")
        );
        assert_eq!(
            url_with_part(base, "search", "?d=1").as_deref(),
            Some("https://www.google-analytics.com/g/collect?d=1")
        );
        // Not a host: the address is then unknown (the caller's `None`), never the old one.
        assert_eq!(url_with_part(base, "hostname", "a b/c"), None);
    }
}
