//! Names: the stack of function scopes (parameters, `var`/`let`/`const` and function
//! declarations, hoisted per body) with one global symbol per name as the fallback, what a
//! binding's initial value tells about it, and entering and leaving functions.
use super::{Collector, FnCtx, untainted};
use crate::js::flow::{Deps, Sym};
use oxc_ast::ast::*;
use std::collections::HashMap;

impl<'a> Collector<'a, '_, '_> {
    // ---- names ------------------------------------------------------------------------

    pub(super) fn vocab_name(&mut self, name: &'a str) -> bool {
        if let Some(v) = self.vocab_memo.get(name) {
            return *v;
        }
        let v = self.k.vocab.matches_name(name);
        self.vocab_memo.insert(name, v);
        v
    }

    pub(super) fn lookup(&mut self, name: &str) -> Option<Sym> {
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

    /// Whether `e` names a binding made by `new WeakMap()` (see `note_binding`).
    pub(super) fn own_weak_map(&mut self, e: &'a Expression<'a>) -> bool {
        let Expression::Identifier(id) = e.without_parentheses() else {
            return false;
        };
        self.lookup(id.name.as_str())
            .is_some_and(|s| self.map_syms.get(&s) == Some(&true))
    }

    pub(super) fn declare(&mut self, name: &'a str) -> Sym {
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

    pub(super) fn hoist(&mut self, stmts: &'a [Statement<'a>]) {
        for s in stmts {
            match s {
                Statement::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        let s = self.declare(id.name.as_str());
                        self.own_fn_syms.insert(s);
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

    // ---- calls ------------------------------------------------------------------------

    pub(super) fn note_binding(&mut self, target: Sym, init: &'a Expression<'a>) {
        if let Some(k) = self.dom_key(init) {
            self.elem_keys.insert(target, k);
        }
        if let Some(st) = self.idb_store(init) {
            self.store_names.insert(target, st);
        }
        self.note_created_element(target, init);
        self.note_request_owner(target, init);
        self.note_fn_value(target, init);
        self.note_table_row(target, init);
        match init.without_parentheses() {
            Expression::CallExpression(c) if self.is_create_script(c) => {
                self.script_elems.insert(target);
            }
            Expression::FunctionExpression(f) => {
                self.pending_binding.insert(f.span.start, target);
                self.note_ctor_candidate(f.span.start);
            }
            Expression::NewExpression(ne)
                if matches!(ne.callee.without_parentheses(),
                    Expression::Identifier(i) if matches!(i.name.as_str(), "Map" | "WeakMap")) =>
            {
                let weak = matches!(ne.callee.without_parentheses(),
                    Expression::Identifier(i) if i.name == "WeakMap");
                self.map_syms.insert(target, weak);
            }
            Expression::ArrowFunctionExpression(f) => {
                self.pending_binding.insert(f.span.start, target);
            }
            // `a ? f : function (u, d) { … }`, `f || function …`: calling the binding may
            // call either function.
            Expression::ConditionalExpression(c) => {
                self.note_binding(target, &c.consequent);
                self.note_binding(target, &c.alternate);
            }
            Expression::LogicalExpression(l) => {
                self.note_binding(target, &l.left);
                self.note_binding(target, &l.right);
            }
            // `const ch = pc.createDataChannel('d')`: what the channel sends goes where the
            // peer connection connects.
            Expression::CallExpression(c)
                if matches!(c.callee.without_parentheses(),
                    Expression::StaticMemberExpression(m) if m.property.name == "createDataChannel") =>
            {
                if let Some(m) = c.callee.without_parentheses().as_member_expression()
                    && let Some(pc) = self.base_sym(m.object())
                {
                    self.handle_aliases.insert(target, pc);
                }
            }
            Expression::NewExpression(n) => {
                self.handles.insert(n.span.start, target);
                self.note_proxy(target, n);
                if n.callee
                    .get_identifier_reference()
                    .is_some_and(|id| id.name == "FormData")
                {
                    self.form_data.insert(target, None);
                }
            }
            _ => {}
        }
    }

    // ---- functions ----------------------------------------------------------------------

    pub(super) fn enter_function(
        &mut self,
        span_start: u32,
        params: &'a FormalParameters<'a>,
        own_name: Option<Sym>,
        body: Option<&'a FunctionBody<'a>>,
        arrow: bool,
    ) {
        let ret = own_name
            .or_else(|| self.pending_binding.remove(&span_start))
            .or_else(|| self.callback_ret.get(&span_start).copied())
            .unwrap_or_else(|| self.facts.graph.fresh());
        let this_src = self.listener_this.remove(&span_start).unwrap_or(0);
        let keystroke = self.keystroke_fns.remove(&span_start);
        self.fn_stack.push(FnCtx {
            ret,
            gated: false,
            this_src,
            instance: false,
            params: Vec::new(),
            keystroke,
            body: body.map(|b| crate::js::interp::Enclosing {
                params,
                body: b,
                args: self.iife_args.remove(&span_start),
            }),
        });
        self.fn_starts.insert(span_start, ret);
        self.fn_param_names.entry(ret).or_insert((params, arrow));
        self.scopes.push(HashMap::default());
        // Keyed by the function, or by its parameter list (a declaration named as a
        // callback before the walk reaches it: see `keystroke_listener`).
        let incoming = match (
            self.pending_params.remove(&span_start),
            self.pending_params.remove(&params.span.start),
        ) {
            (Some(mut a), Some(b)) => {
                a.merge(b);
                Some(a)
            }
            (a, b) => a.or(b),
        };
        let texts = self.pending_param_texts.remove(&span_start);
        let mut syms = Vec::with_capacity(params.items.len());
        for (i, p) in params.items.iter().enumerate() {
            let mut names = Vec::new();
            collect_binding_names(&p.pattern, &mut names);
            let mut first = None;
            for (j, n) in names.into_iter().enumerate() {
                let s = self.declare(n);
                // `({ key, value = '' }) => …`: what a call passes reaches the parameter's
                // first name; the pattern's other names are parts of the same value.
                if let Some(f) = first
                    && f != s
                {
                    self.facts.graph.edge(
                        s,
                        Deps {
                            syms: vec![f],
                            src: 0,
                        },
                    );
                }
                first.get_or_insert(s);
                if j == 0 && !self.request_hooks.is_empty() {
                    self.request_hook_param(span_start, i, s, p.span);
                }
                if let Some(d) = &incoming {
                    self.facts.graph.edge(s, d.clone());
                }
                if let Some((at, part, t)) = &texts
                    && *at == i
                    && *part == j
                {
                    self.param_texts.insert(s, t.clone());
                }
            }
            if i == 0
                && let Some(s) = first
            {
                // `new Promise(resolve => resolve(v))`: calling the first parameter resolves.
                if let Some(v) = self.promise_execs.remove(&span_start) {
                    self.facts.graph.fn_params.insert(s, vec![v]);
                }
                if let Some(listener) = self
                    .keystroke_cbs
                    .remove(&span_start)
                    .or_else(|| self.keystroke_cbs.remove(&params.span.start))
                {
                    self.keystroke_params.insert(s, listener);
                }
            }
            if let Some(s) = first {
                self.param_index.insert(s, (ret, i));
            }
            syms.push(first.unwrap_or_else(|| self.facts.graph.fresh()));
        }
        self.note_holder_params(span_start, ret, &syms);
        self.note_card_field_params(span_start, &syms);
        // `arguments` only where the body names it (every function has one; most never
        // read it, and an unread one would only hold copies of what callers pass).
        let reads_arguments =
            !arrow && body.is_some_and(|b| self.text(b.span).contains("arguments"));
        self.declare_rest(ret, params, reads_arguments, incoming.as_ref());
        self.enter_proxy_trap(span_start, &syms);
        self.note_default_fns(ret, params);
        if let Some(f) = self.fn_stack.last_mut() {
            f.params = syms.clone();
        }
        // Several functions behind one name (`a ? function (u, d) {…} : function (u, d)
        // {…}`, a method name defined twice): a call may run any of them, so each later
        // function's parameters take what the first's take.
        match self.facts.graph.fn_params.get(&ret).cloned() {
            Some(first) if !first.is_empty() => {
                for (p, q) in syms.iter().zip(first) {
                    if *p != q {
                        self.facts.graph.edge(
                            *p,
                            Deps {
                                syms: vec![q],
                                src: 0,
                            },
                        );
                    }
                }
            }
            _ => {
                self.facts.graph.fn_params.insert(ret, syms);
            }
        }
    }

    /// Names that take every argument from an index on: `arguments` (in a function that is
    /// not an arrow: an arrow's is its enclosing function's) and a rest parameter (`...a`).
    /// A call's data reaches them as it reaches the parameters (see `FlowGraph::fn_rest`).
    fn declare_rest(
        &mut self,
        ret: Sym,
        params: &'a FormalParameters<'a>,
        reads_arguments: bool,
        incoming: Option<&Deps>,
    ) {
        let mut rest = Vec::new();
        if reads_arguments {
            rest.push((0, "arguments"));
        }
        if let Some(r) = &params.rest
            && let Some(n) = r.rest.argument.get_identifier_name()
        {
            rest.push((params.items.len(), n.as_str()));
        }
        for (from, name) in rest {
            let s = self.declare(name);
            // A callback's data reaches its rest parameter (`arguments` of a callback is
            // rare, and would hold a listener's elements where its parameters are holders).
            if let Some(d) = incoming
                && name != "arguments"
            {
                self.facts.graph.edge(s, d.clone());
            }
            let r = self.facts.graph.fn_rest.entry(ret).or_default();
            if r.len() < 4 && !r.contains(&(from, s)) {
                r.push((from, s));
            }
        }
    }

    pub(super) fn leave_function(&mut self) {
        self.scopes.pop();
        self.fn_stack.pop();
    }
}

pub(super) use crate::js::interp::binding_names as collect_binding_names;
