//! Expressions: literals, names and scopes, assignments, operators and property reads.

use super::strings::{cap, prefix_or_unknown};
use super::{GlobalDecl, Interp, MAX_EVAL_DEPTH};
use crate::js::urls::{new_url, url_part};
use crate::js::value::{Closure, FnBody, Scope, Value, holed_concat, to_i32};
use crate::js::web_api;
use oxc_ast::ast::*;
use oxc_syntax::operator::{
    AssignmentOperator, BinaryOperator, LogicalOperator, UnaryOperator, UpdateOperator,
};
use std::cell::RefCell;
use std::rc::Rc;

impl<'a> Interp<'a> {
    pub(super) fn ev(&self, e: &'a Expression<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        if !self.step() || self.depth.get() > MAX_EVAL_DEPTH {
            return Value::Unknown;
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.ev_inner(e, sc);
        self.depth.set(self.depth.get() - 1);
        v
    }

    pub(super) fn ev_inner(&self, e: &'a Expression<'a>, sc: Option<&Scope<'a>>) -> Value<'a> {
        match e {
            Expression::StringLiteral(s) => {
                if self.has_escapes(s.span) {
                    self.decoded.set(true);
                }
                Value::str(s.value.as_str())
            }
            Expression::NumericLiteral(n) => Value::Num(n.value),
            Expression::BooleanLiteral(b) => Value::Bool(b.value),
            Expression::NullLiteral(_) => Value::Null,
            Expression::RegExpLiteral(r) => Value::Regex(
                r.regex.pattern.text.as_str().into(),
                r.regex.flags.to_string().into(),
            ),
            Expression::TemplateLiteral(t) => self.ev_template(t, sc),
            Expression::TaggedTemplateExpression(t) => self.ev_tagged(t, sc),
            Expression::Identifier(id) => self.lookup(id.name.as_str(), sc),
            // The collector binds `this` in a frame for a method of a known object.
            Expression::ThisExpression(_) => frame_this(sc).unwrap_or(Value::Host("window")),
            Expression::ParenthesizedExpression(p) => self.ev(&p.expression, sc),
            Expression::SequenceExpression(s) => {
                let mut last = Value::Undefined;
                for x in &s.expressions {
                    last = self.ev(x, sc);
                }
                last
            }
            Expression::ArrayExpression(a) => {
                let mut out = Vec::with_capacity(a.elements.len());
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            match self.ev(&s.argument, sc) {
                                Value::Array(inner) => out.extend(inner.borrow().iter().cloned()),
                                _ => out.push(Value::Unknown),
                            }
                        }
                        ArrayExpressionElement::Elision(_) => out.push(Value::Undefined),
                        other => match other.as_expression() {
                            Some(x) => out.push(self.ev(x, sc)),
                            None => out.push(Value::Unknown),
                        },
                    }
                }
                Value::Array(Rc::new(RefCell::new(out)))
            }
            Expression::ObjectExpression(o) => {
                let mut out = Vec::new();
                // Getters run once the object exists, with `this` the object (`get url() {
                // return this.base + '/c' }`).
                let mut getters = Vec::new();
                for p in &o.properties {
                    if let ObjectPropertyKind::ObjectProperty(p) = p {
                        let key = match &p.key {
                            PropertyKey::StaticIdentifier(id) => Some(Rc::from(id.name.as_str())),
                            k => k
                                .as_expression()
                                .and_then(|x| self.ev(x, sc).to_js_string())
                                .map(Rc::from),
                        };
                        let v = match p.kind {
                            PropertyKind::Init => self.ev(&p.value, sc),
                            PropertyKind::Get => {
                                getters.push((out.len(), self.ev(&p.value, sc)));
                                Value::Unknown
                            }
                            // A setter is not the property's value.
                            PropertyKind::Set => continue,
                        };
                        match key {
                            Some(k) => out.push((k, v)),
                            None => {
                                getters.retain(|(i, _)| *i != out.len());
                            }
                        }
                    }
                }
                let obj = Rc::new(RefCell::new(out));
                for (i, g) in getters {
                    let v = self.getter_value(g, Value::Object(obj.clone()));
                    if let Some(slot) = obj.borrow_mut().get_mut(i) {
                        slot.1 = v;
                    }
                }
                Value::Object(obj)
            }
            Expression::FunctionExpression(f) => match &f.body {
                Some(body) => Value::Func(Rc::new(Closure {
                    params: &f.params,
                    body: FnBody::Block(body),
                    env: sc.cloned(),
                })),
                None => Value::Unknown,
            },
            Expression::ArrowFunctionExpression(f) => {
                let body = match &f.body {
                    ArrowFunctionBody::FunctionBody(b) => FnBody::Block(b),
                    other => match other.as_expression() {
                        Some(e) => FnBody::Expr(e),
                        None => return Value::Unknown,
                    },
                };
                Value::Func(Rc::new(Closure {
                    params: &f.params,
                    body,
                    env: sc.cloned(),
                }))
            }
            Expression::BinaryExpression(b) => {
                let l = self.ev(&b.left, sc);
                let r = self.ev(&b.right, sc);
                self.binary(b.operator, l, r)
            }
            Expression::LogicalExpression(l) => {
                let left = self.ev(&l.left, sc);
                match (l.operator, left.truthy()) {
                    (LogicalOperator::And, Some(false)) | (LogicalOperator::Or, Some(true)) => left,
                    (LogicalOperator::And, Some(true)) | (LogicalOperator::Or, Some(false)) => {
                        self.ev(&l.right, sc)
                    }
                    (LogicalOperator::Coalesce, _) => match left {
                        Value::Undefined | Value::Null => self.ev(&l.right, sc),
                        Value::Unknown => Value::Unknown,
                        v => v,
                    },
                    (op, _) => self.either_logical(op, left, &l.right, sc),
                }
            }
            Expression::ConditionalExpression(c) => match self.ev(&c.test, sc).truthy() {
                Some(true) => self.ev(&c.consequent, sc),
                Some(false) => self.ev(&c.alternate, sc),
                None => self.either_branch(&c.consequent, &c.alternate, sc),
            },
            Expression::UnaryExpression(u) => {
                let v = self.ev(&u.argument, sc);
                match u.operator {
                    UnaryOperator::LogicalNot => v
                        .truthy()
                        .map(|b| Value::Bool(!b))
                        .unwrap_or(Value::Unknown),
                    UnaryOperator::UnaryNegation => v
                        .to_number()
                        .map(|n| Value::Num(-n))
                        .unwrap_or(Value::Unknown),
                    UnaryOperator::UnaryPlus => {
                        v.to_number().map(Value::Num).unwrap_or(Value::Unknown)
                    }
                    UnaryOperator::BitwiseNot => v
                        .to_number()
                        .map(|n| Value::Num(f64::from(!to_i32(n))))
                        .unwrap_or(Value::Unknown),
                    UnaryOperator::Void => Value::Undefined,
                    UnaryOperator::Typeof => match v {
                        Value::Str(_) | Value::Prefix(_) | Value::Holed(_) => Value::str("string"),
                        Value::Url(_) => Value::str("object"),
                        Value::Num(_) => Value::str("number"),
                        Value::Bool(_) => Value::str("boolean"),
                        Value::Undefined => Value::str("undefined"),
                        Value::Func(_) => Value::str("function"),
                        Value::Array(_) | Value::Object(_) | Value::Null | Value::Regex(..) => {
                            Value::str("object")
                        }
                        _ => Value::Unknown,
                    },
                    UnaryOperator::Delete => Value::Unknown,
                }
            }
            Expression::StaticMemberExpression(m) => self.ev_static_member(m, sc),
            Expression::ComputedMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                // `o?.[k]` on nothing is `undefined` (the rest of the chain is skipped).
                if m.optional && matches!(obj, Value::Undefined | Value::Null) {
                    return Value::Undefined;
                }
                let key = self.ev(&m.expression, sc);
                if matches!(obj, Value::Array(_)) && matches!(key, Value::Num(_)) {
                    // A string-table read: an array of strings indexed by a computed constant.
                    let v = self.member(obj, &key);
                    if matches!(v, Value::Str(_)) {
                        self.decoded.set(true);
                    }
                    return v;
                }
                if key.is_unknown()
                    && let Some(v) = self.member_of_either_key(&obj, &m.expression, sc)
                {
                    return v;
                }
                self.member(obj, &key)
            }
            Expression::CallExpression(c) => self.ev_call(c, sc),
            Expression::NewExpression(n) => {
                let name = n.callee.get_identifier_reference().map(|i| i.name.as_str());
                match name {
                    Some("Array") => {
                        let args = self.args(&n.arguments, sc);
                        Value::Array(Rc::new(RefCell::new(args)))
                    }
                    Some("String") => {
                        let args = self.args(&n.arguments, sc);
                        self.call_global("String", &args)
                    }
                    // `fetch(new Request(u, init))` requests `u`.
                    Some("Request") => {
                        let args = self.args(&n.arguments, sc);
                        match args.into_iter().next() {
                            Some(v @ (Value::Str(_) | Value::Url(_) | Value::Prefix(_))) => v,
                            _ => Value::Unknown,
                        }
                    }
                    Some("URL") => {
                        let args = self.args(&n.arguments, sc);
                        new_url(args.first(), args.get(1))
                    }
                    Some("Proxy") => {
                        let args = self.args(&n.arguments, sc);
                        self.new_proxy(&args)
                    }
                    Some("RegExp") => {
                        let args = self.args(&n.arguments, sc);
                        match (args.first().and_then(Value::as_str), args.get(1)) {
                            (Some(p), None) => Value::Regex(p.into(), "".into()),
                            (Some(p), Some(Value::Str(f))) => Value::Regex(p.into(), f.clone()),
                            _ => Value::Unknown,
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            Expression::AssignmentExpression(a) => self.ev_assign(a, sc),
            Expression::UpdateExpression(u) => {
                let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &u.argument else {
                    return Value::Unknown;
                };
                let old = self.lookup(id.name.as_str(), sc).to_number();
                let Some(old) = old else {
                    return Value::Unknown;
                };
                let new = match u.operator {
                    UpdateOperator::Increment => old + 1.0,
                    UpdateOperator::Decrement => old - 1.0,
                };
                self.assign_name(id.name.as_str(), Value::Num(new), sc);
                Value::Num(if u.prefix { new } else { old })
            }
            Expression::ClassExpression(c) => self.ev_class(c, sc),
            // `cfg?.services?.url`, `el?.value`, `f?.(x)`: as written without `?.`, except that
            // an optional link on `null` or `undefined` gives `undefined`.
            Expression::ChainExpression(ch) => match &ch.expression {
                ChainElement::StaticMemberExpression(m) => self.ev_static_member(m, sc),
                ChainElement::ComputedMemberExpression(m) => {
                    let obj = self.ev(&m.object, sc);
                    if matches!(obj, Value::Undefined | Value::Null) {
                        return Value::Undefined;
                    }
                    let key = self.ev(&m.expression, sc);
                    self.member(obj, &key)
                }
                ChainElement::CallExpression(c) => self.ev_call(c, sc),
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    pub(super) fn has_escapes(&self, span: oxc_span::Span) -> bool {
        self.src
            .get(span.start as usize..span.end as usize)
            .is_some_and(|raw| raw.contains("\\x") || raw.contains("\\u"))
    }

    pub(super) fn args(&self, args: &'a [Argument<'a>], sc: Option<&Scope<'a>>) -> Vec<Value<'a>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match a {
                Argument::SpreadElement(s) => match self.ev(&s.argument, sc) {
                    Value::Array(inner) => out.extend(inner.borrow().iter().cloned()),
                    _ => out.push(Value::Unknown),
                },
                other => match other.as_expression() {
                    Some(x) => out.push(self.ev(x, sc)),
                    None => out.push(Value::Unknown),
                },
            }
        }
        out
    }

    pub fn lookup(&self, name: &'a str, sc: Option<&Scope<'a>>) -> Value<'a> {
        let mut cur = sc;
        while let Some(f) = cur {
            if let Some(v) = f.vars.borrow().get(name) {
                return v.clone();
            }
            cur = f.parent.as_ref();
        }
        // Evaluating in a function's context (see `local`): globals are read into a shadow
        // frame as copies, so what the run does to them never reaches the script's globals.
        let shadow = self.shadow.borrow().clone();
        if let Some(sh) = shadow {
            if let Some(v) = sh.vars.borrow().get(name) {
                return v.clone();
            }
            let v = self.lookup_global(name);
            if matches!(v, Value::Array(_) | Value::Object(_)) {
                let copy = detach(&v, 0);
                sh.vars.borrow_mut().insert(name, copy.clone());
                return copy;
            }
            return v;
        }
        self.lookup_global(name)
    }

    /// A name's value outside any frame: the script's globals, then the browser's.
    fn lookup_global(&self, name: &'a str) -> Value<'a> {
        if self.volatile.contains(name) {
            return Value::Unknown;
        }
        if let Some(v) = self.cache.borrow().get(name) {
            if self.decoded_names.borrow().contains(name) {
                self.decoded.set(true);
            }
            return v.clone();
        }
        if let Some(d) = self.decls.get(name).copied() {
            if !self.resolving.borrow_mut().insert(name) {
                return Value::Unknown;
            }
            let v = match d {
                GlobalDecl::Init(e) => self.ev(e, None),
                GlobalDecl::Pattern(p, e) => {
                    let v = self.ev(e, None);
                    self.pattern_value(p, v, name)
                }
                GlobalDecl::Class(c) => self.ev_class(c, None),
                GlobalDecl::Func(f) => match &f.body {
                    Some(body) => Value::Func(Rc::new(Closure {
                        params: &f.params,
                        body: FnBody::Block(body),
                        env: None,
                    })),
                    None => Value::Unknown,
                },
            };
            self.resolving.borrow_mut().remove(name);
            // Cache even `Unknown` (a library's `var x = (function(){…})()` must be tried
            // once, not at every reference), unless it is unknown only for lack of fuel.
            if !v.is_unknown() || self.fuel.get() > 0 {
                self.cache.borrow_mut().insert(name, v.clone());
            }
            return v;
        }
        match name {
            "undefined" => Value::Undefined,
            "NaN" => Value::Num(f64::NAN),
            "Infinity" => Value::Num(f64::INFINITY),
            "window" | "self" | "globalThis" | "top" | "parent" => Value::Host("window"),
            "String" => Value::Host("String"),
            "Math" => Value::Host("Math"),
            "JSON" => Value::Host("JSON"),
            "Array" => Value::Host("Array"),
            "Number" => Value::Host("Number"),
            "Object" => Value::Host("Object"),
            "Promise" => Value::Host("Promise"),
            "atob" | "btoa" | "unescape" | "escape" | "decodeURIComponent" | "decodeURI"
            | "encodeURIComponent" | "encodeURI" | "parseInt" | "parseFloat" => {
                Value::Host(builtin_name(name))
            }
            // A browser object or function the script did not redefine: a value the
            // collector can recognise wherever it travels (`const f = fetch; f(u)`).
            n if web_api::is_browser_global(n) || web_api::is_dom_interface(n) => {
                Value::Api(n.into())
            }
            // Data another script of the page declared (`var wc_params = {…}`).
            n => self.page_global(n).unwrap_or(Value::Unknown),
        }
    }

    pub(super) fn assign_name(&self, name: &'a str, v: Value<'a>, sc: Option<&Scope<'a>>) {
        let mut cur = sc;
        while let Some(f) = cur {
            if let Some(slot) = f.vars.borrow_mut().get_mut(name) {
                *slot = v;
                return;
            }
            cur = f.parent.as_ref();
        }
        // Sloppy-mode assignment to an undeclared or global name: the global binding changes
        // (obfuscators' self-replacing accessors rely on this) — in the shadow frame when
        // evaluating in a function's context.
        if let Some(sh) = self.shadow.borrow().as_ref() {
            sh.vars.borrow_mut().insert(name, v);
            return;
        }
        self.cache.borrow_mut().insert(name, v);
    }

    fn ev_static_member(
        &self,
        m: &'a StaticMemberExpression<'a>,
        sc: Option<&Scope<'a>>,
    ) -> Value<'a> {
        let obj = self.ev(&m.object, sc);
        if m.optional && matches!(obj, Value::Undefined | Value::Null) {
            return Value::Undefined;
        }
        self.member(obj, &Value::str(m.property.name.as_str()))
    }

    pub(super) fn ev_assign(
        &self,
        a: &'a AssignmentExpression<'a>,
        sc: Option<&Scope<'a>>,
    ) -> Value<'a> {
        let rhs = self.ev(&a.right, sc);
        match &a.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                let name = id.name.as_str();
                let v = if a.operator == AssignmentOperator::Assign {
                    rhs
                } else {
                    let old = self.lookup(name, sc);
                    match binop_of(a.operator) {
                        Some(op) => self.binary(op, old, rhs),
                        None => Value::Unknown,
                    }
                };
                self.assign_name(name, v.clone(), sc);
                v
            }
            AssignmentTarget::ComputedMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                let key = self.ev(&m.expression, sc);
                self.set_member(&obj, &key, a.operator, rhs)
            }
            AssignmentTarget::StaticMemberExpression(m) => {
                let obj = self.ev(&m.object, sc);
                if self.set_url_part(&obj, m, a.operator, &rhs, sc) {
                    return rhs;
                }
                let key = Value::str(m.property.name.as_str());
                self.set_member(&obj, &key, a.operator, rhs)
            }
            _ => Value::Unknown,
        }
    }

    pub(super) fn set_member(
        &self,
        obj: &Value<'a>,
        key: &Value<'a>,
        op: AssignmentOperator,
        rhs: Value<'a>,
    ) -> Value<'a> {
        let v = if op == AssignmentOperator::Assign {
            rhs
        } else {
            let old = self.member(obj.clone(), key);
            match binop_of(op) {
                Some(b) => self.binary(b, old, rhs),
                None => Value::Unknown,
            }
        };
        match (obj, key) {
            (Value::Array(a), Value::Num(i)) if *i >= 0.0 && *i < 1e6 && *i == i.trunc() => {
                let i = *i as usize;
                let mut a = a.borrow_mut();
                if i >= a.len() {
                    a.resize(i + 1, Value::Undefined);
                }
                a[i] = v.clone();
            }
            (Value::Object(o), k) => {
                if let Some(k) = k.to_js_string() {
                    let mut o = o.borrow_mut();
                    match o.iter_mut().find(|(n, _)| **n == *k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => o.push((k.into(), v.clone())),
                    }
                }
            }
            _ => {}
        }
        v
    }

    pub(super) fn binary(&self, op: BinaryOperator, l: Value<'a>, r: Value<'a>) -> Value<'a> {
        use BinaryOperator as B;
        match op {
            B::Addition => {
                let stringy = |v: &Value| {
                    matches!(
                        v,
                        Value::Str(_)
                            | Value::Prefix(_)
                            | Value::Holed(_)
                            | Value::Url(_)
                            | Value::Array(_)
                    )
                };
                if stringy(&l) || stringy(&r) {
                    if let Some(h) = holed_concat(&l, &r) {
                        // Building it costs what it copies, like any string.
                        if let Value::Holed(t) = &h
                            && !self.charge(t.len())
                        {
                            return Value::Unknown;
                        }
                        return h;
                    }
                    let ls = match &l {
                        Value::Prefix(p) => return Value::Prefix(p.clone()),
                        v => v.to_js_string(),
                    };
                    let Some(ls) = ls else { return Value::Unknown };
                    if !self.charge(ls.len()) {
                        return Value::Unknown;
                    }
                    match &r {
                        Value::Prefix(p) => cap(format!("{ls}{p}"), true),
                        v => match v.to_js_string() {
                            Some(rs) => cap(ls + &rs, false),
                            None => prefix_or_unknown(ls),
                        },
                    }
                } else {
                    match (l.to_number(), r.to_number()) {
                        (Some(a), Some(b)) => Value::Num(a + b),
                        _ => Value::Unknown,
                    }
                }
            }
            B::StrictEquality | B::Equality | B::StrictInequality | B::Inequality => {
                let eq = match (&l, &r) {
                    (Value::Str(a), Value::Str(b)) => Some(a == b),
                    (Value::Num(a), Value::Num(b)) => Some(a == b),
                    (Value::Bool(a), Value::Bool(b)) => Some(a == b),
                    (Value::Undefined | Value::Null, Value::Undefined | Value::Null) => Some(
                        matches!(op, B::Equality | B::Inequality)
                            || std::mem::discriminant(&l) == std::mem::discriminant(&r),
                    ),
                    (Value::Str(_), Value::Num(_)) | (Value::Num(_), Value::Str(_))
                        if matches!(op, B::Equality | B::Inequality) =>
                    {
                        match (l.to_number(), r.to_number()) {
                            (Some(a), Some(b)) => Some(a == b),
                            _ => None,
                        }
                    }
                    (Value::Unknown, _)
                    | (_, Value::Unknown)
                    | (Value::Prefix(_) | Value::Holed(_) | Value::Api(_), _)
                    | (_, Value::Prefix(_) | Value::Holed(_) | Value::Api(_)) => None,
                    _ if matches!(op, B::StrictEquality | B::StrictInequality) => Some(false),
                    _ => None,
                };
                match eq {
                    Some(e) => Value::Bool(if matches!(op, B::StrictEquality | B::Equality) {
                        e
                    } else {
                        !e
                    }),
                    None => Value::Unknown,
                }
            }
            B::LessThan | B::GreaterThan | B::LessEqualThan | B::GreaterEqualThan => {
                match (l.to_number(), r.to_number()) {
                    (Some(a), Some(b)) => Value::Bool(match op {
                        B::LessThan => a < b,
                        B::GreaterThan => a > b,
                        B::LessEqualThan => a <= b,
                        _ => a >= b,
                    }),
                    _ => Value::Unknown,
                }
            }
            _ => {
                let (Some(a), Some(b)) = (l.to_number(), r.to_number()) else {
                    return Value::Unknown;
                };
                Value::Num(match op {
                    B::Subtraction => a - b,
                    B::Multiplication => a * b,
                    B::Division => a / b,
                    B::Remainder => a % b,
                    B::Exponential => a.powf(b),
                    B::BitwiseOR => f64::from(to_i32(a) | to_i32(b)),
                    B::BitwiseAnd => f64::from(to_i32(a) & to_i32(b)),
                    B::BitwiseXOR => f64::from(to_i32(a) ^ to_i32(b)),
                    B::ShiftLeft => f64::from(to_i32(a).wrapping_shl(to_i32(b) as u32 & 31)),
                    B::ShiftRight => f64::from(to_i32(a).wrapping_shr(to_i32(b) as u32 & 31)),
                    B::ShiftRightZeroFill => {
                        f64::from((to_i32(a) as u32).wrapping_shr(to_i32(b) as u32 & 31))
                    }
                    _ => return Value::Unknown,
                })
            }
        }
    }

    /// Property read on a known value.
    pub(super) fn member(&self, obj: Value<'a>, key: &Value<'a>) -> Value<'a> {
        if let (Value::Api(p), Value::Str(k)) = (&obj, key)
            && &**p == "document"
            && let Some(v) = self.page_member(k)
        {
            return v;
        }
        if let Some(v) = self.page_location(&obj, key) {
            return v;
        }
        match (&obj, key) {
            (Value::Array(a), Value::Num(i)) => {
                if *i >= 0.0 && *i == i.trunc() {
                    a.borrow()
                        .get(*i as usize)
                        .cloned()
                        .unwrap_or(Value::Undefined)
                } else {
                    Value::Undefined
                }
            }
            (Value::Array(a), Value::Str(k)) => match &**k {
                "length" => Value::Num(a.borrow().len() as f64),
                _ => match k.parse::<usize>() {
                    Ok(i) => a.borrow().get(i).cloned().unwrap_or(Value::Undefined),
                    Err(_) => Value::Unknown,
                },
            },
            (Value::Str(s), Value::Str(k)) if &**k == "length" => {
                Value::Num(self.with_units(s, |u| u.len()) as f64)
            }
            (Value::Str(s), Value::Num(i)) => {
                if *i >= 0.0 && *i == i.trunc() {
                    self.with_units(s, |u| u.char_at(*i as usize))
                        .map(|c| Value::str(c.to_string()))
                        .unwrap_or(Value::Undefined)
                } else {
                    Value::Undefined
                }
            }
            (Value::Object(o), k) => match k.to_js_string() {
                Some(k) => o
                    .borrow()
                    .iter()
                    .find(|(n, _)| **n == *k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Unknown),
                None => Value::Unknown,
            },
            (Value::Host("String"), Value::Str(k)) if &**k == "fromCharCode" => {
                Value::Host("fromCharCode")
            }
            // `f.constructor` of any function is `Function` (the classic way to reach it
            // without naming it).
            (Value::Func(_) | Value::Host(_), Value::Str(k)) if &**k == "constructor" => {
                Value::Host("Function")
            }
            (Value::Host("window"), Value::Str(k)) => match self.lookup_host_global(k) {
                Some(v) => v,
                None => Value::Unknown,
            },
            (Value::Url(href), Value::Str(k)) => url_part(href, k),
            // `navigator.sendBeacon`, `XMLHttpRequest.prototype.open`: a path into the
            // browser's objects, short enough to name an API.
            (Value::Api(p), Value::Str(k)) if p.matches('.').count() < 4 && !k.is_empty() => {
                Value::Api(format!("{p}.{k}").into())
            }
            _ => Value::Unknown,
        }
    }

    pub(super) fn lookup_host_global(&self, k: &str) -> Option<Value<'a>> {
        Some(match k {
            "String" => Value::Host("String"),
            "Math" => Value::Host("Math"),
            "JSON" => Value::Host("JSON"),
            "Array" => Value::Host("Array"),
            "Object" => Value::Host("Object"),
            "atob" | "btoa" | "unescape" | "escape" | "decodeURIComponent" | "decodeURI"
            | "encodeURIComponent" | "encodeURI" | "parseInt" | "parseFloat" => {
                Value::Host(builtin_name(k))
            }
            _ => {
                // `window.foo` / `window['foo']` where foo is a global binding of the script.
                if let Some(name) = self.decls.get_key_value(k).map(|(n, _)| *n) {
                    return Some(self.lookup(name, None));
                }
                if web_api::is_browser_global(k) {
                    return Some(Value::Api(k.into()));
                }
                return self.page_global(k);
            }
        })
    }
}

pub(super) fn builtin_name(n: &str) -> &'static str {
    match n {
        "atob" => "atob",
        "btoa" => "btoa",
        "unescape" => "unescape",
        "escape" => "escape",
        "decodeURIComponent" => "decodeURIComponent",
        "decodeURI" => "decodeURI",
        "encodeURIComponent" => "encodeURIComponent",
        "encodeURI" => "encodeURI",
        "parseInt" => "parseInt",
        _ => "parseFloat",
    }
}

pub(super) fn binop_of(op: AssignmentOperator) -> Option<BinaryOperator> {
    use AssignmentOperator as A;
    use BinaryOperator as B;
    Some(match op {
        A::Addition => B::Addition,
        A::Subtraction => B::Subtraction,
        A::Multiplication => B::Multiplication,
        A::Division => B::Division,
        A::Remainder => B::Remainder,
        A::BitwiseOR => B::BitwiseOR,
        A::BitwiseAnd => B::BitwiseAnd,
        A::BitwiseXOR => B::BitwiseXOR,
        A::ShiftLeft => B::ShiftLeft,
        A::ShiftRight => B::ShiftRight,
        A::ShiftRightZeroFill => B::ShiftRightZeroFill,
        _ => return None,
    })
}

/// `this` bound by the caller of [`Interp::eval_with`] (no script name can be `this`).
fn frame_this<'a>(sc: Option<&Scope<'a>>) -> Option<Value<'a>> {
    let mut cur = sc;
    while let Some(f) = cur {
        if let Some(v) = f.vars.borrow().get("this") {
            return Some(v.clone());
        }
        cur = f.parent.as_ref();
    }
    None
}

/// A copy of an array or object value, nested ones included (bounded): the original stays as
/// it was whatever is done to the copy.
fn detach<'a>(v: &Value<'a>, depth: u32) -> Value<'a> {
    if depth > 8 {
        return Value::Unknown;
    }
    match v {
        Value::Array(a) => Value::Array(Rc::new(RefCell::new(
            a.borrow()
                .iter()
                .take(1 << 16)
                .map(|x| detach(x, depth + 1))
                .collect(),
        ))),
        Value::Object(o) => Value::Object(Rc::new(RefCell::new(
            o.borrow()
                .iter()
                .take(1 << 12)
                .map(|(k, x)| (k.clone(), detach(x, depth + 1)))
                .collect(),
        ))),
        other => other.clone(),
    }
}
