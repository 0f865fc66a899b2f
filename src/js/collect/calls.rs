//! Calls: sinks, loads, hidden code, storage and pipes, sources (selectors, serialisation,
//! listeners), callbacks and the script's own functions — on the call as resolved by
//! [`super::callsite`].

use super::callsite::{CallSite, arg_exprs};
use super::instances::Instance;
use super::{
    Collector, HTTP_METHODS, KEY_EVENTS, SELECTOR_METHODS, is_jquery_name, is_jquery_path,
    untainted,
};
use crate::js::facts::{Send, UrlText};
use crate::js::flow::Deps;
use crate::js::value::Value;
use crate::js::vocabulary::{bare_field_tag, one_field_by_unknown_value};
use crate::rules::schema::{Channel, Marker, SourceKind};
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

impl<'a> Collector<'a, '_, '_> {
    pub(super) fn on_call(&mut self, c: &'a CallExpression<'a>) {
        let mark = self.recorded_mark();
        let site = self.resolve_call(c);
        self.on_resolved_call(c, &site);
        let recorded = self.recorded_mark() != mark;
        self.note_opaque_call(c, &site, recorded);
    }

    fn on_resolved_call(&mut self, c: &'a CallExpression<'a>, site: &CallSite<'a>) {
        let obj = site.obj;
        let name = site.name.clone();
        // `f.constructor(…)`, `var F = x.constructor; F(…)`: the Function constructor unnamed.
        if name.as_deref() != Some("Function")
            && !matches!(c.callee.without_parentheses(), Expression::Identifier(id) if untainted(id.name.as_str()))
            && self.interp.is_function_ctor(&c.callee)
        {
            let args = arg_exprs(&c.arguments);
            self.function_ctor(&args, c.span);
        }
        self.call_in_place(c);
        let Some(name) = name else {
            self.note_fn_ctor_call(c);
            self.callbacks(c, None);
            return;
        };
        let args: &[&'a Expression<'a>] = &site.args;
        let a0 = args.first().copied();
        let a1 = args.get(1).copied();
        let span = c.span;
        let obj_path = match &site.value_path {
            Some(p) => Some(p.clone()),
            None => obj.and_then(|o| self.path_of(o)),
        };
        if name == "defineProperty" && obj_path.as_deref() == Some("Object") {
            self.field_value_accessors(args);
        }
        let all_deps = |me: &mut Self| {
            let mut d = Deps::default();
            for x in args {
                me.deps_into(x, &mut d, 0);
            }
            d
        };
        // The catalogue of sending and loading calls (rules/data/web-api.toml).
        let receiver = if site.is_method() {
            Some(obj_path.as_deref().unwrap_or("?"))
        } else {
            None
        };
        if let Some(entry) = self.k.apis.find(&name, receiver, false) {
            let entry = entry.clone();
            self.api_call(&entry, args, span, site.spread);
        }
        // `Object.getOwnPropertyDescriptor(P, 'src').set.call(el, v)` is `el.src = v`.
        if let Some(prop) = name.strip_suffix(":set")
            && let (Some(o), Some(v)) = (obj, a0)
        {
            self.member_write(o, Some(prop), v, span);
        }
        self.pipe_call(site, &name, obj_path.as_deref(), span);
        match (site.is_method(), name.as_str()) {
            (false, "eval" | "execScript") => {
                if let Some(a) = a0 {
                    self.note_code_sink(a, span);
                    self.packer_check(a, span);
                    self.try_hidden(a, span, &name);
                }
            }
            (false, "setTimeout" | "setInterval") => {
                // `setTimeout(go, 0, data)`: the script's own function gets the extra
                // arguments as its parameters.
                if let Some(a) = a0
                    && args.len() > 2
                {
                    self.timer_args(a, &args[2..]);
                }
                if let Some(a) = a0
                    && !matches!(
                        a,
                        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                    )
                {
                    // `setTimeout(send, 800)` of the script's own function calls it: what it
                    // returns (a request's promise) is not code run from a string.
                    let own_fn = matches!(self.interp.peek(a), crate::js::value::Value::Func(_))
                        || matches!(a.without_parentheses(), Expression::Identifier(id)
                            if self.lookup(id.name.as_str()).is_some_and(|s| self.own_fn_syms.contains(&s)));
                    if !own_fn {
                        self.note_code_sink(a, span);
                        self.try_hidden(a, span, &name);
                    }
                    // `setTimeout(f, ms, …args)` calls `f(…args)`.
                    self.invoke_value(a, args.iter().skip(2).copied().collect(), span);
                }
            }
            (false, "queueMicrotask" | "requestAnimationFrame" | "requestIdleCallback") => {
                if let Some(a) = a0 {
                    self.invoke_value(a, Vec::new(), span);
                }
            }
            // `p.then(f)` calls f with what p resolves to.
            (true, "then") => {
                if let (Some(o), Some(a)) = (obj, a0) {
                    let v = self.resolved_expr(o);
                    self.invoke_value(a, vec![v], span);
                    // `collect().then(encode).then(deliver)`: the script's own function by
                    // name is called with what the promise resolves to.
                    if let Expression::Identifier(id) = a.without_parentheses()
                        && let Some(f) = self.lookup(id.name.as_str())
                    {
                        self.call_own(f, &[v], Instance::None);
                    }
                    // `Promise.resolve(fetch).then(f => f(u, …))`: the reaction's parameter
                    // holds what the promise resolves to.
                    if let Some(s) = self.literal_fn_sym(a) {
                        self.note_fn_arg(s, 0, v, Vec::new());
                    }
                }
            }
            // `[url].forEach(navigator.sendBeacon.bind(navigator))`: the browser function is
            // called with each element first.
            (true, "forEach" | "map" | "flatMap" | "filter" | "some" | "every" | "find") => {
                if let (Some(o), Some(a)) = (obj, a0) {
                    let items: Vec<&'a Expression<'a>> = match o.without_parentheses() {
                        Expression::ArrayExpression(arr) => arr
                            .elements
                            .iter()
                            .filter_map(|x| x.as_expression())
                            .take(8)
                            .collect(),
                        _ => vec![o],
                    };
                    for x in items {
                        self.invoke_value(a, vec![x], span);
                    }
                }
            }
            (false, "Function") => self.function_ctor(args, span),
            (true, "globalEval") => {
                if let Some(a) = a0 {
                    self.note_code_sink(a, span);
                }
            }
            (false, "import") => {
                if let Some(a) = a0 {
                    let url = self.url_text(a);
                    self.load(Channel::ScriptLoad, span, url);
                }
            }
            (false, "ga" | "gtag" | "__gaTracker") => {
                let d = all_deps(self);
                if !d.is_empty() {
                    let url = UrlText {
                        text: Some("https://www.google-analytics.com/collect".into()),
                        complete: true,
                        hidden: false,
                    };
                    self.sink(Channel::Analytics, span, url, d, None);
                }
            }
            (true, "open") if args.len() >= 2 => {
                if let Some(o) = obj {
                    self.note_xhr_open(o, args);
                }
                let method = a0.map(|a| self.interp.peek(a));
                let is_method = method
                    .as_ref()
                    .and_then(|m| m.as_str())
                    .is_some_and(|m| HTTP_METHODS.contains(&m.to_ascii_uppercase().as_str()));
                // A method the evaluator cannot resolve (obfuscators reuse one short name in
                // many scopes, so a local `m = "post"` is not a script-wide constant) still
                // opens a request when the second argument is an absolute URL: no other
                // `open(x, url)` of the page takes a URL second.
                let unknown_method = method.as_ref().is_some_and(|m| m.is_unknown());
                let url = match a1 {
                    Some(u) if is_method || unknown_method => Some(self.url_text(u)),
                    _ => None,
                };
                let absolute = url
                    .as_ref()
                    .and_then(|u| u.text.as_deref())
                    .is_some_and(|t| t.starts_with("//") || t.contains("://"));
                if (is_method || absolute)
                    && let (Some(o), Some(u), Some(url)) = (obj, a1, url)
                {
                    let d = self.deps(u);
                    let h = self.base_sym(o);
                    self.note_param_sink(u, None, &url);
                    let first = self.facts.sinks.len();
                    let hostless = Self::hostless(&url);
                    self.sink(Channel::Xhr, span, url, d, h);
                    if hostless {
                        self.note_unknown_address(u, first);
                    }
                }
            }
            (true, "send") => {
                if let Some(o) = obj {
                    let handle = self
                        .base_sym(o)
                        .map(|h| self.handle_aliases.get(&h).copied().unwrap_or(h));
                    let d = all_deps(self);
                    let at = self.at(span);
                    self.facts.sends.push(Send {
                        handle,
                        deps: d,
                        at,
                    });
                }
            }
            (true, "postMessage") => {
                if let Some(a) = a0 {
                    let url = match a1 {
                        Some(o) => self.url_text(o),
                        None => UrlText::default(),
                    };
                    // `*` means any origin: the destination is not known.
                    let url = if url.text.as_deref() == Some("*") {
                        UrlText::default()
                    } else {
                        url
                    };
                    let d = self.deps(a);
                    if !d.is_empty() {
                        self.sink(Channel::PostMessage, span, url, d, None);
                    }
                }
            }
            // `el.setAttributeNS(xlink, 'href', u)` (an SVG `<image>`): the name is second.
            (true, "setAttributeNS") if args.len() >= 3 => {
                let attr = self.interp.peek(args[1]);
                let attr = attr.as_str().map(str::to_ascii_lowercase);
                if let (Some(attr), Some(o)) = (attr, obj) {
                    match attr.rsplit(':').next().unwrap_or("") {
                        "href" | "src" => self.element_url_write(args[2], span),
                        other => {
                            let other = other.to_string();
                            self.attribute_write(o, &other, args[2], span)
                        }
                    }
                }
            }
            // `Reflect.set(img, 'src', u)` is `img.src = u`.
            (true, "set") if args.len() >= 3 && obj_path.as_deref() == Some("Reflect") => {
                let prop = self.interp.peek(args[1]);
                if let Some(p) = prop.as_str() {
                    let p = p.to_string();
                    self.member_write(args[0], Some(&p), args[2], span);
                }
            }
            (true, "setAttribute" | "attr" | "prop") if args.len() >= 2 => {
                let attr = a0.map(|a| self.interp.peek(a));
                let attr = attr
                    .as_ref()
                    .and_then(|v| v.as_str())
                    .map(str::to_ascii_lowercase);
                if let (Some(attr), Some(o), Some(v)) = (attr, obj, a1) {
                    self.attribute_write(o, &attr, v, span);
                }
            }
            (true, "ajax" | "post" | "get" | "getJSON" | "getScript" | "load")
                if obj_path.as_deref().is_some_and(is_jquery_path) =>
            {
                self.jquery_ajax(&name, args, span);
            }
            // `frame.contentWindow.document.write(…)` (also through a name holding that
            // document): markup of a frame the script fills, fields included.
            (true, "write" | "writeln")
                if obj_path.as_deref() == Some("document")
                    || obj.is_some_and(|o| self.is_frame_document(o)) =>
            {
                let mut html = String::new();
                let mut hidden = false;
                for x in args {
                    let (v, dec) = self.interp_eval(x);
                    hidden |= dec;
                    if let Some(t) = v.known_text() {
                        html.push_str(t);
                    }
                }
                let d = all_deps(self);
                self.on_markup(&html, hidden, span, d, Channel::DocumentWrite);
            }
            (
                true,
                "insertAdjacentHTML" | "html" | "append" | "prepend" | "after" | "before"
                | "replaceWith" | "appendTo",
            ) => {
                let target = if name == "insertAdjacentHTML" { a1 } else { a0 };
                if matches!(name.as_str(), "append" | "prepend")
                    && let Some(o) = obj
                {
                    // `FormData.append(k, v)`, `params.append(k, v)`: the object carries v.
                    let d = all_deps(self);
                    self.edge_to_target(o, d);
                }
                if let Some(t) = target {
                    let (v, dec) = self.interp_eval(t);
                    if let Some(html) = v.known_text() {
                        let html = html.to_string();
                        let d = self.deps(t);
                        self.on_markup(&html, dec, span, d, Channel::Markup);
                    }
                }
            }
            (true, "push")
                if obj_path
                    .as_deref()
                    .is_some_and(|p| p == "dataLayer" || p == "_gaq") =>
            {
                let d = all_deps(self);
                if !d.is_empty() {
                    let url = UrlText {
                        text: Some("https://www.googletagmanager.com/".into()),
                        complete: true,
                        hidden: false,
                    };
                    self.sink(Channel::Analytics, span, url, d, None);
                }
            }
            // A field the script makes; a tag the walk cannot read (`el(tag, attrs)`) may be
            // a field's.
            (true, "createElement")
                if a0.is_some_and(|t| match self.interp.peek(t).as_str() {
                    Some(t) => ["input", "select", "textarea"]
                        .iter()
                        .any(|f| t.eq_ignore_ascii_case(f)),
                    None => true,
                }) =>
            {
                self.facts.makes_fields = true;
            }
            (true, "createElement") => {}
            // `el.style.setProperty('background-image', 'url(…)')`
            (true, "setProperty") if args.len() >= 2 => {
                if let Some(v) = a1 {
                    self.css_url_write(v, span);
                }
            }
            (false, "assign") | (true, "assign") if obj_path.as_deref() == Some("Object") => {
                if let Some(t) = a0 {
                    let mut d = Deps::default();
                    for x in args.iter().skip(1) {
                        self.deps_into(x, &mut d, 0);
                    }
                    self.edge_to_target(t, d);
                    // `Object.assign(img, {src: u})` writes each property: `img.src = u`.
                    for x in args.iter().skip(1) {
                        if let Expression::ObjectExpression(o) = x.without_parentheses() {
                            for p in &o.properties {
                                if let ObjectPropertyKind::ObjectProperty(p) = p
                                    && p.kind == PropertyKind::Init
                                    && !p.method
                                    && let Some(k) = p.key.static_name()
                                {
                                    self.member_write(t, Some(k.as_ref()), &p.value, span);
                                }
                            }
                        }
                    }
                }
            }
            (true, "push" | "unshift" | "set" | "add" | "concat" | "splice" | "put") => {
                if let Some(o) = obj {
                    // `ids.set(el, n)` on the script's WeakMap: only `n` can be read back.
                    let d = if name == "set" && self.own_weak_map(o) {
                        let mut d = Deps::default();
                        for x in args.iter().skip(1) {
                            self.deps_into(x, &mut d, 0);
                        }
                        d
                    } else {
                        all_deps(self)
                    };
                    self.edge_to_target(o, d);
                }
            }
            _ => {}
        }
        // Sources: selectors, serialisation, listeners.
        let selector = SELECTOR_METHODS.contains(&name.as_str())
            || (obj.is_none()
                && (is_jquery_name(&name) || self.is_jquery_param(&name, c.callee.span())));
        // A selection only counted (`….length`, see `precision`) reads no field.
        let counted = self.hidden_reads.contains(&(span.start, span.end));
        if selector
            && !counted
            && let Some(a) = a0
        {
            self.note_selector_param(a);
            let texts = self.selector_texts(a);
            if texts
                .iter()
                .any(|s| self.k.vocab.matches(s) || self.own_card_selector(s))
            {
                self.source(SourceKind::Payment, span);
            } else if name != "closest"
                && texts.iter().any(|s| {
                    self.k.vocab.selects_fields(s)
                        && !(name == "querySelector"
                            && (bare_field_tag(s) || one_field_by_unknown_value(s)))
                })
                && !self.searches_other_section(obj)
            {
                // `closest(sel)` picks the element it is called on or an ancestor: one
                // element, never the other fields (a click's `closest('button, input')`).
                // `querySelector(sel)` picks the first match only: one field no card word
                // names (a chat box's `#chat textarea`) is not every field of the page.
                match self.selects_in_own_element(obj) {
                    // Inside an element the script made: its own fields, card data when
                    // it made card fields.
                    Some(true) => self.source(SourceKind::Payment, span),
                    Some(false) => {}
                    None if self.is_held_selection(span) => self.held_harvest(span),
                    None => self.source(SourceKind::Harvest, span),
                }
            }
        }
        if matches!(name.as_str(), "serialize" | "serializeArray")
            && args.is_empty()
            && !on_this(obj)
        {
            self.source(SourceKind::Harvest, span);
        }
        if matches!(
            name.as_str(),
            "indexOf" | "includes" | "match" | "search" | "test" | "startsWith"
        ) && let Some(a) = a0
            && let Some(s) = self.interp.peek(a).known_text()
            && self.k.vocab.matches(s)
        {
            self.source(SourceKind::Payment, span);
        }
        if name == "fromCharCode" && (args.len() >= 12 || self.text(c.span).contains("charCodeAt"))
        {
            self.marker(Marker::CharCodeBuild, self.at(span), self.evidence(span));
        }
        if name == "apply" && self.text(c.callee.span()).contains("fromCharCode") {
            self.marker(Marker::CharCodeBuild, self.at(span), self.evidence(span));
        }
        let listener = match name.as_str() {
            "addEventListener" | "on" | "bind" | "live" | "delegate" | "one" => a0
                .map(|a| self.interp.peek(a))
                .and_then(|v| v.as_str().map(str::to_string)),
            n if KEY_EVENTS.contains(&n) && obj.is_some() => Some(n.to_string()),
            _ => None,
        };
        let keystroke = listener.as_deref().is_some_and(|evs| {
            evs.split_whitespace()
                .any(|e| KEY_EVENTS.contains(&e.split('.').next().unwrap_or("")))
        });
        if let Some(evs) = &listener {
            self.pipe_listener(c, evs);
        }
        let bits = if keystroke {
            self.keystroke_listener(c, obj, span)
        } else {
            None
        };
        self.callbacks(c, bits);
        self.note_iter_call(c);
        // Calls of the script's own functions and methods: parameters receive the arguments.
        let own = if obj.is_none() {
            match c.callee.without_parentheses() {
                Expression::Identifier(id) => self.lookup(id.name.as_str()),
                // `window.go(…)` calls the global `go`.
                Expression::StaticMemberExpression(_) if !site.via_value => {
                    Some(self.facts.graph.global(&name))
                }
                _ => None,
            }
        } else {
            self.method_sym(&name)
        };
        if !site.via_value && obj.is_none() {
            self.note_param_call(c);
        }
        self.note_dyn_call(c);
        // `send.call(null, u, d)`, `send.apply(null, [u, d])` of the script's own function.
        let (own, args) = match (own, self.own_call_through(c)) {
            (None, Some((f, list))) => (Some(f), list),
            (own, _) => (own, args.to_vec()),
        };
        let args = &args[..];
        if let Some(f) = own {
            if !self.k.apis.entries.is_empty() {
                self.note_fn_args(f, args);
            }
            let inst = obj.map_or(Instance::None, |o| self.instance_of(o));
            self.selector_helper_call(f, args, span);
            self.call_own_at(f, args, inst, span);
        }
    }

    /// Function arguments of a call get the receiver's and the other arguments' data as their
    /// parameters (`inputs.forEach(el => …)`, `fd.forEach((v, k) => …)`, `$(x).each(…)`).
    pub(super) fn callbacks(&mut self, c: &'a CallExpression<'a>, extra: Option<u8>) {
        let has_fn = c.arguments.iter().any(|a| {
            matches!(
                a.as_expression(),
                Some(Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_))
            )
        });
        if !has_fn {
            return;
        }
        self.iteration_texts(c);
        let mut d = Deps::default();
        // `Array.prototype.forEach.call(form.elements, function (el) {…})`: the receiver is
        // the first argument (counted below with the others), not `Array.prototype`.
        if crate::js::interp::borrowed_method(&c.callee).is_none()
            && let Some(o) = c.callee.without_parentheses().as_member_expression()
        {
            self.deps_into(o.object(), &mut d, 0);
        }
        for a in &c.arguments {
            if let Some(x) = a.as_expression()
                && !matches!(
                    x,
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                )
            {
                self.deps_into(x, &mut d, 0);
            }
        }
        if let Some(bits) = extra {
            d.src |= bits;
        }
        if d.is_empty() {
            return;
        }
        for a in &c.arguments {
            if let Some(
                x @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
            ) = a.as_expression()
            {
                // Merged, not replaced: a listener's parameters also carry its event's pipe
                // (`$('body').on('cart:sync', fn)`, recorded just before).
                self.pending_params
                    .entry(x.span().start)
                    .or_default()
                    .merge(d.clone());
            }
        }
    }

    /// The constant strings (or whole numbers) of an array being iterated, and which part
    /// of each element they are: the element itself (0), or the value of a `[key, value]`
    /// pair (1) when the list is `Object.entries(fields)`.
    pub(super) fn iterated_texts(&mut self, list: &'a Expression<'a>) -> (usize, Vec<String>) {
        let mut v = self.interp.peek(list);
        // A function's own list (`var names = ['cardNumber', …]; names.map(…)`).
        if v.is_unknown() && matches!(list.without_parentheses(), Expression::Identifier(_)) {
            v = self
                .eval_in_context(list)
                .map_or(Value::Unknown, |(v, _)| v);
        }
        let Value::Array(items) = v else {
            return (0, Vec::new());
        };
        let items = items.borrow();
        let pairs = !items.is_empty()
            && items
                .iter()
                .all(|x| matches!(x, Value::Array(p) if p.borrow().len() == 2));
        let text = |x: &Value<'a>| match x {
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            x => x.as_str().map(str::to_string),
        };
        let texts = items
            .iter()
            .filter_map(|x| match x {
                Value::Array(p) if pairs => p.borrow().get(1).and_then(text),
                x => text(x),
            })
            .take(256)
            .collect();
        (usize::from(pairs), texts)
    }

    /// `['#cc-number', '#cvv'].forEach(s => $(s).val())`: the callback's first parameter
    /// takes each constant string of the array, so selectors read through it are known.
    pub(super) fn iteration_texts(&mut self, c: &'a CallExpression<'a>) {
        let Some(m) = c.callee.without_parentheses().as_member_expression() else {
            return;
        };
        if !matches!(
            m.static_property_name(),
            Some(
                "forEach"
                    | "map"
                    | "flatMap"
                    | "filter"
                    | "some"
                    | "every"
                    | "find"
                    | "reduce"
                    | "reduceRight"
            )
        ) {
            return;
        }
        // `reduce((acc, s) => …)`: the element is the second parameter.
        let index = usize::from(matches!(
            m.static_property_name(),
            Some("reduce" | "reduceRight")
        ));
        // Whole numbers too: `[1, 2, 3].map(n => $('#f' + n))` picks `#f1`, `#f2`, `#f3`.
        let (part, texts) = self.iterated_texts(m.object());
        if texts.is_empty() {
            return;
        }
        if let Some(
            x @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
        ) = c.arguments.first().and_then(|a| a.as_expression())
        {
            self.pending_param_texts
                .insert(x.span().start, (index, part, texts));
        }
    }

    pub(super) fn jquery_ajax(&mut self, name: &str, args: &[&'a Expression<'a>], span: Span) {
        let a0 = args.first().copied();
        let mut d = Deps::default();
        for x in args {
            self.deps_into(x, &mut d, 0);
        }
        let url = match a0 {
            Some(Expression::ObjectExpression(o)) => self.object_url(o),
            Some(x) => self.url_text(x),
            None => UrlText::default(),
        };
        if name == "getScript" {
            // A script URL that carries data sends it as it loads (as a `<script src>` does).
            if !d.is_empty() {
                self.sink(Channel::ElementSrc, span, url.clone(), d, None);
            }
            self.load(Channel::ScriptLoad, span, url);
        } else {
            self.sink(Channel::Jquery, span, url, d, None);
        }
    }

    pub(super) fn object_url(&mut self, o: &'a ObjectExpression<'a>) -> UrlText {
        for p in &o.properties {
            if let ObjectPropertyKind::ObjectProperty(p) = p
                && p.key.static_name().as_deref() == Some("url")
            {
                return self.url_text(&p.value);
            }
        }
        UrlText::default()
    }
}

/// `this.serializeArray()`: a library defining its own method on whatever it is called on
/// (jQuery's `serialize` is `jQuery.param(this.serializeArray())`), not a form read. A
/// skimmer names the form it harvests (`$('#co-payment-form').serialize()`), and a merged
/// bundle with jQuery inside must not read every field just by containing jQuery.
pub(super) fn on_this(obj: Option<&Expression<'_>>) -> bool {
    matches!(
        obj.map(|o| o.without_parentheses()),
        Some(Expression::ThisExpression(_))
    )
}
