//! Call sites as the browser resolves them. Functions are values: `const f =
//! window['fe' + 'tch']; f(u)`, `navigator.sendBeacon.bind(navigator)` kept in a map and
//! picked by a computed key, `Reflect.apply(fetch, window, [u, o])`,
//! `xhr.open.call(xhr, 'POST', u)` and `Function.prototype.call.call(xhr.open, xhr, …)` all
//! call the same browser function with the same receiver and arguments. The collector
//! recognises sources and sinks on the resolved call, never on the spelling.

use super::Collector;
use crate::js::flow::Sym;
use crate::js::value::Value;
use oxc_ast::ast::*;

/// One call, resolved: the function's name, its receiver and its arguments.
pub(super) struct CallSite<'a> {
    pub name: Option<String>,
    /// The receiver expression (`xhr` in `xhr.open(…)`, the `this` of `f.call(t, …)`).
    pub obj: Option<&'a Expression<'a>>,
    /// The receiver's path when it is known from the function value rather than the syntax
    /// (`navigator` for an alias of `navigator.sendBeacon`).
    pub value_path: Option<String>,
    pub args: Vec<&'a Expression<'a>>,
    /// The call reached its function through a value (alias, bind, call/apply, a map).
    pub via_value: bool,
    /// From this position on, the arguments are the elements of `args[i]`, a list the walk
    /// could not spell out (`f.apply(t, a)`, `f(...a)` with `a` a parameter).
    pub spread: Option<usize>,
}

impl<'a> CallSite<'a> {
    /// Whether the function was called as a method (on an object) rather than as a global.
    pub fn is_method(&self) -> bool {
        self.obj.is_some() || self.value_path.is_some()
    }
}

pub(super) fn arg_exprs<'a>(args: &'a [Argument<'a>]) -> Vec<&'a Expression<'a>> {
    args.iter()
        .map(|a| match a {
            Argument::SpreadElement(s) => &s.argument,
            other => other.to_expression(),
        })
        .collect()
}

/// An argument list spelled out: its expressions, and where an unexpanded list starts.
pub(super) type ArgList<'a> = (Vec<&'a Expression<'a>>, Option<usize>);

impl<'a> Collector<'a, '_, '_> {
    /// The elements of a list of arguments (`apply`'s array, a spread): an array literal's, or
    /// those of a constant binding of one (`const args = [u, {body: d}]; fetch(...args)`); any
    /// other list stays one expression, marked as where the unexpanded list starts.
    pub(super) fn list_exprs(
        &self,
        e: Option<&'a Expression<'a>>,
        out: &mut ArgList<'a>,
        depth: u32,
    ) {
        let Some(e) = e.map(|e| e.without_parentheses()) else {
            return;
        };
        let lit = match e {
            Expression::ArrayExpression(a) => Some(a),
            Expression::Identifier(id) if depth < 4 => match self
                .interp
                .decl_init(id.name.as_str())
                .map(|x| x.without_parentheses())
            {
                Some(Expression::ArrayExpression(a)) => Some(a),
                _ => None,
            },
            _ => None,
        };
        match lit {
            Some(a) if out.1.is_none() => {
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            self.list_exprs(Some(&s.argument), out, depth + 1)
                        }
                        other => {
                            if let Some(x) = other.as_expression() {
                                out.0.push(x);
                            }
                        }
                    }
                }
            }
            _ => {
                out.1.get_or_insert(out.0.len());
                out.0.push(e);
            }
        }
    }

    /// A call's arguments with spreads spelled out where their lists are known.
    fn call_args(&self, args: &'a [Argument<'a>]) -> ArgList<'a> {
        let mut out: ArgList<'a> = (Vec::with_capacity(args.len()), None);
        for a in args {
            match a {
                Argument::SpreadElement(s) => self.list_exprs(Some(&s.argument), &mut out, 0),
                other => out.0.push(other.to_expression()),
            }
        }
        out
    }

    /// The arguments a function value was bound with (`f.bind(t, u, d)`,
    /// `Function.prototype.bind.call(f, t, u)`, through constant bindings), outermost last:
    /// they come before the arguments of the call.
    pub(super) fn bound_args(&self, f: &'a Expression<'a>) -> Vec<&'a Expression<'a>> {
        let mut out = Vec::new();
        self.bound_into(f, &mut out, 0);
        out
    }

    fn bound_into(&self, f: &'a Expression<'a>, out: &mut Vec<&'a Expression<'a>>, depth: u32) {
        if depth > 8 {
            return;
        }
        match f.without_parentheses() {
            Expression::Identifier(id) => {
                if let Some(init) = self.interp.decl_init(id.name.as_str()) {
                    self.bound_into(init, out, depth + 1);
                }
            }
            Expression::CallExpression(c) => {
                let Expression::StaticMemberExpression(m) = c.callee.without_parentheses() else {
                    return;
                };
                let args = arg_exprs(&c.arguments);
                match m.property.name.as_str() {
                    // `g.bind(t, a…)`
                    "bind" => {
                        self.bound_into(&m.object, out, depth + 1);
                        out.extend(args.iter().skip(1));
                    }
                    // `X.bind.call(g, t, a…)`
                    "call"
                        if matches!(m.object.without_parentheses(),
                            Expression::StaticMemberExpression(b) if b.property.name == "bind") =>
                    {
                        if let Some(g) = args.first() {
                            self.bound_into(g, out, depth + 1);
                        }
                        out.extend(args.iter().skip(2));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// `f.call(t, a, b)` / `f.apply(t, [a, b])` with `f` the script's own function (by its
    /// name in scope): the function and the arguments it is called with.
    pub(super) fn own_call_through(
        &mut self,
        c: &'a CallExpression<'a>,
    ) -> Option<(Sym, Vec<&'a Expression<'a>>)> {
        let Expression::StaticMemberExpression(m) = c.callee.without_parentheses() else {
            return None;
        };
        let how = m.property.name.as_str();
        if !matches!(how, "call" | "apply") {
            return None;
        }
        let Expression::Identifier(id) = m.object.without_parentheses() else {
            return None;
        };
        let f = self.lookup(id.name.as_str())?;
        if !self.own_fn_syms.contains(&f) && !self.fn_param_names.contains_key(&f) {
            return None;
        }
        let args = arg_exprs(&c.arguments);
        let list = if how == "call" {
            args.into_iter().skip(1).collect()
        } else {
            let mut rest = (Vec::new(), None);
            self.list_exprs(args.get(1).copied(), &mut rest, 0);
            rest.0
        };
        Some((f, list))
    }

    /// Resolve a call expression to the function it runs.
    pub(super) fn resolve_call(&mut self, c: &'a CallExpression<'a>) -> CallSite<'a> {
        let (obj, name) = self.callee_name(&c.callee);
        let (args, spread) = self.call_args(&c.arguments);
        let plain = CallSite {
            name: name.clone(),
            obj,
            value_path: None,
            args: args.clone(),
            via_value: false,
            spread,
        };
        // `Array.prototype.forEach.call([u], fetch)`: the receiver's own `forEach`.
        if let Some((method, how)) = crate::js::interp::borrowed_method(&c.callee)
            && let Some(recv) = args.first().copied()
        {
            let (rest, spread) = if how == "call" {
                (args[1..].to_vec(), spread.and_then(|k| k.checked_sub(1)))
            } else {
                let mut rest = (Vec::new(), None);
                self.list_exprs(args.get(1).copied(), &mut rest, 0);
                rest
            };
            return CallSite {
                name: Some(method.to_string()),
                obj: Some(recv),
                value_path: None,
                args: rest,
                via_value: true,
                spread,
            };
        }
        match (name.as_deref(), obj) {
            // `Reflect.apply(f, this, [args])`
            (Some("apply"), Some(o)) if self.path_of(o).as_deref() == Some("Reflect") => {
                let f = args.first().copied();
                let this = args.get(1).copied();
                let mut rest = (Vec::new(), None);
                self.list_exprs(args.get(2).copied(), &mut rest, 0);
                if let Some(site) = f.and_then(|f| self.resolve_fn(f, this, rest)) {
                    return site;
                }
            }
            // `f.call(this, …)`, `f.apply(this, [..])`, `Function.prototype.call.call(f, this, …)`
            (Some(m @ ("call" | "apply")), Some(f)) => {
                let inner_is_call = matches!(
                    f.without_parentheses(),
                    Expression::StaticMemberExpression(s) if matches!(s.property.name.as_str(), "call" | "apply")
                ) || matches!(
                    self.interp.peek(f),
                    Value::Api(p) if p.ends_with(".call") || p.ends_with(".apply")
                );
                let shift = |n: usize| spread.and_then(|k| k.checked_sub(n));
                let inner_is_apply = matches!(
                    f.without_parentheses(),
                    Expression::StaticMemberExpression(s) if s.property.name == "apply"
                );
                let (f, this, rest) = if inner_is_call && inner_is_apply && m == "call" {
                    // `Function.prototype.apply.call(f, this, [a, b])`: the list is the arguments.
                    let mut rest = (Vec::new(), None);
                    self.list_exprs(args.get(2).copied(), &mut rest, 0);
                    (args.first().copied(), args.get(1).copied(), rest)
                } else if inner_is_call {
                    // `X.call.call(f, this, a, b)`: the first argument is the function.
                    (
                        args.first().copied(),
                        args.get(1).copied(),
                        (args.iter().skip(2).copied().collect(), shift(2)),
                    )
                } else if m == "call" {
                    (
                        Some(f),
                        args.first().copied(),
                        (args.iter().skip(1).copied().collect(), shift(1)),
                    )
                } else {
                    let mut rest = (Vec::new(), None);
                    self.list_exprs(args.get(1).copied(), &mut rest, 0);
                    (Some(f), args.first().copied(), rest)
                };
                if let Some(site) = f.and_then(|f| self.resolve_fn(f, this, rest)) {
                    return site;
                }
            }
            _ => {}
        }
        // A function reached through a value: an alias, a bound copy, a map entry, a function's
        // return value.
        // A function's variable or `this.x` holding one is resolved through the expression
        // the value comes from (see [`super::fn_values`]).
        let source = self.fn_source(&c.callee);
        let callee = source.unwrap_or(&c.callee);
        if (source.is_some() || self.callee_may_alias(&c.callee, name.as_deref()))
            && let Some(path) = self.interp.peek(callee).api_path()
        {
            let (recv, fname) = split_api(&path);
            let bound = self.bound_args(callee);
            if Some(fname) != name.as_deref()
                || obj.is_none() && recv.is_some()
                || !bound.is_empty()
            {
                let n = bound.len();
                let mut all = bound;
                all.extend(args);
                return CallSite {
                    name: Some(fname.to_string()),
                    obj: None,
                    value_path: recv.map(str::to_string),
                    args: all,
                    via_value: true,
                    spread: spread.map(|k| k + n),
                };
            }
        }
        plain
    }

    /// Whether a callee is worth evaluating to find the function it holds: not a plain name
    /// of a browser function (that is already its name) and not a method of a browser object
    /// spelled out.
    fn callee_may_alias(&self, callee: &'a Expression<'a>, name: Option<&str>) -> bool {
        match callee.without_parentheses() {
            // Aliases are the script's own constant bindings (the evaluator knows no others).
            Expression::Identifier(id) => {
                !crate::js::web_api::is_browser_global(id.name.as_str())
                    && !super::untainted(id.name.as_str())
                    && self.interp.is_global_binding(id.name.as_str())
            }
            Expression::StaticMemberExpression(m) => {
                // `o.send(…)` where o is the script's own object holding a browser function.
                matches!(m.object.without_parentheses(), Expression::Identifier(id) if self.interp.is_global_binding(id.name.as_str()))
                    && name.is_some_and(|n| !self.methods.contains(n))
            }
            // `o[k](…)` on the script's own binding, or an element of a literal list or map
            // picked right away (`[fetch][0](…)`, `({a: fetch}).a(…)` spelled with a key).
            Expression::ComputedMemberExpression(m) => {
                matches!(
                    m.object.without_parentheses(),
                    Expression::Identifier(id) if self.interp.is_global_binding(id.name.as_str())
                ) || matches!(
                    m.object.without_parentheses(),
                    Expression::ArrayExpression(_)
                        | Expression::ObjectExpression(_)
                        // `Object.values({…})[0](…)`: a list a call returns, indexed at once.
                        | Expression::CallExpression(_)
                )
            }
            Expression::CallExpression(_) => true,
            _ => false,
        }
    }

    /// The call of function expression `f` with receiver `this` and arguments `rest`, when `f`
    /// names a function (a member of an object, or a value of a browser function).
    fn resolve_fn(
        &mut self,
        f: &'a Expression<'a>,
        this: Option<&'a Expression<'a>>,
        rest: ArgList<'a>,
    ) -> Option<CallSite<'a>> {
        let bound = self.bound_args(f);
        let n = bound.len();
        let (rest, spread) = if n == 0 {
            rest
        } else {
            let mut all = bound;
            all.extend(rest.0);
            (all, rest.1.map(|k| k + n))
        };
        let this = this.filter(|t| {
            !matches!(
                t.without_parentheses(),
                Expression::NullLiteral(_)
            ) && !self.is_windowish(t)
                && !matches!(t.without_parentheses(), Expression::Identifier(id) if id.name == "undefined")
        });
        let (obj, name) = self.callee_name(f);
        if let Some(path) = self.interp.peek(f).api_path() {
            let (recv, fname) = split_api(&path);
            return Some(CallSite {
                name: Some(fname.to_string()),
                obj: this.or(obj),
                value_path: recv.map(str::to_string),
                args: rest,
                via_value: true,
                spread,
            });
        }
        let name = name?;
        // Only the browser's functions are worth re-routing; the script's own functions keep
        // their `call`/`apply` handling (their parameters are joined by name).
        if !SENDING_METHODS.contains(&name.as_str())
            && !crate::js::web_api::is_browser_global(&name)
        {
            return None;
        }
        Some(CallSite {
            name: Some(name),
            obj: this.or(obj),
            value_path: None,
            args: rest,
            via_value: true,
            spread,
        })
    }
}

/// Methods of browser objects that send, stage or load data when reached through
/// `call`/`apply` on their object.
const SENDING_METHODS: &[&str] = &[
    "open",
    "send",
    "sendBeacon",
    "postMessage",
    "setAttribute",
    "setItem",
    "write",
    "writeln",
    "assign",
    "replace",
    "ajax",
    "post",
    "getJSON",
    "dispatchEvent",
    "appendChild",
    "put",
    "add",
];

/// `navigator.sendBeacon` → (Some("navigator"), "sendBeacon"); `fetch` → (None, "fetch").
fn split_api(path: &str) -> (Option<&str>, &str) {
    let path = path.strip_prefix("window.").unwrap_or(path);
    match path.rsplit_once('.') {
        Some((r, n)) => (Some(r), n),
        None => (None, path),
    }
}
