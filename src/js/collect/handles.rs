//! Card-field handles. `var cc = document.querySelector('#card-number')` holds the field,
//! not what was typed into it: a fraud script that sends `cc.value.length` and keystroke
//! timings, or checks `cc.value` against a pattern, reads no card data. A handle kept in a
//! global counts as shared card data (for `payment-read-with-outside-sink`) only when it is
//! used for more than that: its `value` read outside a length, a test or a masking call, or
//! the handle itself passed, returned or stored. A script that also sends the value is
//! still caught — that raw read is such a use.
//!
//! The bookkeeping is one counter pair per handle, updated as the walk passes each
//! reference; nothing is walked again.

use super::{Collector, SELECTOR_METHODS, precision};
use crate::js::flow::Sym;
use oxc_ast::ast::*;

/// Calls on a field that act on the element, not on what was typed into it.
const ELEMENT_METHODS: &[&str] = &[
    "addEventListener",
    "removeEventListener",
    "focus",
    "blur",
    "setAttribute",
    "removeAttribute",
    "setCustomValidity",
];

/// How a handle is referenced: every reference, and those that read nothing of the value.
#[derive(Default, Debug)]
pub(super) struct HandleUses {
    refs: u32,
    derived: u32,
}

impl<'a> Collector<'a, '_, '_> {
    /// `var cc = document.querySelector('#card-number')`: remember `cc` as a handle.
    pub(super) fn note_card_handle(&mut self, s: Sym, init: &'a Expression<'a>) {
        let Expression::CallExpression(c) = init.without_parentheses() else {
            return;
        };
        let (_, name) = self.callee_name(&c.callee);
        if !name
            .as_deref()
            .is_some_and(|n| SELECTOR_METHODS.contains(&n))
        {
            return;
        }
        let Some(a0) = c.arguments.first().and_then(|a| a.as_expression()) else {
            return;
        };
        if self
            .selector_texts(a0)
            .iter()
            .any(|t| self.k.vocab.matches(t))
        {
            self.card_handles.entry(s).or_default();
        }
    }

    /// Whether there are handles to account for (the walk's hooks return early otherwise).
    pub(super) fn has_card_handles(&self) -> bool {
        !self.card_handles.is_empty()
    }

    /// A reference to a name: one more use if it is a handle.
    pub(super) fn handle_ref(&mut self, it: &IdentifierReference<'a>) {
        if self.card_handles.is_empty() {
            return;
        }
        if let Some(s) = self.lookup(it.name.as_str())
            && let Some(u) = self.card_handles.get_mut(&s)
        {
            u.refs += 1;
        }
    }

    /// `cc.value` inside a length, test or mask, `cc.id`, `cc.addEventListener(…)`: a use
    /// that reads nothing of the value.
    pub(super) fn handle_member_use(&mut self, m: &'a StaticMemberExpression<'a>) {
        if self.card_handles.is_empty() {
            return;
        }
        let Expression::Identifier(id) = m.object.without_parentheses() else {
            return;
        };
        let Some(s) = self.lookup(id.name.as_str()) else {
            return;
        };
        if !self.card_handles.contains_key(&s) {
            return;
        }
        let prop = m.property.name.as_str();
        let derived = precision::is_metadata(prop)
            || ELEMENT_METHODS.contains(&prop)
            || (prop == "value" && self.hidden_reads.contains(&(m.span.start, m.span.end)));
        if derived && let Some(u) = self.card_handles.get_mut(&s) {
            u.derived += 1;
        }
    }

    /// `cc.value = v` with `cc` a card field's handle: a use of the element (counted as one
    /// that reads nothing), and no store of `v`. False for anything else.
    pub(super) fn card_handle_value_write(&mut self, obj: &'a Expression<'a>) -> bool {
        if self.card_handles.is_empty() {
            return false;
        }
        let Expression::Identifier(id) = obj.without_parentheses() else {
            return false;
        };
        let Some(s) = self.lookup(id.name.as_str()) else {
            return false;
        };
        match self.card_handles.get_mut(&s) {
            Some(u) => {
                u.derived += 1;
                true
            }
            None => false,
        }
    }

    /// After the walk: handles used only for what is derived from their value are not shared
    /// card data.
    pub(super) fn finish_handles(&mut self) {
        for (s, u) in std::mem::take(&mut self.card_handles) {
            if u.refs == u.derived {
                self.facts.graph.derived_only.insert(s);
            }
        }
    }
}
