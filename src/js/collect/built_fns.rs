//! Functions built from strings and called later: `var k = new Function('w', 'd', body);
//! k(window, document)`. The body's parameters are what the calls pass (issue class 7), the
//! same as for `new Function(…)(window, document)` called at once (see [`hidden`]), so
//! `w.fetch` is `fetch` and `d.querySelector` is the document's. The decoded body is analysed
//! where the function is built, before the walk reaches its calls, so the calls are found
//! first by a small look over the program — only when the script builds a function from
//! strings into a variable at all (a text check), so other scripts pay nothing.
//!
//! [`hidden`]: super::hidden

use super::Collector;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use std::collections::HashMap;

/// Calls of a built function looked at, per script.
const MAX_CALLS: usize = 64;

#[derive(Default)]
struct Look<'a> {
    /// `k = Function(…)` by the name, with the building expression's start.
    built: HashMap<&'a str, u32>,
    /// `k(a, b)` calls whose arguments are all names or member paths.
    calls: Vec<(&'a str, Vec<String>)>,
}

impl<'a> Visit<'a> for Look<'a> {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (Some(n), Some(init)) = (it.id.get_identifier_name(), &it.init)
            && let Some(start) = builds_function(init)
        {
            self.built.insert(n.as_str(), start);
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Expression::Identifier(id) = it.callee.without_parentheses()
            && self.calls.len() < MAX_CALLS
            && !it.arguments.is_empty()
        {
            let passed = it
                .arguments
                .iter()
                .map(|a| a.as_expression().and_then(simple_path))
                .collect::<Option<Vec<String>>>();
            if let Some(p) = passed {
                self.calls.push((id.name.as_str(), p));
            }
        }
        walk::walk_call_expression(self, it);
    }
}

/// The start of `Function(…)` / `new Function(…)` with at least one parameter name.
fn builds_function(e: &Expression<'_>) -> Option<u32> {
    let (callee, args, start) = match e.without_parentheses() {
        Expression::NewExpression(n) => (&n.callee, &n.arguments, n.span.start),
        Expression::CallExpression(c) => (&c.callee, &c.arguments, c.span.start),
        _ => return None,
    };
    let is_fn = matches!(callee.without_parentheses(), Expression::Identifier(id) if id.name == "Function")
        || matches!(callee.without_parentheses(), Expression::StaticMemberExpression(m) if m.property.name == "Function");
    (is_fn && args.len() >= 2).then_some(start)
}

/// `window`, `document`, `window.navigator`: a name or a path of names.
fn simple_path(e: &Expression<'_>) -> Option<String> {
    match e.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::StaticMemberExpression(m) => {
            Some(format!("{}.{}", simple_path(&m.object)?, m.property.name))
        }
        _ => None,
    }
}

impl<'a> Collector<'a, '_, '_> {
    /// Before the walk: the arguments of the first call of each function the script builds
    /// from strings and keeps in a variable.
    pub(super) fn note_built_fn_calls(&mut self, program: &'a Program<'a>) {
        if !(self.src.contains("new Function(") || self.src.contains("= Function(")) {
            return;
        }
        let mut look = Look::default();
        look.visit_program(program);
        if look.built.is_empty() {
            return;
        }
        for (name, passed) in look.calls {
            if let Some(start) = look.built.get(name) {
                self.fn_ctor_args.entry(*start).or_insert(passed);
            }
        }
    }
}
