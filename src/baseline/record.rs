//! `baseline create` and `baseline update`: record a scan as a baseline, or re-record a site
//! while keeping everything a person wrote (justifications, owners, authorised hosts, volatile
//! patterns) and every recorded fact the new scan could not see (a page that did not load, a
//! script that could not be fetched keeps its recorded hash).

use super::matching::{self, Current};
use super::model::{Baseline, BaselinePage, BaselineScript, SCHEMA_VERSION};
use super::normalise::header_value;
use super::store::CodeStore;
use crate::inventory::{BaselineStatus, ScriptKind, ScriptRecord, ScriptText};
use crate::report::{PageRecord, Report};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One difference `baseline update` found, printed one per line for the person running it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    NewPage {
        page: String,
    },
    /// A recorded page the scan did not load: kept as recorded.
    PageNotScanned {
        page: String,
    },
    PaymentForm {
        page: String,
        now: bool,
    },
    NewScript {
        page: String,
        script: String,
    },
    ChangedScript {
        page: String,
        script: String,
    },
    RemovedScript {
        page: String,
        script: String,
    },
    Header {
        page: String,
        name: String,
        old: Option<String>,
        new: Option<String>,
    },
    NewDestination {
        host: String,
    },
    RemovedDestination {
        host: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::NewPage { page } => write!(f, "+ new page {page}"),
            Change::PageNotScanned { page } => {
                write!(f, "= page {page} was not scanned; kept as recorded")
            }
            Change::PaymentForm { page, now: true } => {
                write!(f, "~ {page} now has payment fields")
            }
            Change::PaymentForm { page, now: false } => {
                write!(f, "~ {page} no longer has payment fields")
            }
            Change::NewScript { page, script } => write!(f, "+ new script {script} on {page}"),
            Change::ChangedScript { page, script } => {
                write!(f, "~ changed script {script} on {page}")
            }
            Change::RemovedScript { page, script } => {
                write!(f, "- removed script {script} from {page}")
            }
            Change::Header {
                page,
                name,
                old: None,
                new: Some(v),
            } => write!(f, "+ header {name} on {page}: {v}"),
            Change::Header {
                page,
                name,
                old: Some(v),
                new: None,
            } => write!(f, "- header {name} removed from {page} (was: {v})"),
            Change::Header {
                page,
                name,
                old,
                new,
            } => write!(
                f,
                "~ header {name} on {page}: {} → {}",
                old.as_deref().unwrap_or(""),
                new.as_deref().unwrap_or("")
            ),
            Change::NewDestination { host } => write!(f, "+ new destination host {host}"),
            Change::RemovedDestination { host } => {
                write!(f, "- destination host {host} no longer seen")
            }
        }
    }
}

/// How a script is named for people: its URL, or "inline script #N" for code in the page.
pub(crate) fn script_label(kind: ScriptKind, url: Option<&str>, position: Option<u32>) -> String {
    match (kind, url) {
        (ScriptKind::Inline, _) => match position {
            Some(n) => format!("inline script #{n}"),
            None => "inline script".into(),
        },
        (ScriptKind::Handler, _) => match position {
            Some(n) => format!("event handler #{n}"),
            None => "event handler".into(),
        },
        (_, Some(u)) => u.to_string(),
        (_, None) => "script".into(),
    }
}

/// The site a report is about: the first page's host, or for local targets the folder all
/// pages share (`demo/shop`).
fn site_of(report: &Report) -> String {
    let Some(first) = report.pages.first() else {
        return String::new();
    };
    if let Ok(u) = url::Url::parse(&first.url)
        && let Some(h) = u.host_str()
    {
        return h.to_string();
    }
    match matching::local_root(report.pages.iter().map(|p| p.url.as_str())) {
        Some(root) if !root.is_empty() => root,
        _ => first.url.clone(),
    }
}

fn normalised_headers(page: &PageRecord) -> BTreeMap<String, String> {
    page.headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), header_value(k, v)))
        .collect()
}

fn sorted_hosts<'a>(hosts: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let set: BTreeSet<String> = hosts
        .into_iter()
        .map(|h| crate::hosts::normalise_host(h))
        .collect();
    set.into_iter().collect()
}

/// A fresh baseline entry for a scanned script.
fn fresh(c: &Current<'_>, now: &str) -> BaselineScript {
    let r = c.record;
    let volatile = c.volatile.is_some();
    BaselineScript {
        identity: c.identity.clone(),
        kind: r.kind,
        url: match &c.volatile {
            Some(p) => Some(p.clone()),
            None => r.url.clone(),
        },
        position: c.position,
        party: r.party,
        // A volatile script's bytes change legitimately: recording them would only make noise
        // in every update's diff.
        sha256: if volatile { None } else { r.sha256.clone() },
        normalised_sha256: if volatile { None } else { c.normalised.clone() },
        sri: if volatile { None } else { r.sri.clone() },
        size: if volatile { None } else { r.size },
        volatile,
        destinations: sorted_hosts(&r.destinations),
        behaviour: if volatile { None } else { r.behaviour.clone() },
        first_seen: now.to_string(),
        justification: String::new(),
        owner: String::new(),
    }
}

/// The scanned scripts of one page.
fn page_scripts<'a>(report: &'a Report, page: &PageRecord) -> Vec<&'a ScriptRecord> {
    report
        .scripts
        .iter()
        .filter(|s| s.page == page.url)
        .collect()
}

/// Record a scan as a new baseline.
pub fn create(report: &Report, sources: &BTreeMap<String, ScriptText>, now: &str) -> Baseline {
    let empty = Baseline {
        schema_version: SCHEMA_VERSION,
        site: site_of(report),
        created_at: now.to_string(),
        updated_at: now.to_string(),
        authorised_hosts: Vec::new(),
        volatile: Vec::new(),
        destinations: Vec::new(),
        pages: BTreeMap::new(),
    };
    update(&empty, report, sources, now).0
}

/// Re-record the site from a scan, keeping human fields and what the scan could not see, and
/// list what changed.
pub fn update(
    old: &Baseline,
    report: &Report,
    sources: &BTreeMap<String, ScriptText>,
    now: &str,
) -> (Baseline, Vec<Change>) {
    update_with_code(old, report, sources, None, now)
}

/// [`update`], pairing changed code in the page by similarity with the old code in `store`.
pub fn update_with_code(
    old: &Baseline,
    report: &Report,
    sources: &BTreeMap<String, ScriptText>,
    store: Option<&CodeStore>,
    now: &str,
) -> (Baseline, Vec<Change>) {
    let mut changes = Vec::new();
    let mut pages = BTreeMap::new();
    let old_code =
        |s: &BaselineScript| store.and_then(|st| s.sha256.as_deref().and_then(|h| st.get(h)));
    let new_code = |c: &Current<'_>| sources.get(&c.record.id).map(|t| t.text.to_string());

    let roots = matching::Roots::new(old, &report.pages);
    let mut scanned: BTreeSet<&String> = BTreeSet::new();

    for page in &report.pages {
        let found = matching::find_page(old, page, &roots);
        if let Some((key, _)) = found {
            scanned.insert(key);
        }
        let recorded = found.map(|(_, p)| p);
        let current: Vec<Current<'_>> = page_scripts(report, page)
            .into_iter()
            .map(|r| matching::describe(r, sources, &old.volatile, roots.scan.as_deref()))
            .collect();
        let empty = BaselinePage::default();
        let rec_page = match recorded {
            Some(p) => p,
            None => {
                if !old.pages.is_empty() {
                    changes.push(Change::NewPage {
                        page: page.url.clone(),
                    });
                }
                &empty
            }
        };
        let m = matching::match_page(
            &rec_page.scripts,
            roots.baseline.as_deref(),
            &current,
            &old_code,
            &new_code,
        );
        let mut scripts: Vec<BaselineScript> = Vec::new();
        let mut seen_volatile = BTreeSet::new();
        for (ci, c) in current.iter().enumerate() {
            let mut entry = fresh(c, now);
            if entry.volatile && !seen_volatile.insert(entry.identity.clone()) {
                continue;
            }
            let label = script_label(c.record.kind, c.record.url.as_deref(), c.position);
            match m.matched[ci].map(|oi| &rec_page.scripts[oi]) {
                Some(o) => {
                    entry.first_seen = o.first_seen.clone();
                    entry.justification = o.justification.clone();
                    entry.owner = o.owner.clone();
                    let not_fetched = c.record.sha256.is_none();
                    let unchanged = m.status[ci] == Some(BaselineStatus::Unchanged);
                    if !entry.volatile && (not_fetched || unchanged) {
                        // Not fetched this time: the recorded facts stay. Unchanged: the
                        // recorded bytes stay too, because code in the page differs in its
                        // tokens on every response and rewriting its raw hash would make
                        // every update a commit.
                        entry.sha256 = o.sha256.clone();
                        entry.normalised_sha256 = o.normalised_sha256.clone();
                        entry.sri = o.sri.clone();
                        entry.size = o.size;
                        if not_fetched {
                            entry.destinations = o.destinations.clone();
                            entry.behaviour = o.behaviour.clone();
                        }
                    }
                    if m.status[ci] == Some(BaselineStatus::Changed) {
                        changes.push(Change::ChangedScript {
                            page: page.url.clone(),
                            script: label,
                        });
                    }
                }
                None if recorded.is_some() => changes.push(Change::NewScript {
                    page: page.url.clone(),
                    script: label,
                }),
                None => {}
            }
            scripts.push(entry);
        }
        for &oi in &m.removed {
            let o = &rec_page.scripts[oi];
            changes.push(Change::RemovedScript {
                page: page.url.clone(),
                script: script_label(o.kind, o.url.as_deref(), o.position),
            });
        }
        let headers = normalised_headers(page);
        if let Some(r) = recorded {
            if r.payment_form != page.payment_form {
                changes.push(Change::PaymentForm {
                    page: page.url.clone(),
                    now: page.payment_form,
                });
            }
            for h in super::headers::compare_headers(&r.headers, &headers) {
                changes.push(Change::Header {
                    page: page.url.clone(),
                    name: h.name,
                    old: h.old,
                    new: h.new,
                });
            }
        }
        pages.insert(
            page.url.clone(),
            BaselinePage {
                payment_form: page.payment_form,
                headers,
                scripts,
            },
        );
    }
    for (url, p) in &old.pages {
        if !scanned.contains(url) {
            changes.push(Change::PageNotScanned { page: url.clone() });
            pages.insert(url.clone(), p.clone());
        }
    }

    let destinations = sorted_hosts(
        pages
            .values()
            .flat_map(|p| p.scripts.iter().flat_map(|s| s.destinations.iter())),
    );
    if !old.pages.is_empty() {
        let before: BTreeSet<&String> = old.destinations.iter().collect();
        let after: BTreeSet<&String> = destinations.iter().collect();
        for h in after.difference(&before) {
            changes.push(Change::NewDestination { host: (*h).clone() });
        }
        for h in before.difference(&after) {
            changes.push(Change::RemovedDestination { host: (*h).clone() });
        }
    }
    changes.sort();
    changes.dedup();

    let mut baseline = Baseline {
        schema_version: SCHEMA_VERSION,
        site: if old.site.is_empty() {
            site_of(report)
        } else {
            old.site.clone()
        },
        created_at: old.created_at.clone(),
        updated_at: now.to_string(),
        authorised_hosts: old.authorised_hosts.clone(),
        volatile: old.volatile.clone(),
        destinations,
        pages,
    };
    baseline.canonicalise();
    (baseline, changes)
}

/// Which scanned script holds the code of each recorded sha256.
pub(crate) fn code_ids(report: &Report) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in &report.scripts {
        if let Some(h) = &s.sha256 {
            out.entry(h.to_ascii_lowercase())
                .or_insert_with(|| s.id.clone());
        }
    }
    out
}
