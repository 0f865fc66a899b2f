//! Source positions (line, column) for elements the parser found.
//!
//! html5ever (through scraper) gives no source positions, yet a finding must name the line a
//! responder should open. One linear pass over the raw HTML finds every start tag's byte range,
//! skipping comments and the contents of raw-text elements (a `<script` inside a script string
//! or a comment is not a tag) the way the HTML tokenizer does. The n-th `<script>` element the
//! parser built is then the n-th `<script` tag — but only when both counts agree; a malformed
//! page where the parser invented or dropped elements falls back to searching for the element's
//! text, then to line 1. Best effort, never a panic. Lines end at `\n` (so CRLF pages count
//! right; a page using bare CR line endings is one long line).

use std::collections::HashMap;

/// Elements whose content the tokenizer reads as raw text until the matching end tag.
/// (`noscript` is raw text when scripting is enabled, as html5ever parses it.)
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// A start tag's byte range in the raw HTML: `start` is the `<`, `end` is just after the `>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TagSpan {
    pub start: usize,
    pub end: usize,
}

/// Start tags by lower-case name, in document order, and a line index of the raw HTML.
pub(crate) struct Positions<'a> {
    html: &'a str,
    line_starts: Vec<usize>,
    tags: HashMap<String, Vec<TagSpan>>,
}

impl<'a> Positions<'a> {
    pub(crate) fn new(html: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            html.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Positions {
            html,
            line_starts,
            tags: scan_start_tags(html),
        }
    }

    /// The `nth` (0-based) start tag named `name`, trusted only when the raw HTML holds exactly
    /// `dom_count` such tags (the parser built as many elements as the source has tags).
    pub(crate) fn tag(&self, name: &str, nth: usize, dom_count: usize) -> Option<TagSpan> {
        let spans = self.tags.get(name)?;
        if spans.len() != dom_count {
            return None;
        }
        spans.get(nth).copied()
    }

    /// Byte offset of `needle` at or after `from`, searching from the start when not found
    /// after it. An empty needle is never found.
    pub(crate) fn find(&self, needle: &str, from: usize) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        let from = from.min(self.html.len());
        if let Some(rest) = self.html.get(from..)
            && let Some(p) = rest.find(needle)
        {
            return Some(from + p);
        }
        self.html.find(needle)
    }

    /// Byte offset of `needle` inside `start..end`, if it is there.
    pub(crate) fn find_within(&self, needle: &str, start: usize, end: usize) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        let window = self.html.get(start..end.min(self.html.len()))?;
        window.find(needle).map(|p| start + p)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.html.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self
            .html
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count());
        (to_u32(line_index + 1), to_u32(column + 1))
    }

    /// Where inline code starts, searching for its text: the first non-blank line of the code
    /// is found, then moved back over the code's leading whitespace.
    pub(crate) fn find_code(&self, code: &str, from: usize) -> Option<(u32, u32)> {
        let trimmed = code.trim_start();
        let leading = &code[..code.len() - trimmed.len()];
        let first_line = trimmed.lines().next()?.trim_end();
        let needle: String = first_line.chars().take(80).collect();
        let offset = self.find(&needle, from)?;
        let (line, column) = self.line_col(offset);
        let leading_newlines = leading.matches('\n').count();
        if leading_newlines == 0 {
            let back = to_u32(leading.chars().count());
            Some((line, column.saturating_sub(back).max(1)))
        } else {
            // The code began on an earlier line, right after the tag; its column is unknown.
            Some((line.saturating_sub(to_u32(leading_newlines)).max(1), 1))
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One pass over the HTML recording every start tag by name. Linear: each byte is looked at a
/// bounded number of times (the lower-cased copy keeps byte offsets identical).
fn scan_start_tags(html: &str) -> HashMap<String, Vec<TagSpan>> {
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut tags: HashMap<String, Vec<TagSpan>> = HashMap::new();
    let mut i = 0;
    while let Some(p) = lower.get(i..).and_then(|rest| rest.find('<')) {
        let start = i + p;
        let rest = &bytes[start..];
        if rest.starts_with(b"<!--") {
            i = lower
                .get(start + 4..)
                .and_then(|r| r.find("-->"))
                .map_or(bytes.len(), |e| start + 4 + e + 3);
            continue;
        }
        if rest.len() < 2 || !rest[1].is_ascii_alphabetic() {
            // `</…>`, `<!DOCTYPE>`, `<?…>` or a lone `<`: not a start tag.
            i = start + 1;
            continue;
        }
        let name_end = rest
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
            .map_or(bytes.len(), |n| start + n);
        let name = &lower[start + 1..name_end];
        let end = tag_end(bytes, name_end);
        tags.entry(name.to_string())
            .or_default()
            .push(TagSpan { start, end });
        i = end;
        if name == "plaintext" {
            break;
        }
        if RAW_TEXT.contains(&name) {
            let closing = format!("</{name}");
            i = lower
                .get(end..)
                .and_then(|r| r.find(&closing))
                .map_or(bytes.len(), |e| end + e);
        }
    }
    tags
}

/// Index just after the `>` that closes a tag whose attributes start at `from`, honouring
/// quoted attribute values (`<a title="a>b">`).
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return i + 1,
            b'=' => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i < bytes.len() && matches!(bytes[i], b'"' | b'\'') {
                    let quote = bytes[i];
                    i = bytes[i + 1..]
                        .iter()
                        .position(|&b| b == quote)
                        .map_or(bytes.len(), |q| i + 1 + q + 1);
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_in_comments_and_strings_are_not_tags() {
        let html = "<!-- <script>no</script> -->\n<SCRIPT>var s = '<script>';</script>\n\
                    <p title='a>b'><script src=x.js></script>";
        let p = Positions::new(html);
        let spans = &p.tags["script"];
        assert_eq!(spans.len(), 2);
        assert_eq!(p.line_col(spans[0].start), (2, 1));
        assert_eq!(p.line_col(spans[1].end), (3, 33));
        assert!(p.tag("script", 1, 2).is_some());
        assert!(p.tag("script", 1, 3).is_none());
    }

    #[test]
    fn columns_count_characters() {
        let p = Positions::new("日本語<script>x()</script>");
        let span = p
            .tag("script", 0, 1)
            .unwrap_or(TagSpan { start: 0, end: 0 });
        assert_eq!(p.line_col(span.end), (1, 12));
    }

    #[test]
    fn find_code_moves_back_over_leading_whitespace() {
        let html = "<p>\n<script>\n  run();\n</script>";
        let p = Positions::new(html);
        assert_eq!(p.find_code("\n  run();\n", 0), Some((2, 1)));
        assert_eq!(p.find_code("  run();", 0), Some((3, 1)));
        assert_eq!(p.find_code("   ", 0), None);
    }

    #[test]
    fn unterminated_things_do_not_panic() {
        for html in [
            "<",
            "<!--",
            "<script",
            "<script>",
            "<a href='",
            "<a b=",
            "<\u{0}",
        ] {
            let p = Positions::new(html);
            let _ = p.line_col(html.len() + 10);
        }
    }
}
