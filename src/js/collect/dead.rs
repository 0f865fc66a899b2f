//! Branches that never run. Recorders and error reporters ship with their settings in the
//! script (`var options = { inputSanitizer: true }`) and test them where a value is read
//! (`if (!options.inputSanitizer) return el.value; return mask(el.value)`): the raw branch
//! is there for customers who turn masking off, and with the setting shipped it never runs.
//! A skimmer's "mask" switched off the same way (`opts.mask ? hide(v) : v` with
//! `mask: false`) is caught for the same reason: only the branch that runs is followed.
//!
//! Only a test that is a setting — a name or a property path, negated or compared with a
//! constant — and whose value the evaluator knows to be `true` or `false` decides. A
//! setting changed at a time the analysis does not know (in a callback, a function) is
//! unknown to the evaluator and both branches are followed; calls are never evaluated here,
//! so the check costs one constant lookup per `if`.

use super::Collector;
use crate::js::value::Value;
use oxc_ast::ast::*;
use oxc_syntax::operator::UnaryOperator;

impl<'a> Collector<'a, '_, '_> {
    /// The value of a branch's test when it is a setting known to be `true` or `false`.
    pub(super) fn constant_test(&self, test: &'a Expression<'a>) -> Option<bool> {
        if !is_setting(test, 0) {
            return None;
        }
        match self.interp.peek(test) {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// `cfg.mask`, `!options.dom.inputSanitizer`, `MASK_ALL === true`, `cfg.level > 1`.
fn is_setting(e: &Expression<'_>, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    match e.without_parentheses() {
        Expression::Identifier(_) | Expression::BooleanLiteral(_) => true,
        Expression::StaticMemberExpression(m) => is_setting(&m.object, depth + 1),
        Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
            is_setting(&u.argument, depth + 1)
        }
        Expression::BinaryExpression(b) if b.operator.is_equality() || b.operator.is_compare() => {
            is_setting(&b.left, depth + 1)
                && matches!(
                    b.right.without_parentheses(),
                    Expression::BooleanLiteral(_)
                        | Expression::NumericLiteral(_)
                        | Expression::StringLiteral(_)
                )
        }
        _ => false,
    }
}
