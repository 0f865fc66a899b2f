//! Calls of the script's own functions and closures, and of methods by name.

use super::{Flow, Interp, MAX_CALL_DEPTH};
use crate::js::value::{Closure, FnBody, Frame, Scope, Value};
use oxc_ast::ast::*;
use std::cell::RefCell;
use std::rc::Rc;

impl<'a> Interp<'a> {
    pub(super) fn ev_call(&self, c: &'a CallExpression<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        if let Some(v) = self.entity_text(c, sc) {
            return v;
        }
        let callee = c.callee.without_parentheses();
        // `Array.prototype.join.call(parts, '/')`, `[].map.apply(list, [f])`: a built-in
        // method borrowed for another receiver is that receiver's method.
        if let Some((method, how)) = borrowed_method(callee) {
            let (recv, rest) = this_and_args(how, self.args(&c.arguments, sc));
            return match rest {
                Some(rest) => self.call_method(recv, method, rest),
                None => Value::Unknown,
            };
        }
        match callee {
            Expression::StaticMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                if has_no_methods(&obj) {
                    return Value::Unknown;
                }
                let args = self.args(&c.arguments, sc);
                self.call_method(obj, m.property.name.as_str(), args)
            }
            Expression::ComputedMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                let key = self.ev(&m.expression, sc);
                let Some(name) = key.as_str().map(str::to_string) else {
                    return Value::Unknown;
                };
                if has_no_methods(&obj) {
                    return Value::Unknown;
                }
                let args = self.args(&c.arguments, sc);
                self.call_method(obj, &name, args)
            }
            _ => {
                let f = self.ev(callee, sc);
                // `getComputedStyle(el)` the script did not redefine (see `page`).
                if f.is_unknown()
                    && matches!(callee, Expression::Identifier(id) if id.name == "getComputedStyle")
                    && let Some(v) = self.page_styles()
                {
                    return v;
                }
                if !matches!(f, Value::Func(_) | Value::Host(_)) {
                    return Value::Unknown;
                }
                let args = self.args(&c.arguments, sc);
                self.call_value(f, args)
            }
        }
    }

    /// `$('<div/>').html(s).text()`: the browser parses `s` as HTML and reads back its text,
    /// so the value is `s` with its character references decoded (a URL hidden as entities).
    fn entity_text(&self, c: &'a CallExpression<'a>, sc: Option<&Scope<'a>>) -> Option<Value<'a>> {
        let name = |callee: &'a Expression<'a>| match callee.without_parentheses() {
            Expression::StaticMemberExpression(m) => Some((m.property.name.to_string(), &m.object)),
            Expression::ComputedMemberExpression(m) => self
                .ev(&m.expression, sc)
                .as_str()
                .map(|k| (k.to_string(), &m.object)),
            _ => None,
        };
        if !c.arguments.is_empty() {
            return None;
        }
        let (text, obj) = name(&c.callee)?;
        let Expression::CallExpression(inner) = obj.without_parentheses() else {
            return None;
        };
        if text != "text" || inner.arguments.len() != 1 {
            return None;
        }
        let (html, _) = name(&inner.callee)?;
        let arg = inner.arguments[0].as_expression()?;
        if html != "html" {
            return None;
        }
        let s = self.ev(arg, sc);
        let s = s.as_str().filter(|s| s.contains('&') && s.contains(';'))?;
        self.decoded.set(true);
        Some(Value::str(
            html_escape::decode_html_entities(s).into_owned(),
        ))
    }

    pub(super) fn call_value(&self, f: Value<'a>, args: Vec<Value<'a>>) -> Value<'a> {
        match f {
            Value::Func(cl) => self.call_closure(&cl, args),
            Value::Host(name) => self.call_global(name, &args),
            _ => Value::Unknown,
        }
    }

    pub fn call_closure(&self, cl: &Rc<Closure<'a>>, args: Vec<Value<'a>>) -> Value<'a> {
        if self.calls.get() >= MAX_CALL_DEPTH {
            return Value::Unknown;
        }
        let frame = Rc::new(Frame {
            vars: RefCell::default(),
            parent: cl.env.clone(),
        });
        self.bind_params_in(cl.params, args, &frame);
        self.calls.set(self.calls.get() + 1);
        let r = match cl.body {
            FnBody::Expr(e) => self.ev(e, Some(&frame)),
            FnBody::Block(b) => {
                self.hoist(&b.statements, &frame);
                match self.exec_block(&b.statements, &frame) {
                    Flow::Return(v) => v,
                    Flow::Normal => Value::Undefined,
                    _ => Value::Unknown,
                }
            }
        };
        self.calls.set(self.calls.get() - 1);
        r
    }
}

/// A receiver whose every method call is `Unknown` whatever the arguments (see
/// `call_method`): its arguments are not evaluated, because nesting such calls
/// (`a.b(a.b(a.b(…)))`) would otherwise make every quick look at an argument re-evaluate the
/// whole nest, and the script's fuel would go on nothing.
fn has_no_methods(v: &Value<'_>) -> bool {
    matches!(v, Value::Unknown | Value::Undefined | Value::Null)
}

/// `Array.prototype.m.call`, `String.prototype.m.apply`, `[].m.call`, `''.m.call`: the built-in
/// method `m` and how it is called.
pub(crate) fn borrowed_method<'a>(callee: &'a Expression<'a>) -> Option<(&'a str, &'a str)> {
    let Expression::StaticMemberExpression(outer) = callee.without_parentheses() else {
        return None;
    };
    let how = outer.property.name.as_str();
    if !matches!(how, "call" | "apply") {
        return None;
    }
    let Expression::StaticMemberExpression(m) = outer.object.without_parentheses() else {
        return None;
    };
    let builtin = match m.object.without_parentheses() {
        Expression::StaticMemberExpression(p) if p.property.name == "prototype" => matches!(
            p.object.without_parentheses(),
            Expression::Identifier(id) if matches!(id.name.as_str(), "Array" | "String")
        ),
        Expression::ArrayExpression(a) => a.elements.is_empty(),
        Expression::StringLiteral(_) => true,
        _ => false,
    };
    builtin.then_some((m.property.name.as_str(), how))
}

/// The `this` and the argument list of `f.call(this, a, b)` or `f.apply(this, [a, b])`; None
/// for an `apply` whose list is not a known array.
pub(super) fn this_and_args<'a>(
    how: &str,
    args: Vec<Value<'a>>,
) -> (Value<'a>, Option<Vec<Value<'a>>>) {
    let mut args = args.into_iter();
    let this = args.next().unwrap_or(Value::Unknown);
    let rest = if how == "call" {
        Some(args.collect())
    } else {
        match args.next() {
            Some(Value::Array(a)) => Some(a.borrow().clone()),
            _ => None,
        }
    };
    (this, rest)
}
