//! The fact collector: one walk over a script's syntax tree that records sources, sinks,
//! loads, hidden code, markers and the data-flow edges between variables. Names resolve
//! through a stack of function scopes (parameters, `var`/`let`/`const` and function
//! declarations, hoisted per body), falling back to one global symbol per name, which decoded
//! code (`eval`) shares with the code around it.
//!
//! Constant values (URLs, selectors, `eval` arguments, functions) come from the evaluator
//! ([`super::interp`]). The walk is split along its seams: this file holds the state, names
//! and the visitor; [`callsite`] resolves which function a call runs (functions are values),
//! [`calls`] and [`writes`] record what calls and property writes do, [`deps`] computes what
//! a value depends on, [`api`] applies the Web API catalogue, [`pipes`] follows hand-offs
//! (events, messages, storage, IndexedDB, DOM staging, promises), [`indirect`] joins sinks
//! passed as arguments, [`precision`] decides what about a value is read, [`own_form`] finds
//! fields a script creates, [`workers`] inline workers, [`hidden`] decoded code and markup,
//! and [`gates`] checkout-only code paths.

use super::budget::Deadline;
use super::facts::{Facts, Load, MarkerHit, Offset, Sink, SourceRead, UrlText, snippet};
use super::flow::{Deps, Sym};
use super::interp::Interp;
use super::value::Value;
use super::vocabulary::Vocabulary;
use crate::rules::schema::{Channel, Marker, SourceKind};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::BinaryOperator;
use oxc_syntax::scope::ScopeFlags;
use std::collections::{HashMap, HashSet};

use super::flow::FxBuild;

mod aliases;
mod api;
mod builders;
mod calls;
mod callsite;
mod deps;
mod gates;
mod hidden;
mod indirect;
mod own_form;
mod pipes;
mod precision;
mod workers;
mod writes;

use callsite::arg_exprs;

/// Decoded code nested in decoded code, at most this deep.
pub(super) const MAX_HIDDEN_DEPTH: u32 = 4;
/// Total decoded code analysed per script.
pub(super) const MAX_HIDDEN_BYTES: usize = 8 << 20;
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

/// Where a piece of code sits: the script itself (depth 0), or code decoded from it, whose
/// facts are reported at the outer call's offset.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    pub at: Option<Offset>,
    pub hidden: bool,
    pub depth: u32,
    pub bytes: usize,
    /// The evaluator fuel the layer may use (the rest of its script's); None at the top.
    pub fuel: Option<u64>,
}

pub struct Ctx<'k> {
    pub vocab: &'k Vocabulary,
    /// The Web API catalogue (`rules/data/web-api.toml`).
    pub apis: &'k super::web_api::WebApi,
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
    /// Elements known by an id or name the script gave or selected them by (DOM pipes).
    elem_keys: HashMap<Sym, String>,
    /// Variables holding an IndexedDB object store, by store name.
    store_names: HashMap<Sym, String>,
    /// What each `new Promise(…)` resolves to, by the expression's start; and the executor
    /// functions whose first parameter resolves it.
    promise_vals: HashMap<u32, Sym>,
    promise_execs: HashMap<u32, Sym>,
    /// Keystroke listeners' callbacks (by start) and their event parameters: a keystroke is
    /// read only when its data (`key`, `value`…) is, not its timing.
    keystroke_cbs: HashMap<u32, (Span, SourceKind)>,
    keystroke_params: HashMap<Sym, (Span, SourceKind)>,
    /// Fields the script creates, and those of them it names like card fields.
    created_fields: HashSet<Sym>,
    card_fields: HashSet<Sym>,
    /// Arguments passed to a function built by `Function(…)`, by the building call's start.
    fn_ctor_args: HashMap<u32, Vec<String>>,
    /// `this.url = …` in a class's methods (its constructor), by the class's `this` symbol
    /// and the property; None when assigned more than once (then it is not a constant).
    this_fields: HashMap<(Sym, String), Option<&'a Expression<'a>>>,
    /// Reads whose parent uses only a yes/no, a length or a masked copy of them.
    hidden_reads: HashSet<(u32, u32)>,
    /// `new Blob([...])` by the variable holding it (inline workers).
    blob_inits: HashMap<&'a str, &'a NewExpression<'a>>,
    /// Each parameter's function (by its symbol) and position, for sinks passed as arguments.
    param_index: HashMap<Sym, (Sym, usize)>,
    param_calls: Vec<indirect::ParamCall<'a>>,
    fn_args: Vec<indirect::FnArg<'a>>,
    /// Names that only ever hold a URL scheme (see [`aliases`]).
    schemes: aliases::SchemeNames<'a>,
    /// Strings built step by step in one body (see [`builders`]).
    builders: builders::Builders<'a>,
    /// Parameters that stand for jQuery inside their function (ready callbacks).
    jquery_params: Vec<(&'a str, Span)>,
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
            elem_keys: HashMap::new(),
            store_names: HashMap::new(),
            promise_vals: HashMap::new(),
            promise_execs: HashMap::new(),
            keystroke_cbs: HashMap::new(),
            keystroke_params: HashMap::new(),
            created_fields: HashSet::new(),
            card_fields: HashSet::new(),
            fn_ctor_args: HashMap::new(),
            this_fields: HashMap::new(),
            hidden_reads: HashSet::new(),
            blob_inits: HashMap::new(),
            param_index: HashMap::new(),
            param_calls: Vec::new(),
            fn_args: Vec::new(),
            schemes: aliases::SchemeNames::default(),
            builders: builders::Builders::default(),
            jquery_params: Vec::new(),
        }
    }

    /// Walk a program and add what was found to the facts.
    pub fn run(&mut self, program: &'a Program<'a>) {
        self.schemes = aliases::SchemeNames::of(program);
        self.builders = builders::Builders::of(program);
        self.visit_program(program);
        self.join_param_calls();
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
                    // `var d = document; d.cookie`: an alias of a browser object is that object.
                    let name = id.name.as_str();
                    if self.is_jquery_param(name, id.span) {
                        parts.push("jQuery".into());
                        break;
                    }
                    if !crate::js::web_api::is_browser_global(name)
                        && !untainted(name)
                        && self.interp.is_global_binding(name)
                    {
                        match self.interp.peek(cur) {
                            Value::Api(p) => {
                                parts.push(p.to_string());
                                break;
                            }
                            Value::Host("window") => {
                                parts.push("window".into());
                                break;
                            }
                            _ => {}
                        }
                    }
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
                ) || (!untainted(id.name.as_str())
                    && self.interp.is_global_binding(id.name.as_str())
                    && matches!(self.interp.peek(e), Value::Host("window")))
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

    /// `this.url` in a class method, set once elsewhere in the class (`constructor() {
    /// this.url = … }`).
    fn this_field(&self, e: &'a Expression<'a>) -> Option<&'a Expression<'a>> {
        let Expression::StaticMemberExpression(m) = e.without_parentheses() else {
            return None;
        };
        if !matches!(
            m.object.without_parentheses(),
            Expression::ThisExpression(_)
        ) {
            return None;
        }
        let this = self.this_sym()?;
        self.this_fields
            .get(&(this, m.property.name.to_string()))
            .copied()
            .flatten()
    }

    fn url_text(&mut self, e: &'a Expression<'a>) -> UrlText {
        let e = self
            .this_property(e)
            .or_else(|| self.this_field(e))
            .unwrap_or(e);
        let (v, dec) = self.interp_eval(e);
        let hidden = dec || self.hidden_ctx;
        // A partly known URL keeps its known pieces (a host's registrable suffix).
        let mut text = match &v {
            Value::Holed(h) if h.chars().any(|c| c != crate::js::value::HOLE) => {
                Some(h.to_string())
            }
            v => v.known_text().map(str::to_string),
        };
        // A string built step by step in this body (`u = "https://"; u += host`).
        if !matches!(v, Value::Str(_) | Value::Url(_))
            && let Some(b) = self.built_text(e)
        {
            text = Some(b);
        }
        // An unknown run at the start that can only be a scheme (a variable that only ever
        // holds "https://" or "http://", the page's `location.protocol`): the known text
        // after it names the host whichever scheme runs.
        if let Some(t) = &text
            && let Some(rest) = t.strip_prefix(crate::js::value::HOLE)
            && let Some(scheme) = self.schemes.leading_scheme(e)
        {
            text = Some(format!("{scheme}{rest}"));
        }
        if hidden && let Some(t) = &text {
            self.facts.add_decoded(t);
        }
        UrlText {
            complete: matches!(v, Value::Str(_) | Value::Url(_)),
            text,
            hidden,
        }
    }

    /// Whether `name` at `at` is the jQuery a ready callback was handed.
    fn is_jquery_param(&self, name: &str, at: Span) -> bool {
        self.jquery_params
            .iter()
            .any(|(n, f)| *n == name && f.start <= at.start && at.end <= f.end)
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

    // ---- calls ------------------------------------------------------------------------

    fn note_binding(&mut self, target: Sym, init: &'a Expression<'a>) {
        if let Some(k) = self.dom_key(init) {
            self.elem_keys.insert(target, k);
        }
        if let Some(st) = self.idb_store(init) {
            self.store_names.insert(target, st);
        }
        self.note_created_element(target, init);
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
            if i == 0
                && let Some(s) = first
            {
                // `new Promise(resolve => resolve(v))`: calling the first parameter resolves.
                if let Some(v) = self.promise_execs.remove(&span_start) {
                    self.facts.graph.fn_params.insert(s, vec![v]);
                }
                if let Some(listener) = self.keystroke_cbs.remove(&span_start) {
                    self.keystroke_params.insert(s, listener);
                }
            }
            if let Some(s) = first {
                self.param_index.insert(s, (ret, i));
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
        let it = self.alloc(it);
        self.mark_hidden_reads(it);
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
                self.note_blob(n, init);
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
                } else if name.starts_with("on")
                    && self.scopes.iter().all(|sc| !sc.contains_key(name))
                {
                    // `onmessage = e => …` in a worker or the page: a global handler.
                    self.handler_write(None, name, rhs);
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
                    if let (Some(p), Expression::ThisExpression(_)) =
                        (&prop, m.object().without_parentheses())
                        && let Some(this) = self.this_sym()
                    {
                        let slot = self
                            .this_fields
                            .entry((this, p.clone()))
                            .or_insert(Some(rhs));
                        if slot.is_some_and(|x| !std::ptr::eq(x, rhs)) {
                            *slot = None;
                        }
                    }
                    self.member_write(m.object(), prop.as_deref(), rhs, it.span);
                }
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        let it = self.alloc(it);
        let mut name = self.callee_name(&it.callee).1;
        // `const W = window['Web' + 'Socket']; new W(u)`: the constructor is a value too.
        if name
            .as_deref()
            .is_some_and(|n| !crate::js::web_api::is_browser_global(n))
            && let Value::Api(p) = self.interp.peek(&it.callee)
        {
            name = Some(p.rsplit('.').next().unwrap_or(&p).to_string());
        }
        let a0 = self.arg(&it.arguments, 0);
        let handle = self.handles.get(&it.span.start).copied();
        if let Some(entry) = name
            .as_deref()
            .and_then(|n| self.k.apis.find(n, None, true))
        {
            let entry = entry.clone();
            let args = arg_exprs(&it.arguments);
            self.api_new(&entry, &args, it.span, handle);
        }
        self.pipe_new(it, name.as_deref());
        match name.as_deref() {
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
            Some("Function") => {
                let args = arg_exprs(&it.arguments);
                self.function_ctor(&args, it.span)
            }
            Some("FormData") => self.source(SourceKind::Harvest, it.span),
            Some("Worker" | "SharedWorker") => self.worker_from_blob(a0, it.span),
            _ => {}
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if self.tick() {
            return;
        }
        let it = self.alloc(it);
        let is_jq = |e: &'a Expression<'a>| {
            self.path_of(e)
                .is_some_and(|p| is_jquery_name(&p) || p == "jQuery")
        };
        if let Some(p) = aliases::jquery_ready_param(it, is_jq) {
            self.jquery_params.push(p);
        }
        self.on_call(it);
        walk::walk_call_expression(self, it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        let it = self.alloc(it);
        self.keystroke_read(it);
        let p = it.property.name.as_str();
        if p == "value" && self.is_own_card_field(&it.object) {
            self.source(SourceKind::Payment, it.span);
        }
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

impl<'a> Collector<'a, '_, '_> {}

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
