//! Tag-manager containers hold code: Google Tag Manager's `gtm.js` carries each Custom HTML tag
//! as markup in a `"vtp_html"` string, and the page runs every `<script>` in it. Each such
//! script becomes a script of the page (`<container id>#gtm-tag-N`), inventoried and analysed
//! like an inline block, so a skimmer planted in a tag is judged on its own code rather than
//! hidden inside a 200 KB container.

use super::by_text::ByText;
use super::scripts::ScriptEntry;
use crate::inventory::{self, ScriptKind, ScriptRecord, ScriptText};
use std::sync::Arc;

/// Tags taken from one container, at most (a real container has tens).
const MAX_TAGS: usize = 500;

/// The code of each `<script>` in each Custom HTML tag of a GTM container, in order.
pub fn custom_html_scripts(container: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = container;
    while let Some(i) = rest.find("\"vtp_html\"") {
        rest = &rest[i + "\"vtp_html\"".len()..];
        let value = rest.trim_start().strip_prefix(':').map(str::trim_start);
        let Some(value) = value.filter(|v| v.starts_with('"')) else {
            continue;
        };
        // One JSON string (GTM writes `<` as `\u003C`, `/` as `\/`).
        let mut de = serde_json::Deserializer::from_str(value).into_iter::<String>();
        let Some(Ok(html)) = de.next() else { continue };
        for body in script_bodies(&html) {
            if out.len() >= MAX_TAGS {
                return out;
            }
            out.push(body);
        }
    }
    out
}

/// Bodies of the inline `<script>` blocks of a tag's markup (not `src` ones, not JSON or
/// templates).
fn script_bodies(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_fragment(html);
    let Ok(sel) = scraper::Selector::parse("script") else {
        return Vec::new();
    };
    doc.select(&sel)
        .filter(|s| s.attr("src").is_none())
        .filter(|s| crate::page::is_javascript(s.attr("type"), s.attr("language")))
        .map(|s| s.text().collect::<String>())
        .filter(|code| !code.trim().is_empty())
        .collect()
}

/// Add a script entry for every Custom HTML tag script of every container among
/// `entries[from..]`.
pub fn expand(entries: &mut Vec<ScriptEntry>, from: usize) {
    let mut added = Vec::new();
    // A site-wide script is an entry of every page sharing one text: search each text once
    // (searching per entry read a 200-page shop's libraries 200 times over, ~50 ms).
    let tags_of: ByText<Arc<Vec<String>>> = ByText::default();
    for e in entries.iter().skip(from) {
        let Some(text) = &e.text else { continue };
        let tags = tags_of.get_or_work_out(&text.text, |text| {
            Arc::new(if text.contains("\"vtp_html\"") {
                custom_html_scripts(text)
            } else {
                Vec::new()
            })
        });
        for (n, code) in tags.iter().enumerate() {
            let id = format!("{}#gtm-tag-{}", e.record.id, n + 1);
            let bytes = code.as_bytes();
            // A tag of the container: code in the page the container runs on, at the
            // container's place in it (host, party and line of the container's row).
            let mut record =
                ScriptRecord::new(e.record.page.clone(), id.clone(), ScriptKind::Inline)
                    .read(&inventory::CodeDigest::of(bytes), true);
            record.host = e.record.host.clone();
            record.party = e.record.party;
            record.page_line = e.record.page_line;
            let text = ScriptText::file(id, Arc::from(code.as_str()));
            let mut entry = ScriptEntry::new(record, Some(text), e.page_index);
            entry.base_url = e.base_url.clone();
            added.push(entry);
        }
    }
    entries.extend(added);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_custom_html_tags_are_found() {
        let gtm = r#"var data = {"resource":{"tags":[{"function":"__html","vtp_html":"\u003Cscript\u003Evar a=1;\u003C\/script\u003E\u003Cscript src=\"https:\/\/x.example\/a.js\"\u003E\u003C\/script\u003E","tag_id":3},{"function":"__html", "vtp_html" : "\u003Cscript type=\"application\/ld+json\"\u003E{}\u003C\/script\u003E\u003Cscript\u003Eb()\u003C\/script\u003E"}]}};"#;
        assert_eq!(custom_html_scripts(gtm), vec!["var a=1;", "b()"]);
    }

    #[test]
    fn broken_containers_yield_nothing() {
        assert!(custom_html_scripts(r#"{"vtp_html": 12, "vtp_html":"\u00"#).is_empty());
        assert!(custom_html_scripts("no tags here").is_empty());
    }
}
