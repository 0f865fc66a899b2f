//! `remote-script-not-fetched`: a script is in the inventory but was deliberately not loaded
//! (a local page's remote script without `--fetch-remote`, a host outside `--contain`). Saying
//! so keeps an unread script from passing as a clean one.

use super::PageCtx;
use crate::finding::Finding;
use crate::inventory::ScriptEntry;

pub const RULE: &str = "remote-script-not-fetched";

pub fn check(ctx: &PageCtx<'_>, s: &ScriptEntry) -> Option<Finding> {
    if !s.not_fetched {
        return None;
    }
    let r = &s.record;
    let mut f = ctx.rules.finding(
        RULE,
        format!(
            "{} was inventoried but not fetched or analysed: local targets never contact remote hosts unless --fetch-remote is given, and --contain contacts only the hosts you named.",
            r.id
        ),
    )?;
    ctx.place_script(&mut f, s);
    f.hosts = r.host.iter().cloned().collect();
    Some(f)
}
