//! Constant evaluation: what a URL, a selector or an `eval` argument is, computed from the
//! constants in the script without running it in a browser. This undoes the common hiding
//! tricks — concatenation, template literals, `atob`, `String.fromCharCode`, `unescape`,
//! `decodeURIComponent`, `split/reverse/join`, string tables read through constant indexes or
//! accessor functions, and the rotate-the-table-at-start loop — because they are all pure
//! computations over constants.
//!
//! The evaluator interprets a small, side-effect-free subset of JavaScript: expressions,
//! straight-line statements, `if`, loops and `try`, and calls of the script's own functions
//! with constant arguments (closures included, which is how obfuscators write accessors). It
//! knows no DOM: anything that depends on the page is `Unknown`. Every evaluation runs on fuel
//! (per expression and per script) and checks the time budget, so hostile code cannot make it
//! loop or grow without bound.

use super::urls::{new_url, url_part};
use super::value::{
    Closure, FnBody, Frame, HOLE, MAX_STRING, Scope, Value, holed_concat, num_to_radix,
    num_to_string, parse_int, to_i32,
};
use super::web_api;
use base64::Engine as _;
use oxc_ast::ast::*;
use oxc_syntax::operator::{
    AssignmentOperator, BinaryOperator, LogicalOperator, UnaryOperator, UpdateOperator,
};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Instant;

/// Steps one top-level evaluation may take (an accessor call, a decoder loop).
const FUEL_PER_EVAL: u64 = 3_000_000;
/// Steps of a quick look (a computed property name, a selector, a callee).
const FUEL_PEEK: u64 = 5_000;
/// Steps all evaluations of one script may take together.
const FUEL_PER_SCRIPT: u64 = 30_000_000;
/// Nested calls of the script's own functions.
const MAX_CALL_DEPTH: u32 = 48;
/// Nested expression evaluation (beyond the pre-scan's limit nothing gets here, but decoded
/// code and long operator chains are cheap to guard again).
const MAX_EVAL_DEPTH: u32 = 4_000;

/// A binding the whole script can see by name: declared exactly once and never reassigned
/// outside its own function (see [`super::constants`]).
#[derive(Clone, Copy, Debug)]
pub enum GlobalDecl<'a> {
    Init(&'a Expression<'a>),
    Func(&'a Function<'a>),
}

enum Flow<'a> {
    Normal,
    Return(Value<'a>),
    Break,
    Continue,
    Abort,
}

pub struct Interp<'a> {
    src: &'a str,
    decls: HashMap<&'a str, GlobalDecl<'a>>,
    cache: RefCell<HashMap<&'a str, Value<'a>>>,
    /// Globals whose value came out of a decoding step while the top level ran.
    decoded_names: RefCell<HashSet<&'a str>>,
    resolving: RefCell<HashSet<&'a str>>,
    fuel: Cell<u64>,
    total: Cell<u64>,
    depth: Cell<u32>,
    calls: Cell<u32>,
    /// Set when a value was produced by a decoding step (Base64, char codes, escapes, a
    /// string-table read…): the caller resets it before an evaluation and reads it after.
    pub decoded: Cell<bool>,
    deadline: Instant,
    pub timed_out: Cell<bool>,
    /// Names changed at unknown times (inside functions): never read as constants.
    volatile: HashSet<&'a str>,
    /// Names changed by top-level statements, which the top-level run executes in order.
    staged: HashSet<&'a str>,
}

impl<'a> Interp<'a> {
    pub fn new(src: &'a str, decls: HashMap<&'a str, GlobalDecl<'a>>, deadline: Instant) -> Self {
        Interp {
            src,
            decls,
            cache: RefCell::default(),
            decoded_names: RefCell::default(),
            resolving: RefCell::default(),
            fuel: Cell::new(0),
            total: Cell::new(FUEL_PER_SCRIPT),
            depth: Cell::new(0),
            calls: Cell::new(0),
            decoded: Cell::new(false),
            deadline,
            timed_out: Cell::new(false),
            volatile: HashSet::new(),
            staged: HashSet::new(),
        }
    }

    /// Whether the script's whole step budget was spent: later evaluations computed nothing,
    /// so the analysis is partial.
    pub fn out_of_fuel(&self) -> bool {
        self.total.get() == 0
    }

    /// Fuel left for the whole script (decoded layers share it with the script they are in).
    pub fn remaining(&self) -> u64 {
        self.total.get()
    }

    /// Start with at most `fuel` for the whole script (a decoded layer's share).
    pub fn with_fuel(self, fuel: u64) -> Self {
        self.total.set(fuel.min(FUEL_PER_SCRIPT));
        self
    }

    /// Spend fuel used elsewhere on this script's behalf (by a decoded layer).
    pub fn spend(&self, used: u64) {
        self.total.set(self.total.get().saturating_sub(used));
    }

    /// The names [`super::constants`] found changing after their declaration.
    pub fn with_changes(mut self, volatile: HashSet<&'a str>, staged: HashSet<&'a str>) -> Self {
        self.volatile = volatile;
        self.staged = staged;
        self
    }

    pub fn is_global_binding(&self, name: &str) -> bool {
        self.decls.contains_key(name)
    }

    /// Evaluate an expression in the global scope, with the full per-evaluation fuel (URLs,
    /// `eval` arguments: worth running a decoder for).
    pub fn eval(&self, e: &'a Expression<'a>) -> Value<'a> {
        self.begin();
        let v = self.ev(e, None);
        self.end();
        v
    }

    /// Evaluate with a small fuel budget: property names, selectors and callee checks are asked
    /// for at almost every node, and must not run a library's functions each time.
    pub fn peek(&self, e: &'a Expression<'a>) -> Value<'a> {
        self.begin_with(FUEL_PEEK);
        let v = self.ev(e, None);
        self.end();
        v
    }

    /// Evaluate and report whether a decoding step was involved.
    pub fn eval_decoded(&self, e: &'a Expression<'a>) -> (Value<'a>, bool) {
        self.decoded.set(false);
        let v = self.eval(e);
        (v, self.decoded.get())
    }

    /// Whether an expression evaluates to the `Function` constructor.
    pub fn is_function_ctor(&self, e: &'a Expression<'a>) -> bool {
        self.begin_with(FUEL_PEEK);
        let v = self.ev(e, None);
        self.end();
        matches!(v, Value::Host("Function"))
    }

    /// Run the program's top-level statements that compute values — declarations, loops and
    /// assignments, not calls — so strings built by decoder loops (`for (…) m +=
    /// String.fromCharCode(s.charCodeAt(i) - 1)`) are known where they are used. A
    /// statement that depends on the page is skipped; the rest still runs.
    pub fn run_top_level(&self, body: &'a [Statement<'a>]) {
        let frame: Scope<'a> = Rc::new(Frame::default());
        self.decoded.set(false);
        for s in body {
            let runs = match s {
                // A staged name is declared and then changed at the top level: run both.
                Statement::VariableDeclaration(d)
                    if d.declarations.iter().any(|d| {
                        d.id.get_identifier_name()
                            .is_some_and(|n| self.staged.contains(n.as_str()))
                    }) =>
                {
                    true
                }
                Statement::ExpressionStatement(e)
                    if matches!(e.expression.without_parentheses(), Expression::CallExpression(c)
                        if matches!(c.callee.without_parentheses(), Expression::StaticMemberExpression(m)
                            if matches!(m.object.without_parentheses(), Expression::Identifier(id) if self.staged.contains(id.name.as_str())))) =>
                {
                    true
                }
                Statement::VariableDeclaration(d) => d.declarations.iter().all(|d| {
                    d.init.as_ref().is_none_or(|e| {
                        !matches!(
                            e.without_parentheses(),
                            Expression::CallExpression(_)
                                | Expression::FunctionExpression(_)
                                | Expression::NewExpression(_)
                        )
                    })
                }),
                Statement::ForStatement(_) | Statement::WhileStatement(_) => true,
                Statement::ExpressionStatement(e) => {
                    matches!(e.expression.without_parentheses(), Expression::AssignmentExpression(a) if !matches!(a.right.without_parentheses(), Expression::CallExpression(_) | Expression::FunctionExpression(_)))
                }
                _ => false,
            };
            if !runs {
                continue;
            }
            self.begin();
            let _ = self.exec(s, &frame);
            self.end();
            if self.total.get() == 0 || self.timed_out.get() {
                break;
            }
        }
        let vars = std::mem::take(&mut *frame.vars.borrow_mut());
        let decoded = self.decoded.replace(false);
        let mut cache = self.cache.borrow_mut();
        for (k, v) in vars {
            if !matches!(v, Value::Unknown | Value::Undefined) && !self.decls.contains_key(k) {
                if decoded && matches!(v, Value::Str(_)) {
                    self.decoded_names.borrow_mut().insert(k);
                }
                cache.insert(k, v);
            }
        }
        // Undeclared names assigned at the top level (`m = ""; for (…) m += …`) went straight
        // to the cache; they carry the decoding too.
        if decoded {
            let mut names = self.decoded_names.borrow_mut();
            for (k, v) in cache.iter() {
                if matches!(v, Value::Str(_)) && !self.decls.contains_key(k) {
                    names.insert(*k);
                }
            }
        }
    }

    /// Run a call expression for its effect on global tables (the start-up rotation loop).
    pub fn run_call(&self, call: &'a CallExpression<'a>) {
        self.begin();
        let _ = self.ev_call(call, None);
        self.end();
    }

    fn begin(&self) {
        self.begin_with(FUEL_PER_EVAL);
    }

    fn begin_with(&self, fuel: u64) {
        let f = fuel.min(self.total.get());
        self.fuel.set(f);
        self.total.set(self.total.get() - f);
    }

    fn end(&self) {
        // Unused fuel goes back to the script's pool.
        self.total.set(self.total.get() + self.fuel.get());
        self.fuel.set(0);
    }

    /// Charge fuel for building a string of `bytes` bytes, so a loop that grows a string
    /// costs what it copies (otherwise `s += 'a'` in a loop would be quadratic within fuel).
    fn charge(&self, bytes: usize) -> bool {
        let cost = (bytes / 64) as u64 + 1;
        let f = self.fuel.get();
        if f < cost {
            self.fuel.set(0);
            return false;
        }
        self.fuel.set(f - cost);
        true
    }

    fn step(&self) -> bool {
        let f = self.fuel.get();
        if f == 0 {
            return false;
        }
        self.fuel.set(f - 1);
        if f.is_multiple_of(4096) && Instant::now() > self.deadline {
            self.timed_out.set(true);
            self.fuel.set(0);
            return false;
        }
        true
    }

    // ---- expressions -------------------------------------------------------------------

    fn ev(&self, e: &'a Expression<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        if !self.step() || self.depth.get() > MAX_EVAL_DEPTH {
            return Value::Unknown;
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.ev_inner(e, sc);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn ev_inner(&self, e: &'a Expression<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        match e {
            Expression::StringLiteral(s) => {
                if self.has_escapes(s.span) {
                    self.decoded.set(true);
                }
                Value::str(s.value.as_str())
            }
            Expression::NumericLiteral(n) => Value::Num(n.value),
            Expression::BooleanLiteral(b) => Value::Bool(b.value),
            Expression::NullLiteral(_) => Value::Null,
            Expression::RegExpLiteral(r) => Value::Regex(
                r.regex.pattern.text.as_str().into(),
                r.regex.flags.to_string().into(),
            ),
            Expression::TemplateLiteral(t) => self.ev_template(t, sc),
            Expression::Identifier(id) => self.lookup(id.name.as_str(), sc),
            Expression::ThisExpression(_) => Value::Host("window"),
            Expression::ParenthesizedExpression(p) => self.ev(&p.expression, sc),
            Expression::SequenceExpression(s) => {
                let mut last = Value::Undefined;
                for x in &s.expressions {
                    last = self.ev(x, sc);
                }
                last
            }
            Expression::ArrayExpression(a) => {
                let mut out = Vec::with_capacity(a.elements.len());
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            match self.ev(&s.argument, sc) {
                                Value::Array(inner) => out.extend(inner.borrow().iter().cloned()),
                                _ => out.push(Value::Unknown),
                            }
                        }
                        ArrayExpressionElement::Elision(_) => out.push(Value::Undefined),
                        other => match other.as_expression() {
                            Some(x) => out.push(self.ev(x, sc)),
                            None => out.push(Value::Unknown),
                        },
                    }
                }
                Value::Array(Rc::new(RefCell::new(out)))
            }
            Expression::ObjectExpression(o) => {
                let mut out = Vec::new();
                for p in &o.properties {
                    if let ObjectPropertyKind::ObjectProperty(p) = p {
                        let key = match &p.key {
                            PropertyKey::StaticIdentifier(id) => Some(Rc::from(id.name.as_str())),
                            k => k
                                .as_expression()
                                .and_then(|x| self.ev(x, sc).to_js_string())
                                .map(Rc::from),
                        };
                        if let Some(k) = key {
                            out.push((k, self.ev(&p.value, sc)));
                        }
                    }
                }
                Value::Object(Rc::new(RefCell::new(out)))
            }
            Expression::FunctionExpression(f) => match &f.body {
                Some(body) => Value::Func(Rc::new(Closure {
                    params: &f.params,
                    body: FnBody::Block(body),
                    env: sc.cloned(),
                })),
                None => Value::Unknown,
            },
            Expression::ArrowFunctionExpression(f) => {
                let body = match &f.body {
                    ArrowFunctionBody::FunctionBody(b) => FnBody::Block(b),
                    other => match other.as_expression() {
                        Some(e) => FnBody::Expr(e),
                        None => return Value::Unknown,
                    },
                };
                Value::Func(Rc::new(Closure {
                    params: &f.params,
                    body,
                    env: sc.cloned(),
                }))
            }
            Expression::BinaryExpression(b) => {
                let l = self.ev(&b.left, sc);
                let r = self.ev(&b.right, sc);
                self.binary(b.operator, l, r)
            }
            Expression::LogicalExpression(l) => {
                let left = self.ev(&l.left, sc);
                match (l.operator, left.truthy()) {
                    (LogicalOperator::And, Some(false)) | (LogicalOperator::Or, Some(true)) => left,
                    (LogicalOperator::And, Some(true)) | (LogicalOperator::Or, Some(false)) => {
                        self.ev(&l.right, sc)
                    }
                    (LogicalOperator::Coalesce, _) => match left {
                        Value::Undefined | Value::Null => self.ev(&l.right, sc),
                        Value::Unknown => Value::Unknown,
                        v => v,
                    },
                    _ => Value::Unknown,
                }
            }
            Expression::ConditionalExpression(c) => match self.ev(&c.test, sc).truthy() {
                Some(true) => self.ev(&c.consequent, sc),
                Some(false) => self.ev(&c.alternate, sc),
                None => Value::Unknown,
            },
            Expression::UnaryExpression(u) => {
                let v = self.ev(&u.argument, sc);
                match u.operator {
                    UnaryOperator::LogicalNot => v
                        .truthy()
                        .map(|b| Value::Bool(!b))
                        .unwrap_or(Value::Unknown),
                    UnaryOperator::UnaryNegation => v
                        .to_number()
                        .map(|n| Value::Num(-n))
                        .unwrap_or(Value::Unknown),
                    UnaryOperator::UnaryPlus => {
                        v.to_number().map(Value::Num).unwrap_or(Value::Unknown)
                    }
                    UnaryOperator::BitwiseNot => v
                        .to_number()
                        .map(|n| Value::Num(f64::from(!to_i32(n))))
                        .unwrap_or(Value::Unknown),
                    UnaryOperator::Void => Value::Undefined,
                    UnaryOperator::Typeof => match v {
                        Value::Str(_) | Value::Prefix(_) | Value::Holed(_) => Value::str("string"),
                        Value::Url(_) => Value::str("object"),
                        Value::Num(_) => Value::str("number"),
                        Value::Bool(_) => Value::str("boolean"),
                        Value::Undefined => Value::str("undefined"),
                        Value::Func(_) => Value::str("function"),
                        Value::Array(_) | Value::Object(_) | Value::Null | Value::Regex(..) => {
                            Value::str("object")
                        }
                        _ => Value::Unknown,
                    },
                    UnaryOperator::Delete => Value::Unknown,
                }
            }
            Expression::StaticMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                self.member(obj, &Value::str(m.property.name.as_str()))
            }
            Expression::ComputedMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                let key = self.ev(&m.expression, sc);
                if matches!(obj, Value::Array(_)) && matches!(key, Value::Num(_)) {
                    // A string-table read: an array of strings indexed by a computed constant.
                    let v = self.member(obj, &key);
                    if matches!(v, Value::Str(_)) {
                        self.decoded.set(true);
                    }
                    return v;
                }
                self.member(obj, &key)
            }
            Expression::CallExpression(c) => self.ev_call(c, sc),
            Expression::NewExpression(n) => {
                let name = n.callee.get_identifier_reference().map(|i| i.name.as_str());
                match name {
                    Some("Array") => {
                        let args = self.args(&n.arguments, sc);
                        Value::Array(Rc::new(RefCell::new(args)))
                    }
                    Some("String") => {
                        let args = self.args(&n.arguments, sc);
                        self.call_global("String", &args)
                    }
                    Some("URL") => {
                        let args = self.args(&n.arguments, sc);
                        new_url(args.first(), args.get(1))
                    }
                    Some("RegExp") => {
                        let args = self.args(&n.arguments, sc);
                        match (args.first().and_then(Value::as_str), args.get(1)) {
                            (Some(p), None) => Value::Regex(p.into(), "".into()),
                            (Some(p), Some(Value::Str(f))) => Value::Regex(p.into(), f.clone()),
                            _ => Value::Unknown,
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            Expression::AssignmentExpression(a) => self.ev_assign(a, sc),
            Expression::UpdateExpression(u) => {
                let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &u.argument else {
                    return Value::Unknown;
                };
                let old = self.lookup(id.name.as_str(), sc).to_number();
                let Some(old) = old else {
                    return Value::Unknown;
                };
                let new = match u.operator {
                    UpdateOperator::Increment => old + 1.0,
                    UpdateOperator::Decrement => old - 1.0,
                };
                self.assign_name(id.name.as_str(), Value::Num(new), sc);
                Value::Num(if u.prefix { new } else { old })
            }
            Expression::ChainExpression(_) => Value::Unknown,
            _ => Value::Unknown,
        }
    }

    fn has_escapes(&self, span: oxc_span::Span) -> bool {
        self.src
            .get(span.start as usize..span.end as usize)
            .is_some_and(|raw| raw.contains("\\x") || raw.contains("\\u"))
    }

    fn ev_template(&self, t: &'a TemplateLiteral<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        let mut out = String::new();
        let mut holes = false;
        for (i, q) in t.quasis.iter().enumerate() {
            match &q.value.cooked {
                Some(c) => out.push_str(c.as_str()),
                None => return Value::Unknown,
            }
            if let Some(x) = t.expressions.get(i) {
                match self.ev(x, sc).to_js_string() {
                    Some(s) => out.push_str(&s),
                    None => {
                        holes = true;
                        if !out.ends_with(HOLE) {
                            out.push(HOLE);
                        }
                    }
                }
            }
        }
        if holes {
            // `${x}.collector.example`: the known pieces after the first unknown one still
            // name a host's registrable suffix.
            if out.len() > MAX_STRING || !out.chars().any(|c| c != HOLE) {
                return Value::Unknown;
            }
            return Value::Holed(out.into());
        }
        Value::str(out)
    }

    fn args(&self, args: &'a [Argument<'a>], sc: Option<&Scope<'a>>) -> Vec<Value<'a>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match a {
                Argument::SpreadElement(s) => match self.ev(&s.argument, sc) {
                    Value::Array(inner) => out.extend(inner.borrow().iter().cloned()),
                    _ => out.push(Value::Unknown),
                },
                other => match other.as_expression() {
                    Some(x) => out.push(self.ev(x, sc)),
                    None => out.push(Value::Unknown),
                },
            }
        }
        out
    }

    pub fn lookup(&self, name: &'a str, sc: Option<&Scope<'a>>) -> Value<'a> {
        let mut cur = sc;
        while let Some(f) = cur {
            if let Some(v) = f.vars.borrow().get(name) {
                return v.clone();
            }
            cur = f.parent.as_ref();
        }
        if self.volatile.contains(name) {
            return Value::Unknown;
        }
        if let Some(v) = self.cache.borrow().get(name) {
            if self.decoded_names.borrow().contains(name) {
                self.decoded.set(true);
            }
            return v.clone();
        }
        if let Some(d) = self.decls.get(name).copied() {
            if !self.resolving.borrow_mut().insert(name) {
                return Value::Unknown;
            }
            let v = match d {
                GlobalDecl::Init(e) => self.ev(e, None),
                GlobalDecl::Func(f) => match &f.body {
                    Some(body) => Value::Func(Rc::new(Closure {
                        params: &f.params,
                        body: FnBody::Block(body),
                        env: None,
                    })),
                    None => Value::Unknown,
                },
            };
            self.resolving.borrow_mut().remove(name);
            // Cache even `Unknown` (a library's `var x = (function(){…})()` must be tried
            // once, not at every reference), unless it is unknown only for lack of fuel.
            if !v.is_unknown() || self.fuel.get() > 0 {
                self.cache.borrow_mut().insert(name, v.clone());
            }
            return v;
        }
        match name {
            "undefined" => Value::Undefined,
            "NaN" => Value::Num(f64::NAN),
            "Infinity" => Value::Num(f64::INFINITY),
            "window" | "self" | "globalThis" | "top" | "parent" => Value::Host("window"),
            "String" => Value::Host("String"),
            "Math" => Value::Host("Math"),
            "JSON" => Value::Host("JSON"),
            "Array" => Value::Host("Array"),
            "Number" => Value::Host("Number"),
            "atob" | "btoa" | "unescape" | "escape" | "decodeURIComponent" | "decodeURI"
            | "encodeURIComponent" | "encodeURI" | "parseInt" | "parseFloat" => {
                Value::Host(builtin_name(name))
            }
            // A browser object or function the script did not redefine: a value the
            // collector can recognise wherever it travels (`const f = fetch; f(u)`).
            n if web_api::is_browser_global(n) => Value::Api(n.into()),
            _ => Value::Unknown,
        }
    }

    fn assign_name(&self, name: &'a str, v: Value<'a>, sc: Option<&Scope<'a>>) {
        let mut cur = sc;
        while let Some(f) = cur {
            if let Some(slot) = f.vars.borrow_mut().get_mut(name) {
                *slot = v;
                return;
            }
            cur = f.parent.as_ref();
        }
        // Sloppy-mode assignment to an undeclared or global name: the global binding changes
        // (obfuscators' self-replacing accessors rely on this).
        self.cache.borrow_mut().insert(name, v);
    }

    fn ev_assign(&self, a: &'a AssignmentExpression<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        let rhs = self.ev(&a.right, sc);
        match &a.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                let name = id.name.as_str();
                let v = if a.operator == AssignmentOperator::Assign {
                    rhs
                } else {
                    let old = self.lookup(name, sc);
                    match binop_of(a.operator) {
                        Some(op) => self.binary(op, old, rhs),
                        None => Value::Unknown,
                    }
                };
                self.assign_name(name, v.clone(), sc);
                v
            }
            AssignmentTarget::ComputedMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                let key = self.ev(&m.expression, sc);
                self.set_member(&obj, &key, a.operator, rhs)
            }
            AssignmentTarget::StaticMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                let key = Value::str(m.property.name.as_str());
                self.set_member(&obj, &key, a.operator, rhs)
            }
            _ => Value::Unknown,
        }
    }

    fn set_member(
        &self,
        obj: &Value<'a>,
        key: &Value<'a>,
        op: AssignmentOperator,
        rhs: Value<'a>,
    ) -> Value<'a> {
        let v = if op == AssignmentOperator::Assign {
            rhs
        } else {
            let old = self.member(obj.clone(), key);
            match binop_of(op) {
                Some(b) => self.binary(b, old, rhs),
                None => Value::Unknown,
            }
        };
        match (obj, key) {
            (Value::Array(a), Value::Num(i)) if *i >= 0.0 && *i < 1e6 && *i == i.trunc() => {
                let i = *i as usize;
                let mut a = a.borrow_mut();
                if i >= a.len() {
                    a.resize(i + 1, Value::Undefined);
                }
                a[i] = v.clone();
            }
            (Value::Object(o), k) => {
                if let Some(k) = k.to_js_string() {
                    let mut o = o.borrow_mut();
                    match o.iter_mut().find(|(n, _)| **n == *k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => o.push((k.into(), v.clone())),
                    }
                }
            }
            _ => {}
        }
        v
    }

    fn binary(&self, op: BinaryOperator, l: Value<'a>, r: Value<'a>) -> Value<'a> {
        use BinaryOperator as B;
        match op {
            B::Addition => {
                let stringy = |v: &Value| {
                    matches!(
                        v,
                        Value::Str(_)
                            | Value::Prefix(_)
                            | Value::Holed(_)
                            | Value::Url(_)
                            | Value::Array(_)
                    )
                };
                if stringy(&l) || stringy(&r) {
                    if let Some(h) = holed_concat(&l, &r) {
                        // Building it costs what it copies, like any string.
                        if let Value::Holed(t) = &h
                            && !self.charge(t.len())
                        {
                            return Value::Unknown;
                        }
                        return h;
                    }
                    let ls = match &l {
                        Value::Prefix(p) => return Value::Prefix(p.clone()),
                        v => v.to_js_string(),
                    };
                    let Some(ls) = ls else { return Value::Unknown };
                    if !self.charge(ls.len()) {
                        return Value::Unknown;
                    }
                    match &r {
                        Value::Prefix(p) => cap(format!("{ls}{p}"), true),
                        v => match v.to_js_string() {
                            Some(rs) => cap(ls + &rs, false),
                            None => prefix_or_unknown(ls),
                        },
                    }
                } else {
                    match (l.to_number(), r.to_number()) {
                        (Some(a), Some(b)) => Value::Num(a + b),
                        _ => Value::Unknown,
                    }
                }
            }
            B::StrictEquality | B::Equality | B::StrictInequality | B::Inequality => {
                let eq = match (&l, &r) {
                    (Value::Str(a), Value::Str(b)) => Some(a == b),
                    (Value::Num(a), Value::Num(b)) => Some(a == b),
                    (Value::Bool(a), Value::Bool(b)) => Some(a == b),
                    (Value::Undefined | Value::Null, Value::Undefined | Value::Null) => Some(
                        matches!(op, B::Equality | B::Inequality)
                            || std::mem::discriminant(&l) == std::mem::discriminant(&r),
                    ),
                    (Value::Str(_), Value::Num(_)) | (Value::Num(_), Value::Str(_))
                        if matches!(op, B::Equality | B::Inequality) =>
                    {
                        match (l.to_number(), r.to_number()) {
                            (Some(a), Some(b)) => Some(a == b),
                            _ => None,
                        }
                    }
                    (Value::Unknown, _)
                    | (_, Value::Unknown)
                    | (Value::Prefix(_) | Value::Holed(_) | Value::Api(_), _)
                    | (_, Value::Prefix(_) | Value::Holed(_) | Value::Api(_)) => None,
                    _ if matches!(op, B::StrictEquality | B::StrictInequality) => Some(false),
                    _ => None,
                };
                match eq {
                    Some(e) => Value::Bool(if matches!(op, B::StrictEquality | B::Equality) {
                        e
                    } else {
                        !e
                    }),
                    None => Value::Unknown,
                }
            }
            B::LessThan | B::GreaterThan | B::LessEqualThan | B::GreaterEqualThan => {
                match (l.to_number(), r.to_number()) {
                    (Some(a), Some(b)) => Value::Bool(match op {
                        B::LessThan => a < b,
                        B::GreaterThan => a > b,
                        B::LessEqualThan => a <= b,
                        _ => a >= b,
                    }),
                    _ => Value::Unknown,
                }
            }
            _ => {
                let (Some(a), Some(b)) = (l.to_number(), r.to_number()) else {
                    return Value::Unknown;
                };
                Value::Num(match op {
                    B::Subtraction => a - b,
                    B::Multiplication => a * b,
                    B::Division => a / b,
                    B::Remainder => a % b,
                    B::Exponential => a.powf(b),
                    B::BitwiseOR => f64::from(to_i32(a) | to_i32(b)),
                    B::BitwiseAnd => f64::from(to_i32(a) & to_i32(b)),
                    B::BitwiseXOR => f64::from(to_i32(a) ^ to_i32(b)),
                    B::ShiftLeft => f64::from(to_i32(a).wrapping_shl(to_i32(b) as u32 & 31)),
                    B::ShiftRight => f64::from(to_i32(a).wrapping_shr(to_i32(b) as u32 & 31)),
                    B::ShiftRightZeroFill => {
                        f64::from((to_i32(a) as u32).wrapping_shr(to_i32(b) as u32 & 31))
                    }
                    _ => return Value::Unknown,
                })
            }
        }
    }

    /// Property read on a known value.
    fn member(&self, obj: Value<'a>, key: &Value<'a>) -> Value<'a> {
        match (&obj, key) {
            (Value::Array(a), Value::Num(i)) => {
                if *i >= 0.0 && *i == i.trunc() {
                    a.borrow()
                        .get(*i as usize)
                        .cloned()
                        .unwrap_or(Value::Undefined)
                } else {
                    Value::Undefined
                }
            }
            (Value::Array(a), Value::Str(k)) => match &**k {
                "length" => Value::Num(a.borrow().len() as f64),
                _ => match k.parse::<usize>() {
                    Ok(i) => a.borrow().get(i).cloned().unwrap_or(Value::Undefined),
                    Err(_) => Value::Unknown,
                },
            },
            (Value::Str(s), Value::Str(k)) if &**k == "length" => {
                Value::Num(s.encode_utf16().count() as f64)
            }
            (Value::Str(s), Value::Num(i)) => {
                if *i >= 0.0 && *i == i.trunc() {
                    utf16_at(s, *i as usize)
                        .map(|c| Value::str(c.to_string()))
                        .unwrap_or(Value::Undefined)
                } else {
                    Value::Undefined
                }
            }
            (Value::Object(o), k) => match k.to_js_string() {
                Some(k) => o
                    .borrow()
                    .iter()
                    .find(|(n, _)| **n == *k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Unknown),
                None => Value::Unknown,
            },
            (Value::Host("String"), Value::Str(k)) if &**k == "fromCharCode" => {
                Value::Host("fromCharCode")
            }
            // `f.constructor` of any function is `Function` (the classic way to reach it
            // without naming it).
            (Value::Func(_) | Value::Host(_), Value::Str(k)) if &**k == "constructor" => {
                Value::Host("Function")
            }
            (Value::Host("window"), Value::Str(k)) => match self.lookup_host_global(k) {
                Some(v) => v,
                None => Value::Unknown,
            },
            (Value::Url(href), Value::Str(k)) => url_part(href, k),
            // `navigator.sendBeacon`, `XMLHttpRequest.prototype.open`: a path into the
            // browser's objects, short enough to name an API.
            (Value::Api(p), Value::Str(k)) if p.matches('.').count() < 4 && !k.is_empty() => {
                Value::Api(format!("{p}.{k}").into())
            }
            _ => Value::Unknown,
        }
    }

    fn lookup_host_global(&self, k: &str) -> Option<Value<'a>> {
        Some(match k {
            "String" => Value::Host("String"),
            "Math" => Value::Host("Math"),
            "JSON" => Value::Host("JSON"),
            "Array" => Value::Host("Array"),
            "atob" | "btoa" | "unescape" | "escape" | "decodeURIComponent" | "decodeURI"
            | "encodeURIComponent" | "encodeURI" | "parseInt" | "parseFloat" => {
                Value::Host(builtin_name(k))
            }
            _ => {
                // `window.foo` / `window['foo']` where foo is a global binding of the script.
                if let Some(name) = self.decls.get_key_value(k).map(|(n, _)| *n) {
                    return Some(self.lookup(name, None));
                }
                if web_api::is_browser_global(k) {
                    return Some(Value::Api(k.into()));
                }
                return None;
            }
        })
    }

    // ---- calls --------------------------------------------------------------------------

    fn ev_call(&self, c: &'a CallExpression<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        if let Some(v) = self.entity_text(c, sc) {
            return v;
        }
        let callee = c.callee.without_parentheses();
        match callee {
            Expression::StaticMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                let args = self.args(&c.arguments, sc);
                self.call_method(obj, m.property.name.as_str(), args)
            }
            Expression::ComputedMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                let key = self.ev(&m.expression, sc);
                let Some(name) = key.as_str().map(str::to_string) else {
                    return Value::Unknown;
                };
                let args = self.args(&c.arguments, sc);
                self.call_method(obj, &name, args)
            }
            _ => {
                let f = self.ev(callee, sc);
                let args = self.args(&c.arguments, sc);
                self.call_value(f, args)
            }
        }
    }

    /// `$('<div/>').html(s).text()`: the browser parses `s` as HTML and reads back its text,
    /// so the value is `s` with its character references decoded (a URL hidden as entities).
    fn entity_text(&self, c: &'a CallExpression<'a>, sc: Option<&Scope<'a>>) -> Option<Value<'a>> {
        let name = |callee: &'a Expression<'a>| match callee.without_parentheses() {
            Expression::StaticMemberExpression(m) => Some((m.property.name.to_string(), &m.object)),
            Expression::ComputedMemberExpression(m) => self
                .ev(&m.expression, sc)
                .as_str()
                .map(|k| (k.to_string(), &m.object)),
            _ => None,
        };
        if !c.arguments.is_empty() {
            return None;
        }
        let (text, obj) = name(&c.callee)?;
        let Expression::CallExpression(inner) = obj.without_parentheses() else {
            return None;
        };
        if text != "text" || inner.arguments.len() != 1 {
            return None;
        }
        let (html, _) = name(&inner.callee)?;
        let arg = inner.arguments[0].as_expression()?;
        if html != "html" {
            return None;
        }
        let s = self.ev(arg, sc);
        let s = s.as_str().filter(|s| s.contains('&') && s.contains(';'))?;
        self.decoded.set(true);
        Some(Value::str(
            html_escape::decode_html_entities(s).into_owned(),
        ))
    }

    fn call_value(&self, f: Value<'a>, args: Vec<Value<'a>>) -> Value<'a> {
        match f {
            Value::Func(cl) => self.call_closure(&cl, args),
            Value::Host(name) => self.call_global(name, &args),
            _ => Value::Unknown,
        }
    }

    pub fn call_closure(&self, cl: &Rc<Closure<'a>>, args: Vec<Value<'a>>) -> Value<'a> {
        if self.calls.get() >= MAX_CALL_DEPTH {
            return Value::Unknown;
        }
        let frame = Rc::new(Frame {
            vars: RefCell::default(),
            parent: cl.env.clone(),
        });
        {
            let mut vars = frame.vars.borrow_mut();
            for (i, p) in cl.params.items.iter().enumerate() {
                match p.pattern.get_identifier_name() {
                    Some(n) => {
                        let v = args.get(i).cloned().unwrap_or(Value::Undefined);
                        let v = match (&v, &p.initializer) {
                            (Value::Undefined, Some(init)) => self.ev(init, None),
                            _ => v,
                        };
                        vars.insert(n.as_str(), v);
                    }
                    None => return Value::Unknown,
                }
            }
            vars.insert("arguments", Value::Array(Rc::new(RefCell::new(args))));
        }
        self.calls.set(self.calls.get() + 1);
        let r = match cl.body {
            FnBody::Expr(e) => self.ev(e, Some(&frame)),
            FnBody::Block(b) => {
                self.hoist(&b.statements, &frame);
                match self.exec_block(&b.statements, &frame) {
                    Flow::Return(v) => v,
                    Flow::Normal => Value::Undefined,
                    _ => Value::Unknown,
                }
            }
        };
        self.calls.set(self.calls.get() - 1);
        r
    }

    fn hoist(&self, stmts: &'a [Statement<'a>], frame: &Scope<'a>) {
        for s in stmts {
            if let Statement::FunctionDeclaration(f) = s
                && let (Some(id), Some(body)) = (&f.id, &f.body)
            {
                let cl = Closure {
                    params: &f.params,
                    body: FnBody::Block(body),
                    env: Some(frame.clone()),
                };
                frame
                    .vars
                    .borrow_mut()
                    .insert(id.name.as_str(), Value::Func(Rc::new(cl)));
            }
            if let Statement::VariableDeclaration(d) = s {
                for decl in &d.declarations {
                    if let Some(n) = decl.id.get_identifier_name() {
                        frame
                            .vars
                            .borrow_mut()
                            .entry(n.as_str())
                            .or_insert(Value::Undefined);
                    }
                }
            }
        }
    }

    fn exec_block(&self, stmts: &'a [Statement<'a>], sc: &Scope<'a>) -> Flow<'a> {
        for s in stmts {
            match self.exec(s, sc) {
                Flow::Normal => {}
                other => return other,
            }
        }
        Flow::Normal
    }

    fn exec(&self, s: &'a Statement<'a>, sc: &Scope<'a>) -> Flow<'a> {
        if !self.step() {
            return Flow::Abort;
        }
        match s {
            Statement::ExpressionStatement(e) => {
                self.ev(&e.expression, Some(sc));
                Flow::Normal
            }
            Statement::VariableDeclaration(d) => {
                for decl in &d.declarations {
                    let Some(n) = decl.id.get_identifier_name() else {
                        return Flow::Abort;
                    };
                    let v = match &decl.init {
                        Some(init) => self.ev(init, Some(sc)),
                        None => {
                            if sc.vars.borrow().contains_key(n.as_str()) {
                                continue;
                            }
                            Value::Undefined
                        }
                    };
                    sc.vars.borrow_mut().insert(n.as_str(), v);
                }
                Flow::Normal
            }
            Statement::ReturnStatement(r) => Flow::Return(match &r.argument {
                Some(a) => self.ev(a, Some(sc)),
                None => Value::Undefined,
            }),
            Statement::IfStatement(i) => match self.ev(&i.test, Some(sc)).truthy() {
                Some(true) => self.exec(&i.consequent, sc),
                Some(false) => match &i.alternate {
                    Some(a) => self.exec(a, sc),
                    None => Flow::Normal,
                },
                None => Flow::Abort,
            },
            Statement::BlockStatement(b) => self.exec_block(&b.body, sc),
            Statement::EmptyStatement(_) | Statement::DebuggerStatement(_) => Flow::Normal,
            Statement::FunctionDeclaration(_) => Flow::Normal,
            Statement::BreakStatement(b) if b.label.is_none() => Flow::Break,
            Statement::ContinueStatement(c) if c.label.is_none() => Flow::Continue,
            Statement::WhileStatement(w) => loop {
                match self.ev(&w.test, Some(sc)).truthy() {
                    Some(true) => {}
                    Some(false) => return Flow::Normal,
                    None => return Flow::Abort,
                }
                match self.exec(&w.body, sc) {
                    Flow::Normal | Flow::Continue => {}
                    Flow::Break => return Flow::Normal,
                    other => return other,
                }
            },
            Statement::DoWhileStatement(w) => loop {
                match self.exec(&w.body, sc) {
                    Flow::Normal | Flow::Continue => {}
                    Flow::Break => return Flow::Normal,
                    other => return other,
                }
                match self.ev(&w.test, Some(sc)).truthy() {
                    Some(true) => {}
                    Some(false) => return Flow::Normal,
                    None => return Flow::Abort,
                }
            },
            Statement::ForStatement(f) => {
                match &f.init {
                    Some(ForStatementInit::VariableDeclaration(d)) => {
                        for decl in &d.declarations {
                            let Some(n) = decl.id.get_identifier_name() else {
                                return Flow::Abort;
                            };
                            let v = decl
                                .init
                                .as_ref()
                                .map_or(Value::Undefined, |e| self.ev(e, Some(sc)));
                            sc.vars.borrow_mut().insert(n.as_str(), v);
                        }
                    }
                    Some(other) => {
                        if let Some(e) = other.as_expression() {
                            self.ev(e, Some(sc));
                        }
                    }
                    None => {}
                }
                loop {
                    if let Some(t) = &f.test {
                        match self.ev(t, Some(sc)).truthy() {
                            Some(true) => {}
                            Some(false) => return Flow::Normal,
                            None => return Flow::Abort,
                        }
                    }
                    match self.exec(&f.body, sc) {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => return Flow::Normal,
                        other => return other,
                    }
                    if let Some(u) = &f.update {
                        self.ev(u, Some(sc));
                    }
                    if self.fuel.get() == 0 {
                        return Flow::Abort;
                    }
                }
            }
            Statement::TryStatement(t) => {
                let r = self.exec_block(&t.block.body, sc);
                match (r, &t.handler) {
                    (Flow::Abort, Some(h)) => {
                        if self.fuel.get() == 0 {
                            return Flow::Abort;
                        }
                        if let Some(p) = &h.param
                            && let Some(n) = p.pattern.get_identifier_name()
                        {
                            sc.vars.borrow_mut().insert(n.as_str(), Value::Unknown);
                        }
                        self.exec_block(&h.body.body, sc)
                    }
                    (r, _) => r,
                }
            }
            _ => Flow::Abort,
        }
    }

    // ---- built-ins ----------------------------------------------------------------------

    fn call_global(&self, name: &str, args: &[Value<'a>]) -> Value<'a> {
        let s0 = args.first().and_then(Value::to_js_string);
        match name {
            "atob" => match s0.and_then(|s| atob(&s)) {
                Some(v) => {
                    self.decoded.set(true);
                    Value::str(v)
                }
                None => Value::Unknown,
            },
            "btoa" => match s0 {
                Some(s) if s.chars().all(|c| (c as u32) < 256) => {
                    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
                    Value::str(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
                _ => Value::Unknown,
            },
            "unescape" => match s0 {
                Some(s) => {
                    self.decoded.set(true);
                    Value::str(unescape(&s))
                }
                None => Value::Unknown,
            },
            "decodeURIComponent" | "decodeURI" => match s0.and_then(|s| percent_decode(&s)) {
                Some(s) => {
                    self.decoded.set(true);
                    Value::str(s)
                }
                None => Value::Unknown,
            },
            "encodeURIComponent" | "encodeURI" | "escape" => match &args.first() {
                Some(Value::Str(s)) => Value::str(percent_encode(s)),
                Some(Value::Prefix(s)) => Value::Prefix(percent_encode(s).into()),
                _ => Value::Unknown,
            },
            "parseInt" => {
                let radix = args.get(1).and_then(Value::to_number).map(|r| r as u32);
                match s0 {
                    Some(s) => Value::Num(parse_int(&s, radix)),
                    None => Value::Unknown,
                }
            }
            "parseFloat" => match s0 {
                Some(s) => Value::Num(s.trim().parse::<f64>().unwrap_or(f64::NAN)),
                None => Value::Unknown,
            },
            "String" => match args.first() {
                None => Value::str(""),
                Some(v) => v.to_js_string().map(Value::str).unwrap_or(Value::Unknown),
            },
            "Number" => args
                .first()
                .and_then(Value::to_number)
                .map(Value::Num)
                .unwrap_or(Value::Unknown),
            "fromCharCode" => {
                self.call_method(Value::Host("String"), "fromCharCode", args.to_vec())
            }
            _ => Value::Unknown,
        }
    }

    fn call_method(&self, obj: Value<'a>, name: &str, args: Vec<Value<'a>>) -> Value<'a> {
        match obj {
            Value::Host("String") if name == "fromCharCode" => {
                let mut out = String::with_capacity(args.len());
                let mut units = Vec::with_capacity(args.len());
                for a in &args {
                    match a.to_number() {
                        Some(n) => units.push(to_i32(n) as u16),
                        None => return Value::Unknown,
                    }
                }
                out.push_str(&String::from_utf16_lossy(&units));
                self.decoded.set(true);
                Value::str(out)
            }
            Value::Host("window") => match self.lookup_host_global(name) {
                Some(f) => self.call_value(f, args),
                None => Value::Unknown,
            },
            Value::Host("Math") => {
                let n: Vec<f64> = args.iter().filter_map(Value::to_number).collect();
                let a = n.first().copied();
                match (name, a) {
                    ("floor", Some(a)) => Value::Num(a.floor()),
                    ("ceil", Some(a)) => Value::Num(a.ceil()),
                    ("round", Some(a)) => Value::Num((a + 0.5).floor()),
                    ("abs", Some(a)) => Value::Num(a.abs()),
                    ("pow", Some(a)) => Value::Num(a.powf(n.get(1).copied().unwrap_or(f64::NAN))),
                    ("max", _) if n.len() == args.len() => {
                        Value::Num(n.iter().copied().fold(f64::NEG_INFINITY, f64::max))
                    }
                    ("min", _) if n.len() == args.len() => {
                        Value::Num(n.iter().copied().fold(f64::INFINITY, f64::min))
                    }
                    _ => Value::Unknown,
                }
            }
            Value::Host("JSON") if name == "parse" => Value::Unknown,
            // `f.bind(x)` is still f for what it reaches (its receiver is the collector's
            // business); `Reflect.apply(f, t, args)` calls f.
            Value::Api(p) if name == "bind" => Value::Api(p),
            Value::Func(cl) if name == "bind" => Value::Func(cl),
            Value::Api(p) if &*p == "Reflect" && name == "apply" => {
                let f = args.first().cloned().unwrap_or(Value::Unknown);
                let rest = match args.get(2) {
                    Some(Value::Array(a)) => a.borrow().clone(),
                    _ => Vec::new(),
                };
                self.call_value(f, rest)
            }
            Value::Url(h) if matches!(name, "toString" | "toJSON") => Value::Str(h),
            Value::Host(h) if name == "call" || name == "apply" => {
                let rest = if name == "call" {
                    args.into_iter().skip(1).collect::<Vec<_>>()
                } else {
                    match args.get(1) {
                        Some(Value::Array(a)) => a.borrow().clone(),
                        _ => Vec::new(),
                    }
                };
                self.call_global(h, &rest)
            }
            Value::Func(cl) => match name {
                "call" => self.call_closure(&cl, args.into_iter().skip(1).collect()),
                "apply" => match args.get(1) {
                    Some(Value::Array(a)) => {
                        let a = a.borrow().clone();
                        self.call_closure(&cl, a)
                    }
                    _ => self.call_closure(&cl, Vec::new()),
                },
                _ => Value::Unknown,
            },
            Value::Str(s) => self.string_method(&s, name, &args),
            Value::Prefix(s) => match name {
                // Case changes keep a prefix; anything else loses it.
                "toLowerCase" => Value::Prefix(s.to_lowercase().into()),
                "toUpperCase" => Value::Prefix(s.to_uppercase().into()),
                "concat" => Value::Prefix(s),
                _ => Value::Unknown,
            },
            Value::Num(n) => match name {
                "toString" => {
                    let radix = args
                        .first()
                        .and_then(Value::to_number)
                        .map_or(10, |r| r as u32);
                    num_to_radix(n, radix)
                        .map(Value::str)
                        .unwrap_or(Value::Unknown)
                }
                _ => Value::Unknown,
            },
            Value::Array(a) => self.array_method(&a, name, args),
            Value::Regex(p, f) if name == "test" => match args.first().and_then(Value::as_str) {
                Some(s) => match js_regex(&p, &f) {
                    Some(re) => Value::Bool(re.is_match(s)),
                    None => Value::Unknown,
                },
                None => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    fn string_method(&self, s: &Rc<str>, name: &str, args: &[Value<'a>]) -> Value<'a> {
        let num = |i: usize| args.get(i).and_then(Value::to_number);
        let str_arg = |i: usize| args.get(i).and_then(Value::to_js_string);
        match name {
            "charCodeAt" => {
                let i = num(0).unwrap_or(0.0);
                match s.encode_utf16().nth(i.max(0.0) as usize) {
                    Some(u) => Value::Num(f64::from(u)),
                    None => Value::Num(f64::NAN),
                }
            }
            "charAt" => {
                let i = num(0).unwrap_or(0.0).max(0.0) as usize;
                Value::str(utf16_at(s, i).map(|c| c.to_string()).unwrap_or_default())
            }
            "toLowerCase" => Value::str(s.to_lowercase()),
            "toUpperCase" => Value::str(s.to_uppercase()),
            "trim" => Value::str(s.trim()),
            "toString" | "valueOf" => Value::Str(s.clone()),
            "concat" => {
                let mut out = s.to_string();
                for a in args {
                    match a {
                        Value::Prefix(p) => return cap(out + p, true),
                        a => match a.to_js_string() {
                            Some(x) => out.push_str(&x),
                            None => return prefix_or_unknown(out),
                        },
                    }
                }
                cap(out, false)
            }
            "indexOf" => match str_arg(0) {
                Some(n) => Value::Num(match s.find(&n) {
                    Some(b) => s[..b].encode_utf16().count() as f64,
                    None => -1.0,
                }),
                None => Value::Unknown,
            },
            "split" => {
                let parts: Vec<Value<'a>> = match args.first() {
                    None | Some(Value::Undefined) => vec![Value::Str(s.clone())],
                    Some(Value::Str(sep)) if sep.is_empty() => {
                        s.chars().map(|c| Value::str(c.to_string())).collect()
                    }
                    Some(Value::Str(sep)) => s.split(&**sep).map(Value::str).collect(),
                    Some(Value::Regex(p, f)) => match js_regex(p, f) {
                        Some(re) => re.split(s).map(Value::str).collect(),
                        None => return Value::Unknown,
                    },
                    _ => return Value::Unknown,
                };
                Value::Array(Rc::new(RefCell::new(parts)))
            }
            "slice" | "substring" | "substr" => {
                let units: Vec<u16> = s.encode_utf16().collect();
                let len = units.len() as f64;
                let a = num(0).unwrap_or(0.0);
                let (start, end) = match name {
                    "slice" => {
                        let st = if a < 0.0 {
                            (len + a).max(0.0)
                        } else {
                            a.min(len)
                        };
                        let e = num(1).unwrap_or(len);
                        let en = if e < 0.0 {
                            (len + e).max(0.0)
                        } else {
                            e.min(len)
                        };
                        (st, en)
                    }
                    "substring" => {
                        let e = num(1).unwrap_or(len).clamp(0.0, len);
                        let st = a.clamp(0.0, len);
                        (st.min(e), st.max(e))
                    }
                    _ => {
                        let st = if a < 0.0 {
                            (len + a).max(0.0)
                        } else {
                            a.min(len)
                        };
                        let l = num(1).unwrap_or(len - st).max(0.0);
                        (st, (st + l).min(len))
                    }
                };
                if start.is_nan() || end.is_nan() || start >= end {
                    return Value::str("");
                }
                Value::str(String::from_utf16_lossy(
                    &units[start as usize..end as usize],
                ))
            }
            "replace" | "replaceAll" => self.replace(s, args, name == "replaceAll"),
            "repeat" => match num(0) {
                Some(n) if n >= 0.0 && (n as usize).saturating_mul(s.len()) <= MAX_STRING => {
                    Value::str(s.repeat(n as usize))
                }
                _ => Value::Unknown,
            },
            "search" | "match" | "includes" | "startsWith" | "endsWith" => Value::Unknown,
            _ => Value::Unknown,
        }
    }

    fn replace(&self, s: &str, args: &[Value<'a>], all: bool) -> Value<'a> {
        let (Some(pat), Some(rep)) = (args.first(), args.get(1)) else {
            return Value::Unknown;
        };
        let (re, global) = match pat {
            Value::Str(p) => (regex::Regex::new(&regex::escape(p)).ok(), all),
            Value::Regex(p, f) => (js_regex(p, f), f.contains('g')),
            _ => return Value::Unknown,
        };
        let Some(re) = re else { return Value::Unknown };
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for caps in re.captures_iter(s) {
            let Some(m) = caps.get(0) else { continue };
            out.push_str(&s[last..m.start()]);
            match rep {
                Value::Func(cl) => {
                    self.decoded.set(true);
                    let mut cargs: Vec<Value<'a>> = Vec::with_capacity(caps.len() + 2);
                    for g in caps.iter() {
                        cargs.push(g.map_or(Value::Undefined, |g| Value::str(g.as_str())));
                    }
                    cargs.push(Value::Num(m.start() as f64));
                    cargs.push(Value::str(s));
                    match self.call_closure(cl, cargs).to_js_string() {
                        Some(r) => out.push_str(&r),
                        None => return Value::Unknown,
                    }
                    if self.fuel.get() == 0 {
                        return Value::Unknown;
                    }
                }
                other => match other.to_js_string() {
                    Some(r) => {
                        // `$1`-style references are rare in decoders; `$&` is the match.
                        out.push_str(&r.replace("$&", m.as_str()));
                    }
                    None => return Value::Unknown,
                },
            }
            last = m.end();
            if out.len() > MAX_STRING {
                return Value::Unknown;
            }
            if !global {
                break;
            }
        }
        out.push_str(&s[last..]);
        if !self.charge(out.len()) {
            return Value::Unknown;
        }
        Value::str(out)
    }

    fn array_method(
        &self,
        a: &Rc<RefCell<Vec<Value<'a>>>>,
        name: &str,
        args: Vec<Value<'a>>,
    ) -> Value<'a> {
        match name {
            "join" => {
                let sep = match args.first() {
                    None | Some(Value::Undefined) => ",".to_string(),
                    Some(v) => match v.to_js_string() {
                        Some(s) => s,
                        None => return Value::Unknown,
                    },
                };
                let items = a.borrow();
                let mut out = String::new();
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&sep);
                    }
                    match v {
                        Value::Undefined | Value::Null => {}
                        v => match v.to_js_string() {
                            Some(s) => out.push_str(&s),
                            None => return Value::Unknown,
                        },
                    }
                    if out.len() > MAX_STRING {
                        return Value::Unknown;
                    }
                }
                if !self.charge(out.len()) {
                    return Value::Unknown;
                }
                Value::str(out)
            }
            "reverse" => {
                a.borrow_mut().reverse();
                self.decoded.set(true);
                Value::Array(a.clone())
            }
            "push" => {
                let mut v = a.borrow_mut();
                v.extend(args);
                Value::Num(v.len() as f64)
            }
            "unshift" => {
                let mut v = a.borrow_mut();
                for (i, x) in args.into_iter().enumerate() {
                    v.insert(i, x);
                }
                Value::Num(v.len() as f64)
            }
            "shift" => {
                let mut v = a.borrow_mut();
                if v.is_empty() {
                    Value::Undefined
                } else {
                    v.remove(0)
                }
            }
            "pop" => a.borrow_mut().pop().unwrap_or(Value::Undefined),
            "slice" => {
                let v = a.borrow();
                let len = v.len() as f64;
                let s = args.first().and_then(Value::to_number).unwrap_or(0.0);
                let e = args.get(1).and_then(Value::to_number).unwrap_or(len);
                let s = if s < 0.0 {
                    (len + s).max(0.0)
                } else {
                    s.min(len)
                } as usize;
                let e = if e < 0.0 {
                    (len + e).max(0.0)
                } else {
                    e.min(len)
                } as usize;
                let out = if s < e { v[s..e].to_vec() } else { Vec::new() };
                Value::Array(Rc::new(RefCell::new(out)))
            }
            "concat" => {
                let mut out = a.borrow().clone();
                for x in args {
                    match x {
                        Value::Array(b) => out.extend(b.borrow().iter().cloned()),
                        x => out.push(x),
                    }
                }
                Value::Array(Rc::new(RefCell::new(out)))
            }
            "map" => {
                let Some(Value::Func(cl)) = args.first() else {
                    return Value::Unknown;
                };
                let items = a.borrow().clone();
                let mut out = Vec::with_capacity(items.len());
                for (i, x) in items.into_iter().enumerate() {
                    out.push(self.call_closure(cl, vec![x, Value::Num(i as f64)]));
                    if self.fuel.get() == 0 {
                        return Value::Unknown;
                    }
                }
                self.decoded.set(true);
                Value::Array(Rc::new(RefCell::new(out)))
            }
            "indexOf" => match args.first().and_then(Value::as_str) {
                Some(n) => Value::Num(
                    a.borrow()
                        .iter()
                        .position(|x| x.as_str() == Some(n))
                        .map_or(-1.0, |p| p as f64),
                ),
                None => Value::Unknown,
            },
            "toString" => Value::Array(a.clone())
                .to_js_string()
                .map(Value::str)
                .unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        }
    }
}

fn builtin_name(n: &str) -> &'static str {
    match n {
        "atob" => "atob",
        "btoa" => "btoa",
        "unescape" => "unescape",
        "escape" => "escape",
        "decodeURIComponent" => "decodeURIComponent",
        "decodeURI" => "decodeURI",
        "encodeURIComponent" => "encodeURIComponent",
        "encodeURI" => "encodeURI",
        "parseInt" => "parseInt",
        _ => "parseFloat",
    }
}

fn binop_of(op: AssignmentOperator) -> Option<BinaryOperator> {
    use AssignmentOperator as A;
    use BinaryOperator as B;
    Some(match op {
        A::Addition => B::Addition,
        A::Subtraction => B::Subtraction,
        A::Multiplication => B::Multiplication,
        A::Division => B::Division,
        A::Remainder => B::Remainder,
        A::BitwiseOR => B::BitwiseOR,
        A::BitwiseAnd => B::BitwiseAnd,
        A::BitwiseXOR => B::BitwiseXOR,
        A::ShiftLeft => B::ShiftLeft,
        A::ShiftRight => B::ShiftRight,
        A::ShiftRightZeroFill => B::ShiftRightZeroFill,
        _ => return None,
    })
}

fn cap<'a>(s: String, prefix: bool) -> Value<'a> {
    if s.len() > MAX_STRING {
        Value::Unknown
    } else if prefix {
        Value::Prefix(s.into())
    } else {
        Value::str(s)
    }
}

fn prefix_or_unknown<'a>(s: String) -> Value<'a> {
    if s.is_empty() {
        Value::Unknown
    } else {
        cap(s, true)
    }
}

fn utf16_at(s: &str, i: usize) -> Option<char> {
    let u = s.encode_utf16().nth(i)?;
    Some(char::from_u32(u32::from(u)).unwrap_or('\u{fffd}'))
}

/// Translate a JavaScript regular expression to the `regex` crate where the syntax agrees.
pub fn js_regex(pattern: &str, flags: &str) -> Option<regex::Regex> {
    let mut p = String::new();
    if flags.contains('i') {
        p.push_str("(?i)");
    }
    if flags.contains('s') {
        p.push_str("(?s)");
    }
    if flags.contains('m') {
        p.push_str("(?m)");
    }
    p.push_str(pattern);
    regex::RegexBuilder::new(&p)
        .size_limit(1 << 20)
        .build()
        .ok()
}

/// `atob`: forgiving Base64 to a Latin-1 string.
pub fn atob(s: &str) -> Option<String> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let trimmed = clean.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .ok()?;
    Some(bytes.into_iter().map(char::from).collect())
}

/// `unescape`: `%XX` and `%uXXXX`.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if b.get(i + 1) == Some(&b'u')
                && let Some(h) = s.get(i + 2..i + 6)
                && let Ok(v) = u32::from_str_radix(h, 16)
            {
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                i += 6;
                continue;
            }
            if let Some(h) = s.get(i + 1..i + 3)
                && let Ok(v) = u8::from_str_radix(h, 16)
            {
                out.push(char::from(v));
                i += 3;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

/// `decodeURIComponent`: percent-decoding into UTF-8 (None where the browser would throw).
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&c) {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// A short, printable form of a value for evidence.
pub fn show(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Prefix(s) => Some(format!("{s}…")),
        Value::Num(n) => Some(num_to_string(*n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders_match_javascript() {
        assert_eq!(
            atob("aHR0cHM6Ly9ldmlsLmV4YW1wbGU=").as_deref(),
            Some("https://evil.example")
        );
        assert_eq!(unescape("%68%74%u0074p"), "http");
        assert_eq!(percent_decode("a%2Fb").as_deref(), Some("a/b"));
        assert!(percent_decode("%E0%A4%A").is_none());
        assert_eq!(parse_int("0x1f", None), 31.0);
        assert_eq!(parse_int("12px", None), 12.0);
        assert!(parse_int("abc", None).is_nan());
    }
}
