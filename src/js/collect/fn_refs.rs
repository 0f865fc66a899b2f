//! The script's own functions as values. An event bus keeps its handlers in a list or a map
//! (`bus.on('field', h)` pushes `h`; `emit` runs `list.forEach(f => f(...args))`), a queue
//! keeps callbacks to run later, a registry calls `handlers[type](data)`. At the call the
//! callee is a name the walk cannot resolve; the function reached it through the same
//! variables, containers and parameters data does. So a function written as a value gets a
//! symbol of its own, which flows along the graph's edges like data, and a call through a
//! name is, once the graph is complete, a call of every function whose symbol reaches that
//! name: its parameters receive the call's arguments (`FlowGraph::solve`).

use super::Collector;
use crate::js::flow::{Deps, Sym};
use oxc_ast::ast::*;

/// Functions followed as values per script (the graph keeps a 128-bit set per symbol).
pub(crate) const MAX_FN_REFS: usize = 128;
/// Calls through names kept per script.
const MAX_DYN_CALLS: usize = 4096;

impl<'a> Collector<'a, '_, '_> {
    /// The symbol standing for the function written at `start` used as a value.
    pub(super) fn fn_ref(&mut self, start: u32) -> Option<Sym> {
        if let Some(s) = self.fn_ref_syms.get(&start) {
            return Some(*s);
        }
        if self.fn_ref_syms.len() >= MAX_FN_REFS {
            return None;
        }
        let s = self.facts.graph.fresh();
        self.fn_ref_syms.insert(start, s);
        Some(s)
    }

    /// `f(…)`, `h(...args)`, `handlers[t](d)` where `f`, `h` or `handlers` is a name of the
    /// script (a parameter, a variable, a container) that is not one of its declared
    /// functions: kept with its arguments, to be joined with the functions that reach it.
    pub(super) fn note_dyn_call(&mut self, c: &'a CallExpression<'a>) {
        if self.fn_ref_syms.is_empty() && self.fn_starts.is_empty()
            || self.facts.graph.dyn_calls.len() >= MAX_DYN_CALLS
        {
            return;
        }
        // `fn.call(this, a, b)`, `fn.apply(null, args)`: a call of `fn` with the rest.
        let (callee, skip, spread_from) = match c.callee.without_parentheses() {
            Expression::StaticMemberExpression(m) if m.property.name == "call" => {
                (&m.object, 1, usize::MAX)
            }
            Expression::StaticMemberExpression(m) if m.property.name == "apply" => {
                (&m.object, 1, 1)
            }
            other => (other, 0, usize::MAX),
        };
        let callee = match callee.without_parentheses() {
            Expression::Identifier(id) => {
                if self.interp.decl_fn(id.name.as_str()).is_some() {
                    return;
                }
                let Some(s) = self.lookup(id.name.as_str()) else {
                    return;
                };
                if self.facts.graph.fn_params.contains_key(&s) {
                    return;
                }
                s
            }
            Expression::ComputedMemberExpression(m) => match self.base_sym(&m.object) {
                Some(s) => s,
                None => return,
            },
            _ => return,
        };
        let args: Vec<(Deps, bool)> = c
            .arguments
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(i, a)| match a {
                Argument::SpreadElement(s) => (self.deps(&s.argument), true),
                other => (self.deps(other.to_expression()), i >= spread_from),
            })
            .collect();
        if args.iter().all(|(d, _)| d.is_empty()) {
            return;
        }
        self.facts.graph.dyn_calls.push((callee, args));
    }

    /// A declared function named as a value (`bus.on('field', onField)`): its own symbol
    /// stands for it.
    pub(super) fn note_fn_decl_ref(&mut self, s: Sym) {
        if self.fn_ref_decls.len() < MAX_FN_REFS {
            self.fn_ref_decls.insert(s);
        }
    }

    /// At the end of the walk: each function used as a value with the symbol its
    /// parameters are keyed by.
    pub(super) fn finish_fn_refs(&mut self) {
        let mut refs: Vec<(Sym, Sym)> = self
            .fn_ref_syms
            .iter()
            .filter_map(|(start, r)| self.fn_starts.get(start).map(|f| (*r, *f)))
            .collect();
        refs.sort_unstable();
        let mut decls: Vec<Sym> = self
            .fn_ref_decls
            .iter()
            .copied()
            .filter(|s| self.facts.graph.fn_params.contains_key(s))
            .collect();
        decls.sort_unstable();
        refs.extend(decls.into_iter().map(|s| (s, s)));
        refs.truncate(MAX_FN_REFS);
        self.facts.graph.fn_refs = refs;
    }
}
