//! Card-field guards: session replay and error monitoring keep card fields out of what they
//! record with a test of the field (`if (isSensitive(el)) rec.len = el.value.length; else
//! rec.v = el.value`, where `isSensitive` tests the field's name, id or autocomplete against
//! `/cc-|card|cvv/`). In the branch where such a guard said "not a card field", reading the
//! field's value reads some other field: not card data, and not counted as keystrokes.
//!
//! Only a guard whose every card-word test answers "card" when it matches counts: a test
//! under a negation (`!/cc/.test(…)`) could mean the opposite, and then nothing is assumed
//! (a skimmer cannot hide a read behind a guard that is written the wrong way round).

use super::Collector;
use crate::js::flow::Sym;
use crate::js::value::Value;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};

impl<'a> Collector<'a, '_, '_> {
    /// For `if (test)`: the element the test is about and whether the test is true for card
    /// fields (`Some((true, el))` for `isSensitive(el)`, `(false, el)` for `!isSensitive(el)`).
    pub(super) fn card_guard(&mut self, test: &'a Expression<'a>) -> Option<(bool, &'a str)> {
        self.card_guard_at(test, 0)
    }

    fn card_guard_at(&mut self, test: &'a Expression<'a>, depth: u32) -> Option<(bool, &'a str)> {
        // Deep enough for a flag made of a few tests; a long chain is no field guard.
        if depth > 8 {
            return None;
        }
        match test.without_parentheses() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => self
                .card_guard_at(&u.argument, depth + 1)
                .map(|(p, e)| (!p, e)),
            // `var k = fieldKey(el); if (!k) return;`: the flag's one initialiser.
            Expression::Identifier(id) => {
                let init = self.interp.decl_init(id.name.as_str())?;
                self.card_guard_at(init, depth + 1)
            }
            // `CARD.test(el.name) || CARD.test(el.id)`: true for a card field when any part
            // is (one part suffices: where the whole is false, every part is); the same for
            // "and" of parts false for card fields.
            Expression::LogicalExpression(l) if l.operator != LogicalOperator::Coalesce => {
                let want = l.operator == LogicalOperator::Or;
                let a = self.card_guard_at(&l.left, depth + 1);
                let b = self.card_guard_at(&l.right, depth + 1);
                [a, b].into_iter().flatten().find(|(p, _)| *p == want)
            }
            // `el.name.indexOf('cc') !== -1`, `(el.getAttribute('autocomplete') || '')
            // .indexOf('cc-') === 0`.
            Expression::BinaryExpression(b) => {
                let (call, n) = match (b.left.without_parentheses(), b.right.without_parentheses())
                {
                    (Expression::CallExpression(c), n) | (n, Expression::CallExpression(c)) => {
                        (c, n)
                    }
                    _ => return None,
                };
                let n = match n {
                    Expression::NumericLiteral(n) => n.value,
                    Expression::UnaryExpression(u)
                        if u.operator == UnaryOperator::UnaryNegation
                            && matches!(&u.argument, Expression::NumericLiteral(n) if n.value == 1.0) =>
                    {
                        -1.0
                    }
                    _ => return None,
                };
                let m = call.callee.without_parentheses().as_member_expression()?;
                // An order comparison only as `x.indexOf(…) > -1` (the call first).
                let relational = matches!(
                    b.operator,
                    BinaryOperator::GreaterThan
                        | BinaryOperator::GreaterEqualThan
                        | BinaryOperator::LessThan
                );
                if m.static_property_name()? != "indexOf"
                    || (relational && !b.left.without_parentheses().is_call_expression())
                {
                    return None;
                }
                let found = match (b.operator, n) {
                    (BinaryOperator::StrictEquality | BinaryOperator::Equality, 0.0) => true,
                    (BinaryOperator::StrictInequality | BinaryOperator::Inequality, -1.0) => true,
                    (BinaryOperator::GreaterThan, -1.0)
                    | (BinaryOperator::GreaterEqualThan, 0.0) => true,
                    (BinaryOperator::StrictEquality | BinaryOperator::Equality, -1.0) => false,
                    (BinaryOperator::LessThan, 0.0) => false,
                    _ => return None,
                };
                let el = self.attribute_card_test(call)?;
                Some((found, el))
            }
            Expression::CallExpression(c) => {
                if c.callee.without_parentheses().is_member_expression() {
                    // `CARD_RE.test(el.name)`, `el.id.includes('card')`.
                    return self.attribute_card_test(c).map(|el| (true, el));
                }
                let Expression::Identifier(f) = c.callee.without_parentheses() else {
                    return None;
                };
                let Some(Expression::Identifier(el)) =
                    c.arguments.first().and_then(|a| a.as_expression())
                else {
                    return None;
                };
                let func = self.interp.decl_fn(f.name.as_str())?;
                let body = func.body.as_ref()?;
                let mut g = Guard {
                    c: self,
                    negated: 0,
                    card_tests: 0,
                    reversed: false,
                    negated_tests: 0,
                    no_on_card: 0,
                    yes_on_card: 0,
                    yes_off_card: 0,
                };
                g.visit_function_body(body);
                if g.card_tests == 0 {
                    return None;
                }
                if !g.reversed {
                    return Some((true, el.name.as_str()));
                }
                // A helper that answers no for card fields (`if (DENY.test(n)) return null`),
                // said only so (a yes only for fields the card test rejected agrees), is a
                // guard the other way round; `if (!CARD.test(n)) return false` (a no for every
                // other field) and mixed answers say nothing.
                (g.no_on_card > 0 && g.negated_tests == 0 && g.yes_on_card == 0)
                    .then_some((false, el.name.as_str()))
            }
            _ => None,
        }
    }

    /// `CARD_RE.test(el.name)`, `el.id.includes('card')`, `(el.getAttribute('autocomplete')
    /// || '').indexOf('cc-')`: a card-word test of what names a field; the element's text.
    fn attribute_card_test(&mut self, c: &'a CallExpression<'a>) -> Option<&'a str> {
        let m = c.callee.without_parentheses().as_member_expression()?;
        let subject = match m.static_property_name()? {
            "test" => c.arguments.first()?.as_expression()?,
            "includes" | "startsWith" | "endsWith" | "match" | "indexOf" | "search" => m.object(),
            _ => return None,
        };
        if !self.is_card_test(c) {
            return None;
        }
        let (el, attr) = self.field_attribute(subject, 0)?;
        matches!(
            attr,
            "name" | "id" | "autocomplete" | "className" | "class" | "placeholder" | "aria-label"
        )
        .then(|| self.text(el.without_parentheses().span()))
    }

    /// `SENSITIVE.test(k)`, `k.includes('card')`, `isSensitive(k)`, `/cc/.test(k) ||
    /// /cvv/.test(k)`: a test of a key name `k` (a symbol) for card words, and whether it is
    /// true for card keys. A scrubber keeps a field's value only where the test said no.
    pub(super) fn card_key_guard(&mut self, test: &'a Expression<'a>) -> Option<(bool, Sym)> {
        self.card_key_guard_at(test, 0)
    }

    fn card_key_guard_at(&mut self, test: &'a Expression<'a>, depth: u32) -> Option<(bool, Sym)> {
        if depth > 6 {
            return None;
        }
        match test.without_parentheses() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => self
                .card_key_guard_at(&u.argument, depth + 1)
                .map(|(p, k)| (!p, k)),
            // `var hit = …; out[k] = hit ? '[REDACTED]' : v`: the flag's one initialiser.
            Expression::Identifier(id) => {
                let init = self.interp.decl_init(id.name.as_str())?;
                self.card_key_guard_at(init, depth + 1)
            }
            // `REDACT.some(function (re) { return re.test(k); })`: a list of card-word
            // patterns, any of which matches the key.
            Expression::CallExpression(c) if self.list_key_test(c).is_some() => {
                self.list_key_test(c).map(|k| (true, k))
            }
            Expression::LogicalExpression(l) if l.operator == LogicalOperator::Or => {
                let (a, ka) = self.card_key_guard_at(&l.left, depth + 1)?;
                let (b, kb) = self.card_key_guard_at(&l.right, depth + 1)?;
                (a && b && ka == kb).then_some((true, ka))
            }
            Expression::CallExpression(c) => {
                if matches!(c.callee.without_parentheses(), Expression::Identifier(_)) {
                    let (p, name) = self.card_guard(test)?;
                    return self.lookup(name).map(|k| (p, k));
                }
                let m = c.callee.without_parentheses().as_member_expression()?;
                let subject = match m.static_property_name()? {
                    "test" => c.arguments.first()?.as_expression()?,
                    "includes" | "startsWith" | "endsWith" | "match" => m.object(),
                    _ => return None,
                };
                if !self.is_card_test(c) {
                    return None;
                }
                let k = key_name(subject)?;
                self.lookup(k).map(|k| (true, k))
            }
            _ => None,
        }
    }

    /// `LIST.some(function (re) { return re.test(k); })` (also an arrow, `w =>
    /// k.includes(w)`), where the list holds a card word: the key `k` tested.
    fn list_key_test(&mut self, c: &'a CallExpression<'a>) -> Option<Sym> {
        let m = c.callee.without_parentheses().as_member_expression()?;
        if !matches!(m.static_property_name()?, "some" | "find" | "findIndex") {
            return None;
        }
        let items = match self.interp.peek(m.object()) {
            Value::Array(a) => a.borrow().clone(),
            _ => return None,
        };
        let card_list = items.iter().any(|v| match v {
            Value::Regex(src, _) => self.k.vocab.matches(src),
            v => v.as_str().is_some_and(|s| self.k.vocab.matches(s)),
        });
        if !card_list {
            return None;
        }
        // The callback's one statement or expression body: `re.test(k)`, `k.includes(w)`.
        let (param, body) = match c.arguments.first()?.as_expression()?.without_parentheses() {
            Expression::FunctionExpression(f) => {
                let p = f.params.items.first()?;
                let [Statement::ReturnStatement(r)] = f.body.as_ref()?.statements.as_slice() else {
                    return None;
                };
                (p, r.argument.as_ref()?)
            }
            Expression::ArrowFunctionExpression(f) => {
                let p = f.params.items.first()?;
                let body = match &f.body {
                    ArrowFunctionBody::FunctionBody(b) => match b.statements.as_slice() {
                        [Statement::ReturnStatement(r)] => r.argument.as_ref()?,
                        _ => return None,
                    },
                    body => body.as_expression()?,
                };
                (p, body)
            }
            _ => return None,
        };
        let BindingPattern::BindingIdentifier(item) = &param.pattern else {
            return None;
        };
        let Expression::CallExpression(t) = body.without_parentheses() else {
            return None;
        };
        let tm = t.callee.without_parentheses().as_member_expression()?;
        let (pattern, subject) = match tm.static_property_name()? {
            "test" => (tm.object(), t.arguments.first()?.as_expression()?),
            "includes" | "startsWith" | "endsWith" | "match" | "indexOf" => {
                (t.arguments.first()?.as_expression()?, tm.object())
            }
            _ => return None,
        };
        if !matches!(pattern.without_parentheses(), Expression::Identifier(p) if p.name == item.name)
        {
            return None;
        }
        let k = key_name(subject)?;
        self.lookup(k)
    }

    /// The values bound with key `k`: the other parameters of the function whose parameter
    /// it is (`forEach(function (v, k)`, `(k, v) =>`).
    pub(super) fn values_with_key(&self, k: Sym) -> Vec<Sym> {
        self.fn_stack
            .iter()
            .rev()
            .find(|f| f.params.contains(&k))
            .map(|f| f.params.iter().copied().filter(|p| *p != k).collect())
            .unwrap_or_default()
    }

    /// Walk (or take the dependencies of) a branch where `k` is not a card field's key.
    pub(super) fn with_other_key<T>(&mut self, k: Sym, f: impl FnOnce(&mut Self) -> T) -> T {
        let values = self.values_with_key(k);
        let (keys, vals) = (self.not_card_keys.len(), self.not_card_values.len());
        self.not_card_keys.push(k);
        self.not_card_values.extend(values);
        let r = f(self);
        self.not_card_keys.truncate(keys);
        self.not_card_values.truncate(vals);
        r
    }

    /// What a test says about a card field, read once: an element guard (`masked(el)`), a
    /// key guard (`SENSITIVE.test(k)`), or both. None when `test` is no card guard.
    pub(super) fn card_guard_of(&mut self, test: &'a Expression<'a>) -> Option<CardGuard<'a>> {
        let element = self.card_guard(test);
        let key = self.card_key_guard(test);
        let card_when_true = element.map(|(p, _)| p).or(key.map(|(p, _)| p))?;
        Some(CardGuard {
            card_when_true,
            element: element
                .filter(|(p, _)| *p == card_when_true)
                .map(|(_, e)| e),
            key: key.filter(|(p, _)| *p == card_when_true).map(|(_, k)| k),
        })
    }

    /// Walk (or take the dependencies of) the branch `g` says is not a card field's, with
    /// that said: the element's value and the key's values are another field's there.
    pub(super) fn in_other_branch<T>(
        &mut self,
        g: &CardGuard<'a>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let guards = self.not_card.len();
        self.not_card.extend(g.element);
        let r = match g.key {
            Some(k) => self.with_other_key(k, f),
            None => f(self),
        };
        self.not_card.truncate(guards);
        r
    }

    /// `test ? a : b` under a card guard (`masked(el) ? '*' : el.value`, `SENSITIVE.test(k) ?
    /// '[Filtered]' : o[k]`): `f` on the card branch as is, then on the other branch with the
    /// guard's word in force.
    pub(super) fn guarded_branches(
        &mut self,
        g: &CardGuard<'a>,
        consequent: &'a Expression<'a>,
        alternate: &'a Expression<'a>,
        mut f: impl FnMut(&mut Self, &'a Expression<'a>),
    ) {
        let (card, other) = g.order(consequent, alternate);
        f(self, card);
        self.in_other_branch(g, |me| f(me, other));
    }

    /// Whether `regex.test(x)`, `x.indexOf('cc-')`, `x.includes('card')` tests for a card word.
    fn is_card_test(&mut self, c: &'a CallExpression<'a>) -> bool {
        let Some(m) = c.callee.without_parentheses().as_member_expression() else {
            return false;
        };
        match m.static_property_name() {
            Some("test") => match self.interp.peek(m.object()) {
                Value::Regex(src, _) => self.k.vocab.matches(&src),
                _ => false,
            },
            Some("indexOf" | "includes" | "startsWith" | "endsWith" | "match" | "search") => c
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .is_some_and(|a| match self.interp.peek(a) {
                    Value::Regex(src, _) => self.k.vocab.matches(&src),
                    v => v.as_str().is_some_and(|s| self.k.vocab.matches(s)),
                }),
            _ => false,
        }
    }

    /// Whether `el.value` is read from an element a guard said is not a card field (by its
    /// source text: `el`, `e.target`).
    pub(super) fn is_guarded_value(&mut self, m: &'a StaticMemberExpression<'a>) -> bool {
        m.property.name == "value"
            && !self.not_card.is_empty()
            && self
                .not_card
                .contains(&self.text(m.object.without_parentheses().span()))
    }
}

/// `k`, `k.toLowerCase()`, `String(k)`: the name of the key tested.
fn key_name<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::CallExpression(c) => match c.callee.without_parentheses() {
            Expression::Identifier(f) if f.name == "String" => {
                key_name(c.arguments.first()?.as_expression()?)
            }
            callee => {
                let m = callee.as_member_expression()?;
                matches!(
                    m.static_property_name()?,
                    "toLowerCase" | "toUpperCase" | "trim" | "toString"
                )
                .then(|| key_name(m.object()))
                .flatten()
            }
        },
        _ => None,
    }
}

/// `return`, `continue` or `throw`, alone or as a block's only statement.
pub(super) fn leaves(s: &Statement<'_>) -> bool {
    match s {
        Statement::ReturnStatement(_)
        | Statement::ContinueStatement(_)
        | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => matches!(b.body.as_slice(), [only] if leaves(only)),
        _ => false,
    }
}

/// Counts a guard body's card-word tests, and notes one under a negation.
struct Guard<'c, 'a, 'x, 'y> {
    c: &'c mut Collector<'a, 'x, 'y>,
    negated: u32,
    card_tests: u32,
    reversed: bool,
    /// Card-word tests under a negation.
    negated_tests: u32,
    /// `if (cardTest) return null`: a falsy answer for card fields.
    no_on_card: u32,
    /// `if (cardTest) return 'x'`: a truthy answer for card fields.
    yes_on_card: u32,
    /// `if (!cardTest) return 'x'`: a truthy answer for other fields only.
    yes_off_card: u32,
}

impl<'a> Visit<'a> for Guard<'_, 'a, '_, '_> {
    fn visit_unary_expression(&mut self, it: &UnaryExpression<'a>) {
        let not = it.operator == UnaryOperator::LogicalNot;
        self.negated += u32::from(not);
        walk::walk_unary_expression(self, it);
        self.negated -= u32::from(not);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let it = self.alloc(it);
        if self.c.is_card_test(it) {
            self.card_tests += 1;
            if self.negated > 0 {
                self.reversed = true;
                self.negated_tests += 1;
            }
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        // `if (/cc/.test(n)) return false;`: a card field answers no — the other way round.
        let (before, negated_before) = (self.card_tests, self.negated_tests);
        self.visit_expression(&it.test);
        let negated_here = self.negated_tests - negated_before;
        if self.card_tests > before && negated_here == 0 && returns_false(&it.consequent) {
            self.reversed = true;
            self.no_on_card += 1;
        }
        // `if (el.type === 'tel' && !DENY.test(n)) return 'phone';`: a yes only for fields
        // that are not card fields agrees with a helper that answers no for card fields.
        if negated_here > 0 && returns_truthy(&it.consequent) {
            self.negated_tests -= negated_here;
            self.yes_off_card += negated_here;
        }
        // `if (CARD.test(n)) return 'card';`: a yes for card fields.
        if self.card_tests - before > negated_here && returns_truthy(&it.consequent) {
            self.yes_on_card += 1;
        }
        self.visit_statement(&it.consequent);
        if let Some(a) = &it.alternate {
            self.visit_statement(a);
        }
    }

    fn visit_function(&mut self, _: &Function<'a>, _: oxc_syntax::scope::ScopeFlags) {}
}

/// `return …;`, alone or as a block's only statement.
fn only_return<'s, 'a>(s: &'s Statement<'a>) -> Option<&'s ReturnStatement<'a>> {
    match s {
        Statement::ReturnStatement(r) => Some(r),
        Statement::BlockStatement(b) => match b.body.as_slice() {
            [Statement::ReturnStatement(r)] => Some(r),
            _ => None,
        },
        _ => None,
    }
}

/// `return 'phone'`, `return true`, `return 1`, `return {…}`: a truthy literal answer.
fn returns_truthy(s: &Statement<'_>) -> bool {
    let Some(r) = only_return(s) else {
        return false;
    };
    match r.argument.as_ref().map(|e| e.without_parentheses()) {
        Some(Expression::StringLiteral(s)) => !s.value.is_empty(),
        Some(Expression::NumericLiteral(n)) => n.value != 0.0 && !n.value.is_nan(),
        Some(Expression::BooleanLiteral(b)) => b.value,
        Some(Expression::ObjectExpression(_) | Expression::ArrayExpression(_)) => true,
        _ => false,
    }
}

/// `return false`, `return !1`, `{ return false; }`.
fn returns_false(s: &Statement<'_>) -> bool {
    let Some(r) = only_return(s) else {
        return false;
    };
    match r.argument.as_ref().map(|e| e.without_parentheses()) {
        // `return;`, `return null`, `return ''`, `return 0`: a falsy answer.
        None | Some(Expression::NullLiteral(_)) => true,
        Some(Expression::StringLiteral(s)) => s.value.is_empty(),
        Some(Expression::NumericLiteral(n)) => n.value == 0.0,
        Some(Expression::Identifier(id)) => id.name == "undefined",
        Some(Expression::BooleanLiteral(b)) => !b.value,
        Some(Expression::UnaryExpression(u)) => {
            u.operator == UnaryOperator::LogicalNot
                && matches!(&u.argument, Expression::NumericLiteral(n) if n.value != 0.0)
        }
        _ => false,
    }
}

/// A test that says whether a field is a card field (see [`Collector::card_guard_of`]).
#[derive(Clone, Copy)]
pub(super) struct CardGuard<'a> {
    /// The card field's branch is the test's true branch.
    pub card_when_true: bool,
    /// The element (its source text) that is another field's in the other branch.
    pub element: Option<&'a str>,
    /// The key whose values are another field's in the other branch.
    pub key: Option<Sym>,
}

impl CardGuard<'_> {
    /// `(card branch, other branch)` of a test's `(true, false)` branches.
    pub fn order<T>(&self, when_true: T, when_false: T) -> (T, T) {
        if self.card_when_true {
            (when_true, when_false)
        } else {
            (when_false, when_true)
        }
    }
}
