//! Sinks passed as arguments: `function deliver(send, u, d) { send(u, d) }` called as
//! `deliver(navigator.sendBeacon.bind(navigator), url, data)`. Inside `deliver` the callee is
//! a parameter the walk cannot name; at the call site the argument is a browser function. The
//! two halves are recorded during the walk and joined at its end, when every function's
//! parameters are known: the parameter's calls become calls of that browser function, with the
//! URL taken from the caller's argument when the callee passes a parameter through.

use super::Collector;
use crate::js::flow::{Deps, Sym};
use crate::js::value::Value;
use crate::rules::schema::{WebApiData, WebApiKind};
use oxc_ast::ast::*;
use oxc_span::Span;

/// A call of a function's parameter.
pub(super) struct ParamCall<'a> {
    pub param: Sym,
    pub args: Vec<&'a Expression<'a>>,
    /// Each argument's dependencies and, when it is a parameter of the function the call is
    /// in, that parameter's position — taken where the call is, in its scope.
    pub deps: Vec<Deps>,
    pub passes: Vec<Option<(Sym, usize)>>,
    pub span: Span,
}

/// A function's parameter passed on to another of the script's functions: `from` and `to` are
/// (function, position).
pub(super) struct FnPass<'a> {
    pub from: (Sym, usize),
    pub to: (Sym, usize),
    pub args: Vec<&'a Expression<'a>>,
}

/// How many functions a browser function is followed through, parameter to parameter.
const MAX_PASSES: usize = 4;

/// A browser function passed to one of the script's own functions.
pub(super) struct FnArg<'a> {
    pub f: Sym,
    pub index: usize,
    pub api: String,
    pub args: Vec<&'a Expression<'a>>,
}

impl<'a> Collector<'a, '_, '_> {
    /// `p(…)` where p is a parameter of an enclosing function.
    pub(super) fn note_param_call(&mut self, c: &'a CallExpression<'a>) {
        let Expression::Identifier(id) = c.callee.without_parentheses() else {
            return;
        };
        let Some(s) = self.lookup(id.name.as_str()) else {
            return;
        };
        if !self.param_index.contains_key(&s) || self.param_calls.len() >= 4096 {
            return;
        }
        let args = super::callsite::arg_exprs(&c.arguments);
        let mut deps = Vec::with_capacity(args.len());
        let mut passes = Vec::with_capacity(args.len());
        for a in &args {
            deps.push(self.deps(a));
            passes.push(match a.without_parentheses() {
                Expression::Identifier(id) => self
                    .lookup(id.name.as_str())
                    .and_then(|s| self.param_index.get(&s).copied()),
                _ => None,
            });
        }
        self.param_calls.push(ParamCall {
            param: s,
            args,
            deps,
            passes,
            span: c.span,
        });
    }

    /// `f(a, b)` of the script's own function f: remember arguments that are browser functions.
    pub(super) fn note_fn_args(&mut self, f: Sym, args: &[&'a Expression<'a>]) {
        for (i, a) in args.iter().enumerate() {
            // Names, members and bound copies (`x.bind(y)`); other calls are not evaluated here.
            let looks_like_fn = match a.without_parentheses() {
                Expression::Identifier(_)
                | Expression::StaticMemberExpression(_)
                | Expression::ComputedMemberExpression(_) => true,
                Expression::CallExpression(c) => matches!(
                    c.callee.without_parentheses(),
                    Expression::StaticMemberExpression(m) if m.property.name == "bind"
                ),
                _ => false,
            };
            if looks_like_fn {
                self.note_fn_arg(f, i, a, args.to_vec());
            }
            // `function a(f, d) { b(f, d) }`: what a's parameter holds, b's does too.
            if let Expression::Identifier(id) = a.without_parentheses()
                && let Some(p) = self.lookup(id.name.as_str())
                && let Some(&from) = self.param_index.get(&p)
                && self.fn_passes.len() < 1024
            {
                self.fn_passes.push(FnPass {
                    from,
                    to: (f, i),
                    args: args.to_vec(),
                });
            }
        }
    }

    /// Argument `i` of a call of `f` (or its default) is `a`: keep it when it is a browser
    /// function from the catalogue.
    pub(super) fn note_fn_arg(
        &mut self,
        f: Sym,
        i: usize,
        a: &'a Expression<'a>,
        args: Vec<&'a Expression<'a>>,
    ) {
        let a = self.fn_source(a).unwrap_or(a);
        if let Value::Api(p) = self.interp.peek(a)
            && self.k.apis.find_path(&p, false).is_some()
            && self.fn_args.len() < 1024
        {
            self.fn_args.push(FnArg {
                f,
                index: i,
                api: p.to_string(),
                args,
            });
        }
    }

    /// Join parameter calls to the browser functions passed for those parameters.
    pub(super) fn join_param_calls(&mut self) {
        let mut fn_args = std::mem::take(&mut self.fn_args);
        let passes = std::mem::take(&mut self.fn_passes);
        // Follow each browser function through parameters passed on (bounded rounds).
        let mut fresh: Vec<usize> = (0..fn_args.len()).collect();
        for _ in 0..MAX_PASSES {
            let mut next = Vec::new();
            for &k in &fresh {
                let from = (fn_args[k].f, fn_args[k].index);
                for ps in passes.iter().filter(|ps| ps.from == from) {
                    if fn_args.len() >= 1024
                        || fn_args
                            .iter()
                            .any(|x| (x.f, x.index) == ps.to && x.api == fn_args[k].api)
                    {
                        continue;
                    }
                    let api = fn_args[k].api.clone();
                    next.push(fn_args.len());
                    fn_args.push(FnArg {
                        f: ps.to.0,
                        index: ps.to.1,
                        api,
                        args: ps.args.clone(),
                    });
                }
            }
            if next.is_empty() {
                break;
            }
            fresh = next;
        }
        let calls = std::mem::take(&mut self.param_calls);
        for fa in &fn_args {
            let Some(p) = self
                .facts
                .graph
                .fn_params
                .get(&fa.f)
                .and_then(|ps| ps.get(fa.index))
                .copied()
            else {
                continue;
            };
            let Some(entry) = self.k.apis.find_path(&fa.api, false).cloned() else {
                continue;
            };
            for call in calls.iter().filter(|c| c.param == p) {
                let Some(u) = call.args.get(entry.url).copied() else {
                    continue;
                };
                // The callee passes its own parameter through: the caller's argument is the URL.
                let url_expr = call
                    .passes
                    .get(entry.url)
                    .copied()
                    .flatten()
                    .filter(|(owner, _)| *owner == fa.f)
                    .and_then(|(_, j)| fa.args.get(j).copied())
                    .unwrap_or(u);
                let url = self.url_text(url_expr);
                match entry.kind {
                    WebApiKind::Load => self.load(entry.channel, call.span, url),
                    WebApiKind::Sink => {
                        let mut d = Deps::default();
                        match entry.data {
                            WebApiData::All => {
                                for x in &call.deps {
                                    d.merge(x.clone());
                                }
                            }
                            WebApiData::Url => {
                                if let Some(x) = call.deps.get(entry.url) {
                                    d.merge(x.clone());
                                }
                            }
                        }
                        self.sink(entry.channel, call.span, url, d, None);
                    }
                }
            }
        }
    }
}
