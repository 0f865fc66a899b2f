//! Element holders. Form analytics, validators and UX scripts select every field to attach
//! listeners (`document.querySelectorAll('#checkout input').forEach(el =>
//! el.addEventListener('focus', …))`) and record names and timings: the selection holds the
//! elements, not what was typed into them. A selection of every field that is kept in a
//! variable or iterated where it is made is a *held* harvest: it counts (for
//! `payment-read-with-outside-sink`) only when data read from the elements reaches a variable
//! that is not itself a holder — `data[el.name] = el.value` does, `times[el.name] = ms` does
//! not. A selection used any other way (sent, serialised, passed on) is a harvest at once.
//!
//! Holders are the variable declared from the selection, the parameters of a callback of a
//! call on a holder or on the selection (`forEach`, `each`, `addEventListener`, and
//! `Array.prototype.forEach.call(list, cb)`). The bookkeeping is a set of spans and one of
//! callback starts, filled as the walk passes; the check is one pass over the solved taint.

use super::{Collector, SELECTOR_METHODS};
use crate::js::flow::{SRC_HARVEST, Sym};
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

impl<'a> Collector<'a, '_, '_> {
    /// Whether an expression is a selector call that selects every field.
    fn is_field_selection(&mut self, e: &'a Expression<'a>) -> bool {
        let Expression::CallExpression(c) = e.without_parentheses() else {
            return false;
        };
        let (obj, name) = self.callee_name(&c.callee);
        if !name
            .as_deref()
            .is_some_and(|n| SELECTOR_METHODS.contains(&n))
        {
            return false;
        }
        let Some(a0) = c.arguments.first().and_then(|a| a.as_expression()) else {
            return false;
        };
        let fields = self
            .selector_texts(a0)
            .iter()
            .any(|t| self.k.vocab.harvests(t));
        fields && !self.searches_other_section(obj)
    }

    /// Whether an expression is a holder variable.
    fn is_holder(&mut self, e: &'a Expression<'a>) -> bool {
        // `els[i]`: an element of a held selection is held too.
        if let Expression::ComputedMemberExpression(m) = e.without_parentheses() {
            return self.is_holder(&m.object);
        }
        let Expression::Identifier(id) = e.without_parentheses() else {
            return false;
        };
        self.lookup(id.name.as_str())
            .is_some_and(|s| self.facts.graph.element_holders.contains(&s))
    }

    /// `var fields = document.querySelectorAll('input')`: `fields` holds the elements.
    pub(super) fn note_element_holder(&mut self, s: Sym, init: &'a Expression<'a>) {
        // `var el = els[i]` of a holder `els`: `el` holds one of its elements.
        if matches!(
            init.without_parentheses(),
            Expression::ComputedMemberExpression(_)
        ) && self.is_holder(init)
        {
            self.facts.graph.element_holders.insert(s);
            return;
        }
        if self.is_field_selection(init) {
            self.facts.graph.element_holders.insert(s);
            let sp = init.without_parentheses().span();
            self.held_selections.insert((sp.start, sp.end));
        }
    }

    /// A call on a holder or on a selection made there: its callbacks' parameters hold the
    /// elements (or their events). Called before the walk reaches the call's parts.
    pub(super) fn mark_held_calls(&mut self, e: &'a Expression<'a>) {
        let Expression::CallExpression(c) = e else {
            return;
        };
        let Some(m) = c.callee.without_parentheses().as_member_expression() else {
            return;
        };
        // `Array.prototype.forEach.call(list, cb)`, `[].forEach.call(list, cb)`.
        let recv = match (m.static_property_name(), m.object().without_parentheses()) {
            (Some("call"), Expression::StaticMemberExpression(f))
                if matches!(f.property.name.as_str(), "forEach" | "each") =>
            {
                match c.arguments.first().and_then(|a| a.as_expression()) {
                    Some(a) => a,
                    None => return,
                }
            }
            _ => m.object(),
        };
        if !self.holds_elements(recv) {
            return;
        }
        for a in &c.arguments {
            match a.as_expression() {
                // `$(…).find('input').each(function () { $(this).val() })`: `this` is the
                // element too, and reading it reads a field (an arrow keeps the outer `this`).
                Some(Expression::FunctionExpression(f)) => {
                    self.holder_cbs.insert(f.span.start);
                    *self.listener_this.entry(f.span.start).or_insert(0) |= SRC_HARVEST;
                }
                Some(Expression::ArrowFunctionExpression(f)) => {
                    self.holder_cbs.insert(f.span.start);
                }
                _ => {}
            }
        }
    }

    /// `for (const el of list)`: el holds the elements when `list` is a holder or a selection
    /// of every field (the selection is then held, as with `forEach`).
    pub(super) fn note_loop_holder(&mut self, s: Sym, list: &'a Expression<'a>) {
        if self.holds_elements(list) {
            self.facts.graph.element_holders.insert(s);
        }
    }

    /// Whether `list` is a holder, or a selection of every field (which is then held).
    fn holds_elements(&mut self, list: &'a Expression<'a>) -> bool {
        if self.is_holder(list) {
            return true;
        }
        if self.is_field_selection(list) {
            let sp = list.without_parentheses().span();
            self.held_selections.insert((sp.start, sp.end));
            return true;
        }
        false
    }

    /// Whether the selector call at `span` is held (not a harvest by itself).
    pub(super) fn is_held_selection(&self, span: Span) -> bool {
        self.held_selections.contains(&(span.start, span.end))
    }

    /// `fid(el)` with `el` a holder: the helper's parameter holds the element too (a helper
    /// that reads a field's name or id is not reading what was typed).
    pub(super) fn holder_args(&mut self, f: Sym, args: &[&'a Expression<'a>]) {
        if self.facts.graph.element_holders.is_empty() {
            return;
        }
        for (i, a) in args.iter().enumerate() {
            if self.is_holder(a)
                && let Some(&p) = self.facts.graph.fn_params.get(&f).and_then(|ps| ps.get(i))
            {
                self.facts.graph.element_holders.insert(p);
            }
        }
    }

    /// Entering a function: the parameters of a holder's callback are holders.
    pub(super) fn note_holder_params(&mut self, fn_start: u32, params: &[Sym]) {
        if self.holder_cbs.remove(&fn_start) {
            self.facts
                .graph
                .element_holders
                .extend(params.iter().copied());
        }
    }
}
