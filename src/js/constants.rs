//! The constants pre-pass: which names the whole script can treat as constants (declared
//! once, never reassigned), which functions the evaluator may call by name, and which
//! start-up calls rotate a string table (`(function(a, n){ … a.push(a.shift()) … })(tbl, 0x1a3)`)
//! so the table is read in its run-time order. One walk over the tree.

use super::interp::GlobalDecl;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;
use std::collections::HashMap;

#[derive(Default)]
pub struct Constants<'a> {
    declared: HashMap<&'a str, (u32, Option<GlobalDecl<'a>>)>,
    assigned: HashMap<&'a str, u32>,
    /// Calls that rotate a string table at start-up, in source order.
    pub rotators: Vec<&'a CallExpression<'a>>,
    src: &'a str,
}

impl<'a> Constants<'a> {
    pub fn collect(program: &'a Program<'a>, src: &'a str) -> Constants<'a> {
        let mut c = Constants {
            src,
            ..Default::default()
        };
        c.visit_program(program);
        c
    }

    /// The bindings the evaluator may resolve by name anywhere in the script.
    pub fn decls(&self) -> HashMap<&'a str, GlobalDecl<'a>> {
        let mut out = HashMap::new();
        for (name, (count, decl)) in &self.declared {
            let Some(d) = decl else { continue };
            if *count != 1 {
                continue;
            }
            match d {
                // Functions may rebind their own name (self-replacing accessors); the
                // evaluator handles that. Values must never be reassigned.
                GlobalDecl::Func(_) => {}
                GlobalDecl::Init(_) => {
                    if self.assigned.get(name).copied().unwrap_or(0) > 0 {
                        continue;
                    }
                }
            }
            out.insert(*name, *d);
        }
        out
    }

    fn declare(&mut self, name: &'a str, d: Option<GlobalDecl<'a>>) {
        let e = self.declared.entry(name).or_insert((0, None));
        e.0 += 1;
        e.1 = d;
    }
}

impl<'a> Visit<'a> for Constants<'a> {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        if let Some(id) = it.id.get_identifier_name() {
            let d = match &it.init {
                Some(Expression::FunctionExpression(f)) => Some(GlobalDecl::Func(f)),
                Some(e) => Some(GlobalDecl::Init(e)),
                None => None,
            };
            self.declare(id.as_str(), d);
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: oxc_syntax::scope::ScopeFlags) {
        let it = self.alloc(it);
        if it.is_declaration()
            && let Some(id) = &it.id
        {
            self.declare(id.name.as_str(), Some(GlobalDecl::Func(it)));
        }
        walk::walk_function(self, it, flags);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it = self.alloc(it);
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left {
            *self.assigned.entry(id.name.as_str()).or_default() += 1;
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_update_expression(&mut self, it: &UpdateExpression<'a>) {
        let it = self.alloc(it);
        if let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &it.argument {
            *self.assigned.entry(id.name.as_str()).or_default() += 1;
        }
        walk::walk_update_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let it = self.alloc(it);
        let callee = it.callee.without_parentheses();
        if matches!(
            callee,
            Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
        ) && it.arguments.len() >= 2
            && it
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .is_some_and(|e| {
                    matches!(
                        e.without_parentheses(),
                        Expression::Identifier(_) | Expression::CallExpression(_)
                    )
                })
        {
            let span = callee.span();
            let body = self
                .src
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            if body.len() < 20_000 && body.contains("push") && body.contains("shift") {
                self.rotators.push(it);
            }
        }
        walk::walk_call_expression(self, it);
    }
}
