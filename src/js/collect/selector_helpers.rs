//! Selector helpers: `const f = n => document.querySelector('#' + n)`, `function val(sel) {
//! return $(sel).val() }`. Inside the helper the selector is a parameter; a call that passes
//! a card field's name (`f('cc-number')`) reads that field, at the call. The data of such a
//! call is card data already (see `deps`); this records the read itself, so a script whose
//! flow is lost on the way still counts as reading card fields.

use super::Collector;
use crate::js::flow::Sym;
use crate::rules::schema::SourceKind;
use oxc_ast::ast::*;
use oxc_span::Span;

/// Helpers remembered per script.
const MAX_HELPERS: usize = 256;

impl<'a> Collector<'a, '_, '_> {
    /// A selector call's argument `a`: when a parameter of the function it is written in is
    /// part of it, that function selects by that parameter.
    pub(super) fn note_selector_param(&mut self, a: &'a Expression<'a>) {
        if self.selector_params.len() >= MAX_HELPERS {
            return;
        }
        if let Some(p) = self.param_part(a, 0) {
            self.selector_params.insert(p);
        }
    }

    fn param_part(&mut self, e: &'a Expression<'a>, depth: u32) -> Option<(Sym, usize)> {
        if depth > 8 {
            return None;
        }
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str())?;
                self.param_index.get(&s).copied()
            }
            Expression::BinaryExpression(b) => self
                .param_part(&b.left, depth + 1)
                .or_else(|| self.param_part(&b.right, depth + 1)),
            Expression::TemplateLiteral(t) => t
                .expressions
                .iter()
                .find_map(|x| self.param_part(x, depth + 1)),
            _ => None,
        }
    }

    /// A call of the script's function `f` with `args`: a card field's name passed where `f`
    /// selects by its parameter is a read of that field.
    pub(super) fn selector_helper_call(&mut self, f: Sym, args: &[&'a Expression<'a>], at: Span) {
        if self.selector_params.is_empty() {
            return;
        }
        for (i, a) in args.iter().enumerate() {
            if self.selector_params.contains(&(f, i))
                && let Some(t) = self.interp.peek(a).name_text()
                && self.k.vocab.matches(&t)
            {
                self.source(SourceKind::Payment, at);
                return;
            }
        }
    }
}
