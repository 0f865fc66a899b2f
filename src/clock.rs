//! The wall clock as reports, baselines and the history write it: RFC 3339 in UTC, whole
//! seconds. Every stage stamps times through this one function, so none of them needs the
//! scan pipeline's module to know the time.

pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}
