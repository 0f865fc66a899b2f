//! `baseline-header-changed`: a security header of the page (see `baseline::headers` for which)
//! changed, appeared or disappeared since the baseline, without weakening the CSP (that is
//! `csp_weakened`). The finding itself is built by `PageCtx::header_findings`, which walks
//! the header changes once for both checks.

pub const RULE: &str = "baseline-header-changed";
