//! Scripts → facts → findings: hand every analysable script to the engine (each external script
//! once per site and page kind, however many pages include it), copy the destinations it found
//! back onto every inventory row of that script, and collect findings and analysis errors.

use super::crawl::ScannedPage;
use super::reuse::Reuse;
use super::scripts::ScriptEntry;
use crate::cache::{Identity, Unbound};
use crate::finding::Finding;

use crate::js::pipes::PipeFacts;
use crate::js::{AnalysisJob, Engine, ScriptAnalysis, StubField};
use crate::page::values::{self, PageValues};
use crate::report::ScanError;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What the analysis of a set of entries produced.
#[derive(Default)]
pub struct AnalysisOutcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    /// Scripts loaded at run time, per page index: (absolute URL, the loading script's id).
    pub loads: BTreeMap<usize, Vec<(String, String)>>,
    /// Code the engine decoded out of a script, as (script id, decoded layers): kept with
    /// `--evidence` beside the script it came from.
    pub decoded: Vec<(String, String)>,
    /// What each analysed script of each page hands to others (by page index, script id),
    /// for the page-level join ([`join_pipes`]) once every round has run.
    pub pipes: Vec<(usize, String, PipeFacts)>,
}

/// Findings for data one script of a page hands to another that sends it out, over every
/// script of the page whatever round analysed it: a loader's stage 2, analysed after the
/// page's own scripts, reads what they stored just the same.
pub fn join_pipes(
    engine: &Engine,
    pages: &[ScannedPage],
    pipes: &[(usize, String, PipeFacts)],
) -> Vec<Finding> {
    let mut per_page: BTreeMap<usize, BTreeMap<&str, &PipeFacts>> = BTreeMap::new();
    for (page_index, id, facts) in pipes {
        if facts.written.is_empty() && facts.sent.is_empty() {
            continue;
        }
        per_page
            .entry(*page_index)
            .or_default()
            .entry(id.as_str())
            .or_insert(facts);
    }
    let mut out = Vec::new();
    for (page_index, scripts) in per_page {
        if scripts.len() < 2 {
            continue;
        }
        let Some(page) = pages.get(page_index) else {
            continue;
        };
        let scripts: Vec<(&str, &PipeFacts)> = scripts.into_iter().collect();
        out.extend(engine.join_pipe_facts(&page.name, &scripts));
    }
    out
}

/// `--evidence`: the code decoded out of each script is an artifact of its own, named in the
/// index by the script it came from.
pub fn keep_decoded(keep: Option<&crate::evidence::Artifacts>, decoded: &[(String, String)]) {
    if let Some(keep) = keep {
        for (id, code) in decoded {
            keep.add(&format!("decoded from {id}"), code.as_bytes());
        }
    }
}

/// The page context an entry is analysed in.
struct PageContext {
    page_url: String,
    page_host: Option<String>,
    payment: bool,
    /// Ids and names of the page's payment fields.
    fields: Vec<String>,
    /// Those fields as the stub page mirrors them.
    form: Vec<StubField>,
}

/// The page's payment fields for the stub page (see `js::StubField`), in page order, at most
/// [`MAX_STUB_FIELDS`].
pub(super) fn stub_fields(doc: &crate::page::PageDoc) -> Vec<StubField> {
    use crate::page::PaymentFieldKind::*;
    doc.payment_fields
        .iter()
        .take(MAX_STUB_FIELDS)
        .map(|f| StubField {
            id: f.id.clone(),
            name: f.name.clone(),
            holds: match f.kind {
                CardNumber => "cc-number",
                SecurityCode => "cc-csc",
                Expiry => "cc-exp",
                Holder => "cc-name",
            }
            .to_string(),
            caption: f
                .caption
                .as_ref()
                .map(|c| c.chars().take(MAX_CAPTION_CHARS).collect()),
            hooks: f.hooks.clone(),
        })
        .collect()
}

/// The page's payment fields the stub page mirrors at most (a page with more is a form
/// builder's, and the first are the card's), and the longest caption it copies.
const MAX_STUB_FIELDS: usize = 12;
const MAX_CAPTION_CHARS: usize = 60;

fn context(e: &ScriptEntry, pages: &[ScannedPage]) -> PageContext {
    match pages.get(e.page_index) {
        Some(p) => PageContext {
            page_url: p.name.clone(),
            page_host: p.host(),
            payment: p.doc.payment_form(),
            fields: p.doc.payment_field_names(),
            form: stub_fields(&p.doc),
        },
        // A lone .js target: a script of some payment page we have not seen.
        None => PageContext {
            page_url: e.record.page.clone(),
            page_host: None,
            payment: true,
            fields: Vec::new(),
            form: Vec::new(),
        },
    }
}

/// What of its page a script can read (see `page::values`): its own tag when it loads from a
/// URL, and the page's elements its text names. Nothing for a lone script.
fn page_values(e: &ScriptEntry, pages: &[ScannedPage], code: &str) -> PageValues {
    let Some(p) = pages.get(e.page_index) else {
        return PageValues::default();
    };
    let own = match e.record.url.as_ref().and(e.base_url.as_ref()) {
        Some(u) => values::own_tag(&p.doc.elements, u.as_str()),
        // An inline block's own tag is the script element holding its text.
        None => values::inline_tag(&p.doc.elements, code),
    };
    values::for_code(&p.doc.elements, own, code)
}

/// [`analyse`] under the scan's deadline: when it runs out first, every script of the round is
/// an `errors[]` entry ("not analysed") instead of a silent gap.
pub async fn analyse_until(
    engine: &Engine,
    reuse: &Reuse,
    entries: &mut [ScriptEntry],
    from: usize,
    pages: &[ScannedPage],
    deadline: &super::deadline::Deadline,
) -> AnalysisOutcome {
    if let Ok(outcome) = deadline
        .run(analyse(engine, reuse, entries, from, pages))
        .await
    {
        return outcome;
    }
    let mut ids: Vec<String> = entries
        .iter()
        .skip(from)
        .filter(|e| e.text.is_some() && e.record.analysed)
        .map(|e| e.record.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    AnalysisOutcome {
        errors: ids
            .into_iter()
            .map(|url| ScanError {
                url,
                message: deadline.message("not analysed"),
            })
            .collect(),
        ..Default::default()
    }
}

/// Analyse `entries[from..]` (earlier entries were analysed in an earlier round).
pub async fn analyse(
    engine: &Engine,
    reuse: &Reuse,
    entries: &mut [ScriptEntry],
    from: usize,
    pages: &[ScannedPage],
) -> AnalysisOutcome {
    let mut jobs: Vec<AnalysisJob> = Vec::new();
    let mut job_ids: Vec<String> = Vec::new();
    let mut job_of_entry: Vec<Option<usize>> = vec![None; entries.len()];
    // A script shared by pages is analysed once per distinct context; pages whose card
    // fields have other ids are another context (a field id is a card field on one page only).
    type JobKey = (
        String,
        Option<String>,
        bool,
        Vec<String>,
        Vec<StubField>,
        String,
    );
    let mut job_keys: BTreeMap<JobKey, usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate().skip(from) {
        let Some(text) = &e.text else { continue };
        if !e.record.analysed {
            continue;
        }
        let PageContext {
            page_url,
            page_host,
            payment,
            fields,
            form,
        } = context(e, pages);
        let values = page_values(e, pages, &text.text);
        let key = (
            e.record.id.clone(),
            page_host.clone(),
            payment,
            fields.clone(),
            form.clone(),
            serde_json::to_string(&values).unwrap_or_default(),
        );
        if let Some(&j) = job_keys.get(&key) {
            job_of_entry[i] = Some(j);
            continue;
        }
        job_keys.insert(key, jobs.len());
        job_of_entry[i] = Some(jobs.len());
        job_ids.push(e.record.id.clone());
        jobs.push(AnalysisJob {
            script_id: e.record.id.clone(),
            kind: e.record.kind,
            code: text.text.clone(),
            page_url,
            page_host,
            payment_page: payment,
            page_fields: fields,
            page_values: values,
            page_form: form,
            line_offset: text.line_offset,
            column_offset: text.column_offset,
        });
    }
    if jobs.is_empty() {
        return AnalysisOutcome::default();
    }
    let n = jobs.len();
    let results = match run_sharing(async |jobs| run_batch(engine, jobs).await, reuse, jobs).await {
        Ok(r) => r,
        // The engine isolates each script; reaching this means a bug, and the scan must
        // say it saw nothing rather than report clean.
        Err(e) => {
            return AnalysisOutcome {
                errors: vec![ScanError {
                    url: "(analysis)".into(),
                    message: format!("the analysis of {n} scripts failed: {e}"),
                }],
                ..Default::default()
            };
        }
    };
    let mut out = AnalysisOutcome::default();
    for (i, e) in entries.iter_mut().enumerate() {
        if let Some(r) = job_of_entry[i].and_then(|j| results.get(j)) {
            e.record.destinations = r.destinations.iter().cloned().collect();
            e.record.behaviour = Some(r.behaviour.clone());
            if !r.decoded.is_empty() {
                out.decoded.push((e.record.id.clone(), r.decoded.clone()));
            }
            for url in &r.loads {
                out.loads
                    .entry(e.page_index)
                    .or_default()
                    .push((url.clone(), e.record.id.clone()));
            }
        }
    }
    // A page's scripts share one window: keep what each hands to another for the join
    // after the last round.
    for (i, e) in entries.iter().enumerate() {
        if let Some(r) = job_of_entry[i].and_then(|j| results.get(j))
            && let Some(id) = job_of_entry[i].and_then(|j| job_ids.get(j))
            && !(r.pipes.written.is_empty() && r.pipes.sent.is_empty())
        {
            out.pipes.push((e.page_index, id.clone(), r.pipes.clone()));
        }
    }
    let mut seen = BTreeSet::new();
    for (j, r) in results.iter().enumerate() {
        out.findings.extend(r.findings.iter().cloned());
        let id = job_ids.get(j).cloned().unwrap_or_default();
        for m in &r.errors {
            if seen.insert((id.clone(), m.clone())) {
                out.errors.push(ScanError {
                    url: id.clone(),
                    message: m.clone(),
                });
            }
        }
    }
    let answered = results.len();
    if answered != n {
        out.errors.push(ScanError {
            url: "(analysis)".into(),
            message: format!("the engine returned {answered} results for {n} scripts"),
        });
    }
    out
}

/// How one job gets its result.
enum Plan {
    /// From an earlier job of the same key (this scan or the cache).
    Recalled(Arc<Unbound>),
    /// Analysed, at this place of the batch.
    Lead(usize),
    /// Takes the result of this (lead) job, relabelled.
    Follow(usize),
}

/// Analyse `jobs`, each distinct analysis once: a job whose key an earlier job (or the cache)
/// has answered takes that answer with its own labels. A lead whose result cannot be
/// relabelled ([`Unbound::unbind`] refuses) has its followers analysed on their own. Results
/// are in job order; fewer than `jobs` only when the engine returned fewer.
async fn run_sharing<E>(
    analyse: impl AsyncFn(Vec<AnalysisJob>) -> Result<Vec<ScriptAnalysis>, E>,
    reuse: &Reuse,
    jobs: Vec<AnalysisJob>,
) -> Result<Vec<ScriptAnalysis>, E> {
    let keys: Vec<_> = jobs.iter().map(|j| reuse.key(j)).collect();
    let mut plans = Vec::with_capacity(jobs.len());
    let mut lead_of_key = std::collections::HashMap::new();
    let mut batch = Vec::new();
    // Recalled results this scan analysed ahead of the round (scan/early.rs).
    let mut ahead = 0;
    for (j, key) in keys.iter().enumerate() {
        let plan = match key {
            Some(k) => match reuse.recall(k) {
                Some(u) => {
                    ahead += usize::from(reuse.take_ahead(k));
                    Plan::Recalled(u)
                }
                None => match lead_of_key.get(k) {
                    Some(&lead) => Plan::Follow(lead),
                    None => {
                        lead_of_key.insert(k.clone(), j);
                        batch.push(j);
                        Plan::Lead(batch.len() - 1)
                    }
                },
            },
            None => {
                batch.push(j);
                Plan::Lead(batch.len() - 1)
            }
        };
        plans.push(plan);
    }
    let analysed = analyse(batch.iter().map(|&j| jobs[j].clone()).collect()).await?;
    // Each lead's result, unbound from its identity when it can be.
    let mut unbound: Vec<Option<Arc<Unbound>>> = vec![None; batch.len()];
    for (b, r) in analysed.iter().enumerate() {
        let j = batch[b];
        if let Some(k) = &keys[j]
            && let Some(u) = Unbound::unbind(r, &Identity::of(&jobs[j]))
        {
            let u = Arc::new(u);
            reuse.remember(k.clone(), u.clone());
            unbound[b] = Some(u);
        }
    }
    // Followers of a lead that could not be unbound: analysed on their own.
    let mut alone = Vec::new();
    for (j, plan) in plans.iter().enumerate() {
        if let Plan::Follow(lead) = plan
            && let Plan::Lead(b) = plans[*lead]
            && unbound.get(b).is_none_or(|u| u.is_none())
            && b < analysed.len()
        {
            alone.push(j);
        }
    }
    let own = if alone.is_empty() {
        Vec::new()
    } else {
        analyse(alone.iter().map(|&j| jobs[j].clone()).collect()).await?
    };
    let mut own_of: std::collections::HashMap<usize, ScriptAnalysis> =
        alone.iter().copied().zip(own).collect();
    let recalled = plans
        .iter()
        .filter(|p| matches!(p, Plan::Recalled(_)))
        .count();
    tracing::info!(
        "analyses: {} jobs, {} analysed ({ahead} while loading), {} from the cache, {} shared in this scan",
        jobs.len(),
        batch.len() + alone.len() + ahead,
        recalled - ahead,
        jobs.len() - recalled - batch.len() - alone.len()
    );
    let mut analysed: Vec<Option<ScriptAnalysis>> = analysed.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(jobs.len());
    for (j, plan) in plans.iter().enumerate() {
        let id = Identity::of(&jobs[j]);
        let r = match plan {
            Plan::Recalled(u) => Some(u.bind(&id)),
            Plan::Lead(b) => analysed.get_mut(*b).and_then(Option::take),
            Plan::Follow(lead) => match plans[*lead] {
                Plan::Lead(b) => match unbound.get(b).and_then(Option::as_ref) {
                    Some(u) => Some(u.bind(&id)),
                    None => own_of.remove(&j),
                },
                _ => None,
            },
        };
        // None: the engine answered fewer jobs than it was given; the caller reports it.
        let Some(r) = r else { break };
        out.push(r);
    }
    Ok(out)
}

/// One batch on the engine, off the async threads.
async fn run_batch(
    engine: &Engine,
    jobs: Vec<AnalysisJob>,
) -> Result<Vec<ScriptAnalysis>, tokio::task::JoinError> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || engine.analyse_batch(jobs)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::CacheSetting;
    use crate::finding::{Finding, Location, Severity};
    use crate::inventory::ScriptKind;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn job(code: &str, page: usize, line: u32) -> AnalysisJob {
        AnalysisJob {
            script_id: format!("https://s.example/p/{page}#inline-0"),
            kind: ScriptKind::Inline,
            code: code.into(),
            page_url: format!("https://s.example/p/{page}"),
            page_host: Some("s.example".into()),
            payment_page: false,
            page_fields: Vec::new(),
            page_values: Default::default(),
            page_form: Vec::new(),
            line_offset: line,
            column_offset: 1,
        }
    }

    /// A stand-in engine: labels a finding as the engine does; code saying `LEAK` also names
    /// its page in `loads`, a result that cannot be relabelled.
    fn fake(j: &AnalysisJob) -> ScriptAnalysis {
        ScriptAnalysis {
            findings: vec![Finding {
                rule: "r".into(),
                severity: Severity::High,
                title: "t".into(),
                page: Some(j.page_url.clone()),
                script: Some(j.script_id.clone()),
                location: Some(Location {
                    line: j.line_offset + 2,
                    column: 3,
                }),
                hosts: Vec::new(),
                evidence: Some(j.code.to_string()),
                message: "m".into(),
                diff: None,
            }],
            loads: if j.code.contains("LEAK") {
                vec![format!("{}/x.js", j.page_url)]
            } else {
                Vec::new()
            },
            ..Default::default()
        }
    }

    async fn run(reuse: &Reuse, jobs: &[AnalysisJob]) -> (Vec<String>, usize) {
        let calls = AtomicUsize::new(0);
        let analyse = async |batch: Vec<AnalysisJob>| {
            calls.fetch_add(batch.len(), Ordering::SeqCst);
            Ok::<_, ()>(batch.iter().map(fake).collect::<Vec<_>>())
        };
        let got = run_sharing(analyse, reuse, jobs.to_vec()).await.unwrap();
        let got = got
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect();
        (got, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn copies_share_one_analysis_unless_the_result_names_its_page() {
        let jobs = vec![
            job("a()", 1, 1),
            job("LEAK()", 1, 9),
            job("a()", 2, 5),
            job("a()", 3, 40),
            job("LEAK()", 2, 1),
        ];
        let want: Vec<String> = jobs
            .iter()
            .map(|j| serde_json::to_string(&fake(j)).unwrap())
            .collect();
        let shared = Reuse::new(&CacheSetting::Memory, &Default::default(), &[]);
        let (got, calls) = run(&shared, &jobs).await;
        assert_eq!(got, want);
        // a() once; LEAK() on each page.
        assert_eq!(calls, 3);
        // A later round recalls what this one kept.
        let (again, calls) = run(&shared, &jobs[..1]).await;
        assert_eq!((again.as_slice(), calls), (&want[..1], 0));

        let (got, calls) = run(&Reuse::off(), &jobs).await;
        assert_eq!(got, want);
        assert_eq!(calls, 5);
    }
}
