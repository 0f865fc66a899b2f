//! Which recorded script a scanned script is: shared by `scan --baseline` (statuses and
//! findings) and `baseline update` (which human fields to carry over), so both always agree.
//!
//! External and dynamic scripts are the same script when their URL is the same, or when both
//! match the same volatile pattern. Code in the page has no name: it is the same script when its
//! normalised code is the same; what is left over is paired up as "changed" by similarity of
//! the code (when the old code is stored) or else by position on the page, so a skimmer
//! appended to an inline block reads as a change to that block, not as one removed and one new.
//!
//! The same site is often scanned in different forms: the baseline recorded from production
//! (`https://shop.example/checkout/`), the CI gate scanning the built site
//! (`dist/checkout/index.html`) or staging (`https://staging.shop.example/checkout/`). So pages
//! and first-party scripts also match by their path within the site (`/checkout/`,
//! `/static/app.js`) when their full names do not.

use super::model::{BaselineScript, volatile_pattern};
use super::normalise;
use crate::inventory::{BaselineStatus, ScriptKind, ScriptRecord, ScriptText};
use std::collections::BTreeMap;
use std::time::Duration;

/// A scanned script as the baseline sees it.
#[derive(Clone, Debug)]
pub(crate) struct Current<'a> {
    pub record: &'a ScriptRecord,
    pub identity: String,
    /// The hash compared with [`BaselineScript::comparison_hash`].
    pub comparison: Option<String>,
    /// The normalised code's hash (code in the page only).
    pub normalised: Option<String>,
    pub position: Option<u32>,
    /// The volatile pattern this script matched.
    pub volatile: Option<String>,
    /// For a first-party script file: its path within the site (see [`relative`]).
    pub rel: Option<String>,
}

/// The folder every name shares, for local targets (`demo/shop/index.html`,
/// `demo/shop/checkout/index.html` → `demo/shop`); `None` for URLs.
pub(crate) fn local_root<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let folder = |p: &str| -> Vec<String> {
        let mut parts: Vec<String> = p.split('/').map(str::to_string).collect();
        parts.pop();
        parts
    };
    let mut common: Option<Vec<String>> = None;
    for n in names {
        if is_url(n) {
            return None;
        }
        let f = folder(n);
        common = Some(match common {
            None => f,
            Some(c) => {
                let k = c.iter().zip(&f).take_while(|(a, b)| a == b).count();
                c[..k].to_vec()
            }
        });
    }
    common.map(|c| c.join("/"))
}

fn is_url(name: &str) -> bool {
    url::Url::parse(name).is_ok_and(|u| u.host_str().is_some())
}

/// A page or script name as a path within its site: the URL's path (and query), or a local
/// name below `local_root`; `index.html` is what a server answers for its folder.
pub(crate) fn relative(name: &str, local_root: Option<&str>) -> Option<String> {
    let path = match url::Url::parse(name) {
        Ok(u) if u.host_str().is_some() => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        _ => {
            let root = local_root?;
            let rest = if root.is_empty() {
                name
            } else {
                name.strip_prefix(root)?
            };
            if root.is_empty() || rest.starts_with('/') {
                format!("/{}", rest.trim_start_matches('/'))
            } else {
                return None;
            }
        }
    };
    for index in ["index.html", "index.htm"] {
        if let Some(folder) = path.strip_suffix(index)
            && folder.ends_with('/')
        {
            return Some(folder.to_string());
        }
    }
    Some(path)
}

/// Where the names of each side are rooted, for [`relative`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Roots {
    pub scan: Option<String>,
    pub baseline: Option<String>,
}

impl Roots {
    pub(crate) fn new(
        baseline: &super::model::Baseline,
        scanned: &[crate::report::PageRecord],
    ) -> Roots {
        Roots {
            scan: local_root(scanned.iter().map(|p| p.url.as_str())),
            baseline: local_root(baseline.pages.keys().map(String::as_str)),
        }
    }
}

/// The recorded page a scanned page is: the same name, the name it was requested as, or the
/// only recorded page with the same path within the site.
pub(crate) fn find_page<'a>(
    baseline: &'a super::model::Baseline,
    page: &crate::report::PageRecord,
    roots: &Roots,
) -> Option<(&'a String, &'a super::model::BaselinePage)> {
    if let Some(found) = baseline.pages.get_key_value(&page.url) {
        return Some(found);
    }
    if let Some(found) = page
        .requested_url
        .as_ref()
        .and_then(|r| baseline.pages.get_key_value(r))
    {
        return Some(found);
    }
    let rel = relative(&page.url, roots.scan.as_deref())?;
    let mut same = baseline
        .pages
        .iter()
        .filter(|(k, _)| relative(k, roots.baseline.as_deref()).as_deref() == Some(rel.as_str()));
    match (same.next(), same.next()) {
        (Some(found), None) => Some(found),
        _ => None,
    }
}

/// External and dynamic scripts are both files named by URL: a script the page now loads at
/// run time instead of with a tag is still the same script.
fn same_class(a: ScriptKind, b: ScriptKind) -> bool {
    let file = |k| matches!(k, ScriptKind::External | ScriptKind::Dynamic);
    a == b || (file(a) && file(b))
}

/// Position N of a `<page>#inline-N` / `<page>#handler-N` id.
fn position_of(id: &str) -> Option<u32> {
    let (_, tail) = id.rsplit_once('#')?;
    let n = tail
        .strip_prefix("inline-")
        .or_else(|| tail.strip_prefix("handler-"))?;
    n.parse().ok()
}

pub(crate) fn describe<'a>(
    record: &'a ScriptRecord,
    sources: &BTreeMap<String, ScriptText>,
    volatile: &[String],
    scan_root: Option<&str>,
) -> Current<'a> {
    match record.kind {
        ScriptKind::Inline | ScriptKind::Handler => {
            let normalised = sources
                .get(&record.id)
                .map(|t| normalise::code_identity(&t.text));
            let hash = normalised.clone().or_else(|| record.sha256.clone());
            let prefix = if record.kind == ScriptKind::Inline {
                "inline"
            } else {
                "handler"
            };
            Current {
                record,
                identity: format!("{prefix}:{}", hash.as_deref().unwrap_or("unknown")),
                comparison: hash,
                normalised,
                position: position_of(&record.id),
                volatile: None,
                rel: None,
            }
        }
        ScriptKind::External | ScriptKind::Dynamic | ScriptKind::Runtime => {
            let url = record.url.clone().unwrap_or_else(|| record.id.clone());
            let pattern = volatile_pattern(volatile, &url).map(str::to_string);
            let rel = (record.party == crate::inventory::Party::First)
                .then(|| relative(&url, scan_root))
                .flatten();
            Current {
                record,
                identity: match &pattern {
                    Some(p) => format!("volatile:{p}"),
                    None => url,
                },
                comparison: record.sha256.clone(),
                normalised: None,
                position: None,
                rel,
                volatile: pattern,
            }
        }
    }
}

/// The outcome for one page.
#[derive(Clone, Debug, Default)]
pub(crate) struct PageMatch {
    /// Per scanned script: the recorded script it is, if any.
    pub matched: Vec<Option<usize>>,
    /// Per scanned script: its status, or `None` when it cannot be compared (no hash: the
    /// script was not fetched now or then).
    pub status: Vec<Option<BaselineStatus>>,
    /// Recorded scripts no scanned script is.
    pub removed: Vec<usize>,
}

/// Match the scanned scripts of one page against the recorded ones. `old_code` gives a recorded
/// script's stored code and `new_code` a scanned script's text; both are only used to pair up
/// changed code in the page.
pub(crate) fn match_page(
    old: &[BaselineScript],
    baseline_root: Option<&str>,
    current: &[Current<'_>],
    old_code: &dyn Fn(&BaselineScript) -> Option<String>,
    new_code: &dyn Fn(&Current<'_>) -> Option<String>,
) -> PageMatch {
    let mut m = PageMatch {
        matched: vec![None; current.len()],
        status: vec![None; current.len()],
        removed: Vec::new(),
    };
    let mut used = vec![false; old.len()];

    // 1. Same identity.
    for (ci, c) in current.iter().enumerate() {
        let found = old.iter().enumerate().position(|(oi, o)| {
            let same = o.identity == c.identity
                // A pattern added by hand after the script was recorded by URL.
                || c.volatile.as_deref().is_some_and(|p| {
                    o.url
                        .as_deref()
                        .is_some_and(|u| super::model::pattern_matches(p, u))
                })
                // The same first-party file under another origin or folder (staging, dist/).
                || (c.rel.is_some()
                    && !o.volatile
                    && o.party == crate::inventory::Party::First
                    && o.url.as_deref().and_then(|u| relative(u, baseline_root)) == c.rel);
            same && same_class(o.kind, c.record.kind)
                // A volatile entry stands for any number of scripts matching its pattern.
                && (!used[oi] || o.volatile)
        });
        let Some(oi) = found else { continue };
        used[oi] = true;
        m.matched[ci] = Some(oi);
        let o = &old[oi];
        m.status[ci] = if o.volatile || c.volatile.is_some() {
            Some(BaselineStatus::Unchanged)
        } else {
            match (o.comparison_hash(), c.comparison.as_deref()) {
                (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => Some(BaselineStatus::Unchanged),
                (Some(_), Some(_)) => Some(BaselineStatus::Changed),
                _ => None,
            }
        };
    }

    // 2. Code in the page left over on both sides: pair as changed.
    for kind in [ScriptKind::Inline, ScriptKind::Handler] {
        let cur: Vec<usize> = (0..current.len())
            .filter(|&i| m.matched[i].is_none() && current[i].record.kind == kind)
            .collect();
        let rec: Vec<usize> = (0..old.len())
            .filter(|&i| !used[i] && old[i].kind == kind)
            .collect();
        if cur.is_empty() || rec.is_empty() {
            continue;
        }
        for (ci, oi) in pair_code(&cur, &rec, old, current, old_code, new_code) {
            used[oi] = true;
            m.matched[ci] = Some(oi);
            m.status[ci] = Some(BaselineStatus::Changed);
        }
    }

    for (ci, st) in m.status.iter_mut().enumerate() {
        if m.matched[ci].is_none() {
            *st = Some(BaselineStatus::New);
        }
    }
    m.removed = (0..old.len()).filter(|&i| !used[i]).collect();
    m
}

const MAX_SIMILARITY_PAIRS: usize = 100;

/// Pair leftover code: by similarity of the normalised code when both texts are at hand
/// (best pairs first, at least half similar), otherwise by equal position on the page.
fn pair_code(
    cur: &[usize],
    rec: &[usize],
    old: &[BaselineScript],
    current: &[Current<'_>],
    old_code: &dyn Fn(&BaselineScript) -> Option<String>,
    new_code: &dyn Fn(&Current<'_>) -> Option<String>,
) -> Vec<(usize, usize)> {
    // Similarity costs a character diff per pair: a page whose inline code all changed at once
    // (a new template) is paired by position instead of by hundreds of diffs.
    let compare_code = cur.len() * rec.len() <= MAX_SIMILARITY_PAIRS;
    let old_texts: Vec<Option<String>> = rec
        .iter()
        .map(|&i| {
            old_code(&old[i])
                .filter(|_| compare_code)
                .map(|t| normalise::normalise_code(&t))
        })
        .collect();
    let new_texts: Vec<Option<String>> = cur
        .iter()
        .map(|&i| {
            new_code(&current[i])
                .filter(|_| compare_code)
                .map(|t| normalise::normalise_code(&t))
        })
        .collect();
    let mut candidates: Vec<(u32, usize, usize)> = Vec::new();
    for (a, nt) in new_texts.iter().enumerate() {
        for (b, ot) in old_texts.iter().enumerate() {
            let score = match (nt, ot) {
                (Some(n), Some(o)) => {
                    let ratio = similar::TextDiff::configure()
                        .timeout(Duration::from_millis(50))
                        .diff_chars(o.as_str(), n.as_str())
                        .ratio();
                    if ratio < 0.5 {
                        continue;
                    }
                    // Scores as integers keep the sort total and deterministic.
                    (ratio * 10_000.0) as u32
                }
                _ => {
                    let (p, q) = (current[cur[a]].position, old[rec[b]].position);
                    if p.is_some() && p == q {
                        1
                    } else {
                        continue;
                    }
                }
            };
            candidates.push((score, a, b));
        }
    }
    candidates.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut taken_c, mut taken_r) = (vec![false; cur.len()], vec![false; rec.len()]);
    let mut out = Vec::new();
    for (_, a, b) in candidates {
        if taken_c[a] || taken_r[b] {
            continue;
        }
        taken_c[a] = true;
        taken_r[b] = true;
        out.push((cur[a], rec[b]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_within_the_site() {
        assert_eq!(
            relative("https://staging.shop.example/checkout/index.html", None).as_deref(),
            Some("/checkout/")
        );
        assert_eq!(
            relative("dist/static/app.js", Some("dist")).as_deref(),
            Some("/static/app.js")
        );
        assert_eq!(
            relative("dist/index.html", Some("dist")).as_deref(),
            Some("/")
        );
        assert_eq!(relative("distant/x.js", Some("dist")), None);
        assert_eq!(relative("x.js", None), None);
        assert_eq!(
            local_root(["dist/index.html", "dist/checkout/index.html"]).as_deref(),
            Some("dist")
        );
        assert_eq!(local_root(["https://shop.example/"]), None);
    }

    #[test]
    fn positions_come_from_ids() {
        assert_eq!(position_of("https://s.example/checkout#inline-3"), Some(3));
        assert_eq!(position_of("demo/checkout/index.html#handler-12"), Some(12));
        assert_eq!(position_of("https://s.example/app.js"), None);
    }
}
