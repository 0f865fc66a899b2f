//! A "page" that is really one script: a file of JavaScript wrapped in an HTML comment
//! (`<!-- … //-->`, the old way of hiding code from browsers without script support) or with
//! no markup at all, saved or served where a page was expected. As HTML it is only a comment
//! or text, so the page pipeline would find no script and call it clean; read as the script
//! it is, its code is analysed like an inline block.

use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_span::SourceType;

/// Largest page tried as a bare script (real pages are never JavaScript; this bounds the cost
/// of finding out).
const MAX_BARE_SCRIPT: usize = 2 << 20;

/// Whether `html` is one script rather than a document: it opens with an HTML comment or has
/// no `<` at all, contains code (a call), and parses as JavaScript without an error (where
/// `<!--` and a line-leading `-->` are comments, as browsers read classic scripts).
pub fn is_bare_script(html: &str) -> bool {
    let t = html.trim_start_matches('\u{feff}').trim();
    if t.is_empty() || t.len() > MAX_BARE_SCRIPT || !t.contains('(') {
        return false;
    }
    if !t.starts_with("<!--") && t.contains('<') {
        return false;
    }
    let alloc = Allocator::default();
    let ret = Parser::new(&alloc, t, SourceType::script()).parse();
    !ret.panicked && !ret.diagnostics.has_errors() && !ret.program.body.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commented_script_is_a_script() {
        assert!(is_bare_script(
            "<!--\nvar s='x'; for (i=0; i<s.length; i++) { m += s; } document.write(m);//-->\n"
        ));
        assert!(is_bare_script("document.write(unescape('%3Cscript%3E'));"));
    }

    #[test]
    fn documents_and_text_are_not() {
        assert!(!is_bare_script(
            "<!doctype html><html><body><p>Hi</p></body></html>"
        ));
        assert!(!is_bare_script(
            "<!-- a comment -->\n<p>Checkout (step 2)</p>"
        ));
        assert!(!is_bare_script("Our shop (est. 1999) sells lamps."));
        assert!(!is_bare_script(""));
    }
}
