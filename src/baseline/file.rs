//! The baseline commands as file operations, so the command line only scans and prints:
//! `baseline create` ([`create_file`]), `baseline update` ([`update_file`]) and the targets an
//! update rescans by default ([`default_targets`]). Each keeps the file and its old-code store
//! consistent: the JSON is written first (atomically), then the code it refers to.
//! [`update_file_checked`] is what the command uses: it also refuses to overwrite an edit made
//! since the file was read, and keeps a local site's page names portable.

use super::model::Baseline;
use super::record::{self, Change};
use super::store::{self, BaselineError, CodeStore, Stamp};
use crate::inventory::ScriptText;
use crate::report::Report;
use std::collections::BTreeMap;
use std::path::Path;

/// `baseline create --out FILE`: record the scan and write the file and its code store. An
/// existing file is refused unless `force` (a reviewed baseline is not overwritten by accident).
pub fn create_file(
    path: &Path,
    force: bool,
    report: &Report,
    sources: &BTreeMap<String, ScriptText>,
    now: &str,
) -> Result<Baseline, BaselineError> {
    if !force && path.exists() {
        return Err(BaselineError::Invalid {
            path: path.to_path_buf(),
            message: "already exists; use `baseline update` to refresh it, or --force to replace it (its justifications would be lost)".into(),
        });
    }
    let baseline = record::create(report, sources, now);
    store::save_atomic(path, &baseline)?;
    CodeStore::for_baseline(path).save(&baseline, report, sources)?;
    Ok(baseline)
}

/// `baseline update FILE`: re-record the site, keep every human field, write atomically, and
/// return what changed (one [`Change`] per line to print). `old` is the file as loaded before
/// the scan (load it first: a corrupt file must stop the command before anything is scanned).
pub fn update_file(
    path: &Path,
    old: &Baseline,
    report: &Report,
    sources: &BTreeMap<String, ScriptText>,
    now: &str,
) -> Result<(Baseline, Vec<Change>), BaselineError> {
    update(path, old, None, report, sources, now)
}

/// [`update_file`] for a file read as `stamp` ([`store::load_stamped`]): refuses with
/// [`BaselineError::ChangedMeanwhile`] when the file changed since (a hand edit made while the
/// scan ran is kept, not overwritten), and records a local site scanned through another
/// spelling of its folder under the baseline's own page names.
pub fn update_file_checked(
    path: &Path,
    old: &Baseline,
    stamp: &Stamp,
    report: &Report,
    sources: &BTreeMap<String, ScriptText>,
    now: &str,
) -> Result<(Baseline, Vec<Change>), BaselineError> {
    let (report, sources) = super::portable::onto_baseline_names(old, report, sources);
    update(path, old, Some(stamp), &report, &sources, now)
}

fn update(
    path: &Path,
    old: &Baseline,
    stamp: Option<&Stamp>,
    report: &Report,
    sources: &BTreeMap<String, ScriptText>,
    now: &str,
) -> Result<(Baseline, Vec<Change>), BaselineError> {
    let code = CodeStore::for_baseline(path);
    let (baseline, changes) = record::update_with_code(old, report, sources, Some(&code), now);
    if baseline_content_equal(old, &baseline) {
        // Nothing changed: leave the file (and its `updated_at`) alone, so an update of an
        // unchanged site is not a commit. The store is still completed (it may be missing).
        code.save(old, report, sources)?;
        return Ok((old.clone(), changes));
    }
    match stamp {
        Some(stamp) => store::save_if_unchanged(path, &baseline, stamp)?,
        None => store::save_atomic(path, &baseline)?,
    }
    code.save(&baseline, report, sources)?;
    Ok((baseline, changes))
}

fn baseline_content_equal(a: &Baseline, b: &Baseline) -> bool {
    let mut a = a.clone();
    let mut b = b.clone();
    a.canonicalise();
    b.canonicalise();
    a.updated_at.clear();
    b.updated_at.clear();
    a == b
}

/// What `baseline update` scans when no target is given: the recorded page URLs, or for a
/// baseline of a local site directory, that directory (its pages are only named right when the
/// directory is the target).
pub fn default_targets(baseline: &Baseline) -> Vec<String> {
    let urls: Vec<String> = baseline
        .pages
        .keys()
        .filter(|p| p.starts_with("http://") || p.starts_with("https://"))
        .cloned()
        .collect();
    if urls.len() == baseline.pages.len() && !urls.is_empty() {
        return urls;
    }
    if baseline.site.is_empty() {
        urls
    } else {
        vec![baseline.site.clone()]
    }
}
