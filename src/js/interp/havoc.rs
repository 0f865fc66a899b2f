//! What a statement that did not finish may have changed. When a run in context (see
//! `local`) cannot complete a statement before the place it evaluates at (a loop whose test
//! is unknown, an `if` on a page value, a loop that spends its share of the fuel), the
//! variables that statement writes are no longer what the run last saw: keeping them would
//! report a stale constant, and stopping the run would leave everything after it unknown (a
//! skimmer buys that with a pointless three-million-step loop before its listener). So the
//! run goes on, with those variables made unknown — or, for a string only ever appended to
//! (`u += k + '=' + v`), a [`Value::Prefix`] of what it held: its start is still certain.

use super::Interp;
use crate::js::value::{NameMap, Scope, Value};
use oxc_ast::ast::*;
use oxc_ast_visit::Visit;
use oxc_ast_visit::walk;
use oxc_syntax::operator::{AssignmentOperator, BinaryOperator};

/// Methods that change the object they are called on (arrays, maps, sets, URL parameters).
const MUTATORS: &[&str] = &[
    "push",
    "pop",
    "shift",
    "unshift",
    "splice",
    "reverse",
    "sort",
    "fill",
    "copyWithin",
    "set",
    "add",
    "delete",
    "clear",
    "append",
];

impl<'a> Interp<'a> {
    /// Make what `s` writes unknown in `sc` (appended strings keep their known start).
    pub(super) fn havoc(&self, s: &'a Statement<'a>, sc: &Scope<'a>) {
        let mut w = Writes::default();
        w.visit_statement(s);
        for (name, appended) in w.out {
            let v = match self.lookup(name, Some(sc)) {
                Value::Str(s) | Value::Prefix(s) if appended && !s.is_empty() => Value::Prefix(s),
                _ => Value::Unknown,
            };
            self.assign_name(name, v, Some(sc));
        }
    }
}

/// The names a statement assigns, updates, declares or changes in place; `true` when every
/// write only appends to the name (`u += …`, `u = u + …`).
#[derive(Default)]
struct Writes<'a> {
    out: NameMap<'a, bool>,
}

impl<'a> Writes<'a> {
    fn write(&mut self, name: &'a str, appended: bool) {
        let e = self.out.entry(name).or_insert(true);
        *e = *e && appended;
    }
}

/// The variable an expression's chain of members starts at (`a` in `a.b[c].d`).
fn root<'a>(e: &Expression<'a>) -> Option<&'a str> {
    match e.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(m) => root(&m.object),
        Expression::ComputedMemberExpression(m) => root(&m.object),
        _ => None,
    }
}

/// Whether `e` is `name + …` (the left end of a chain of additions is `name`).
fn starts_with_name(e: &Expression<'_>, name: &str) -> bool {
    match e.without_parentheses() {
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            starts_with_name(&b.left, name)
        }
        Expression::Identifier(id) => id.name == name,
        _ => false,
    }
}

impl<'a> Visit<'a> for Writes<'a> {
    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left else {
            // Members and destructuring: see `visit_simple_assignment_target`.
            walk::walk_assignment_expression(self, it);
            return;
        };
        let name = id.name.as_str();
        let appended = match it.operator {
            AssignmentOperator::Addition => true,
            AssignmentOperator::Assign => {
                matches!(
                    it.right.without_parentheses(),
                    Expression::BinaryExpression(_)
                ) && starts_with_name(&it.right, name)
            }
            _ => false,
        };
        self.write(name, appended);
        // Not the target itself: it would count as a plain write.
        self.visit_expression(&it.right);
    }

    fn visit_simple_assignment_target(&mut self, it: &SimpleAssignmentTarget<'a>) {
        // Members assigned, destructuring targets, `x++`, `for (k in o)`.
        match it {
            SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => {
                self.write(id.name.as_str(), false);
            }
            t => {
                if let Some(m) = t.as_member_expression()
                    && let Some(r) = root(m.object())
                {
                    self.write(r, false);
                }
            }
        }
        walk::walk_simple_assignment_target(self, it);
    }

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        self.write(it.name.as_str(), false);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Some(m) = it.callee.without_parentheses().as_member_expression()
            && m.static_property_name()
                .is_some_and(|p| MUTATORS.contains(&p))
            && let Some(r) = root(m.object())
        {
            self.write(r, false);
        }
        // `Object.assign(target, …)` changes its first argument.
        if let Some(m) = it.callee.without_parentheses().as_member_expression()
            && m.static_property_name() == Some("assign")
            && let Some(first) = it.arguments.first().and_then(Argument::as_expression)
            && let Some(r) = root(first)
        {
            self.write(r, false);
        }
        walk::walk_call_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::Writes;
    use oxc_allocator::Allocator;
    use oxc_ast_visit::Visit;
    use oxc_span::SourceType;

    fn writes(code: &str) -> Vec<(String, bool)> {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let mut w = Writes::default();
        for s in &ret.program.body {
            w.visit_statement(s);
        }
        let mut out: Vec<(String, bool)> = w.out.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        out.sort();
        out
    }

    #[test]
    fn appending_is_told_apart_from_replacing() {
        assert_eq!(
            writes("for (k in o) { u += k; v = v + '&' + k; w = k + w; n++; }"),
            vec![
                ("k".into(), false),
                ("n".into(), false),
                ("u".into(), true),
                ("v".into(), true),
                ("w".into(), false),
            ]
        );
    }

    #[test]
    fn objects_changed_in_place_are_written() {
        assert_eq!(
            writes("while (x) { a.push(1); b.c[d] = 2; e.join(''); Object.assign(f.g, h); }"),
            vec![
                ("a".into(), false),
                ("b".into(), false),
                ("f".into(), false)
            ]
        );
    }
}
