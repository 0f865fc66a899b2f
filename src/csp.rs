//! What a page's Content-Security-Policy actually restricts, for the "missing or weak CSP"
//! findings and PCI DSS 6.4.3 evidence.
//!
//! CSP3 rules that matter here: `script-src` and `connect-src` fall back to `default-src`,
//! `form-action` does not fall back at all; a source list containing `*`, `https:`, `http:` or
//! `data:` lets any host through and counts as no restriction; with several policies (several
//! headers, a comma-joined header, or a `<meta>` policy) a resource must pass all of them, so a
//! directive is restricted when any enforced policy restricts it. Report-only policies restrict
//! nothing; they are summarised separately.

/// Sources that allow any host (or inline data), so a directive using one restricts nothing.
const UNRESTRICTED_SOURCES: &[&str] = &["*", "https:", "http:", "data:"];

/// The summary of a page's policies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CspSummary {
    /// At least one enforced policy is present.
    pub enforced: bool,
    /// At least one report-only policy is present.
    pub report_only: bool,
    /// An enforced policy limits where scripts load from (`script-src`, else `default-src`).
    pub restricts_script_src: bool,
    /// An enforced policy limits where scripts may send data (`connect-src`, else `default-src`).
    pub restricts_connect_src: bool,
    /// An enforced policy limits form targets (`form-action`; no fallback).
    pub restricts_form_action: bool,
    /// The report-only policies would restrict scripts (monitoring without enforcement).
    pub report_only_restricts_script_src: bool,
    /// Every enforced policy that restricts scripts still allows inline script
    /// (`'unsafe-inline'` without a nonce, hash or `'strict-dynamic'`, which disable it).
    pub unsafe_inline: bool,
    /// Every enforced policy that restricts scripts still allows `eval`.
    pub unsafe_eval: bool,
    /// Wildcard and scheme-only sources in the enforced script and connect directives
    /// (`*`, `https:`, `*.cdn.example`), sorted and without duplicates.
    pub wildcard_sources: Vec<String>,
}

/// One policy: directive name (lower-case) → source list, first occurrence wins (CSP3 ignores
/// repeated directives).
struct Policy {
    directives: Vec<(String, Vec<String>)>,
}

impl Policy {
    fn parse(text: &str) -> Policy {
        let mut directives: Vec<(String, Vec<String>)> = Vec::new();
        for directive in text.split(';') {
            let mut words = directive.split_ascii_whitespace();
            let Some(name) = words.next() else { continue };
            let name = name.to_ascii_lowercase();
            if directives.iter().any(|(n, _)| *n == name) {
                continue;
            }
            directives.push((name, words.map(str::to_string).collect()));
        }
        Policy { directives }
    }

    fn get(&self, name: &str) -> Option<&[String]> {
        self.directives
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_slice())
    }

    /// The effective source list for scripts or connections, following the fallback.
    fn effective(&self, name: &str) -> Option<&[String]> {
        match name {
            "form-action" => self.get(name),
            _ => self.get(name).or_else(|| self.get("default-src")),
        }
    }
}

/// A source list restricts when it names no source that allows any host. An empty list (and
/// `'none'`) blocks everything, which is the strongest restriction.
fn restricts(sources: &[String]) -> bool {
    !sources
        .iter()
        .any(|s| UNRESTRICTED_SOURCES.contains(&s.to_ascii_lowercase().as_str()))
}

fn allows_inline(sources: &[String]) -> bool {
    let lower: Vec<String> = sources.iter().map(|s| s.to_ascii_lowercase()).collect();
    let disabled = lower.iter().any(|s| {
        s.starts_with("'nonce-")
            || s.starts_with("'sha256-")
            || s.starts_with("'sha384-")
            || s.starts_with("'sha512-")
            || s == "'strict-dynamic'"
    });
    lower.iter().any(|s| s == "'unsafe-inline'") && !disabled
}

fn allows_eval(sources: &[String]) -> bool {
    sources
        .iter()
        .any(|s| s.eq_ignore_ascii_case("'unsafe-eval'"))
}

/// Split header values into policies: a comma separates policies in one header value.
fn policies(values: &[String]) -> Vec<Policy> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|p| !p.trim().is_empty())
        .map(Policy::parse)
        .collect()
}

/// Summarise the enforced (`Content-Security-Policy` headers and `<meta>` policies) and
/// report-only policies of a page.
pub fn summarise(enforced: &[String], report_only: &[String]) -> CspSummary {
    let enforced = policies(enforced);
    let report = policies(report_only);
    let restricted = |policies: &[Policy], name: &str| {
        policies
            .iter()
            .any(|p| p.effective(name).is_some_and(restricts))
    };
    let script_policies: Vec<&[String]> = enforced
        .iter()
        .filter_map(|p| p.effective("script-src"))
        .filter(|s| restricts(s))
        .collect();
    let mut wildcard_sources: Vec<String> = enforced
        .iter()
        .flat_map(|p| [p.effective("script-src"), p.effective("connect-src")])
        .flatten()
        .flatten()
        .filter(|s| {
            let lower = s.to_ascii_lowercase();
            lower.contains('*') || UNRESTRICTED_SOURCES.contains(&lower.as_str())
        })
        .cloned()
        .collect();
    wildcard_sources.sort();
    wildcard_sources.dedup();
    CspSummary {
        enforced: !enforced.is_empty(),
        report_only: !report.is_empty(),
        restricts_script_src: restricted(&enforced, "script-src"),
        restricts_connect_src: restricted(&enforced, "connect-src"),
        restricts_form_action: restricted(&enforced, "form-action"),
        report_only_restricts_script_src: restricted(&report, "script-src"),
        unsafe_inline: !script_policies.is_empty()
            && script_policies.iter().all(|s| allows_inline(s)),
        unsafe_eval: !script_policies.is_empty() && script_policies.iter().all(|s| allows_eval(s)),
        wildcard_sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Vec<String> {
        vec![v.to_string()]
    }

    #[test]
    fn default_src_covers_script_and_connect_but_not_form_action() {
        let sum = summarise(&s("default-src 'self'"), &[]);
        assert!(sum.enforced && sum.restricts_script_src && sum.restricts_connect_src);
        assert!(!sum.restricts_form_action);
    }

    #[test]
    fn wildcards_and_schemes_do_not_restrict() {
        let sum = summarise(
            &s("script-src * 'unsafe-inline'; connect-src https:; form-action 'self'"),
            &[],
        );
        assert!(!sum.restricts_script_src && !sum.restricts_connect_src);
        assert!(sum.restricts_form_action);
        assert_eq!(sum.wildcard_sources, ["*", "https:"]);
        // Inline is reported only for a policy that otherwise restricts scripts.
        assert!(!sum.unsafe_inline);
    }

    #[test]
    fn any_enforced_policy_restricts() {
        let sum = summarise(
            &[
                "script-src *".to_string(),
                "script-src 'self' *.cdn.example".to_string(),
            ],
            &[],
        );
        assert!(sum.restricts_script_src);
        assert_eq!(sum.wildcard_sources, ["*", "*.cdn.example"]);
        let comma = summarise(&s("connect-src *, connect-src 'self'"), &[]);
        assert!(comma.restricts_connect_src);
    }

    #[test]
    fn inline_and_eval() {
        let sum = summarise(&s("script-src 'self' 'unsafe-inline' 'unsafe-eval'"), &[]);
        assert!(sum.unsafe_inline && sum.unsafe_eval);
        let nonce = summarise(&s("script-src 'self' 'unsafe-inline' 'nonce-abc'"), &[]);
        assert!(!nonce.unsafe_inline);
    }

    #[test]
    fn report_only_restricts_nothing() {
        let sum = summarise(&[], &s("default-src 'self'"));
        assert!(!sum.enforced && sum.report_only);
        assert!(!sum.restricts_script_src && sum.report_only_restricts_script_src);
        assert_eq!(summarise(&[], &[]), CspSummary::default());
    }

    #[test]
    fn first_directive_wins_and_none_restricts() {
        let sum = summarise(&s("script-src 'none'; script-src *; connect-src"), &[]);
        assert!(sum.restricts_script_src && sum.restricts_connect_src);
    }
}
