//! A page's import maps (`<script type="importmap">`): how the bare specifiers its modules
//! import (`import "checkout"`) turn into URLs. Without them a bare specifier names nothing,
//! and a scanner that skips it misses the module the browser actually runs.
//!
//! Follows the HTML standard's resolution: URL-like specifiers (`/x`, `./x`, `../x`, absolute
//! URLs) resolve against the importing script; then the most specific matching `scopes` entry,
//! then `imports`, each by exact key or by the longest key ending in `/` that prefixes the
//! specifier. Several maps on a page merge, the first definition of a key winning. Invalid
//! JSON or entries are ignored, as browsers ignore them.

use super::{PageDoc, ScriptRef};
use serde::Deserialize;
use std::collections::BTreeMap;
use url::Url;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportMap {
    imports: BTreeMap<String, Url>,
    /// Scope prefix (a URL) → its specifier map.
    scopes: BTreeMap<String, BTreeMap<String, Url>>,
}

#[derive(Deserialize)]
struct RawMap {
    #[serde(default)]
    imports: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    scopes: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

impl ImportMap {
    /// The merged import maps of a page. `base` is the URL relative entries resolve against
    /// (the page's `<base href>` or its URL).
    pub fn of_page(doc: &PageDoc, base: &Url) -> ImportMap {
        let mut map = ImportMap::default();
        for s in &doc.scripts {
            if let ScriptRef::Inline {
                code,
                script_type: Some(t),
                ..
            } = s
                && t == "importmap"
            {
                map.merge(code, base);
            }
        }
        map
    }

    fn merge(&mut self, json: &str, base: &Url) {
        let Ok(raw) = serde_json::from_str::<RawMap>(json) else {
            return;
        };
        for (k, v) in specifier_map(&raw.imports, base) {
            self.imports.entry(k).or_insert(v);
        }
        for (scope, entries) in &raw.scopes {
            let Ok(prefix) = base.join(scope) else {
                continue;
            };
            let target = self.scopes.entry(prefix.to_string()).or_default();
            for (k, v) in specifier_map(entries, base) {
                target.entry(k).or_insert(v);
            }
        }
    }

    /// The URL `specifier`, imported by a script at `referrer`, loads; `None` for a bare
    /// specifier no map names (the browser fails to load it).
    pub fn resolve(&self, specifier: &str, referrer: &Url) -> Option<Url> {
        let as_url = url_like(specifier, referrer);
        let normalized = as_url
            .as_ref()
            .map(Url::to_string)
            .unwrap_or_else(|| specifier.to_string());
        let referrer_s = referrer.as_str();
        // Most specific scope first: the longest prefix.
        let mut scopes: Vec<(&String, &BTreeMap<String, Url>)> = self
            .scopes
            .iter()
            .filter(|(prefix, _)| {
                referrer_s == prefix.as_str()
                    || (prefix.ends_with('/') && referrer_s.starts_with(prefix.as_str()))
            })
            .collect();
        scopes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        for (_, entries) in scopes {
            if let Some(u) = lookup(entries, &normalized) {
                return Some(u);
            }
        }
        lookup(&self.imports, &normalized).or(as_url)
    }
}

/// Keys normalised (URL-like keys become absolute URLs), values resolved; bad values dropped.
fn specifier_map(raw: &BTreeMap<String, serde_json::Value>, base: &Url) -> BTreeMap<String, Url> {
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        let key = url_like(k, base)
            .map(|u| u.to_string())
            .unwrap_or_else(|| k.clone());
        if key.is_empty() {
            continue;
        }
        let Some(value) = v.as_str().and_then(|s| base.join(s).ok()) else {
            continue;
        };
        // A prefix key must map to a prefix value.
        if key.ends_with('/') && !value.as_str().ends_with('/') {
            continue;
        }
        out.insert(key, value);
    }
    out
}

/// A specifier that is a URL or a path (`/x`, `./x`, `../x`), resolved; `None` when bare.
fn url_like(specifier: &str, base: &Url) -> Option<Url> {
    if specifier.starts_with('/') || specifier.starts_with("./") || specifier.starts_with("../") {
        return base.join(specifier).ok();
    }
    Url::parse(specifier).ok()
}

fn lookup(entries: &BTreeMap<String, Url>, normalized: &str) -> Option<Url> {
    if let Some(u) = entries.get(normalized) {
        return Some(u.clone());
    }
    entries
        .iter()
        .filter(|(k, _)| k.ends_with('/') && normalized.starts_with(k.as_str()))
        .max_by_key(|(k, _)| k.len())
        .and_then(|(k, v)| v.join(&normalized[k.len()..]).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(json: &str) -> ImportMap {
        let base = Url::parse("https://shop.example/checkout/").unwrap();
        let mut m = ImportMap::default();
        m.merge(json, &base);
        m
    }

    #[test]
    fn bare_specifiers_exact_prefix_and_scoped() {
        let m = map(r#"{
            "imports": {"cart": "/static/cart.js", "lib/": "/static/lib/", "bad": 3},
            "scopes": {"/static/legacy/": {"cart": "/static/legacy/cart.js"}}
        }"#);
        let app = Url::parse("https://shop.example/static/app.js").unwrap();
        let legacy = Url::parse("https://shop.example/static/legacy/x.js").unwrap();
        let r = |s: &str, from: &Url| m.resolve(s, from).map(|u| u.to_string());
        assert_eq!(
            r("cart", &app).as_deref(),
            Some("https://shop.example/static/cart.js")
        );
        assert_eq!(
            r("lib/pay/card.js", &app).as_deref(),
            Some("https://shop.example/static/lib/pay/card.js")
        );
        assert_eq!(
            r("cart", &legacy).as_deref(),
            Some("https://shop.example/static/legacy/cart.js")
        );
        assert_eq!(
            r("./x.js", &app).as_deref(),
            Some("https://shop.example/static/x.js")
        );
        assert_eq!(r("bad", &app), None);
        assert_eq!(r("unmapped", &app), None);
    }

    #[test]
    fn invalid_json_is_ignored() {
        assert_eq!(map("{not json"), ImportMap::default());
    }
}
