//! Built-in globals (`atob`, `parseInt`, `String.fromCharCode`…), method dispatch and array methods.

use super::Interp;
use super::strings::{atob, percent_decode, percent_encode, unescape};
use crate::js::value::{HOLE, MAX_STRING, Value, num_to_radix, parse_int, to_i32};
use base64::Engine as _;
use std::cell::RefCell;
use std::rc::Rc;

impl<'a> Interp<'a> {
    pub(super) fn call_global(&self, name: &str, args: &[Value<'a>]) -> Value<'a> {
        let s0 = args.first().and_then(Value::to_js_string);
        match name {
            "atob" => match s0.and_then(|s| atob(&s)) {
                Some(v) => {
                    self.decoded.set(true);
                    Value::str(v)
                }
                None => Value::Unknown,
            },
            "btoa" => match s0 {
                Some(s) if s.chars().all(|c| (c as u32) < 256) => {
                    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
                    Value::str(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
                _ => Value::Unknown,
            },
            "unescape" => match s0 {
                Some(s) => {
                    self.decoded.set(true);
                    Value::str(unescape(&s))
                }
                None => Value::Unknown,
            },
            "decodeURIComponent" | "decodeURI" => match s0.and_then(|s| percent_decode(&s)) {
                Some(s) => {
                    self.decoded.set(true);
                    Value::str(s)
                }
                None => Value::Unknown,
            },
            "encodeURIComponent" | "encodeURI" | "escape" => match &args.first() {
                Some(Value::Str(s)) => Value::str(percent_encode(s)),
                Some(Value::Prefix(s)) => Value::Prefix(percent_encode(s).into()),
                _ => Value::Unknown,
            },
            "parseInt" => {
                let radix = args.get(1).and_then(Value::to_number).map(|r| r as u32);
                match s0 {
                    Some(s) => Value::Num(parse_int(&s, radix)),
                    None => Value::Unknown,
                }
            }
            "parseFloat" => match s0 {
                Some(s) => Value::Num(s.trim().parse::<f64>().unwrap_or(f64::NAN)),
                None => Value::Unknown,
            },
            "String" => match args.first() {
                None => Value::str(""),
                Some(v) => v.to_js_string().map(Value::str).unwrap_or(Value::Unknown),
            },
            "Number" => args
                .first()
                .and_then(Value::to_number)
                .map(Value::Num)
                .unwrap_or(Value::Unknown),
            "fromCharCode" => {
                self.call_method(Value::Host("String"), "fromCharCode", args.to_vec())
            }
            _ => Value::Unknown,
        }
    }

    pub(super) fn call_method(
        &self,
        obj: Value<'a>,
        name: &str,
        args: Vec<Value<'a>>,
    ) -> Value<'a> {
        if let Value::Api(p) = &obj
            && &**p == "document"
            && let Some(v) = self.page_call(name, &args)
        {
            return v;
        }
        if matches!(obj, Value::Host("window"))
            && name == "getComputedStyle"
            && let Some(v) = self.page_styles()
        {
            return v;
        }
        match obj {
            Value::Host("String") if name == "fromCharCode" => {
                let mut out = String::with_capacity(args.len());
                let mut units = Vec::with_capacity(args.len());
                for a in &args {
                    match a.to_number() {
                        Some(n) => units.push(to_i32(n) as u16),
                        None => return Value::Unknown,
                    }
                }
                out.push_str(&String::from_utf16_lossy(&units));
                self.decoded.set(true);
                Value::str(out)
            }
            // Web storage written and read back within one evaluation in context.
            Value::Api(area)
                if matches!(&*area, "localStorage" | "sessionStorage")
                    && self.shadow.borrow().is_some() =>
            {
                let key = args.first().and_then(|k| k.to_js_string());
                match (name, key) {
                    ("setItem", Some(k)) => {
                        let v = args.get(1).cloned().unwrap_or(Value::Undefined);
                        let v = match v.to_js_string() {
                            Some(t) => Value::str(t),
                            None => Value::Unknown,
                        };
                        self.storage.borrow_mut().insert((area.to_string(), k), v);
                        Value::Undefined
                    }
                    ("getItem", Some(k)) => self
                        .storage
                        .borrow()
                        .get(&(area.to_string(), k))
                        .cloned()
                        .unwrap_or(Value::Unknown),
                    ("removeItem", Some(k)) => {
                        self.storage.borrow_mut().remove(&(area.to_string(), k));
                        Value::Undefined
                    }
                    _ => Value::Unknown,
                }
            }
            Value::Host("window") => match self.lookup_host_global(name) {
                Some(f) => self.call_value(f, args),
                None => Value::Unknown,
            },
            Value::Host("Math") => {
                let n: Vec<f64> = args.iter().filter_map(Value::to_number).collect();
                let a = n.first().copied();
                match (name, a) {
                    ("floor", Some(a)) => Value::Num(a.floor()),
                    ("ceil", Some(a)) => Value::Num(a.ceil()),
                    ("round", Some(a)) => Value::Num((a + 0.5).floor()),
                    ("abs", Some(a)) => Value::Num(a.abs()),
                    ("pow", Some(a)) => Value::Num(a.powf(n.get(1).copied().unwrap_or(f64::NAN))),
                    ("max", _) if n.len() == args.len() => {
                        Value::Num(n.iter().copied().fold(f64::NEG_INFINITY, f64::max))
                    }
                    ("min", _) if n.len() == args.len() => {
                        Value::Num(n.iter().copied().fold(f64::INFINITY, f64::min))
                    }
                    _ => Value::Unknown,
                }
            }
            // `JSON.parse('{"u":"https://…"}').u`: configuration shipped as JSON text.
            Value::Host("JSON") if name == "parse" => match args.first() {
                Some(Value::Str(t)) if t.len() <= 64 * 1024 => {
                    serde_json::from_str::<serde_json::Value>(t)
                        .map_or(Value::Unknown, |j| from_json(&j, 0))
                }
                _ => Value::Unknown,
            },
            // `f.bind(x)` is still f for what it reaches (its receiver is the collector's
            // business); `Reflect.apply(f, t, args)` calls f.
            f @ (Value::Api(_) | Value::Func(_) | Value::Either(_)) if name == "bind" => {
                self.bind_value(f)
            }
            Value::Api(p)
                if matches!(name, "call" | "apply")
                    && matches!(p.rsplit('.').next(), Some("bind" | "call" | "apply")) =>
            {
                self.call_through(&p, name, args).unwrap_or(Value::Unknown)
            }
            Value::Host("Object") if name == "getOwnPropertyDescriptor" => self.descriptor(&args),
            Value::Host("Object")
                if matches!(
                    name,
                    "create"
                        | "assign"
                        | "defineProperty"
                        | "defineProperties"
                        | "fromEntries"
                        | "entries"
                ) =>
            {
                self.object_static(name, &args).unwrap_or(Value::Unknown)
            }
            // `Object.values(o)`, `Object.keys(o)`: a known object's own properties, in order.
            Value::Host("Object") if matches!(name, "values" | "keys") => match args.first() {
                Some(Value::Object(o)) => {
                    let items = o
                        .borrow()
                        .iter()
                        .map(|(k, v)| {
                            if name == "keys" {
                                Value::Str(k.clone())
                            } else {
                                v.clone()
                            }
                        })
                        .collect();
                    Value::Array(Rc::new(RefCell::new(items)))
                }
                _ => Value::Unknown,
            },
            // `cfg.t()`: a method of the script's own object literal runs like its function
            // (without `this`, which stays unknown inside).
            // `el.getAttribute('data-cdn')` of an element of the page (see `page`).
            Value::Object(o) if self.element_method(&o, name, &args).is_some() => self
                .element_method(&o, name, &args)
                .unwrap_or(Value::Unknown),
            Value::Object(o) => {
                let m = o
                    .borrow()
                    .iter()
                    .find(|(k, _)| &**k == name)
                    .map(|(_, v)| v.clone());
                match m {
                    Some(f @ (Value::Func(_) | Value::Api(_))) => self.call_value(f, args),
                    _ => Value::Unknown,
                }
            }
            // `Promise.resolve(v)`: where it is awaited or its reaction runs, the value is v
            // (the evaluator does not model time, only what a promise carries).
            Value::Host("Promise") if name == "resolve" => {
                args.into_iter().next().unwrap_or(Value::Undefined)
            }
            // `Reflect.get(o, k)` reads `o[k]`.
            Value::Api(p) if &*p == "Reflect" && name == "get" => {
                let mut args = args.into_iter();
                let o = args.next().unwrap_or(Value::Unknown);
                let k = args.next().unwrap_or(Value::Unknown);
                self.member(o, &k)
            }
            Value::Api(p) if &*p == "Reflect" && name == "apply" => {
                let f = args.first().cloned().unwrap_or(Value::Unknown);
                let rest = match args.get(2) {
                    Some(Value::Array(a)) => a.borrow().clone(),
                    _ => Vec::new(),
                };
                self.call_value(f, rest)
            }
            Value::Url(h) if matches!(name, "toString" | "toJSON") => Value::Str(h),
            Value::Host(h) if name == "call" || name == "apply" => {
                let rest = if name == "call" {
                    args.into_iter().skip(1).collect::<Vec<_>>()
                } else {
                    match args.get(1) {
                        Some(Value::Array(a)) => a.borrow().clone(),
                        _ => Vec::new(),
                    }
                };
                self.call_global(h, &rest)
            }
            Value::Func(cl) => match name {
                "call" => self.call_closure(&cl, args.into_iter().skip(1).collect()),
                "apply" => match args.get(1) {
                    Some(Value::Array(a)) => {
                        let a = a.borrow().clone();
                        self.call_closure(&cl, a)
                    }
                    _ => self.call_closure(&cl, Vec::new()),
                },
                _ => Value::Unknown,
            },
            Value::Str(s) => self.string_method(&s, name, &args),
            Value::Prefix(s) => match name {
                // Case changes keep a prefix; anything else loses it.
                "toLowerCase" => Value::Prefix(s.to_lowercase().into()),
                "toUpperCase" => Value::Prefix(s.to_uppercase().into()),
                "concat" => Value::Prefix(s),
                _ => Value::Unknown,
            },
            Value::Num(n) => match name {
                "toString" => {
                    let radix = args
                        .first()
                        .and_then(Value::to_number)
                        .map_or(10, |r| r as u32);
                    num_to_radix(n, radix)
                        .map(Value::str)
                        .unwrap_or(Value::Unknown)
                }
                _ => Value::Unknown,
            },
            Value::Array(a) => self.array_method(&a, name, args),
            Value::Regex(p, f) if name == "test" => match args.first().and_then(Value::as_str) {
                Some(s) => match self.regex(&p, &f) {
                    Some(re) => Value::Bool(re.is_match(s)),
                    None => Value::Unknown,
                },
                None => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    pub(super) fn array_method(
        &self,
        a: &Rc<RefCell<Vec<Value<'a>>>>,
        name: &str,
        args: Vec<Value<'a>>,
    ) -> Value<'a> {
        match name {
            "join" => {
                let sep = match args.first() {
                    None | Some(Value::Undefined) => ",".to_string(),
                    Some(v) => match v.to_js_string() {
                        Some(s) => s,
                        None => return Value::Unknown,
                    },
                };
                let items = a.borrow();
                let mut out = String::new();
                // An element known only in part (`'lib-' + Date.now() + '.js'`, a label read
                // from the page) keeps the other elements' text, its unknown runs marked, as
                // `+` does: the host in `['https:', '', host, 'x.js'].join('/')` survives.
                let mut holed = false;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&sep);
                    }
                    match v {
                        Value::Undefined | Value::Null => {}
                        Value::Unknown | Value::Api(_) => {
                            holed = true;
                            out.push(HOLE);
                        }
                        Value::Prefix(p) => {
                            holed = true;
                            out.push_str(p);
                            out.push(HOLE);
                        }
                        Value::Holed(h) => {
                            holed = true;
                            out.push_str(h);
                        }
                        v => match v.to_js_string() {
                            Some(s) => out.push_str(&s),
                            None => return Value::Unknown,
                        },
                    }
                    if out.len() > MAX_STRING {
                        return Value::Unknown;
                    }
                }
                if !self.charge(out.len()) {
                    return Value::Unknown;
                }
                if holed {
                    return match out.find(HOLE) {
                        Some(0) if !out.chars().any(|c| c != HOLE) => Value::Unknown,
                        Some(i) if i + HOLE.len_utf8() == out.len() => {
                            Value::Prefix(out[..i].into())
                        }
                        _ => Value::Holed(out.into()),
                    };
                }
                Value::str(out)
            }
            "reverse" => {
                a.borrow_mut().reverse();
                self.decoded.set(true);
                Value::Array(a.clone())
            }
            "push" => {
                let mut v = a.borrow_mut();
                v.extend(args);
                Value::Num(v.len() as f64)
            }
            "unshift" => {
                let mut v = a.borrow_mut();
                for (i, x) in args.into_iter().enumerate() {
                    v.insert(i, x);
                }
                Value::Num(v.len() as f64)
            }
            "shift" => {
                let mut v = a.borrow_mut();
                if v.is_empty() {
                    Value::Undefined
                } else {
                    v.remove(0)
                }
            }
            "pop" => a.borrow_mut().pop().unwrap_or(Value::Undefined),
            "splice" => self.splice(a, args),
            "slice" => {
                let v = a.borrow();
                let len = v.len() as f64;
                let s = args.first().and_then(Value::to_number).unwrap_or(0.0);
                let e = args.get(1).and_then(Value::to_number).unwrap_or(len);
                let s = if s < 0.0 {
                    (len + s).max(0.0)
                } else {
                    s.min(len)
                } as usize;
                let e = if e < 0.0 {
                    (len + e).max(0.0)
                } else {
                    e.min(len)
                } as usize;
                let out = if s < e { v[s..e].to_vec() } else { Vec::new() };
                Value::Array(Rc::new(RefCell::new(out)))
            }
            "concat" => {
                let mut out = a.borrow().clone();
                for x in args {
                    match x {
                        Value::Array(b) => out.extend(b.borrow().iter().cloned()),
                        x => out.push(x),
                    }
                }
                Value::Array(Rc::new(RefCell::new(out)))
            }
            "map" => {
                let Some(Value::Func(cl)) = args.first() else {
                    return Value::Unknown;
                };
                let items = a.borrow().clone();
                let mut out = Vec::with_capacity(items.len());
                for (i, x) in items.into_iter().enumerate() {
                    out.push(self.call_closure(cl, vec![x, Value::Num(i as f64)]));
                    if self.fuel.get() == 0 {
                        return Value::Unknown;
                    }
                }
                self.decoded.set(true);
                Value::Array(Rc::new(RefCell::new(out)))
            }
            // `parts.reduce((acc, s, i) => acc + s + (vals[i] ?? ''), '')`: a tag function
            // or a decoder folding pieces together.
            "reduce" => {
                let Some(Value::Func(cl)) = args.first() else {
                    return Value::Unknown;
                };
                let items = a.borrow().clone();
                let mut it = items.into_iter().enumerate();
                let mut acc = match args.get(1) {
                    Some(init) => init.clone(),
                    None => match it.next() {
                        Some((_, x)) => x,
                        None => return Value::Unknown,
                    },
                };
                for (i, x) in it {
                    acc = self.call_closure(cl, vec![acc, x, Value::Num(i as f64)]);
                    if self.fuel.get() == 0 {
                        return Value::Unknown;
                    }
                }
                self.decoded.set(true);
                acc
            }
            "filter" => {
                let Some(Value::Func(cl)) = args.first() else {
                    return Value::Unknown;
                };
                let items = a.borrow().clone();
                let mut out = Vec::new();
                for (i, x) in items.into_iter().enumerate() {
                    match self
                        .call_closure(cl, vec![x.clone(), Value::Num(i as f64)])
                        .truthy()
                    {
                        Some(true) => out.push(x),
                        Some(false) => {}
                        None => return Value::Unknown,
                    }
                    if self.fuel.get() == 0 {
                        return Value::Unknown;
                    }
                }
                Value::Array(Rc::new(RefCell::new(out)))
            }
            "indexOf" => match args.first().and_then(Value::as_str) {
                Some(n) => Value::Num(
                    a.borrow()
                        .iter()
                        .position(|x| x.as_str() == Some(n))
                        .map_or(-1.0, |p| p as f64),
                ),
                None => Value::Unknown,
            },
            "toString" => Value::Array(a.clone())
                .to_js_string()
                .map(Value::str)
                .unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        }
    }

    /// `a.splice(start, count, ...items)`: removes and inserts in place, returns the removed.
    fn splice(&self, a: &Rc<RefCell<Vec<Value<'a>>>>, args: Vec<Value<'a>>) -> Value<'a> {
        let mut v = a.borrow_mut();
        let len = v.len() as f64;
        let Some(start) = args.first().and_then(Value::to_number) else {
            return Value::Unknown;
        };
        let start = if start < 0.0 {
            (len + start).max(0.0)
        } else {
            start.min(len)
        } as usize;
        let count = match args.get(1) {
            None => v.len() - start,
            Some(c) => match c.to_number() {
                Some(c) if c.is_nan() => 0,
                Some(c) => c.clamp(0.0, (v.len() - start) as f64) as usize,
                None => return Value::Unknown,
            },
        };
        let removed: Vec<Value<'a>> = v
            .splice(start..start + count, args.into_iter().skip(2))
            .collect();
        Value::Array(Rc::new(RefCell::new(removed)))
    }
}

/// A parsed JSON value as an evaluator value (nesting bounded like the parser's input).
pub(super) fn from_json<'a>(j: &serde_json::Value, depth: u32) -> Value<'a> {
    if depth > 32 {
        return Value::Unknown;
    }
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or(Value::Unknown, Value::Num),
        serde_json::Value::String(s) => Value::str(s.as_str()),
        serde_json::Value::Array(a) => Value::Array(std::rc::Rc::new(std::cell::RefCell::new(
            a.iter().map(|x| from_json(x, depth + 1)).collect(),
        ))),
        serde_json::Value::Object(o) => Value::Object(std::rc::Rc::new(std::cell::RefCell::new(
            o.iter()
                .map(|(k, v)| (std::rc::Rc::from(k.as_str()), from_json(v, depth + 1)))
                .collect(),
        ))),
    }
}
