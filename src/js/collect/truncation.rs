//! Parts of a card number that are not the card number. The first digits (the BIN, at most
//! eight: ISO/IEC 7812) name the issuer and the brand, and the last four identify a card to
//! its holder; PCI DSS lets a shop show and keep either. A checkout's BIN lookup (a surcharge,
//! an issuer banner, the brand icon) and a "card ending 4242" label send those, never the
//! number. So `v.substring(0, 6)`, `v.slice(-4)` and `v.substr(v.length - 4)` of a field's
//! text are a derived value, like a length or a masked copy (see [`super::precision`]);
//! `v.slice(0)`, `v.substring(0, 16)`, `v.slice(6)` and a slice with an unknown bound are the
//! value.
//!
//! Only slices of text count: `list.slice(0, 6)` of an array of fields is six fields. The
//! receiver must be text by its shape — a field's value (`.value`, `.val()`, `.key`…), a
//! chain of string methods on one (`.replace(/\D/g, '').trim()`), `String(x)`, a template,
//! or a variable declared from one of those.

use super::Collector;
use crate::js::flow::Sym;
use oxc_ast::ast::*;
use oxc_syntax::operator::BinaryOperator;

/// The longest prefix that is a BIN, and the longest suffix that is "the last four".
const MAX_PREFIX: f64 = 8.0;
const MAX_SUFFIX: f64 = 4.0;

/// String methods whose result is text made from their receiver's text.
const TEXT_METHODS: &[&str] = &[
    "replace",
    "replaceAll",
    "trim",
    "trimStart",
    "trimEnd",
    "toUpperCase",
    "toLowerCase",
    "normalize",
    "toString",
    "substring",
    "substr",
];

/// Properties of an element or an event that hold text.
const TEXT_PROPS: &[&str] = &["value", "key", "data", "textContent", "innerText"];

impl<'a> Collector<'a, '_, '_> {
    /// Whether the call `recv.name(args)` takes at most a BIN or the last four of a text.
    pub(super) fn is_truncation(
        &mut self,
        call: &'a CallExpression<'a>,
        recv: &'a Expression<'a>,
        name: &str,
    ) -> bool {
        if !matches!(name, "slice" | "substring" | "substr") || !self.is_text(recv, 0) {
            return false;
        }
        let arg = |i: usize| call.arguments.get(i).and_then(|a| a.as_expression());
        let num = |me: &Self, e: Option<&'a Expression<'a>>| {
            e.and_then(|e| me.interp.peek(e).to_number())
        };
        let (start, second) = (num(self, arg(0)), arg(1));
        match (start, second) {
            // `v.slice(0, 6)`, `v.substring(0, 6)`, `v.substr(0, 6)`: the leading digits.
            (Some(0.0), Some(e)) => num(self, Some(e)).is_some_and(|n| n > 0.0 && n <= MAX_PREFIX),
            // `v.slice(-4)`, `v.substr(-4)` (`substring` treats negatives as 0: the whole).
            (Some(s), None) if s < 0.0 => name != "substring" && -s <= MAX_SUFFIX,
            // `v.slice(v.length - 4)`, `v.substring(v.length - 4)`.
            (None, None) => arg(0).is_some_and(|a| self.is_last_digits_start(a)),
            _ => false,
        }
    }

    /// `v.length - 4` with a constant of at most four.
    fn is_last_digits_start(&self, e: &'a Expression<'a>) -> bool {
        let Expression::BinaryExpression(b) = e.without_parentheses() else {
            return false;
        };
        b.operator == BinaryOperator::Subtraction
            && matches!(b.left.without_parentheses(), Expression::StaticMemberExpression(m) if m.property.name == "length")
            && self
                .interp
                .peek(&b.right)
                .to_number()
                .is_some_and(|n| n > 0.0 && n <= MAX_SUFFIX)
    }

    /// Whether an expression is text by its shape (see the module's note).
    fn is_text(&mut self, e: &'a Expression<'a>, depth: u32) -> bool {
        if depth > 16 {
            return false;
        }
        match e.without_parentheses() {
            Expression::StaticMemberExpression(m) => TEXT_PROPS.contains(&m.property.name.as_str()),
            Expression::TemplateLiteral(_) => true,
            Expression::Identifier(id) => self
                .lookup(id.name.as_str())
                .is_some_and(|s| self.text_vars.contains(&s)),
            Expression::CallExpression(c) => {
                let callee = c.callee.without_parentheses();
                if let Expression::Identifier(id) = callee {
                    return id.name == "String";
                }
                let Some(m) = callee.as_member_expression() else {
                    return false;
                };
                match m.static_property_name() {
                    Some("val") => c.arguments.is_empty(),
                    Some(n) if TEXT_METHODS.contains(&n) || n == "slice" => {
                        self.is_text(m.object(), depth + 1)
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// `var n = input.value.replace(/\D/g, '')`: `n` holds text (a later `n.slice(0, 6)` is a
    /// BIN). Only declarations: a variable assigned elsewhere may hold anything.
    pub(super) fn note_text_binding(&mut self, s: Sym, init: &'a Expression<'a>) {
        if self.is_text(init, 0) {
            self.text_vars.insert(s);
        }
    }

    /// The receivers down a chain of string methods (`e.target.value` in
    /// `e.target.value.replace(/\D/g, '').slice(0, 6)`): what a derived value is made from.
    pub(super) fn text_chain(e: &'a Expression<'a>) -> Vec<&'a Expression<'a>> {
        let mut out = Vec::new();
        let mut cur = e.without_parentheses();
        while out.len() < 16 {
            out.push(cur);
            let Expression::CallExpression(c) = cur else {
                break;
            };
            let Some(m) = c.callee.without_parentheses().as_member_expression() else {
                break;
            };
            if !m
                .static_property_name()
                .is_some_and(|n| TEXT_METHODS.contains(&n) || n == "slice")
            {
                break;
            }
            cur = m.object().without_parentheses();
        }
        out
    }
}
