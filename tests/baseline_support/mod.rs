//! Builders for the baseline tests: a small shop (home page and checkout) as the scan pipeline
//! would report it, with per-request tokens in the inline scripts, and the variations the
//! issue's scenarios need (a skimmer appended, a library upgrade, a CSP removed, a new
//! third-party script, a new destination).
#![allow(dead_code)]

use skimscan::baseline::{self, Baseline, CodeStore};
use skimscan::finding::Finding;
use skimscan::inventory::{Party, ScriptKind, ScriptRecord, ScriptText, sha256_hex, sri_sha384};
use skimscan::js::{AnalysisJob, Engine, HostPolicy};
use skimscan::report::{PageRecord, Parts, Report};
use skimscan::rules::RuleSet;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const HOME: &str = "https://shop.example/";
pub const CHECKOUT: &str = "https://shop.example/checkout/";
pub const CHECKOUT_JS: &str = "https://shop.example/static/checkout.js";
pub const LIB_JS: &str = "https://shop.example/static/lib.min.js";
pub const STRIPE_JS: &str = "https://js.stripe.com/v3/";

pub fn fixture(name: &str) -> String {
    let p = format!(
        "{}/tests/fixtures/baseline/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// A site under construction: pages, scripts and their texts.
#[derive(Clone, Default)]
pub struct Site {
    pub pages: Vec<PageRecord>,
    pub scripts: Vec<ScriptRecord>,
    pub sources: BTreeMap<String, ScriptText>,
    pub findings: Vec<Finding>,
    inline_n: BTreeMap<String, u32>,
}

impl Site {
    pub fn page(mut self, url: &str, payment: bool, headers: &[(&str, &str)]) -> Site {
        self.pages.push(PageRecord {
            url: url.into(),
            status: Some(200),
            payment_form: payment,
            headers: headers
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            requested_url: None,
            title: None,
            encoding: Some("UTF-8".into()),
            forms: vec![],
            found_by: "target".into(),
        });
        self
    }

    pub fn external(mut self, page: &str, url: &str, text: &str, destinations: &[&str]) -> Site {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        let party = if host.as_deref() == Some("shop.example") {
            Party::First
        } else {
            Party::Third
        };
        self.scripts.push(ScriptRecord {
            page: page.into(),
            url: Some(url.into()),
            kind: ScriptKind::External,
            host,
            party,
            sha256: Some(sha256_hex(text.as_bytes())),
            sri: Some(sri_sha384(text.as_bytes())),
            integrity_attr: None,
            size: Some(text.len() as u64),
            baseline: None,
            id: url.into(),
            script_type: None,
            analysed: true,
            page_line: Some(5),
            destinations: destinations.iter().map(|d| d.to_string()).collect(),
            behaviour: None,
        });
        self.sources.insert(
            url.into(),
            ScriptText {
                id: url.into(),
                text: Arc::from(text),
                line_offset: 1,
                column_offset: 1,
            },
        );
        self
    }

    pub fn inline(mut self, page: &str, text: &str) -> Site {
        let n = self.inline_n.entry(page.to_string()).or_insert(0);
        *n += 1;
        let id = format!("{page}#inline-{n}");
        self.scripts.push(ScriptRecord {
            page: page.into(),
            url: None,
            kind: ScriptKind::Inline,
            host: None,
            party: Party::First,
            sha256: Some(sha256_hex(text.as_bytes())),
            sri: Some(sri_sha384(text.as_bytes())),
            integrity_attr: None,
            size: Some(text.len() as u64),
            baseline: None,
            id: id.clone(),
            script_type: None,
            analysed: true,
            page_line: Some(10 + *n),
            destinations: vec![],
            behaviour: None,
        });
        self.sources.insert(
            id.clone(),
            ScriptText {
                id,
                text: Arc::from(text),
                line_offset: 10 + *n,
                column_offset: 1,
            },
        );
        self
    }

    /// What the real engine (shipped rules) finds in one of the site's scripts on `page`: the
    /// verdict of a scenario comes from a real analysis of its fixture code, never from a
    /// finding a test makes up.
    pub fn analysed(mut self, page: &str, script: &str) -> Site {
        let text = self
            .sources
            .get(script)
            .unwrap_or_else(|| panic!("{script} has no text"));
        let engine = Engine::new(
            Arc::new(RuleSet::load(false, &[]).expect("shipped rules")),
            HostPolicy::default(),
        );
        let kind = self
            .scripts
            .iter()
            .find(|s| s.id == script)
            .map_or(ScriptKind::External, |s| s.kind);
        let job = AnalysisJob {
            script_id: script.into(),
            kind,
            code: text.text.clone(),
            page_url: page.into(),
            page_host: Some("shop.example".into()),
            payment_page: self.pages.iter().any(|p| p.url == page && p.payment_form),
            line_offset: text.line_offset,
            column_offset: text.column_offset,
            page_fields: Vec::new(),
            page_values: Default::default(),
            page_form: Vec::new(),
        };
        let r = engine
            .analyse_batch(vec![job])
            .pop()
            .expect("one result per job");
        assert!(r.errors.is_empty(), "{script}: {:?}", r.errors);
        self.findings.extend(r.findings);
        self
    }

    /// The site as the scan collects it, before anything is compared or judged.
    pub fn parts(&self) -> Parts {
        Parts {
            started_at: "2026-11-24T10:00:00Z".into(),
            finished_at: "2026-11-24T10:00:03Z".into(),
            pages: self.pages.clone(),
            scripts: self.scripts.clone(),
            removed: vec![],
            findings: self.findings.clone(),
            errors: vec![],
            browser: vec![],
        }
    }

    /// The scan's report without a baseline, assembled as the pipeline assembles it.
    pub fn report(&self) -> Report {
        self.parts().assemble()
    }

    /// `scan --baseline` as the pipeline runs it: the comparison is added to the collected
    /// parts, then the report is assembled once.
    pub fn compared(&self, b: &Baseline, store: Option<&CodeStore>, rules: &RuleSet) -> Report {
        let mut parts = self.parts();
        baseline::compare(b, &parts, &self.sources, store, rules).add_to(&mut parts);
        parts.assemble()
    }
}

pub const CSP: &str = "default-src 'self'; script-src 'self' 'nonce-{NONCE}' https://js.stripe.com; connect-src 'self' https://api.stripe.com; form-action 'self'";

/// The inline checkout configuration a Magento-like shop prints, with this response's tokens.
pub fn checkout_config(form_key: &str, quote: &str, at: &str) -> String {
    format!(
        r#"
    var FORM_KEY = '{form_key}';
    window.checkoutConfig = {{"formKey":"{form_key}","quoteId":"{quote}","quoteData":{{"entity_id":"{}","created_at":"{at}"}},"storeCode":"default"}};
"#,
        quote.len() * 37
    )
}

/// The shop as it was reviewed, rendered for one request (its tokens).
pub fn shop(request: u32) -> Site {
    let tokens = [
        (
            "Xy7pQ2aBcD4eFg9H",
            "ABcd1234EfGh5678IjKl9012MnOp3456",
            "2026-11-24 10:00:01",
            "r4nd0mN0nce1",
        ),
        (
            "k3Jd8Qw1Zx0PvN5m",
            "Zz99Yy88Xx77Ww66Vv55Uu44Tt33Ss22",
            "2026-11-25 23:59:59",
            "0therN0nce22",
        ),
        (
            "Mn4Bv5Cx6Za7Sd8F",
            "Qq11Ww22Ee33Rr44Tt55Yy66Uu77Ii88",
            "2026-12-01 08:30:00",
            "th1rdN0nce333",
        ),
    ];
    let (fk, quote, at, nonce) = tokens[request as usize % tokens.len()];
    let csp = CSP.replace("{NONCE}", nonce);
    Site::default()
        .page(HOME, false, &[])
        .external(HOME, LIB_JS, &fixture("lib-1.0.min.js"), &[])
        .page(CHECKOUT, true, &[("content-security-policy", &csp)])
        .external(CHECKOUT, LIB_JS, &fixture("lib-1.0.min.js"), &[])
        .external(CHECKOUT, CHECKOUT_JS, &fixture("checkout.js"), &[])
        .external(CHECKOUT, STRIPE_JS, &format!("/* stripe build {request} */ Stripe.v3=1;"), &["api.stripe.com"])
        .inline(CHECKOUT, &checkout_config(fk, quote, at))
        .inline(
            CHECKOUT,
            &format!("\n    var wc_checkout_params = {{\"update_order_review_nonce\":\"{}\",\"is_checkout\":\"1\"}};\n", &sha256_hex(fk.as_bytes())[..10]),
        )
}

/// Replace one script's text (keeping its id and place) and its destinations.
pub fn with_script_text(mut site: Site, id: &str, text: &str, destinations: &[&str]) -> Site {
    for s in site.scripts.iter_mut().filter(|s| s.id == id) {
        s.sha256 = Some(sha256_hex(text.as_bytes()));
        s.sri = Some(sri_sha384(text.as_bytes()));
        s.size = Some(text.len() as u64);
        s.destinations = destinations.iter().map(|d| d.to_string()).collect();
    }
    if let Some(t) = site.sources.get_mut(id) {
        t.text = Arc::from(text);
    }
    site
}

/// The same site under other names: the built site in a folder (`dist/…`) or staging.
pub fn rebase(site: &Site, name: &dyn Fn(&str) -> String) -> Site {
    let mut out = site.clone();
    for p in &mut out.pages {
        p.url = name(&p.url);
    }
    let rename_id = |id: &str| match id.split_once('#') {
        Some((page, frag)) => format!("{}#{frag}", name(page)),
        None => name(id),
    };
    for s in &mut out.scripts {
        s.page = name(&s.page);
        if s.party == Party::First {
            s.url = s.url.as_deref().map(name);
            s.id = rename_id(&s.id);
            s.host = s.url.as_deref().and_then(|u| {
                url::Url::parse(u)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
            });
        }
    }
    out.sources = site
        .sources
        .iter()
        .map(|(id, t)| {
            let first = site
                .scripts
                .iter()
                .any(|s| &s.id == id && s.party == Party::First);
            let new_id = if first { rename_id(id) } else { id.clone() };
            let mut t = t.clone();
            t.id = new_id.clone();
            (new_id, t)
        })
        .collect();
    for f in &mut out.findings {
        f.page = f.page.as_deref().map(name);
        f.script = f.script.as_deref().map(&rename_id);
    }
    out
}

/// `https://shop.example/checkout/` → `dist/checkout/index.html`, as a scan of the built site
/// names it.
pub fn as_built_site(url: &str) -> String {
    match url.strip_prefix("https://shop.example") {
        Some(path) if path.ends_with('/') => format!("dist{path}index.html"),
        Some(path) => format!("dist{path}"),
        None => url.to_string(),
    }
}

pub fn as_staging(url: &str) -> String {
    url.replace("https://shop.example", "https://staging.shop.example")
}
