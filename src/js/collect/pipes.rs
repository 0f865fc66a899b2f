//! Hand-offs: data a script puts somewhere the page keeps and reads back later — events
//! (`CustomEvent` detail, listeners), messages (`postMessage` to itself, `BroadcastChannel`,
//! `MessageChannel` ports, workers), Web storage by key, cookies, IndexedDB object stores,
//! DOM staging (a hidden input's value, `dataset` — on a selected element or on
//! `document.body` —, `textContent`), the page's own history entry (`history.replaceState(d)`
//! read as `history.state`) and address fragment (`location.hash`), the Cache API, properties
//! of `window` (`global:NAME`), and promises. Each is a *pipe*: one global symbol per pipe
//! and key, written where data goes in and read where it comes out. Pipes are shared with
//! decoded code, and their keys are exported with the script's facts so a page-level join
//! can connect the scripts of one page (they share one window).

use super::callsite::CallSite;
use super::{Collector, SELECTOR_METHODS, is_jquery_name};
use crate::js::flow::{Deps, Sym};
use crate::js::value::Value;
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::BinaryOperator;

/// Element properties that stage data in the DOM when written and hand it back when read.
const DOM_DATA_PROPS: &[&str] = &[
    "value",
    "defaultValue",
    "textContent",
    "innerText",
    "title",
    "alt",
    "placeholder",
];

/// Event-handler properties whose handler receives the object's data (a request's result,
/// a port's message).
const DATA_HANDLERS: &[&str] = &["onmessage", "onsuccess", "oncomplete", "onload"];

/// A selector or id as a pipe key: `#stash`, `input[name="stash"]`, `stash` → `stash`.
pub(super) fn dom_key_of(selector: &str) -> Option<String> {
    let s = selector.trim();
    let s = match s.find("name=") {
        Some(i) => &s[i + 5..],
        None => s.trim_start_matches(['#', '.']),
    };
    let key: String = s
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '[' | ']'))
        .collect::<String>()
        .to_lowercase();
    (!key.is_empty() && key.len() <= 80).then_some(key)
}

impl<'a> Collector<'a, '_, '_> {
    fn pipe_sym(&mut self, key: &str) -> Sym {
        self.facts.graph.global(&format!("$pipe:{key}"))
    }

    /// Data goes into the pipe `key`.
    pub(super) fn pipe_write(&mut self, key: &str, deps: Deps) {
        if deps.is_empty() {
            return;
        }
        let s = self.pipe_sym(key);
        self.facts.graph.edge(s, deps);
        if self.facts.pipes_written.len() < 256 {
            self.facts.pipes_written.insert(key.to_string());
        }
    }

    /// The symbol of what comes out of the pipe `key`.
    pub(super) fn pipe_read(&mut self, key: &str) -> Sym {
        if self.facts.pipes_read.len() < 256 {
            self.facts.pipes_read.insert(key.to_string());
        }
        self.pipe_sym(key)
    }

    /// Storage written under a key: readers of that key and readers of unknown keys see it.
    pub(super) fn storage_write(&mut self, area: &str, key: Option<&str>, deps: Deps) {
        let general = self.storage_sym();
        self.facts.graph.edge(general, deps.clone());
        match key {
            Some(k) => self.pipe_write(&format!("{area}:{k}"), deps),
            None => self.pipe_write(&format!("{area}:*"), deps),
        }
    }

    /// Storage read under a key (or an unknown key: everything stored).
    pub(super) fn storage_read(&mut self, area: &str, key: Option<&str>, d: &mut Deps) {
        match key {
            Some(k) => {
                let a = self.pipe_read(&format!("{area}:{k}"));
                let b = self.pipe_read(&format!("{area}:*"));
                Self::push_sym(d, Some(a));
                Self::push_sym(d, Some(b));
            }
            None => {
                let g = self.storage_sym();
                Self::push_sym(d, Some(g));
            }
        }
    }

    /// `localStorage` or `sessionStorage`, for pipe keys.
    pub(super) fn storage_area(&self, e: &'a Expression<'a>) -> &'static str {
        match self.path_of(e).as_deref() {
            Some("sessionStorage") => "session",
            _ => "local",
        }
    }

    /// The DOM pipe key of an element expression: selected by a constant id or selector, or
    /// a variable holding such an element or an element the script named.
    pub(super) fn dom_key(&mut self, e: &'a Expression<'a>) -> Option<String> {
        match e.without_parentheses() {
            Expression::CallExpression(c) => {
                let (obj, name) = self.callee_name(&c.callee);
                let name = name?;
                let selector = SELECTOR_METHODS.contains(&name.as_str())
                    || (obj.is_none() && is_jquery_name(&name));
                if !selector {
                    return None;
                }
                let a0 = c.arguments.first()?.as_expression()?;
                let v = self.interp.peek(a0);
                dom_key_of(v.as_str()?)
            }
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str())?;
                self.elem_keys.get(&s).cloned()
            }
            Expression::StaticMemberExpression(m) if m.property.name == "dataset" => {
                self.dom_key(&m.object)
            }
            Expression::StaticMemberExpression(m) => self.document_element_key(m),
            _ => None,
        }
    }

    /// `document.body`, `document.head`, `document.documentElement`: elements every script of
    /// the page reaches without a selector, so data staged on them (`document.body.dataset.k
    /// = v`, `setAttribute('data-k', v)`) comes back wherever they are read. The key has a dot,
    /// which no selector's key has.
    pub(super) fn document_element_key(
        &mut self,
        m: &'a StaticMemberExpression<'a>,
    ) -> Option<String> {
        let prop = m.property.name.as_str();
        (matches!(prop, "body" | "head" | "documentElement")
            && self.path_of(&m.object).as_deref() == Some("document"))
        .then(|| format!("document.{prop}"))
    }

    /// Pipes written or read by a call (messages, storage, object stores, DOM setters).
    pub(super) fn pipe_call(
        &mut self,
        site: &CallSite<'a>,
        name: &str,
        obj_path: Option<&str>,
        _span: Span,
    ) {
        let args = &site.args;
        match name {
            // `window.postMessage(d, '*')` to itself, a port, a channel, a worker.
            "postMessage" => {
                if let Some(a) = args.first() {
                    let d = self.deps(a);
                    self.pipe_write("message", d);
                }
            }
            "setItem" => {
                let storage = site.obj.is_some_and(|o| self.is_storage(o))
                    || matches!(obj_path, Some("localStorage" | "sessionStorage"));
                if storage && let Some(v) = args.get(1) {
                    let area = match site.obj {
                        Some(o) => self.storage_area(o),
                        None if obj_path == Some("sessionStorage") => "session",
                        None => "local",
                    };
                    let key = args
                        .first()
                        .and_then(|k| self.interp.peek(k).as_str().map(str::to_string));
                    let d = self.deps(v);
                    self.storage_write(area, key.as_deref(), d);
                }
            }
            // jQuery events: `$(document).trigger('cart:sync', [data])` hands `data` to the
            // extra parameters of every `.on('cart:sync', function (e, data) {…})`.
            "trigger" | "triggerHandler" if site.obj.is_some() && args.len() >= 2 => {
                let ev = self
                    .interp
                    .peek(args[0])
                    .as_str()
                    .map(|e| e.split('.').next().unwrap_or("").to_string());
                let mut d = Deps::default();
                for a in &args[1..] {
                    self.deps_into(a, &mut d, 0);
                }
                match ev.filter(|e| !e.is_empty()) {
                    Some(ev) => self.pipe_write(&format!("event:{ev}"), d),
                    None => {
                        self.note_param_pipe(args[0], "event:", d);
                    }
                }
            }
            // `history.pushState(data, '')`: the entry's state, read back as `history.state`.
            "pushState" | "replaceState"
                if matches!(obj_path, Some("history" | "window.history")) =>
            {
                if let Some(a) = args.first() {
                    let d = self.deps(a);
                    self.pipe_write("history", d);
                }
            }
            // IndexedDB: `store.put(v)`, `store.add(v)`.
            "put" | "add" => {
                if let (Some(o), Some(v)) = (site.obj, args.first())
                    && let Some(store) = self.idb_store(o)
                {
                    let d = self.deps(v);
                    self.pipe_write(&format!("idb:{store}"), d);
                }
                // The Cache API: `cache.put(key, new Response(data))` keeps `data` for a later
                // `cache.match(key)` (read in `pipe_call_deps`).
                if name == "put"
                    && let Some(Expression::NewExpression(n)) =
                        args.get(1).map(|a| a.without_parentheses())
                    && matches!(n.callee.without_parentheses(), Expression::Identifier(id) if id.name == "Response")
                    && let Some(body) = n.arguments.first().and_then(|a| a.as_expression())
                {
                    let d = self.deps(body);
                    self.pipe_write("cache", d);
                }
            }
            "setAttribute" => {
                // A name built at run time (`'data-ux-' + KEYS[id]`) is still a `data-*`
                // attribute when its written start says so.
                let attr = args.first().and_then(|a| {
                    self.interp
                        .peek(a)
                        .as_str()
                        .map(str::to_ascii_lowercase)
                        .or_else(|| known_start(a).map(|s| s.to_ascii_lowercase()))
                });
                if let (Some(o), Some(attr), Some(v)) = (site.obj, attr, args.get(1)) {
                    self.created_field_write(o, &attr, v);
                    if attr == "id" || attr == "name" {
                        self.name_element(o, v);
                    } else if (attr == "value" || attr.starts_with("data-"))
                        && let Some(k) = self.dom_key(o)
                    {
                        let d = self.deps(v);
                        self.pipe_write(&format!("dom:{k}"), d);
                    }
                }
            }
            // jQuery setters: `$('#x').val(v)`, `.text(v)`, `.attr('data-k', v)`, `.data(k, v)`.
            "val" | "text" | "attr" | "data" if !args.is_empty() => {
                let v = if name == "val" || name == "text" {
                    args.first()
                } else {
                    args.get(1)
                };
                if let (Some(o), Some(v)) = (site.obj, v)
                    && let Some(k) = self.dom_key(o)
                {
                    let d = self.deps(v);
                    self.pipe_write(&format!("dom:{k}"), d);
                }
            }
            _ => {}
        }
    }

    /// `var el = …; el.id = 'stash'` / `setAttribute('id', 'stash')`: the element is known by
    /// that key from now on.
    pub(super) fn name_element(&mut self, el: &'a Expression<'a>, v: &'a Expression<'a>) {
        if let Some(k) = self.interp.peek(v).as_str().and_then(dom_key_of)
            && let Some(s) = self.base_sym(el)
        {
            self.elem_keys.insert(s, k);
        }
    }

    /// Pipes written by a construction: an event carrying `detail`, a promise.
    pub(super) fn pipe_new(&mut self, it: &'a NewExpression<'a>, name: Option<&str>) {
        match name {
            Some("CustomEvent" | "Event" | "MessageEvent") => {
                let name = it.arguments.first().and_then(|a| a.as_expression());
                let ev = name.and_then(|a| self.interp.peek(a).as_str().map(str::to_string));
                if let Some(init) = it.arguments.get(1).and_then(|a| a.as_expression()) {
                    let d = self.deps(init);
                    match (ev, name) {
                        (Some(ev), _) => self.pipe_write(&format!("event:{ev}"), d),
                        // `emit(name, detail)`: the event its callers name.
                        (None, Some(n)) => {
                            self.note_param_pipe(n, "event:", d);
                        }
                        (None, None) => {}
                    }
                }
            }
            Some("Promise") => {
                if let Some(
                    f
                    @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
                ) = it.arguments.first().and_then(|a| a.as_expression())
                {
                    let v = self.promise_val(it.span.start);
                    self.promise_execs.insert(f.span().start, v);
                }
            }
            _ => {}
        }
    }

    /// The symbol of what a `new Promise(…)` resolves to.
    pub(super) fn promise_val(&mut self, start: u32) -> Sym {
        if let Some(s) = self.promise_vals.get(&start) {
            return *s;
        }
        let s = self.facts.graph.fresh();
        self.promise_vals.insert(start, s);
        s
    }

    /// A listener's callback receives what was sent on the pipes of its events.
    pub(super) fn pipe_listener(&mut self, c: &'a CallExpression<'a>, events: &str) {
        let mut d = Deps::default();
        for ev in events.split_whitespace() {
            let ev = ev.split('.').next().unwrap_or("");
            if ev.is_empty() {
                continue;
            }
            let s = if ev == "message" {
                self.pipe_read("message")
            } else {
                self.pipe_read(&format!("event:{ev}"))
            };
            Self::push_sym(&mut d, Some(s));
        }
        if d.is_empty() {
            return;
        }
        for a in &c.arguments {
            if let Some(
                x @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
            ) = a.as_expression()
            {
                self.pending_params
                    .entry(x.span().start)
                    .or_default()
                    .merge(d.clone());
            } else if let Some(Expression::Identifier(id)) = a.as_expression()
                && let Some(f) = self.lookup(id.name.as_str())
            {
                // A named handler: its first parameter receives the event.
                self.facts.graph.calls.push((f, vec![d.clone()]));
            }
        }
    }

    /// `x.onmessage = function (e) {…}`, `req.onsuccess = …`: the handler's parameter receives
    /// the object's data (and, for messages, what was posted).
    pub(super) fn handler_write(
        &mut self,
        obj: Option<&'a Expression<'a>>,
        prop: &str,
        rhs: &'a Expression<'a>,
    ) {
        if !DATA_HANDLERS.contains(&prop) {
            return;
        }
        let start = match rhs.without_parentheses() {
            Expression::FunctionExpression(f) => f.span.start,
            Expression::ArrowFunctionExpression(f) => f.span.start,
            _ => return,
        };
        let mut d = match obj {
            Some(o) => self.deps(o),
            None => Deps::default(),
        };
        if prop == "onmessage" {
            let s = self.pipe_read("message");
            Self::push_sym(&mut d, Some(s));
        }
        if !d.is_empty() {
            self.pending_params.entry(start).or_default().merge(d);
        }
    }

    /// The IndexedDB object store an expression is (`tx.objectStore('cards')`, or a variable
    /// holding one).
    pub(super) fn idb_store(&mut self, e: &'a Expression<'a>) -> Option<String> {
        match e.without_parentheses() {
            Expression::CallExpression(c) => {
                let (_, name) = self.callee_name(&c.callee);
                if name.as_deref() != Some("objectStore") {
                    return None;
                }
                let a0 = c.arguments.first()?.as_expression()?;
                self.interp.peek(a0).as_str().map(str::to_string)
            }
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str())?;
                self.store_names.get(&s).cloned()
            }
            _ => None,
        }
    }

    /// Reads that come out of a pipe, for [`Collector::call_deps`]: a selector's element
    /// carries what was staged in it; an object store's `get` carries what was put there.
    /// `window.__draft = draft` (or `w.__draft` of a wrapper's `window`): a property of the
    /// window every script of the page shares. What the global holds is the pipe
    /// `global:NAME`'s, so another script reading `window.__draft` gets it (the page join).
    pub(super) fn window_global_write(&mut self, name: &str, global: Sym) {
        if self.window_globals.insert(name.to_string()) {
            self.pipe_write(
                &format!("global:{name}"),
                Deps {
                    syms: vec![global],
                    src: 0,
                },
            );
        }
    }

    /// `window.__draft` read: the script's own global, and what other scripts put there.
    pub(super) fn window_global_read(&mut self, name: &str) -> Sym {
        self.pipe_read(&format!("global:{name}"))
    }

    /// `history.state` and `location.hash` (also through `window.` or `document.`): the
    /// pipe a script can stage data in through the page's own history entry or address.
    pub(super) fn navigation_pipe(
        &mut self,
        obj: &'a Expression<'a>,
        prop: &str,
    ) -> Option<&'static str> {
        let path = self.path_of(obj)?;
        match (path.as_str(), prop) {
            ("history" | "window.history", "state") => Some("history"),
            ("location" | "window.location" | "document.location", "hash") => Some("hash"),
            _ => None,
        }
    }

    pub(super) fn pipe_call_deps(
        &mut self,
        c: &'a CallExpression<'a>,
        obj: Option<&'a Expression<'a>>,
        name: &str,
        d: &mut Deps,
    ) {
        // `cache.match(key)`: a response the script put in the Cache API (only a pipe once
        // something was put there with `new Response(…)`; `'abc'.match(/b/)` reads nothing).
        if name == "match"
            && self.facts.pipes_written.contains("cache")
            && c.arguments
                .first()
                .and_then(|a| a.as_expression())
                .is_some_and(|a| {
                    !matches!(
                        a.without_parentheses(),
                        Expression::RegExpLiteral(_) | Expression::NewExpression(_)
                    )
                })
        {
            let s = self.pipe_read("cache");
            Self::push_sym(d, Some(s));
        }
        if matches!(name, "get" | "getAll" | "openCursor" | "getAllKeys")
            && let Some(o) = obj
            && let Some(store) = self.idb_store(o)
        {
            let s = self.pipe_read(&format!("idb:{store}"));
            Self::push_sym(d, Some(s));
        }
        let selector = SELECTOR_METHODS.contains(&name) || (obj.is_none() && is_jquery_name(name));
        if selector
            && let Some(a0) = c.arguments.first().and_then(|a| a.as_expression())
            && let Value::Str(t) = self.interp.peek(a0)
            && let Some(k) = dom_key_of(&t)
        {
            let s = self.pipe_read(&format!("dom:{k}"));
            Self::push_sym(d, Some(s));
        }
    }

    /// Element writes that stage data: `el.value = v`, `el.dataset.k = v`, `el.textContent = v`.
    pub(super) fn dom_write(
        &mut self,
        obj: &'a Expression<'a>,
        prop: &str,
        rhs: &'a Expression<'a>,
    ) {
        if prop == "id" || prop == "name" {
            self.name_element(obj, rhs);
            return;
        }
        let staged = DOM_DATA_PROPS.contains(&prop)
            || matches!(obj.without_parentheses(), Expression::StaticMemberExpression(m) if m.property.name == "dataset");
        if staged && let Some(k) = self.dom_key(obj) {
            let d = self.deps(rhs);
            self.pipe_write(&format!("dom:{k}"), d);
        }
    }
}

/// The literal text a string expression begins with: the first operand of a `+` chain or
/// the head of a template (`'data-ux-' + k`, `` `data-${k}` ``).
fn known_start<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            known_start(&b.left)
        }
        Expression::TemplateLiteral(t) => t.quasis.first().map(|q| q.value.raw.as_str()),
        _ => None,
    }
}
