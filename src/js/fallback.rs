//! The fallback parser. oxc gives no tree at all for a script with one syntax error, and
//! skimmers are often appended to files that end up slightly broken. tree-sitter recovers:
//! its tree marks the broken regions, and the statements around them are intact. We take the
//! error-free statements tree-sitter found (descending a few levels into broken ones) and
//! give each to oxc on its own, so the full analysis still runs on everything readable.

use super::budget::Deadline;
use std::ops::ControlFlow;

/// Chunks per script, beyond which the rest is left to the indicators.
const MAX_CHUNKS: usize = 20_000;
/// How far into a broken statement we look for intact ones.
const MAX_DESCENT: u32 = 6;

/// Byte ranges of statements tree-sitter read without errors, in source order. `None` when
/// tree-sitter could not parse at all (or the time budget ran out).
pub fn intact_statements(text: &str, deadline: Deadline) -> Option<Vec<(usize, usize)>> {
    let mut parser = tree_sitter::Parser::new();
    let lang: tree_sitter::Language = tree_sitter_javascript::LANGUAGE.into();
    parser.set_language(&lang).ok()?;
    let bytes = text.as_bytes();
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
    let mut out = Vec::new();
    collect(tree.root_node(), 0, &mut out);
    Some(out)
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
    fn statements_around_a_syntax_error_are_kept() {
        let text =
            "var a = 1;\nfunction f() { return 2; } }}\nvar b = fetch('https://x.example/');\n";
        let chunks = intact_statements(text, Deadline::after(Duration::from_secs(5))).unwrap();
        let pieces: Vec<&str> = chunks.iter().map(|(s, e)| &text[*s..*e]).collect();
        assert!(pieces.iter().any(|p| p.starts_with("var a")), "{pieces:?}");
        assert!(pieces.iter().any(|p| p.contains("fetch")), "{pieces:?}");
    }
}
