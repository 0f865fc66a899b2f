//! Functions as values beyond plain closures: what a sink reached through a value is. A
//! bound copy calls its target (`Function.prototype.bind.call(f, t)` is `f.bind(t)`), a
//! `Proxy` without an `apply` trap calls its target, a getter's value is what it returns, a
//! class's static members are properties of the class, a property descriptor's `set` writes
//! the property, and a choice between functions the evaluator cannot decide (`a ? f : g`,
//! `f || g`) is [`Value::Either`] of them, so a caller can still see every function it may run.

use super::Interp;
use crate::js::value::{Closure, FnBody, Frame, Scope, Value};
use oxc_ast::ast::*;
use oxc_syntax::operator::LogicalOperator;
use std::cell::RefCell;
use std::rc::Rc;

/// Alternatives kept in one [`Value::Either`].
const MAX_ALTERNATIVES: usize = 8;

impl<'a> Interp<'a> {
    /// `a ? f : g` with a test the evaluator cannot decide: either function, when both are.
    pub(super) fn either_branch(
        &self,
        x: &'a Expression<'a>,
        y: &'a Expression<'a>,
        sc: Option<&Scope<'a>>,
    ) -> Value<'a> {
        if !function_shaped(x) || !function_shaped(y) {
            return Value::Unknown;
        }
        let a = self.ev(x, sc);
        let b = self.ev(y, sc);
        either(a, b)
    }

    /// `m[c ? 'a' : 'b']` with an undecided `c`: when both keys are known and both members
    /// are functions, either of them (`transports[navigator.sendBeacon ? 'b' : 'f'](u, d)`).
    pub(super) fn member_of_either_key(
        &self,
        obj: &Value<'a>,
        key: &'a Expression<'a>,
        sc: Option<&Scope<'a>>,
    ) -> Option<Value<'a>> {
        let (x, y) = match key.without_parentheses() {
            Expression::ConditionalExpression(c) => (&c.consequent, &c.alternate),
            Expression::LogicalExpression(l) => (&l.left, &l.right),
            _ => return None,
        };
        let (kx, ky) = (self.ev(x, sc), self.ev(y, sc));
        if kx.as_str().is_none() || ky.as_str().is_none() {
            return None;
        }
        let v = either(self.member(obj.clone(), &kx), self.member(obj.clone(), &ky));
        (!v.is_unknown()).then_some(v)
    }

    /// `f && g` with an undecided `f`: the value is g when it runs, and a falsy `f` is never
    /// called; `f || g`: either.
    pub(super) fn either_logical(
        &self,
        op: LogicalOperator,
        left: Value<'a>,
        right: &'a Expression<'a>,
        sc: Option<&Scope<'a>>,
    ) -> Value<'a> {
        if !function_shaped(right) {
            return Value::Unknown;
        }
        match op {
            LogicalOperator::And => {
                let r = self.ev(right, sc);
                if r.is_function() { r } else { Value::Unknown }
            }
            _ if left.is_function() => either(left, self.ev(right, sc)),
            _ => Value::Unknown,
        }
    }

    /// `f.bind(t, …)`, and `Function.prototype.bind.call(f, t, …)` / `.apply(f, [t, …])`:
    /// the same function for what it reaches (its receiver and bound arguments are the
    /// collector's business, read from the syntax).
    pub(super) fn bind_value(&self, f: Value<'a>) -> Value<'a> {
        match f {
            Value::Either(alts) => Value::Either(Rc::new(
                alts.iter().cloned().map(|v| self.bind_value(v)).collect(),
            )),
            f if f.is_function() => f,
            _ => Value::Unknown,
        }
    }

    /// `X.bind.call(f, …)`, `X.call.apply(f, […])`: the method named last in the path, applied
    /// to the first argument as its `this`.
    pub(super) fn call_through(
        &self,
        path: &str,
        name: &str,
        args: Vec<Value<'a>>,
    ) -> Option<Value<'a>> {
        let method = path.rsplit('.').next()?;
        if !matches!(method, "bind" | "call" | "apply") || !matches!(name, "call" | "apply") {
            return None;
        }
        let (this, rest) = super::calls::this_and_args(name, args);
        let rest = rest.unwrap_or_default();
        Some(match (method, this) {
            ("bind", f) => self.bind_value(f),
            (m, Value::Func(cl)) => {
                let rest = if m == "call" {
                    rest.into_iter().skip(1).collect()
                } else {
                    match rest.get(1) {
                        Some(Value::Array(a)) => a.borrow().clone(),
                        _ => Vec::new(),
                    }
                };
                self.call_closure(&cl, rest)
            }
            _ => Value::Unknown,
        })
    }

    /// `new Proxy(f, handler)`: calling it calls f unless the handler traps calls.
    pub(super) fn new_proxy(&self, args: &[Value<'a>]) -> Value<'a> {
        match (args.first(), args.get(1)) {
            (Some(f), Some(Value::Object(h)))
                if f.is_function() && h.borrow().iter().all(|(k, _)| &**k != "apply") =>
            {
                f.clone()
            }
            _ => Value::Unknown,
        }
    }

    /// A getter's value in an object literal: what its body returns, computed when the object
    /// is built (the evaluator's objects are constants).
    pub(super) fn getter_value(&self, g: Value<'a>, this: Value<'a>) -> Value<'a> {
        match g {
            Value::Func(cl) => {
                // The getter's `this`: a frame between the call and the closure's own scope.
                let env: Scope<'a> = Rc::new(Frame {
                    vars: Default::default(),
                    parent: cl.env.clone(),
                });
                env.vars.borrow_mut().insert("this", this);
                let bound = Rc::new(Closure {
                    params: cl.params,
                    body: cl.body,
                    env: Some(env),
                });
                self.call_closure(&bound, Vec::new())
            }
            _ => Value::Unknown,
        }
    }

    /// A class as a value: its static fields and static methods (`T.s` of `class T { static
    /// s = fetch.bind(window) }`). Instances are not modelled.
    pub(super) fn ev_class(&self, c: &'a Class<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        let mut out = Vec::new();
        for el in &c.body.body {
            let (key, v) = match el {
                ClassElement::PropertyDefinition(p) if p.r#static => {
                    let v = match &p.value {
                        Some(e) => self.ev(e, sc),
                        None => Value::Undefined,
                    };
                    (&p.key, v)
                }
                ClassElement::MethodDefinition(m)
                    if m.r#static
                        && matches!(
                            m.kind,
                            MethodDefinitionKind::Method | MethodDefinitionKind::Get
                        ) =>
                {
                    let v = match &m.value.body {
                        Some(body) => Value::Func(Rc::new(Closure {
                            params: &m.value.params,
                            body: FnBody::Block(body),
                            env: sc.cloned(),
                        })),
                        None => Value::Unknown,
                    };
                    // `static get s() { return fetch }`: reading `T.s` runs the getter.
                    let v = if m.kind == MethodDefinitionKind::Get {
                        self.getter_value(v, Value::Unknown)
                    } else {
                        v
                    };
                    (&m.key, v)
                }
                _ => continue,
            };
            if let Some(k) = key.static_name() {
                out.push((Rc::from(k.as_ref()), v));
            }
        }
        Value::Object(Rc::new(RefCell::new(out)))
    }

    /// `Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src')`: a descriptor
    /// whose `set` is the property's setter, `Api("HTMLImageElement.prototype.src:set")`
    /// (calling it with `call(el, v)` is `el.src = v`).
    pub(super) fn descriptor(&self, args: &[Value<'a>]) -> Value<'a> {
        let (Some(Value::Api(p)), Some(Value::Str(k))) = (args.first(), args.get(1)) else {
            return Value::Unknown;
        };
        if k.is_empty() || k.contains(['.', ':']) {
            return Value::Unknown;
        }
        let set = Value::Api(format!("{p}.{k}:set").into());
        let get = Value::Api(format!("{p}.{k}:get").into());
        Value::Object(Rc::new(RefCell::new(vec![
            (Rc::from("set"), set),
            (Rc::from("get"), get),
        ])))
    }
}

/// Expressions worth evaluating on both sides of an undecided choice: names, members, bound
/// copies and function literals (never assignments or other calls, which would run twice).
fn function_shaped(e: &Expression<'_>) -> bool {
    match e.without_parentheses() {
        Expression::Identifier(_)
        | Expression::StaticMemberExpression(_)
        | Expression::ComputedMemberExpression(_)
        | Expression::FunctionExpression(_)
        | Expression::ArrowFunctionExpression(_) => true,
        Expression::CallExpression(c) => matches!(
            c.callee.without_parentheses(),
            Expression::StaticMemberExpression(m) if m.property.name == "bind"
        ),
        Expression::ConditionalExpression(c) => {
            function_shaped(&c.consequent) && function_shaped(&c.alternate)
        }
        Expression::LogicalExpression(l) => function_shaped(&l.left) && function_shaped(&l.right),
        _ => false,
    }
}

/// Both values as one choice, when both are functions.
fn either<'a>(a: Value<'a>, b: Value<'a>) -> Value<'a> {
    if !a.is_function() || !b.is_function() {
        return Value::Unknown;
    }
    let mut alts: Vec<Value<'a>> = Vec::new();
    for v in [a, b] {
        let items = match v {
            Value::Either(x) => x.iter().cloned().collect(),
            v => vec![v],
        };
        for v in items {
            let dup = matches!(&v, Value::Api(q) if alts.iter().any(|x| matches!(x, Value::Api(p) if p == q)));
            if !dup && alts.len() < MAX_ALTERNATIVES {
                alts.push(v);
            }
        }
    }
    match alts.len() {
        1 => alts.pop().unwrap_or(Value::Unknown),
        _ => Value::Either(Rc::new(alts)),
    }
}
