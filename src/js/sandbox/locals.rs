//! Local constants of a function, for decoder calls whose arguments are locals.
//!
//! JScrambler-style code never calls its string decoder with a literal: it first parks the
//! index in a local (`var k; k = 144; … d.u4F(k)`, or `k = d.i3v(144)` through an identity
//! function), so no call looks constant. A local written exactly once in its function, with a
//! number, a string or such a constant call, is a constant for every read in that function
//! and the functions inside it; the sandbox evaluates the decoder call with those locals
//! bound (`(function(){ var k = 144; return d.u4F(k); })()`).

use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::UnaryOperator;
use oxc_syntax::scope::ScopeFlags;
use std::collections::{HashMap, HashSet};

/// Whether `e` is a constant worth binding: a number, a string, `-n`, or a call that
/// `constant_call` accepts (a decoder or identity call with literal arguments).
fn simple<'a>(
    e: &'a Expression<'a>,
    constant_call: &dyn Fn(&'a CallExpression<'a>) -> bool,
) -> bool {
    match e.without_parentheses() {
        Expression::NumericLiteral(_) | Expression::StringLiteral(_) => true,
        Expression::UnaryExpression(u) => {
            matches!(
                u.operator,
                UnaryOperator::UnaryNegation | UnaryOperator::UnaryPlus
            ) && matches!(
                u.argument.without_parentheses(),
                Expression::NumericLiteral(_)
            )
        }
        Expression::CallExpression(c) => {
            constant_call(c)
                && c.arguments.iter().all(|a| {
                    matches!(
                        a.as_expression().map(|x| x.without_parentheses()),
                        Some(Expression::NumericLiteral(_) | Expression::StringLiteral(_))
                    )
                })
        }
        _ => false,
    }
}

/// The constants of one function: its `var`s written once with a simple value, by name, with
/// the value's span.
pub(super) fn of<'a>(
    params: &'a FormalParameters<'a>,
    body: &'a FunctionBody<'a>,
    constant_call: &dyn Fn(&'a CallExpression<'a>) -> bool,
) -> HashMap<&'a str, Span> {
    let mut w = Writes::default();
    for s in &body.statements {
        w.visit_statement(s);
    }
    let mut params_names = Writes::default();
    params_names.visit_formal_parameters(params);
    let mut out = HashMap::new();
    for (name, values) in w.values {
        if values.len() != 1 || !w.declared.contains(name) || params_names.declared.contains(name) {
            continue;
        }
        if let Some(v) = values[0]
            && simple(v, constant_call)
        {
            out.insert(name, v.span());
        }
    }
    out
}

/// Every write in a function body (not in nested functions): the values written to each
/// name (`None` for a compound or update write), and the `var` names it declares.
#[derive(Default)]
struct Writes<'a> {
    values: HashMap<&'a str, Vec<Option<&'a Expression<'a>>>>,
    declared: HashSet<&'a str>,
}

impl<'a> Visit<'a> for Writes<'a> {
    fn visit_function(&mut self, _: &Function<'a>, _: ScopeFlags) {}
    fn visit_arrow_function_expression(&mut self, _: &ArrowFunctionExpression<'a>) {}

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        let it = self.alloc(it);
        self.declared.insert(it.name.as_str());
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        if let (Some(n), Some(init)) = (it.id.get_identifier_name(), &it.init) {
            self.values.entry(n.as_str()).or_default().push(Some(init));
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it = self.alloc(it);
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left {
            let v = (it.operator == oxc_syntax::operator::AssignmentOperator::Assign)
                .then_some(&it.right);
            self.values.entry(id.name.as_str()).or_default().push(v);
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_update_expression(&mut self, it: &UpdateExpression<'a>) {
        let it = self.alloc(it);
        if let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &it.argument {
            self.values.entry(id.name.as_str()).or_default().push(None);
        }
        walk::walk_update_expression(self, it);
    }
}
