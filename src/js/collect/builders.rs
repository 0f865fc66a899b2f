//! Strings built step by step in a local variable: `var u = "https://"; u += host; u += "/"
//! + path; img.src = u + "?d=" + data`. The evaluator treats a variable written more than once
//! as unknown (it cannot know which write a later read sees in general), so such a destination
//! stayed unresolved. When every write is a statement of the same function body, in order,
//! the value at a later statement of that body is known: the writes before it, concatenated.
//! A piece may read the string built so far (`u[6]`, the "/" of "https://").
//!
//! Variables are told apart by the function that declares them, not by name: obfuscators give
//! every function the same few short names, which is also why the script-wide evaluator cannot
//! resolve such a local even when it is written once (`var u = "https://x.example/"`).

use super::Collector;
use super::aliases::SchemeNames;
use crate::js::flow::FxBuild;
use crate::js::value::{HOLE, Value};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::{AssignmentOperator, BinaryOperator};
use oxc_syntax::scope::ScopeFlags;
use std::collections::{HashMap, HashSet};

/// The walk's maps are keyed by names and offsets of one script: Fx hashing, as elsewhere in
/// the engine (SipHash's DoS resistance buys nothing for keys bounded by one script's size,
/// and it was a visible share of the walk's time).
type Map<K, V> = HashMap<K, V, FxBuild>;
type Set<K> = HashSet<K, FxBuild>;

/// One variable built in one body: its writes in order, each with the offset where it ends.
struct Builder<'a> {
    body: Span,
    pieces: Vec<(u32, &'a Expression<'a>)>,
}

/// Every straight-line builder of a program, by name.
#[derive(Default)]
pub(super) struct Builders<'a> {
    by_name: Map<&'a str, Vec<Builder<'a>>>,
    /// The names of every property the program writes (`o.p = …`): a property read from an
    /// object literal is its initial value only if nothing writes a property of that name.
    pub written_props: HashSet<&'a str, FxBuild>,
}

/// A variable: the start of the body of the function that declares it (the program's start
/// for globals) and its name.
type VarKey<'a> = (u32, &'a str);

impl<'a> Builders<'a> {
    /// The builders and the scheme variables of a program, from one walk: both are facts
    /// about every write of every name, so one pass over the tree serves them both.
    pub(super) fn of(program: &'a Program<'a>) -> (Builders<'a>, SchemeNames<'a>) {
        let mut w = Walk::default();
        w.visit_program(program);
        let mut out = Builders::default();
        let mut found: Vec<_> = w.found.into_iter().collect();
        // Deterministic order of each name's builders whatever the map's iteration order.
        found.sort_unstable_by_key(|((scope, name), _)| (*scope, *name));
        for ((scope, name), b) in found {
            // A variable written anywhere outside its builder's statements is not straight-line.
            if w.writes.get(&(scope, name)).copied().unwrap_or(0) == b.pieces.len() {
                out.by_name.entry(name).or_default().push(b);
            }
        }
        out.written_props = w.props;
        (out, w.schemes)
    }

    /// The pieces written to `name` before `at`, in the innermost body holding `at`.
    fn pieces_before(&self, name: &str, at: u32) -> Option<Vec<&'a Expression<'a>>> {
        let b = self
            .by_name
            .get(name)?
            .iter()
            .filter(|b| b.body.start <= at && at < b.body.end)
            .min_by_key(|b| b.body.size())?;
        let pieces: Vec<_> = b
            .pieces
            .iter()
            .take_while(|(end, _)| *end <= at)
            .map(|(_, e)| *e)
            .collect();
        (!pieces.is_empty()).then_some(pieces)
    }
}

#[derive(Default)]
struct Walk<'a> {
    found: Map<VarKey<'a>, Builder<'a>>,
    /// Every write of every variable (declarations with a value, assignments, updates).
    writes: Map<VarKey<'a>, usize>,
    /// For each name, the body starts of the functions being walked that declare it,
    /// innermost last: which variable a write means is one lookup, not a search through
    /// every enclosing scope (bundles nest functions deeply).
    declaring: Map<&'a str, Vec<u32>>,
    /// The functions being walked: the names each declares (popped on the way out).
    scopes: Vec<Vec<&'a str>>,
    /// Names whose every value is a scheme string (see [`SchemeNames`]), noted on the way.
    schemes: SchemeNames<'a>,
    props: HashSet<&'a str, FxBuild>,
}

/// The names a function declares: its parameters and its `var`s (not those of nested
/// functions), and the names of functions declared in it.
#[derive(Default)]
struct Declared<'a> {
    names: Set<&'a str>,
}

impl<'a> Visit<'a> for Declared<'a> {
    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        let it = self.alloc(it);
        self.names.insert(it.name.as_str());
    }
    fn visit_function(&mut self, it: &Function<'a>, _: ScopeFlags) {
        let it = self.alloc(it);
        if let Some(id) = &it.id {
            self.names.insert(id.name.as_str());
        }
    }
    fn visit_arrow_function_expression(&mut self, _: &ArrowFunctionExpression<'a>) {}
    fn visit_class(&mut self, _: &Class<'a>) {}
}

impl<'a> Walk<'a> {
    /// The builders among one body's statements: `var x = e` then `x += e` / `x = x + e`.
    fn body(&mut self, body: Span, stmts: &'a [Statement<'a>]) {
        let mut open: Map<&'a str, Builder<'a>> = Map::default();
        for s in stmts {
            match s {
                Statement::VariableDeclaration(d) => {
                    for v in &d.declarations {
                        if let (Some(n), Some(init)) = (v.id.get_identifier_name(), &v.init) {
                            open.insert(
                                n.as_str(),
                                Builder {
                                    body,
                                    pieces: vec![(s.span().end, init)],
                                },
                            );
                        }
                    }
                }
                Statement::ExpressionStatement(es) => {
                    if let Expression::AssignmentExpression(a) = es.expression.without_parentheses()
                        && let AssignmentTarget::AssignmentTargetIdentifier(id) = &a.left
                        && let Some(b) = open.get_mut(id.name.as_str())
                    {
                        let piece = match a.operator {
                            AssignmentOperator::Addition => Some(&a.right),
                            // `x = x + e`: the piece is `e`.
                            AssignmentOperator::Assign => match a.right.without_parentheses() {
                                Expression::BinaryExpression(bin)
                                    if bin.operator == BinaryOperator::Addition
                                        && matches!(bin.left.without_parentheses(),
                                            Expression::Identifier(l) if l.name == id.name) =>
                                {
                                    Some(&bin.right)
                                }
                                _ => None,
                            },
                            _ => None,
                        };
                        match piece {
                            Some(p) => b.pieces.push((s.span().end, p)),
                            None => {
                                open.remove(id.name.as_str());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let scope = body.start;
        for (name, b) in open {
            if self.declares(name) == scope {
                self.found.insert((scope, name), b);
            }
        }
    }

    /// The body start of the innermost function declaring `name` (0: a global).
    fn declares(&self, name: &str) -> u32 {
        self.declaring
            .get(name)
            .and_then(|starts| starts.last())
            .copied()
            .unwrap_or(0)
    }

    fn wrote(&mut self, name: &'a str) {
        let key = (self.declares(name), name);
        *self.writes.entry(key).or_default() += 1;
    }

    fn enter(&mut self, params: &'a FormalParameters<'a>, body: &'a FunctionBody<'a>) {
        let mut d = Declared::default();
        d.visit_formal_parameters(params);
        for s in &body.statements {
            d.visit_statement(s);
        }
        let names: Vec<&'a str> = d.names.into_iter().collect();
        for n in &names {
            self.declaring.entry(n).or_default().push(body.span.start);
        }
        self.scopes.push(names);
    }

    fn leave(&mut self) {
        for n in self.scopes.pop().unwrap_or_default() {
            if let Some(starts) = self.declaring.get_mut(n) {
                starts.pop();
            }
        }
    }
}

impl<'a> Visit<'a> for Walk<'a> {
    fn visit_program(&mut self, it: &Program<'a>) {
        let it = self.alloc(it);
        // Globals are keyed 0 whatever the program's start.
        self.body(Span::new(0, it.span.end), &it.body);
        walk::walk_program(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let it = self.alloc(it);
        let Some(body) = &it.body else {
            return;
        };
        self.enter(&it.params, body);
        self.body(body.span, &body.statements);
        walk::walk_function(self, it, flags);
        self.leave();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let it = self.alloc(it);
        let ArrowFunctionBody::FunctionBody(body) = &it.body else {
            walk::walk_arrow_function_expression(self, it);
            return;
        };
        self.enter(&it.params, body);
        self.body(body.span, &body.statements);
        walk::walk_arrow_function_expression(self, it);
        self.leave();
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        if let Some(n) = it.id.get_identifier_name() {
            if it.init.is_some() {
                self.wrote(n.as_str());
            }
            self.schemes.note(n.as_str(), it.init.as_ref());
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it = self.alloc(it);
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left {
            self.wrote(id.name.as_str());
            let value = (it.operator == AssignmentOperator::Assign).then_some(&it.right);
            self.schemes.note(id.name.as_str(), value);
        } else if let Some(MemberExpression::StaticMemberExpression(m)) =
            it.left.as_member_expression()
        {
            self.props.insert(m.property.name.as_str());
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_update_expression(&mut self, it: &UpdateExpression<'a>) {
        let it = self.alloc(it);
        if let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &it.argument {
            // Never part of a builder: counted twice so the name never qualifies.
            self.wrote(id.name.as_str());
            self.wrote(id.name.as_str());
            self.schemes.note(id.name.as_str(), None);
        }
        walk::walk_update_expression(self, it);
    }
}

/// The leaves of a `+` chain, left to right.
fn leaves<'a>(e: &'a Expression<'a>, out: &mut Vec<&'a Expression<'a>>) {
    match e.without_parentheses() {
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            leaves(&b.left, out);
            leaves(&b.right, out);
        }
        other => out.push(other),
    }
}

impl<'a> Collector<'a, '_, '_> {
    /// The text of a `+` chain whose first leaf is a straight-line builder (see the module
    /// doc), with unknown runs marked by [`HOLE`]; None when it does not start with one.
    pub(super) fn built_text(&self, e: &'a Expression<'a>) -> Option<String> {
        let mut top = Vec::new();
        leaves(e, &mut top);
        let Some(Expression::Identifier(id)) = top.first().copied() else {
            return None;
        };
        let name = id.name.as_str();
        let pieces = self.builders.pieces_before(name, e.span().start)?;
        let mut text = String::new();
        for p in pieces {
            let mut ls = Vec::new();
            leaves(p, &mut ls);
            let mut add = String::new();
            for l in ls {
                add.push_str(&self.leaf_text(l, name, &text));
            }
            text.push_str(&add);
        }
        for l in &top[1..] {
            let t = self.leaf_text(l, name, &text);
            text.push_str(&t);
        }
        text.chars().any(|c| c != HOLE).then_some(text)
    }

    /// One leaf's text: the built string itself or one of its characters (`u[6]`), else what
    /// the evaluator knows of it.
    fn leaf_text(&self, l: &'a Expression<'a>, name: &str, so_far: &str) -> String {
        match l {
            Expression::Identifier(id) if id.name == name => return so_far.to_string(),
            Expression::ComputedMemberExpression(m) if matches!(m.object.without_parentheses(), Expression::Identifier(id) if id.name == name) =>
            {
                if let Value::Num(n) = self.interp.peek(&m.expression)
                    && n >= 0.0
                    && let Some(c) = so_far.chars().nth(n as usize)
                    && c != HOLE
                {
                    return c.to_string();
                }
                return HOLE.to_string();
            }
            _ => {}
        }
        match self.interp.peek(l) {
            Value::Holed(h) => h.to_string(),
            Value::Prefix(p) => format!("{p}{HOLE}"),
            v => v.to_js_string().unwrap_or_else(|| HOLE.to_string()),
        }
    }
}
