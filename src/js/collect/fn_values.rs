//! Browser functions held where the evaluator cannot see them: in a function's own variables
//! (`function go(d) { var send = navigator.sendBeacon.bind(navigator); send(u, d) }`), in
//! `this` (`this.tx = fetch.bind(window)` in a constructor, `{ send: fetch, push() {
//! this.send(…) } }`), in a parameter's default (`function ship(d, f = fetch) { f(u, …) }`),
//! and in the parameter of a function called on the spot (`(function (f) { … })(fetch)`) or by
//! a promise (`Promise.resolve(fetch).then(f => f(u, …))`).
//!
//! The evaluator knows only the script's global constants, so each of these is found from the
//! syntax around it: the expression the function value comes from is kept, and a call through
//! the holder resolves through that expression as an alias would. Parameters join through
//! [`super::indirect`], as arguments passed to the script's own functions do.

use super::Collector;
use crate::js::flow::Sym;
use crate::js::value::Value;
use oxc_ast::ast::*;

/// Variables of functions holding a browser function, kept per script.
const MAX_LOCAL_FNS: usize = 1024;

/// What a function's variable is known to hold.
#[derive(Clone, Copy)]
pub(super) enum LocalVal<'a> {
    /// A browser function, from this expression.
    Fn(&'a Expression<'a>),
    /// The result of calling the script's own function with constant arguments (`await
    /// getSender()`): evaluated only if the variable is called, then `Fn` or forgotten.
    Call(&'a Expression<'a>),
    /// An object literal (`var api = { b: navigator.sendBeacon.bind(navigator) }`): a call
    /// of one of its members is a call of that member's value.
    Obj(&'a Expression<'a>),
}

impl<'a> Collector<'a, '_, '_> {
    /// `var send = <expr>` or `send = <expr>` in a function: remember `expr` when it is a
    /// browser function (an alias, a member of a browser object, a bound copy, a choice of
    /// them), so a call of `send` is a call of that function; likewise a call's result and an
    /// object literal, looked at only if the variable is called.
    pub(super) fn note_fn_value(&mut self, target: Sym, init: &'a Expression<'a>) {
        if self.scopes.is_empty() || self.local_fns.len() >= MAX_LOCAL_FNS {
            return;
        }
        let init = see_through_await(init);
        // `var P = w.PaymentsJS = { … }`: the value is the rightmost one.
        let mut init = init;
        while let Expression::AssignmentExpression(a) = init.without_parentheses() {
            init = &a.right;
        }
        match init.without_parentheses() {
            Expression::ObjectExpression(_) => {
                self.local_fns.insert(target, LocalVal::Obj(init));
                return;
            }
            Expression::CallExpression(c)
                if matches!(c.callee.without_parentheses(), Expression::Identifier(id)
                    if self.interp.is_global_binding(id.name.as_str()) && !self.is_local_name(id.name.as_str()))
                    && c.arguments.iter().all(|a| {
                        a.as_expression()
                            .is_some_and(|x| self.constant_on_globals(x, 1))
                    }) =>
            {
                self.local_fns.insert(target, LocalVal::Call(init));
                return;
            }
            _ => {}
        }
        if !self.fn_shaped_on_globals(init, 0) {
            return;
        }
        if self.is_catalogue_fn(init) {
            self.local_fns.insert(target, LocalVal::Fn(init));
        } else if let Expression::Identifier(id) = init.without_parentheses()
            && let Some(s) = self.lookup(id.name.as_str())
            && let Some(v) = self.local_fns.get(&s).copied()
        {
            self.local_fns.insert(target, v);
        }
    }

    /// `T.s = navigator.sendBeacon.bind(navigator)` (in a function, where the evaluator
    /// no longer trusts `T`): a call `T.s(…)` calls that browser function.
    pub(super) fn note_member_fn(
        &mut self,
        obj: &'a Expression<'a>,
        prop: &str,
        rhs: &'a Expression<'a>,
    ) {
        let Expression::Identifier(id) = obj.without_parentheses() else {
            return;
        };
        if self.member_fns.len() >= MAX_LOCAL_FNS || !self.fn_shaped_on_globals(rhs, 0) {
            return;
        }
        if self.is_catalogue_fn(rhs)
            && let Some(s) = self.lookup(id.name.as_str())
        {
            self.member_fns.insert((s, prop.to_string()), rhs);
        }
    }

    /// A URL read from a function's object literal (`P.endpoint + '/tokens'` with `var P = {
    /// endpoint: 'https://…' }`), evaluated with that literal's values — unless the script
    /// writes the property it reads anywhere, which makes it unknown, not a stale constant.
    pub(super) fn eval_with_local_objects(
        &mut self,
        e: &'a Expression<'a>,
    ) -> Option<(Value<'a>, bool)> {
        let mut roots = Vec::new();
        member_roots(e, &mut roots, 0);
        let mut binds = Vec::new();
        for (name, prop) in roots {
            let Some(s) = self.lookup(name) else { continue };
            let Some(LocalVal::Obj(o)) = self.local_fns.get(&s).copied() else {
                continue;
            };
            if self.builders.written_props.contains(prop) {
                return None;
            }
            if !binds.iter().any(|(n, _)| *n == name) {
                binds.push((name, self.interp.peek(o)));
            }
        }
        if binds.is_empty() {
            return None;
        }
        Some(self.interp.eval_with(e, binds))
    }

    /// Whether `e` evaluates to a browser function of the Web API catalogue.
    fn is_catalogue_fn(&self, e: &'a Expression<'a>) -> bool {
        self.interp
            .peek(e)
            .api_path()
            .is_some_and(|p| self.k.apis.find_path(&p, false).is_some())
    }

    /// The browser function a function's variable holds, evaluating a call's result the
    /// first time it is asked for.
    fn local_fn(&mut self, s: Sym) -> Option<&'a Expression<'a>> {
        match self.local_fns.get(&s).copied()? {
            LocalVal::Fn(e) => Some(e),
            LocalVal::Obj(_) => None,
            LocalVal::Call(e) => {
                if self.is_catalogue_fn(e) {
                    self.local_fns.insert(s, LocalVal::Fn(e));
                    Some(e)
                } else {
                    self.local_fns.remove(&s);
                    None
                }
            }
        }
    }

    /// `api.b` / `api[k]` of a function's object literal: the member's value when it is a
    /// browser function. A key the walk cannot know may pick any member, so the first that
    /// is a browser function stands for the call.
    fn local_member(
        &mut self,
        obj: &'a Expression<'a>,
        key: Option<&str>,
    ) -> Option<&'a Expression<'a>> {
        let Expression::Identifier(id) = obj.without_parentheses() else {
            return None;
        };
        let s = self.lookup(id.name.as_str())?;
        let Some(LocalVal::Obj(Expression::ObjectExpression(o))) =
            self.local_fns.get(&s).copied().map(|v| match v {
                LocalVal::Obj(e) => LocalVal::Obj(e.without_parentheses()),
                v => v,
            })
        else {
            return None;
        };
        let mut values = o.properties.iter().filter_map(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) if p.kind == PropertyKind::Init => {
                Some((p.key.static_name(), &p.value))
            }
            _ => None,
        });
        let found: Vec<_> = match key {
            Some(k) => values
                .find(|(n, _)| n.as_deref() == Some(k))
                .into_iter()
                .collect(),
            None => values.collect(),
        };
        found
            .into_iter()
            .map(|(_, v)| v)
            .find(|v| self.fn_shaped_on_globals(v, 0) && self.is_catalogue_fn(v))
    }

    /// Whether `e` is shaped like a function value (a name, a member chain, a bound copy, a
    /// choice of those) whose names are all the script's globals or browser objects, or
    /// variables already known to hold a browser function. A local that merely shares a
    /// global's name is not that global, so the evaluator is not asked about it.
    fn fn_shaped_on_globals(&mut self, e: &'a Expression<'a>, depth: u32) -> bool {
        if depth > 6 {
            return false;
        }
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                let name = id.name.as_str();
                match self.lookup(name) {
                    Some(s) if matches!(self.local_fns.get(&s), Some(LocalVal::Fn(_))) => true,
                    _ => !self.is_local_name(name),
                }
            }
            Expression::StaticMemberExpression(m) => {
                self.fn_shaped_on_globals(&m.object, depth + 1)
            }
            Expression::ComputedMemberExpression(m) => {
                self.fn_shaped_on_globals(&m.object, depth + 1)
                    && self.constant_on_globals(&m.expression, depth + 1)
            }
            Expression::CallExpression(c) => match c.callee.without_parentheses() {
                // `f.bind(t)`, `Reflect.get(o, k)`
                Expression::StaticMemberExpression(m) if m.property.name == "bind" => {
                    self.fn_shaped_on_globals(&m.object, depth + 1)
                }
                Expression::StaticMemberExpression(m)
                    if m.property.name == "get"
                        && matches!(m.object.without_parentheses(), Expression::Identifier(r) if r.name == "Reflect") =>
                {
                    c.arguments.iter().all(|a| {
                        a.as_expression()
                            .is_some_and(|x| self.constant_on_globals(x, depth + 1))
                    })
                }
                _ => false,
            },
            Expression::ConditionalExpression(c) => {
                self.fn_shaped_on_globals(&c.consequent, depth + 1)
                    && self.fn_shaped_on_globals(&c.alternate, depth + 1)
            }
            Expression::LogicalExpression(l) => {
                self.fn_shaped_on_globals(&l.left, depth + 1)
                    && self.fn_shaped_on_globals(&l.right, depth + 1)
            }
            _ => false,
        }
    }

    /// A key or argument made of literals and globals only (`'fe' + 'tch'`, `K.send`).
    fn constant_on_globals(&mut self, e: &'a Expression<'a>, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match e.without_parentheses() {
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::TemplateLiteral(_) => true,
            Expression::BinaryExpression(b) => {
                self.constant_on_globals(&b.left, depth + 1)
                    && self.constant_on_globals(&b.right, depth + 1)
            }
            Expression::Identifier(id) => !self.is_local_name(id.name.as_str()),
            Expression::StaticMemberExpression(m) => self.constant_on_globals(&m.object, depth + 1),
            Expression::CallExpression(c) => {
                self.fn_shaped_on_globals(&c.callee, depth + 1)
                    && c.arguments.iter().all(|a| {
                        a.as_expression()
                            .is_some_and(|x| self.constant_on_globals(x, depth + 1))
                    })
            }
            _ => false,
        }
    }

    /// Whether `name` is declared in one of the functions the walk is in.
    fn is_local_name(&self, name: &str) -> bool {
        self.scopes.iter().any(|sc| sc.contains_key(name))
    }

    /// The expression a callee's function value comes from, when the evaluator cannot see
    /// it: a function's variable holding a browser function, or `this.x` in a method of an
    /// object literal or a class whose `x` is one.
    pub(super) fn fn_source(&mut self, callee: &'a Expression<'a>) -> Option<&'a Expression<'a>> {
        match callee.without_parentheses() {
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str())?;
                self.local_fn(s)
            }
            Expression::PrivateFieldExpression(m)
                if matches!(
                    m.object.without_parentheses(),
                    Expression::ThisExpression(_)
                ) =>
            {
                let e = self.this_field(callee)?;
                matches!(self.interp.peek(e), Value::Api(_) | Value::Either(_)).then_some(e)
            }
            Expression::StaticMemberExpression(m)
                if matches!(
                    m.object.without_parentheses(),
                    Expression::ThisExpression(_)
                ) =>
            {
                let e = self
                    .this_property(callee)
                    .or_else(|| self.this_field(callee))?;
                matches!(self.interp.peek(e), Value::Api(_) | Value::Either(_)).then_some(e)
            }
            Expression::StaticMemberExpression(m) => {
                if let Expression::Identifier(o) = m.object.without_parentheses()
                    && let Some(s) = self.lookup(o.name.as_str())
                    && let Some(e) = self.member_fns.get(&(s, m.property.name.to_string()))
                {
                    return Some(*e);
                }
                self.local_member(&m.object, Some(m.property.name.as_str()))
            }
            Expression::ComputedMemberExpression(m) => {
                let key = if self.constant_on_globals(&m.expression, 0) {
                    self.interp.peek(&m.expression).as_str().map(str::to_string)
                } else {
                    None
                };
                self.local_member(&m.object, key.as_deref())
            }
            _ => None,
        }
    }

    /// The symbol a function literal will get when the walk enters it (`(function (f) {
    /// … })(fetch)`, a promise's reaction): calls made before the walk reaches it can pass
    /// it arguments.
    pub(super) fn literal_fn_sym(&mut self, f: &'a Expression<'a>) -> Option<Sym> {
        let start = match f.without_parentheses() {
            Expression::FunctionExpression(x) => x.span.start,
            Expression::ArrowFunctionExpression(x) => x.span.start,
            _ => return None,
        };
        if let Some(s) = self.callback_ret.get(&start) {
            return Some(*s);
        }
        let fresh = self.facts.graph.fresh();
        Some(*self.pending_binding.entry(start).or_insert(fresh))
    }

    /// `(function (f, d) { … })(fetch, data)` and `(function (f) { … }).call(this, fetch)`:
    /// a function called where it is written is one of the script's own functions, called
    /// once with these arguments.
    pub(super) fn call_in_place(&mut self, c: &'a CallExpression<'a>) {
        let (f, skip) = match c.callee.without_parentheses() {
            Expression::StaticMemberExpression(m) if m.property.name == "call" => (&m.object, 1),
            f => (f, 0),
        };
        let Some(s) = self.literal_fn_sym(f) else {
            return;
        };
        let args: Vec<_> = super::callsite::arg_exprs(&c.arguments)
            .into_iter()
            .skip(skip)
            .collect();
        self.note_fn_args(s, &args);
        self.call_own(s, &args, super::instances::Instance::None);
    }

    /// `function ship(d, f = fetch)`: a default that is a browser function is what the
    /// parameter holds when a call leaves it out.
    pub(super) fn note_default_fns(&mut self, f: Sym, params: &'a FormalParameters<'a>) {
        for (i, p) in params.items.iter().enumerate() {
            let Some(d) = &p.initializer else {
                continue;
            };
            if self.fn_shaped_on_globals(d, 0) {
                self.note_fn_arg(f, i, d, Vec::new());
            }
        }
    }
}

/// `(name, property)` of each `name.property` in a URL expression (through `+`, templates and
/// parentheses).
fn member_roots<'a>(e: &'a Expression<'a>, out: &mut Vec<(&'a str, &'a str)>, depth: u32) {
    if depth > 16 || out.len() >= 8 {
        return;
    }
    match e.without_parentheses() {
        Expression::StaticMemberExpression(m) => {
            if let Expression::Identifier(id) = m.object.without_parentheses() {
                out.push((id.name.as_str(), m.property.name.as_str()));
            }
        }
        Expression::BinaryExpression(b) => {
            member_roots(&b.left, out, depth + 1);
            member_roots(&b.right, out, depth + 1);
        }
        Expression::TemplateLiteral(t) => {
            for x in &t.expressions {
                member_roots(x, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn see_through_await<'a>(e: &'a Expression<'a>) -> &'a Expression<'a> {
    match e.without_parentheses() {
        Expression::AwaitExpression(a) => &a.argument,
        _ => e,
    }
}
