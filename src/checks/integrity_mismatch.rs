//! `integrity-mismatch`: the page pins a script with an `integrity` hash and the server sent
//! other bytes. Browsers refuse to run it, so either the hash was updated without review
//! elsewhere, or the file was swapped under the page.

use super::PageCtx;
use crate::finding::Finding;
use crate::inventory::{IntegrityCheck, Party, ScriptEntry};

pub const RULE: &str = "integrity-mismatch";

pub fn check(ctx: &PageCtx<'_>, s: &ScriptEntry) -> Option<Finding> {
    let r = &s.record;
    let Some(IntegrityCheck::Mismatch { expected }) = &s.integrity else {
        return None;
    };
    let mut f = ctx.rules.finding(
        RULE,
        format!(
            "The page pins this script with integrity=\"{}\" but the server sent different bytes ({}). Browsers refuse to run it; if the hash was updated elsewhere, the script changed without review.",
            expected.join(" "),
            r.sri.as_deref().unwrap_or("?")
        ),
    )?;
    ctx.place_script(&mut f, s);
    f.hosts = r
        .host
        .iter()
        .filter(|_| r.party == Party::Third)
        .cloned()
        .collect();
    f.evidence = r.integrity_attr.clone();
    Some(f)
}
