//! Type guards of scrubbers and maskers: `function mask(v) { if (typeof v !== 'string')
//! return v; return v.replace(/\S/g, '*'); }`. A field's value is a string, so the branch
//! that hands its argument back unchanged is taken only for other values (numbers, flags,
//! nothing): it returns no typed text. The same for a falsy test (`if (!v) return v;`: an
//! empty value) and for the conditional form (`typeof v === 'string' ? mask(v) : v`).
//!
//! Only the tested name itself, returned as it is, is spared: `if (typeof v !== 'string')
//! return JSON.stringify(v)` or `return obj` of another name still carries its data, and
//! `typeof v === 'object'` or `'number'` is no guard. A known limit: a caller that wraps the
//! value first (`mask([el.value])`, `mask(+el.value)`) passes a non-string through such a
//! helper unseen; the stub page, which runs the helper, still sees what is sent.
//!
//! A recursive scrubber's last `return v;` comes after `if (typeof v === 'string') return
//! mask(v);` and `if (v && typeof v === 'object') { …; return o; }`: strings and objects
//! (arrays among them) left above it, so what it hands back is a number, a flag or nothing.

use super::Collector;
use crate::js::flow::Deps;
use oxc_ast::ast::*;
use oxc_span::GetSpan;
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};

/// `typeof` answers that hold no data of their own (a card number fits in a `number`).
const NO_TEXT_TYPES: &[&str] = &["boolean", "undefined", "symbol"];

impl<'a> Collector<'a, '_, '_> {
    /// The name that `test`, when true, says holds no text: `typeof v !== 'string'`,
    /// `typeof v === 'number'`, `!v`, `v == null`, and "or"s of such tests of one name.
    pub(super) fn non_text_subject(test: &'a Expression<'a>) -> Option<&'a str> {
        match test.without_parentheses() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                match u.argument.without_parentheses() {
                    Expression::Identifier(id) => Some(id.name.as_str()),
                    // `!(typeof v === 'string')`
                    inner => typeof_test(inner)
                        .and_then(|(name, ty, equal)| (equal && ty == "string").then_some(name)),
                }
            }
            Expression::LogicalExpression(l) if l.operator == LogicalOperator::Or => {
                let a = Self::non_text_subject(&l.left)?;
                let b = Self::non_text_subject(&l.right)?;
                (a == b).then_some(a)
            }
            Expression::BinaryExpression(b) => {
                if let Some((name, ty, equal)) = typeof_test(test) {
                    return ((!equal && ty == "string") || (equal && NO_TEXT_TYPES.contains(&ty)))
                        .then_some(name);
                }
                // `v == null`, `v === undefined`, `v === ''`.
                let loose = matches!(
                    b.operator,
                    BinaryOperator::Equality | BinaryOperator::StrictEquality
                );
                let ((Expression::Identifier(id), other) | (other, Expression::Identifier(id))) =
                    (b.left.without_parentheses(), b.right.without_parentheses())
                else {
                    return None;
                };
                let nothing = matches!(other, Expression::NullLiteral(_))
                    || matches!(other, Expression::Identifier(u) if u.name == "undefined")
                    || matches!(other, Expression::StringLiteral(s) if s.value.is_empty());
                (loose && nothing).then_some(id.name.as_str())
            }
            _ => None,
        }
    }

    /// [`Self::non_text_subject`], or a test that is true only for values other than strings
    /// once strings were dealt with above it: after `if (typeof v === 'string') return
    /// mask(v);`, `typeof v !== 'object' || v === null` leaves numbers, flags and nothing.
    pub(super) fn non_text_here(&self, test: &'a Expression<'a>) -> Option<&'a str> {
        if let Some(n) = Self::non_text_subject(test) {
            return Some(n);
        }
        if self.text_done.is_empty() {
            return None;
        }
        match test.without_parentheses() {
            Expression::LogicalExpression(l) if l.operator == LogicalOperator::Or => {
                let a = self.non_text_here(&l.left)?;
                let b = self.non_text_here(&l.right)?;
                (a == b).then_some(a)
            }
            e => {
                let (name, ty, equal) = typeof_test(e)?;
                let other = (!equal && ty == "object")
                    || (equal && matches!(ty, "number" | "bigint" | "function"));
                (other && self.text_done.contains(&name)).then_some(name)
            }
        }
    }

    /// `if (typeof v === 'string') return …;` with nothing else: the name whose strings the
    /// statements after it no longer see.
    pub(super) fn text_handled(s: &'a Statement<'a>) -> Option<&'a str> {
        let Statement::IfStatement(it) = s else {
            return None;
        };
        if it.alternate.is_some() || !always_leaves(&it.consequent) {
            return None;
        }
        Self::text_subject(&it.test)
    }

    /// `if (v && typeof v === 'object') { …; return o; }` (or `typeof v === 'object'`,
    /// `v !== null && …`), its branch always leaving: the name whose objects the statements
    /// after it no longer see.
    pub(super) fn objects_handled(s: &'a Statement<'a>) -> Option<&'a str> {
        let Statement::IfStatement(it) = s else {
            return None;
        };
        if it.alternate.is_some() || !always_leaves(&it.consequent) {
            return None;
        }
        object_subject(&it.test)
    }

    /// What a returned expression carries, leaving out a guarded name handed back as it is
    /// (see the module's comment).
    pub(super) fn return_deps(&mut self, e: &'a Expression<'a>) -> Deps {
        match e.without_parentheses() {
            Expression::Identifier(id) if self.no_text.contains(&id.name.as_str()) => {
                Deps::default()
            }
            // A scrubber's last `return v;`, after its strings and its objects (and arrays)
            // were handled above: a number, a flag or nothing.
            Expression::Identifier(id)
                if self.text_done.contains(&id.name.as_str())
                    && self.objects_done.contains(&id.name.as_str()) =>
            {
                Deps::default()
            }
            // `if (/street/.test(el.name)) return el;`: an element a guard said is some other
            // kind of field (see `card_guards`): the caller gets that one field, none of
            // every field the loop looked through.
            Expression::Identifier(_) | Expression::StaticMemberExpression(_)
                if !self.not_card.is_empty()
                    && self
                        .not_card
                        .contains(&self.text(e.without_parentheses().span())) =>
            {
                Deps::default()
            }
            Expression::ConditionalExpression(c) => {
                let spared = self
                    .non_text_here(&c.test)
                    .map(|n| (n, true))
                    .or_else(|| Self::text_subject(&c.test).map(|n| (n, false)));
                match spared {
                    // `typeof v !== 'string' ? v : mask(v)`
                    Some((n, true)) if is_name(&c.consequent, n) => {
                        self.deps(&c.test);
                        self.deps(&c.alternate)
                    }
                    // `typeof v === 'string' ? mask(v) : v`
                    Some((n, false)) if is_name(&c.alternate, n) => {
                        self.deps(&c.test);
                        self.deps(&c.consequent)
                    }
                    _ => self.deps(e),
                }
            }
            _ => self.deps(e),
        }
    }

    /// Whether `s` is `return name;` (alone in a block or not).
    pub(super) fn returns_name(s: &Statement<'_>, name: &str) -> bool {
        match s {
            Statement::ReturnStatement(r) => r.argument.as_ref().is_some_and(|a| is_name(a, name)),
            Statement::BlockStatement(b) => {
                matches!(b.body.as_slice(), [one] if Self::returns_name(one, name))
            }
            _ => false,
        }
    }

    /// The name that `test`, when true, says is a string: `typeof v === 'string'`.
    fn text_subject(test: &'a Expression<'a>) -> Option<&'a str> {
        typeof_test(test).and_then(|(name, ty, equal)| (equal && ty == "string").then_some(name))
    }
}

/// `typeof name ==(=)/!=(=) 'type'` either way round: (name, type, whether it tests equality).
fn typeof_test<'a>(e: &'a Expression<'a>) -> Option<(&'a str, &'a str, bool)> {
    let Expression::BinaryExpression(b) = e.without_parentheses() else {
        return None;
    };
    let equal = match b.operator {
        BinaryOperator::Equality | BinaryOperator::StrictEquality => true,
        BinaryOperator::Inequality | BinaryOperator::StrictInequality => false,
        _ => return None,
    };
    let ((Expression::UnaryExpression(u), Expression::StringLiteral(s))
    | (Expression::StringLiteral(s), Expression::UnaryExpression(u))) =
        (b.left.without_parentheses(), b.right.without_parentheses())
    else {
        return None;
    };
    if u.operator != UnaryOperator::Typeof {
        return None;
    }
    let Expression::Identifier(id) = u.argument.without_parentheses() else {
        return None;
    };
    Some((id.name.as_str(), s.value.as_str(), equal))
}

/// The name that `test`, when true for it, is true for every object it may hold: `typeof v
/// === 'object'`, alone or "and"ed with a test that only rules out nothing (`v &&`, `v !==
/// null`, `v != null`).
fn object_subject<'a>(test: &'a Expression<'a>) -> Option<&'a str> {
    match test.without_parentheses() {
        Expression::LogicalExpression(l) if l.operator == LogicalOperator::And => {
            match (object_subject(&l.left), object_subject(&l.right)) {
                (Some(a), None) if rules_out_nothing_else(&l.right, a) => Some(a),
                (None, Some(b)) if rules_out_nothing_else(&l.left, b) => Some(b),
                _ => None,
            }
        }
        e => typeof_test(e).and_then(|(name, ty, equal)| (equal && ty == "object").then_some(name)),
    }
}

/// `v`, `v !== null`, `v != null`, `v !== undefined`: true for every object `v` may hold.
fn rules_out_nothing_else(e: &Expression<'_>, name: &str) -> bool {
    match e.without_parentheses() {
        Expression::Identifier(id) => id.name == name,
        Expression::BinaryExpression(b)
            if matches!(
                b.operator,
                BinaryOperator::Inequality | BinaryOperator::StrictInequality
            ) =>
        {
            let (side, other) = match (b.left.without_parentheses(), b.right.without_parentheses())
            {
                (Expression::Identifier(id), o) | (o, Expression::Identifier(id)) => (id, o),
                _ => return false,
            };
            side.name == name
                && (matches!(other, Expression::NullLiteral(_))
                    || matches!(other, Expression::Identifier(u) if u.name == "undefined"))
        }
        _ => false,
    }
}

/// Whether the statements after `s` in its list run only when `s` was not taken: it ends in
/// a `return`, `throw` or `continue` (`{ var o = {}; …; return o; }`), on both sides of an
/// `if` alike.
fn always_leaves(s: &Statement<'_>) -> bool {
    match s {
        Statement::ReturnStatement(_)
        | Statement::ContinueStatement(_)
        | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => b.body.last().is_some_and(always_leaves),
        Statement::IfStatement(i) => {
            always_leaves(&i.consequent) && i.alternate.as_ref().is_some_and(always_leaves)
        }
        _ => false,
    }
}

fn is_name(e: &Expression<'_>, name: &str) -> bool {
    matches!(e.without_parentheses(), Expression::Identifier(id) if id.name == name)
}
