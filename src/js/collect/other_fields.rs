//! Guards that say a field is some other kind than a card's: `if (el.type === 'email')`,
//! `if (!isAddress(el)) return;`, `if (ADDRESS_TOKENS.indexOf(ac) !== -1) return el;`.
//! Inside such a guard (or after such an exit), the element is that other field: reading
//! its value reads no card data, and handing it on hands on one field, not every field.
//! Address autocomplete and e-mail capture look for their one field among every input.

use super::Collector;
use crate::js::value::Value;
use crate::js::vocabulary::NON_CARD_TYPES;
use oxc_ast::ast::*;
use oxc_span::GetSpan;
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};

impl<'a> Collector<'a, '_, '_> {
    /// `if (e.target.type === 'email' && …)`: the element (its source text) that a required
    /// part of the test says is a field of a kind that never holds card data — by its
    /// `type`, its autofill token (`autocomplete`, also through `getAttribute`) or a test of
    /// its name or id for a word like `email` or `phone`. Inside, its value is that field's:
    /// an e-mail capture is not a card read.
    pub(super) fn other_field_guard(&mut self, test: &'a Expression<'a>) -> Option<&'a str> {
        self.other_field(test, true, 0)
    }

    /// The element a test says is some other kind of field when it is `positive` (true) or
    /// when it is false: `if (!isEmail && !isPhone) return;` leaves, after it, an element that
    /// is an e-mail or a phone field. A flag (`var isEmail = el.type === 'email' || …`) is
    /// read through its one initialiser; each alternative of an "or" must say the same.
    fn other_field(
        &mut self,
        test: &'a Expression<'a>,
        positive: bool,
        depth: u32,
    ) -> Option<&'a str> {
        // Deep enough for a flag made of a few tests; a long chain is not a field guard.
        if depth > 12 {
            return None;
        }
        match test.without_parentheses() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                self.other_field(&u.argument, !positive, depth + 1)
            }
            // "a and b" is true (or "a or b" false): each part holds, one is enough.
            Expression::LogicalExpression(l)
                if (l.operator == LogicalOperator::And) == positive
                    && l.operator != LogicalOperator::Coalesce =>
            {
                self.other_field(&l.left, positive, depth + 1)
                    .or_else(|| self.other_field(&l.right, positive, depth + 1))
            }
            // "a or b" is true: one of them holds, so both must name the same element.
            Expression::LogicalExpression(l) if l.operator != LogicalOperator::Coalesce => {
                let a = self.other_field(&l.left, positive, depth + 1)?;
                let b = self.other_field(&l.right, positive, depth + 1)?;
                (a == b).then_some(a)
            }
            Expression::Identifier(id) => {
                let init = self.interp.decl_init(id.name.as_str())?;
                self.other_field(init, positive, depth + 1)
            }
            Expression::BinaryExpression(b) => {
                if let Some(el) = self.listed_other_field(b, positive) {
                    return Some(el);
                }
                let equal = match b.operator {
                    BinaryOperator::StrictEquality | BinaryOperator::Equality => true,
                    BinaryOperator::StrictInequality | BinaryOperator::Inequality => false,
                    _ => return None,
                };
                if equal != positive {
                    return None;
                }
                for (lit, other) in [(&b.left, &b.right), (&b.right, &b.left)] {
                    let Expression::StringLiteral(s) = lit.without_parentheses() else {
                        continue;
                    };
                    let v = s.value.as_str().to_ascii_lowercase();
                    let Some((el, attr)) = self.field_attribute(other, 0) else {
                        continue;
                    };
                    if self.other_kind(attr, &v) {
                        return Some(self.text(el.without_parentheses().span()));
                    }
                }
                None
            }
            // `isAddress(el)` of the script's own `function isAddress(f) { return …; }`:
            // what its one returned test says about its parameter, said of the argument.
            Expression::CallExpression(c)
                if let Expression::Identifier(callee) = c.callee.without_parentheses()
                    && let Some(f) = self.interp.decl_fn(callee.name.as_str()) =>
            {
                let [Statement::ReturnStatement(r)] = f.body.as_ref()?.statements.as_slice() else {
                    return None;
                };
                let el = self.other_field(r.argument.as_ref()?, positive, depth + 1)?;
                let i = f.params.items.iter().position(
                    |p| matches!(&p.pattern, BindingPattern::BindingIdentifier(b) if b.name == el),
                )?;
                let arg = c.arguments.get(i)?.as_expression()?;
                Some(self.text(arg.without_parentheses().span()))
            }
            // `/phone|tel/.test(el.name)`: named for a kind of field that is not a card's.
            Expression::CallExpression(c) if positive => {
                let m = c.callee.without_parentheses().as_member_expression()?;
                // `ADDRESS_TOKENS.includes(ac)`: one of a list of other kinds.
                if m.static_property_name() == Some("includes") {
                    return self.listed_attribute(m.object(), c);
                }
                if m.static_property_name() != Some("test") {
                    return None;
                }
                let Value::Regex(src, _) = self.interp.peek(m.object()) else {
                    return None;
                };
                let arg = c.arguments.first()?.as_expression()?;
                let (el, attr) = self.field_attribute(arg, 0)?;
                let src = src.to_ascii_lowercase();
                (matches!(attr, "name" | "id" | "autocomplete")
                    && !self.k.vocab.matches(&src)
                    && OTHER_FIELD_WORDS.iter().any(|w| src.contains(w)))
                .then(|| self.text(el.without_parentheses().span()))
            }
            _ => None,
        }
    }

    /// Whether an attribute's value names a kind of field that never holds card data.
    fn other_kind(&self, attr: &str, v: &str) -> bool {
        match attr {
            "type" => NON_CARD_TYPES.contains(&v),
            "autocomplete" => NON_CARD_AUTOFILL.contains(&v),
            // `e.target.name === 'payment[method]'`, `el.id === 'billing_email'`: the field
            // named is another kind (the chosen method, an address).
            "name" | "id" => {
                !self.k.vocab.matches(v)
                    && (v.contains("method") || OTHER_FIELD_WORDS.iter().any(|w| v.contains(w)))
            }
            _ => false,
        }
    }

    /// `TOKENS.indexOf(ac) !== -1` (or `> -1`, `>= 0`; `=== -1` and `< 0` when `positive` is
    /// false): the attribute is one of a list of values, each of another kind of field.
    fn listed_other_field(
        &mut self,
        b: &'a BinaryExpression<'a>,
        positive: bool,
    ) -> Option<&'a str> {
        let (call, bound) = match (b.left.without_parentheses(), b.right.without_parentheses()) {
            (Expression::CallExpression(c), n) => (c, n),
            _ => return None,
        };
        let bound = match bound {
            Expression::NumericLiteral(n) => n.value,
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::UnaryNegation => {
                match u.argument.without_parentheses() {
                    Expression::NumericLiteral(n) => -n.value,
                    _ => return None,
                }
            }
            _ => return None,
        };
        let found_when_true = match (b.operator, bound) {
            (BinaryOperator::StrictInequality | BinaryOperator::Inequality, -1.0)
            | (BinaryOperator::GreaterThan, -1.0)
            | (BinaryOperator::GreaterEqualThan, 0.0) => true,
            (BinaryOperator::StrictEquality | BinaryOperator::Equality, -1.0)
            | (BinaryOperator::LessThan, 0.0) => false,
            _ => return None,
        };
        if found_when_true != positive {
            return None;
        }
        let m = call.callee.without_parentheses().as_member_expression()?;
        if m.static_property_name() != Some("indexOf") {
            return None;
        }
        self.listed_attribute(m.object(), call)
    }

    /// `list.indexOf(attr)` / `list.includes(attr)`: the element whose attribute is looked
    /// up, when `list` is known to hold only values of other kinds of fields.
    fn listed_attribute(
        &mut self,
        list: &'a Expression<'a>,
        call: &'a CallExpression<'a>,
    ) -> Option<&'a str> {
        let Value::Array(items) = self.interp.peek(list) else {
            return None;
        };
        let arg = call.arguments.first()?.as_expression()?;
        let (el, attr) = self.field_attribute(arg, 0)?;
        let items = items.borrow();
        let all_other = !items.is_empty()
            && items.len() <= 64
            && items.iter().all(|v| {
                v.as_str()
                    .is_some_and(|t| self.other_kind(attr, &t.to_ascii_lowercase()))
            });
        all_other.then(|| self.text(el.without_parentheses().span()))
    }

    /// `el.type`, `el.getAttribute('autocomplete')`, `(el.name || '').toLowerCase()`, or a
    /// name initialised once with one of those: the element and the attribute read.
    pub(super) fn field_attribute(
        &mut self,
        e: &'a Expression<'a>,
        depth: u32,
    ) -> Option<(&'a Expression<'a>, &'a str)> {
        if depth > 6 {
            return None;
        }
        match e.without_parentheses() {
            Expression::StaticMemberExpression(m) => Some((&m.object, m.property.name.as_str())),
            Expression::CallExpression(c) => {
                let m = c.callee.without_parentheses().as_member_expression()?;
                match m.static_property_name()? {
                    "getAttribute" => match c.arguments.first()?.as_expression()? {
                        Expression::StringLiteral(a) => Some((m.object(), a.value.as_str())),
                        _ => None,
                    },
                    "toLowerCase" | "toUpperCase" | "trim" | "toString"
                        if c.arguments.is_empty() =>
                    {
                        self.field_attribute(m.object(), depth + 1)
                    }
                    // `ac.split(/\s+/).pop()`: the last token of an autofill value
                    // (`shipping street-address`), still that attribute's.
                    "pop" | "shift" if c.arguments.is_empty() => {
                        let Expression::CallExpression(split) = m.object().without_parentheses()
                        else {
                            return None;
                        };
                        let sm = split.callee.without_parentheses().as_member_expression()?;
                        if sm.static_property_name()? != "split" {
                            return None;
                        }
                        self.field_attribute(sm.object(), depth + 1)
                    }
                    _ => None,
                }
            }
            // `el.name || ''`: the attribute, or nothing.
            Expression::LogicalExpression(l) if matches!(l.right.without_parentheses(), Expression::StringLiteral(s) if s.value.is_empty()) => {
                self.field_attribute(&l.left, depth + 1)
            }
            // `(el.name || '') + ' ' + (el.getAttribute('autocomplete') || '')`: the
            // element's names and autofill token tested together, as one name.
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let mut parts = Vec::new();
                for side in [&b.left, &b.right] {
                    if !matches!(side.without_parentheses(), Expression::StringLiteral(_)) {
                        parts.push(self.field_attribute(side, depth + 1)?);
                    }
                }
                let (first, _) = *parts.first()?;
                let el = self.text(first.without_parentheses().span());
                parts
                    .iter()
                    .all(|(e, a)| {
                        matches!(*a, "name" | "id" | "autocomplete")
                            && self.text(e.without_parentheses().span()) == el
                    })
                    .then_some((first, "name"))
            }
            // `el.name || el.id`: one of the element's names, tested alike.
            Expression::LogicalExpression(l) if l.operator == LogicalOperator::Or => {
                let (a, an) = self.field_attribute(&l.left, depth + 1)?;
                let (b, bn) = self.field_attribute(&l.right, depth + 1)?;
                let names = matches!(an, "name" | "id") && matches!(bn, "name" | "id");
                let same = self.text(a.without_parentheses().span())
                    == self.text(b.without_parentheses().span());
                (names && same).then_some((a, "name"))
            }
            Expression::Identifier(id) => {
                let init = self.interp.decl_init(id.name.as_str())?;
                self.field_attribute(init, depth + 1)
            }
            _ => None,
        }
    }

    /// `if (!isEmail && !isPhone) return;` (or `continue`, `throw`) with nothing else: the
    /// element the statements after it in the same list are about, when the test says it is
    /// some other kind of field.
    pub(super) fn other_field_exit(&mut self, s: &'a Statement<'a>) -> Option<&'a str> {
        let Statement::IfStatement(it) = s else {
            return None;
        };
        if !(it.alternate.is_none() && super::card_guards::leaves(&it.consequent)) {
            return None;
        }
        // `if (!k) return;` where `k` is falsy for card fields: after it, no card field.
        self.other_field(&it.test, false, 0)
            .or_else(|| match self.card_guard(&it.test) {
                Some((true, el)) => Some(el),
                _ => None,
            })
    }
}

/// Words of field names and ids that are not a card's (a test for one of them, matched
/// against a name, says the field is that other kind).
const OTHER_FIELD_WORDS: &[&str] = &[
    "email",
    "mail",
    "phone",
    "mobile",
    "zip",
    "postcode",
    "postal",
    "street",
    "city",
    "coupon",
    "promo",
    "search",
    "newsletter",
];

/// Autofill tokens of fields that never hold card data (the `cc-*` tokens do).
const NON_CARD_AUTOFILL: &[&str] = &[
    "email",
    "tel",
    "tel-national",
    "tel-local",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level1",
    "address-level2",
    "postal-code",
    "country",
    "country-name",
    "organization",
    "username",
    "bday",
    "one-time-code",
];
