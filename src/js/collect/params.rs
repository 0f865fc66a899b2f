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
use crate::js::facts::UrlText;
use crate::js::flow::{Deps, Sym};
use crate::js::value::{HOLE, Value};
use oxc_ast::ast::*;

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
}

/// A call of one of the script's functions: its arguments, and their data where the call is.
pub(super) struct OwnCall<'a> {
    pub f: Sym,
    pub args: Vec<&'a Expression<'a>>,
    pub deps: Vec<Deps>,
}

/// `arr.forEach(cb)` / `map` …: the callback (by its start) takes each element of `arr`.
pub(super) struct IterCall<'a> {
    pub cb: u32,
    pub recv: &'a Expression<'a>,
    pub deps: Deps,
}

impl<'a> Collector<'a, '_, '_> {
    /// A catalogue sink about to be recorded with URL expression `u` (element `elem` of its
    /// value): when the URL is unknown inside a function, resolve it at the function's calls.
    pub(super) fn note_param_sink(
        &mut self,
        u: &'a Expression<'a>,
        elem: Option<usize>,
        url: &UrlText,
    ) {
        if url.text.is_some() || self.param_sinks.len() >= 1024 {
            return;
        }
        let Some(f) = self.fn_stack.last().map(|f| f.ret) else {
            return;
        };
        self.param_sinks.push(ParamSink {
            sink: self.facts.sinks.len(),
            url: u,
            elem,
            f,
        });
    }

    pub(super) fn note_own_call(&mut self, f: Sym, args: &[&'a Expression<'a>], deps: &[Deps]) {
        if self.own_calls.len() < 8192 {
            self.own_calls.push(OwnCall {
                f,
                args: args.to_vec(),
                deps: deps.to_vec(),
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

    /// Join the sinks with unknown URLs to the calls of their functions.
    pub(super) fn join_param_sinks(&mut self) {
        let sinks = std::mem::take(&mut self.param_sinks);
        let own = std::mem::take(&mut self.own_calls);
        let iters = std::mem::take(&mut self.iter_calls);
        let mut joins = 0;
        for ps in &sinks {
            let Some(names) = self.fn_param_names.get(&ps.f).cloned() else {
                continue;
            };
            let params = self
                .facts
                .graph
                .fn_params
                .get(&ps.f)
                .cloned()
                .unwrap_or_default();
            // Each call as the values of its arguments and their data.
            let mut calls: Vec<(Vec<Value<'a>>, Vec<Deps>)> = Vec::new();
            for c in own.iter().filter(|c| c.f == ps.f) {
                let vals = c.args.iter().map(|a| self.interp.eval(a)).collect();
                calls.push((vals, c.deps.clone()));
                if calls.len() >= MAX_CALLS_PER_SINK {
                    break;
                }
            }
            for it in iters
                .iter()
                .filter(|it| self.fn_starts.get(&it.cb) == Some(&ps.f))
            {
                if let Value::Array(items) = self.interp.eval(it.recv) {
                    for x in items.borrow().iter().take(MAX_CALLS_PER_SINK) {
                        calls.push((vec![x.clone()], vec![it.deps.clone()]));
                    }
                }
            }
            let Some(base) = self.facts.sinks.get(ps.sink).cloned() else {
                continue;
            };
            let mut first = true;
            for (vals, deps) in calls.into_iter().take(MAX_CALLS_PER_SINK) {
                if joins >= MAX_JOINS {
                    return;
                }
                joins += 1;
                let binds: Vec<(&'a str, Value<'a>)> = names
                    .iter()
                    .zip(vals)
                    .filter_map(|(n, v)| n.map(|n| (n, v)))
                    .collect();
                let (mut v, hidden) = self.interp.eval_with(ps.url, binds);
                if let Some(i) = ps.elem {
                    v = match v {
                        Value::Array(a) => a.borrow().get(i).cloned().unwrap_or(Value::Unknown),
                        _ => Value::Unknown,
                    };
                }
                let text = match &v {
                    Value::Holed(h) if h.chars().any(|c| c != HOLE) => Some(h.to_string()),
                    v => v.known_text().map(str::to_string),
                };
                let Some(text) = text else { continue };
                if hidden {
                    self.facts.add_decoded(&text);
                }
                let mut sink = base.clone();
                sink.url = UrlText {
                    complete: matches!(v, Value::Str(_) | Value::Url(_)),
                    text: Some(text),
                    hidden,
                };
                sink.deps = substitute(&base.deps, &params, &deps);
                if first {
                    self.facts.sinks[ps.sink] = sink;
                    first = false;
                } else {
                    self.facts.sinks.push(sink);
                }
            }
        }
    }
}

/// A sink's data for one call: the function's parameters replaced by that call's arguments.
fn substitute(d: &Deps, params: &[Sym], args: &[Deps]) -> Deps {
    let mut out = Deps {
        syms: Vec::new(),
        src: d.src,
    };
    for s in &d.syms {
        match params.iter().position(|p| p == s) {
            Some(i) => {
                if let Some(a) = args.get(i) {
                    out.merge(a.clone());
                }
            }
            None => {
                if !out.syms.contains(s) {
                    out.syms.push(*s);
                }
            }
        }
    }
    out
}
