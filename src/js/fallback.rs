//! The fallback parser. oxc gives no tree at all for a script with one syntax error, and
//! skimmers are often appended to files that end up slightly broken. tree-sitter recovers:
//! its tree marks the broken regions, and the statements around them are intact. We take the
//! error-free statements tree-sitter found (descending a few levels into broken ones) and
//! give each to oxc on its own, so the full analysis still runs on everything readable.

use super::budget::Deadline;
use std::ops::ControlFlow;

/// Chunks per script, beyond which the rest is left to the indicators.
pub const MAX_CHUNKS: usize = 20_000;
/// How far into a broken statement we look for intact ones.
const MAX_DESCENT: u32 = 6;
/// Bytes tree-sitter reads at once. Its tree takes about 80 bytes per byte of source, so a
/// 20 MB broken file read whole would need 1.6 GB; read in pieces (cut at line or statement
/// ends) it needs a bounded amount, and only statements across a cut are lost.
const PIECE_BYTES: usize = 2 << 20;

/// Byte ranges of statements tree-sitter read without errors, in source order. `None` when
/// tree-sitter could not parse at all (or the time budget ran out).
pub fn intact_statements(text: &str, deadline: Deadline) -> Option<Vec<(usize, usize)>> {
    let mut parser = tree_sitter::Parser::new();
    let lang: tree_sitter::Language = tree_sitter_javascript::LANGUAGE.into();
    parser.set_language(&lang).ok()?;
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() && out.len() < MAX_CHUNKS {
        let end = piece_end(text, start);
        let bytes = text.as_bytes().get(start..end)?;
        let mut input =
            |offset: usize, _: tree_sitter::Point| -> &[u8] { bytes.get(offset..).unwrap_or(&[]) };
        let mut progress = |_: &tree_sitter::ParseState| {
            if deadline.passed() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let opts = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
        let tree = parser.parse_with_options(&mut input, None, Some(opts))?;
        let before = out.len();
        collect(tree.root_node(), 0, &mut out);
        for r in &mut out[before..] {
            *r = (r.0 + start, r.1 + start);
        }
        drop(tree);
        parser.reset();
        start = end;
    }
    Some(out)
}

/// Where the piece starting at `start` ends: the text's end, else the last line end before
/// the piece limit, else the last `;` or `}`, else the limit itself (at a character boundary).
fn piece_end(text: &str, start: usize) -> usize {
    let limit = start + PIECE_BYTES;
    if limit >= text.len() {
        return text.len();
    }
    let window = &text.as_bytes()[start..limit];
    let cut = memchr::memrchr(b'\n', window)
        .or_else(|| memchr::memrchr2(b';', b'}', window))
        .map(|k| start + k + 1)
        .filter(|&e| e > start);
    let mut end = cut.unwrap_or(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end.max(start + 1)
}

fn collect(node: tree_sitter::Node<'_>, depth: u32, out: &mut Vec<(usize, usize)>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if out.len() >= MAX_CHUNKS {
            return;
        }
        if !child.is_named() || child.kind() == "comment" {
            continue;
        }
        if !child.has_error() && !child.is_missing() {
            if is_statement_like(child.kind()) {
                out.push((child.start_byte(), child.end_byte()));
            }
        } else if depth < MAX_DESCENT {
            collect(child, depth + 1, out);
        }
    }
}

fn is_statement_like(kind: &str) -> bool {
    kind.ends_with("statement")
        || kind.ends_with("declaration")
        || matches!(
            kind,
            "function_expression" | "call_expression" | "assignment_expression" | "expression"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_long_broken_file_is_read_in_pieces() {
        // Long statements: the pieces hold fewer than MAX_CHUNKS of them.
        let stmt = format!("var a = fetch('https://x.example/{}');\n", "p".repeat(200));
        let stmt = stmt.as_str();
        let text = format!(
            "{}}}}}\n{}",
            stmt.repeat(PIECE_BYTES / stmt.len() + 1000),
            stmt
        );
        let chunks = intact_statements(&text, Deadline::after(Duration::from_secs(60))).unwrap();
        assert!(chunks.len() > PIECE_BYTES / stmt.len(), "{}", chunks.len());
        assert!(chunks.windows(2).all(|w| w[0].1 <= w[1].0));
        assert!(chunks.iter().all(|&(s, e)| text[s..e].starts_with("var a")));
    }

    #[test]
    fn statements_around_a_syntax_error_are_kept() {
        let text =
            "var a = 1;\nfunction f() { return 2; } }}\nvar b = fetch('https://x.example/');\n";
        let chunks = intact_statements(text, Deadline::after(Duration::from_secs(5))).unwrap();
        let pieces: Vec<&str> = chunks.iter().map(|(s, e)| &text[*s..*e]).collect();
        assert!(pieces.iter().any(|p| p.starts_with("var a")), "{pieces:?}");
        assert!(pieces.iter().any(|p| p.contains("fetch")), "{pieces:?}");
    }
}
