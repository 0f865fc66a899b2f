//! Destructuring: the names a binding pattern gives and their values. Modern code and its
//! compiled output keep settings in patterns (`constructor({ endpoint = 'https://…' } =
//! {})`, `const { host, path } = cfg`, `function send(...parts)`); a name bound there is as
//! known as one bound by `=`: a default applies where the value is `undefined`, a property
//! missing from a known object is `undefined`, and anything read from an unknown value is
//! unknown (never the default, which the value may override).

use super::Interp;
use crate::js::value::{Frame, ObjectRef, Scope, Value};
use oxc_ast::ast::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Names one pattern may bind (a bigger pattern binds the first ones only).
const MAX_NAMES: usize = 64;

impl<'a> Interp<'a> {
    /// Bind `p` to `v`, pushing each name with its value to `out`.
    pub(super) fn bind_pattern(
        &self,
        p: &'a BindingPattern<'a>,
        v: Value<'a>,
        sc: Option<&Scope<'a>>,
        out: &mut Vec<(&'a str, Value<'a>)>,
    ) {
        if out.len() >= MAX_NAMES {
            return;
        }
        match p {
            BindingPattern::BindingIdentifier(id) => out.push((id.name.as_str(), v)),
            BindingPattern::AssignmentPattern(a) => {
                let v = match v {
                    Value::Undefined => self.ev(&a.right, sc),
                    v => v,
                };
                self.bind_pattern(&a.left, v, sc, out);
            }
            BindingPattern::ObjectPattern(o) => {
                let mut taken = Vec::new();
                for prop in &o.properties {
                    let key = match prop.key.static_name() {
                        Some(k) => Value::str(k.as_ref()),
                        None => match prop.key.as_expression() {
                            Some(k) if prop.computed => self.ev(k, sc),
                            _ => Value::Unknown,
                        },
                    };
                    if let Some(k) = key.to_js_string() {
                        taken.push(k);
                    }
                    let field = self.destructured(&v, &key);
                    self.bind_pattern(&prop.value, field, sc, out);
                }
                if let Some(r) = &o.rest {
                    let rest = match &v {
                        Value::Object(o) => {
                            let left: Vec<_> = o
                                .borrow()
                                .iter()
                                .filter(|(k, _)| !taken.iter().any(|t| **t == **k))
                                .cloned()
                                .collect();
                            let left: ObjectRef<'a> = Rc::new(RefCell::new(left));
                            Value::Object(left)
                        }
                        _ => Value::Unknown,
                    };
                    self.bind_pattern(&r.argument, rest, sc, out);
                }
            }
            BindingPattern::ArrayPattern(a) => {
                let items = match &v {
                    Value::Array(items) => Some(items.borrow().clone()),
                    _ => None,
                };
                for (i, el) in a.elements.iter().enumerate() {
                    let Some(el) = el else { continue };
                    let item = match &items {
                        Some(items) => items.get(i).cloned().unwrap_or(Value::Undefined),
                        None => Value::Unknown,
                    };
                    self.bind_pattern(el, item, sc, out);
                }
                if let Some(r) = &a.rest {
                    let rest = match items {
                        Some(items) => {
                            let tail = items.into_iter().skip(a.elements.len()).collect();
                            Value::Array(Rc::new(RefCell::new(tail)))
                        }
                        None => Value::Unknown,
                    };
                    self.bind_pattern(&r.argument, rest, sc, out);
                }
            }
        }
    }

    /// A function's parameters bound to the arguments of one call, as the call binds them:
    /// defaults where an argument is `undefined` (reading earlier parameters), patterns,
    /// the rest parameter and `arguments`.
    pub fn bind_params(
        &self,
        params: &'a FormalParameters<'a>,
        args: Vec<Value<'a>>,
    ) -> Vec<(&'a str, Value<'a>)> {
        let frame: Scope<'a> = Rc::new(Frame::default());
        self.begin();
        self.bind_params_in(params, args, &frame);
        self.end();
        let vars = frame.vars.borrow();
        vars.iter().map(|(k, v)| (*k, v.clone())).collect()
    }

    pub(super) fn bind_params_in(
        &self,
        params: &'a FormalParameters<'a>,
        args: Vec<Value<'a>>,
        frame: &Scope<'a>,
    ) {
        for (i, p) in params.items.iter().enumerate() {
            let v = args.get(i).cloned().unwrap_or(Value::Undefined);
            let v = match (&v, &p.initializer) {
                (Value::Undefined, Some(init)) => self.ev(init, Some(frame)),
                _ => v,
            };
            let mut bound = Vec::new();
            self.bind_pattern(&p.pattern, v, Some(frame), &mut bound);
            frame.vars.borrow_mut().extend(bound);
        }
        if let Some(r) = &params.rest {
            let tail = args.iter().skip(params.items.len()).cloned().collect();
            let tail = Value::Array(Rc::new(RefCell::new(tail)));
            let mut bound = Vec::new();
            self.bind_pattern(&r.rest.argument, tail, Some(frame), &mut bound);
            frame.vars.borrow_mut().extend(bound);
        }
        frame
            .vars
            .borrow_mut()
            .insert("arguments", Value::Array(Rc::new(RefCell::new(args))));
    }

    /// The value pattern `p` gives `name` when bound to `v`.
    pub(super) fn pattern_value(
        &self,
        p: &'a BindingPattern<'a>,
        v: Value<'a>,
        name: &str,
    ) -> Value<'a> {
        let mut out = Vec::new();
        self.bind_pattern(p, v, None, &mut out);
        out.into_iter()
            .find(|(n, _)| *n == name)
            .map_or(Value::Unknown, |(_, v)| v)
    }

    /// `v[key]` as destructuring reads it: `undefined` when a known object lacks the key.
    fn destructured(&self, v: &Value<'a>, key: &Value<'a>) -> Value<'a> {
        match (v, key.to_js_string()) {
            (Value::Object(o), Some(k)) => o
                .borrow()
                .iter()
                .find(|(n, _)| **n == *k)
                .map_or(Value::Undefined, |(_, x)| x.clone()),
            (Value::Unknown, _) | (_, None) => Value::Unknown,
            (v, Some(_)) => self.member(v.clone(), key),
        }
    }
}

/// Every name a binding pattern declares, in order.
pub fn binding_names<'a>(p: &'a BindingPattern<'a>, out: &mut Vec<&'a str>) {
    match p {
        BindingPattern::BindingIdentifier(id) => out.push(id.name.as_str()),
        BindingPattern::AssignmentPattern(a) => binding_names(&a.left, out),
        BindingPattern::ObjectPattern(o) => {
            for prop in &o.properties {
                binding_names(&prop.value, out);
            }
            if let Some(r) = &o.rest {
                binding_names(&r.argument, out);
            }
        }
        BindingPattern::ArrayPattern(a) => {
            for el in a.elements.iter().flatten() {
                binding_names(el, out);
            }
            if let Some(r) = &a.rest {
                binding_names(&r.argument, out);
            }
        }
    }
}
