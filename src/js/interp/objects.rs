//! The `Object` statics that build or fill an object from parts: a configuration can be made
//! with `Object.create(null, {u: {value: …}})`, `Object.assign({}, defaults, {u: …})`,
//! `Object.defineProperty(cfg, 'u', {get: () => …})` or `Object.fromEntries([['u', …]])`
//! as well as with a literal, and a URL kept there is the same URL.

use super::Interp;
use crate::js::value::{ObjectRef, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// Properties an object built here may hold; a bigger one is not configuration.
const MAX_PROPERTIES: usize = 256;

impl<'a> Interp<'a> {
    /// `Object.<name>(args)` for the builders above; `None` for any other static.
    pub(super) fn object_static(&self, name: &str, args: &[Value<'a>]) -> Option<Value<'a>> {
        Some(match name {
            // `Object.create(proto, descriptors)`: the prototype's properties are reachable
            // through the new object, its own descriptors define the rest.
            "create" => {
                let o: ObjectRef<'a> = Rc::new(RefCell::new(Vec::new()));
                if let Some(Value::Object(p)) = args.first() {
                    o.borrow_mut().extend(p.borrow().iter().cloned());
                }
                if let Some(Value::Object(d)) = args.get(1) {
                    for (k, desc) in d.borrow().iter() {
                        let v = self.described(desc);
                        put(&o, k.clone(), v);
                    }
                }
                Value::Object(o)
            }
            // `Object.assign(target, ...sources)`: target, with each source's own properties.
            "assign" => match args.first() {
                Some(Value::Object(t)) => {
                    for s in &args[1..] {
                        if let Value::Object(s) = s
                            && !Rc::ptr_eq(s, t)
                        {
                            let props = s.borrow().clone();
                            for (k, v) in props {
                                put(t, k, v);
                            }
                        }
                    }
                    Value::Object(t.clone())
                }
                _ => Value::Unknown,
            },
            "defineProperty" => match (args.first(), args.get(1), args.get(2)) {
                (Some(Value::Object(t)), Some(k), Some(desc)) => {
                    if let Some(k) = k.to_js_string() {
                        let v = self.described(desc);
                        put(t, k.into(), v);
                    }
                    Value::Object(t.clone())
                }
                _ => Value::Unknown,
            },
            "defineProperties" => match (args.first(), args.get(1)) {
                (Some(Value::Object(t)), Some(Value::Object(d))) => {
                    let d = d.borrow().clone();
                    for (k, desc) in d {
                        let v = self.described(&desc);
                        put(t, k, v);
                    }
                    Value::Object(t.clone())
                }
                _ => Value::Unknown,
            },
            // `Object.entries(o)`: its own properties as `[key, value]` pairs, in order.
            "entries" => match args.first() {
                Some(Value::Object(o)) => {
                    let pairs = o
                        .borrow()
                        .iter()
                        .map(|(k, v)| {
                            let pair = vec![Value::Str(k.clone()), v.clone()];
                            Value::Array(Rc::new(RefCell::new(pair)))
                        })
                        .collect();
                    Value::Array(Rc::new(RefCell::new(pairs)))
                }
                _ => Value::Unknown,
            },
            // `Object.fromEntries([[k, v], …])`.
            "fromEntries" => match args.first() {
                Some(Value::Array(a)) => {
                    let o: ObjectRef<'a> = Rc::new(RefCell::new(Vec::new()));
                    for e in a.borrow().iter() {
                        let Value::Array(kv) = e else {
                            return Some(Value::Unknown);
                        };
                        let kv = kv.borrow();
                        let Some(k) = kv.first().and_then(Value::to_js_string) else {
                            return Some(Value::Unknown);
                        };
                        put(&o, k.into(), kv.get(1).cloned().unwrap_or(Value::Undefined));
                    }
                    Value::Object(o)
                }
                _ => Value::Unknown,
            },
            _ => return None,
        })
    }

    /// The value a property descriptor gives: its `value`, or what its getter returns.
    fn described(&self, desc: &Value<'a>) -> Value<'a> {
        let Value::Object(d) = desc else {
            return Value::Unknown;
        };
        let field = |n: &str| {
            d.borrow()
                .iter()
                .find(|(k, _)| &**k == n)
                .map(|(_, v)| v.clone())
        };
        match (field("value"), field("get")) {
            (Some(v), _) => v,
            (None, Some(g)) => self.call_value(g, Vec::new()),
            (None, None) => Value::Undefined,
        }
    }
}

/// Sets `k` on `o`, replacing an earlier value; an object past [`MAX_PROPERTIES`] stays as it is.
fn put<'a>(o: &ObjectRef<'a>, k: Rc<str>, v: Value<'a>) {
    let mut o = o.borrow_mut();
    if let Some(slot) = o.iter_mut().find(|(n, _)| *n == k) {
        slot.1 = v;
    } else if o.len() < MAX_PROPERTIES {
        o.push((k, v));
    }
}
