//! Precision about what is read. A source is not "any keystroke": it is a field (a card
//! field, or some other field such as an address) and something about it (its value, or only
//! its length, its timing, a masked copy, a yes/no such as a Luhn check). Session replay that
//! masks values, an address autocomplete, and fraud scripts that time keystrokes read no card
//! data; only the value of a card field (or every field, or the keys typed anywhere) is.

use super::Collector;
use crate::js::flow::{Deps, SRC_HARVEST, SRC_KEYSTROKE, SRC_PAYMENT, Sym};
use crate::js::value::Value;
use crate::js::vocabulary::is_harvest_selector;
use crate::rules::schema::SourceKind;
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::{BinaryOperator, UnaryOperator};

/// Properties that describe a value or an event without carrying the value. An element's
/// tag, id and `name` attribute say which field was used (an error reporter's breadcrumbs),
/// not what was typed into it; a form's `action` and `method`, a field's `placeholder` or
/// `autocomplete` token are markup the page's author wrote (a recovery script takes the
/// checkout's token from the form's action URL).
const METADATA: &[&str] = &[
    "length",
    "timeStamp",
    "type",
    "isTrusted",
    "id",
    "name",
    "nodeName",
    "localName",
    "tagName",
    "className",
    "checked",
    "validity",
    "selectionStart",
    "selectionEnd",
    "repeat",
    "isComposing",
    "eventPhase",
    "action",
    "method",
    "enctype",
    "placeholder",
    "autocomplete",
];

/// Attributes that name or describe a field or a form (`getAttribute('name')`, a form's
/// `action`, an input's `placeholder` a translation widget sends) rather than hold its data:
/// markup the page's author wrote. Typing changes none of them; `value` and `data-*` (where
/// scripts stage data, see `pipes`) are not here.
const ATTRIBUTE_METADATA: &[&str] = &[
    "name",
    "id",
    "type",
    "class",
    "autocomplete",
    "role",
    "action",
    "method",
    "placeholder",
    "title",
    "alt",
    "aria-label",
    "for",
    "href",
    "maxlength",
    "pattern",
    "inputmode",
    "lang",
];

/// Members of a form's `elements` that are not a field's name.
const COLLECTION_MEMBERS: &[&str] = &[
    "item",
    "namedItem",
    "forEach",
    "entries",
    "values",
    "keys",
    "map",
    "filter",
    "reduce",
    "slice",
    "concat",
    "find",
    "some",
    "every",
    "indexOf",
    "toString",
    "call",
    "apply",
];

/// Properties of a key or input event (or its target) that carry what was typed.
const KEY_DATA: &[&str] = &[
    "key",
    "code",
    "keyCode",
    "which",
    "charCode",
    "data",
    "value",
    "clipboardData",
    "innerText",
    "textContent",
];

pub(super) fn is_metadata(prop: &str) -> bool {
    METADATA.contains(&prop)
}

/// Operators whose result is a yes/no about their operands.
pub(super) fn is_test(op: BinaryOperator) -> bool {
    op.is_equality()
        || op.is_compare()
        || matches!(op, BinaryOperator::In | BinaryOperator::Instanceof)
}

pub(super) fn unary_is_test(op: UnaryOperator) -> bool {
    matches!(
        op,
        UnaryOperator::LogicalNot
            | UnaryOperator::Typeof
            | UnaryOperator::Void
            | UnaryOperator::Delete
    )
}

/// Calls whose result says something about a value without being it: tests and positions
/// (`/^4/.test(v)`, `v.indexOf(' ')`, `el.matches(':-webkit-autofill')`), masking
/// (`v.replace(/\d/g, '*')`) and truncation (`v.substring(0, 6)`, see `truncation`).
pub(super) fn call_hides_value<'a>(
    c: &mut Collector<'a, '_, '_>,
    call: &'a CallExpression<'a>,
    name: &str,
) -> bool {
    match name {
        "test" | "includes" | "startsWith" | "endsWith" | "indexOf" | "lastIndexOf" | "search"
        | "localeCompare" | "hasOwnProperty" | "has" | "isNaN" | "isFinite" | "contains"
        | "hasAttribute" | "matches" | "checkValidity" | "reportValidity" => true,
        // `el.getAttribute('name')`: which field, as with `el.name` (see METADATA).
        "getAttribute" => call
            .arguments
            .first()
            .and_then(|a| a.as_expression())
            .and_then(|a| c.interp.peek(a).as_str().map(str::to_ascii_lowercase))
            .is_some_and(|n| {
                ATTRIBUTE_METADATA.contains(&n.as_str())
                    // `data-fraud-id`, `data-field-name`: what the page calls the field.
                    || n.starts_with("data-")
                        && ["-id", "-name", "-key", "-field", "-label", "-type"]
                            .iter()
                            .any(|s| n.ends_with(s))
            }),
        // `v.substring(0, 6)`, `v.slice(-4)`: a BIN or the last four (see `truncation`).
        "slice" | "substring" | "substr" => call
            .callee
            .without_parentheses()
            .as_member_expression()
            .is_some_and(|m| c.is_truncation(call, m.object(), name)),
        "replace" | "replaceAll" => {
            // A global replacement of every character (or digit) by a constant is a mask.
            let pat = call.arguments.first().and_then(|a| a.as_expression());
            let with = call.arguments.get(1).and_then(|a| a.as_expression());
            match (
                pat.map(|p| c.interp.peek(p)),
                with.map(|w| c.interp.peek(w)),
            ) {
                (Some(Value::Regex(p, f)), Some(Value::Str(w))) => {
                    f.contains('g') && !w.contains('$') && replaces_every_digit(&p)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Array and string methods whose answer is a position or a yes/no about their receiver.
pub(super) const ANSWER_ABOUT: &[&str] = &[
    "indexOf",
    "lastIndexOf",
    "includes",
    "some",
    "every",
    "findIndex",
    "findLastIndex",
    "test",
    "hasOwnProperty",
    "startsWith",
    "endsWith",
    "contains",
    "matches",
];

/// `Array.prototype.indexOf.call(document.forms, form)`, `[].some.call(els, f)`: the
/// receiver a borrowed method answers a position or a yes/no about.
pub(super) fn borrowed_answer_receiver<'s, 'a>(
    c: &'s CallExpression<'a>,
) -> Option<&'s Expression<'a>> {
    let callee = c.callee.without_parentheses().as_member_expression()?;
    if !matches!(callee.static_property_name(), Some("call" | "apply")) {
        return None;
    }
    let m = callee
        .object()
        .without_parentheses()
        .as_member_expression()?;
    if !m
        .static_property_name()
        .is_some_and(|p| ANSWER_ABOUT.contains(&p))
    {
        return None;
    }
    // Only the built-ins' own methods (`Array.prototype.indexOf`, `[].some`): a script's
    // object with a method of that name (`Enc.test.call(Enc, v)`) answers what it likes.
    let builtin = match m.object().without_parentheses() {
        Expression::ArrayExpression(a) => a.elements.is_empty(),
        Expression::StringLiteral(t) => t.value.is_empty(),
        Expression::StaticMemberExpression(p) if p.property.name == "prototype" => matches!(
            p.object.without_parentheses(),
            Expression::Identifier(id) if matches!(
                id.name.as_str(),
                "Array" | "String" | "Object" | "RegExp" | "Element" | "HTMLElement" | "Node"
                    | "NodeList" | "HTMLCollection" | "DOMTokenList"
            )
        ),
        _ => false,
    };
    if !builtin {
        return None;
    }
    c.arguments.first().and_then(|a| a.as_expression())
}

/// Whether a global replacement by `pattern` leaves no digit of a card number: the pattern
/// matches each digit on its own (`.`, `\d`, `[\S]`, `[0-9a-z]`, `\w+`…), optionally only
/// where a lookahead allows (`\d(?=\d{4})`: all but the last four, as receipts show).
/// JavaScript's `[^]` (any character) is not Rust syntax and is named.
fn replaces_every_digit(pattern: &str) -> bool {
    if pattern == "[^]" {
        return true;
    }
    // A library repeats the same few patterns at many call sites: compile each once per
    // worker thread (bounded, so a script made of distinct patterns cannot grow it).
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, bool>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(known) = SEEN.with(|m| m.borrow().get(pattern).copied()) {
        return known;
    }
    let answer = compile_and_test_digits(pattern);
    SEEN.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 256 {
            m.clear();
        }
        m.insert(pattern.to_string(), answer);
    });
    answer
}

fn compile_and_test_digits(pattern: &str) -> bool {
    let core = match pattern.rfind("(?=") {
        Some(i) if i > 0 && pattern.ends_with(')') => &pattern[..i],
        _ => pattern,
    };
    let Ok(re) = regex::Regex::new(&format!("^(?:{core})$")) else {
        return removes_card_numbers(pattern);
    };
    (b'0'..=b'9').all(|d| re.is_match(std::str::from_utf8(&[d]).unwrap_or_default()))
        || removes_card_numbers(pattern)
}

/// Whether a global replacement by `pattern` takes every digit of a card number, however it
/// is written (`/\b(?:\d[ -]?){13,19}\b/g`, an error reporter's PAN scrubber): what is left
/// holds no card number.
fn removes_card_numbers(pattern: &str) -> bool {
    let Ok(re) = regex::Regex::new(pattern) else {
        return false;
    };
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "378282246310005",
    ]
    .iter()
    .all(|pan| {
        let mut taken = vec![false; pan.len()];
        for m in re.find_iter(pan) {
            taken[m.range()].iter_mut().for_each(|t| *t = true);
        }
        pan.bytes()
            .zip(taken)
            .all(|(b, t)| t || !b.is_ascii_digit())
    })
}

impl<'a> Collector<'a, '_, '_> {
    /// `Object.defineProperty(HTMLInputElement.prototype, 'value', { get() {…}, set(v) {…} })`:
    /// the browser runs the accessors for every field of the page, with the field as `this`
    /// (`origGet.call(this)` is what was typed), so `this` in them is every field.
    pub(super) fn field_value_accessors(&mut self, args: &[&'a Expression<'a>]) {
        let [target, key, desc, ..] = args else {
            return;
        };
        let on_fields = self.path_of(target).is_some_and(|p| {
            matches!(
                p.as_str(),
                "HTMLInputElement.prototype"
                    | "HTMLTextAreaElement.prototype"
                    | "HTMLSelectElement.prototype"
            )
        });
        if !on_fields || self.interp.peek(key).as_str() != Some("value") {
            return;
        }
        let Expression::ObjectExpression(o) = desc.without_parentheses() else {
            return;
        };
        for p in &o.properties {
            if let ObjectPropertyKind::ObjectProperty(p) = p
                && (p.key.is_specific_static_name("get") || p.key.is_specific_static_name("set"))
                && let Expression::FunctionExpression(f) = &p.value
            {
                self.listener_this.insert(f.span.start, SRC_HARVEST);
            }
        }
    }

    /// A keystroke listener: what its callbacks' event parameters carry, and when it counts
    /// as a source. On a card field it reads card data; on another named field (an address,
    /// an e-mail) it reads that field, not card data; on the document, a form or an unknown
    /// element it reads keystrokes — counted once the callback reads what was typed.
    pub(super) fn keystroke_listener(
        &mut self,
        c: &'a CallExpression<'a>,
        obj: Option<&'a Expression<'a>>,
        span: Span,
    ) -> Option<u8> {
        let texts = obj.map(|o| self.receiver_texts(o)).unwrap_or_default();
        let (kind, bits) = if !texts.is_empty() && !texts.iter().any(|t| is_harvest_selector(t)) {
            if !texts.iter().any(|t| self.k.vocab.matches(t)) {
                // A named field that is not a card field: its events carry that field's data.
                return None;
            }
            (SourceKind::Payment, SRC_PAYMENT)
        } else {
            (SourceKind::Keystroke, SRC_KEYSTROKE)
        };
        let mut lazy = false;
        for a in &c.arguments {
            // Every callback knows it runs on a keystroke (`document.activeElement` in it is
            // the field being typed in), with or without an event parameter.
            if let Some(Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)) =
                a.as_expression()
                && let Some(x) = a.as_expression()
            {
                self.keystroke_fns.insert(x.span().start, (span, kind));
            }
            // `function () { this.value }`: the browser calls a listener with its element as
            // `this` (an arrow function keeps the outer `this`).
            if let (Some(Expression::FunctionExpression(f)), SourceKind::Payment) =
                (a.as_expression(), kind)
            {
                self.listener_this.insert(f.span.start, bits);
            }
            match a.as_expression() {
                Some(Expression::FunctionExpression(f)) if !f.params.items.is_empty() => {
                    self.keystroke_cbs.insert(f.span.start, (span, kind));
                    lazy = true;
                }
                Some(Expression::ArrowFunctionExpression(f)) if !f.params.items.is_empty() => {
                    self.keystroke_cbs.insert(f.span.start, (span, kind));
                    lazy = true;
                }
                // `el.addEventListener('blur', function () {…})`: counted once the callback
                // reads the field (`this.value`, `el.value`, the active element's value), not
                // when it only notes the time (fraud and form-analytics scripts).
                Some(
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_),
                ) => {
                    if let Some(r) = obj.and_then(|o| self.base_sym(o)) {
                        self.keystroke_receivers.insert(span.start, r);
                    }
                    lazy = true;
                }
                // A listener given by name (`function track(e) {…}` …
                // `document.addEventListener('keyup', track, true)`): its event parameter
                // carries what is typed, whether the walk has been through its body already
                // (its reads of the event are in the graph: the event takes the keystroke's
                // taint) or has yet to reach it (declared below: counted as for a literal).
                Some(arg @ Expression::Identifier(id)) => {
                    let walked = self
                        .lookup(id.name.as_str())
                        .and_then(|f| self.facts.graph.fn_params.get(&f))
                        .and_then(|p| p.first().copied());
                    if let Some(event) = walked {
                        self.facts.graph.edge(event, Deps::source(bits));
                        lazy = true;
                    } else if let Value::Func(f) = self.interp.peek(arg)
                        && !f.params.items.is_empty()
                    {
                        self.keystroke_cbs.insert(f.params.span.start, (span, kind));
                        self.pending_params
                            .entry(f.params.span.start)
                            .or_default()
                            .merge(Deps::source(bits));
                        lazy = true;
                    }
                }
                _ => {}
            }
        }
        if !lazy {
            self.source(kind, span);
        }
        Some(bits)
    }

    /// `$('#checkout-step-shipping').find('input, select')`, `shippingBox.querySelectorAll(
    /// 'input')`: a search for fields that starts from a part of the checkout with no card
    /// field selects that part's fields, not every field of the page.
    pub(super) fn searches_other_section(&mut self, obj: Option<&'a Expression<'a>>) -> bool {
        let Some(o) = obj else {
            return false;
        };
        let texts = self.receiver_texts(o);
        !texts.is_empty() && texts.iter().all(|t| self.k.vocab.names_other_section(t))
    }

    /// The selector texts (or the given id/name) of a listener's receiver element.
    fn receiver_texts(&mut self, o: &'a Expression<'a>) -> Vec<String> {
        if let Expression::CallExpression(call) = o.without_parentheses()
            && let Some(a0) = call.arguments.first().and_then(|a| a.as_expression())
        {
            let (_, name) = self.callee_name(&call.callee);
            if name
                .as_deref()
                .is_some_and(|n| super::SELECTOR_METHODS.contains(&n) || super::is_jquery_name(n))
            {
                return self.selector_texts(a0);
            }
            return Vec::new();
        }
        if let Some(path) = self.path_of(o)
            && matches!(
                path.as_str(),
                "document" | "window" | "body" | "document.body"
            )
        {
            return Vec::new();
        }
        self.dom_key(o).into_iter().collect()
    }

    /// `e.key`, `e.target.value` in a keystroke callback: keystrokes are read here.
    pub(super) fn keystroke_read(&mut self, m: &'a StaticMemberExpression<'a>) {
        if !KEY_DATA.contains(&m.property.name.as_str())
            || self.hidden_reads.contains(&(m.span.start, m.span.end))
            || self.is_guarded_value(m)
        {
            return;
        }
        // `document.activeElement.value` in a keystroke callback: the field being typed in.
        if self.is_active_element(&m.object)
            && let Some((listener, kind)) = self.fn_stack.iter().rev().find_map(|f| f.keystroke)
        {
            self.source(kind, listener);
            return;
        }
        // `this.value` / `el.value` in a callback of a listener on `el`.
        if let Some((listener, kind)) = self.fn_stack.last().and_then(|f| f.keystroke) {
            let own = match m.object.without_parentheses() {
                Expression::ThisExpression(_) => true,
                Expression::Identifier(id) => {
                    let s = self.lookup(id.name.as_str());
                    s.is_some() && self.keystroke_receivers.get(&listener.start) == s.as_ref()
                }
                _ => false,
            };
            if own {
                self.source(kind, listener);
                return;
            }
        }
        if self.keystroke_params.is_empty() {
            return;
        }
        let mut base = m.object.without_parentheses();
        if let Expression::StaticMemberExpression(inner) = base
            && matches!(
                inner.property.name.as_str(),
                "target" | "srcElement" | "currentTarget"
            )
        {
            base = inner.object.without_parentheses();
        }
        let Expression::Identifier(id) = base else {
            return;
        };
        let Some(s) = self.lookup(id.name.as_str()) else {
            return;
        };
        if let Some((listener, kind)) = self.keystroke_params.remove(&s) {
            self.source(kind, listener);
        }
    }

    /// `const el = e.target` (or `= e`) in a keystroke callback: `el.value` reads what was
    /// typed as `e.target.value` does.
    pub(super) fn note_keystroke_alias(&mut self, s: Sym, init: &'a Expression<'a>) {
        if self.keystroke_params.is_empty() {
            return;
        }
        let mut base = init.without_parentheses();
        if let Expression::StaticMemberExpression(m) = base
            && matches!(
                m.property.name.as_str(),
                "target" | "srcElement" | "currentTarget"
            )
        {
            base = m.object.without_parentheses();
        }
        if let Expression::Identifier(id) = base
            && let Some(p) = self.lookup(id.name.as_str())
            && let Some(listener) = self.keystroke_params.get(&p).copied()
        {
            self.keystroke_params.insert(s, listener);
        }
    }

    /// `x.querySelector(sel)` (or `getElementById`, `find`…) whose selector is known and
    /// names fields one by one, none of them every field.
    pub(super) fn selects_one_named_field(
        &mut self,
        c: &'a CallExpression<'a>,
        name: Option<&str>,
    ) -> bool {
        if !matches!(
            name,
            Some("querySelector" | "getElementById" | "getElementsByName" | "find" | "closest")
        ) {
            return false;
        }
        let Some(a) = c.arguments.first().and_then(|a| a.as_expression()) else {
            return false;
        };
        let texts = self.selector_texts(a);
        !texts.is_empty()
            && texts.iter().all(|t| {
                !self.k.vocab.selects_fields(t) && !crate::js::vocabulary::is_harvest_selector(t)
            })
    }

    /// What `document.activeElement.value` carries here: in a keystroke callback, what was
    /// typed (card data when the listener is on a card field).
    pub(super) fn active_element_bits(&self, object: &'a Expression<'a>) -> u8 {
        match self.fn_stack.iter().rev().find_map(|f| f.keystroke) {
            Some((_, SourceKind::Payment)) if self.is_active_element(object) => SRC_PAYMENT,
            Some(_) if self.is_active_element(object) => SRC_KEYSTROKE,
            _ => 0,
        }
    }

    /// `document.activeElement`, directly or through a binding of it.
    fn is_active_element(&self, e: &'a Expression<'a>) -> bool {
        let e = match e.without_parentheses() {
            Expression::Identifier(id) => match self.interp.decl_init(id.name.as_str()) {
                Some(init) => init.without_parentheses(),
                None => return false,
            },
            other => other,
        };
        matches!(e, Expression::StaticMemberExpression(m)
            if m.property.name == "activeElement"
                && matches!(m.object.without_parentheses(),
                    Expression::Identifier(d) if d.name == "document"))
    }

    /// `form.elements['g-recaptcha-response']`, `form.elements.email`: one field of the form,
    /// by its name, not every field (a card field's name is a card source of its own).
    /// Returns the `….elements` expression when `e` is such an access.
    pub(super) fn named_element(&self, e: &'a Expression<'a>) -> Option<&'a Expression<'a>> {
        let (obj, named) = match e {
            // `elements.item(i)`, `elements.forEach`: the collection's methods, not a name.
            Expression::StaticMemberExpression(m) => (
                &m.object,
                !COLLECTION_MEMBERS.contains(&m.property.name.as_str()),
            ),
            Expression::ComputedMemberExpression(m) => (
                &m.object,
                self.interp.peek(&m.expression).known_text().is_some(),
            ),
            _ => return None,
        };
        match obj.without_parentheses() {
            inner @ Expression::StaticMemberExpression(el)
                if named && el.property.name == "elements" =>
            {
                Some(inner)
            }
            _ => None,
        }
    }

    /// Mark the operands of a test, a length read or a masking call: reading them there is
    /// not reading the value (called before the walk reaches the operands).
    pub(super) fn mark_hidden_reads(&mut self, e: &'a Expression<'a>) {
        self.mark_counted_collection(e);
        if let Expression::CallExpression(c) = e
            && let Some(list) = borrowed_answer_receiver(c)
        {
            let sp = list.without_parentheses().span();
            self.hidden_reads.insert((sp.start, sp.end));
        }
        self.mark_held_calls(e);
        if let Some(list) = self.named_element(e) {
            let sp = list.span();
            self.hidden_reads.insert((sp.start, sp.end));
        }
        // Only keystroke callbacks and card-field handles ask (see `keystroke_read` and
        // [`super::handles`]); elsewhere this is wasted work.
        if self.keystroke_params.is_empty() && !self.has_card_handles() {
            return;
        }
        match e {
            Expression::BinaryExpression(b) if is_test(b.operator) => {
                for side in [&b.left, &b.right] {
                    let sp = side.without_parentheses().span();
                    self.hidden_reads.insert((sp.start, sp.end));
                }
            }
            Expression::StaticMemberExpression(m) if is_metadata(m.property.name.as_str()) => {
                let sp = m.object.without_parentheses().span();
                self.hidden_reads.insert((sp.start, sp.end));
            }
            // `empty: !el.value`, `typeof el.value`: a yes/no or a type about the value.
            Expression::UnaryExpression(u) if unary_is_test(u.operator) => {
                let sp = u.argument.without_parentheses().span();
                self.hidden_reads.insert((sp.start, sp.end));
            }
            Expression::CallExpression(c) => {
                if let Some(m) = c.callee.without_parentheses().as_member_expression()
                    && let Some(name) = m.static_property_name()
                    && call_hides_value(self, c, name)
                {
                    // `e.target.value.replace(/\D/g, '').slice(0, 6)`: down the string
                    // methods to the field's value.
                    for r in Self::text_chain(m.object()) {
                        let sp = r.span();
                        self.hidden_reads.insert((sp.start, sp.end));
                    }
                    // `/^4/.test(v)`: the value tested is the argument.
                    if name == "test"
                        && let Some(a) = c.arguments.first().and_then(|a| a.as_expression())
                    {
                        let sp = a.without_parentheses().span();
                        self.hidden_reads.insert((sp.start, sp.end));
                    }
                }
            }
            _ => {}
        }
    }
}

impl<'a> Collector<'a, '_, '_> {
    /// `form.elements.filter(f).length`, `Array.prototype.filter.call(form.elements, f).length`,
    /// `form.querySelectorAll('input:invalid').length`: a count of a form's fields is a number
    /// about them, not their data (an A/B test's "fields filled" goal, a form-analytics
    /// "errors left" flag). Mapping or sending the selected fields still harvests them.
    fn mark_counted_collection(&mut self, e: &'a Expression<'a>) {
        let Expression::StaticMemberExpression(m) = e else {
            return;
        };
        if m.property.name != "length" {
            return;
        }
        let Expression::CallExpression(c) = m.object.without_parentheses() else {
            return;
        };
        let Some(callee) = c.callee.without_parentheses().as_member_expression() else {
            return;
        };
        let counted = match callee.static_property_name() {
            // The selection itself, counted (see `calls`: a counted selection is no source).
            Some(n) if super::SELECTOR_METHODS.contains(&n) && n != "filter" => {
                Some(m.object.without_parentheses())
            }
            Some("filter") => Some(callee.object()),
            // `Array.prototype.filter.call(list, f)`, `[].filter.call(list, f)`.
            Some("call") => match callee.object().without_parentheses() {
                Expression::StaticMemberExpression(f) if f.property.name == "filter" => {
                    c.arguments.first().and_then(|a| a.as_expression())
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(list) = counted {
            let sp = list.without_parentheses().span();
            self.hidden_reads.insert((sp.start, sp.end));
        }
    }

    /// `fd.get('grand_total')` on a variable holding a `new FormData(form)`: a named read
    /// carries that one field, not the whole form. A dynamic name, `entries()`, iteration or
    /// sending the FormData itself still carries every field.
    pub(super) fn named_form_data_read(
        &mut self,
        recv: &'a Expression<'a>,
        call: &'a CallExpression<'a>,
        name: Option<&str>,
    ) -> bool {
        if !matches!(name, Some("get" | "getAll" | "has")) || call.arguments.len() != 1 {
            return false;
        }
        let Expression::Identifier(id) = recv.without_parentheses() else {
            return false;
        };
        if !self
            .lookup(id.name.as_str())
            .is_some_and(|s| self.form_data.contains_key(&s))
        {
            return false;
        }
        call.arguments
            .first()
            .and_then(|a| a.as_expression())
            .is_some_and(|a| self.interp.peek(a).known_text().is_some())
    }
}

impl<'a> Collector<'a, '_, '_> {
    /// `new FormData(form)` bound to a variable: the form counts as harvested when the
    /// FormData is used whole (see [`Collector::form_data_used`]), not by a named `get`.
    /// Anywhere else (`fetch(u, {body: new FormData(f)})`) it is used whole at once.
    pub(super) fn form_data_new(&mut self, handle: Option<Sym>, span: Span) {
        if let Some(slot) = handle.and_then(|h| self.form_data.get_mut(&h)) {
            *slot = Some(span);
        } else {
            self.source(SourceKind::Harvest, span);
        }
    }

    /// A variable's value is used: if it holds a FormData not yet counted, count it now.
    pub(super) fn form_data_used(&mut self, s: Sym) {
        if let Some(span) = self.form_data.get_mut(&s).and_then(Option::take) {
            self.source(SourceKind::Harvest, span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replaces_every_digit;

    #[test]
    fn masks_are_patterns_that_replace_every_digit() {
        for p in [
            ".",
            "\\d",
            "[0-9]",
            "\\S",
            "[\\S]",
            "[^\\s]",
            "\\w",
            "[\\s\\S]",
            "[^]",
            "\\d+",
            "[0-9a-z]",
            "\\d(?=\\d{4})",
        ] {
            assert!(replaces_every_digit(p), "{p}");
        }
        // Formatting and clean-up keep the digits: not masks.
        for p in [
            "\\s", "\\D", "[^0-9]", "-", " ", "[\\s-]", "\\d{4}", "(\\d{4})", "[a-z]", "(?=\\d)",
        ] {
            assert!(!replaces_every_digit(p), "{p}");
        }
        // A scrubber of whole card numbers, however they are spaced, masks them too; one
        // that takes runs of four leaves an Amex number's last three digits.
        assert!(replaces_every_digit("\\b(?:\\d[ -]?){13,19}\\b"));
        assert!(replaces_every_digit(
            "\\d{13,19}|\\d{4}[ -]\\d{4}[ -]\\d{4}[ -]\\d{3,4}"
        ));
        assert!(!replaces_every_digit("\\d{16}"));
    }
}
