//! Whether a value decodes *at start-up*: a decoding built-in (`fromCharCode`, `atob`…) used
//! by the expression itself or by the body of an IIFE that computes it, not merely somewhere in
//! a function it defines. `var t = atob("…").split(",")` and `var t = function(){ … atob(…)
//! … }()` compute a decoded table; `var Vue = function(e){ function u(s){ return
//! String.fromCharCode(…) } … }({})` is a library module whose text happens to mention one.

use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_syntax::scope::ScopeFlags;

/// True when `value` calls a word of `words` outside the functions it merely defines.
pub fn decodes_at_start(value: &Expression<'_>, words: &[&str]) -> bool {
    let mut v = StartUp {
        words,
        iife: iife_callee(value),
        found: false,
    };
    v.visit_expression(value);
    v.found
}

/// The start of the function a value calls immediately (`function(){…}()`, `(() => …)()`).
fn iife_callee(value: &Expression<'_>) -> Option<u32> {
    let Expression::CallExpression(c) = value.without_parentheses() else {
        return None;
    };
    match c.callee.without_parentheses() {
        Expression::FunctionExpression(f) => Some(f.span.start),
        Expression::ArrowFunctionExpression(f) => Some(f.span.start),
        _ => None,
    }
}

struct StartUp<'w> {
    words: &'w [&'w str],
    iife: Option<u32>,
    found: bool,
}

impl StartUp<'_> {
    fn check(&mut self, name: &str) {
        if !self.found && self.words.contains(&name) {
            self.found = true;
        }
    }
}

impl<'a> Visit<'a> for StartUp<'_> {
    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        if self.iife == Some(it.span.start) {
            walk::walk_function(self, it, flags);
        }
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        if self.iife == Some(it.span.start) {
            walk::walk_arrow_function_expression(self, it);
        }
    }

    fn visit_class(&mut self, _: &Class<'a>) {}

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        self.check(it.name.as_str());
    }

    fn visit_identifier_name(&mut self, it: &IdentifierName<'a>) {
        self.check(it.name.as_str());
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        // `String["fromCharCode"]`, and the same word behind `\u` escapes.
        self.check(it.value.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::decodes_at_start;
    use oxc_ast::ast::Statement;

    fn first_init(code: &str) -> bool {
        let alloc = oxc_allocator::Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, oxc_span::SourceType::script()).parse();
        let Some(Statement::VariableDeclaration(d)) = ret.program.body.first() else {
            panic!("a var statement");
        };
        let init = d.declarations[0].init.as_ref().expect("an initialiser");
        decodes_at_start(init, &["fromCharCode", "atob"])
    }

    #[test]
    fn tables_decoded_at_start_up() {
        assert!(first_init("var t = atob('YQ==').split(',');"));
        assert!(first_init(
            "var t = String['\\u0066romCharCode'](97, 98).split('');"
        ));
        assert!(first_init(
            "var t = function(){ var s = atob('YQ=='); return s.split(',') }();"
        ));
        assert!(first_init("var t = (() => String.fromCharCode(97))();"));
    }

    #[test]
    fn a_module_that_only_defines_decoding_functions() {
        assert!(!first_init(
            "var Lib = function(e){ function u(s){ return String.fromCharCode(s) } e.u = u; return e }({});"
        ));
        assert!(!first_init(
            "var f = [function(){ return atob('x') }].map(g);"
        ));
    }
}
