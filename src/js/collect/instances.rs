//! Objects made by the script's own constructors: `function Beacon(base) { this.base = base
//! }` with `Beacon.prototype.hit = function (q) { img.src = this.base + '?' + q }`, an ES
//! class whose constructor keeps an endpoint that another method sends to, class fields, and
//! `new Proxy(target, { apply(t, self, args) { … } })` whose trap runs when the proxy is
//! called. `this` in a constructor, in its prototype's methods and in a class's methods is one
//! object per constructor (the analysis has no types, so instances of one constructor are not
//! told apart); a field written once (`this.base = …`) is known in every method, and where it
//! is a constructor parameter it is what each `new` passes (joined per call at the walk's end,
//! like any parameter, see [`params`](super::params)).

use super::Collector;
use crate::js::flow::{Deps, Sym};
use crate::js::value::Value;
use oxc_ast::ast::*;
use oxc_span::GetSpan;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Fields of one object evaluated for one URL expression.
const MAX_FIELDS: usize = 64;

/// Arguments of a call that reach a proxy's `apply` trap's argument list.
const PROXY_ARGS: usize = 8;

/// Which object a call is about, for telling instances of one constructor apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Instance {
    #[default]
    None,
    /// A method called on the object made by the `new` at this start (`x.m()` with `var x =
    /// new X()`, `new X().m()`).
    On(u32),
    /// A method called on `this`: the object its own caller's method was called on.
    This,
    /// The `new` at this start itself (a call of the constructor).
    Made(u32),
}

/// What the walk has learnt about the script's constructors.
#[derive(Default)]
pub(super) struct Instances {
    /// Functions (by start) that may be constructors: declarations and functions bound to a
    /// name. Their `this` is their own object.
    ctor_candidates: HashSet<u32>,
    /// Functions (by start) that are methods of a constructor's prototype, with the
    /// constructor's symbol.
    proto_methods: HashMap<u32, Sym>,
    /// Object literals (by start) assigned as a constructor's prototype.
    proto_objects: HashMap<u32, Sym>,
    /// The object `this` is in each constructor, by the constructor's symbol.
    this_of: HashMap<Sym, Sym>,
    /// The constructor of each such object (the function `new` runs).
    pub ctor_of: HashMap<Sym, Sym>,
    /// The function each `this` field was written in, by object and field.
    pub field_fn: HashMap<(Sym, String), Sym>,
    /// `new Proxy(target, { apply … })`: the trap (by start) and the proxy's symbol.
    proxy_traps: HashMap<u32, Sym>,
    /// `new Proxy(target, { set … })`: the trap (by start) and the proxy's symbol.
    proxy_set_traps: HashMap<u32, Sym>,
}

impl<'a> Collector<'a, '_, '_> {
    /// The object `this` is in constructor `f`'s body and its prototype's methods.
    fn instance_this(&mut self, f: Sym) -> Sym {
        if let Some(t) = self.instances.this_of.get(&f) {
            return *t;
        }
        let t = self.facts.graph.fresh();
        self.instances.this_of.insert(f, t);
        self.instances.ctor_of.insert(t, f);
        t
    }

    /// `function X() {}` and `var X = function () {}`: X may be a constructor.
    pub(super) fn note_ctor_candidate(&mut self, start: u32) {
        self.instances.ctor_candidates.insert(start);
    }

    /// `this.fire = function (…) {…}`: a method of the object being built, whose `this` is
    /// that object when called as `x.fire(…)`, not a constructor of its own.
    pub(super) fn method_of_this(&mut self, f: &'a Expression<'a>) {
        if let Expression::FunctionExpression(f) = f.without_parentheses() {
            self.instances.ctor_candidates.remove(&f.span.start);
        }
    }

    /// Entering function `ret` at `start` (not an arrow): when it is a constructor or a
    /// prototype method, `this` in it is the constructor's object. Returns whether a `this`
    /// was pushed (and must be popped on leaving).
    pub(super) fn enter_instance(&mut self, start: u32, ret: Sym) -> bool {
        let ctor = match self.instances.proto_methods.remove(&start) {
            Some(c) => c,
            None if self.instances.ctor_candidates.remove(&start) => ret,
            None => return false,
        };
        let t = self.instance_this(ctor);
        // The object belongs to the function's own level (`this` means it inside).
        self.this_syms
            .push((t, self.fn_stack.len().saturating_sub(1)));
        self.this_objs.push(None);
        true
    }

    pub(super) fn leave_instance(&mut self) {
        self.this_syms.pop();
        self.this_objs.pop();
    }

    /// The object `this` is in a class's methods: the class's own, tied to its constructor
    /// (the class's name, which `new` calls) when it has one.
    pub(super) fn class_this(&mut self, c: &'a Class<'a>, binding: Option<Sym>) -> Sym {
        let Some(b) = binding else {
            return self.facts.graph.fresh();
        };
        for el in &c.body.body {
            if let ClassElement::MethodDefinition(m) = el
                && m.kind == MethodDefinitionKind::Constructor
            {
                self.pending_binding.insert(m.value.span.start, b);
            }
        }
        self.instance_this(b)
    }

    /// `X.prototype.m = function…` (a method of X's objects) and `X.prototype = {…}`.
    pub(super) fn prototype_write(
        &mut self,
        obj: &'a Expression<'a>,
        prop: &str,
        rhs: &'a Expression<'a>,
    ) {
        let (ctor, method) = match obj.without_parentheses() {
            Expression::StaticMemberExpression(m) if m.property.name == "prototype" => {
                (&m.object, Some(prop))
            }
            Expression::Identifier(_) if prop == "prototype" => (obj, None),
            _ => return,
        };
        let Expression::Identifier(id) = ctor.without_parentheses() else {
            return;
        };
        let Some(c) = self.lookup(id.name.as_str()) else {
            return;
        };
        match (method, rhs.without_parentheses()) {
            (Some(name), Expression::FunctionExpression(f)) => {
                self.instances.proto_methods.insert(f.span.start, c);
                // Calls `x.m(v)` on any object pass v to its parameters (methods are known
                // by name, see `method_sym`).
                self.methods.insert(name.to_string());
                let s = self.facts.graph.global(&format!("$method.{name}"));
                self.pending_binding.insert(f.span.start, s);
            }
            (None, Expression::ObjectExpression(o)) => {
                self.instances.proto_objects.insert(o.span.start, c);
            }
            _ => {}
        }
    }

    /// The object `this` is in the methods of an object literal: a prototype's object is
    /// its constructor's.
    pub(super) fn literal_this(&mut self, o: &'a ObjectExpression<'a>) -> Sym {
        match self.instances.proto_objects.remove(&o.span.start) {
            Some(c) => self.instance_this(c),
            None => self.facts.graph.fresh(),
        }
    }

    /// `class C { endpoint = '…' }`: an instance field with its initial value.
    pub(super) fn class_field(&mut self, p: &'a PropertyDefinition<'a>) {
        if p.r#static {
            return;
        }
        // The class's own object: the walk is in its body, not in one of its methods.
        let this = self.this_syms.last().map(|t| t.0);
        let name = match &p.key {
            PropertyKey::PrivateIdentifier(id) => Some(format!("#{}", id.name)),
            k => k.static_name().map(|n| n.to_string()),
        };
        let (Some(name), Some(v), Some(this)) = (name, &p.value, this) else {
            return;
        };
        let slot = self.this_fields.entry((this, name)).or_insert(Some(v));
        if slot.is_some_and(|x| !std::ptr::eq(x, v)) {
            *slot = None;
        }
    }

    /// `get target() { return `https://${host}/f.html` }`: reading `this.target` in the
    /// class's methods reads what the getter returns, wherever in the class it is written.
    pub(super) fn class_getters(&mut self, this: Sym, class: &'a Class<'a>) {
        for el in &class.body.body {
            let ClassElement::MethodDefinition(m) = el else {
                continue;
            };
            if m.kind != MethodDefinitionKind::Get || m.r#static {
                continue;
            }
            let Some(name) = m.key.static_name() else {
                continue;
            };
            let Some(body) = &m.value.body else {
                continue;
            };
            let [Statement::ReturnStatement(r)] = body.statements.as_slice() else {
                continue;
            };
            let Some(v) = &r.argument else {
                continue;
            };
            let slot = self
                .this_fields
                .entry((this, name.to_string()))
                .or_insert(Some(v));
            if slot.is_some_and(|x| !std::ptr::eq(x, v)) {
                *slot = None;
            }
        }
    }

    /// `this.p = rhs` in the current function: remember where, so a constructor's parameter
    /// is bound at each `new`.
    pub(super) fn note_this_field_fn(&mut self, this: Sym, prop: &str) {
        if let Some(f) = self.fn_stack.last().map(|f| f.ret) {
            self.instances.field_fn.insert((this, prop.to_string()), f);
        }
    }

    /// `new X(a, b)` of the script's own constructor: a call of X (its parameters take the
    /// arguments, and each `new` is a context of X's fields).
    pub(super) fn note_construct(&mut self, n: &'a NewExpression<'a>) {
        let Expression::Identifier(id) = n.callee.without_parentheses() else {
            return;
        };
        let name = id.name.as_str();
        if crate::js::web_api::is_browser_global(name) {
            return;
        }
        let Some(f) = self.lookup(name) else {
            return;
        };
        if !self.facts.graph.fn_params.contains_key(&f) {
            return;
        }
        let args = super::callsite::arg_exprs(&n.arguments);
        self.call_own(f, &args, Instance::Made(n.span.start));
    }

    /// The object a method is called on, when it is one `new` of the script's.
    pub(super) fn instance_of(&self, recv: &'a Expression<'a>) -> Instance {
        let made = match recv.without_parentheses() {
            Expression::ThisExpression(_) => return Instance::This,
            Expression::Identifier(id) => self
                .interp
                .decl_init(id.name.as_str())
                .map(|e| e.without_parentheses()),
            e => Some(e),
        };
        match made {
            Some(Expression::NewExpression(n)) => Instance::On(n.span.start),
            _ => Instance::None,
        }
    }

    /// `var p = new Proxy(target, { apply(t, self, args) {…} })`: calling p runs the trap with
    /// the call's arguments as its third parameter; `{ set(t, key, value) {…} }`: writing
    /// `p[k] = v` runs the trap with k and v as its second and third.
    pub(super) fn note_proxy(&mut self, target: Sym, n: &'a NewExpression<'a>) {
        if n.callee
            .get_identifier_reference()
            .is_none_or(|id| id.name != "Proxy")
        {
            return;
        }
        let Some(Expression::ObjectExpression(h)) = n
            .arguments
            .get(1)
            .and_then(|a| a.as_expression())
            .map(|e| e.without_parentheses())
        else {
            return;
        };
        for p in &h.properties {
            if let ObjectPropertyKind::ObjectProperty(p) = p
                && matches!(
                    p.value.without_parentheses(),
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                )
            {
                let start = p.value.without_parentheses().span().start;
                if p.key.is_specific_static_name("apply") {
                    self.instances.proxy_traps.insert(start, target);
                } else if p.key.is_specific_static_name("set") {
                    self.instances.proxy_set_traps.insert(start, target);
                }
            }
        }
    }

    /// Entering a function with parameter symbols `params`: a proxy's `apply` trap takes
    /// every argument of the proxy's calls into its argument list.
    pub(super) fn enter_proxy_trap(&mut self, start: u32, params: &[Sym]) {
        if let Some(proxy) = self.instances.proxy_traps.remove(&start)
            && let Some(list) = params.get(2)
        {
            self.facts
                .graph
                .fn_params
                .entry(proxy)
                .or_insert_with(|| vec![*list; PROXY_ARGS]);
        }
        // What is written to the proxy is the set trap's key and value.
        if let Some(proxy) = self.instances.proxy_set_traps.remove(&start) {
            for p in params.iter().skip(1).take(2) {
                self.facts.graph.edge(
                    *p,
                    Deps {
                        syms: vec![proxy],
                        src: 0,
                    },
                );
            }
        }
    }

    /// The object `this` stands for, with the fields known so far that the code `used` names
    /// (each written once; a constructor's field evaluated with `ctor_binds`, one `new`'s
    /// arguments). Only named fields are evaluated, at most [`MAX_FIELDS`] of them.
    pub(super) fn this_value(
        &self,
        this: Sym,
        ctor_binds: &[(&'a str, Value<'a>)],
        used: &str,
    ) -> Value<'a> {
        let ctor = self.instances.ctor_of.get(&this).copied();
        let mut props = Vec::new();
        for ((t, p), rhs) in &self.this_fields {
            let Some(rhs) = rhs else { continue };
            if *t != this || !used.contains(p.as_str()) {
                continue;
            }
            if props.len() >= MAX_FIELDS {
                break;
            }
            let in_ctor =
                ctor.is_some() && self.instances.field_fn.get(&(*t, p.clone())).copied() == ctor;
            let v = if in_ctor && !ctor_binds.is_empty() {
                self.interp.eval_with(rhs, ctor_binds.to_vec()).0
            } else {
                self.interp.eval(rhs)
            };
            props.push((Rc::<str>::from(p.as_str()), v));
        }
        // In a method of an object literal, its own properties the methods never assign
        // (`var Lib = { cdn: '//x/', send: function () { load(this.cdn + …) } }`).
        if let Some(i) = self.this_index().filter(|&i| self.this_syms[i].0 == this)
            && let Some(Some(obj)) = self.this_objs.get(i)
        {
            for p in &obj.properties {
                let ObjectPropertyKind::ObjectProperty(p) = p else {
                    continue;
                };
                let Some(name) = p.key.static_name() else {
                    continue;
                };
                if p.method
                    || props.len() >= MAX_FIELDS
                    || !used.contains(name.as_ref())
                    || self.this_fields.contains_key(&(this, name.to_string()))
                    || props.iter().any(|(n, _)| **n == *name)
                    || matches!(
                        p.value.without_parentheses(),
                        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                    )
                {
                    continue;
                }
                props.push((Rc::<str>::from(name.as_ref()), self.interp.eval(&p.value)));
            }
        }
        props.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Object(Rc::new(RefCell::new(props)))
    }

    /// A URL expression that reads `this` in a method of a known object, evaluated with the
    /// object's fields (`this.base + '?' + q`).
    pub(super) fn eval_with_this(&self, e: &'a Expression<'a>) -> Option<(Value<'a>, bool)> {
        if !self.text(e.span()).contains("this") {
            return None;
        }
        let this = self.this_sym()?;
        let obj = self.this_value(this, &[], self.text(e.span()));
        Some(self.interp.eval_with(e, vec![("this", obj)]))
    }
}
