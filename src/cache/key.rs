//! What makes two analyses the same analysis: the [`Fingerprint`] of the engine that runs them
//! (this build, the loaded rules, the authorised hosts) and everything in the job that the
//! engine reads except the script's identity (its id, page and position in its file, which
//! only label the findings; see [`super::unbound`]).
//!
//! The job is hashed through its serde form with the identity fields taken out, rather than
//! field by field, so a field the engine gains later joins the key by itself: a key that says
//! too much costs a cache miss, a key that says too little would cost a wrong verdict.

use crate::js::AnalysisJob;
use crate::rules::RuleSources;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The fields of a job that name the script rather than shape its analysis. Each must be
/// rewritten in a reused result by [`super::Unbound::bind`].
pub const IDENTITY_FIELDS: [&str; 4] = ["script_id", "page_url", "line_offset", "column_offset"];

/// The build: the crate's version and `build.rs`'s hash of the sources, rules and lock file.
pub const BUILD_ID: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("SKIMSCAN_BUILD_ID"));

/// Everything outside the job that decides its result, hashed once per scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// This build with these rules (shipped flag, every extra rule and data file's name, path
    /// and text, as loaded) and these authorised hosts.
    pub fn new(rules: &RuleSources, allowed: &[String]) -> Fingerprint {
        let mut h = Sha256::new();
        field(&mut h, b"build", BUILD_ID.as_bytes());
        field(&mut h, b"shipped", &[u8::from(rules.shipped)]);
        for (name, rel, text) in &rules.files {
            field(&mut h, b"file", name.as_bytes());
            field(&mut h, b"path", rel.as_os_str().as_encoded_bytes());
            field(&mut h, b"text", text.as_bytes());
        }
        for a in allowed {
            field(&mut h, b"allowed", a.as_bytes());
        }
        Fingerprint(h.finalize().into())
    }
}

/// The key of one analysis: a sha256 over the fingerprint and the job without its identity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AnalysisKey([u8; 32]);

impl AnalysisKey {
    /// The key of `job` under `fp`; `None` when the job has no serde form (never for today's
    /// jobs; such a job is then analysed on its own, never shared).
    pub fn of(fp: &Fingerprint, job: &AnalysisJob) -> Option<AnalysisKey> {
        Self::with_code_digest(fp, job, &TextDigest::of(&job.code))
    }

    /// [`AnalysisKey::of`] with the digest of `job.code` already known (a scan keys the same
    /// text for many jobs; see [`TextDigest`]).
    pub fn with_code_digest(
        fp: &Fingerprint,
        job: &AnalysisJob,
        code: &TextDigest,
    ) -> Option<AnalysisKey> {
        // The job's serde form without its code: the code is keyed by its digest, and a copy
        // of every script's text into a JSON value only to drop it again cost the analysis
        // round a 20 MB copy on a 600-script shop.
        let shell = AnalysisJob {
            code: Arc::from(""),
            ..job.clone()
        };
        let mut v = serde_json::to_value(&shell).ok()?;
        let map = v.as_object_mut()?;
        for f in IDENTITY_FIELDS {
            map.remove(f);
        }
        map.remove("code")?.as_str()?;
        let mut h = Sha256::new();
        field(&mut h, b"fingerprint", &fp.0);
        field(&mut h, b"code", &code.0);
        field(&mut h, b"context", &serde_json::to_vec(&v).ok()?);
        Some(AnalysisKey(h.finalize().into()))
    }

    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The sha256 of a script's text as the key hashes it: the same bytes, however many pages
/// carry them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextDigest([u8; 32]);

impl TextDigest {
    pub fn of(code: &str) -> TextDigest {
        TextDigest(Sha256::digest(code.as_bytes()).into())
    }
}

/// A length-prefixed, labelled field, so no two sequences of fields hash alike.
fn field(h: &mut Sha256, label: &[u8], bytes: &[u8]) {
    h.update((label.len() as u64).to_le_bytes());
    h.update(label);
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ScriptKind;

    fn job(code: &str) -> AnalysisJob {
        AnalysisJob {
            script_id: "https://shop.example/p/1#inline-0".into(),
            kind: ScriptKind::Inline,
            code: code.into(),
            page_url: "https://shop.example/p/1".into(),
            page_host: Some("shop.example".into()),
            payment_page: true,
            page_fields: vec!["cc".into()],
            page_values: Default::default(),
            page_form: Vec::new(),
            line_offset: 3,
            column_offset: 9,
        }
    }

    fn fp() -> Fingerprint {
        Fingerprint::new(&RuleSources::default(), &[])
    }

    #[test]
    fn identity_does_not_change_the_key_and_context_does() {
        let a = job("f()");
        let key = AnalysisKey::of(&fp(), &a).unwrap();
        let mut b = a.clone();
        b.script_id = "https://shop.example/p/2#inline-4".into();
        b.page_url = "https://shop.example/p/2".into();
        b.line_offset = 40;
        b.column_offset = 1;
        assert_eq!(AnalysisKey::of(&fp(), &b), Some(key.clone()));
        let changes: [fn(&mut AnalysisJob); 6] = [
            |j| j.code = "f() ".into(),
            |j| j.kind = ScriptKind::External,
            |j| j.page_host = Some("other.example".into()),
            |j| j.page_host = None,
            |j| j.payment_page = false,
            |j| j.page_fields = vec!["cc2".into()],
        ];
        for change in changes {
            let mut c = a.clone();
            change(&mut c);
            assert_ne!(AnalysisKey::of(&fp(), &c), Some(key.clone()));
        }
    }

    #[test]
    fn rules_and_hosts_change_the_fingerprint() {
        let base = Fingerprint::new(
            &RuleSources {
                shipped: true,
                files: Vec::new(),
            },
            &[],
        );
        let no_default = Fingerprint::new(
            &RuleSources {
                shipped: false,
                files: Vec::new(),
            },
            &[],
        );
        let extra = Fingerprint::new(
            &RuleSources {
                shipped: false,
                files: vec![("r.toml".into(), "r.toml".into(), "id = 'x'".into())],
            },
            &[],
        );
        let hosts = Fingerprint::new(
            &RuleSources {
                shipped: true,
                files: Vec::new(),
            },
            &["pay.example".into()],
        );
        assert_ne!(base, no_default);
        assert_ne!(no_default, extra);
        assert_ne!(base, hosts);
        let a = job("f()");
        assert_ne!(AnalysisKey::of(&base, &a), AnalysisKey::of(&hosts, &a));
    }
}
