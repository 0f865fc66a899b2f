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

mod builtins;
mod calls;
pub(crate) use calls::borrowed_method;
mod expr;
mod functions;
mod havoc;
mod local;
mod objects;
mod page;
mod patterns;
pub use local::Enclosing;
pub use patterns::binding_names;
mod statements;
mod strings;
mod templates;
mod url_parts;
mod utf16;

use super::value::{Frame, NameMap, NameSet, Scope, Value, num_to_string};
use oxc_ast::ast::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

pub use strings::{atob, js_regex, percent_decode, unescape};

/// Steps one top-level evaluation may take (an accessor call, a decoder loop).
const FUEL_PER_EVAL: u64 = 3_000_000;
/// Steps of a quick look (a computed property name, a selector, a callee).
const FUEL_PEEK: u64 = 5_000;
/// Steps all evaluations of one script may take together.
const FUEL_PER_SCRIPT: u64 = 30_000_000;
/// Steps every evaluation gets even once the script's pool is spent. Without them a prefix
/// that burns the pool (a loop called from a few hundred places) left every later literal
/// unknown — the card field's selector, the exfiltration URL — and the skimmer after it was
/// reported only as a partial analysis. A selector, a concatenation or a short `join` fits;
/// a decoder does not, and the budget finding still says the analysis was partial. Bounded
/// by the number of evaluations (linear in the script) and by the time budget.
const FUEL_FLOOR: u64 = 1024;
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
    /// A class declaration: its static members (see [`functions`]).
    Class(&'a Class<'a>),
    /// A name bound by destructuring (`const { host } = cfg`): the pattern and its value.
    Pattern(&'a BindingPattern<'a>, &'a Expression<'a>),
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
    decls: NameMap<'a, GlobalDecl<'a>>,
    cache: RefCell<NameMap<'a, Value<'a>>>,
    /// Globals whose value came out of a decoding step while the top level ran.
    decoded_names: RefCell<NameSet<'a>>,
    resolving: RefCell<NameSet<'a>>,
    fuel: Cell<u64>,
    /// The part of `fuel` given on top of the script's pool (see [`FUEL_FLOOR`]).
    floor: Cell<u64>,
    total: Cell<u64>,
    depth: Cell<u32>,
    calls: Cell<u32>,
    /// Set when a value was produced by a decoding step (Base64, char codes, escapes, a
    /// string-table read…): the caller resets it before an evaluation and reads it after.
    pub decoded: Cell<bool>,
    deadline: Instant,
    pub timed_out: Cell<bool>,
    /// Names changed at unknown times (inside functions): never read as constants.
    volatile: NameSet<'a>,
    /// Names changed by top-level statements, which the top-level run executes in order.
    staged: NameSet<'a>,
    /// Every value a volatile name may hold, when all are listed (see [`super::constants`]).
    alternatives: NameMap<'a, Vec<&'a Expression<'a>>>,
    /// The code units of the last long string indexed (see [`utf16`]).
    utf16: RefCell<Option<utf16::Cached>>,
    /// Regular expressions compiled so far, by their `regex` source (see [`strings`]).
    regexes: RefCell<std::collections::HashMap<String, Option<regex::Regex>>>,
    /// While evaluating in a function's context (see [`local`]): the frame that takes the
    /// globals the run reads (as copies) and assigns, so the script's globals never change.
    shadow: RefCell<Option<Scope<'a>>>,
    /// While evaluating in a function's context: what the run stored in Web storage
    /// (`localStorage.setItem(k, u)` before `getItem(k)`), by area and key. Empty otherwise:
    /// storage written elsewhere may change at any time.
    storage: RefCell<std::collections::HashMap<(String, String), Value<'a>>>,
    /// The names functions nested in a body assign, by body (see [`local`]): a pure function
    /// of the tree, asked again for every evaluation in the context of the same body.
    nested_writes: RefCell<local::NestedWritesCache<'a>>,
    /// The names a body declares, and those of its frame (see [`local`]), by body: pure
    /// functions of the tree, asked again for every evaluation in the same body's context.
    body_names: RefCell<local::NestedWritesCache<'a>>,
    /// Each body's frame of unknown variables (see [`local`]), copied for every evaluation.
    unknown_frames: RefCell<std::collections::HashMap<usize, NameMap<'a, Value<'a>>>>,
    /// What of its page the script can read (see [`page`]); empty for a lone script.
    page: Rc<crate::page::values::PageValues>,
}

impl<'a> Interp<'a> {
    pub fn new(src: &'a str, decls: NameMap<'a, GlobalDecl<'a>>, deadline: Instant) -> Self {
        Interp {
            src,
            decls,
            cache: RefCell::default(),
            decoded_names: RefCell::default(),
            resolving: RefCell::default(),
            fuel: Cell::new(0),
            floor: Cell::new(0),
            total: Cell::new(FUEL_PER_SCRIPT),
            depth: Cell::new(0),
            calls: Cell::new(0),
            decoded: Cell::new(false),
            deadline,
            timed_out: Cell::new(false),
            volatile: NameSet::default(),
            staged: NameSet::default(),
            alternatives: NameMap::default(),
            utf16: RefCell::default(),
            regexes: RefCell::default(),
            shadow: RefCell::default(),
            storage: RefCell::default(),
            nested_writes: RefCell::default(),
            body_names: RefCell::default(),
            unknown_frames: RefCell::default(),
            page: Rc::default(),
        }
    }

    /// The page's values the script can read: its own tag, meta contents, data attributes and
    /// configuration blocks (see [`page`]).
    pub fn with_page(mut self, page: Rc<crate::page::values::PageValues>) -> Self {
        self.page = page;
        self
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
    pub fn with_changes(mut self, volatile: NameSet<'a>, staged: NameSet<'a>) -> Self {
        self.volatile = volatile;
        self.staged = staged;
        self
    }

    /// The listed values of volatile names (see [`super::constants`]).
    pub fn with_alternatives(mut self, alternatives: NameMap<'a, Vec<&'a Expression<'a>>>) -> Self {
        self.alternatives = alternatives;
        self
    }

    /// The expressions a name changed at unknown times may hold, when every one is listed.
    pub fn alternatives(&self, name: &str) -> Option<&[&'a Expression<'a>]> {
        self.alternatives.get(name).map(Vec::as_slice)
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

    /// Evaluate with some names bound (a function's parameters, to the arguments of one of
    /// its calls), and report whether a decoding step was involved.
    pub fn eval_with(
        &self,
        e: &'a Expression<'a>,
        binds: Vec<(&'a str, Value<'a>)>,
    ) -> (Value<'a>, bool) {
        let frame: Scope<'a> = Rc::new(Frame::default());
        frame.vars.borrow_mut().extend(binds);
        self.decoded.set(false);
        self.begin();
        let v = self.ev(e, Some(&frame));
        self.end();
        (v, self.decoded.get())
    }

    /// The script's function declared once by this name (anywhere in the script).
    pub fn decl_fn(&self, name: &str) -> Option<&'a Function<'a>> {
        match self.decls.get(name)? {
            GlobalDecl::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The expression a script-wide constant binding is initialised with (`const args = [u,
    /// o]`), when it never changes.
    pub fn decl_init(&self, name: &str) -> Option<&'a Expression<'a>> {
        if self.volatile.contains(name) {
            return None;
        }
        match self.decls.get(name)? {
            GlobalDecl::Init(e) => Some(e),
            _ => None,
        }
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
        let drawn = fuel.min(self.total.get());
        self.total.set(self.total.get() - drawn);
        let floor = FUEL_FLOOR.min(fuel).saturating_sub(drawn);
        self.floor.set(floor);
        self.fuel.set(drawn + floor);
    }

    fn end(&self) {
        // Unused fuel goes back to the script's pool, except the floor it never gave.
        let unused = self.fuel.get().saturating_sub(self.floor.get());
        self.total.set(self.total.get() + unused);
        self.fuel.set(0);
        self.floor.set(0);
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
