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
//! `Array.prototype.forEach.call(list, cb)`), and a list or map the elements themselves are
//! kept in (`forms.push({ el: form, id: form.id })`: references and markup, no typed data). The bookkeeping is a set of spans and one of
//! callback starts, filled as the walk passes; the check is one pass over the solved taint.

use super::{Collector, SELECTOR_METHODS};
use crate::js::flow::{SRC_HARVEST, Sym};
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

/// Links between names that may hold elements, kept per script (see `push_element_store`).
const MAX_ELEMENT_STORES: usize = 8192;

impl<'a> Collector<'a, '_, '_> {
    /// Whether an expression is a selector call that selects every field, `document.forms`
    /// or a form's `elements`.
    fn is_field_selection(&mut self, e: &'a Expression<'a>) -> bool {
        // `document.forms`, `form.elements`: every form, every field of a form (form
        // analytics walks them to attach listeners and count fields); held like a selector
        // call's list.
        if let Expression::StaticMemberExpression(m) = e.without_parentheses() {
            return match m.property.name.as_str() {
                "forms" => self.path_of(&m.object).as_deref() == Some("document"),
                "elements" => true,
                _ => false,
            };
        }
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
        self.note_element_alias(s, init);
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
        // `Array.prototype.forEach.call(list, cb)`, `[].filter.call(list, cb)`.
        let (recv, method) = match (m.static_property_name(), m.object().without_parentheses()) {
            (Some("call"), Expression::StaticMemberExpression(f))
                if matches!(f.property.name.as_str(), "forEach" | "each")
                    || PREDICATES.contains(&f.property.name.as_str()) =>
            {
                match c.arguments.first().and_then(|a| a.as_expression()) {
                    Some(a) => (a, Some(f.property.name.as_str())),
                    None => return,
                }
            }
            (name, _) => (m.object(), name),
        };
        // `filter(el => el.value)`, `some(…)`: what the callback returns is a yes or no
        // about the element, kept nowhere (`filter` and `find` answer with the elements).
        if method.is_some_and(|n| PREDICATES.contains(&n)) {
            self.predicate_cbs.extend(callback_starts(c));
        }
        // `Array.prototype.filter.call(form.elements, f).length`: a count of the fields
        // (see `precision`), whose callback looks at each field without keeping it.
        let counted = {
            let sp = recv.without_parentheses().span();
            self.hidden_reads.contains(&(sp.start, sp.end))
        };
        if !counted && !self.holds_elements(recv) {
            // `form.addEventListener('focusin', e => …)` inside `attach(form)`, whose
            // callers are read later: the parameters hold elements if `form` turns out to.
            if let Expression::Identifier(id) = recv.without_parentheses()
                && let Some(r) = self.lookup(id.name.as_str())
            {
                for start in callback_starts(c) {
                    self.maybe_holder_cbs.insert(start, r);
                }
            }
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
        for (i, a) in args.iter().enumerate() {
            let Some(&p) = self.facts.graph.fn_params.get(&f).and_then(|ps| ps.get(i)) else {
                continue;
            };
            if self.is_holder(a) {
                self.facts.graph.element_holders.insert(p);
            } else if let Expression::Identifier(id) = a.without_parentheses()
                && let Some(r) = self.lookup(id.name.as_str())
            {
                // `report(form)` in a listener whose own `form` turns out to be a holder
                // once a later `forEach` over the forms is read: decided after the walk.
                self.push_element_store(p, vec![r]);
            }
        }
    }

    /// `list.push({ el: form, id: form.id })`, `map.set(k, el)`: a list or map of a holder's
    /// elements holds elements. Only when nothing else in the stored value can carry a value
    /// read from them (`{ el, v: el.value }` is data): literals, names (whose own taint is
    /// judged at their own symbol) and markup (`id`, `name`, `type`). Whether a stored name
    /// is a holder is known when the walk is over (`attach(form)` is often called after its
    /// body is read): the flow graph keeps the list with the names.
    pub(super) fn note_element_store(&mut self, c: &'a CallExpression<'a>) {
        let Some(m) = c.callee.without_parentheses().as_member_expression() else {
            return;
        };
        let stored: Vec<&'a Expression<'a>> = match m.static_property_name() {
            Some("push" | "unshift" | "add") => c
                .arguments
                .iter()
                .filter_map(|a| a.as_expression())
                .collect(),
            Some("set") => c
                .arguments
                .get(1)
                .and_then(|a| a.as_expression())
                .into_iter()
                .collect(),
            _ => return,
        };
        let Expression::Identifier(list) = m.object().without_parentheses() else {
            return;
        };
        let mut names = Vec::new();
        if stored.is_empty() || !stored.iter().all(|e| self.element_parts(e, &mut names, 0)) {
            return;
        }
        if !names.is_empty()
            && let Some(s) = self.lookup(list.name.as_str())
        {
            self.push_element_store(s, names);
        }
    }

    /// `var el = e.target`, `lastField = el`, `var f = forms[i]`: the name holds what `e`,
    /// `el` or `forms` holds — an element, when that turns out to be a holder (the graph
    /// decides once the walk is over, see [`Self::note_element_store`]).
    pub(super) fn note_element_alias(&mut self, s: Sym, init: &'a Expression<'a>) {
        let from = match init.without_parentheses() {
            Expression::Identifier(id) => id,
            Expression::StaticMemberExpression(m)
                if matches!(
                    m.property.name.as_str(),
                    "target" | "currentTarget" | "srcElement" | "el" | "element"
                ) =>
            {
                match m.object.without_parentheses() {
                    Expression::Identifier(id) => id,
                    _ => return,
                }
            }
            Expression::ComputedMemberExpression(m) => match m.object.without_parentheses() {
                Expression::Identifier(id) => id,
                _ => return,
            },
            _ => return,
        };
        if let Some(f) = self.lookup(from.name.as_str())
            && f != s
        {
            self.push_element_store(s, vec![f]);
        }
    }

    /// Whether `e` is made of names, literals and markup reads only; the names' symbols
    /// (which may hold elements) go to `names`.
    fn element_parts(&mut self, e: &'a Expression<'a>, names: &mut Vec<Sym>, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                if let Some(s) = self.lookup(id.name.as_str()) {
                    names.push(s);
                }
                true
            }
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_) => true,
            Expression::TemplateLiteral(t) => t.expressions.is_empty(),
            Expression::StaticMemberExpression(m) => {
                super::precision::is_metadata(m.property.name.as_str())
            }
            Expression::LogicalExpression(l) => {
                self.element_parts(&l.left, names, depth + 1)
                    && self.element_parts(&l.right, names, depth + 1)
            }
            Expression::BinaryExpression(b) => {
                self.element_parts(&b.left, names, depth + 1)
                    && self.element_parts(&b.right, names, depth + 1)
            }
            Expression::ObjectExpression(o) => o.properties.iter().all(|p| match p {
                ObjectPropertyKind::ObjectProperty(p) => {
                    !p.computed && self.element_parts(&p.value, names, depth + 1)
                }
                ObjectPropertyKind::SpreadProperty(_) => false,
            }),
            Expression::ArrayExpression(a) => a.elements.iter().all(|x| match x.as_expression() {
                Some(x) => self.element_parts(x, names, depth + 1),
                None => false,
            }),
            _ => false,
        }
    }

    /// Keep a link for the end of the walk, up to a bound: a bundle has tens of thousands of
    /// `var x = y`, and only the ones near a field selection matter.
    fn push_element_store(&mut self, s: Sym, names: Vec<Sym>) {
        if self.facts.graph.element_stores.len() < MAX_ELEMENT_STORES {
            self.facts.graph.element_stores.push((s, names));
        }
    }

    /// Entering a function: the parameters of a holder's callback are holders.
    pub(super) fn note_holder_params(&mut self, fn_start: u32, ret: Sym, params: &[Sym]) {
        let predicate = self.predicate_cbs.remove(&fn_start);
        if let Some(r) = self.maybe_holder_cbs.remove(&fn_start) {
            for p in params {
                self.push_element_store(*p, vec![r]);
            }
            if predicate {
                self.push_element_store(ret, vec![r]);
            }
        }
        if self.holder_cbs.remove(&fn_start) {
            self.facts
                .graph
                .element_holders
                .extend(params.iter().copied());
            if predicate {
                self.facts.graph.element_holders.insert(ret);
            }
        }
    }
}

/// Iteration methods whose callback answers yes or no about each element.
const PREDICATES: &[&str] = &[
    "filter",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
];

/// Where the functions written as arguments of a call start (their callbacks).
fn callback_starts(c: &CallExpression<'_>) -> Vec<u32> {
    c.arguments
        .iter()
        .filter_map(|a| match a.as_expression() {
            Some(Expression::FunctionExpression(f)) => Some(f.span.start),
            Some(Expression::ArrowFunctionExpression(f)) => Some(f.span.start),
            _ => None,
        })
        .collect()
}
