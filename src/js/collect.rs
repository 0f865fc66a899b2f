//! The fact collector: one walk over a script's syntax tree that records sources, sinks,
//! loads, hidden code, markers and the data-flow edges between variables. Names resolve
//! through a stack of function scopes (parameters, `var`/`let`/`const` and function
//! declarations, hoisted per body), falling back to one global symbol per name, which decoded
//! code (`eval`) shares with the code around it.
//!
//! Constant values (URLs, selectors, `eval` arguments) come from the evaluator
//! ([`super::interp`]); decoded code is parsed and walked by a nested collector whose facts
//! are reported at the outer call's position.

use super::budget::{self, Deadline};
use super::constants::Constants;
use super::facts::{
    Facts, HiddenRun, Injection, Load, MarkerHit, Offset, Send, Sink, SourceRead, UrlText, snippet,
};
use super::flow::{Deps, SRC_HARVEST, SRC_KEYSTROKE, SRC_PAYMENT, Sym};
use super::interp::Interp;
use super::markup;
use super::value::Value;
use super::vocabulary::{Vocabulary, is_harvest_selector};
use crate::rules::schema::{Channel, Marker, SourceKind};
use oxc_allocator::Allocator;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, SourceType, Span};
use oxc_syntax::operator::BinaryOperator;
use oxc_syntax::scope::ScopeFlags;
use std::collections::{HashMap, HashSet};

use super::flow::FxBuild;

/// Decoded code nested in decoded code, at most this deep.
const MAX_HIDDEN_DEPTH: u32 = 4;
/// Total decoded code analysed per script.
const MAX_HIDDEN_BYTES: usize = 8 << 20;
/// Walk steps between two clock checks.
const CLOCK_EVERY: u64 = 1 << 12;

/// Names that never carry data from one statement to another for our purposes: writing to
/// `document.title` must not make every later `document.getElementById(…)` "tainted".
fn untainted(name: &str) -> bool {
    matches!(
        name,
        "window"
            | "self"
            | "top"
            | "parent"
            | "globalThis"
            | "document"
            | "navigator"
            | "location"
            | "Math"
            | "JSON"
            | "String"
            | "Object"
            | "Array"
            | "Number"
            | "Boolean"
            | "console"
            | "undefined"
            | "Date"
            | "RegExp"
            | "Promise"
            | "Symbol"
            | "Error"
            | "jQuery"
            | "$"
            | "XMLHttpRequest"
            | "Image"
            | "WebSocket"
            | "parseInt"
            | "parseFloat"
            | "encodeURIComponent"
            | "decodeURIComponent"
            | "encodeURI"
            | "escape"
            | "unescape"
            | "btoa"
            | "atob"
            | "setTimeout"
            | "setInterval"
            | "clearTimeout"
            | "clearInterval"
            | "localStorage"
            | "sessionStorage"
            | "fetch"
            | "Function"
            | "eval"
            | "arguments"
            | "require"
            | "define"
            | "module"
            | "exports"
    )
}

const SELECTOR_METHODS: &[&str] = &[
    "getElementById",
    "getElementsByName",
    "getElementsByClassName",
    "getElementsByTagName",
    "querySelector",
    "querySelectorAll",
    "find",
    "closest",
    "namedItem",
    "children",
    "filter",
];
const KEY_EVENTS: &[&str] = &[
    "keydown", "keyup", "keypress", "input", "change", "blur", "paste", "focusout",
];
const CHECKOUT_WORDS: &[&str] = &["onepage", "checkout", "onestep", "firecheckout", "/payment"];
const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "HEAD", "DELETE", "OPTIONS"];

pub struct Ctx<'k> {
    pub vocab: &'k Vocabulary,
    pub deadline: Deadline,
}

struct FnCtx {
    ret: Sym,
    gated: bool,
}

pub struct Collector<'a, 'f, 'k> {
    src: &'a str,
    interp: &'f Interp<'a>,
    facts: &'f mut Facts,
    k: &'f Ctx<'k>,
    /// Offset of `src` in the original script (fallback chunks).
    base: u32,
    /// Decoded code reports every fact at the outer call's offset.
    at_override: Option<Offset>,
    hidden_ctx: bool,
    hidden_depth: u32,
    hidden_bytes: usize,
    scopes: Vec<HashMap<&'a str, Sym, FxBuild>>,
    fn_stack: Vec<FnCtx>,
    pending_params: HashMap<u32, Deps>,
    pending_binding: HashMap<u32, Sym>,
    /// Names of the methods the script defines (see `method_sym`).
    methods: HashSet<String>,
    /// Constant strings an iteration callback's first parameter takes
    /// (`['#cc-number', '#cvv'].map(s => …)`), by the callback's start, then by its symbol.
    pending_param_texts: HashMap<u32, (usize, Vec<String>)>,
    param_texts: HashMap<Sym, Vec<String>>,
    /// Return symbols of callbacks whose result is the call's value (`a.map(cb)`), by start.
    callback_ret: HashMap<u32, Sym>,
    /// What `this` stands for in the methods of the object literal or class being walked.
    /// Each with the function depth at the object or class: `this` means it only in
    /// functions defined inside (`{ body: this.x }` keeps the enclosing `this`).
    this_syms: Vec<(Sym, usize)>,
    /// The object literal `this` stands for (None in a class), parallel to `this_syms`.
    this_objs: Vec<Option<&'a ObjectExpression<'a>>>,
    handles: HashMap<u32, Sym>,
    script_elems: HashSet<Sym>,
    gate: u32,
    nodes: u64,
    pub stopped: bool,
    escapes: usize,
    literal_bytes: usize,
    /// Vocabulary answers for names in the source (property names repeat endlessly).
    vocab_memo: HashMap<&'a str, bool, FxBuild>,
    first_escape: Option<Offset>,
}

impl<'a, 'f, 'k> Collector<'a, 'f, 'k> {
    pub fn new(
        src: &'a str,
        interp: &'f Interp<'a>,
        facts: &'f mut Facts,
        k: &'f Ctx<'k>,
        base: u32,
    ) -> Self {
        Collector {
            src,
            interp,
            facts,
            k,
            base,
            at_override: None,
            hidden_ctx: false,
            hidden_depth: 0,
            hidden_bytes: 0,
            scopes: Vec::new(),
            fn_stack: Vec::new(),
            pending_params: HashMap::new(),
            pending_binding: HashMap::new(),
            methods: HashSet::new(),
            pending_param_texts: HashMap::new(),
            param_texts: HashMap::new(),
            callback_ret: HashMap::new(),
            this_syms: Vec::new(),
            this_objs: Vec::new(),
            handles: HashMap::new(),
            script_elems: HashSet::new(),
            gate: 0,
            nodes: 0,
            stopped: false,
            escapes: 0,
            literal_bytes: 0,
            vocab_memo: HashMap::default(),
            first_escape: None,
        }
    }

    /// For code the sealed interpreter produced (`super::sandbox`): with `at`, code the script
    /// runs — every value in it counts as decoded and every fact is placed at `at`; without,
    /// the script itself with its decoder calls replaced, read at its own offsets.
    pub fn decoded(mut self, at: Option<Offset>) -> Self {
        if at.is_some() {
            self.hidden_ctx = true;
            self.at_override = at;
        }
        self
    }

    /// Walk a program and add what was found to the facts.
    pub fn run(&mut self, program: &'a Program<'a>) {
        self.visit_program(program);
        if self.escapes >= 64 && self.escapes * 4 * 4 >= self.literal_bytes {
            let at = self.first_escape.unwrap_or(self.base);
            self.marker(
                Marker::EscapeDensity,
                at,
                format!("{} hex/unicode escapes in string literals", self.escapes),
            );
        }
    }

    // ---- places and evidence ----------------------------------------------------------

    fn at(&self, span: Span) -> Offset {
        self.at_override.unwrap_or(self.base + span.start)
    }

    fn text(&self, span: Span) -> &'a str {
        self.src
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    fn evidence(&self, span: Span) -> String {
        snippet(self.text(span), 120)
    }

    fn tick(&mut self) -> bool {
        if self.stopped {
            return true;
        }
        self.nodes += 1;
        if self.nodes.is_multiple_of(CLOCK_EVERY)
            && (self.k.deadline.passed() || self.interp.timed_out.get())
        {
            self.stopped = true;
            self.facts
                .budget_exceeded
                .get_or_insert((self.base, "analysis time budget exceeded".into()));
        }
        self.stopped
    }

    fn marker(&mut self, marker: Marker, at: Offset, evidence: String) {
        if self
            .facts
            .markers
            .iter()
            .filter(|m| m.marker == marker)
            .count()
            < 4
        {
            self.facts.markers.push(MarkerHit {
                marker,
                at,
                evidence,
            });
        }
    }

    // ---- names ------------------------------------------------------------------------

    fn vocab_name(&mut self, name: &'a str) -> bool {
        if let Some(v) = self.vocab_memo.get(name) {
            return *v;
        }
        let v = self.k.vocab.matches(name);
        self.vocab_memo.insert(name, v);
        v
    }

    fn lookup(&mut self, name: &str) -> Option<Sym> {
        if untainted(name) {
            return None;
        }
        for sc in self.scopes.iter().rev() {
            if let Some(s) = sc.get(name) {
                return Some(*s);
            }
        }
        Some(self.facts.graph.global(name))
    }

    fn declare(&mut self, name: &'a str) -> Sym {
        if let Some(sc) = self.scopes.last()
            && let Some(s) = sc.get(name)
        {
            return *s;
        }
        if self.scopes.is_empty() {
            return self.facts.graph.global(name);
        }
        let s = self.facts.graph.fresh();
        if let Some(sc) = self.scopes.last_mut() {
            sc.insert(name, s);
        }
        s
    }

    fn hoist(&mut self, stmts: &'a [Statement<'a>]) {
        for s in stmts {
            match s {
                Statement::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        self.declare(id.name.as_str());
                    }
                }
                Statement::VariableDeclaration(d) => {
                    for decl in &d.declarations {
                        if let Some(n) = decl.id.get_identifier_name() {
                            self.declare(n.as_str());
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The dotted path of a member chain (`window.navigator.sendBeacon` → `navigator.sendBeacon`),
    /// with computed keys resolved where constant.
    fn path_of(&self, e: &'a Expression<'a>) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let mut cur = e.without_parentheses();
        for _ in 0..16 {
            match cur {
                Expression::Identifier(id) => {
                    parts.push(id.name.to_string());
                    break;
                }
                Expression::ThisExpression(_) => {
                    parts.push("this".into());
                    break;
                }
                Expression::StaticMemberExpression(m) => {
                    parts.push(m.property.name.to_string());
                    cur = m.object.without_parentheses();
                }
                Expression::ComputedMemberExpression(m) => {
                    let k = self.interp.peek(&m.expression);
                    parts.push(k.as_str()?.to_string());
                    cur = m.object.without_parentheses();
                }
                _ => return None,
            }
        }
        parts.reverse();
        while parts.len() > 1
            && matches!(
                parts[0].as_str(),
                "window" | "self" | "top" | "globalThis" | "parent" | "this"
            )
        {
            parts.remove(0);
        }
        Some(parts.join("."))
    }

    fn is_windowish(&self, e: &'a Expression<'a>) -> bool {
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                matches!(
                    id.name.as_str(),
                    "window" | "self" | "top" | "globalThis" | "parent"
                )
            }
            Expression::ThisExpression(_) => self.fn_stack.is_empty(),
            _ => false,
        }
    }

    /// The callee's receiver (None for a global function) and its name, resolved.
    fn callee_name(
        &self,
        callee: &'a Expression<'a>,
    ) -> (Option<&'a Expression<'a>>, Option<String>) {
        let callee = match callee.without_parentheses() {
            Expression::SequenceExpression(s) => match s.expressions.last() {
                Some(l) => l.without_parentheses(),
                None => return (None, None),
            },
            c => c,
        };
        match callee {
            Expression::Identifier(id) => (None, Some(id.name.to_string())),
            Expression::StaticMemberExpression(m) => {
                let obj = if self.is_windowish(&m.object) {
                    None
                } else {
                    Some(&m.object)
                };
                (obj, Some(m.property.name.to_string()))
            }
            Expression::ComputedMemberExpression(m) => {
                let k = self.interp.peek(&m.expression);
                let obj = if self.is_windowish(&m.object) {
                    None
                } else {
                    Some(&m.object)
                };
                (obj, k.as_str().map(str::to_string))
            }
            _ => (None, None),
        }
    }

    /// The symbol an expression's value is stored under, for writes into objects.
    fn base_sym(&mut self, e: &'a Expression<'a>) -> Option<Sym> {
        match e.without_parentheses() {
            Expression::ThisExpression(_) => self.this_sym(),
            Expression::Identifier(id) => self.lookup(id.name.as_str()),
            Expression::StaticMemberExpression(m) => {
                if self.is_windowish(&m.object) {
                    return self.lookup(m.property.name.as_str());
                }
                self.base_sym(&m.object)
            }
            Expression::ComputedMemberExpression(m) => {
                if self.is_windowish(&m.object)
                    && let Some(k) = self.interp.peek(&m.expression).as_str()
                {
                    let k = k.to_string();
                    return self.lookup(&k);
                }
                self.base_sym(&m.object)
            }
            _ => None,
        }
    }

    fn is_storage(&self, e: &'a Expression<'a>) -> bool {
        // Cheap test first: this runs for every member expression of a bundle.
        let last = match e.without_parentheses() {
            Expression::Identifier(id) => id.name.as_str(),
            Expression::StaticMemberExpression(m) => m.property.name.as_str(),
            Expression::ComputedMemberExpression(_) => "?",
            _ => return false,
        };
        if last != "?" && last != "localStorage" && last != "sessionStorage" {
            return false;
        }
        matches!(
            self.path_of(e).as_deref(),
            Some("localStorage" | "sessionStorage")
        )
    }

    /// The symbol shared by every method of this name defined in the script's own object
    /// literals and classes (`{ post(d) { … } }`, `class C { grab() { … } }`): calls
    /// `x.post(v)` pass v to its parameters and `x.grab()` returns its data. Names are not
    /// tied to receivers (the analysis has no types), so only names the script defines count.
    fn method_sym(&mut self, name: &str) -> Option<Sym> {
        if !self.methods.contains(name) {
            return None;
        }
        Some(self.facts.graph.global(&format!("$method.{name}")))
    }

    fn bind_method(&mut self, key: &PropertyKey<'a>, value: &'a Expression<'a>) {
        let Some(name) = key.static_name() else {
            return;
        };
        let start = match value.without_parentheses() {
            Expression::FunctionExpression(f) => f.span.start,
            Expression::ArrowFunctionExpression(f) => f.span.start,
            _ => return,
        };
        self.methods.insert(name.to_string());
        let s = self.facts.graph.global(&format!("$method.{name}"));
        self.pending_binding.insert(start, s);
    }

    /// `this` in a method of an object literal or class: one symbol per object or class, so
    /// `this.data.pan = v` in one method reaches `return this.data` in another.
    fn this_sym(&self) -> Option<Sym> {
        self.this_index().map(|i| self.this_syms[i].0)
    }

    /// The innermost object or class whose methods the walk is in.
    fn this_index(&self) -> Option<usize> {
        let depth = self.fn_stack.len();
        self.this_syms.iter().rposition(|&(_, d)| d < depth)
    }

    fn storage_sym(&mut self) -> Sym {
        self.facts.graph.global("$storage")
    }

    // ---- dependencies -------------------------------------------------------------------

    fn deps(&mut self, e: &'a Expression<'a>) -> Deps {
        let mut d = Deps::default();
        self.deps_into(e, &mut d, 0);
        d
    }

    fn push_sym(d: &mut Deps, s: Option<Sym>) {
        if let Some(s) = s
            && !d.syms.contains(&s)
        {
            d.syms.push(s);
        }
    }

    fn deps_into(&mut self, e: &'a Expression<'a>, d: &mut Deps, depth: u32) {
        if depth > 512 || d.syms.len() > 256 {
            return;
        }
        let n = depth + 1;
        match e {
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str());
                Self::push_sym(d, s);
            }
            Expression::ThisExpression(_) => {
                let s = self.this_sym();
                Self::push_sym(d, s);
            }
            Expression::StaticMemberExpression(m) => {
                let prop = m.property.name.as_str();
                if prop == "cookie" && self.path_of(&m.object).as_deref() == Some("document") {
                    let s = self.facts.graph.global("$cookie");
                    Self::push_sym(d, Some(s));
                    return;
                }
                if self.is_storage(&m.object) {
                    let s = self.storage_sym();
                    Self::push_sym(d, Some(s));
                    return;
                }
                if prop == "elements"
                    || (prop == "forms" && self.path_of(&m.object).as_deref() == Some("document"))
                {
                    d.src |= SRC_HARVEST;
                }
                if self.vocab_name(prop) {
                    d.src |= SRC_PAYMENT;
                }
                if self.is_windowish(&m.object) {
                    let s = self.lookup(prop);
                    Self::push_sym(d, s);
                    return;
                }
                self.deps_into(&m.object, d, n);
            }
            Expression::ComputedMemberExpression(m) => {
                if let Some(k) = self.interp.peek(&m.expression).as_str()
                    && self.k.vocab.matches(k)
                {
                    d.src |= SRC_PAYMENT;
                }
                if self.is_storage(&m.object) {
                    let s = self.storage_sym();
                    Self::push_sym(d, Some(s));
                    return;
                }
                self.deps_into(&m.object, d, n);
            }
            Expression::CallExpression(c) => self.call_deps(c, d, n),
            Expression::NewExpression(ne) => {
                if let Some(id) = ne.callee.get_identifier_reference()
                    && id.name == "FormData"
                {
                    d.src |= SRC_HARVEST;
                }
                for a in &ne.arguments {
                    if let Some(x) = a.as_expression() {
                        self.deps_into(x, d, n);
                    }
                }
            }
            Expression::BinaryExpression(b) => {
                self.deps_into(&b.left, d, n);
                self.deps_into(&b.right, d, n);
            }
            Expression::LogicalExpression(b) => {
                self.deps_into(&b.left, d, n);
                self.deps_into(&b.right, d, n);
            }
            Expression::ConditionalExpression(c) => {
                self.deps_into(&c.consequent, d, n);
                self.deps_into(&c.alternate, d, n);
            }
            Expression::SequenceExpression(s) => {
                if let Some(l) = s.expressions.last() {
                    self.deps_into(l, d, n);
                }
            }
            Expression::TemplateLiteral(t) => {
                for x in &t.expressions {
                    self.deps_into(x, d, n);
                }
            }
            Expression::TaggedTemplateExpression(t) => {
                for x in &t.quasi.expressions {
                    self.deps_into(x, d, n);
                }
            }
            Expression::ArrayExpression(a) => {
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            self.deps_into(&s.argument, d, n)
                        }
                        other => {
                            if let Some(x) = other.as_expression() {
                                self.deps_into(x, d, n);
                            }
                        }
                    }
                }
            }
            Expression::ObjectExpression(o) => {
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            if !p.method {
                                self.deps_into(&p.value, d, n);
                            }
                        }
                        ObjectPropertyKind::SpreadProperty(s) => self.deps_into(&s.argument, d, n),
                    }
                }
            }
            Expression::UnaryExpression(u) => self.deps_into(&u.argument, d, n),
            Expression::ParenthesizedExpression(p) => self.deps_into(&p.expression, d, n),
            Expression::AwaitExpression(a) => self.deps_into(&a.argument, d, n),
            Expression::AssignmentExpression(a) => self.deps_into(&a.right, d, n),
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(call) => self.call_deps(call, d, n),
                other => {
                    if let Some(m) = other.as_member_expression() {
                        self.deps_into(m.object(), d, n);
                    }
                }
            },
            _ => {}
        }
    }

    fn call_deps(&mut self, c: &'a CallExpression<'a>, d: &mut Deps, n: u32) {
        let (obj, name) = self.callee_name(&c.callee);
        if let Some(name) = name.as_deref() {
            let selector =
                SELECTOR_METHODS.contains(&name) || (obj.is_none() && is_jquery_name(name));
            if selector && let Some(a0) = c.arguments.first().and_then(|a| a.as_expression()) {
                for s in self.selector_texts(a0) {
                    if self.k.vocab.matches(&s) {
                        d.src |= SRC_PAYMENT;
                    }
                    if is_harvest_selector(&s) {
                        d.src |= SRC_HARVEST;
                    }
                }
            }
            if matches!(name, "serialize" | "serializeArray") && c.arguments.is_empty() {
                d.src |= SRC_HARVEST;
            }
            if name == "getItem" && obj.is_some_and(|o| self.is_storage(o)) {
                let s = self.storage_sym();
                Self::push_sym(d, Some(s));
            }
        }
        // `grab('cc-number')`: a helper called with a card field's name returns its data.
        if name.as_deref().is_some_and(|n| {
            !matches!(
                n,
                "indexOf"
                    | "includes"
                    | "search"
                    | "match"
                    | "test"
                    | "startsWith"
                    | "replace"
                    | "split"
            )
        }) && let Some(a0) = c.arguments.first().and_then(|a| a.as_expression())
            && !matches!(
                a0,
                Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
            )
            && let Some(s) = self.interp.peek(a0).known_text()
            && self.k.vocab.matches(s)
        {
            d.src |= SRC_PAYMENT;
        }
        match (obj, c.callee.without_parentheses()) {
            (Some(o), _) => {
                self.deps_into(o, d, n);
                // `sk.read()`: a method of the script's own objects or classes returns its data.
                if let Some(m) = name.as_deref().and_then(|m| self.method_sym(m)) {
                    Self::push_sym(d, Some(m));
                }
            }
            (None, Expression::Identifier(id)) => {
                let s = self.lookup(id.name.as_str());
                Self::push_sym(d, s);
            }
            _ => {}
        }
        // `a.map(cb)`, `p.then(cb)`: the call's value is made of what the callback returns.
        let returns_callback = matches!(
            name.as_deref(),
            Some("map" | "flatMap" | "filter" | "find" | "reduce" | "reduceRight" | "then")
        ) && obj.is_some();
        for a in &c.arguments {
            match a.as_expression() {
                Some(
                    x
                    @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
                ) if returns_callback => {
                    let start = x.span().start;
                    let r = match self.callback_ret.get(&start) {
                        Some(r) => *r,
                        None => {
                            let r = self.facts.graph.fresh();
                            self.callback_ret.insert(start, r);
                            r
                        }
                    };
                    Self::push_sym(d, Some(r));
                }
                Some(
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_),
                ) => {}
                Some(x) => self.deps_into(x, d, n),
                None => {}
            }
        }
    }

    // ---- constants --------------------------------------------------------------------

    /// What a selector argument can be: its constant text, or — for `table[i]` with a
    /// run-time index into a constant table (multi-gateway selector lists) — every string
    /// in the table.
    fn selector_texts(&mut self, a: &'a Expression<'a>) -> Vec<String> {
        let v = self.interp.peek(a);
        if let Some(s) = v.known_text() {
            return vec![s.to_string()];
        }
        if let Expression::Identifier(id) = a.without_parentheses()
            && let Some(s) = self.lookup(id.name.as_str())
            && let Some(t) = self.param_texts.get(&s)
        {
            return t.clone();
        }
        if let Expression::ComputedMemberExpression(m) = a.without_parentheses()
            && let Value::Array(items) = self.interp.peek(&m.object)
        {
            return items
                .borrow()
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .take(256)
                .collect();
        }
        Vec::new()
    }

    /// `this.host` in a method of an object literal: that literal's `host` property.
    fn this_property(&self, e: &'a Expression<'a>) -> Option<&'a Expression<'a>> {
        let Expression::StaticMemberExpression(m) = e.without_parentheses() else {
            return None;
        };
        if !matches!(
            m.object.without_parentheses(),
            Expression::ThisExpression(_)
        ) {
            return None;
        }
        let obj = (*self.this_objs.get(self.this_index()?)?)?;
        obj.properties.iter().find_map(|p| match p {
            ObjectPropertyKind::ObjectProperty(p)
                if !p.method && p.key.is_specific_static_name(m.property.name.as_str()) =>
            {
                Some(&p.value)
            }
            _ => None,
        })
    }

    fn url_text(&mut self, e: &'a Expression<'a>) -> UrlText {
        let e = self.this_property(e).unwrap_or(e);
        let (v, dec) = self.interp_eval(e);
        let hidden = dec || self.hidden_ctx;
        let text = v.known_text().map(str::to_string);
        if hidden && let Some(t) = &text {
            self.facts.add_decoded(t);
        }
        UrlText {
            complete: matches!(v, Value::Str(_)),
            text,
            hidden,
        }
    }

    fn interp_eval(&self, e: &'a Expression<'a>) -> (Value<'a>, bool) {
        self.interp.eval_decoded(e)
    }

    fn arg(&self, c: &'a [Argument<'a>], i: usize) -> Option<&'a Expression<'a>> {
        c.get(i).and_then(|a| a.as_expression())
    }

    // ---- recording ----------------------------------------------------------------------

    fn gated(&self) -> bool {
        self.gate > 0 || self.fn_stack.iter().any(|f| f.gated)
    }

    fn sink(
        &mut self,
        channel: Channel,
        span: Span,
        url: UrlText,
        deps: Deps,
        handle: Option<Sym>,
    ) {
        let mut evidence = self.evidence(span);
        if url.hidden
            && let Some(t) = &url.text
        {
            evidence = format!(
                "{} ← decoded URL {}",
                snippet(&evidence, 80),
                snippet(t, 100)
            );
        }
        let at = self.at(span);
        let gated = self.gated();
        self.facts.sinks.push(Sink {
            channel,
            at,
            url,
            deps,
            handle,
            evidence,
            gated,
        });
    }

    fn load(&mut self, channel: Channel, span: Span, url: UrlText) {
        let mut evidence = self.evidence(span);
        if url.hidden
            && let Some(t) = &url.text
        {
            evidence = format!(
                "{} ← decoded URL {}",
                snippet(&evidence, 80),
                snippet(t, 100)
            );
        }
        let at = self.at(span);
        let gated = self.gated();
        self.facts.loads.push(Load {
            channel,
            at,
            url,
            gated,
            evidence,
        });
    }

    fn source(&mut self, kind: SourceKind, span: Span) {
        if self.facts.sources.len() < 64 {
            let at = self.at(span);
            let evidence = self.evidence(span);
            self.facts.sources.push(SourceRead { kind, at, evidence });
        }
    }

    fn edge_to_target(&mut self, target: &'a Expression<'a>, deps: Deps) {
        if let Some(s) = self.base_sym(target) {
            self.facts.graph.edge(s, deps);
        }
    }

    // ---- markup and hidden code ----------------------------------------------------------

    fn on_markup(&mut self, html: &str, hidden: bool, span: Span, deps: Deps, channel: Channel) {
        if !html.contains('<') {
            return;
        }
        if hidden {
            self.facts.add_decoded(html);
        }
        let m = markup::scan(html, self.k.vocab);
        for src in m.script_srcs {
            self.load(
                channel,
                span,
                UrlText {
                    text: Some(src),
                    complete: true,
                    hidden,
                },
            );
        }
        for code in m.inline_scripts {
            self.run_hidden(&code, span, hidden, "document.write(<script>)");
        }
        for r in m.resources {
            self.sink(
                Channel::ElementSrc,
                span,
                UrlText {
                    text: Some(r),
                    complete: true,
                    hidden,
                },
                deps.clone(),
                None,
            );
        }
        for a in m.form_actions {
            self.sink(
                Channel::FormAction,
                span,
                UrlText {
                    text: Some(a),
                    complete: true,
                    hidden,
                },
                deps.clone(),
                None,
            );
        }
        if m.payment_fields > 0 {
            let at = self.at(span);
            let evidence = format!(
                "{} ← markup with {} card field(s): {}",
                snippet(self.text(span), 60),
                m.payment_fields,
                snippet(html, 100)
            );
            self.facts.injections.push(Injection { at, evidence });
        }
    }

    /// Analyse decoded code as a script of its own, reporting at the outer position.
    fn run_hidden(&mut self, code: &str, span: Span, hidden: bool, how: &str) {
        let at = self.at(span);
        let hidden = hidden || self.hidden_ctx;
        self.facts.hidden.push(HiddenRun {
            at,
            hidden,
            evidence: format!("{how} ← decoded: {}", snippet(code, 140)),
        });
        if hidden {
            self.facts.add_decoded(code);
        }
        if self.hidden_depth >= MAX_HIDDEN_DEPTH
            || self.hidden_bytes + code.len() > MAX_HIDDEN_BYTES
        {
            // Decoded code left unanalysed: the analysis is partial, and the report says so.
            self.facts.budget_exceeded.get_or_insert((
                at,
                format!(
                    "decoded code beyond the limits ({MAX_HIDDEN_DEPTH} layers, {} MB in all) was not analysed",
                    MAX_HIDDEN_BYTES >> 20
                ),
            ));
            return;
        }
        let shape = budget::shape(code);
        if shape.too_deep() {
            self.facts
                .budget_exceeded
                .get_or_insert((at, "decoded code nested too deeply".into()));
            return;
        }
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        if ret.panicked {
            // Decoded code with a syntax error: indicators still see it (decoded text).
            return;
        }
        let program = alloc.alloc(ret.program);
        let consts = Constants::collect(program, code);
        let interp = Interp::new(code, consts.decls(), self.k.deadline.0);
        for r in &consts.rotators {
            interp.run_call(r);
        }
        let mut inner = Collector::new(code, &interp, self.facts, self.k, 0);
        inner.at_override = Some(at);
        inner.hidden_ctx = hidden;
        inner.hidden_depth = self.hidden_depth + 1;
        inner.hidden_bytes = self.hidden_bytes + code.len();
        inner.run(program);
        if interp.out_of_fuel() {
            inner.facts.budget_exceeded.get_or_insert((
                at,
                "evaluation step budget exhausted in decoded code; values computed after it are unknown".into(),
            ));
        }
        let stopped = inner.stopped;
        self.hidden_bytes += code.len();
        if stopped {
            self.stopped = true;
        }
    }

    fn try_hidden(&mut self, e: &'a Expression<'a>, span: Span, how: &str) {
        let (v, dec) = self.interp_eval(e);
        if let Value::Str(code) = v {
            // A plain literal is not hidden (`Function('return this')`); a decoded one is.
            let hidden = dec || !matches!(e.without_parentheses(), Expression::StringLiteral(_));
            if code.trim().is_empty() {
                return;
            }
            self.run_hidden(&code, span, hidden, how);
        }
    }

    // ---- calls ------------------------------------------------------------------------

    fn on_call(&mut self, c: &'a CallExpression<'a>) {
        let (obj, name) = self.callee_name(&c.callee);
        // `f.constructor(…)`, `var F = x.constructor; F(…)`: the Function constructor unnamed.
        if name.as_deref() != Some("Function")
            && !matches!(c.callee.without_parentheses(), Expression::Identifier(id) if untainted(id.name.as_str()))
            && self.interp.is_function_ctor(&c.callee)
        {
            self.function_ctor(&c.arguments, c.span);
        }
        let Some(name) = name else {
            self.callbacks(c, None);
            return;
        };
        let args = &c.arguments;
        let a0 = self.arg(args, 0);
        let a1 = self.arg(args, 1);
        let span = c.span;
        let obj_path = obj.and_then(|o| self.path_of(o));
        let all_deps = |me: &mut Self| {
            let mut d = Deps::default();
            for a in args {
                if let Some(x) = a.as_expression() {
                    me.deps_into(x, &mut d, 0);
                }
            }
            d
        };
        match (obj.is_some(), name.as_str()) {
            (false, "eval" | "execScript") => {
                if let Some(a) = a0 {
                    self.packer_check(a, span);
                    self.try_hidden(a, span, &name);
                }
            }
            (false, "setTimeout" | "setInterval") => {
                if let Some(a) = a0
                    && !matches!(
                        a,
                        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                    )
                {
                    self.try_hidden(a, span, &name);
                }
            }
            (false, "Function") => self.function_ctor(args, span),
            (false, "fetch") => {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    let d = all_deps(self);
                    self.sink(Channel::Fetch, span, url, d, None);
                }
            }
            (false, "open") => {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    let d = self.deps(a);
                    self.sink(Channel::Navigation, span, url, d, None);
                }
            }
            (false, "importScripts") | (false, "import") => {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    self.load(Channel::ScriptLoad, span, url);
                }
            }
            (false, "ga" | "gtag" | "__gaTracker") => {
                let d = all_deps(self);
                if !d.is_empty() {
                    let url = UrlText {
                        text: Some("https://www.google-analytics.com/collect".into()),
                        complete: true,
                        hidden: false,
                    };
                    self.sink(Channel::Analytics, span, url, d, None);
                }
            }
            (true, "open") if args.len() >= 2 => {
                let method = a0.map(|a| self.interp.peek(a));
                let is_method = method
                    .as_ref()
                    .and_then(|m| m.as_str())
                    .is_some_and(|m| HTTP_METHODS.contains(&m.to_ascii_uppercase().as_str()));
                if is_method && let (Some(o), Some(u)) = (obj, a1) {
                    let url = self.url_text(u);
                    let d = self.deps(u);
                    let h = self.base_sym(o);
                    self.sink(Channel::Xhr, span, url, d, h);
                }
            }
            (true, "send") => {
                if let Some(o) = obj {
                    let handle = self.base_sym(o);
                    let d = all_deps(self);
                    let at = self.at(span);
                    self.facts.sends.push(Send {
                        handle,
                        deps: d,
                        at,
                    });
                }
            }
            (true, "sendBeacon") => {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    let d = all_deps(self);
                    self.sink(Channel::Beacon, span, url, d, None);
                }
            }
            (true, "postMessage") => {
                if let Some(a) = a0 {
                    let url = match a1 {
                        Some(o) => self.url_text(o),
                        None => UrlText::default(),
                    };
                    // `*` means any origin: the destination is not known.
                    let url = if url.text.as_deref() == Some("*") {
                        UrlText::default()
                    } else {
                        url
                    };
                    let d = self.deps(a);
                    if !d.is_empty() {
                        self.sink(Channel::PostMessage, span, url, d, None);
                    }
                }
            }
            (true, "setAttribute" | "attr" | "prop") if args.len() >= 2 => {
                let attr = a0.map(|a| self.interp.peek(a));
                let attr = attr
                    .as_ref()
                    .and_then(|v| v.as_str())
                    .map(str::to_ascii_lowercase);
                if let (Some(attr), Some(o), Some(v)) = (attr, obj, a1) {
                    self.attribute_write(o, &attr, v, span);
                }
            }
            (true, "assign" | "replace")
                if obj_path.as_deref().is_some_and(|p| p.ends_with("location")) =>
            {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    let d = self.deps(a);
                    self.sink(Channel::Navigation, span, url, d, None);
                }
            }
            (true, "ajax" | "post" | "get" | "getJSON" | "getScript" | "load")
                if obj_path.as_deref().is_some_and(is_jquery_path) =>
            {
                self.jquery_ajax(&name, args, span);
            }
            (true, "write" | "writeln") if obj_path.as_deref() == Some("document") => {
                let mut html = String::new();
                let mut hidden = false;
                for a in args {
                    if let Some(x) = a.as_expression() {
                        let (v, dec) = self.interp_eval(x);
                        hidden |= dec;
                        if let Some(t) = v.known_text() {
                            html.push_str(t);
                        }
                    }
                }
                let d = all_deps(self);
                self.on_markup(&html, hidden, span, d, Channel::DocumentWrite);
            }
            (
                true,
                "insertAdjacentHTML" | "html" | "append" | "prepend" | "after" | "before"
                | "replaceWith" | "appendTo",
            ) => {
                let target = if name == "insertAdjacentHTML" { a1 } else { a0 };
                if matches!(name.as_str(), "append" | "prepend")
                    && let Some(o) = obj
                {
                    // `FormData.append(k, v)`, `params.append(k, v)`: the object carries v.
                    let d = all_deps(self);
                    self.edge_to_target(o, d);
                }
                if let Some(t) = target {
                    let (v, dec) = self.interp_eval(t);
                    if let Some(html) = v.known_text() {
                        let html = html.to_string();
                        let d = self.deps(t);
                        self.on_markup(&html, dec, span, d, Channel::Markup);
                    }
                }
            }
            (true, "push")
                if obj_path
                    .as_deref()
                    .is_some_and(|p| p == "dataLayer" || p == "_gaq") =>
            {
                let d = all_deps(self);
                if !d.is_empty() {
                    let url = UrlText {
                        text: Some("https://www.googletagmanager.com/".into()),
                        complete: true,
                        hidden: false,
                    };
                    self.sink(Channel::Analytics, span, url, d, None);
                }
            }
            (true, "setItem") if obj.is_some_and(|o| self.is_storage(o)) => {
                if let Some(v) = a1 {
                    let d = self.deps(v);
                    let s = self.storage_sym();
                    self.facts.graph.edge(s, d);
                }
            }
            (true, "createElement") => {}
            (false, "assign") | (true, "assign") if obj_path.as_deref() == Some("Object") => {
                if let Some(t) = a0 {
                    let mut d = Deps::default();
                    for a in args.iter().skip(1) {
                        if let Some(x) = a.as_expression() {
                            self.deps_into(x, &mut d, 0);
                        }
                    }
                    self.edge_to_target(t, d);
                }
            }
            (true, "push" | "unshift" | "set" | "add" | "concat" | "splice" | "put") => {
                if let Some(o) = obj {
                    let d = all_deps(self);
                    self.edge_to_target(o, d);
                }
            }
            _ => {}
        }
        // Sources: selectors, serialisation, listeners.
        let selector =
            SELECTOR_METHODS.contains(&name.as_str()) || (obj.is_none() && is_jquery_name(&name));
        if selector && let Some(a) = a0 {
            let texts = self.selector_texts(a);
            if texts.iter().any(|s| self.k.vocab.matches(s)) {
                self.source(SourceKind::Payment, span);
            } else if texts.iter().any(|s| is_harvest_selector(s)) {
                self.source(SourceKind::Harvest, span);
            }
        }
        if matches!(name.as_str(), "serialize" | "serializeArray") && args.is_empty() {
            self.source(SourceKind::Harvest, span);
        }
        if matches!(
            name.as_str(),
            "indexOf" | "includes" | "match" | "search" | "test" | "startsWith"
        ) && let Some(a) = a0
            && let Some(s) = self.interp.peek(a).known_text()
            && self.k.vocab.matches(s)
        {
            self.source(SourceKind::Payment, span);
        }
        if name == "fromCharCode" && (args.len() >= 12 || self.text(c.span).contains("charCodeAt"))
        {
            self.marker(Marker::CharCodeBuild, self.at(span), self.evidence(span));
        }
        if name == "apply" && self.text(c.callee.span()).contains("fromCharCode") {
            self.marker(Marker::CharCodeBuild, self.at(span), self.evidence(span));
        }
        let listener = match name.as_str() {
            "addEventListener" | "on" | "bind" | "live" | "delegate" | "one" => a0
                .map(|a| self.interp.peek(a))
                .and_then(|v| v.as_str().map(str::to_string)),
            n if KEY_EVENTS.contains(&n) && obj.is_some() => Some(n.to_string()),
            _ => None,
        };
        let keystroke = listener.as_deref().is_some_and(|evs| {
            evs.split_whitespace()
                .any(|e| KEY_EVENTS.contains(&e.split('.').next().unwrap_or("")))
        });
        if keystroke {
            self.source(SourceKind::Keystroke, span);
        }
        self.callbacks(c, if keystroke { Some(SRC_KEYSTROKE) } else { None });
        // Calls of the script's own functions and methods: parameters receive the arguments.
        let own = if obj.is_none() {
            match c.callee.without_parentheses() {
                Expression::Identifier(id) => self.lookup(id.name.as_str()),
                _ => None,
            }
        } else {
            self.method_sym(&name)
        };
        if let Some(f) = own {
            let mut ds = Vec::with_capacity(args.len());
            for a in args {
                ds.push(a.as_expression().map(|x| self.deps(x)).unwrap_or_default());
            }
            if ds.iter().any(|d| !d.is_empty()) {
                self.facts.graph.calls.push((f, ds));
            }
        }
    }

    /// Function arguments of a call get the receiver's and the other arguments' data as their
    /// parameters (`inputs.forEach(el => …)`, `fd.forEach((v, k) => …)`, `$(x).each(…)`).
    fn callbacks(&mut self, c: &'a CallExpression<'a>, extra: Option<u8>) {
        let has_fn = c.arguments.iter().any(|a| {
            matches!(
                a.as_expression(),
                Some(Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_))
            )
        });
        if !has_fn {
            return;
        }
        self.iteration_texts(c);
        let mut d = Deps::default();
        if let Some(o) = c.callee.without_parentheses().as_member_expression() {
            self.deps_into(o.object(), &mut d, 0);
        }
        for a in &c.arguments {
            if let Some(x) = a.as_expression()
                && !matches!(
                    x,
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                )
            {
                self.deps_into(x, &mut d, 0);
            }
        }
        if let Some(bits) = extra {
            d.src |= bits;
        }
        if d.is_empty() {
            return;
        }
        for a in &c.arguments {
            if let Some(
                x @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
            ) = a.as_expression()
            {
                self.pending_params.insert(x.span().start, d.clone());
            }
        }
    }

    /// `['#cc-number', '#cvv'].forEach(s => $(s).val())`: the callback's first parameter
    /// takes each constant string of the array, so selectors read through it are known.
    fn iteration_texts(&mut self, c: &'a CallExpression<'a>) {
        let Some(m) = c.callee.without_parentheses().as_member_expression() else {
            return;
        };
        if !matches!(
            m.static_property_name(),
            Some(
                "forEach"
                    | "map"
                    | "flatMap"
                    | "filter"
                    | "some"
                    | "every"
                    | "find"
                    | "reduce"
                    | "reduceRight"
            )
        ) {
            return;
        }
        // `reduce((acc, s) => …)`: the element is the second parameter.
        let index = usize::from(matches!(
            m.static_property_name(),
            Some("reduce" | "reduceRight")
        ));
        let Value::Array(items) = self.interp.peek(m.object()) else {
            return;
        };
        let texts: Vec<String> = items
            .borrow()
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .take(256)
            .collect();
        if texts.is_empty() {
            return;
        }
        if let Some(
            x @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
        ) = c.arguments.first().and_then(|a| a.as_expression())
        {
            self.pending_param_texts
                .insert(x.span().start, (index, texts));
        }
    }

    fn function_ctor(&mut self, args: &'a [Argument<'a>], span: Span) {
        if let Some(body) = args.last().and_then(|a| a.as_expression()) {
            self.try_hidden(body, span, "Function");
        }
    }

    fn packer_check(&mut self, a: &'a Expression<'a>, span: Span) {
        if let Expression::CallExpression(inner) = a.without_parentheses()
            && let Expression::FunctionExpression(f) = inner.callee.without_parentheses()
        {
            let names: Vec<&str> = f
                .params
                .items
                .iter()
                .filter_map(|p| p.pattern.get_identifier_name())
                .map(|n| n.as_str())
                .collect();
            if names.len() >= 5 && names[..5] == ["p", "a", "c", "k", "e"] {
                self.marker(
                    Marker::Packer,
                    self.at(span),
                    "eval(function(p,a,c,k,e,…) packer".into(),
                );
            }
        }
    }

    fn jquery_ajax(&mut self, name: &str, args: &'a [Argument<'a>], span: Span) {
        let a0 = self.arg(args, 0);
        let mut d = Deps::default();
        for a in args {
            if let Some(x) = a.as_expression() {
                self.deps_into(x, &mut d, 0);
            }
        }
        let url = match a0 {
            Some(Expression::ObjectExpression(o)) => self.object_url(o),
            Some(x) => self.url_text(x),
            None => UrlText::default(),
        };
        if name == "getScript" {
            self.load(Channel::ScriptLoad, span, url);
        } else {
            self.sink(Channel::Jquery, span, url, d, None);
        }
    }

    fn object_url(&mut self, o: &'a ObjectExpression<'a>) -> UrlText {
        for p in &o.properties {
            if let ObjectPropertyKind::ObjectProperty(p) = p
                && p.key.static_name().as_deref() == Some("url")
            {
                return self.url_text(&p.value);
            }
        }
        UrlText::default()
    }

    fn attribute_write(
        &mut self,
        o: &'a Expression<'a>,
        attr: &str,
        v: &'a Expression<'a>,
        span: Span,
    ) {
        match attr {
            "src" | "href" => {
                let url = self.url_text(v);
                let d = self.deps(v);
                let is_location = self.is_location(o);
                if is_location {
                    self.sink(Channel::Navigation, span, url, d, None);
                } else if self.is_script_elem(o)
                    || url.text.as_deref().is_some_and(looks_like_script_url)
                {
                    self.load(Channel::ScriptLoad, span, url);
                } else {
                    self.sink(Channel::ElementSrc, span, url, d, None);
                }
            }
            "action" => {
                let url = self.url_text(v);
                let d = self.deps(v);
                self.sink(Channel::FormAction, span, url, d, None);
            }
            _ => {}
        }
    }

    fn is_location(&self, o: &'a Expression<'a>) -> bool {
        if let Some(p) = self.path_of(o) {
            return p == "location" || p.ends_with(".location");
        }
        // `jQuery(location)`
        if let Expression::CallExpression(c) = o.without_parentheses()
            && let Some(a) = c.arguments.first().and_then(|a| a.as_expression())
        {
            return self
                .path_of(a)
                .is_some_and(|p| p == "location" || p.ends_with(".location"));
        }
        false
    }

    fn is_script_elem(&mut self, o: &'a Expression<'a>) -> bool {
        if let Expression::CallExpression(c) = o.without_parentheses() {
            return self.is_create_script(c);
        }
        self.base_sym(o)
            .is_some_and(|s| self.script_elems.contains(&s))
    }

    fn is_create_script(&self, c: &'a CallExpression<'a>) -> bool {
        let (_, name) = self.callee_name(&c.callee);
        name.as_deref() == Some("createElement")
            && c.arguments
                .first()
                .and_then(|a| a.as_expression())
                .and_then(|a| {
                    self.interp
                        .eval(a)
                        .as_str()
                        .map(|s| s.eq_ignore_ascii_case("script"))
                })
                .unwrap_or(false)
    }

    fn note_binding(&mut self, target: Sym, init: &'a Expression<'a>) {
        match init.without_parentheses() {
            Expression::CallExpression(c) if self.is_create_script(c) => {
                self.script_elems.insert(target);
            }
            Expression::FunctionExpression(f) => {
                self.pending_binding.insert(f.span.start, target);
            }
            Expression::ArrowFunctionExpression(f) => {
                self.pending_binding.insert(f.span.start, target);
            }
            Expression::NewExpression(n) => {
                self.handles.insert(n.span.start, target);
            }
            _ => {}
        }
    }

    // ---- gates ------------------------------------------------------------------------

    fn gather(&self, e: &'a Expression<'a>, out: &mut Vec<String>, n: &mut usize) {
        if *n > 64 {
            return;
        }
        *n += 1;
        match e.without_parentheses() {
            Expression::StringLiteral(s) => out.push(s.value.to_string()),
            Expression::RegExpLiteral(r) => out.push(r.regex.pattern.text.to_string()),
            Expression::TemplateLiteral(_) => {
                if let Some(t) = self.interp.peek(e).known_text() {
                    out.push(t.to_string());
                }
            }
            Expression::Identifier(id) => out.push(id.name.to_string()),
            Expression::StaticMemberExpression(m) => {
                out.push(m.property.name.to_string());
                self.gather(&m.object, out, n);
            }
            Expression::ComputedMemberExpression(m) => {
                if let Some(t) = self.interp.peek(&m.expression).known_text() {
                    out.push(t.to_string());
                }
                self.gather(&m.object, out, n);
            }
            Expression::CallExpression(c) => {
                self.gather(&c.callee, out, n);
                for a in &c.arguments {
                    if let Some(x) = a.as_expression() {
                        if let Some(t) = self.interp.peek(x).known_text() {
                            out.push(t.to_string());
                        }
                        self.gather(x, out, n);
                    }
                }
            }
            Expression::NewExpression(c) => {
                for a in &c.arguments {
                    if let Some(x) = a.as_expression()
                        && let Some(t) = self.interp.peek(x).known_text()
                    {
                        out.push(t.to_string());
                    }
                }
            }
            Expression::BinaryExpression(b) => {
                self.gather(&b.left, out, n);
                self.gather(&b.right, out, n);
            }
            Expression::LogicalExpression(b) => {
                self.gather(&b.left, out, n);
                self.gather(&b.right, out, n);
            }
            Expression::UnaryExpression(u) => self.gather(&u.argument, out, n),
            _ => {}
        }
    }

    fn is_gate(&mut self, test: &'a Expression<'a>) -> bool {
        let mut strings = Vec::new();
        let mut n = 0;
        self.gather(test, &mut strings, &mut n);
        let lower: Vec<String> = strings.iter().map(|s| s.to_ascii_lowercase()).collect();
        let location = lower.iter().any(|s| {
            matches!(
                s.as_str(),
                "location" | "href" | "pathname" | "url" | "documenturi"
            )
        });
        let checkout = lower
            .iter()
            .any(|s| CHECKOUT_WORDS.iter().any(|w| s.contains(w)));
        let gate = location && checkout;
        if gate {
            let at = self.at(test.span());
            let ev = self.evidence(test.span());
            self.marker(Marker::CheckoutGate, at, ev);
        }
        gate
    }

    // ---- functions ----------------------------------------------------------------------

    fn enter_function(
        &mut self,
        span_start: u32,
        params: &'a FormalParameters<'a>,
        own_name: Option<Sym>,
    ) {
        let ret = own_name
            .or_else(|| self.pending_binding.remove(&span_start))
            .or_else(|| self.callback_ret.get(&span_start).copied())
            .unwrap_or_else(|| self.facts.graph.fresh());
        self.fn_stack.push(FnCtx { ret, gated: false });
        self.scopes.push(HashMap::default());
        let incoming = self.pending_params.remove(&span_start);
        let texts = self.pending_param_texts.remove(&span_start);
        let mut syms = Vec::with_capacity(params.items.len());
        for (i, p) in params.items.iter().enumerate() {
            let mut names = Vec::new();
            collect_binding_names(&p.pattern, &mut names);
            let mut first = None;
            for n in names {
                let s = self.declare(n);
                first.get_or_insert(s);
                if let Some(d) = &incoming {
                    self.facts.graph.edge(s, d.clone());
                }
            }
            if let (Some(s), Some((at, t))) = (first, &texts)
                && *at == i
            {
                self.param_texts.insert(s, t.clone());
            }
            syms.push(first.unwrap_or_else(|| self.facts.graph.fresh()));
        }
        self.facts.graph.fn_params.insert(ret, syms);
    }

    fn leave_function(&mut self) {
        self.scopes.pop();
        self.fn_stack.pop();
    }
}

fn collect_binding_names<'a>(p: &'a BindingPattern<'a>, out: &mut Vec<&'a str>) {
    match p {
        BindingPattern::BindingIdentifier(id) => out.push(id.name.as_str()),
        BindingPattern::AssignmentPattern(a) => collect_binding_names(&a.left, out),
        BindingPattern::ObjectPattern(o) => {
            for prop in &o.properties {
                collect_binding_names(&prop.value, out);
            }
            if let Some(r) = &o.rest {
                collect_binding_names(&r.argument, out);
            }
        }
        BindingPattern::ArrayPattern(a) => {
            for el in a.elements.iter().flatten() {
                collect_binding_names(el, out);
            }
            if let Some(r) = &a.rest {
                collect_binding_names(&r.argument, out);
            }
        }
    }
}

fn is_jquery_name(n: &str) -> bool {
    matches!(n, "$" | "jQuery" | "$j" | "jq" | "$$")
}

fn is_jquery_path(p: &str) -> bool {
    is_jquery_name(p) || p.starts_with("jQuery.") || p.starts_with("$.")
}

fn looks_like_script_url(u: &str) -> bool {
    let path = u.split(['?', '#']).next().unwrap_or("");
    path.ends_with(".js") || path.ends_with(".php") && u.contains("script")
}

impl<'a> Visit<'a> for Collector<'a, '_, '_> {
    fn visit_expression(&mut self, it: &Expression<'a>) {
        if self.tick() {
            return;
        }
        walk::walk_expression(self, it);
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        if self.tick() {
            return;
        }
        walk::walk_statement(self, it);
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        let raw = self.text(it.span);
        self.literal_bytes += raw.len();
        if memchr::memchr(b'\\', raw.as_bytes()).is_none() {
            return;
        }
        // Escapes of ASCII characters hide words; escapes of other scripts are just text
        // (locale tables in moment.js are full of `\\u0430`).
        let n = raw.matches("\\x").count() + raw.matches("\\u00").count();
        if n > 0 {
            self.escapes += n;
            if self.first_escape.is_none() {
                self.first_escape = Some(self.at(it.span));
            }
        }
    }

    fn visit_debugger_statement(&mut self, it: &DebuggerStatement) {
        if self.hidden_ctx {
            self.marker(
                Marker::AntiDebug,
                self.at(it.span),
                "debugger statement in decoded code".into(),
            );
        }
    }

    fn visit_program(&mut self, it: &Program<'a>) {
        let it = self.alloc(it);
        walk::walk_program(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let it = self.alloc(it);
        let own = match (&it.id, it.is_declaration()) {
            (Some(id), true) => {
                let name = id.name.as_str();
                self.lookup(name).or_else(|| Some(self.declare(name)))
            }
            _ => None,
        };
        self.enter_function(it.span.start, &it.params, own);
        if let Some(body) = &it.body {
            self.hoist(&body.statements);
        }
        walk::walk_function(self, it, flags);
        self.leave_function();
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        let it = self.alloc(it);
        let s = self.facts.graph.fresh();
        self.this_syms.push((s, self.fn_stack.len()));
        self.this_objs.push(Some(it));
        walk::walk_object_expression(self, it);
        self.this_objs.pop();
        self.this_syms.pop();
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let it = self.alloc(it);
        let s = self.facts.graph.fresh();
        self.this_syms.push((s, self.fn_stack.len()));
        self.this_objs.push(None);
        walk::walk_class(self, it);
        self.this_objs.pop();
        self.this_syms.pop();
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let it = self.alloc(it);
        self.bind_method(&it.key, &it.value);
        walk::walk_object_property(self, it);
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        let it = self.alloc(it);
        if it.kind == MethodDefinitionKind::Method
            && let Some(name) = it.key.static_name()
        {
            self.methods.insert(name.to_string());
            let s = self.facts.graph.global(&format!("$method.{name}"));
            self.pending_binding.insert(it.value.span.start, s);
        }
        walk::walk_method_definition(self, it);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let it = self.alloc(it);
        self.enter_function(it.span.start, &it.params, None);
        match &it.body {
            ArrowFunctionBody::FunctionBody(b) => self.hoist(&b.statements),
            // `s => $(s).val()`: the expression is the returned value.
            body => {
                if let (Some(e), Some(f)) = (body.as_expression(), self.fn_stack.last()) {
                    let ret = f.ret;
                    let d = self.deps(e);
                    self.facts.graph.edge(ret, d);
                }
            }
        }
        walk::walk_arrow_function_expression(self, it);
        self.leave_function();
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        let it = self.alloc(it);
        if let (Some(a), Some(f)) = (&it.argument, self.fn_stack.last()) {
            let ret = f.ret;
            let d = self.deps(a);
            self.facts.graph.edge(ret, d);
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        let mut names = Vec::new();
        collect_binding_names(&it.id, &mut names);
        if let Some(init) = &it.init {
            let d = self.deps(init);
            for n in &names {
                let s = self.declare(n);
                self.facts.graph.edge(s, d.clone());
                self.note_binding(s, init);
            }
            if let Expression::ArrayExpression(a) = init
                && let Some(first) = names.first()
            {
                self.array_marker(a, first);
            }
        } else {
            for n in &names {
                self.declare(n);
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it = self.alloc(it);
        let rhs = &it.right;
        match &it.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                let name = id.name.as_str();
                if name == "location" {
                    let url = self.url_text(rhs);
                    let d = self.deps(rhs);
                    self.sink(Channel::Navigation, it.span, url, d, None);
                } else if let Some(s) = self.lookup(name) {
                    let d = self.deps(rhs);
                    self.facts.graph.edge(s, d);
                    self.note_binding(s, rhs);
                }
            }
            target => {
                if let Some(m) = target.as_member_expression() {
                    let prop = match m {
                        MemberExpression::StaticMemberExpression(s) => {
                            Some(s.property.name.to_string())
                        }
                        MemberExpression::ComputedMemberExpression(c) => {
                            self.interp.peek(&c.expression).as_str().map(str::to_string)
                        }
                        MemberExpression::PrivateFieldExpression(_) => None,
                    };
                    self.member_write(m.object(), prop.as_deref(), rhs, it.span);
                }
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        let it = self.alloc(it);
        let name = self.callee_name(&it.callee).1;
        let a0 = self.arg(&it.arguments, 0);
        let handle = self.handles.get(&it.span.start).copied();
        match name.as_deref() {
            Some("WebSocket") | Some("EventSource") => {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    let d = self.deps(a);
                    let ch = if name.as_deref() == Some("WebSocket") {
                        Channel::WebSocket
                    } else {
                        Channel::EventSource
                    };
                    self.sink(ch, it.span, url, d, handle);
                }
            }
            Some("RTCPeerConnection") | Some("webkitRTCPeerConnection") => {
                let mut url = UrlText::default();
                if let Some(a) = a0 {
                    let (v, dec) = self.interp_eval(a);
                    if let Some(s) = find_ice_url(&v) {
                        url = UrlText {
                            text: Some(s),
                            complete: true,
                            hidden: dec,
                        };
                    }
                }
                self.sink(Channel::WebRtc, it.span, url, Deps::default(), handle);
            }
            Some("Function") => self.function_ctor(&it.arguments, it.span),
            Some("Worker") | Some("SharedWorker") => {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    self.load(Channel::ScriptLoad, it.span, url);
                }
            }
            Some("FormData") => self.source(SourceKind::Harvest, it.span),
            _ => {}
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if self.tick() {
            return;
        }
        let it = self.alloc(it);
        self.on_call(it);
        walk::walk_call_expression(self, it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        let it = self.alloc(it);
        let p = it.property.name.as_str();
        if p == "elements"
            || (p == "forms" && self.path_of(&it.object).as_deref() == Some("document"))
        {
            self.source(SourceKind::Harvest, it.span);
        } else if matches!(
            p,
            "Firebug" | "UNMASKED_RENDERER_WEBGL" | "__REACT_DEVTOOLS_GLOBAL_HOOK__"
        ) && p != "__REACT_DEVTOOLS_GLOBAL_HOOK__"
        {
            self.marker(Marker::AntiDebug, self.at(it.span), self.evidence(it.span));
        } else if matches!(p.len(), 2..=40) && self.vocab_name(p) {
            // `form.cc_number`, `elements.cvv`: a named card field.
            if p.len() > 2 || p == "cc" {
                self.source(SourceKind::Payment, it.span);
            }
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        let it = self.alloc(it);
        if it.operator == BinaryOperator::Subtraction {
            let l = self.text(it.left.span());
            let r = self.text(it.right.span());
            if (l.contains("outerWidth") && r.contains("innerWidth"))
                || (l.contains("outerHeight") && r.contains("innerHeight"))
            {
                self.marker(Marker::AntiDebug, self.at(it.span), self.evidence(it.span));
            }
        }
        if it.operator.is_equality() {
            for side in [&it.left, &it.right] {
                if let Expression::StringLiteral(s) = side
                    && self.k.vocab.matches(s.value.as_str())
                {
                    self.source(SourceKind::Payment, it.span);
                }
            }
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        let it = self.alloc(it);
        if self.tick() {
            return;
        }
        let gate = self.is_gate(&it.test);
        if gate {
            let early_exit = matches!(&it.consequent, Statement::ReturnStatement(_))
                || matches!(&it.consequent, Statement::BlockStatement(b) if b.body.len() == 1 && matches!(b.body[0], Statement::ReturnStatement(_)));
            if early_exit && let Some(f) = self.fn_stack.last_mut() {
                f.gated = true;
            }
            self.gate += 1;
            walk::walk_if_statement(self, it);
            self.gate -= 1;
        } else {
            walk::walk_if_statement(self, it);
        }
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        let it = self.alloc(it);
        let gate = self.is_gate(&it.left);
        if gate {
            self.gate += 1;
        }
        walk::walk_logical_expression(self, it);
        if gate {
            self.gate -= 1;
        }
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        let it = self.alloc(it);
        let gate = self.is_gate(&it.test);
        if gate {
            self.gate += 1;
        }
        walk::walk_conditional_expression(self, it);
        if gate {
            self.gate -= 1;
        }
    }
}

impl<'a> Collector<'a, '_, '_> {
    fn member_write(
        &mut self,
        obj: &'a Expression<'a>,
        prop: Option<&str>,
        rhs: &'a Expression<'a>,
        span: Span,
    ) {
        let obj_path = self.path_of(obj);
        match prop {
            Some("src" | "href") => self.attribute_write(obj, prop.unwrap_or("src"), rhs, span),
            Some("action") => self.attribute_write(obj, "action", rhs, span),
            Some("location")
                if obj_path
                    .as_deref()
                    .is_some_and(|p| p == "window" || p == "document" || p == "top")
                    || self.is_windowish(obj) =>
            {
                let url = self.url_text(rhs);
                let d = self.deps(rhs);
                self.sink(Channel::Navigation, span, url, d, None);
            }
            Some("innerHTML" | "outerHTML") => {
                let (v, dec) = self.interp_eval(rhs);
                if let Some(html) = v.known_text() {
                    let html = html.to_string();
                    let d = self.deps(rhs);
                    self.on_markup(&html, dec, span, d, Channel::Markup);
                }
                // Writing markup into an element does not make the element carry data.
                return;
            }
            Some("text" | "textContent" | "innerText") if self.is_script_elem(obj) => {
                self.try_hidden(rhs, span, "script.text");
                return;
            }
            Some("cookie") if obj_path.as_deref() == Some("document") => {
                let d = self.deps(rhs);
                let s = self.facts.graph.global("$cookie");
                self.facts.graph.edge(s, d);
                return;
            }
            Some(p) if p.starts_with("on") && KEY_EVENTS.contains(&&p[2..]) => {
                if let Expression::FunctionExpression(f) = rhs.without_parentheses() {
                    self.pending_params
                        .insert(f.span.start, Deps::source(SRC_KEYSTROKE));
                    self.source(SourceKind::Keystroke, span);
                } else if let Expression::ArrowFunctionExpression(f) = rhs.without_parentheses() {
                    self.pending_params
                        .insert(f.span.start, Deps::source(SRC_KEYSTROKE));
                    self.source(SourceKind::Keystroke, span);
                }
            }
            _ => {}
        }
        if self.is_storage(obj) {
            let d = self.deps(rhs);
            let s = self.storage_sym();
            self.facts.graph.edge(s, d);
            return;
        }
        if obj_path.as_deref() == Some("document") || obj_path.as_deref() == Some("location") {
            return;
        }
        let d = self.deps(rhs);
        if let Some(s) = self.base_sym(obj) {
            self.facts.graph.edge(s, d);
            self.note_binding(s, rhs);
        }
    }

    fn array_marker(&mut self, a: &'a ArrayExpression<'a>, name: &str) {
        if a.elements.len() < 8 {
            return;
        }
        let mut strings = 0;
        let mut escaped = 0;
        for el in &a.elements {
            if let Some(Expression::StringLiteral(s)) = el.as_expression() {
                strings += 1;
                let raw = self.text(s.span);
                if raw.contains("\\x") || raw.contains("\\u00") {
                    escaped += 1;
                }
            }
        }
        if strings == a.elements.len() && (escaped * 2 >= strings || name.starts_with("_0x")) {
            let at = self.at(a.span);
            self.marker(
                Marker::StringTable,
                at,
                format!("string table `{name}` of {strings} strings"),
            );
        }
    }
}

fn find_ice_url(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Str(s)
            if s.starts_with("stun:") || s.starts_with("turn:") || s.starts_with("turns:") =>
        {
            Some(s.to_string())
        }
        Value::Array(a) => a.borrow().iter().find_map(find_ice_url),
        Value::Object(o) => o.borrow().iter().find_map(|(_, v)| find_ice_url(v)),
        _ => None,
    }
}
