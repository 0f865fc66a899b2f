//! Calls the analysis cannot see into. A sending function reached through a value the
//! evaluator does not follow (a `WeakMap`, a generator, a class's private field, a list's
//! `at(0)`, a function built by `new Function('u', 'd', …)`) makes a call whose callee is
//! unknown. When such a call is handed both data and an absolute URL, the URL is where the
//! data is going as far as anyone reading the code can tell: skimmers hide the sender, not
//! the destination they pass to it. The call is recorded as a sink of its own channel
//! ([`Channel::OpaqueCall`]) so that card data flowing into it is reported with its host;
//! it is never an "outside sink" for the weaker co-occurrence rule (an unknown call with a
//! URL proves nothing about sending by itself).
//!
//! Which calls are unknown: not a browser API the catalogue or the evaluator knows (those
//! are sinks already, or known not to send), not one of the script's own functions (its
//! body is walked, and a sender inside it is followed through its parameters), not a
//! built-in method of strings, arrays, objects, promises or the DOM (`inert_methods` and
//! `inert_globals` in `rules/data/web-api.toml`).

use super::Collector;
use super::callsite::CallSite;
use crate::js::facts::{Sink, UrlText};
use crate::js::flow::{Deps, Sym};
use crate::js::value::Value;
use crate::rules::schema::Channel;
use oxc_ast::ast::*;

/// A call to an unknown function given data and an absolute URL, kept until the walk is over
/// (the callee may turn out to be one of the script's own functions, declared further on).
pub(super) struct OpaqueCall {
    callee: Option<Sym>,
    /// The callee is this parameter of this function (by symbol and position).
    param: Option<(Sym, usize)>,
    method: Option<String>,
    sink: Sink,
}

impl<'a> Collector<'a, '_, '_> {
    /// Called for every call after its resolved meaning was recorded; `recorded` says whether
    /// the call already made a sink or a load.
    pub(super) fn note_opaque_call(
        &mut self,
        c: &'a CallExpression<'a>,
        site: &CallSite<'a>,
        recorded: bool,
    ) {
        if recorded || self.opaque_calls.len() >= 256 || site.args.is_empty() {
            return;
        }
        // `f.call(t, …)`, `f.apply(t, list)`, `Reflect.apply(f, t, list)` the site could not
        // resolve call `f` with the rest: judge `f`, and look at the arguments it gets.
        let all = super::callsite::arg_exprs(&c.arguments);
        let (f, args): (&'a Expression<'a>, Vec<&'a Expression<'a>>) =
            match c.callee.without_parentheses() {
                Expression::StaticMemberExpression(m)
                    if m.property.name == "apply"
                        && matches!(m.object.without_parentheses(),
                            Expression::Identifier(r) if r.name == "Reflect") =>
                {
                    let Some(f) = all.first().copied() else {
                        return;
                    };
                    (f, self.list_of(all.get(2).copied()))
                }
                Expression::StaticMemberExpression(m) if m.property.name == "apply" => {
                    (&m.object, self.list_of(all.get(1).copied()))
                }
                Expression::StaticMemberExpression(m) if m.property.name == "call" => {
                    (&m.object, all.iter().skip(1).copied().collect())
                }
                _ => (&c.callee, site.args.clone()),
            };
        // The language's own namespaces (`Array.isArray(v)`,
        // `Object.prototype.hasOwnProperty.call(o, k)`, `Math.max(…)`) never send.
        if builtin_namespace_member(f) {
            return;
        }
        let (callee, method) = match f.without_parentheses() {
            Expression::Identifier(id) => {
                let n = id.name.as_str();
                if self.k.apis.is_inert_global(n) || super::untainted(n) {
                    return;
                }
                (self.lookup(n), None)
            }
            e => match e
                .as_member_expression()
                .and_then(|m| m.static_property_name())
            {
                Some(m) if self.k.apis.is_inert_method(m) => return,
                Some("bind") => (None, None),
                Some(m) => (None, Some(m.to_string())),
                None => (None, None),
            },
        };
        // A function the evaluator knows (the script's own, or a browser API) is not opaque:
        // its body is walked, or the catalogue said what it does.
        if matches!(
            self.interp.peek(f),
            Value::Func(_) | Value::Api(_) | Value::Host(_)
        ) {
            return;
        }
        let mut deps = Deps::default();
        for x in &args {
            if !matches!(
                x.without_parentheses(),
                Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
            ) {
                self.deps_into(x, &mut deps, 0);
            }
        }
        if deps.is_empty() {
            return;
        }
        // Handed on to code the walk cannot follow, with or without a URL.
        tracing::trace!(target: "skimscan::js::facts", "handed to an unknown function: {}", self.evidence(c.span));
        let escape = self.facts.graph.escape();
        self.facts.graph.edge(escape, deps.clone());
        let Some(url) = args.iter().find_map(|x| self.absolute_url_arg(x)) else {
            return;
        };
        let evidence = self.evidence(c.span);
        let sink = Sink {
            channel: Channel::OpaqueCall,
            at: self.at(c.span),
            url,
            deps,
            handle: None,
            evidence,
            gated: self.gated(),
        };
        let param = callee.and_then(|s| self.param_index.get(&s).copied());
        self.opaque_calls.push(OpaqueCall {
            callee,
            param,
            method,
            sink,
        });
    }

    /// The elements of an argument list (`apply`'s array), as far as they are spelled out.
    fn list_of(&self, e: Option<&'a Expression<'a>>) -> Vec<&'a Expression<'a>> {
        let mut out = (Vec::new(), None);
        self.list_exprs(e, &mut out, 0);
        out.0
    }

    /// An argument that is an absolute URL (or an object literal whose `url` is one).
    fn absolute_url_arg(&mut self, x: &'a Expression<'a>) -> Option<UrlText> {
        let url = match x.without_parentheses() {
            Expression::ObjectExpression(o) => self.object_url(o),
            Expression::StringLiteral(_)
            | Expression::TemplateLiteral(_)
            | Expression::BinaryExpression(_)
            | Expression::Identifier(_)
            | Expression::StaticMemberExpression(_)
            | Expression::ComputedMemberExpression(_)
            | Expression::PrivateFieldExpression(_)
            | Expression::CallExpression(_) => self.url_text(x),
            _ => return None,
        };
        let t = url.text.as_deref()?;
        let rest = ["https://", "http://", "wss://", "ws://", "//"]
            .iter()
            .find_map(|p| {
                t.get(..p.len())
                    .filter(|h| h.eq_ignore_ascii_case(p))
                    .map(|_| &t[p.len()..])
            })?;
        // A host must follow (`https://` + unknown is no destination).
        rest.chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_alphanumeric())
            .then_some(url)
    }

    /// At the end of the walk: the calls whose callee is none of the script's functions become
    /// sinks.
    pub(super) fn join_opaque_calls(&mut self) {
        for o in std::mem::take(&mut self.opaque_calls) {
            if o.callee
                .is_some_and(|s| self.fn_param_names.contains_key(&s))
                || o.method
                    .as_deref()
                    .is_some_and(|m| self.methods.contains(m))
            {
                continue;
            }
            // A parameter the script passes functions to holds those functions: what they do
            // is known (their bodies were walked, a browser sender made its own sink).
            if let Some((f, i)) = o.param
                && self.passes_known_function(f, i)
            {
                continue;
            }
            self.facts.sinks.push(o.sink);
        }
    }

    fn passes_known_function(&self, f: Sym, i: usize) -> bool {
        self.own_calls
            .iter()
            .filter(|c| c.f == f)
            .filter_map(|c| c.args.get(i))
            .any(|a| {
                matches!(
                    a.without_parentheses(),
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                ) || matches!(
                    self.interp.peek(a),
                    Value::Func(_) | Value::Api(_) | Value::Host(_)
                )
            })
    }

    /// Where a call's sink and load counts stand (to tell whether it recorded any).
    pub(super) fn recorded_mark(&self) -> usize {
        self.facts.sinks.len() + self.facts.loads.len()
    }
}

/// The built-in objects of the language whose methods compute and never send.
const BUILTIN_NAMESPACES: &[&str] = &[
    "Array",
    "Object",
    "Math",
    "Number",
    "JSON",
    "Date",
    "Promise",
    "String",
    "Symbol",
    "Boolean",
    "RegExp",
    "Intl",
    "Atomics",
    "BigInt",
    "ArrayBuffer",
    "Uint8Array",
    "console",
];

/// `Array.isArray`, `Object.keys`, `Object.prototype.hasOwnProperty`: a method of a built-in
/// namespace or of its prototype.
fn builtin_namespace_member(f: &Expression<'_>) -> bool {
    let Some(m) = f.without_parentheses().as_member_expression() else {
        return false;
    };
    let mut o = m.object().without_parentheses();
    if let Some(p) = o.as_member_expression()
        && p.static_property_name() == Some("prototype")
    {
        o = p.object().without_parentheses();
    }
    matches!(o, Expression::Identifier(id) if BUILTIN_NAMESPACES.contains(&id.name.as_str()))
}
