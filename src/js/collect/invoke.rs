//! Functions the browser calls for the script: a timer's callback (`setTimeout(f, ms, …args)`
//! calls `f(…args)`), a microtask or frame callback, a promise's reaction (`p.then(f)` calls
//! `f` with what `p` resolves to). When such a callback is a sending function — an alias, a
//! bound copy with its arguments bound up front, a choice of functions — the call happens
//! there, with the bound arguments first.

use super::Collector;
use oxc_ast::ast::*;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    /// The browser calls `f` with `args` at `span`: record what that call sends.
    pub(super) fn invoke_value(
        &mut self,
        f: &'a Expression<'a>,
        args: Vec<&'a Expression<'a>>,
        span: Span,
    ) {
        if matches!(
            f.without_parentheses(),
            Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
        ) {
            return;
        }
        let f = self.fn_source(f).unwrap_or(f);
        let Some(path) = self.interp.peek(f).api_path() else {
            return;
        };
        let path = path.strip_prefix("window.").unwrap_or(&path);
        let (recv, name) = match path.rsplit_once('.') {
            Some((r, n)) => (Some(r), n),
            None => (None, path),
        };
        let Some(entry) = self.k.apis.find(name, recv, false).cloned() else {
            return;
        };
        let mut all = self.bound_args(f);
        all.extend(args);
        self.api_call(&entry, &all, span, None);
    }

    /// `setTimeout(f, ms, …args)` with `f` the script's own function (by name, or written
    /// there): its parameters take `args`.
    pub(super) fn timer_args(&mut self, f: &'a Expression<'a>, args: &[&'a Expression<'a>]) {
        match f.without_parentheses() {
            Expression::FunctionExpression(x) => self.timer_params(x.span.start, args),
            Expression::ArrowFunctionExpression(x) => self.timer_params(x.span.start, args),
            Expression::Identifier(id) => {
                if let Some(s) = self.lookup(id.name.as_str())
                    && (self.own_fn_syms.contains(&s)
                        || self.facts.graph.fn_params.contains_key(&s))
                {
                    self.call_own(s, args, super::instances::Instance::None);
                }
            }
            _ => {}
        }
    }

    fn timer_params(&mut self, start: u32, args: &[&'a Expression<'a>]) {
        let mut d = crate::js::flow::Deps::default();
        for a in args {
            self.deps_into(a, &mut d, 0);
        }
        if !d.is_empty() {
            self.pending_params.entry(start).or_default().merge(d);
        }
    }

    /// What a promise expression resolves to, where the syntax says (`Promise.resolve(v)`,
    /// through constant bindings); otherwise the promise itself, whose data is what it
    /// carries.
    pub(super) fn resolved_expr(&self, p: &'a Expression<'a>) -> &'a Expression<'a> {
        let mut cur = p;
        for _ in 0..8 {
            match cur.without_parentheses() {
                Expression::Identifier(id) => match self.interp.decl_init(id.name.as_str()) {
                    // `var gate = null; … gate = lookup();`: the name, whose value is what
                    // is assigned later.
                    Some(Expression::NullLiteral(_)) | None => return cur,
                    Some(Expression::Identifier(u)) if u.name == "undefined" => return cur,
                    Some(init) => cur = init,
                },
                Expression::CallExpression(c)
                    if matches!(c.callee.without_parentheses(),
                        Expression::StaticMemberExpression(m)
                            if m.property.name == "resolve"
                                && matches!(m.object.without_parentheses(),
                                    Expression::Identifier(o) if o.name == "Promise")) =>
                {
                    return c
                        .arguments
                        .first()
                        .and_then(|a| a.as_expression())
                        .unwrap_or(cur);
                }
                _ => return cur,
            }
        }
        cur
    }
}
