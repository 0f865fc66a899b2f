//! The data-flow graph: which variables hold data read from payment sources, followed through
//! assignments, object and array literals, encoders and `JSON.stringify` (a call's result
//! carries its arguments), closures (names resolve through the enclosing functions), callbacks
//! (a callback's parameters carry its receiver and arguments), calls of the script's own
//! functions (parameters carry arguments; the function's result carries what it returns), and
//! web storage and cookies used as staging (`localStorage.setItem` then `getItem`).
//!
//! What it does not follow: data staged in the DOM (a hidden input written then read back),
//! properties told apart on one object (writing `o.a` taints all of `o`), dynamic property
//! names, and values that pass through the network or timers as strings. Those cases still
//! produce the weaker "source and outside sink in one script" fact.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast hasher for the collector's name tables (keys are short identifiers from the
/// script; no attacker gains from collisions beyond slowing their own scan, which the time
/// budget bounds).
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

pub type Sym = u32;

/// Bits of where data comes from.
pub const SRC_PAYMENT: u8 = 1;
pub const SRC_HARVEST: u8 = 2;
pub const SRC_KEYSTROKE: u8 = 4;

/// What an expression's value depends on: variables, and sources read directly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deps {
    pub syms: Vec<Sym>,
    pub src: u8,
}

impl Deps {
    pub fn sym(s: Sym) -> Deps {
        Deps {
            syms: vec![s],
            src: 0,
        }
    }

    pub fn source(bits: u8) -> Deps {
        Deps {
            syms: Vec::new(),
            src: bits,
        }
    }

    pub fn merge(&mut self, other: Deps) {
        self.src |= other.src;
        for s in other.syms {
            if !self.syms.contains(&s) {
                self.syms.push(s);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.src == 0 && self.syms.is_empty()
    }
}

#[derive(Debug, Default)]
pub struct FlowGraph {
    next: Sym,
    /// Global names (top-level bindings and undeclared names), shared with decoded code.
    globals: HashMap<String, Sym, FxBuild>,
    edges: Vec<(Sym, Deps)>,
    /// A function's parameters, by the symbol the function is bound to.
    pub fn_params: HashMap<Sym, Vec<Sym>, FxBuild>,
    /// Names that take every argument of a call from an index on (`arguments`, `...rest`).
    pub fn_rest: HashMap<Sym, Vec<(usize, Sym)>, FxBuild>,
    /// Calls of bound functions with the dependencies of each argument.
    pub calls: Vec<(Sym, Vec<Deps>)>,
    /// An edge was dropped at the cap: flows through it are not seen (a partial analysis).
    pub truncated: bool,
    /// What the script hands to functions the analysis does not know (`window.__q(store)`:
    /// another script's, or a sender it cannot see), as one symbol; not shared state.
    escaped: Option<Sym>,
    /// Globals that hold a card field's element whose value is only ever read for a length,
    /// a test or a masked copy: not shared card data (see `collect::handles`).
    pub derived_only: HashSet<Sym, FxBuild>,
    /// Variables and callback parameters that hold selected elements, not data read from
    /// them (see `collect::holders`).
    pub element_holders: HashSet<Sym, FxBuild>,
    /// Names that hold elements if one of the listed names does, known only once the walk
    /// is over: lists and maps of elements with their markup (`forms.push({ el: form })`),
    /// aliases (`var el = e.target`), callback parameters of calls on a name.
    pub element_stores: Vec<(Sym, Vec<Sym>)>,
    /// Functions used as values: the symbol standing for each, and the symbol its parameters
    /// are keyed by in `fn_params` (see `collect::fn_refs`).
    pub fn_refs: Vec<(Sym, Sym)>,
    /// Calls through names (`f(…)`, `handlers[t](…)`): the name, and each argument's
    /// dependencies with whether it is spread.
    pub dyn_calls: Vec<(Sym, Vec<(Deps, bool)>)>,
    /// Calls of the script's own functions whose value is used: the symbol standing for the
    /// call's value, the function, and each argument's dependencies. A helper called with a
    /// form's fields in one place and with an error message in another returns the fields
    /// only where it was given them (see `solve`).
    pub call_values: Vec<(Sym, Sym, Option<Vec<Deps>>)>,
    /// Each call's value symbol and its function, kept after `solve`: a call of a helper
    /// that returns elements holds elements as the helper does.
    pub call_value_of: Vec<(Sym, Sym)>,
}

/// Symbols visited at most while finding which parameters reach their function's value
/// (see `FlowGraph::through_params`); past it, calls share their function's whole value.
const MAX_REACH_VISITS: usize = 4_000_000;

/// Functions whose own part is solved again at most (each is one more pass over the graph).
const MAX_REFINED_FNS: usize = 32;

/// Graphs larger than this keep calls sharing their function's whole value (a bundle's
/// passes would cost more than its analysis is allowed).
const MAX_REFINED_EDGES: usize = 400_000;

/// Which arguments of a call reach the called function's value.
#[derive(Default)]
struct Reach {
    params: Vec<usize>,
    /// `arguments` or a rest parameter reaches it: every argument from this position on.
    rest_from: Option<usize>,
}

impl Reach {
    fn reaches(&self, i: usize) -> bool {
        self.params.contains(&i) || self.rest_from.is_some_and(|r| i >= r)
    }
}

/// Functions a call through a name is joined with at most (see `join_dyn_calls`).
const MAX_DYN_TARGETS: usize = 6;

/// Cap on edges per script: beyond it the graph stops growing (large bundles stay linear).
const MAX_EDGES: usize = 2_000_000;

impl FlowGraph {
    pub fn fresh(&mut self) -> Sym {
        self.next += 1;
        self.next
    }

    pub fn global(&mut self, name: &str) -> Sym {
        if let Some(s) = self.globals.get(name) {
            return *s;
        }
        let s = self.fresh();
        self.globals.insert(name.to_string(), s);
        s
    }

    pub fn edge(&mut self, to: Sym, deps: Deps) {
        if deps.is_empty() {
            return;
        }
        if self.edges.len() < MAX_EDGES {
            self.edges.push((to, deps));
        } else {
            self.truncated = true;
        }
    }

    /// Propagate sources to a fixed point; returns the source bits of every symbol.
    ///
    /// A call's value (`call_values`) is what its function returns from the data it was
    /// given there, plus what the function returns of its own (from closures, globals,
    /// sources it reads): never another call's arguments. (1) The graph is built whole, each
    /// call's value standing for its function's whole value, and solved. (2) Which
    /// parameters reach a function's value is found on it. (3) For a function whose calls
    /// were given different data, its own part is solved again without what calls give its
    /// parameters, and each of its calls' values is made of that part and its own arguments.
    pub fn solve(&mut self) -> Vec<u8> {
        let walk = self.edges.len();
        let calls = std::mem::take(&mut self.calls);
        for (f, args) in calls {
            if let Some(rest) = self.fn_rest.get(&f).cloned() {
                for (from, s) in rest {
                    let mut d = Deps::default();
                    for a in args.iter().skip(from) {
                        d.merge(a.clone());
                    }
                    self.edge(s, d);
                }
            }
            if let Some(params) = self.fn_params.get(&f).cloned() {
                for (p, a) in params.into_iter().zip(args) {
                    self.edge(p, a);
                }
            }
        }
        // Each call's value stands for its function's whole value first, before the calls
        // through names are joined: which functions a name may hold flows through it.
        let values = std::mem::take(&mut self.call_values);
        self.call_value_of = values.iter().map(|(v, f, _)| (*v, *f)).collect();
        let value_edges = self.edges.len();
        for (v, f, _) in &values {
            self.edge(*v, Deps::sym(*f));
        }
        let value_edges = value_edges..self.edges.len();
        self.join_dyn_calls();
        let whole = self.edges.len();
        let taint = self.propagate_all();
        if values.is_empty() || self.truncated || whole > MAX_REFINED_EDGES {
            return taint;
        }
        self.refine_call_values(walk, value_edges, &values, &taint)
            .unwrap_or(taint)
    }

    /// Steps (2) and (3) of [`FlowGraph::solve`]; None when nothing changes. Edges from
    /// `walk` on are the calls' (into parameters) but for `value_edges` (call values from
    /// their functions).
    fn refine_call_values(
        &mut self,
        walk: usize,
        value_edges: std::ops::Range<usize>,
        values: &[(Sym, Sym, Option<Vec<Deps>>)],
        taint: &[u8],
    ) -> Option<Vec<u8>> {
        let whole = self.edges.len();
        let bits = |d: &Deps| {
            d.syms.iter().fold(d.src, |acc, s| {
                acc | taint.get(*s as usize).copied().unwrap_or(0)
            })
        };
        // Reachability from parameters over the graph with each call's value also made of
        // all its arguments (an over-estimate: a parameter found to reach is safe).
        for (v, _, args) in values {
            let mut d = Deps::default();
            for a in args.iter().flatten() {
                d.merge(a.clone());
            }
            self.edge(*v, d);
        }
        let through = self.through_params(values);
        self.edges.truncate(whole);
        // Functions worth refining: some call's own arguments explain less than the
        // function's whole value.
        let mut refine: Vec<Sym> = Vec::new();
        for (_, f, args) in values {
            let (Some(reach), Some(args)) = (through.get(f), args) else {
                continue;
            };
            let given = args
                .iter()
                .enumerate()
                .filter(|(i, _)| reach.reaches(*i))
                .fold(0u8, |acc, (_, a)| acc | bits(a));
            let all = taint.get(*f as usize).copied().unwrap_or(0);
            if all & !given != 0 && !refine.contains(f) && refine.len() < MAX_REFINED_FNS {
                refine.push(*f);
            }
        }
        if refine.is_empty() {
            return None;
        }
        // Each refined function's own part: the whole graph without what calls give its
        // parameters (the edges after the walk's into them, call values aside).
        let mut own: HashMap<Sym, u8, FxBuild> = HashMap::default();
        for f in &refine {
            let mut blocked: HashSet<Sym, FxBuild> = HashSet::default();
            blocked.extend(self.fn_params.get(f).into_iter().flatten().copied());
            blocked.extend(self.fn_rest.get(f).into_iter().flatten().map(|(_, s)| *s));
            let part = self.propagate_skipping(|i, to| {
                i >= walk && !value_edges.contains(&i) && blocked.contains(&to)
            });
            own.insert(*f, part.get(*f as usize).copied().unwrap_or(0));
        }
        // Each call of a refined function: its own arguments and the function's own part,
        // instead of the function's whole value.
        let mut replaced: HashSet<Sym, FxBuild> = HashSet::default();
        for (v, f, args) in values {
            if let (Some(part), Some(reach), Some(args)) = (own.get(f), through.get(f), args) {
                let mut d = Deps {
                    syms: Vec::new(),
                    src: *part,
                };
                for (i, a) in args.iter().enumerate() {
                    if reach.reaches(i) {
                        d.merge(a.clone());
                    }
                }
                self.edge(*v, d);
                replaced.insert(*v);
            }
        }
        Some(self.propagate_skipping(|i, to| value_edges.contains(&i) && replaced.contains(&to)))
    }

    /// For each function called for its value, which of its parameters (by argument
    /// position) reach its value; a function whose search ran out of budget is absent.
    fn through_params(
        &self,
        values: &[(Sym, Sym, Option<Vec<Deps>>)],
    ) -> HashMap<Sym, Reach, FxBuild> {
        let n = self.next as usize + 1;
        let (first, users) = self.user_index(n);
        let mut out: HashMap<Sym, Reach, FxBuild> = HashMap::default();
        let mut budget = MAX_REACH_VISITS;
        let mut seen = vec![0u32; n];
        let mut mark = 0u32;
        for (_, f, _) in values {
            if out.contains_key(f) {
                continue;
            }
            let params = self.fn_params.get(f).cloned().unwrap_or_default();
            let rest = self.fn_rest.get(f).cloned().unwrap_or_default();
            let mut reach = Reach::default();
            let mut exhausted = false;
            let starts = params
                .iter()
                .enumerate()
                .map(|(i, p)| (i, *p, false))
                .chain(rest.iter().map(|(from, s)| (*from, *s, true)));
            for (i, p, is_rest) in starts {
                mark += 1;
                let mut work = vec![p];
                seen[p as usize] = mark;
                let mut found = p == *f;
                while let Some(s) = work.pop() {
                    if found {
                        break;
                    }
                    if budget == 0 {
                        exhausted = true;
                        break;
                    }
                    budget -= 1;
                    let (a, b) = (first[s as usize] as usize, first[s as usize + 1] as usize);
                    for &e in &users[a..b] {
                        let to = self.edges[e as usize].0;
                        if to == *f {
                            found = true;
                            break;
                        }
                        if seen[to as usize] != mark {
                            seen[to as usize] = mark;
                            work.push(to);
                        }
                    }
                }
                if exhausted {
                    break;
                }
                if found {
                    if is_rest {
                        reach.rest_from = Some(reach.rest_from.map_or(i, |r: usize| r.min(i)));
                    } else {
                        reach.params.push(i);
                    }
                }
            }
            if !exhausted {
                out.insert(*f, reach);
            }
        }
        out
    }

    /// Source bits of every symbol over the edges as they are now.
    fn propagate_all(&self) -> Vec<u8> {
        self.propagate_skipping(|_, _| false)
    }

    /// Source bits of every symbol, leaving out the edges `skip` names (by index and target).
    fn propagate_skipping(&self, skip: impl Fn(usize, Sym) -> bool) -> Vec<u8> {
        let n = self.next as usize + 1;
        let mut taint = vec![0u8; n];
        let (first, users) = self.user_index(n);
        let mut work: Vec<Sym> = Vec::new();
        for (i, (to, d)) in self.edges.iter().enumerate() {
            if d.src != 0 && !skip(i, *to) {
                let t = &mut taint[*to as usize];
                if *t | d.src != *t {
                    *t |= d.src;
                    work.push(*to);
                }
            }
        }
        while let Some(s) = work.pop() {
            let b = taint[s as usize];
            let (a, z) = (first[s as usize] as usize, first[s as usize + 1] as usize);
            for &e in &users[a..z] {
                let to = self.edges[e as usize].0;
                if skip(e as usize, to) {
                    continue;
                }
                let t = &mut taint[to as usize];
                if *t | b != *t {
                    *t |= b;
                    work.push(to);
                }
            }
        }
        taint
    }

    /// Carry bit sets along the edges to a fixed point: what `s` holds, every symbol an
    /// edge from it reaches holds too. `work`: the symbols whose sets were seeded.
    fn propagate<T>(&self, bits: &mut [T], mut work: Vec<Sym>, first: &[u32], users: &[u32])
    where
        T: Copy + PartialEq + std::ops::BitOr<Output = T>,
    {
        while let Some(s) = work.pop() {
            let b = bits[s as usize];
            let (from, upto) = (first[s as usize] as usize, first[s as usize + 1] as usize);
            for &e in &users[from..upto] {
                let to = self.edges[e as usize].0 as usize;
                if bits[to] | b != bits[to] {
                    bits[to] = bits[to] | b;
                    work.push(to as Sym);
                }
            }
        }
    }

    /// Each symbol's users (the edges reading it, in edge order) in one array, symbol `s`'s
    /// at `users[first[s]..first[s + 1]]`: one allocation instead of one per symbol, of
    /// which a bundle has hundreds of thousands.
    fn user_index(&self, n: usize) -> (Vec<u32>, Vec<u32>) {
        let mut first = vec![0u32; n + 1];
        for (_, d) in &self.edges {
            for &s in &d.syms {
                if let Some(c) = first.get_mut(s as usize + 1) {
                    *c += 1;
                }
            }
        }
        let mut sum = 0;
        for c in first.iter_mut() {
            sum += *c;
            *c = sum;
        }
        let mut next = first.clone();
        let mut users = vec![0u32; first[n] as usize];
        for (i, (_, d)) in self.edges.iter().enumerate() {
            for &s in &d.syms {
                if let Some(at) = next.get_mut(s as usize).filter(|_| (s as usize) < n) {
                    users[*at as usize] = i as u32;
                    *at += 1;
                }
            }
        }
        (first, users)
    }

    /// Calls through names joined with the functions that reach those names (see
    /// `collect::fn_refs`): which functions a symbol may hold is propagated along the edges
    /// as data is, then each such call gives its arguments to those functions' parameters.
    /// A second round (for a handler that is itself passed through such a call) only when
    /// an argument of a joined call is a function.
    fn join_dyn_calls(&mut self) {
        if self.fn_refs.is_empty() || self.dyn_calls.is_empty() {
            return;
        }
        let refs: Vec<(Sym, Sym)> = self.fn_refs.iter().take(128).copied().collect();
        let calls = std::mem::take(&mut self.dyn_calls);
        let mut joined: HashSet<(usize, usize), FxBuild> = HashSet::default();
        for _ in 0..2 {
            let held = self.functions_held(&refs);
            let mut added = false;
            for (ci, (callee, args)) in calls.iter().enumerate() {
                let mut m = held.get(*callee as usize).copied().unwrap_or(0);
                // A name that may hold many functions is a dispatcher of a library (its
                // module table, a generic `apply`): joining each would send every call's
                // data everywhere. An event bus or a queue holds a few handlers.
                if m.count_ones() as usize > MAX_DYN_TARGETS {
                    continue;
                }
                while m != 0 {
                    let i = m.trailing_zeros() as usize;
                    m &= m - 1;
                    if !joined.insert((ci, i)) {
                        continue;
                    }
                    let f = refs[i].1;
                    let params = self.fn_params.get(&f).cloned().unwrap_or_default();
                    for (j, p) in params.iter().enumerate() {
                        let mut d = Deps::default();
                        for (k, (a, spread)) in args.iter().enumerate() {
                            if k == j || (*spread && k <= j) {
                                d.merge(a.clone());
                            }
                        }
                        if !d.is_empty() {
                            self.edge(*p, d);
                            added = true;
                        }
                    }
                    if let Some(rest) = self.fn_rest.get(&f).cloned() {
                        for (from, s) in rest {
                            let mut d = Deps::default();
                            for (a, _) in args.iter().skip(from) {
                                d.merge(a.clone());
                            }
                            self.edge(s, d);
                            added = true;
                        }
                    }
                }
            }
            let passes_functions = calls.iter().any(|(_, args)| {
                args.iter()
                    .any(|(d, _)| d.syms.iter().any(|s| refs.iter().any(|(r, _)| r == s)))
            });
            if !added || !passes_functions {
                break;
            }
        }
        self.dyn_calls = calls;
    }

    /// For each symbol, the set of `refs` (by index, at most 128) that may reach it.
    fn functions_held(&self, refs: &[(Sym, Sym)]) -> Vec<u128> {
        let n = self.next as usize + 1;
        let mut held = vec![0u128; n];
        let mut work: Vec<Sym> = Vec::new();
        for (i, (r, _)) in refs.iter().enumerate() {
            if let Some(h) = held.get_mut(*r as usize) {
                *h |= 1u128 << i;
                work.push(*r);
            }
        }
        let (first, users) = self.user_index(n);
        self.propagate(&mut held, work, &first, &users);
        held
    }
}

impl FlowGraph {
    /// The symbol of a global name, if the script used it.
    pub fn existing_global(&self, name: &str) -> Option<Sym> {
        self.globals.get(name).copied()
    }

    /// The symbol of what the script hands to functions the analysis does not know.
    pub fn escape(&mut self) -> Sym {
        if let Some(s) = self.escaped {
            return s;
        }
        let s = self.fresh();
        self.escaped = Some(s);
        s
    }

    /// The source bits handed to functions the analysis does not know.
    pub fn escaped_taint(&self, taint: &[u8]) -> u8 {
        self.escaped
            .and_then(|s| taint.get(s as usize).copied())
            .unwrap_or(0)
    }

    /// The source bits that reached state shared beyond one function: global names, pipes,
    /// storage. Data that stays in locals and is only tested, measured or masked is not here.
    pub fn shared_taint(&self, taint: &[u8]) -> u8 {
        self.globals
            .iter()
            .filter(|(name, s)| !name.starts_with("$method.") && !self.derived_only.contains(s))
            .fold(0, |acc, (_, s)| {
                acc | taint.get(*s as usize).copied().unwrap_or(0)
            })
    }

    /// Whether data with `bit` reached a symbol that is not an element holder: a held
    /// selection's fields were read into something (see `collect::holders`).
    pub fn reaches_beyond_holders(&self, taint: &[u8], bit: u8) -> bool {
        let mut holders = self.element_holders.clone();
        // Lists of lists, aliases of aliases: to a fixed point (each round adds a name or
        // stops), within a bound a real chain never reaches.
        for _ in 0..32 {
            let before = holders.len();
            for (list, names) in &self.element_stores {
                if names.iter().any(|n| holders.contains(n)) {
                    holders.insert(*list);
                }
            }
            for (v, f) in &self.call_value_of {
                if holders.contains(f) {
                    holders.insert(*v);
                }
            }
            if holders.len() == before {
                break;
            }
        }
        // Elements handed to an unknown function (`lib.watch(fields)`) are not data read.
        if let Some(e) = self.escaped {
            holders.insert(e);
        }
        taint
            .iter()
            .enumerate()
            .any(|(s, t)| t & bit != 0 && !holders.contains(&(s as Sym)))
    }

    /// Which of `seeds` (by index, at most 64) each symbol's value depends on: bit `i` of
    /// symbol `s` is set when data of `seeds[i]` reaches `s` along the edges (a pipe read
    /// back, a response, for the joins after the walk). One propagation for all seeds, where
    /// one walk per seed cost a pass over the whole graph each.
    pub fn reach_many(&self, seeds: &[Sym]) -> Vec<u64> {
        let n = self.next as usize + 1;
        let mut bits = vec![0u64; n];
        let mut work = Vec::new();
        for (i, &s) in seeds.iter().take(64).enumerate() {
            if let Some(b) = bits.get_mut(s as usize) {
                *b |= 1 << i;
                work.push(s);
            }
        }
        let (first, users) = self.user_index(n);
        self.propagate(&mut bits, work, &first, &users);
        // A call of the script's own function has the value the function returns, and its
        // parameters what the call passes, edges `solve` adds only later (`lookup()`
        // returning a `fetch` chain whose response is the address; `unveil(txt)` decoding
        // the answer into it): follow them here too, a few rounds for calls of calls.
        let of = |bits: &[u64], d: &Deps| {
            d.syms.iter().fold(0u64, |acc, s| {
                acc | bits.get(*s as usize).copied().unwrap_or(0)
            })
        };
        // Only a function called from one place: the arguments of one call reach no other
        // call's value here (`solve` keeps them apart; a helper that trims a response in one
        // place and local code in another must not make the local code a download).
        let mut call_sites: HashMap<Sym, usize, FxBuild> = HashMap::default();
        for (f, _) in &self.calls {
            *call_sites.entry(*f).or_default() += 1;
        }
        for _ in 0..8 {
            let mut work = Vec::new();
            for (f, args) in self.calls.iter().filter(|(f, _)| call_sites[f] == 1) {
                let params = self.fn_params.get(f).into_iter().flatten();
                let rest = self.fn_rest.get(f).into_iter().flatten();
                let into = params
                    .enumerate()
                    .filter_map(|(i, p)| Some((*p, of(&bits, args.get(i)?))))
                    .chain(rest.map(|(from, p)| {
                        let all = args
                            .iter()
                            .skip(*from)
                            .fold(0u64, |acc, a| acc | of(&bits, a));
                        (*p, all)
                    }))
                    .collect::<Vec<_>>();
                for (p, from) in into {
                    if let Some(b) = bits.get_mut(p as usize)
                        && from & !*b != 0
                    {
                        *b |= from;
                        work.push(p);
                    }
                }
            }
            for &(v, f, _) in &self.call_values {
                let from = bits.get(f as usize).copied().unwrap_or(0);
                if let Some(b) = bits.get_mut(v as usize)
                    && from & !*b != 0
                {
                    *b |= from;
                    work.push(v);
                }
            }
            if work.is_empty() {
                break;
            }
            self.propagate(&mut bits, work, &first, &users);
        }
        bits
    }
}

/// The source bits of an expression's dependencies, given the solved symbols.
pub fn bits_of(d: &Deps, taint: &[u8]) -> u8 {
    d.syms.iter().fold(d.src, |acc, s| {
        acc | taint.get(*s as usize).copied().unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_value_is_made_of_its_own_arguments() {
        // `function tidy(v) { return v.trim(); }` called with a card number and with an
        // error's message: only the first call's value is card data.
        let mut g = FlowGraph::default();
        let (f, p) = (g.fresh(), g.fresh());
        g.fn_params.insert(f, vec![p]);
        g.edge(f, Deps::sym(p));
        let card = Deps::source(SRC_PAYMENT);
        let message = Deps::default();
        let (v1, v2) = (g.fresh(), g.fresh());
        g.calls.push((f, vec![card.clone()]));
        g.call_values.push((v1, f, Some(vec![card])));
        g.call_values.push((v2, f, Some(vec![message])));
        let t = g.solve();
        assert_eq!(t[v1 as usize], SRC_PAYMENT);
        assert_eq!(
            t[v2 as usize], 0,
            "another call's argument leaked into this call"
        );

        // What the function reads of its own reaches every call; a closure's value reaches
        // through a function without parameters of its own.
        let mut g = FlowGraph::default();
        let (outer, p) = (g.fresh(), g.fresh());
        let inner = g.fresh();
        g.fn_params.insert(outer, vec![p]);
        g.fn_params.insert(inner, Vec::new());
        g.edge(inner, Deps::sym(p));
        g.edge(inner, Deps::source(SRC_KEYSTROKE));
        let inner_call = g.fresh();
        g.call_values.push((inner_call, inner, Some(Vec::new())));
        g.edge(outer, Deps::sym(inner_call));
        let (v1, v2) = (g.fresh(), g.fresh());
        g.calls.push((outer, vec![Deps::source(SRC_PAYMENT)]));
        g.call_values
            .push((v1, outer, Some(vec![Deps::source(SRC_PAYMENT)])));
        g.call_values.push((v2, outer, Some(vec![Deps::default()])));
        let t = g.solve();
        assert_eq!(t[v1 as usize], SRC_PAYMENT | SRC_KEYSTROKE);
        assert_eq!(t[v2 as usize], SRC_KEYSTROKE);

        // A call whose arguments are unknown keeps the function's whole value.
        let mut g = FlowGraph::default();
        let (f, p) = (g.fresh(), g.fresh());
        g.fn_params.insert(f, vec![p]);
        g.edge(f, Deps::sym(p));
        let v = g.fresh();
        g.calls.push((f, vec![Deps::source(SRC_HARVEST)]));
        g.call_values.push((v, f, None));
        let t = g.solve();
        assert_eq!(t[v as usize], SRC_HARVEST);
    }

    #[test]
    fn calls_through_names_reach_the_functions_held_there() {
        let sym = |s: Sym| Deps {
            syms: vec![s],
            src: 0,
        };
        // Handlers pushed into a list; `list.forEach(h => h(data))` calls through `h`.
        let mut g = FlowGraph::default();
        let list = g.global("handlers");
        let h = g.fresh();
        let mut handlers = Vec::new();
        for _ in 0..2 {
            let (r, f, p) = (g.fresh(), g.fresh(), g.fresh());
            g.fn_params.insert(f, vec![p]);
            g.fn_refs.push((r, f));
            g.edge(list, sym(r));
            handlers.push(p);
        }
        g.edge(h, sym(list));
        g.dyn_calls
            .push((h, vec![(Deps::source(SRC_PAYMENT), false)]));
        let t = g.solve();
        assert!(handlers.iter().all(|p| t[*p as usize] == SRC_PAYMENT));

        // A name that may hold more functions than an event bus does is a dispatcher: not
        // joined.
        let mut g = FlowGraph::default();
        let table = g.global("modules");
        let call = g.fresh();
        let mut params = Vec::new();
        for _ in 0..=MAX_DYN_TARGETS {
            let (r, f, p) = (g.fresh(), g.fresh(), g.fresh());
            g.fn_params.insert(f, vec![p]);
            g.fn_refs.push((r, f));
            g.edge(table, sym(r));
            params.push(p);
        }
        g.edge(call, sym(table));
        g.dyn_calls
            .push((call, vec![(Deps::source(SRC_PAYMENT), true)]));
        let t = g.solve();
        assert!(params.iter().all(|p| t[*p as usize] == 0));
    }

    #[test]
    fn taint_follows_edges_and_calls() {
        let mut g = FlowGraph::default();
        let a = g.global("a");
        let b = g.global("b");
        let f = g.global("f");
        let p = g.fresh();
        g.fn_params.insert(f, vec![p]);
        g.edge(a, Deps::source(SRC_PAYMENT));
        g.edge(
            b,
            Deps {
                syms: vec![a],
                src: 0,
            },
        );
        g.calls.push((
            f,
            vec![Deps {
                syms: vec![b],
                src: 0,
            }],
        ));
        let unrelated = g.global("c");
        let t = g.solve();
        assert_eq!(t[p as usize], SRC_PAYMENT);
        assert_eq!(t[unrelated as usize], 0);
        assert_eq!(
            bits_of(
                &Deps {
                    syms: vec![b],
                    src: SRC_KEYSTROKE
                },
                &t
            ),
            SRC_PAYMENT | SRC_KEYSTROKE
        );
    }
}
