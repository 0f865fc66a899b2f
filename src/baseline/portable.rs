//! A baseline of a local site is portable: its pages are named relative to where the site was
//! scanned from (`shop/checkout/index.html`), so it means the same on every machine and in
//! git. `baseline update` may be pointed at the same site through another spelling
//! (`/home/ci/build/shop`, `./shop/`); the scan then names its pages under that spelling, and
//! recording those names would re-key every page to one machine's absolute path. This module
//! renames the scan's local names onto the baseline's before the update records them.

use super::matching::local_root;
use super::model::Baseline;
use crate::inventory::ScriptText;
use crate::report::Report;
use std::collections::BTreeMap;

/// The scan's report and script texts with its local names moved under the baseline's root,
/// when both are local sites rooted differently; otherwise unchanged.
pub fn onto_baseline_names(
    baseline: &Baseline,
    report: &Report,
    sources: &BTreeMap<String, ScriptText>,
) -> (Report, BTreeMap<String, ScriptText>) {
    let scan_root = local_root(report.pages.iter().map(|p| p.url.as_str()));
    let base_root = local_root(baseline.pages.keys().map(String::as_str));
    let (Some(from), Some(to)) = (scan_root, base_root) else {
        return (report.clone(), sources.clone());
    };
    if from == to {
        return (report.clone(), sources.clone());
    }
    let rename = |name: &mut String| {
        if let Some(n) = renamed(name, &from, &to) {
            *name = n;
        }
    };
    let rename_opt = |name: &mut Option<String>| {
        if let Some(n) = name {
            rename(n);
        }
    };
    let mut r = report.clone();
    for p in &mut r.pages {
        rename(&mut p.url);
        rename_opt(&mut p.requested_url);
    }
    for s in &mut r.scripts {
        rename(&mut s.page);
        rename(&mut s.id);
        rename_opt(&mut s.url);
    }
    for f in &mut r.findings {
        rename_opt(&mut f.page);
        rename_opt(&mut f.script);
    }
    for e in &mut r.errors {
        rename(&mut e.url);
    }
    let texts = sources
        .values()
        .map(|t| {
            let mut t = t.clone();
            rename(&mut t.id);
            (t.id.clone(), t)
        })
        .collect();
    (r, texts)
}

/// `name` moved from under `from` to under `to` (both folder names without a trailing
/// slash; empty means the current folder), or None when it is not under `from`.
fn renamed(name: &str, from: &str, to: &str) -> Option<String> {
    let rest = if from.is_empty() {
        (!name.starts_with('/') && !name.contains("://")).then_some(name)?
    } else if name == from {
        ""
    } else {
        name.strip_prefix(from)?.strip_prefix('/')?
    };
    Some(match (to.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => to.to_string(),
        (false, false) => format!("{to}/{rest}"),
    })
}

#[cfg(test)]
mod tests {
    use super::renamed;

    #[test]
    fn names_move_between_roots() {
        assert_eq!(
            renamed("/abs/shop/checkout/index.html", "/abs/shop", "shop").as_deref(),
            Some("shop/checkout/index.html")
        );
        assert_eq!(
            renamed("/abs/shop/index.html#inline-1", "/abs/shop", "shop").as_deref(),
            Some("shop/index.html#inline-1")
        );
        assert_eq!(renamed("/abs/shopping/x.js", "/abs/shop", "shop"), None);
        assert_eq!(
            renamed("https://cdn.example/x.js", "/abs/shop", "shop"),
            None
        );
        assert_eq!(
            renamed("index.html", "", "dist").as_deref(),
            Some("dist/index.html")
        );
        assert_eq!(
            renamed("dist/index.html", "dist", "").as_deref(),
            Some("index.html")
        );
    }
}
