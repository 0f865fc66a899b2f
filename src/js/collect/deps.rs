//! What a value depends on: the variables, pipes and sources an expression's value is made
//! of, for the flow graph. This is where "what about a value is read" is decided (a length,
//! a test or a masked copy carries none of it).

use super::{Collector, SELECTOR_METHODS, is_jquery_name, precision};
use crate::js::flow::{Deps, SRC_HARVEST, SRC_PAYMENT, Sym};
use crate::js::vocabulary::{bare_field_tag, one_field_by_unknown_value};
use oxc_ast::ast::*;
use oxc_span::GetSpan;
use oxc_syntax::operator::LogicalOperator;

impl<'a> Collector<'a, '_, '_> {
    pub(super) fn deps(&mut self, e: &'a Expression<'a>) -> Deps {
        let mut d = Deps::default();
        self.deps_into(e, &mut d, 0);
        d
    }

    pub(super) fn push_sym(d: &mut Deps, s: Option<Sym>) {
        if let Some(s) = s
            && !d.syms.contains(&s)
        {
            d.syms.push(s);
        }
    }

    pub(super) fn deps_into(&mut self, e: &'a Expression<'a>, d: &mut Deps, depth: u32) {
        if depth > 512 || d.syms.len() > 256 {
            return;
        }
        let n = depth + 1;
        match e {
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str());
                if let Some(s) = s
                    && !self.form_data.is_empty()
                {
                    self.form_data_used(s);
                }
                if s.is_some_and(|s| self.not_card_values.contains(&s)) {
                    return;
                }
                // `suggest(el)` after `if (!isAddress(el)) return;`: an element a guard said
                // is another kind of field carries none of the card's or every field's data.
                if !self.not_card.is_empty() && self.not_card.contains(&id.name.as_str()) {
                    return;
                }
                if let Some(s) = s
                    && self.interp.decl_fn(id.name.as_str()).is_some()
                {
                    self.note_fn_decl_ref(s);
                }
                Self::push_sym(d, s);
            }
            // A function written as a value: its own symbol (see `fn_refs`).
            Expression::FunctionExpression(f) => {
                let s = self.fn_ref(f.span.start);
                Self::push_sym(d, s);
            }
            Expression::ArrowFunctionExpression(f) => {
                let s = self.fn_ref(f.span.start);
                Self::push_sym(d, s);
            }
            Expression::ThisExpression(_) => {
                if let Some(f) = self.fn_stack.last() {
                    d.src |= f.this_src;
                }
                let s = self.this_sym();
                Self::push_sym(d, s);
            }
            Expression::StaticMemberExpression(m) => {
                let prop = m.property.name.as_str();
                if let Some(r) = self.xhr_response(m) {
                    Self::push_sym(d, Some(r));
                }
                if prop == "cookie" && self.path_of(&m.object).as_deref() == Some("document") {
                    let s = self.pipe_read("cookie");
                    Self::push_sym(d, Some(s));
                    return;
                }
                // `history.state`, `location.hash`: what the script put there (see `pipes`).
                if let Some(key) = self.navigation_pipe(&m.object, prop) {
                    let s = self.pipe_read(key);
                    Self::push_sym(d, Some(s));
                    return;
                }
                if self.is_storage(&m.object) {
                    let area = self.storage_area(&m.object);
                    self.storage_read(area, Some(prop), d);
                    return;
                }
                if let Some(k) = self.document_element_key(m) {
                    let s = self.pipe_read(&format!("dom:{k}"));
                    Self::push_sym(d, Some(s));
                    return;
                }
                // `window.name` is no element's name: the window keeps it across navigations,
                // the classic hand-off from the checkout to the next page.
                if prop == "name" && self.is_windowish(&m.object) {
                    let p = self.window_global_read(prop);
                    Self::push_sym(d, Some(p));
                    return;
                }
                // What about a value is read: its length, its event's timing, an element's
                // name or type carry none of the value (masking and timing scripts).
                if precision::is_metadata(prop) || self.is_guarded_value(m) {
                    return;
                }
                if prop == "elements"
                    || (prop == "forms" && self.path_of(&m.object).as_deref() == Some("document"))
                {
                    d.src |= SRC_HARVEST;
                }
                if self.is_hooked_body(m) {
                    d.src |= SRC_PAYMENT;
                }
                if self.vocab_name(prop)
                    || (prop == "value"
                        && (self.is_own_card_field(&m.object)
                            || self.is_named_card_global(&m.object)))
                    || self.card_member(&m.object, prop)
                {
                    d.src |= SRC_PAYMENT;
                }
                if prop == "value" {
                    d.src |= self.active_element_bits(&m.object);
                }
                // `form.elements.email`: that field, not the form's every field.
                if self.named_element(e).is_some() {
                    return;
                }
                if self.is_windowish(&m.object) {
                    let s = self.lookup(prop);
                    Self::push_sym(d, s);
                    let p = self.window_global_read(prop);
                    Self::push_sym(d, Some(p));
                    return;
                }
                // `el.__flId` of a property only the script assigns (never a literal's key, not
                // one the browser fills): what the script put there, not all of `el`.
                if self.script_props.contains(prop) {
                    let s = self.prop_sym(prop);
                    Self::push_sym(d, Some(s));
                    return;
                }
                self.deps_into(&m.object, d, n);
            }
            Expression::ComputedMemberExpression(m) => {
                // `o[k]` where a card-word test said `k` is not a card field's key.
                if !self.not_card_keys.is_empty()
                    && let Expression::Identifier(k) = m.expression.without_parentheses()
                    && self
                        .lookup(k.name.as_str())
                        .is_some_and(|k| self.not_card_keys.contains(&k))
                {
                    return;
                }
                let key = self.interp.peek(&m.expression);
                // `v[_0x1a(0x2f)]` that the evaluator folds to `length`: what about a value
                // is read, as for `v.length` (obfuscators write every property this way).
                if key.as_str().is_some_and(precision::is_metadata) {
                    return;
                }
                if let Some(k) = key.name_text()
                    && self.k.vocab.matches(&k)
                {
                    d.src |= SRC_PAYMENT;
                }
                // `form.elements['g-recaptcha-response']`: that field, not every field.
                if self.named_element(e).is_some() {
                    return;
                }
                // `window['__' + 'p']`: the global of that name; an unknown one, any of them.
                if self.is_windowish(&m.object) {
                    let s = match key.as_str() {
                        Some(k) => {
                            let k = k.to_string();
                            self.lookup(&k)
                        }
                        None => Some(self.facts.graph.global("$window.*")),
                    };
                    Self::push_sym(d, s);
                    return;
                }
                if self.is_storage(&m.object) {
                    let area = self.storage_area(&m.object);
                    let key = self.interp.peek(&m.expression).as_str().map(str::to_string);
                    self.storage_read(area, key.as_deref(), d);
                    return;
                }
                self.deps_into(&m.object, d, n);
            }
            Expression::CallExpression(c) => self.call_deps(c, d, n),
            Expression::NewExpression(ne) => {
                if let Some(id) = ne.callee.get_identifier_reference()
                    && id.name == "FormData"
                {
                    d.src |= SRC_HARVEST;
                }
                if let Some(id) = ne.callee.get_identifier_reference()
                    && id.name == "Promise"
                {
                    let s = self.promise_val(ne.span.start);
                    Self::push_sym(d, Some(s));
                }
                // A socket or an event stream carries what its server sends: the messages its
                // handlers read (`sock.onmessage = e => … e.data`) are that host's response.
                if let Some(id) = ne.callee.get_identifier_reference()
                    && matches!(id.name.as_str(), "WebSocket" | "EventSource")
                {
                    let s = self.stream_response(ne);
                    Self::push_sym(d, s);
                }
                for a in &ne.arguments {
                    if let Some(x) = a.as_expression() {
                        self.deps_into(x, d, n);
                    }
                }
            }
            Expression::BinaryExpression(b) => {
                // A comparison is a yes/no about the value (a Luhn check, a length test).
                if precision::is_test(b.operator) {
                    return;
                }
                self.deps_into(&b.left, d, n);
                self.deps_into(&b.right, d, n);
            }
            // `a && b` is `a` only when `a` is falsy (`''`, `0`, `null`): no data of `a`'s
            // reaches the result (`el.form && el.form.id` is an id, never the form).
            Expression::LogicalExpression(b) if b.operator == LogicalOperator::And => {
                self.deps_into(&b.right, d, n);
            }
            Expression::LogicalExpression(b) => {
                self.deps_into(&b.left, d, n);
                self.deps_into(&b.right, d, n);
            }
            // `cfg.mask ? hide(v) : v`: with the setting shipped, only one branch runs.
            Expression::ConditionalExpression(c) => match self.constant_test(&c.test) {
                Some(true) => self.deps_into(&c.consequent, d, n),
                Some(false) => self.deps_into(&c.alternate, d, n),
                // `SENSITIVE.test(k) ? '[Filtered]' : v`, `masked(el) ? '*' : el.value`: the
                // kept branch is another field's.
                None => match self.card_guard_of(&c.test) {
                    Some(g) => self.guarded_branches(&g, &c.consequent, &c.alternate, |me, e| {
                        me.deps_into(e, d, n)
                    }),
                    None => {
                        self.deps_into(&c.consequent, d, n);
                        self.deps_into(&c.alternate, d, n);
                    }
                },
            },
            Expression::SequenceExpression(s) => {
                if let Some(l) = s.expressions.last() {
                    self.deps_into(l, d, n);
                }
            }
            Expression::TemplateLiteral(t) => {
                for x in &t.expressions {
                    self.deps_into(x, d, n);
                }
            }
            Expression::TaggedTemplateExpression(t) => {
                for x in &t.quasi.expressions {
                    self.deps_into(x, d, n);
                }
            }
            Expression::ArrayExpression(a) => {
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            self.deps_into(&s.argument, d, n)
                        }
                        other => {
                            if let Some(x) = other.as_expression() {
                                self.deps_into(x, d, n);
                            }
                        }
                    }
                }
            }
            Expression::ObjectExpression(o) => {
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            if !p.method {
                                self.deps_into(&p.value, d, n);
                            }
                        }
                        ObjectPropertyKind::SpreadProperty(s) => self.deps_into(&s.argument, d, n),
                    }
                }
            }
            Expression::UnaryExpression(u) if !precision::unary_is_test(u.operator) => {
                self.deps_into(&u.argument, d, n);
            }
            Expression::ParenthesizedExpression(p) => self.deps_into(&p.expression, d, n),
            Expression::AwaitExpression(a) => self.deps_into(&a.argument, d, n),
            Expression::AssignmentExpression(a) => self.deps_into(&a.right, d, n),
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(call) => self.call_deps(call, d, n),
                other => {
                    if let Some(m) = other.as_member_expression() {
                        self.deps_into(m.object(), d, n);
                    }
                }
            },
            _ => {}
        }
    }

    /// Whether an argument names a card field: its constant text, or one of the constants an
    /// iteration callback's parameter takes (`['cc_number', 'cc_cid'].map(k => val(k))`).
    fn names_card_field(&mut self, a: &'a Expression<'a>, plain_call: bool) -> bool {
        if let Some(s) = self.interp.peek(a).name_text() {
            return self.k.vocab.matches(&s);
        }
        // `pick(['#cc_number', 'input[autocomplete="cc-number"]'])`: the first that is there
        // (a function of the script's, called by name; a method given a list keeps it).
        if let Expression::ArrayExpression(items) = a.without_parentheses()
            && plain_call
        {
            return items.elements.iter().take(32).any(|x| {
                x.as_expression()
                    .and_then(|x| self.interp.peek(x).name_text().map(|t| t.into_owned()))
                    .is_some_and(|t| self.k.vocab.matches(&t))
            });
        }
        if self.param_texts.is_empty()
            || !matches!(a.without_parentheses(), Expression::Identifier(_))
        {
            return false;
        }
        self.selector_texts(a)
            .iter()
            .any(|t| self.k.vocab.matches(t))
    }

    pub(super) fn call_deps(&mut self, c: &'a CallExpression<'a>, d: &mut Deps, n: u32) {
        let (obj, name) = self.callee_name(&c.callee);
        // `Array.prototype.indexOf.call(document.forms, form)`, `[].some.call(els, f)`: a
        // borrowed method answers as on its receiver, with a position or a yes/no.
        if precision::borrowed_answer_receiver(c).is_some() {
            return;
        }
        if let Some(name) = name.as_deref() {
            let selector = SELECTOR_METHODS.contains(&name)
                || (obj.is_none()
                    && (is_jquery_name(name) || self.is_jquery_param(name, c.callee.span())));
            if selector && let Some(a0) = c.arguments.first().and_then(|a| a.as_expression()) {
                for s in self.selector_texts(a0) {
                    if self.k.vocab.matches(&s) || self.own_card_selector(&s) {
                        d.src |= SRC_PAYMENT;
                    }
                    // `closest(sel)`: the receiver or an ancestor, carrying what the
                    // receiver carries (below), not every field.
                    // The receiver's scope is looked up only for a selection of every field
                    // (call_deps runs for every call the walk meets).
                    if name != "closest"
                        && self.k.vocab.harvests(&s)
                        && !(name == "querySelector"
                            && (bare_field_tag(&s) || one_field_by_unknown_value(&s)))
                        && !self.searches_other_section(obj)
                    {
                        d.src |= match self.selects_in_own_element(obj) {
                            // The script's own fields: card data when it made card fields.
                            Some(true) => SRC_PAYMENT,
                            Some(false) => 0,
                            None => SRC_HARVEST,
                        };
                    }
                }
            }
            // `$num.val()` of a card field the script made with jQuery.
            if name == "val"
                && c.arguments.is_empty()
                && let Some(o) = obj
                && self.is_own_card_field(o)
            {
                d.src |= SRC_PAYMENT;
            }
            if matches!(name, "serialize" | "serializeArray")
                && c.arguments.is_empty()
                && !super::calls::on_this(obj)
            {
                d.src |= SRC_HARVEST;
            }
            if name == "getItem"
                && let Some(o) = obj.filter(|o| self.is_storage(o))
            {
                let area = self.storage_area(o);
                let key = c
                    .arguments
                    .first()
                    .and_then(|a| a.as_expression())
                    .and_then(|a| self.interp.peek(a).as_str().map(str::to_string));
                self.storage_read(area, key.as_deref(), d);
            }
            self.pipe_call_deps(c, obj, name, d);
            // A send call's value is the response (a promise, a yes/no), not what it sent: a
            // request helper's `return fetch(url, {body})` does not make its result card data.
            let receiver = obj.map(|o| self.path_of(o).unwrap_or_else(|| "?".into()));
            if self
                .k
                .apis
                .find(name, receiver.as_deref(), false)
                .is_some_and(|e| e.kind == crate::rules::schema::WebApiKind::Sink)
            {
                // …but a `fetch`'s response is what its server sent back (see `downloads`).
                if name == "fetch" && obj.is_none_or(|o| self.is_windowish(o)) {
                    let r = self.fetch_response(c);
                    Self::push_sym(d, r);
                }
                return;
            }
            // A yes/no or a position about a value, or a masked copy of it, is not the value.
            if precision::call_hides_value(self, c, name) {
                return;
            }
        }
        // `grab('cc-number')`: a helper called with a card field's name returns its data.
        if name.as_deref().is_some_and(|n| {
            !matches!(
                n,
                "indexOf"
                    | "includes"
                    | "search"
                    | "match"
                    | "test"
                    | "startsWith"
                    | "replace"
                    | "split"
            )
        }) && let Some(a0) = c.arguments.first().and_then(|a| a.as_expression())
            && !matches!(
                a0,
                Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
            )
            && self.names_card_field(a0, obj.is_none())
        {
            d.src |= SRC_PAYMENT;
        }
        // `ids.get(el)` of the script's own Map: what was stored under the key, not the key. A
        // session recorder numbers the elements typed into; the number is not what was typed.
        if name.as_deref() == Some("get")
            && let Some(o) = obj
            && let Expression::Identifier(id) = o.without_parentheses()
            && self
                .lookup(id.name.as_str())
                .is_some_and(|s| self.map_syms.contains_key(&s))
        {
            self.deps_into(o, d, n);
            return;
        }
        match (obj, c.callee.without_parentheses()) {
            // `fd.get('payment[method]')`: that field of the form, not every field (a card
            // field's name was counted above).
            (Some(o), _) if self.named_form_data_read(o, c, name.as_deref()) => {}
            // `form.querySelector('input[name="payment[method]"]:checked')`: one field of the
            // form by its name, not the form's every field.
            // (In a document the script parsed, the element carries what it was parsed from.)
            (Some(o), _)
                if self.selects_one_named_field(c, name.as_deref())
                    && !self.in_parsed_doc(o, 0) => {}
            // `v.map(function (x) { return scrub(x); })`: the elements reach the result only
            // through the callback, whose parameter receives them (see `calls`).
            (Some(_), _)
                if matches!(name.as_deref(), Some("map" | "flatMap"))
                    && matches!(
                        c.arguments.first().and_then(|a| a.as_expression()),
                        Some(
                            Expression::FunctionExpression(_)
                                | Expression::ArrowFunctionExpression(_)
                        )
                    ) => {}
            (Some(o), _) => {
                self.deps_into(o, d, n);
                // `sk.read()`: a method of the script's own objects or classes returns its data.
                if let Some(m) = name.as_deref().and_then(|m| self.method_sym(m)) {
                    Self::push_sym(d, Some(m));
                    // A method the evaluator knows as the script's own function (`V.check(f)`
                    // of `var V = { check: function (form) {…} }`): its value is what it
                    // returns, as for a function called by name.
                    if matches!(
                        self.interp.peek(&c.callee),
                        crate::js::value::Value::Func(_)
                    ) {
                        return;
                    }
                }
            }
            (None, Expression::Identifier(id)) => {
                let s = self.lookup(id.name.as_str());
                // The script's own function: its value is what it returns (its parameters
                // receive the arguments), not everything passed in — a Luhn check of a card
                // number returns a yes/no, a masking helper a masked copy. A function of a
                // function is known by its symbol (the evaluator sees only globals).
                if s.is_some_and(|s| {
                    self.own_fn_syms.contains(&s) || self.fn_param_names.contains_key(&s)
                }) || matches!(
                    self.interp.peek(&c.callee),
                    crate::js::value::Value::Func(_)
                ) {
                    // This call's own value: what the function returns from this call's
                    // arguments (see `FlowGraph::call_values`), not from every call's.
                    let v = s.map(|f| self.call_value(c, f));
                    Self::push_sym(d, v.or(s));
                    return;
                }
                Self::push_sym(d, s);
            }
            _ => {}
        }
        // `a.map(cb)`, `p.then(cb)`: the call's value is made of what the callback returns.
        let returns_callback = matches!(
            name.as_deref(),
            Some("map" | "flatMap" | "filter" | "find" | "reduce" | "reduceRight" | "then")
        ) && obj.is_some();
        for a in &c.arguments {
            match a.as_expression() {
                Some(
                    x
                    @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
                ) if returns_callback => {
                    let start = x.span().start;
                    let r = match self.callback_ret.get(&start) {
                        Some(r) => *r,
                        None => {
                            let r = self.facts.graph.fresh();
                            self.callback_ret.insert(start, r);
                            r
                        }
                    };
                    Self::push_sym(d, Some(r));
                }
                Some(
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_),
                ) => {}
                Some(x) => self.deps_into(x, d, n),
                None => {}
            }
        }
    }
}
