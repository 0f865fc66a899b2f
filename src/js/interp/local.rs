//! Values of a function's own variables at one place in its body. The evaluator otherwise
//! knows only the script's global constants, while skimmers build their URLs inside the
//! listener that sends (`var p = []; p.push('https://'); p.push(host); …`, `JSON.parse(cfg)`,
//! `new URL(…)` with `u.search = …`). To know such a value, the statements of the enclosing
//! functions that come before the place are run in order, in frames of their own (each
//! function's parameters unknown, the frames nested as the functions are), and the
//! expression is evaluated in the innermost one.
//!
//! What is never assumed: a statement that contains the place is entered only when it is a
//! block, an `if` or a `try` (the branch holding the place runs; its test does not decide);
//! a loop holding the place stops the run; a statement before the place that does not finish
//! (see `havoc`) leaves what it writes unknown, and a loop runs on half of the fuel left; a
//! variable that a nested function assigns (a
//! callback may change it at any time) is unknown; a body too large to run (a library's
//! wrapper) only declares its names, unknown, so they never fall through to a global of the
//! same name. Everything runs on the evaluator's fuel, and calls of the page's functions
//! return unknown values as everywhere else in the evaluator. The run never changes the
//! script's globals: they are read into a shadow frame as copies, and assigned there.

use super::{Flow, Interp};
use crate::js::value::{Frame, NameMap, NameSet, Scope, Value};
use oxc_ast::ast::*;
use oxc_ast_visit::Visit;
use oxc_ast_visit::walk;
use oxc_span::GetSpan;
use oxc_syntax::scope::ScopeFlags;
use std::cell::RefCell;
use std::rc::Rc;

/// Bodies larger than this only declare their names (a library's wrapping function).
const MAX_RUN_BYTES: u32 = 8 * 1024;
/// [`Interp::body_names`]: what a body declares, or its frame's names (parameters too).
const DECLARED: u32 = 0;
const FRAME: u32 = 1;
/// Fuel for one evaluation in context (a decoder loop in a listener fits; a library does not).
const FUEL_LOCAL: u64 = 200_000;

/// One enclosing function, outermost first.
#[derive(Clone, Copy)]
pub struct Enclosing<'a> {
    pub params: &'a FormalParameters<'a>,
    pub body: &'a FunctionBody<'a>,
    /// The arguments it is called with where it is written (`(function (cfg) {…})(Site)`):
    /// a wrapper's parameters are what it was given, known as well as those are.
    pub args: Option<&'a [Argument<'a>]>,
}

impl<'a> Interp<'a> {
    /// Evaluate `e`, written at offset `at`, with the variables of its enclosing functions
    /// as the statements before `at` left them. Reports whether a decoding step was involved.
    pub fn eval_in_context(
        &self,
        chain: &[Enclosing<'a>],
        at: u32,
        e: &'a Expression<'a>,
    ) -> (Value<'a>, bool) {
        self.eval_in_call(chain, at, e, Vec::new())
    }

    /// [`Self::eval_in_context`] for one call of the innermost function: its parameters
    /// (`binds`) are that call's arguments (`function send() { var a = [].slice.call(
    /// arguments); x.open('POST', a[0]) }` called as `send(url, data)`).
    pub fn eval_in_call(
        &self,
        chain: &[Enclosing<'a>],
        at: u32,
        e: &'a Expression<'a>,
        binds: Vec<(&'a str, Value<'a>)>,
    ) -> (Value<'a>, bool) {
        // Only worth running when the expression names a variable one of the runnable bodies
        // declares (a parameter or a global is not made known by running anything).
        let mut used = NameSet::default();
        Refs { out: &mut used }.visit_expression(e);
        let declares_used = chain.iter().any(|f| {
            if f.args.is_some() {
                let mut params = NameSet::default();
                for p in &f.params.items {
                    pattern_names(&p.pattern, &mut params);
                }
                if params.iter().any(|n| used.contains(n)) {
                    return true;
                }
            }
            f.body.span.size() <= MAX_RUN_BYTES
                && self
                    .body_names(f.params, f.body, DECLARED)
                    .iter()
                    .any(|n| used.contains(n))
        });
        // Or it reads Web storage, which the statements before may have just written.
        let reads_storage = used.contains("localStorage") || used.contains("sessionStorage");
        if !declares_used && !reads_storage {
            return (Value::Unknown, false);
        }
        self.decoded.set(false);
        self.begin_with(FUEL_LOCAL);
        *self.shadow.borrow_mut() = Some(Rc::new(Frame::default()));
        self.storage.borrow_mut().clear();
        let mut parent: Option<Scope<'a>> = None;
        let last = chain.len().saturating_sub(1);
        let mut binds = Some(binds);
        for (i, &Enclosing { params, body, args }) in chain.iter().enumerate() {
            let names = self.body_names(params, body, FRAME);
            let frame: Scope<'a> = Rc::new(Frame {
                vars: RefCell::new(self.unknown_frame(body, &names)),
                parent: parent.clone(),
            });
            if let Some(args) = args {
                self.bind_args(params, args, body, parent.as_ref(), &frame);
            }
            if i == last
                && let Some(b) = binds.take()
            {
                frame.vars.borrow_mut().extend(b);
            }
            if body.span.size() <= MAX_RUN_BYTES {
                self.hoist(&body.statements, &frame);
                // `hoist` declares `var`s undefined; what the run does not reach stays unknown.
                for n in names.iter() {
                    let mut vars = frame.vars.borrow_mut();
                    if matches!(vars.get(n), Some(Value::Undefined)) {
                        vars.insert(n, Value::Unknown);
                    }
                }
                self.run_prefix(&body.statements, at, &frame);
                let changed = self.nested_writes(body, 0);
                let mut vars = frame.vars.borrow_mut();
                for &n in changed.iter() {
                    if let Some(x) = vars.get_mut(n) {
                        *x = Value::Unknown;
                    }
                }
            } else {
                self.run_literal_declarations(body, at, &frame, &used);
            }
            parent = Some(frame);
        }
        let v = self.ev(e, parent.as_ref());
        *self.shadow.borrow_mut() = None;
        self.storage.borrow_mut().clear();
        self.end();
        (v, self.decoded.get())
    }

    /// A wrapper's simple parameters bound to the arguments it is called with, evaluated
    /// where the call is. A parameter the body assigns anywhere stays unknown when the body is
    /// too large to run (the run would not see the assignment); a runnable body's assignments
    /// before the place are run, and those in nested functions make it unknown afterwards.
    fn bind_args(
        &self,
        params: &'a FormalParameters<'a>,
        args: &'a [Argument<'a>],
        body: &'a FunctionBody<'a>,
        outer: Option<&Scope<'a>>,
        frame: &Scope<'a>,
    ) {
        let assigned = if body.span.size() > MAX_RUN_BYTES {
            self.nested_writes(body, 1)
        } else {
            Rc::default()
        };
        for (p, a) in params.items.iter().zip(args) {
            let BindingPattern::BindingIdentifier(id) = &p.pattern else {
                continue;
            };
            let Some(a) = a.as_expression() else {
                // A spread: the positions after it are not known.
                break;
            };
            let name = id.name.as_str();
            if assigned.contains(name) {
                continue;
            }
            let v = self.ev(a, outer);
            frame.vars.borrow_mut().insert(name, v);
        }
    }

    /// The names assigned in `body` inside nested functions (`depth` 0), or anywhere in it
    /// (`depth` 1). Remembered per body: a library's wrapper is walked once, not once per
    /// evaluation inside it (that walk was half the analysis of core-js).
    fn nested_writes(&self, body: &'a FunctionBody<'a>, depth: u32) -> Rc<NameSet<'a>> {
        let key = (std::ptr::from_ref(body) as usize, depth);
        if let Some(names) = self.nested_writes.borrow().get(&key) {
            return names.clone();
        }
        let mut names = NameSet::default();
        let mut v = NestedWrites {
            out: &mut names,
            depth,
        };
        for s in &body.statements {
            v.visit_statement(s);
        }
        let names = Rc::new(names);
        self.nested_writes.borrow_mut().insert(key, names.clone());
        names
    }

    /// The names `body` declares at its own level ([`DECLARED`]), or those its frame starts
    /// with ([`FRAME`]: its parameters, then what it declares, inserted in that order so the
    /// set is the one built fresh each time). Remembered per body, as [`Self::nested_writes`]:
    /// a library's wrapper declares thousands of names, and every evaluation in a function
    /// inside it asked for them again.
    fn body_names(
        &self,
        params: &'a FormalParameters<'a>,
        body: &'a FunctionBody<'a>,
        kind: u32,
    ) -> Rc<NameSet<'a>> {
        let key = (std::ptr::from_ref(body) as usize, kind);
        if let Some(names) = self.body_names.borrow().get(&key) {
            return names.clone();
        }
        let mut names = NameSet::default();
        if kind == FRAME {
            for p in &params.items {
                pattern_names(&p.pattern, &mut names);
            }
            if let Some(r) = &params.rest {
                pattern_names(&r.rest.argument, &mut names);
            }
        }
        declared_names(&body.statements, &mut names);
        let names = Rc::new(names);
        self.body_names.borrow_mut().insert(key, names.clone());
        names
    }

    /// A frame's variables before the run: each of `names` (the body's [`FRAME`] names)
    /// unknown. Built once per body by inserting them in order, then copied: a copy of a map
    /// keeps its layout, so each frame is the map the inserts would have made, without
    /// hashing a wrapper's thousands of names again for every evaluation inside it.
    fn unknown_frame(
        &self,
        body: &'a FunctionBody<'a>,
        names: &NameSet<'a>,
    ) -> NameMap<'a, Value<'a>> {
        let key = std::ptr::from_ref(body) as usize;
        if let Some(vars) = self.unknown_frames.borrow().get(&key) {
            return vars.clone();
        }
        let mut vars = NameMap::default();
        for n in names.iter() {
            vars.insert(*n, Value::Unknown);
        }
        self.unknown_frames.borrow_mut().insert(key, vars.clone());
        vars
    }

    /// Run the statements before `at`; enter the one holding it when it is a block, an `if`
    /// or a `try`.
    /// In a body too large to run (a wrapper flattened by an obfuscator, a library's IIFE):
    /// its top-level `var`s before the place that are written once, with a literal (a list
    /// of field names, a settings object) and never assigned or changed in place again.
    fn run_literal_declarations(
        &self,
        body: &'a FunctionBody<'a>,
        at: u32,
        sc: &Scope<'a>,
        used: &NameSet<'a>,
    ) {
        let mut assigned = None;
        let text = self
            .src
            .get(body.span.start as usize..body.span.end as usize)
            .unwrap_or("");
        // What the expression reads, and what those declarations read in turn (a list of
        // names kept as members of a table declared before it).
        let mut needed = used.clone();
        for s in body.statements.iter().rev() {
            if s.span().end > at {
                continue;
            }
            let Statement::VariableDeclaration(d) = s else {
                continue;
            };
            for decl in &d.declarations {
                if let (Some(n), Some(init)) = (decl.id.get_identifier_name(), &decl.init)
                    && needed.contains(n.as_str())
                    && literal_shaped(init, 0)
                {
                    Refs { out: &mut needed }.visit_expression(init);
                }
            }
        }
        let used = &needed;
        for s in &body.statements {
            if s.span().end > at {
                break;
            }
            let Statement::VariableDeclaration(d) = s else {
                continue;
            };
            for decl in &d.declarations {
                let (Some(n), Some(init)) = (decl.id.get_identifier_name(), &decl.init) else {
                    continue;
                };
                let n = n.as_str();
                // Only what the expression reads (a large body has thousands of `var`s).
                if !used.contains(n) || !literal_shaped(init, 0) {
                    continue;
                }
                let assigned = assigned.get_or_insert_with(|| self.nested_writes(body, 1));
                if assigned.contains(n) || mutated(text, n) {
                    continue;
                }
                let v = self.ev(init, Some(sc));
                sc.vars.borrow_mut().insert(n, v);
            }
        }
    }

    fn run_prefix(&self, stmts: &'a [Statement<'a>], at: u32, sc: &Scope<'a>) -> bool {
        for s in stmts {
            let span = s.span();
            if span.end <= at {
                if matches!(s, Statement::FunctionDeclaration(_)) {
                    continue;
                }
                // A loop runs on half of what is left: one that spends it (a pointless
                // burn before the listener) leaves the rest of the run its other half.
                let before = self.fuel.get();
                let share = if is_loop(s) { before / 2 } else { before };
                self.fuel.set(share);
                let flow = self.exec(s, sc);
                self.fuel.set(before - share + self.fuel.get());
                match flow {
                    Flow::Normal => {}
                    // Not finished: what it writes is no longer what the run saw.
                    Flow::Abort => self.havoc(s, sc),
                    // A `return`, `break` or `continue` before the place: the place is not
                    // reached this way; what ran so far is what is known.
                    _ => return false,
                }
                if self.fuel.get() == 0 || self.timed_out.get() {
                    return false;
                }
                continue;
            }
            if span.start > at {
                return true;
            }
            return match s {
                Statement::BlockStatement(b) => self.run_prefix(&b.body, at, sc),
                Statement::IfStatement(i) => {
                    if i.consequent.span().start <= at && at < i.consequent.span().end {
                        self.run_prefix(std::slice::from_ref(&i.consequent), at, sc)
                    } else if let Some(a) = &i.alternate {
                        self.run_prefix(std::slice::from_ref(a), at, sc)
                    } else {
                        true
                    }
                }
                Statement::TryStatement(t) if t.block.span.start <= at && at < t.block.span.end => {
                    self.run_prefix(&t.block.body, at, sc)
                }
                _ => true,
            };
        }
        true
    }
}

fn is_loop(s: &Statement<'_>) -> bool {
    matches!(
        s,
        Statement::ForStatement(_)
            | Statement::ForInStatement(_)
            | Statement::ForOfStatement(_)
            | Statement::WhileStatement(_)
            | Statement::DoWhileStatement(_)
    )
}

/// The names a body declares at its own level (`var`, `let`, `const`, functions).
fn declared_names<'a>(stmts: &'a [Statement<'a>], out: &mut NameSet<'a>) {
    for s in stmts {
        match s {
            Statement::VariableDeclaration(d) => {
                for decl in &d.declarations {
                    pattern_names(&decl.id, out);
                }
            }
            Statement::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    out.insert(id.name.as_str());
                }
            }
            Statement::BlockStatement(b) => declared_names(&b.body, out),
            Statement::IfStatement(i) => {
                declared_names(std::slice::from_ref(&i.consequent), out);
                if let Some(a) = &i.alternate {
                    declared_names(std::slice::from_ref(a), out);
                }
            }
            Statement::TryStatement(t) => declared_names(&t.block.body, out),
            _ => {}
        }
    }
}

fn pattern_names<'a>(p: &'a BindingPattern<'a>, out: &mut NameSet<'a>) {
    for id in p.get_binding_identifiers() {
        out.insert(id.name.as_str());
    }
}

/// [`Interp::nested_writes`] by (body address, depth). Bodies live in the script's arena
/// as long as the evaluator, so an address names one body for the evaluator's whole life.
pub(super) type NestedWritesCache<'a> = std::collections::HashMap<(usize, u32), Rc<NameSet<'a>>>;

/// Names assigned inside functions nested in a body: a callback may change them at any time.
struct NestedWrites<'a, 'o> {
    out: &'o mut NameSet<'a>,
    depth: u32,
}

impl<'a> Visit<'a> for NestedWrites<'a, '_> {
    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        self.depth += 1;
        walk::walk_function(self, it, flags);
        self.depth -= 1;
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.depth += 1;
        walk::walk_arrow_function_expression(self, it);
        self.depth -= 1;
    }

    fn visit_simple_assignment_target(&mut self, it: &SimpleAssignmentTarget<'a>) {
        if self.depth > 0
            && let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = it
        {
            self.out.insert(id.name.as_str());
        }
        walk::walk_simple_assignment_target(self, it);
    }
}

/// The names an expression reads.
struct Refs<'a, 'o> {
    out: &'o mut NameSet<'a>,
}

impl<'a> Visit<'a> for Refs<'a, '_> {
    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        self.out.insert(it.name.as_str());
    }
}

/// A literal, or a list or object of literals (decoded strings written back as `atob("…")`
/// and members of such objects count): evaluating it runs nothing of the page's.
fn literal_shaped(e: &Expression<'_>, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    match e.without_parentheses() {
        Expression::StringLiteral(_)
        | Expression::NumericLiteral(_)
        | Expression::BooleanLiteral(_)
        | Expression::NullLiteral(_) => true,
        Expression::TemplateLiteral(t) => t.expressions.is_empty(),
        // A function value is made, not run (an obfuscator's table of operator helpers).
        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_) => depth > 0,
        Expression::BinaryExpression(b) => {
            literal_shaped(&b.left, depth + 1) && literal_shaped(&b.right, depth + 1)
        }
        Expression::CallExpression(c) => {
            matches!(&c.callee, Expression::Identifier(id) if id.name == "atob")
                && matches!(c.arguments.first(), Some(Argument::StringLiteral(_)))
        }
        Expression::StaticMemberExpression(m) => {
            matches!(m.object.without_parentheses(), Expression::Identifier(_))
        }
        Expression::ComputedMemberExpression(m) => {
            matches!(m.object.without_parentheses(), Expression::Identifier(_))
                && literal_shaped(&m.expression, depth + 1)
        }
        Expression::ArrayExpression(a) => {
            a.elements.len() <= 256
                && a.elements.iter().all(|el| {
                    el.as_expression()
                        .is_some_and(|x| literal_shaped(x, depth + 1))
                })
        }
        Expression::ObjectExpression(o) => {
            o.properties.len() <= 256
                && o.properties.iter().all(|p| match p {
                    ObjectPropertyKind::ObjectProperty(p) => {
                        !p.computed && literal_shaped(&p.value, depth + 1)
                    }
                    _ => false,
                })
        }
        _ => false,
    }
}

/// Whether `text` changes the list `name` in place (`name.push(…)`, `name.shift()`…).
fn mutated(text: &str, name: &str) -> bool {
    [
        "push", "shift", "unshift", "splice", "pop", "reverse", "sort",
    ]
    .iter()
    .any(|m| text.contains(&format!("{name}.{m}(")) || text.contains(&format!("{name}['{m}']")))
}

#[cfg(test)]
mod tests {
    use crate::js::constants::Constants;
    use crate::js::interp::{Enclosing, Interp};
    use crate::js::value::Value;
    use oxc_allocator::Allocator;
    use oxc_ast::ast::*;
    use oxc_span::{GetSpan, SourceType};

    /// `code` parsed, its top level run by the evaluator, then `f` given both.
    fn with_interp<R>(code: &str, f: impl for<'a> FnOnce(&'a Program<'a>, &Interp<'a>) -> R) -> R {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let program = alloc.alloc(ret.program);
        let consts = Constants::collect(program, code);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let interp = Interp::new(code, consts.decls(), deadline)
            .with_changes(consts.volatile.clone(), consts.staged.clone());
        interp.run_top_level(&program.body);
        f(program, &interp)
    }

    /// The first argument of the call that ends `body`.
    fn last_call_url<'a>(body: &'a FunctionBody<'a>) -> &'a Expression<'a> {
        let Some(Statement::ExpressionStatement(last)) = body.statements.last() else {
            panic!("the function ends with a call");
        };
        let Expression::CallExpression(call) = &last.expression else {
            panic!("the function ends with a call");
        };
        call.arguments[0].as_expression().expect("an argument")
    }

    fn show(v: Value) -> String {
        match v {
            Value::Str(s) => s.to_string(),
            v => format!("{v:?}"),
        }
    }

    /// The URL argument of the call ending the top-level function `send`, evaluated in
    /// context, then the global `probe` read afterwards.
    fn in_context(code: &str, probe: &'static str) -> (String, String) {
        with_interp(code, |program, interp| {
            let f = program
                .body
                .iter()
                .find_map(|s| match s {
                    Statement::FunctionDeclaration(f)
                        if f.id.as_ref().is_some_and(|i| i.name == "send") =>
                    {
                        Some(f)
                    }
                    _ => None,
                })
                .expect("a function send");
            let body = f.body.as_ref().expect("a body");
            let url = last_call_url(body);
            let chain = vec![Enclosing {
                params: &f.params,
                body,
                args: None,
            }];
            let (v, _) = interp.eval_in_context(&chain, url.span().start, url);
            (show(v), show(interp.lookup(probe, None)))
        })
    }

    /// `(function (cfg) { … function send(d) { beacon(URL, d) } })(ARG)`: the URL evaluated
    /// in `send` with the wrapper's parameter bound to its argument.
    fn in_wrapper(code: &str) -> String {
        with_interp(code, |program, interp| {
            let Some(Statement::ExpressionStatement(st)) = program.body.last() else {
                panic!("ends with the wrapper's call");
            };
            let Expression::CallExpression(call) = st.expression.without_parentheses() else {
                panic!("a call");
            };
            let Expression::FunctionExpression(w) = call.callee.without_parentheses() else {
                panic!("of a function");
            };
            let wbody = w.body.as_ref().expect("a body");
            let send = wbody
                .statements
                .iter()
                .find_map(|s| match s {
                    Statement::FunctionDeclaration(f) => Some(f),
                    _ => None,
                })
                .expect("send");
            let body = send.body.as_ref().expect("a body");
            let url = last_call_url(body);
            let chain = vec![
                Enclosing {
                    params: &w.params,
                    body: wbody,
                    args: Some(&call.arguments),
                },
                Enclosing {
                    params: &send.params,
                    body,
                    args: None,
                },
            ];
            let first = show(interp.eval_in_context(&chain, url.span().start, url).0);
            // Asked again, the wrapper's nested writes come from the evaluator's memory.
            let again = show(interp.eval_in_context(&chain, url.span().start, url).0);
            assert_eq!(first, again, "the second evaluation differs from the first");
            first
        })
    }

    #[test]
    fn a_wrappers_parameters_are_its_arguments() {
        let url = in_wrapper(
            "var Site = { sync: { host: 'c.example' } }; \
             (function (cfg) { function send(d) { beacon('https://' + cfg.sync.host + '/p', d); } })(Site);",
        );
        assert_eq!(url, "https://c.example/p");
    }

    #[test]
    fn a_parameter_a_large_wrapper_reassigns_stays_unknown() {
        // Too large to run: the reassignment is not seen, so the argument is not trusted.
        let pad = "x();".repeat(3000);
        let url = in_wrapper(&format!(
            "(function (cfg) {{ {pad} if (ready) cfg = other; \
             function send(d) {{ beacon(cfg.u, d); }} }})({{ u: 'https://stale.example/' }});"
        ));
        assert_eq!(url, "Unknown");
    }

    #[test]
    fn a_functions_statements_before_the_place_make_its_variables_known() {
        let (url, _) = in_context(
            "function send(d) { var p = []; p.push('https://'); p.push('c.example'); var u = p.join('') + '/x'; beacon(u, d); }",
            "p",
        );
        assert_eq!(url, "https://c.example/x");
    }

    #[test]
    fn a_join_keeps_the_known_elements_around_an_unknown_one() {
        let (url, _) = in_context(
            "function send(d) { var u = [d.label, 'cdn-relay.example'].join('.'); beacon(u, d); }",
            "u",
        );
        assert_eq!(url, "Holed(\"\u{fffc}.cdn-relay.example\")");
        let (url, _) = in_context(
            "function send(d) { var u = ['https:', '', 'c.example', 'lib-' + d.t].join('/'); beacon(u, d); }",
            "u",
        );
        assert_eq!(url, "Prefix(\"https://c.example/lib-\")");
    }

    #[test]
    fn storage_written_before_the_place_is_read_back() {
        let (url, _) = in_context(
            "function send(d) { localStorage.setItem('_e', 'https://h.example/c'); beacon(localStorage.getItem('_e'), d); }",
            "x",
        );
        assert_eq!(url, "https://h.example/c");
        // Written elsewhere (another page load, another script): unknown.
        let (url, _) = in_context(
            "function send(d) { beacon(localStorage.getItem('_e'), d); }",
            "x",
        );
        assert_eq!(url, "Unknown");
    }

    #[test]
    fn a_variable_a_callback_assigns_stays_unknown() {
        let (url, _) = in_context(
            "function send(d) { var u = 'https://default.example/'; load(function (c) { u = c.url; }); beacon(u, d); }",
            "u",
        );
        assert_eq!(url, "Unknown");
    }

    #[test]
    fn the_run_never_changes_the_scripts_globals() {
        // `tweak` changes the object it is given: inside the run, `cfg` is a copy.
        let (url, after) = in_context(
            "var cfg = { base: 'https://g.example' }; function tweak(o) { o.base = 'https://changed.example'; } \
             function send(d) { tweak(cfg); var b = cfg.base; beacon(b + '/p', d); }",
            "cfg",
        );
        assert_eq!(url, "https://changed.example/p");
        assert!(
            after.contains("g.example") && !after.contains("changed"),
            "{after}"
        );
    }
}
