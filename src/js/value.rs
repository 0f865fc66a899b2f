//! Values of the constant evaluator: what an expression is known to be without running the
//! page. `Prefix` keeps the known start of a string whose end is computed at run time
//! (`"https://evil.example/c?d=" + data`), which is enough to name a destination host;
//! `Holed` keeps every known piece with the unknown runs marked (`x + ".collector.example"`:
//! the registrable suffix of the host is known even if its first label is not). Functions are
//! values too: a Web API reached through an alias, `bind` or an object map is the `Host` of
//! its canonical name, so the collector sees `window['fe'+'tch']` as `fetch`.

use super::flow::FxBuild;
use oxc_ast::ast::{Expression, FormalParameters, FunctionBody};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Largest string the evaluator builds; anything bigger is `Unknown` (keeps memory linear).
pub const MAX_STRING: usize = 4 << 20;

/// Marks an unknown run inside a [`Value::Holed`] string (a character no URL contains).
pub const HOLE: char = '\u{FFFC}';

/// A plain object's own properties, in insertion order, shared like a JavaScript object.
pub type ObjectRef<'a> = Rc<RefCell<Vec<(Rc<str>, Value<'a>)>>>;

#[derive(Clone, Debug)]
pub enum Value<'a> {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(Rc<str>),
    /// A string whose first characters are known and the rest is not.
    Prefix(Rc<str>),
    /// A string with known pieces and unknown runs, each run marked by [`HOLE`].
    Holed(Rc<str>),
    /// A `URL` object (`new URL(path, base)`), by its `href`.
    Url(Rc<str>),
    /// A browser object or function by its path (`fetch`, `navigator.sendBeacon`,
    /// `XMLHttpRequest.prototype.open`): what the page would call, however it was reached.
    Api(Rc<str>),
    Array(Rc<RefCell<Vec<Value<'a>>>>),
    Object(ObjectRef<'a>),
    Func(Rc<Closure<'a>>),
    Regex(Rc<str>, Rc<str>),
    /// A host object the evaluator knows by name (`window`, `String`, `Math`…).
    Host(&'static str),
    /// A function that is one of several, chosen at run time (`a ? f : g`, `f || g`): each
    /// alternative is a function value ([`Value::is_function`]).
    Either(Rc<Vec<Value<'a>>>),
    Unknown,
}

/// A function value: its parameters and body in the AST, and the frame it closes over.
#[derive(Debug)]
pub struct Closure<'a> {
    pub params: &'a FormalParameters<'a>,
    pub body: FnBody<'a>,
    pub env: Option<Scope<'a>>,
}

/// A function's body: statements, or the expression of a concise arrow (`x => x + 1`).
#[derive(Clone, Copy, Debug)]
pub enum FnBody<'a> {
    Block(&'a FunctionBody<'a>),
    Expr(&'a Expression<'a>),
}

pub type Scope<'a> = Rc<Frame<'a>>;

/// Maps and sets keyed by a name in the script. Names are short and looked up at nearly every
/// node the evaluator and the constants pass touch; SipHash's DoS resistance buys nothing
/// for names out of the script being analysed (a map's size is bounded by the script), and
/// hashing was a visible share of the profile.
pub type NameMap<'a, V> = HashMap<&'a str, V, FxBuild>;
pub type NameSet<'a> = HashSet<&'a str, FxBuild>;

/// One activation's variables; lookups walk up to the parent, then to the globals.
#[derive(Debug, Default)]
pub struct Frame<'a> {
    pub vars: RefCell<NameMap<'a, Value<'a>>>,
    pub parent: Option<Scope<'a>>,
}

impl<'a> Value<'a> {
    pub fn str(s: impl Into<Rc<str>>) -> Value<'a> {
        Value::Str(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The known text: the whole string, or its known prefix.
    pub fn known_text(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Prefix(s) | Value::Url(s) => Some(s),
            Value::Holed(s) => match s.split(HOLE).next() {
                Some(p) if !p.is_empty() => Some(p),
                _ => None,
            },
            _ => None,
        }
    }

    /// The text naming something (a field, a selector): the whole string, or — for a string
    /// with unknown runs — its known pieces with each run as `*` (`'wc-' + gateway +
    /// '-csc'` → `wc-*-csc`), or its known prefix. A field's name is judged by its words,
    /// and those are in the code even when the gateway's id between them is not.
    pub fn name_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::Holed(s) => Some(s.replace(HOLE, "*").into()),
            v => v.known_text().map(Into::into),
        }
    }

    /// The known pieces with the unknown runs marked, for strings that are partly known.
    pub fn pattern(&self) -> Option<&str> {
        match self {
            Value::Holed(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// JavaScript `ToString` for the values whose string form is certain.
    pub fn to_js_string(&self) -> Option<String> {
        Some(match self {
            Value::Str(s) => s.to_string(),
            Value::Num(n) => num_to_string(*n),
            Value::Bool(b) => b.to_string(),
            Value::Undefined => "undefined".into(),
            Value::Null => "null".into(),
            Value::Array(a) => {
                let a = a.borrow();
                let mut out = String::new();
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    match v {
                        Value::Undefined | Value::Null => {}
                        v => out.push_str(&v.to_js_string()?),
                    }
                    if out.len() > MAX_STRING {
                        return None;
                    }
                }
                out
            }
            Value::Regex(p, f) => format!("/{p}/{f}"),
            Value::Url(h) => h.to_string(),
            _ => return None,
        })
    }

    /// JavaScript `ToNumber` where it is certain.
    pub fn to_number(&self) -> Option<f64> {
        Some(match self {
            Value::Num(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Null => 0.0,
            Value::Undefined => f64::NAN,
            Value::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    0.0
                } else if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    u64::from_str_radix(h, 16)
                        .map(|v| v as f64)
                        .unwrap_or(f64::NAN)
                } else {
                    t.parse::<f64>().unwrap_or(f64::NAN)
                }
            }
            _ => return None,
        })
    }

    /// JavaScript truthiness where it is certain.
    pub fn truthy(&self) -> Option<bool> {
        Some(match self {
            Value::Undefined | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
            Value::Prefix(s) if !s.is_empty() => true,
            Value::Prefix(_) => return None,
            Value::Holed(s) => {
                if s.chars().any(|c| c != HOLE) {
                    true
                } else {
                    return None;
                }
            }
            Value::Url(_) => true,
            // A browser global may be missing (`if (window.fetch)`), a property may be empty.
            Value::Api(_) => return None,
            Value::Array(_)
            | Value::Object(_)
            | Value::Func(_)
            | Value::Regex(..)
            | Value::Host(_) => true,
            Value::Either(_) | Value::Unknown => return None,
        })
    }

    /// Whether the value is a function: the script's own, a browser function, or a choice of
    /// functions.
    pub fn is_function(&self) -> bool {
        matches!(self, Value::Func(_) | Value::Api(_) | Value::Either(_))
    }

    /// The browser function this value calls: the `Api` itself, or the first browser function
    /// among the alternatives of an `Either` (the script's own alternatives are walked as
    /// functions of their own).
    pub fn api_path(&self) -> Option<Rc<str>> {
        match self {
            Value::Api(p) => Some(p.clone()),
            Value::Either(alts) => alts.iter().find_map(Value::api_path),
            _ => None,
        }
    }
}

/// Number formatting as JavaScript prints it for the common cases (integers, simple decimals).
pub fn num_to_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if n == n.trunc() && n.abs() < 1e21 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `Number.prototype.toString(radix)` for integers.
pub fn num_to_radix(n: f64, radix: u32) -> Option<String> {
    if !(2..=36).contains(&radix) || n != n.trunc() || n.abs() > 9.0e15 {
        return None;
    }
    let neg = n < 0.0;
    let mut v = n.abs() as u64;
    if v == 0 {
        return Some("0".into());
    }
    let mut digits = Vec::new();
    while v > 0 {
        let d = (v % u64::from(radix)) as u32;
        digits.push(char::from_digit(d, radix)?);
        v /= u64::from(radix);
    }
    if neg {
        digits.push('-');
    }
    Some(digits.into_iter().rev().collect())
}

/// JavaScript `parseInt`.
pub fn parse_int(s: &str, radix: Option<u32>) -> f64 {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, t) = match radix {
        Some(16) | None if t.starts_with("0x") || t.starts_with("0X") => (16, &t[2..]),
        None | Some(0) => (10, t),
        Some(r) => (r, t),
    };
    if !(2..=36).contains(&radix) {
        return f64::NAN;
    }
    let mut v: f64 = 0.0;
    let mut any = false;
    for c in t.chars() {
        match c.to_digit(radix) {
            Some(d) => {
                v = v * f64::from(radix) + f64::from(d);
                any = true;
            }
            None => break,
        }
    }
    if !any {
        return f64::NAN;
    }
    if neg { -v } else { v }
}

/// JavaScript `ToInt32`.
pub fn to_i32(n: f64) -> i32 {
    if !n.is_finite() {
        return 0;
    }
    (n.trunc() as i64 & 0xffff_ffff) as u32 as i32
}

/// `a + b` when either side is only partly known: the known pieces are kept with the unknown
/// runs marked, so a host's known suffix survives an unknown first label. None when both
/// sides are fully known or the result is no better than a prefix (the caller handles those).
pub fn holed_concat<'a>(l: &Value<'a>, r: &Value<'a>) -> Option<Value<'a>> {
    fn piece(v: &Value<'_>) -> Option<String> {
        Some(match v {
            Value::Holed(s) => s.to_string(),
            Value::Prefix(s) => format!("{s}{HOLE}"),
            Value::Unknown | Value::Api(_) => HOLE.to_string(),
            v => v.to_js_string()?,
        })
    }
    let partial = |v: &Value<'_>| matches!(v, Value::Holed(_) | Value::Unknown | Value::Api(_));
    let useful = match (l, r) {
        // A known start with an unknown rest is a plain prefix (handled by the caller).
        (Value::Str(_), Value::Unknown | Value::Api(_)) => false,
        (Value::Prefix(_), Value::Unknown | Value::Api(_)) => false,
        (Value::Prefix(_), _) => true,
        (l, r) => partial(l) || partial(r),
    };
    if !useful {
        return None;
    }
    let mut out = piece(l)?;
    let rs = piece(r)?;
    if out.ends_with(HOLE) && rs.starts_with(HOLE) {
        out.pop();
    }
    out.push_str(&rs);
    if out.len() > MAX_STRING || !out.chars().any(|c| c != HOLE) {
        return Some(Value::Unknown);
    }
    Some(Value::Holed(out.into()))
}
