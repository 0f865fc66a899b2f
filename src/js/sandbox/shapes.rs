//! Finding the attacker's decoder by its shape, so only that code is run in the sandbox (the
//! approach of webcrack and synchrony: locate the string array, its rotation and its accessor,
//! run just those, then evaluate each accessor call whose arguments are constants).
//!
//! One walk over the syntax tree records:
//! - the script's top level, with the bodies of wrapping IIFEs (`(function(){…})()`,
//!   `!function(){…}()`, `….call(this)`) counted as top level, since that is where decoders,
//!   string arrays and rotation loops live;
//! - decoder candidates: top-level functions and objects of functions whose code decodes
//!   (`fromCharCode`, `charCodeAt`, `atob`, `decodeURIComponent`, `unescape`) or reads a
//!   string array, plus accessor wrappers anywhere (`function w(a,b){return d(a-0x12,b)}`,
//!   `const w = d`);
//! - the maximal constant expressions that call a candidate (`_0x3f(0x1a2,'Xk#2')`,
//!   `vm([1,104,…])`) or are JSFuck (`(![]+[])[+[]]`), and jQuery entity decodes
//!   (`$('<div/>').html('&#104;…').text()`);
//! - code sinks the constant evaluator may not have decoded (`eval(x)`, `Function(…)(…)`,
//!   `setTimeout(x)` with an argument that is neither a literal nor a function's name; inside a
//!   function, only when the script has a decoder) and packers (`eval(function(p,a,c,k,e,d)…)`);
//! - top-level string variables read inside functions (a VM that assembles the URL at start-up
//!   for a handler that runs later).

use super::sinks::{self, Sink, binds_function};
use super::syntax::{
    MIN_STRING_ARRAY, declares_string_array, hints_anywhere, iife_body, string_count,
    unescape_literals, wrapped_callee,
};
use crate::js::flow::FxBuild;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::{BinaryOperator, UnaryOperator};
use oxc_syntax::scope::ScopeFlags;
use std::collections::{HashMap, HashSet};

/// Text that marks a function as a decoder.
const DECODER_WORDS: &[&str] = &[
    "fromCharCode",
    "charCodeAt",
    "atob",
    "decodeURIComponent",
    "unescape",
];
/// How many IIFEs deep the top level is unwrapped.
const MAX_UNWRAP: u32 = 3;
/// Constant expressions evaluated per script, at most.
pub const MAX_EVALUATIONS: usize = 20_000;

/// A constant expression to evaluate in the sandbox and put back as a literal.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub span: Span,
    /// Decode the result's HTML entities (jQuery `.html(x).text()`); `span` is the whole chain,
    /// `arg` the argument to evaluate.
    pub entities: Option<Span>,
    /// The entity argument's value when it is a plain string literal (no sandbox needed).
    pub literal: Option<String>,
    /// Locals of the enclosing functions the expression reads, as `name=value` code (see
    /// [`super::locals`]).
    pub env: Vec<String>,
}

/// What the walk found; see the module documentation.
#[derive(Debug, Default)]
pub struct Plan {
    /// Top-level statements to run, function declarations first.
    pub setup: Vec<Span>,
    /// Named IIFEs whose bodies were unwrapped, by name and function span: the name is
    /// defined before the setup runs, since such a function may read itself (a decoder keyed
    /// on its own source text, `f.toString()`, defeats a beautified or edited copy).
    pub named: Vec<(String, Span)>,
    /// `let`/`const` statements among `setup`, by start (run as `var`: unwrapped IIFE bodies
    /// may declare the same name twice).
    pub lexical: HashSet<u32>,
    /// Accessor wrappers and aliases defined below the top level.
    pub wrappers: Vec<Span>,
    pub evaluations: Vec<Evaluation>,
    /// Starts of `eval`/`Function`/timer calls whose code is not a literal.
    pub code_sinks: Vec<u32>,
    pub packers: Vec<u32>,
    /// Top-level variable names read inside functions, with the spans of those reads.
    pub late_reads: Vec<(String, Vec<Span>)>,
    /// Code that decodes at start-up: a top-level loop using character codes, or a top-level
    /// variable initialised by a decoding function (a VM run, an XOR decode).
    pub decoding_loop: bool,
}

impl Plan {
    /// The plan from a full walk of every function body.
    pub fn full<'a>(src: &'a str, program: &'a Program<'a>) -> Plan {
        let mut w = Walker::new(src);
        w.top_level(&program.body, 0);
        w.classify();
        w.visit_program(program);
        w.finish()
    }

    /// The plan, from a quick walk where that misses nothing the sandbox could use. A script
    /// without any decoder (the usual library) can only be worth the sandbox through a
    /// packer, JSFuck, an entity chain or a code sink at its top level (a sink in a function
    /// needs a decoder, see `sinks.rs`). Unless its text hints at the first three, the quick
    /// walk skips function bodies; a top-level sink sends the script through the full walk
    /// after all, for everything else the sandbox would use (the late reads).
    pub fn of<'a>(src: &'a str, program: &'a Program<'a>) -> Plan {
        if hints_anywhere(src) {
            return Plan::full(src, program);
        }
        let mut w = Walker::new(src);
        w.top_level(&program.body, 0);
        w.classify();
        w.shallow = !w.has_decoders();
        w.visit_program(program);
        if w.shallow && (!w.sinks.is_empty() || !w.evaluations.is_empty() || !w.packers.is_empty())
        {
            return Plan::full(src, program);
        }
        w.finish()
    }

    /// Whether the sandbox has anything to do, given which code sinks the constant evaluator
    /// already decoded.
    pub fn worth_running(&self, folded: impl Fn(u32) -> bool) -> bool {
        !self.packers.is_empty()
            || !self.evaluations.is_empty()
            || self.decoding_loop
            || self.code_sinks.iter().any(|s| !folded(*s))
    }
}

#[derive(Clone, Copy, Default)]
struct Node {
    konst: bool,
    /// Contains a candidate call or JSFuck worth evaluating.
    worth: bool,
    /// Built only from `[]`, `!`, `+` and member reads of such (JSFuck).
    jsfuck: bool,
}

/// The walker's maps are keyed by names and offsets of one script: Fx hashing (as the
/// evaluator's), not SipHash, which showed in the profile.
type Map<K, V> = HashMap<K, V, FxBuild>;
type Set<K> = HashSet<K, FxBuild>;

struct Walker<'a> {
    src: &'a str,
    setup_fns: Vec<Span>,
    setup_rest: Vec<Span>,
    lexical: HashSet<u32>,
    unwrapped: Set<u32>,
    named: Vec<(String, Span)>,
    /// Top-level names bound to functions or objects, and whether their code decodes.
    candidates: Map<&'a str, bool>,
    candidate_spans: Vec<(&'a str, Span)>,
    holders: Vec<&'a str>,
    /// Top-level variables with the spans of the values they are given at the top level
    /// (`var t = …`, `t = …`): a table computed at start-up is a string array too.
    computed: Vec<(&'a str, Span)>,
    /// Those of `computed` whose value decodes at start-up (see [`super::startup`]).
    decoded_at_start: Set<&'a str>,
    /// Those of `computed` that hold a decoded table: their constant reads are evaluated.
    tables: Set<&'a str>,
    /// `f.x = …` at the top level, by `f`: a function or object whose members are assigned
    /// one by one (JScrambler's `function r0(){}` followed by `r0.y0 = (function(){…})()`);
    /// those values are part of `f`'s code.
    member_defs: Vec<(&'a str, Span)>,
    /// Constant locals of the functions being walked, innermost last.
    locals: Vec<HashMap<&'a str, Span>>,
    wrappers: Vec<Span>,
    wrapper_names: Set<&'a str>,
    top_vars: Set<&'a str>,
    /// Top-level `var w = f`: (w, f).
    aliases: Vec<(&'a str, &'a str)>,
    /// Top-level `var x = f(…)`: (x, f).
    inits: Vec<(&'a str, &'a str)>,
    inner_declared: Set<&'a str>,
    assigned_in_fn: Set<&'a str>,
    reads: Map<&'a str, Vec<Span>>,
    fn_depth: u32,
    shorthand: bool,
    stack: Vec<Node>,
    evaluations: Vec<Evaluation>,
    sinks: Vec<Sink<'a>>,
    /// Names bound to functions at the top level (`function f(){}`, `var f = () => …`,
    /// `var f = g.bind(…)`): a timer given one of them runs a function, not code (unless a
    /// the same name is declared again anywhere).
    fn_names: Set<&'a str>,
    /// How many times each name is declared anywhere (minified code reuses short names, so
    /// a name declared twice may be a string where the timer reads it).
    bindings: Map<&'a str, u32>,
    /// Some candidate decodes (set by [`Walker::classify`]).
    any_decoding: bool,
    /// Function bodies are skipped (see [`Plan::of`]).
    shallow: bool,
    packers: Vec<u32>,
    decoding_loop: bool,
}

impl<'a> Walker<'a> {
    fn new(src: &'a str) -> Walker<'a> {
        Walker {
            src,
            setup_fns: Vec::new(),
            setup_rest: Vec::new(),
            lexical: HashSet::new(),
            unwrapped: Set::default(),
            named: Vec::new(),
            candidates: Map::default(),
            candidate_spans: Vec::new(),
            holders: Vec::new(),
            computed: Vec::new(),
            decoded_at_start: Set::default(),
            tables: Set::default(),
            member_defs: Vec::new(),
            locals: Vec::new(),
            wrappers: Vec::new(),
            wrapper_names: Set::default(),
            top_vars: Set::default(),
            aliases: Vec::new(),
            inits: Vec::new(),
            inner_declared: Set::default(),
            assigned_in_fn: Set::default(),
            reads: Map::default(),
            fn_depth: 0,
            shorthand: false,
            stack: Vec::new(),
            evaluations: Vec::new(),
            sinks: Vec::new(),
            fn_names: Set::default(),
            bindings: Map::default(),
            any_decoding: false,
            shallow: false,
            packers: Vec::new(),
            decoding_loop: false,
        }
    }

    fn text(&self, span: Span) -> &'a str {
        self.src
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    fn decodes(&self, span: Span) -> bool {
        let t = self.text(span);
        DECODER_WORDS.iter().any(|w| t.contains(w))
            // `String["\u0066\u0072…"]`: the same words behind escapes.
            || (t.contains('\\') && {
                let u = unescape_literals(t);
                DECODER_WORDS.iter().any(|w| u.contains(w))
            })
    }

    /// Remember a top-level value that decodes at start-up: a string table in the making.
    fn note_start_up(&mut self, name: &'a str, value: &Expression<'a>) {
        if self.decodes(value.span()) && super::startup::decodes_at_start(value, DECODER_WORDS) {
            self.decoded_at_start.insert(name);
        }
    }

    /// Some decoder at the top level: a decoding function, a string array or table, or a
    /// decoding loop (known after [`Walker::classify`]).
    fn has_decoders(&self) -> bool {
        self.any_decoding || !self.holders.is_empty() || self.decoding_loop
    }

    fn candidate(&mut self, name: &'a str, span: Span) {
        self.candidates.insert(name, false);
        self.candidate_spans.push((name, span));
    }

    /// The function declarations of one body that forward to a decoder or to another
    /// wrapper, in any order (a few rounds of the chain).
    fn hoisted_wrappers(&mut self, stmts: &'a [Statement<'a>]) {
        let decls: Vec<(&'a str, &'a str, Span)> = stmts
            .iter()
            .filter_map(|s| match s {
                Statement::FunctionDeclaration(f) => {
                    let body = f.body.as_ref()?;
                    Some((
                        f.id.as_ref()?.name.as_str(),
                        wrapped_callee(&body.statements)?,
                        f.span,
                    ))
                }
                _ => None,
            })
            .collect();
        if decls.is_empty() {
            return;
        }
        for _ in 0..8 {
            let mut grew = false;
            for &(name, target, span) in &decls {
                if self.wrappers.contains(&span) {
                    continue;
                }
                if self.candidates.get(target).copied().unwrap_or(false)
                    || self.wrapper_names.contains(target)
                {
                    self.wrappers.push(span);
                    self.wrapper_names.insert(name);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }

    /// Which candidates decode: their code uses a decoding built-in, reads a string array, or
    /// calls a candidate that decodes (a top-level wrapper); a few rounds reach the wrappers.
    fn classify(&mut self) {
        for (name, span) in std::mem::take(&mut self.member_defs) {
            if self.candidates.contains_key(name) {
                self.candidate_spans.push((name, span));
            }
        }
        // A table decoded at start-up (`var t = decode("…").split("\n")`, `t = String
        // .fromCharCode(…).split(",")`) is read by its accessor like a literal string array.
        let decoder_fns: Vec<&'a str> = self
            .candidate_spans
            .iter()
            .filter(|(_, span)| self.decodes(*span))
            .map(|(n, _)| *n)
            .collect();
        for (name, value) in &self.computed {
            let t = self.text(*value);
            if !self.holders.contains(name)
                && (self.decoded_at_start.contains(name)
                    || decoder_fns
                        .iter()
                        .any(|f| f.len() >= 3 && t.contains(&format!("{f}("))))
            {
                self.holders.push(name);
                self.tables.insert(name);
            }
        }
        let mut decoding: Vec<&'a str> = Vec::new();
        for (name, span) in &self.candidate_spans {
            let t = self.text(*span);
            if self.decodes(*span) || self.holders.iter().any(|h| *h != *name && t.contains(h)) {
                decoding.push(name);
            }
        }
        // Wrappers and VM drivers call the decoders; bounded so a library with hundreds of
        // functions does not pay a quadratic search.
        let rounds = if decoding.len() > 64 || self.candidate_spans.len() > 4_000 {
            0
        } else {
            3
        };
        for _ in 0..rounds {
            let mut grew = false;
            for (name, span) in &self.candidate_spans {
                if decoding.contains(name) {
                    continue;
                }
                let t = self.text(*span);
                if decoding.iter().any(|d| d.len() >= 3 && t.contains(d)) {
                    decoding.push(name);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        for (alias, target) in &self.aliases {
            if decoding.contains(target) {
                decoding.push(alias);
            }
        }
        self.any_decoding = !decoding.is_empty();
        for d in decoding {
            self.candidates.insert(d, true);
        }
        // `var u = vm(program)` at start-up: a value a decoder computes before any handler runs.
        if self
            .inits
            .iter()
            .any(|(_, f)| self.candidates.get(f).copied().unwrap_or(false))
        {
            self.decoding_loop = true;
        }
    }

    /// The top level, with wrapping IIFE bodies unwrapped.
    fn top_level(&mut self, body: &'a [Statement<'a>], depth: u32) {
        for s in body {
            if depth < MAX_UNWRAP
                && let Some((f_span, name, inner)) = iife_body(s)
            {
                self.unwrapped.insert(f_span.start);
                if let Some(name) = name {
                    self.named.push((name.to_string(), f_span));
                }
                self.top_level(inner, depth + 1);
                continue;
            }
            match s {
                Statement::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        self.candidate(id.name.as_str(), f.span);
                        if f.body.as_ref().is_some_and(|b| {
                            b.statements
                                .iter()
                                .any(|st| declares_string_array(st).is_some())
                        }) {
                            self.holders.push(id.name.as_str());
                        }
                    }
                    self.setup_fns.push(s.span());
                }
                Statement::VariableDeclaration(d) => {
                    for v in &d.declarations {
                        let Some(name) = v.id.get_identifier_name() else {
                            continue;
                        };
                        let name = name.as_str();
                        match v.init.as_ref().map(|e| e.without_parentheses()) {
                            Some(
                                Expression::FunctionExpression(_)
                                | Expression::ArrowFunctionExpression(_)
                                | Expression::ObjectExpression(_),
                            ) => {
                                if let Some(init) = &v.init {
                                    self.candidate(name, init.span());
                                }
                            }
                            Some(Expression::ArrayExpression(a)) => {
                                if string_count(a) >= MIN_STRING_ARRAY {
                                    self.holders.push(name);
                                }
                                // A table of functions (a VM's opcodes).
                                if a.elements.iter().any(|e| {
                                    matches!(e, ArrayExpressionElement::FunctionExpression(_))
                                }) && let Some(init) = &v.init
                                {
                                    self.candidate(name, init.span());
                                }
                                self.top_vars.insert(name);
                            }
                            // `var w = _0x4fd1;`: an alias, a candidate when its target is.
                            Some(Expression::Identifier(t)) => {
                                self.aliases.push((name, t.name.as_str()));
                                self.top_vars.insert(name);
                            }
                            Some(Expression::CallExpression(c)) => {
                                if let Expression::Identifier(f) = c.callee.without_parentheses() {
                                    self.inits.push((name, f.name.as_str()));
                                }
                                self.computed.push((name, c.span));
                                if let Some(init) = &v.init {
                                    self.note_start_up(name, init);
                                }
                                self.top_vars.insert(name);
                            }
                            Some(
                                Expression::StringLiteral(_)
                                | Expression::NumericLiteral(_)
                                | Expression::TemplateLiteral(_),
                            ) => {}
                            Some(_) => {
                                self.top_vars.insert(name);
                            }
                            None => {}
                        }
                    }
                    if d.kind != VariableDeclarationKind::Var {
                        self.lexical.insert(s.span().start);
                    }
                    self.setup_rest.push(s.span());
                }
                Statement::ForStatement(_)
                | Statement::WhileStatement(_)
                | Statement::DoWhileStatement(_)
                | Statement::ForInStatement(_)
                | Statement::ForOfStatement(_) => {
                    let t = self.text(s.span());
                    if t.contains("fromCharCode") || t.contains("charCodeAt") {
                        self.decoding_loop = true;
                    }
                    self.setup_rest.push(s.span());
                }
                Statement::ExpressionStatement(es) => {
                    if let Expression::AssignmentExpression(a) = es.expression.without_parentheses()
                        && let AssignmentTarget::AssignmentTargetIdentifier(id) = &a.left
                        && a.operator == oxc_syntax::operator::AssignmentOperator::Assign
                    {
                        self.computed.push((id.name.as_str(), a.right.span()));
                        self.note_start_up(id.name.as_str(), &a.right);
                    }
                    if let Expression::AssignmentExpression(a) = es.expression.without_parentheses()
                        && let AssignmentTarget::StaticMemberExpression(m) = &a.left
                        && let Expression::Identifier(obj) = &m.object
                    {
                        self.member_defs.push((obj.name.as_str(), a.right.span()));
                    }
                    self.setup_rest.push(s.span())
                }
                _ => self.setup_rest.push(s.span()),
            }
        }
    }

    fn is_candidate_callee(&self, callee: &Expression<'a>) -> bool {
        match callee.without_parentheses() {
            Expression::Identifier(id) => {
                let n = id.name.as_str();
                self.candidates.get(n).copied().unwrap_or(false) || self.wrapper_names.contains(n)
            }
            Expression::StaticMemberExpression(m) => matches!(
                &m.object, Expression::Identifier(id)
                    if self.candidates.get(id.name.as_str()).copied().unwrap_or(false)
            ),
            Expression::ComputedMemberExpression(m) => {
                matches!(
                    &m.object, Expression::Identifier(id)
                        if self.candidates.get(id.name.as_str()).copied().unwrap_or(false)
                ) && matches!(m.expression, Expression::StringLiteral(_))
            }
            _ => false,
        }
    }

    /// Combine the results of an expression's children (pushed since `mark`) into its own.
    fn judge(&mut self, e: &Expression<'a>, mark: usize) -> Node {
        let n = self.judge_children(e, &self.stack[mark.min(self.stack.len())..]);
        self.stack.truncate(mark);
        n
    }

    fn judge_children(&self, e: &Expression<'a>, children: &[Node]) -> Node {
        let all = |from: usize| children.iter().skip(from).all(|c| c.konst);
        let any_worth = |from: usize| children.iter().skip(from).any(|c| c.worth);
        let all_jsfuck = children.iter().all(|c| c.jsfuck);
        let mut n = Node::default();
        match e {
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_) => n.konst = true,
            Expression::TemplateLiteral(t) => n.konst = t.expressions.is_empty(),
            Expression::Identifier(id) => {
                n.konst = matches!(id.name.as_str(), "undefined" | "NaN" | "Infinity")
                    || self.locals.iter().any(|l| l.contains_key(id.name.as_str()))
            }
            // `d.X6F` of a decoder object: a property its top level set (`d.X6F = 94`).
            Expression::StaticMemberExpression(m)
                if matches!(&m.object, Expression::Identifier(o)
                    if self.candidates.get(o.name.as_str()).copied().unwrap_or(false)) =>
            {
                n.konst = true;
            }
            Expression::ParenthesizedExpression(_) => {
                n = children.first().copied().unwrap_or_default();
            }
            Expression::UnaryExpression(u) => {
                n.konst =
                    all(0) && !matches!(u.operator, UnaryOperator::Delete | UnaryOperator::Typeof);
                n.worth = any_worth(0);
                n.jsfuck = all_jsfuck
                    && matches!(
                        u.operator,
                        UnaryOperator::LogicalNot | UnaryOperator::UnaryPlus
                    );
            }
            Expression::BinaryExpression(b) => {
                n.konst = all(0)
                    && !matches!(b.operator, BinaryOperator::In | BinaryOperator::Instanceof);
                n.worth = any_worth(0);
                n.jsfuck = all_jsfuck && b.operator == BinaryOperator::Addition;
            }
            Expression::ArrayExpression(a) => {
                n.konst = all(0)
                    && a.elements
                        .iter()
                        .all(|el| !matches!(el, ArrayExpressionElement::SpreadElement(_)));
                n.worth = any_worth(0);
                n.jsfuck = a.elements.is_empty() || (all_jsfuck && !children.is_empty());
            }
            Expression::ObjectExpression(o) => {
                n.konst = all(0)
                    && o.properties.iter().all(|p| match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            !p.computed && !p.method && !p.shorthand && p.kind == PropertyKind::Init
                        }
                        ObjectPropertyKind::SpreadProperty(_) => false,
                    });
                n.worth = any_worth(0);
            }
            // `t[3]` of a table decoded at start-up: its value is known once the decoder ran.
            Expression::ComputedMemberExpression(m)
                if matches!(&m.object, Expression::Identifier(id) if self.tables.contains(id.name.as_str()))
                    && children.last().is_some_and(|c| c.konst) =>
            {
                n.konst = true;
                n.worth = true;
            }
            Expression::ComputedMemberExpression(_) => {
                n.konst = all(0) && children.len() == 2;
                n.worth = any_worth(0);
                n.jsfuck = all_jsfuck && children.len() == 2;
            }
            Expression::CallExpression(c) => {
                // The callee is the first child; it is a name, not a constant.
                let no_spread = c
                    .arguments
                    .iter()
                    .all(|a| !matches!(a, Argument::SpreadElement(_)));
                if no_spread && all(1) && self.is_candidate_callee(&c.callee) {
                    n.konst = true;
                    n.worth = true;
                }
            }
            _ => {}
        }
        if n.jsfuck && e.span().size() >= 8 && !matches!(e, Expression::ArrayExpression(_)) {
            n.worth = true;
        }
        n
    }

    fn record(&mut self, span: Span) {
        while self
            .evaluations
            .last()
            .is_some_and(|l| l.span.start >= span.start && l.span.end <= span.end)
        {
            self.evaluations.pop();
        }
        if self.evaluations.len() < MAX_EVALUATIONS {
            let text = self.text(span);
            let mut env = Vec::new();
            let mut bound = HashSet::new();
            for l in self.locals.iter().rev() {
                for (name, value) in l {
                    if text.contains(name) && bound.insert(*name) {
                        env.push(format!("{name}=({})", self.text(*value)));
                    }
                }
            }
            env.sort();
            self.evaluations.push(Evaluation {
                span,
                entities: None,
                literal: None,
                env,
            });
        }
    }

    fn code_sink(&mut self, c: &CallExpression<'a>) {
        let name = match c.callee.without_parentheses() {
            Expression::Identifier(id) => id.name.as_str(),
            Expression::StaticMemberExpression(m) => m.property.name.as_str(),
            Expression::ComputedMemberExpression(m) => match &m.expression {
                Expression::StringLiteral(s) => s.value.as_str(),
                _ => return,
            },
            _ => return,
        };
        let Some(first) = c.arguments.first().and_then(|a| a.as_expression()) else {
            return;
        };
        let code = match name {
            "eval" | "setTimeout" | "setInterval" => first,
            "Function" => match c.arguments.last().and_then(|a| a.as_expression()) {
                Some(e) => e,
                None => return,
            },
            _ => return,
        };
        if name == "eval"
            && let Expression::CallExpression(inner) = first.without_parentheses()
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
                self.packers.push(c.span.start);
                return;
            }
        }
        let code = code.without_parentheses();
        if !matches!(
            code,
            Expression::StringLiteral(_)
                | Expression::FunctionExpression(_)
                | Expression::ArrowFunctionExpression(_)
        ) {
            let timer_name = match code {
                Expression::Identifier(id) if name != "eval" && name != "Function" => {
                    Some(id.name.as_str())
                }
                _ => None,
            };
            self.sinks.push(Sink {
                at: c.span.start,
                in_function: self.fn_depth > 0,
                timer_name,
            });
        }
    }

    /// `$(…).html(x).text()` with a constant `x` that holds entities.
    fn entity_chain(&mut self, c: &CallExpression<'a>) {
        let Expression::StaticMemberExpression(text) = c.callee.without_parentheses() else {
            return;
        };
        if text.property.name != "text" || !c.arguments.is_empty() {
            return;
        }
        let Expression::CallExpression(html) = text.object.without_parentheses() else {
            return;
        };
        let Expression::StaticMemberExpression(h) = html.callee.without_parentheses() else {
            return;
        };
        if h.property.name != "html" || html.arguments.len() != 1 {
            return;
        }
        let Some(arg) = html.arguments[0].as_expression() else {
            return;
        };
        let t = self.text(arg.span());
        if !(t.contains('&') && t.contains(';')) {
            return;
        }
        let a = arg.span();
        self.evaluations
            .retain(|e| !(e.span.start >= a.start && e.span.end <= a.end));
        let literal = match arg.without_parentheses() {
            Expression::StringLiteral(s) => Some(s.value.to_string()),
            _ => None,
        };
        self.evaluations.push(Evaluation {
            span: c.span,
            entities: Some(a),
            literal,
            env: Vec::new(),
        });
    }

    fn finish(mut self) -> Plan {
        let decoders = self.has_decoders() || !self.evaluations.is_empty();
        let mut setup = std::mem::take(&mut self.setup_fns);
        setup.append(&mut self.setup_rest);
        let mut late_reads: Vec<(String, Vec<Span>)> = self
            .reads
            .into_iter()
            .filter(|(n, _)| !self.inner_declared.contains(n) && !self.assigned_in_fn.contains(n))
            .map(|(n, s)| (n.to_string(), s))
            .collect();
        late_reads.sort_by(|a, b| a.0.cmp(&b.0));
        // Entity chains whose argument is a plain literal need no sandbox; keep order stable.
        self.evaluations.sort_by_key(|e| e.span.start);
        let code_sinks = sinks::worth_running(&self.sinks, decoders, |n| {
            self.fn_names.contains(n) && self.bindings.get(n).is_some_and(|c| *c == 1)
        });
        Plan {
            setup,
            named: self.named,
            lexical: self.lexical,
            wrappers: self.wrappers,
            evaluations: self.evaluations,
            code_sinks,
            packers: self.packers,
            late_reads,
            decoding_loop: self.decoding_loop,
        }
    }
}

impl<'a> Visit<'a> for Walker<'a> {
    fn visit_expression(&mut self, it: &Expression<'a>) {
        let it = self.alloc(it);
        let mark = self.stack.len();
        walk::walk_expression(self, it);
        let n = self.judge(it, mark);
        if n.konst && n.worth {
            self.record(it.span());
        }
        self.stack.push(n);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let it = self.alloc(it);
        self.code_sink(it);
        walk::walk_call_expression(self, it);
        self.entity_chain(it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        let it = self.alloc(it);
        if matches!(it.callee.without_parentheses(), Expression::Identifier(id) if id.name == "Function")
            && let Some(code) = it.arguments.last().and_then(|a| a.as_expression())
            && !matches!(code.without_parentheses(), Expression::StringLiteral(_))
        {
            self.sinks.push(Sink {
                at: it.span.start,
                in_function: self.fn_depth > 0,
                timer_name: None,
            });
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let it = self.alloc(it);
        let counted = !self.unwrapped.contains(&it.span.start);
        if counted && self.shallow {
            // Its name still counts, for timers given a function's name.
            if let Some(id) = &it.id {
                *self.bindings.entry(id.name.as_str()).or_default() += 1;
                if it.is_declaration() && self.fn_depth == 0 {
                    self.fn_names.insert(id.name.as_str());
                }
            }
            return;
        }
        if counted {
            self.fn_depth += 1;
        }
        if it.is_declaration()
            && self.fn_depth == u32::from(counted)
            && let Some(id) = &it.id
        {
            self.fn_names.insert(id.name.as_str());
        }
        if let (Some(id), Some(body)) = (&it.id, &it.body) {
            let name = id.name.as_str();
            let forwards_to = wrapped_callee(&body.statements);
            if self.fn_depth > 1
                && it.is_declaration()
                && !self.wrappers.contains(&it.span)
                && forwards_to.is_some_and(|t| {
                    self.candidates.get(t).copied().unwrap_or(false)
                        || self.wrapper_names.contains(t)
                })
            {
                self.wrappers.push(it.span);
                self.wrapper_names.insert(name);
            }
        }
        // Wrappers declared later in this body are hoisted: a wrapper may forward to one
        // written below it (javascript-obfuscator's chains of wrappers).
        if self.fn_depth >= 1
            && let Some(body) = &it.body
        {
            self.hoisted_wrappers(&body.statements);
        }
        // Locals matter only for calls of decoding functions; a script without any skips
        // the extra walk of every function body.
        let locals = match &it.body {
            Some(body) if self.any_decoding => {
                super::locals::of(&it.params, body, &|c| self.is_candidate_callee(&c.callee))
            }
            _ => HashMap::new(),
        };
        self.locals.push(locals);
        walk::walk_function(self, it, flags);
        self.locals.pop();
        if counted {
            self.fn_depth -= 1;
        }
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let it = self.alloc(it);
        let counted = !self.unwrapped.contains(&it.span.start);
        if counted && self.shallow {
            return;
        }
        if counted {
            self.fn_depth += 1;
        }
        walk::walk_arrow_function_expression(self, it);
        if counted {
            self.fn_depth -= 1;
        }
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        // `const w = _0x4fd1;` inside a function: an alias of an accessor.
        if self.fn_depth > 0
            && let (Some(_), Some(Expression::Identifier(target))) =
                (it.id.get_identifier_name(), it.init.as_ref())
            && (self
                .candidates
                .get(target.name.as_str())
                .copied()
                .unwrap_or(false)
                || self.wrapper_names.contains(target.name.as_str()))
            && let Some(name) = it.id.get_identifier_name()
        {
            self.wrappers.push(it.span);
            self.wrapper_names.insert(name.as_str());
        }
        if self.fn_depth == 0
            && let (Some(name), Some(init)) = (it.id.get_identifier_name(), &it.init)
            && binds_function(init)
        {
            self.fn_names.insert(name.as_str());
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        let it = self.alloc(it);
        *self.bindings.entry(it.name.as_str()).or_default() += 1;
        if self.fn_depth > 0 {
            self.inner_declared.insert(it.name.as_str());
        }
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let it = self.alloc(it);
        let before = self.shorthand;
        self.shorthand = it.shorthand;
        walk::walk_object_property(self, it);
        self.shorthand = before;
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if self.fn_depth > 0 && !self.shorthand {
            let it = self.alloc(it);
            let name = it.name.as_str();
            if self.top_vars.contains(name) {
                self.reads.entry(name).or_default().push(it.span);
            }
        }
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it = self.alloc(it);
        if self.fn_depth > 0
            && let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left
        {
            self.assigned_in_fn.insert(id.name.as_str());
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_update_expression(&mut self, it: &UpdateExpression<'a>) {
        let it = self.alloc(it);
        if self.fn_depth > 0
            && let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &it.argument
        {
            self.assigned_in_fn.insert(id.name.as_str());
        }
        walk::walk_update_expression(self, it);
    }
}
