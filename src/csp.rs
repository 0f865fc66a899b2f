//! Content-Security-Policy summary (placeholder until the page branch lands).

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CspSummary {
    pub restricts_script_src: bool,
    pub restricts_connect_src: bool,
    pub restricts_form_action: bool,
    pub report_only: bool,
}

pub fn summarise(enforced: &[String], report_only: &[String]) -> CspSummary {
    let has = |d: &str| enforced.iter().any(|p| p.to_ascii_lowercase().contains(d));
    CspSummary {
        restricts_script_src: has("script-src") || has("default-src"),
        restricts_connect_src: has("connect-src") || has("default-src"),
        restricts_form_action: has("form-action"),
        report_only: enforced.is_empty() && !report_only.is_empty(),
    }
}
