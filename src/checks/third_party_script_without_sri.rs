//! `third-party-script-without-sri`: a script from another site runs on a payment page with no
//! integrity hash, so whoever controls that host decides what runs next to the card fields.

use super::PageCtx;
use crate::finding::Finding;
use crate::inventory::{IntegrityCheck, Party, ScriptEntry};

pub const RULE: &str = "third-party-script-without-sri";

pub fn check(ctx: &PageCtx<'_>, s: &ScriptEntry) -> Option<Finding> {
    let r = &s.record;
    // The browser checks a supported integrity attribute whenever the script loads; when we
    // could not check it ourselves (not fetched, failed), the attribute still counts.
    let has_sri = match &s.integrity {
        Some(IntegrityCheck::Matches | IntegrityCheck::Mismatch { .. }) => true,
        Some(IntegrityCheck::Unsupported) => false,
        None => r.integrity_attr.as_deref().is_some_and(|a| {
            a.split_ascii_whitespace().any(|t| {
                let t = t.to_ascii_lowercase();
                t.starts_with("sha256-") || t.starts_with("sha384-") || t.starts_with("sha512-")
            })
        }),
    };
    if !ctx.payment || r.party != Party::Third || r.url.is_none() || has_sri {
        return None;
    }
    let mut f = ctx.rules.finding(
        RULE,
        format!(
            "{} is loaded on a payment page without an integrity hash: whoever controls {} can change what runs next to the card fields.",
            r.id,
            r.host.as_deref().unwrap_or("its host")
        ),
    )?;
    ctx.place_script(&mut f, s);
    f.hosts = r.host.iter().cloned().collect();
    Some(f)
}
