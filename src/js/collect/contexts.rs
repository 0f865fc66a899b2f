//! Call contexts: what a function's parameters are at each of its calls, through callers of
//! callers. `low(u, b)` sends to `u`; `mid(path, d)` calls `low('https://host' + path, d)`;
//! `report(d)` calls `mid('/v2/c', d)`. At `low`'s one call the URL is only partly known;
//! at `mid`'s call from `report` it is whole. A call's arguments are evaluated with the
//! parameters of the function the call is written in bound to that function's own calls,
//! recursively, so each outermost call is one context (its values and its data), not a
//! blend of every caller's.
//!
//! Bounded: callers are followed [`MAX_DEPTH`] deep, a function keeps at most
//! [`MAX_CONTEXTS`] contexts, and each function's contexts are computed once per script
//! (memoised), so a script is never re-walked per call site.

use super::Collector;
use super::instances::Instance;
use super::params::OwnCall;
use crate::js::flow::{Deps, Sym};
use crate::js::value::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// Callers of callers followed this deep.
const MAX_DEPTH: u32 = 4;
/// Contexts kept per function.
pub(super) const MAX_CONTEXTS: usize = 16;

/// One call of a function: its arguments' values and data, with the parameters of the
/// functions around the call replaced by what their own calls pass.
#[derive(Clone)]
pub(super) struct CallContext<'a> {
    pub vals: Vec<Value<'a>>,
    pub deps: Vec<Deps>,
    /// The object the call is about (a method's receiver, a constructor's `new`).
    pub inst: Instance,
}

/// The script's calls of its own functions, indexed by function, and the contexts computed.
pub(super) struct Contexts<'c, 'a> {
    own: &'c [OwnCall<'a>],
    by_fn: HashMap<Sym, Vec<usize>>,
    memo: HashMap<Sym, Rc<Vec<CallContext<'a>>>>,
}

impl<'c, 'a> Contexts<'c, 'a> {
    pub fn new(own: &'c [OwnCall<'a>]) -> Self {
        let mut by_fn: HashMap<Sym, Vec<usize>> = HashMap::new();
        for (i, c) in own.iter().enumerate() {
            by_fn.entry(c.f).or_default().push(i);
        }
        Contexts {
            own,
            by_fn,
            memo: HashMap::new(),
        }
    }
}

impl<'a> Collector<'a, '_, '_> {
    /// The contexts of function `f`'s calls (at most [`MAX_CONTEXTS`]).
    pub(super) fn call_contexts(
        &self,
        cx: &mut Contexts<'_, 'a>,
        f: Sym,
    ) -> Rc<Vec<CallContext<'a>>> {
        self.contexts_at(cx, f, 0)
    }

    fn contexts_at(
        &self,
        cx: &mut Contexts<'_, 'a>,
        f: Sym,
        depth: u32,
    ) -> Rc<Vec<CallContext<'a>>> {
        if let Some(m) = cx.memo.get(&f) {
            return m.clone();
        }
        // A recursive function sees no contexts of itself while they are being computed.
        cx.memo.insert(f, Rc::new(Vec::new()));
        let own = cx.own;
        let calls = cx.by_fn.get(&f).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for i in calls {
            if out.len() >= MAX_CONTEXTS || self.stopped {
                break;
            }
            let c = &own[i];
            let outer = match c.within {
                Some(g) if depth < MAX_DEPTH && g != f && cx.by_fn.contains_key(&g) => self
                    .contexts_at(cx, g, depth + 1)
                    .iter()
                    .map(|o| (g, o.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            if outer.is_empty() {
                out.push(CallContext {
                    vals: c.args.iter().map(|a| self.interp.eval(a)).collect(),
                    deps: c.deps.clone(),
                    inst: c.inst,
                });
                continue;
            }
            for (g, o) in outer {
                if out.len() >= MAX_CONTEXTS {
                    break;
                }
                let binds = self.param_binds(g, &o.vals);
                let params = self
                    .facts
                    .graph
                    .fn_params
                    .get(&g)
                    .cloned()
                    .unwrap_or_default();
                let rest = self.rest_syms(g);
                out.push(CallContext {
                    vals: c
                        .args
                        .iter()
                        .map(|a| self.interp.eval_with(a, binds.clone()).0)
                        .collect(),
                    deps: c
                        .deps
                        .iter()
                        .map(|d| substitute(d, &params, &rest, &o.deps))
                        .collect(),
                    // `this.m()` in a method is about the object that method was called on.
                    inst: if c.inst == Instance::This {
                        o.inst
                    } else {
                        c.inst
                    },
                });
            }
        }
        let out = Rc::new(out);
        cx.memo.insert(f, out.clone());
        out
    }

    /// Function `f`'s parameter names bound to the values of one call.
    pub(super) fn param_binds(&self, f: Sym, vals: &[Value<'a>]) -> Vec<(&'a str, Value<'a>)> {
        let Some(&(params, arrow)) = self.fn_param_names.get(&f) else {
            return Vec::new();
        };
        // Patterns, defaults, `...rest` and `arguments` as the call binds them; a parameter
        // the call does not reach without a default stays unknown (the call may be one the
        // walk saw only in part).
        let mut binds = self.interp.bind_params(params, vals.to_vec());
        let mut unreached = Vec::new();
        for p in params.items.iter().skip(vals.len()) {
            if p.initializer.is_none() {
                super::scopes::collect_binding_names(&p.pattern, &mut unreached);
            }
        }
        binds.retain(|(n, _)| !(unreached.contains(n) || arrow && *n == "arguments"));
        binds.sort_by(|a, b| a.0.cmp(b.0));
        binds
    }

    /// The symbols of function `f`'s `arguments` and rest parameter, with their first index.
    pub(super) fn rest_syms(&self, f: Sym) -> Vec<(usize, Sym)> {
        self.facts
            .graph
            .fn_rest
            .get(&f)
            .cloned()
            .unwrap_or_default()
    }
}

/// Data for one call: the function's parameters (and its `arguments` and rest parameter,
/// which take every argument from an index on) replaced by that call's arguments.
pub(super) fn substitute(d: &Deps, params: &[Sym], rest: &[(usize, Sym)], args: &[Deps]) -> Deps {
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
            None if rest.iter().any(|(_, r)| r == s) => {
                for (from, _) in rest.iter().filter(|(_, r)| r == s) {
                    for a in args.iter().skip(*from) {
                        out.merge(a.clone());
                    }
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
