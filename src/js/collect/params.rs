//! Sinks whose destination is a parameter: `const api = { send: (u, d) =>
//! navigator.sendBeacon(u, d) }; api.send(url, data)`, `[[url, opts]].map(a =>
//! fetch.apply(window, a))`. Inside the function the URL is a name the evaluator cannot know;
//! at each call of the function it is that call's argument. The walk records both halves —
//! the sink with its URL expression, and every call of the script's own functions and
//! methods (and iteration callbacks, whose first parameter takes each element of the array)
//! — and joins them at its end: the URL expression is evaluated once per call with the
//! parameters bound to the call's arguments, and the sink's data is the call's own
//! arguments in place of the parameters (one caller's card data is not another caller's).

use super::Collector;
use super::contexts::{Contexts, substitute};
use super::instances::Instance;
use crate::js::facts::{Send, UrlText};
use crate::js::flow::{Deps, Sym};
use crate::js::value::{HOLE, Value};
use crate::rules::schema::Channel;
use oxc_ast::ast::*;
use oxc_span::GetSpan;

/// Calls joined per sink, and joins in all.
const MAX_CALLS_PER_SINK: usize = 16;
const MAX_JOINS: usize = 512;

/// A sink recorded with an unknown URL inside a function.
pub(super) struct ParamSink<'a> {
    /// Its index in the facts' sinks.
    pub sink: usize,
    pub url: &'a Expression<'a>,
    /// The URL is this element of the expression's value (an `apply` list).
    pub elem: Option<usize>,
    pub f: Sym,
    /// The parameters of the function the sink is written in.
    pub params: Vec<Sym>,
    /// The object `this` is where the sink is written (a constructor's, a class's).
    pub this: Option<Sym>,
    /// The functions around the sink, outermost first: a URL made from the parameters by
    /// statements before the sink is evaluated by running them for each call.
    pub chain: Vec<crate::js::interp::Enclosing<'a>>,
}

/// A call of one of the script's functions: its arguments, and their data where the call is.
pub(super) struct OwnCall<'a> {
    pub f: Sym,
    pub args: Vec<&'a Expression<'a>>,
    pub deps: Vec<Deps>,
    /// The function the call is written in (None at the top level): its parameters in the
    /// arguments are bound at that function's own calls (a wrapper of a wrapper).
    pub within: Option<Sym>,
    /// The object the call is about (see [`Instance`]).
    pub inst: Instance,
}

/// `arr.forEach(cb)` / `map` …: the callback (by its start) takes each element of `arr`.
pub(super) struct IterCall<'a> {
    pub cb: u32,
    pub recv: &'a Expression<'a>,
    pub deps: Deps,
}

/// Call sites given a value of their own at most (a bundle's calls beyond it share their
/// function's value, as before).
const MAX_CALL_VALUES: usize = 20_000;

impl<'a> Collector<'a, '_, '_> {
    /// A catalogue sink about to be recorded with URL expression `u` (element `elem` of its
    /// value): when the URL is unknown inside a function, resolve it at the function's calls.
    pub(super) fn note_param_sink(
        &mut self,
        u: &'a Expression<'a>,
        elem: Option<usize>,
        url: &UrlText,
    ) {
        if url.complete || self.param_sinks.len() >= 1024 {
            return;
        }
        let Some((f, params)) = self.fn_stack.last().map(|f| (f.ret, f.params.clone())) else {
            return;
        };
        let chain = self.fn_stack.iter().filter_map(|f| f.body).collect();
        self.param_sinks.push(ParamSink {
            sink: self.facts.sinks.len(),
            url: u,
            elem,
            f,
            params,
            this: self.this_sym(),
            chain,
        });
    }

    /// A call of the script's own function `f`: its parameters receive the arguments' data,
    /// and the call is kept for joining sinks whose URL is a parameter.
    pub(super) fn call_own(
        &mut self,
        f: Sym,
        args: &[&'a Expression<'a>],
        inst: Instance,
    ) -> Vec<Deps> {
        self.holder_args(f, args);
        let ds: Vec<Deps> = args.iter().map(|a| self.deps(a)).collect();
        self.note_own_call(f, args, &ds, inst);
        if ds.iter().any(|d| !d.is_empty()) {
            self.facts.graph.calls.push((f, ds.clone()));
        }
        ds
    }

    /// The symbol standing for the value of call `c` of the script's own function `f`
    /// (one per call site, however often its value is asked for). Its arguments are the
    /// ones the call gives the parameters (`call_own_at`), filled in when the walk is over.
    pub(super) fn call_value(&mut self, c: &'a CallExpression<'a>, f: Sym) -> Sym {
        let at = (c.span.start, c.span.end);
        if let Some((v, _)) = self.call_value_syms.get(&at) {
            return *v;
        }
        let graph = &self.facts.graph;
        if !(graph.fn_params.contains_key(&f) || graph.fn_rest.contains_key(&f))
            || graph.call_values.len() >= MAX_CALL_VALUES
        {
            return f;
        }
        let v = self.facts.graph.fresh();
        let index = self.facts.graph.call_values.len();
        self.facts.graph.call_values.push((v, f, None));
        self.call_value_syms.insert(at, (v, index));
        v
    }

    /// [`call_own`] of the call at `at`, remembering what it gave the parameters for the
    /// call's value.
    pub(super) fn call_own_at(
        &mut self,
        f: Sym,
        args: &[&'a Expression<'a>],
        inst: Instance,
        at: Span,
    ) {
        let ds = self.call_own(f, args, inst);
        if self.own_call_args.len() < MAX_CALL_VALUES {
            self.own_call_args.insert((at.start, at.end), (f, ds));
        }
    }

    /// Give each call's value the arguments its call gave the parameters (a value whose call
    /// gave none stays its function's whole value).
    pub(super) fn finish_call_values(&mut self) {
        for (at, (_, index)) in std::mem::take(&mut self.call_value_syms) {
            if let Some((f, ds)) = self.own_call_args.remove(&at)
                && let Some(entry) = self.facts.graph.call_values.get_mut(index)
                && entry.1 == f
            {
                entry.2 = Some(ds);
            }
        }
        self.own_call_args.clear();
    }

    fn note_own_call(
        &mut self,
        f: Sym,
        args: &[&'a Expression<'a>],
        deps: &[Deps],
        inst: Instance,
    ) {
        if self.own_calls.len() < 8192 {
            let within = self.fn_stack.last().map(|c| c.ret);
            self.own_calls.push(OwnCall {
                f,
                // `this.endpoint` is the caller's field: resolved here, where `this` is known
                // (the call's contexts are evaluated after the walk).
                args: args
                    .iter()
                    .map(|a| {
                        self.this_property(a)
                            .or_else(|| self.this_field(a))
                            .unwrap_or(a)
                    })
                    .collect(),
                deps: deps.to_vec(),
                within,
                inst,
            });
        }
    }

    /// `recv.forEach(function (x) { … })` and the other iteration methods.
    pub(super) fn note_iter_call(&mut self, c: &'a CallExpression<'a>) {
        let Some(m) = c.callee.without_parentheses().as_member_expression() else {
            return;
        };
        if !matches!(
            m.static_property_name(),
            Some("forEach" | "map" | "flatMap" | "filter" | "some" | "every" | "find")
        ) || self.iter_calls.len() >= 4096
        {
            return;
        }
        let cb = match c.arguments.first().and_then(|a| a.as_expression()) {
            Some(Expression::FunctionExpression(f)) => f.span.start,
            Some(Expression::ArrowFunctionExpression(f)) => f.span.start,
            _ => return,
        };
        let recv = m.object();
        let deps = self.deps(recv);
        self.iter_calls.push(IterCall { cb, recv, deps });
    }

    /// Join the sinks with unknown URLs to the calls of their functions (and, through
    /// [`contexts`](super::contexts), to the calls of their callers).
    pub(super) fn join_param_sinks(&mut self) {
        let sinks = std::mem::take(&mut self.param_sinks);
        let own = std::mem::take(&mut self.own_calls);
        let iters = std::mem::take(&mut self.iter_calls);
        let mut cx = Contexts::new(&own);
        let mut joins = 0;
        for ps in &sinks {
            if !self.fn_param_names.contains_key(&ps.f) {
                continue;
            }
            let params = &ps.params;
            let rest = self.rest_syms(ps.f);
            // Each call as the values of its arguments and their data.
            let mut calls: Vec<(Vec<Value<'a>>, Vec<Deps>, Instance)> = self
                .call_contexts(&mut cx, ps.f)
                .iter()
                .map(|c| (c.vals.clone(), c.deps.clone(), c.inst))
                .collect();
            for it in iters
                .iter()
                .filter(|it| self.fn_starts.get(&it.cb) == Some(&ps.f))
            {
                if let Value::Array(items) = self.interp.eval(it.recv) {
                    for x in items.borrow().iter().take(MAX_CALLS_PER_SINK) {
                        calls.push((vec![x.clone()], vec![it.deps.clone()], Instance::None));
                    }
                }
            }
            // No call seen: the sink is joined once as written, its parameters unknown (not
            // `undefined`, which would make a URL look known and drop the data).
            let called = !calls.is_empty();
            if calls.is_empty() {
                calls.push((Vec::new(), Vec::new(), Instance::None));
            }
            // `this` as each `new` of its constructor makes it (or as it is without one).
            let objects = self.this_objects(&mut cx, ps.this, self.text(ps.url.span()));
            let Some(base) = self.facts.sinks.get(ps.sink).cloned() else {
                continue;
            };
            // An XHR's data is what its `send` sends: each call's copy gets its own sends.
            let sends: Vec<usize> = match base.handle {
                Some(h) if base.channel == Channel::Xhr => (0..self.facts.sends.len())
                    .filter(|&i| self.facts.sends[i].handle == Some(h))
                    .collect(),
                _ => Vec::new(),
            };
            let mut first = true;
            // A method call on a known object pairs with that object's `new` only.
            let pairs: Vec<_> = calls
                .into_iter()
                .flat_map(|(vals, deps, inst)| {
                    let mine: Vec<_> = match inst {
                        Instance::On(at) if objects.iter().any(|(m, _)| *m == Some(at)) => {
                            objects.iter().filter(|(m, _)| *m == Some(at)).collect()
                        }
                        _ => objects.iter().collect(),
                    };
                    mine.into_iter()
                        .map(|(_, o)| ((vals.clone(), deps.clone()), o.clone()))
                        .collect::<Vec<_>>()
                })
                .take(MAX_CALLS_PER_SINK)
                .collect();
            for ((vals, deps), this) in pairs {
                if joins >= MAX_JOINS {
                    break;
                }
                joins += 1;
                let mut binds = if called {
                    self.param_binds(ps.f, &vals)
                } else {
                    Vec::new()
                };
                if let Some(o) = this {
                    binds.push(("this", o));
                }
                let elem = |v: Value<'a>| match (ps.elem, v) {
                    (None, v) => v,
                    (Some(i), Value::Array(a)) => {
                        a.borrow().get(i).cloned().unwrap_or(Value::Unknown)
                    }
                    (Some(_), _) => Value::Unknown,
                };
                let (v, mut hidden) = self.interp.eval_with(ps.url, binds.clone());
                let mut v = elem(v);
                // A URL made from the parameters inside the function: run the statements
                // before the sink with this call's arguments (a few times per script).
                if v.known_text().is_none()
                    && !ps.chain.is_empty()
                    && self.context_evals < super::resolve::MAX_CONTEXT_EVALS
                {
                    self.context_evals += 1;
                    let at = ps.url.span().start;
                    let (w, h) = self.interp.eval_in_call(&ps.chain, at, ps.url, binds);
                    let w = elem(w);
                    if w.known_text().is_some() {
                        (v, hidden) = (w, h);
                    }
                }
                let text = match &v {
                    Value::Holed(h) if h.chars().any(|c| c != HOLE) => Some(h.to_string()),
                    v => v.known_text().map(str::to_string),
                };
                let Some(text) = text else { continue };
                let complete = matches!(v, Value::Str(_) | Value::Url(_));
                // A partly known URL inside the function is replaced only by one that knows more.
                if !complete && known_chars(Some(&text)) <= known_chars(base.url.text.as_deref()) {
                    continue;
                }
                if hidden {
                    self.facts.add_decoded(&text);
                }
                let mut sink = base.clone();
                sink.url = UrlText {
                    complete,
                    text: Some(text),
                    hidden,
                };
                sink.deps = substitute(&base.deps, params, &rest, &deps);
                if !sends.is_empty() {
                    let h = self.facts.graph.fresh();
                    sink.handle = Some(h);
                    for &i in &sends {
                        let s = &self.facts.sends[i];
                        let send = Send {
                            handle: Some(h),
                            deps: substitute(&s.deps, params, &rest, &deps),
                            at: s.at,
                        };
                        self.facts.sends.push(send);
                    }
                }
                if first {
                    self.facts.sinks[ps.sink] = sink;
                    first = false;
                } else {
                    self.facts.sinks.push(sink);
                }
            }
            // The sends now belong to the copies (an empty send joins nothing).
            if !first {
                for &i in &sends {
                    self.facts.sends[i].deps = Deps::default();
                }
            }
        }
    }
}

impl<'a> Collector<'a, '_, '_> {
    /// The values `this` may have: one per call of its constructor, with the start of that
    /// `new` (None when the sink is not in a method of a known object).
    fn this_objects(
        &self,
        cx: &mut Contexts<'_, 'a>,
        this: Option<Sym>,
        used: &str,
    ) -> Vec<ThisObject<'a>> {
        let Some(t) = this else {
            return vec![(None, None)];
        };
        let ctor = self.instances.ctor_of.get(&t).copied();
        let mut out: Vec<ThisObject<'a>> = match ctor {
            Some(c) => self
                .call_contexts(cx, c)
                .iter()
                .map(|k| {
                    let made = match k.inst {
                        Instance::Made(at) => Some(at),
                        _ => None,
                    };
                    let binds = self.param_binds(c, &k.vals);
                    (made, Some(self.this_value(t, &binds, used)))
                })
                .collect(),
            None => Vec::new(),
        };
        if out.is_empty() {
            out.push((None, Some(self.this_value(t, &[], used))));
        }
        out
    }
}

/// A value of `this`, with the start of the `new` that made it when known.
type ThisObject<'a> = (Option<u32>, Option<Value<'a>>);

/// How much of a URL is known (its characters outside unknown runs).
fn known_chars(t: Option<&str>) -> usize {
    t.map_or(0, |t| t.chars().filter(|&c| c != HOLE).count())
}
