//! Documents the script parses itself. `new DOMParser().parseFromString(text, 'image/svg+xml')`
//! is no part of the page: an element selected in it carries the text it was parsed from.
//! A loader hides its stage in a downloaded image's `<metadata>` or a "404 page"'s comment
//! and reads it back with `doc.querySelector('metadata').textContent`; a selection of one
//! element that is not a field otherwise carries nothing of its receiver (a form's other
//! fields), which lost the download on the way to `eval`.

use super::{Collector, SELECTOR_METHODS};
use crate::js::flow::Sym;
use oxc_ast::ast::*;

/// Calls that make a document of their own from text.
const PARSERS: &[&str] = &["parseFromString", "createHTMLDocument", "createDocument"];

impl<'a> Collector<'a, '_, '_> {
    /// `var doc = parser.parseFromString(…)`, `var svg = doc.documentElement`,
    /// `var meta = svg.querySelector('metadata')`: remember `s` as part of a parsed document.
    pub(super) fn note_parsed_doc(&mut self, s: Sym, init: &'a Expression<'a>) {
        if self.in_parsed_doc(init, 0) {
            self.parsed_docs.insert(s);
        }
    }

    /// Whether `e` is a parsed document or something in one.
    pub(super) fn in_parsed_doc(&mut self, e: &'a Expression<'a>, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                !self.parsed_docs.is_empty()
                    && self
                        .lookup(id.name.as_str())
                        .is_some_and(|s| self.parsed_docs.contains(&s))
            }
            Expression::StaticMemberExpression(m) => self.in_parsed_doc(&m.object, depth + 1),
            Expression::ComputedMemberExpression(m) => self.in_parsed_doc(&m.object, depth + 1),
            Expression::CallExpression(c) => match c.callee.without_parentheses() {
                Expression::StaticMemberExpression(m) => {
                    let name = m.property.name.as_str();
                    PARSERS.contains(&name)
                        || ((SELECTOR_METHODS.contains(&name) || name == "item")
                            && self.in_parsed_doc(&m.object, depth + 1))
                }
                _ => false,
            },
            _ => false,
        }
    }
}
