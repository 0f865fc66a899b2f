//! `baseline-csp-weakened`: the Content-Security-Policy was removed or now allows what it used
//! to stop (a new script or connect source, `unsafe-inline`…). Injected or altered scripts can
//! then run or send data where the old policy blocked them. Built by
//! `PageCtx::header_findings` with `header_changed`.

pub const RULE: &str = "baseline-csp-weakened";
