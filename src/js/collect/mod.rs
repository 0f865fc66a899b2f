//! The fact collector: one walk over a script's syntax tree that records sources, sinks,
//! loads, hidden code, markers and the data-flow edges between variables. Names resolve
//! through a stack of function scopes (parameters, `var`/`let`/`const` and function
//! declarations, hoisted per body), falling back to one global symbol per name, which decoded
//! code (`eval`) shares with the code around it.
//!
//! Constant values (URLs, selectors, `eval` arguments, functions) come from the evaluator
//! ([`super::interp`]). The walk is split along its seams: this file holds the state and
//! places; [`visit`] is the visitor that drives the walk; [`scopes`] resolves names through
//! the scope stack; [`resolve`] says what an expression names (member paths, the window,
//! storage, selectors, URL texts); [`record`] records sinks, loads and sources; [`callsite`] resolves which function a call runs (functions are values),
//! [`calls`] and [`writes`] record what calls and property writes do, [`deps`] computes what
//! a value depends on, [`api`] applies the Web API catalogue, [`pipes`] follows hand-offs
//! (events, messages, storage, IndexedDB, DOM staging, promises), [`indirect`] joins sinks
//! passed as arguments, [`params`] resolves sinks whose URL is a parameter at the function's
//! calls (through callers of callers, [`contexts`]), [`instances`] follows `this` through
//! constructors, prototypes, classes and Proxy traps, [`built_fns`] functions built by
//! `Function(…)`, [`invoke`] records functions the browser calls (timers, promise reactions),
//! [`fn_values`] browser functions held in a function's variables, `this` and parameters,
//! [`precision`] decides what about a value is read, [`own_form`] finds fields a script
//! creates, [`opaque`] calls of functions it cannot see into given data and a URL, [`handles`] variables holding a card field, [`holders`] selections held for listeners, [`truncation`] a BIN or last four, [`dead`] branches a shipped setting turns off, [`alternatives`] URLs read from
//! variables assigned in several places, [`workers`] inline workers, [`hidden`] decoded code
//! and markup,
//! and [`gates`] checkout-only code paths.

use super::budget::Deadline;
use super::facts::{Facts, MarkerHit, Offset, snippet};
use super::flow::{Deps, Sym};
use super::interp::Interp;
use super::vocabulary::Vocabulary;
use crate::rules::schema::{Marker, SourceKind};
use oxc_ast::ast::*;
use oxc_ast_visit::Visit;
use oxc_span::Span;
use std::collections::{HashMap, HashSet};

use super::flow::FxBuild;

mod aliases;
mod alternatives;
mod api;
mod builders;
mod built_fns;
mod calls;
mod callsite;
mod card_guards;
mod card_members;
mod contexts;
mod dead;
mod dead_drops;
mod deps;
mod downloads;
mod fn_refs;
mod fn_values;
mod gates;
mod handles;
mod hidden;
mod holders;
mod indirect;
mod instances;
mod invoke;
mod opaque;
mod other_fields;
mod own_form;
mod param_pipes;
mod params;
mod parsed_docs;
mod pipes;
mod precision;
mod record;
mod request_hooks;
mod script_props;
use request_hooks::RequestHook;
mod resolve;
mod scopes;
mod selector_helpers;
mod tables;
mod truncation;
mod type_guards;
mod visit;
mod workers;
mod writes;

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
    /// Ids and names of card fields the outer code wrote as markup: a script in that markup
    /// (a frame's `srcdoc`, `document.write`) reads them as card fields too.
    pub own_card_keys: Vec<String>,
}

pub struct Ctx<'k> {
    pub vocab: &'k Vocabulary,
    /// The Web API catalogue (`rules/data/web-api.toml`).
    pub apis: &'k super::web_api::WebApi,
    pub deadline: Deadline,
    /// What of its page the script can read (see `page::values`).
    pub page: std::rc::Rc<crate::page::values::PageValues>,
}

struct FnCtx<'a> {
    ret: Sym,
    gated: bool,
    /// What `this` carries in this function: a card field's listener is called with the
    /// field as `this` (see [`precision`]).
    this_src: u8,
    /// The function is a constructor or a prototype method: it pushed its `this`.
    instance: bool,
    /// Its own parameters (one of several functions behind one name has its own).
    params: Vec<Sym>,
    /// The function is a keystroke listener's callback: the listener's place and kind.
    keystroke: Option<(Span, SourceKind)>,
    /// Its parameters and body, to evaluate its variables at a place (see
    /// [`super::interp::Enclosing`]).
    body: Option<super::interp::Enclosing<'a>>,
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
    /// Said before every piece of evidence (flows seen on the stub page, not in the text).
    evidence_note: Option<&'static str>,
    hidden_ctx: bool,
    hidden_depth: u32,
    hidden_bytes: usize,
    scopes: Vec<HashMap<&'a str, Sym, FxBuild>>,
    fn_stack: Vec<FnCtx<'a>>,
    pending_params: HashMap<u32, Deps, FxBuild>,
    pending_binding: HashMap<u32, Sym, FxBuild>,
    /// Names of the methods the script defines (see `method_sym`).
    methods: HashSet<String, FxBuild>,
    /// Constant strings an iteration callback's first parameter takes
    /// (`['#cc-number', '#cvv'].map(s => …)`), by the callback's start, then by its symbol.
    /// A callback's parameter (by index, and by name within a `[key, value]` pattern) and
    /// the constant texts it takes.
    pending_param_texts: HashMap<u32, (usize, usize, Vec<String>), FxBuild>,
    /// Requests whose responses the script reads, and code it runs from strings (see
    /// `downloads`).
    responses: Vec<downloads::Response>,
    /// Sends whose address the evaluator could not know (see `dead_drops`).
    unknown_addresses: Vec<dead_drops::UnknownAddress>,
    response_at: HashMap<u32, Sym, FxBuild>,
    code_sinks: Vec<downloads::CodeSink>,
    /// Functions called where they are written, by start: their arguments.
    iife_args: HashMap<u32, &'a [Argument<'a>], FxBuild>,
    param_texts: HashMap<Sym, Vec<String>, FxBuild>,
    /// Return symbols of callbacks whose result is the call's value (`a.map(cb)`), by start.
    callback_ret: HashMap<u32, Sym, FxBuild>,
    /// What `this` stands for in the methods of the object literal or class being walked.
    /// Each with the function depth at the object or class: `this` means it only in
    /// functions defined inside (`{ body: this.x }` keeps the enclosing `this`).
    this_syms: Vec<(Sym, usize)>,
    /// The object literal `this` stands for (None in a class), parallel to `this_syms`.
    this_objs: Vec<Option<&'a ObjectExpression<'a>>>,
    handles: HashMap<u32, Sym, FxBuild>,
    script_elems: HashSet<Sym, FxBuild>,
    gate: u32,
    nodes: u64,
    pub stopped: bool,
    escapes: usize,
    literal_bytes: usize,
    /// Vocabulary answers for names in the source (property names repeat endlessly).
    vocab_memo: HashMap<&'a str, bool, FxBuild>,
    first_escape: Option<Offset>,
    /// Elements known by an id or name the script gave or selected them by (DOM pipes).
    elem_keys: HashMap<Sym, String, FxBuild>,
    /// Variables holding a row of a selector table (see `tables`).
    table_rows: HashMap<Sym, Vec<crate::js::value::Value<'a>>, FxBuild>,
    /// Variables holding an IndexedDB object store, by store name.
    store_names: HashMap<Sym, String, FxBuild>,
    /// What each `new Promise(…)` resolves to, by the expression's start; and the executor
    /// functions whose first parameter resolves it.
    promise_vals: HashMap<u32, Sym, FxBuild>,
    promise_execs: HashMap<u32, Sym, FxBuild>,
    /// Keystroke listeners' callbacks (by start) and their event parameters: a keystroke is
    /// read only when its data (`key`, `value`…) is, not its timing.
    keystroke_cbs: HashMap<u32, (Span, SourceKind), FxBuild>,
    /// Listener callbacks (by start) whose `this` is a card field.
    listener_this: HashMap<u32, u8, FxBuild>,
    /// Functions that replace a browser's request call (see `request_hooks.rs`), by start:
    /// which parameter receives what the page's scripts send.
    request_hooks: HashMap<u32, RequestHook, FxBuild>,
    /// Parameters holding a `fetch` call's options: their `body` is what was sent.
    request_inits: std::collections::HashSet<Sym, FxBuild>,
    /// Local names for the browser objects whose request calls a hook replaces
    /// (`var P = XMLHttpRequest.prototype`).
    request_owner_aliases: HashMap<Sym, String, FxBuild>,
    /// Variables holding a card field's element, and how they are used (see [`handles`]).
    card_handles: HashMap<Sym, handles::HandleUses, FxBuild>,
    /// Variables holding a document the script parsed, or an element of one (see
    /// [`parsed_docs`]).
    parsed_docs: std::collections::HashSet<Sym, FxBuild>,
    keystroke_params: HashMap<Sym, (Span, SourceKind), FxBuild>,
    /// Every keystroke listener's callback (by start), with or without parameters.
    keystroke_fns: HashMap<u32, (Span, SourceKind), FxBuild>,
    /// The element a keystroke listener is on, by the listener's start.
    keystroke_receivers: HashMap<u32, Sym, FxBuild>,
    /// Function declarations of the script's functions, as hoisted.
    own_fn_syms: std::collections::HashSet<Sym, FxBuild>,
    /// The value symbol of each call of an own function, by the call's span (see
    /// `call_value`).
    call_value_syms: HashMap<(u32, u32), (Sym, usize), FxBuild>,
    /// What each call of an own function gave its parameters, by the call's span.
    own_call_args: HashMap<(u32, u32), (Sym, Vec<Deps>), FxBuild>,
    /// Properties only the script assigns (see `with_script_props`).
    script_props: super::value::NameSet<'a>,
    prop_syms: HashMap<String, Sym, FxBuild>,
    /// Bindings made by `new Map()` / `new WeakMap()` (see `call_deps`), `true` for a
    /// WeakMap: its keys cannot be read back, only what is stored under them.
    map_syms: HashMap<Sym, bool, FxBuild>,
    /// Elements a card-field guard said are not card fields, in the branch being walked.
    not_card: Vec<&'a str>,
    /// Names a type test said hold no text here (`if (typeof v !== 'string') return v;`).
    no_text: Vec<&'a str>,
    /// Names whose strings an earlier `if (typeof v === 'string') return …` dealt with.
    text_done: Vec<&'a str>,
    /// Names whose objects an earlier `if (v && typeof v === 'object') { … return o; }`
    /// dealt with: with their strings dealt with too, what is left is a number or a flag.
    objects_done: Vec<&'a str>,
    /// Keys a card-word test said are not card fields' (`SENSITIVE.test(k) ? '[Filtered]' :
    /// v`), in the branch being walked: `o[k]` and the value bound with the key (`v` of a
    /// `forEach(function (v, k)`) hold another field's value.
    not_card_keys: Vec<Sym>,
    not_card_values: Vec<Sym>,
    /// Objects that send through another's connection (a data channel of a peer connection).
    handle_aliases: HashMap<Sym, Sym, FxBuild>,
    /// Frames the script made, and the data written to their names.
    created_frames: std::collections::HashSet<Sym, FxBuild>,
    frame_names: HashMap<Sym, Deps, FxBuild>,
    /// Fields the script made with `type = 'hidden'`, and the card fields it made (see
    /// `own_form`).
    hidden_created: std::collections::HashSet<Sym, FxBuild>,
    own_field_injections: Vec<(Sym, crate::js::facts::Injection)>,
    /// Variables holding a `new FormData(…)`: a named `get` of one reads only that field; the
    /// form counts as harvested (the `new` expression's span) once the FormData is used whole.
    form_data: HashMap<Sym, Option<Span>, FxBuild>,
    /// Fields the script creates, and those of them it names like card fields.
    created_fields: HashSet<Sym, FxBuild>,
    /// Elements the script made that are no fields (a modal's box): selecting `input`s
    /// inside one selects the script's own fields, not the page's (see `own_form`).
    created_containers: HashSet<Sym, FxBuild>,
    card_fields: HashSet<Sym, FxBuild>,
    /// Ids and names of card fields in markup the script wrote (`innerHTML`).
    own_card_keys: HashSet<String, FxBuild>,
    /// Arguments passed to a function built by `Function(…)`, by the building call's start.
    fn_ctor_args: HashMap<u32, Vec<String>, FxBuild>,
    /// `this.url = …` in a class's methods (its constructor), by the class's `this` symbol
    /// and the property; None when assigned more than once (then it is not a constant).
    this_fields: HashMap<(Sym, String), Option<&'a Expression<'a>>, FxBuild>,
    /// Reads whose parent uses only a yes/no, a length or a masked copy of them.
    hidden_reads: HashSet<(u32, u32), FxBuild>,
    /// Variables declared from a field's text (see [`truncation`]).
    text_vars: HashSet<Sym, FxBuild>,
    /// Selections of every field kept or iterated where made, and the callbacks whose
    /// parameters hold elements (see [`holders`]).
    held_selections: HashSet<(u32, u32), FxBuild>,
    holder_cbs: HashSet<u32, FxBuild>,
    /// Callbacks (by start) of `filter`, `some`…: their answers are yes or no (`holders`).
    predicate_cbs: HashSet<u32, FxBuild>,
    /// Window properties this script writes, each linked to its pipe once (see `pipes`).
    window_globals: HashSet<String, FxBuild>,
    /// Callbacks iterating a list of the script's own card fields (see `own_form`).
    card_field_cbs: HashSet<u32, FxBuild>,
    /// Callbacks of calls on a name that may turn out to hold elements (see `holders`).
    maybe_holder_cbs: HashMap<u32, Sym, FxBuild>,
    /// `new Blob([...])` by the variable holding it (inline workers).
    blob_inits: HashMap<&'a str, &'a NewExpression<'a>, FxBuild>,
    /// The other values of the last URL resolved (see [`alternatives`]).
    url_alternatives: Option<alternatives::UrlAlternatives>,
    /// Each parameter's function (by its symbol) and position, for sinks passed as arguments.
    param_index: HashMap<Sym, (Sym, usize), FxBuild>,
    /// Pipe writes named by a parameter, joined to the calls at the end (see `param_pipes`).
    param_pipes: Vec<param_pipes::ParamPipe>,
    /// Functions that select elements by a parameter: (function, parameter index).
    selector_params: std::collections::HashSet<(Sym, usize), FxBuild>,
    param_calls: Vec<indirect::ParamCall<'a>>,
    fn_args: Vec<indirect::FnArg<'a>>,
    fn_passes: Vec<indirect::FnPass<'a>>,
    /// Functions' variables holding a browser function, with the expression it comes from
    /// (see [`fn_values`]).
    local_fns: HashMap<Sym, fn_values::LocalVal<'a>, FxBuild>,
    /// `T.s = <browser function>`, by the object's symbol and the property.
    member_fns: HashMap<(Sym, String), &'a Expression<'a>, FxBuild>,
    /// Sinks whose URL is a parameter, the calls of the script's functions and iteration
    /// callbacks, joined at the end (see [`params`]); each function's symbol by its start,
    /// and its parameters' names.
    param_sinks: Vec<params::ParamSink<'a>>,
    own_calls: Vec<params::OwnCall<'a>>,
    iter_calls: Vec<params::IterCall<'a>>,
    fn_starts: HashMap<u32, Sym, FxBuild>,
    /// Functions used as values (see `fn_refs`): a symbol per function expression, by its
    /// start, and the declared functions named as values.
    fn_ref_syms: HashMap<u32, Sym, FxBuild>,
    fn_ref_decls: HashSet<Sym, FxBuild>,
    /// Each function's parameters (the first function bound to a name), and whether it is an
    /// arrow (whose `arguments` is its enclosing function's).
    fn_param_names: HashMap<Sym, (&'a FormalParameters<'a>, bool), FxBuild>,
    /// Names that only ever hold a URL scheme (see [`aliases`]).
    schemes: aliases::SchemeNames<'a>,
    /// Strings built step by step in one body (see [`builders`]).
    builders: builders::Builders<'a>,
    /// Parameters that stand for jQuery inside their function (ready callbacks).
    jquery_params: Vec<(&'a str, Span)>,
    /// The script's constructors, prototypes and proxies (see [`instances`]).
    instances: instances::Instances,
    /// Calls of unknown functions given data and an absolute URL (see [`opaque`]).
    opaque_calls: Vec<opaque::OpaqueCall>,
    /// Evaluations in the context of the enclosing functions so far (see `resolve`).
    context_evals: u32,
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
            evidence_note: None,
            hidden_ctx: false,
            hidden_depth: 0,
            hidden_bytes: 0,
            scopes: Vec::new(),
            fn_stack: Vec::new(),
            pending_params: HashMap::default(),
            pending_binding: HashMap::default(),
            methods: HashSet::default(),
            pending_param_texts: HashMap::default(),
            iife_args: HashMap::default(),
            responses: Vec::new(),
            unknown_addresses: Vec::new(),
            response_at: HashMap::default(),
            code_sinks: Vec::new(),
            param_texts: HashMap::default(),
            callback_ret: HashMap::default(),
            this_syms: Vec::new(),
            this_objs: Vec::new(),
            handles: HashMap::default(),
            script_elems: HashSet::default(),
            gate: 0,
            nodes: 0,
            stopped: false,
            escapes: 0,
            literal_bytes: 0,
            vocab_memo: HashMap::default(),
            first_escape: None,
            elem_keys: HashMap::default(),
            table_rows: HashMap::default(),
            store_names: HashMap::default(),
            promise_vals: HashMap::default(),
            promise_execs: HashMap::default(),
            keystroke_cbs: HashMap::default(),
            listener_this: HashMap::default(),
            request_hooks: HashMap::default(),
            request_inits: Default::default(),
            request_owner_aliases: HashMap::default(),
            card_handles: HashMap::default(),
            parsed_docs: Default::default(),
            keystroke_params: HashMap::default(),
            keystroke_fns: HashMap::default(),
            keystroke_receivers: HashMap::default(),
            own_fn_syms: Default::default(),
            call_value_syms: HashMap::default(),
            own_call_args: HashMap::default(),
            map_syms: Default::default(),
            script_props: Default::default(),
            prop_syms: HashMap::default(),
            not_card: Vec::new(),
            no_text: Vec::new(),
            text_done: Vec::new(),
            objects_done: Vec::new(),
            not_card_keys: Vec::new(),
            not_card_values: Vec::new(),
            handle_aliases: HashMap::default(),
            created_frames: Default::default(),
            frame_names: HashMap::default(),
            hidden_created: Default::default(),
            own_field_injections: Vec::new(),
            form_data: HashMap::default(),
            created_fields: HashSet::default(),
            created_containers: HashSet::default(),
            card_fields: HashSet::default(),
            own_card_keys: HashSet::default(),
            fn_ctor_args: HashMap::default(),
            this_fields: HashMap::default(),
            hidden_reads: HashSet::default(),
            text_vars: HashSet::default(),
            held_selections: HashSet::default(),
            holder_cbs: HashSet::default(),
            predicate_cbs: HashSet::default(),
            window_globals: HashSet::default(),
            card_field_cbs: HashSet::default(),
            maybe_holder_cbs: HashMap::default(),
            blob_inits: HashMap::default(),
            url_alternatives: None,
            param_index: HashMap::default(),
            param_pipes: Vec::new(),
            selector_params: Default::default(),
            param_calls: Vec::new(),
            fn_args: Vec::new(),
            fn_passes: Vec::new(),
            local_fns: HashMap::default(),
            member_fns: HashMap::default(),
            param_sinks: Vec::new(),
            own_calls: Vec::new(),
            iter_calls: Vec::new(),
            fn_starts: HashMap::default(),
            fn_ref_syms: HashMap::default(),
            fn_ref_decls: HashSet::default(),
            fn_param_names: HashMap::default(),
            schemes: aliases::SchemeNames::default(),
            builders: builders::Builders::default(),
            jquery_params: Vec::new(),
            instances: instances::Instances::default(),
            opaque_calls: Vec::new(),
            context_evals: 0,
        }
    }

    /// Walk a program and add what was found to the facts.
    pub fn run(&mut self, program: &'a Program<'a>) {
        (self.builders, self.schemes) = builders::Builders::of(program);
        self.note_built_fn_calls(program);
        self.visit_program(program);
        self.finish_call_values();
        self.finish_handles();
        self.finish_own_fields();
        // Before the parameter joins, which consume the calls it looks at.
        self.join_opaque_calls();
        self.join_param_calls();
        self.finish_fn_refs();
        self.join_param_pipes();
        self.join_param_sinks();
        self.join_dead_drops();
        self.join_code_downloads();
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

    pub(super) fn at(&self, span: Span) -> Offset {
        self.at_override.unwrap_or(self.base + span.start)
    }

    fn text(&self, span: Span) -> &'a str {
        self.src
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    fn evidence(&self, span: Span) -> String {
        match self.evidence_note {
            Some(note) => format!("{note}: {}", snippet(self.text(span), 120)),
            None => snippet(self.text(span), 120),
        }
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
