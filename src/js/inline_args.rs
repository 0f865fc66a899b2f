//! A function called on the spot with the browser's objects or constants gives its
//! parameters those values for its whole run: `(function (w, d, proto) { … })(window,
//! document, XMLHttpRequest.prototype)` means `document` wherever it says `d`. Skimmers wrap
//! themselves this way (as the analytics snippets they imitate do) so that no call in the
//! body spells out `document.getElementById` or `XMLHttpRequest.prototype.open`. Rewriting
//! each such parameter's uses as the argument makes the body say what it does, for every
//! later step alike.
//!
//! Only where the meaning cannot change: the argument is a browser global the script never
//! declares (or a static member chain of one, like `XMLHttpRequest.prototype`) or a string,
//! number or boolean literal; the parameter is a plain name that nothing in the function
//! assigns, declares again, or reaches through `arguments`. The rewritten uses keep their own
//! places (a member chain's inner parts get empty spans there), so evidence still points at
//! the code as written.

use oxc_allocator::{Allocator, CloneIn};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, VisitMut, walk, walk_mut};
use oxc_span::{GetSpanMut, Span};
use std::collections::HashSet;

/// Members in a chain that may stand for a parameter (`XMLHttpRequest.prototype.open`).
const MAX_CHAIN: usize = 3;

/// Rewrite the constant parameters of every function called on the spot in `program`.
pub fn inline_constant_args<'a>(alloc: &'a Allocator, program: &mut Program<'a>) {
    let mut declared = Names::default();
    declared.visit_program(program);
    Inliner {
        alloc,
        declared: declared.bindings,
    }
    .visit_program(program);
}

/// Every name the program binds anywhere, and every name it assigns.
#[derive(Default)]
struct Names<'a> {
    bindings: HashSet<&'a str>,
    assigned: HashSet<&'a str>,
    /// `arguments` of the function visited (not of a function nested in it).
    uses_arguments: bool,
    nested: u32,
    /// Names read anywhere in it (a named function expression that calls itself gets other
    /// arguments in those calls).
    read: HashSet<&'a str>,
}

impl<'a> Visit<'a> for Names<'a> {
    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        self.bindings.insert(it.name.as_str());
    }

    fn visit_simple_assignment_target(&mut self, it: &SimpleAssignmentTarget<'a>) {
        if let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = it {
            self.assigned.insert(id.name.as_str());
        }
        walk::walk_simple_assignment_target(self, it);
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if it.name == "arguments" && self.nested == 0 {
            self.uses_arguments = true;
        }
        self.read.insert(it.name.as_str());
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: oxc_syntax::scope::ScopeFlags) {
        self.nested += 1;
        walk::walk_function(self, it, flags);
        self.nested -= 1;
    }
}

struct Inliner<'a> {
    alloc: &'a Allocator,
    /// Names the script binds: a global by such a name may be the script's own.
    declared: HashSet<&'a str>,
}

impl<'a> Inliner<'a> {
    /// Whether `e` is a value a parameter may be replaced by.
    fn constant(&self, e: &Expression<'a>, depth: usize) -> bool {
        match e {
            Expression::StringLiteral(s) => s.value.len() <= 256,
            Expression::NumericLiteral(_) | Expression::BooleanLiteral(_) => true,
            Expression::Identifier(id) => {
                let n = id.name.as_str();
                let global = matches!(n, "window" | "self" | "globalThis")
                    || crate::js::web_api::is_browser_global(n)
                    || crate::js::web_api::is_dom_interface(n);
                global && !self.declared.contains(n)
            }
            Expression::StaticMemberExpression(m) => {
                depth < MAX_CHAIN && self.constant(&m.object, depth + 1)
            }
            _ => false,
        }
    }

    /// The parameters of `params` (with their body) to replace by the call's `args`.
    fn replacements(
        &self,
        params: &FormalParameters<'a>,
        inner: &Names<'a>,
        arrow: bool,
        args: &[Argument<'a>],
    ) -> Vec<(&'a str, Expression<'a>)> {
        if args.iter().any(|a| a.is_spread()) {
            return Vec::new();
        }
        if inner.uses_arguments && !arrow {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (p, a) in params.items.iter().zip(args) {
            let (BindingPattern::BindingIdentifier(id), Some(a)) = (&p.pattern, a.as_expression())
            else {
                continue;
            };
            let name = id.name.as_str();
            if p.initializer.is_some()
                || !self.constant(a.without_parentheses(), 0)
                || inner.bindings.contains(name)
                || inner.assigned.contains(name)
            {
                continue;
            }
            out.push((name, a.without_parentheses().clone_in(self.alloc)));
        }
        out
    }
}

impl<'a> VisitMut<'a> for Inliner<'a> {
    /// `var w = window; … w.name`: a function's own alias of a browser object, declared
    /// once and never assigned, is that object wherever the body says its name (as a
    /// wrapper's parameter given `window` is). Literals are left to the evaluator.
    fn visit_function_body(&mut self, body: &mut FunctionBody<'a>) {
        walk_mut::walk_function_body(self, body);
        let mut reps: Vec<(&'a str, Expression<'a>)> = Vec::new();
        for s in &body.statements {
            let Statement::VariableDeclaration(d) = s else {
                continue;
            };
            for decl in &d.declarations {
                let (BindingPattern::BindingIdentifier(id), Some(init)) = (&decl.id, &decl.init)
                else {
                    continue;
                };
                let init = init.without_parentheses();
                if matches!(
                    init,
                    Expression::Identifier(_) | Expression::StaticMemberExpression(_)
                ) && self.constant(init, 0)
                {
                    reps.push((id.name.as_str(), init.clone_in(self.alloc)));
                }
            }
        }
        if reps.is_empty() {
            return;
        }
        let mut inner = Names::default();
        inner.visit_function_body(body);
        reps.retain(|(n, _)| !inner.assigned.contains(n) && bindings_of(body, n) == 1);
        if reps.is_empty() {
            return;
        }
        Replace {
            alloc: self.alloc,
            reps,
        }
        .visit_function_body(body);
    }

    fn visit_call_expression(&mut self, c: &mut CallExpression<'a>) {
        walk_mut::walk_call_expression(self, c);
        // Reading the body's names is a walk of the whole body, and bundles nest such calls
        // deeply (every module wrapper in every other): only when some argument could be
        // inlined at all.
        if !c.arguments.iter().any(|a| {
            a.as_expression()
                .is_some_and(|e| self.constant(e.without_parentheses(), 0))
        }) {
            return;
        }
        let found = match c.callee.without_parentheses() {
            Expression::FunctionExpression(f) => f.body.as_ref().and_then(|b| {
                let mut inner = Names::default();
                inner.visit_function_body(b);
                // `(function walk(n) { … walk(child) … })(document)`: not one call.
                if f.id
                    .as_ref()
                    .is_some_and(|id| inner.read.contains(id.name.as_str()))
                {
                    return None;
                }
                Some(self.replacements(&f.params, &inner, false, &c.arguments))
            }),
            Expression::ArrowFunctionExpression(f) => {
                let mut inner = Names::default();
                inner.visit_arrow_function_body(&f.body);
                Some(self.replacements(&f.params, &inner, true, &c.arguments))
            }
            _ => None,
        };
        let Some(reps) = found.filter(|r| !r.is_empty()) else {
            return;
        };
        let mut r = Replace {
            alloc: self.alloc,
            reps,
        };
        match c.callee.without_parentheses_mut() {
            Expression::FunctionExpression(f) => {
                if let Some(b) = f.body.as_mut() {
                    r.visit_function_body(b);
                }
            }
            Expression::ArrowFunctionExpression(f) => r.visit_arrow_function_body(&mut f.body),
            _ => {}
        }
    }
}

/// How many times `body` binds `name` (its own declaration, and any in nested functions).
fn bindings_of(body: &FunctionBody<'_>, name: &str) -> usize {
    struct Count<'n> {
        name: &'n str,
        n: usize,
    }
    impl<'a> Visit<'a> for Count<'_> {
        fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
            if it.name == self.name {
                self.n += 1;
            }
        }
    }
    let mut c = Count { name, n: 0 };
    c.visit_function_body(body);
    c.n
}

/// Replaces each use of a parameter by its argument.
struct Replace<'a> {
    alloc: &'a Allocator,
    reps: Vec<(&'a str, Expression<'a>)>,
}

impl<'a> VisitMut<'a> for Replace<'a> {
    fn visit_expression(&mut self, e: &mut Expression<'a>) {
        if let Expression::Identifier(id) = e
            && let Some((_, v)) = self.reps.iter().find(|(n, _)| id.name == *n)
        {
            let at = id.span;
            let mut v = v.clone_in(self.alloc);
            Spans(Span::new(at.start, at.start)).visit_expression(&mut v);
            *v.span_mut() = at;
            *e = v;
            return;
        }
        walk_mut::walk_expression(self, e);
    }
}

/// Sets every span of a copied argument to one (empty) place.
struct Spans(Span);

impl<'a> VisitMut<'a> for Spans {
    fn visit_span(&mut self, span: &mut Span) {
        *span = self.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxc_span::SourceType;

    /// The names of the identifiers the body of the first statement's function reads.
    fn rewritten(code: &str) -> Vec<String> {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let program = alloc.alloc(ret.program);
        inline_constant_args(&alloc, program);
        struct Reads(Vec<String>);
        impl<'a> Visit<'a> for Reads {
            fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
                self.0.push(it.name.to_string());
            }
            fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
                self.0.push(format!("'{}'", it.value));
            }
        }
        let mut r = Reads(Vec::new());
        r.visit_program(program);
        r.0
    }

    #[test]
    fn a_functions_own_alias_of_a_browser_object_is_that_object() {
        let reads = rewritten(
            "(function () { var w = window, k = 'x'; w.name = k; })(); \
             (function () { var d = document; d = other; d.cookie; })(); \
             (function () { var n = navigator; function f(n) { n.x; } n.sendBeacon; })();",
        );
        assert_eq!(
            reads,
            vec![
                "window",
                "'x'",
                "window",
                "k", // the alias is replaced; a literal's is not
                "document",
                "d",
                "other",
                "d", // assigned again: kept
                "navigator",
                "n",
                "n", // bound again in a nested function: kept
            ]
        );
    }

    #[test]
    fn browser_objects_and_literals_replace_their_parameters() {
        let reads = rewritten(
            "(function (d, p, s) { d.getElementById(s); p.open; })(document, XMLHttpRequest.prototype, 'cc');",
        );
        assert_eq!(
            reads,
            vec![
                "document",
                "'cc'",
                "XMLHttpRequest",
                "document",
                "XMLHttpRequest",
                "'cc'"
            ]
        );
    }

    #[test]
    fn a_nested_function_has_its_own_arguments() {
        let reads =
            rewritten("(function (d) { d.f; function g() { return arguments; } })(document);");
        assert_eq!(reads, vec!["document", "arguments", "document"]);
    }

    #[test]
    fn parameters_that_may_change_or_are_shadowed_stay() {
        // Assigned, declared again inside, reached through `arguments`, or a name the
        // script declares itself.
        for code in [
            "(function (d) { d = x; d.f; })(document);",
            "(function (d) { function g(d) { d.f; } })(document);",
            "(function (d) { arguments[0] = 1; d.f; })(document);",
            "(function (d) { (() => arguments[0])(); d.f; })(document);",
            "(function w(d) { d.f; w(d.firstChild); })(document);",
            "var document = 1; (function (d) { d.f; })(document);",
            "(function (d) { d.f; })(someLib);",
        ] {
            let reads = rewritten(code);
            assert!(reads.iter().any(|r| r == "d"), "{code}: {reads:?}");
        }
    }
}
