//! What an expression names: member paths (`window.navigator.sendBeacon` →
//! `navigator.sendBeacon`), the window and its aliases, callee names, the symbol a value is
//! stored under (`this` fields, methods, storage), selectors and URL texts, with constants from
//! the evaluator.
use super::{Collector, untainted};
use crate::js::facts::UrlText;
use crate::js::flow::Sym;
use crate::js::value::Value;
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::BinaryOperator;

/// Evaluations in context per script (see `eval_in_context`).
pub(super) const MAX_CONTEXT_EVALS: u32 = 256;

impl<'a> Collector<'a, '_, '_> {
    /// The dotted path of a member chain (`window.navigator.sendBeacon` → `navigator.sendBeacon`),
    /// with computed keys resolved where constant.
    pub(super) fn path_of(&self, e: &'a Expression<'a>) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let mut cur = e.without_parentheses();
        for _ in 0..16 {
            match cur {
                Expression::Identifier(id) => {
                    // `var d = document; d.cookie`: an alias of a browser object is that object.
                    let name = id.name.as_str();
                    if self.is_jquery_param(name, id.span) {
                        parts.push("jQuery".into());
                        break;
                    }
                    if !crate::js::web_api::is_browser_global(name)
                        && !untainted(name)
                        && self.interp.is_global_binding(name)
                    {
                        match self.interp.peek(cur) {
                            Value::Api(p) => {
                                parts.push(p.to_string());
                                break;
                            }
                            Value::Host("window") => {
                                parts.push("window".into());
                                break;
                            }
                            _ => {}
                        }
                    }
                    parts.push(id.name.to_string());
                    break;
                }
                Expression::ThisExpression(_) => {
                    parts.push("this".into());
                    break;
                }
                Expression::StaticMemberExpression(m) => {
                    parts.push(m.property.name.to_string());
                    cur = m.object.without_parentheses();
                }
                Expression::ComputedMemberExpression(m) => {
                    let k = self.interp.peek(&m.expression);
                    parts.push(k.as_str()?.to_string());
                    cur = m.object.without_parentheses();
                }
                _ => return None,
            }
        }
        parts.reverse();
        while parts.len() > 1
            && matches!(
                parts[0].as_str(),
                "window" | "self" | "top" | "globalThis" | "parent" | "this"
            )
        {
            parts.remove(0);
        }
        Some(parts.join("."))
    }

    pub(super) fn is_windowish(&self, e: &'a Expression<'a>) -> bool {
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                matches!(
                    id.name.as_str(),
                    "window" | "self" | "top" | "globalThis" | "parent"
                ) || (!untainted(id.name.as_str())
                    && self.interp.is_global_binding(id.name.as_str())
                    && matches!(self.interp.peek(e), Value::Host("window")))
            }
            Expression::ThisExpression(_) => self.fn_stack.is_empty(),
            _ => false,
        }
    }

    /// The callee's receiver (None for a global function) and its name, resolved.
    pub(super) fn callee_name(
        &self,
        callee: &'a Expression<'a>,
    ) -> (Option<&'a Expression<'a>>, Option<String>) {
        let callee = match callee.without_parentheses() {
            Expression::SequenceExpression(s) => match s.expressions.last() {
                Some(l) => l.without_parentheses(),
                None => return (None, None),
            },
            c => c,
        };
        match callee {
            Expression::Identifier(id) => (None, Some(id.name.to_string())),
            Expression::StaticMemberExpression(m) => {
                let obj = if self.is_windowish(&m.object) {
                    None
                } else {
                    Some(&m.object)
                };
                (obj, Some(m.property.name.to_string()))
            }
            Expression::ComputedMemberExpression(m) => {
                let k = self.interp.peek(&m.expression);
                let obj = if self.is_windowish(&m.object) {
                    None
                } else {
                    Some(&m.object)
                };
                (obj, k.as_str().map(str::to_string))
            }
            _ => (None, None),
        }
    }

    /// The symbol an expression's value is stored under, for writes into objects.
    pub(super) fn base_sym(&mut self, e: &'a Expression<'a>) -> Option<Sym> {
        match e.without_parentheses() {
            Expression::ThisExpression(_) => self.this_sym(),
            Expression::Identifier(id) => self.lookup(id.name.as_str()),
            Expression::StaticMemberExpression(m) => {
                if self.is_windowish(&m.object) {
                    return self.lookup(m.property.name.as_str());
                }
                self.base_sym(&m.object)
            }
            Expression::ComputedMemberExpression(m) => {
                if self.is_windowish(&m.object)
                    && let Some(k) = self.interp.peek(&m.expression).as_str()
                {
                    let k = k.to_string();
                    return self.lookup(&k);
                }
                self.base_sym(&m.object)
            }
            _ => None,
        }
    }

    pub(super) fn is_storage(&self, e: &'a Expression<'a>) -> bool {
        // Cheap test first: this runs for every member expression of a bundle.
        let last = match e.without_parentheses() {
            Expression::Identifier(id) => id.name.as_str(),
            Expression::StaticMemberExpression(m) => m.property.name.as_str(),
            Expression::ComputedMemberExpression(_) => "?",
            _ => return false,
        };
        if last != "?" && last != "localStorage" && last != "sessionStorage" {
            return false;
        }
        matches!(
            self.path_of(e).as_deref(),
            Some("localStorage" | "sessionStorage")
        )
    }

    /// The symbol shared by every method of this name defined in the script's own object
    /// literals and classes (`{ post(d) { … } }`, `class C { grab() { … } }`): calls
    /// `x.post(v)` pass v to its parameters and `x.grab()` returns its data. Names are not
    /// tied to receivers (the analysis has no types), so only names the script defines count.
    pub(super) fn method_sym(&mut self, name: &str) -> Option<Sym> {
        if !self.methods.contains(name) {
            return None;
        }
        Some(self.facts.graph.global(&format!("$method.{name}")))
    }

    pub(super) fn bind_method(&mut self, key: &PropertyKey<'a>, value: &'a Expression<'a>) {
        if let Some(name) = key.static_name() {
            self.bind_method_name(&name, value);
        }
    }

    /// `name` is a method whose function is `value` (when `value` is a function literal).
    pub(super) fn bind_method_name(&mut self, name: &str, value: &'a Expression<'a>) {
        let start = match value.without_parentheses() {
            Expression::FunctionExpression(f) => f.span.start,
            Expression::ArrowFunctionExpression(f) => f.span.start,
            _ => return,
        };
        self.methods.insert(name.to_string());
        let s = self.facts.graph.global(&format!("$method.{name}"));
        self.pending_binding.insert(start, s);
    }

    /// `this` in a method of an object literal or class: one symbol per object or class, so
    /// `this.data.pan = v` in one method reaches `return this.data` in another.
    pub(super) fn this_sym(&self) -> Option<Sym> {
        self.this_index().map(|i| self.this_syms[i].0)
    }

    /// The innermost object or class whose methods the walk is in.
    pub(super) fn this_index(&self) -> Option<usize> {
        let depth = self.fn_stack.len();
        self.this_syms.iter().rposition(|&(_, d)| d < depth)
    }

    pub(super) fn storage_sym(&mut self) -> Sym {
        self.facts.graph.global("$storage")
    }

    // ---- dependencies -------------------------------------------------------------------

    // ---- constants --------------------------------------------------------------------

    /// What a selector argument can be: its constant text, or — for `table[i]` with a
    /// run-time index into a constant table (multi-gateway selector lists) — every string
    /// in the table.
    pub(super) fn selector_texts(&mut self, a: &'a Expression<'a>) -> Vec<String> {
        // `'[name=' + n + ']'`, `` `#${n}` `` with `n` an iteration callback's parameter:
        // one selector per constant the parameter takes.
        if !self.param_texts.is_empty()
            && matches!(
                a.without_parentheses(),
                Expression::BinaryExpression(_) | Expression::TemplateLiteral(_)
            )
            && let Some((s, texts)) = self.param_in(a)
        {
            return texts
                .iter()
                .filter_map(|t| self.text_with(a, s, t, 0))
                .collect();
        }
        let v = self.interp.peek(a);
        if let Some(s) = v.name_text() {
            return vec![s.into_owned()];
        }
        if let Expression::Identifier(id) = a.without_parentheses()
            && let Some(s) = self.lookup(id.name.as_str())
            && let Some(t) = self.param_texts.get(&s)
        {
            return t.clone();
        }
        if let Some(texts) = self.table_selector_texts(a) {
            return texts;
        }
        if let Expression::ComputedMemberExpression(m) = a.without_parentheses()
            && let Value::Array(items) = self.interp.peek(&m.object)
        {
            return items
                .borrow()
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .take(256)
                .collect();
        }
        Vec::new()
    }

    /// The first identifier in a concatenation that is a parameter with known texts.
    fn param_in(&mut self, e: &'a Expression<'a>) -> Option<(Sym, Vec<String>)> {
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str())?;
                Some((s, self.param_texts.get(&s)?.clone()))
            }
            Expression::BinaryExpression(b) => {
                self.param_in(&b.left).or_else(|| self.param_in(&b.right))
            }
            Expression::TemplateLiteral(t) => t.expressions.iter().find_map(|x| self.param_in(x)),
            _ => None,
        }
    }

    /// The text of a concatenation with the parameter `s` standing for `t` (None when another
    /// piece is not a constant).
    fn text_with(&mut self, e: &'a Expression<'a>, s: Sym, t: &str, depth: u32) -> Option<String> {
        if depth > 16 {
            return None;
        }
        match e.without_parentheses() {
            Expression::Identifier(id) if self.lookup(id.name.as_str()) == Some(s) => {
                Some(t.to_string())
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let l = self.text_with(&b.left, s, t, depth + 1)?;
                let r = self.text_with(&b.right, s, t, depth + 1)?;
                Some(l + &r)
            }
            Expression::TemplateLiteral(tl) => {
                let mut out = String::new();
                for (i, q) in tl.quasis.iter().enumerate() {
                    out.push_str(q.value.cooked.as_deref().unwrap_or(q.value.raw.as_str()));
                    if let Some(x) = tl.expressions.get(i) {
                        out.push_str(&self.text_with(x, s, t, depth + 1)?);
                    }
                }
                Some(out)
            }
            other => self.interp.peek(other).known_text().map(str::to_string),
        }
    }

    /// `e` evaluated with the variables of its enclosing functions as the statements before
    /// it left them; at most `MAX_CONTEXT_EVALS` times per script (each may run a listener's
    /// statements).
    pub(super) fn eval_in_context(&mut self, e: &'a Expression<'a>) -> Option<(Value<'a>, bool)> {
        if self.fn_stack.is_empty() || self.context_evals >= MAX_CONTEXT_EVALS {
            return None;
        }
        let chain: Vec<_> = self.fn_stack.iter().filter_map(|f| f.body).collect();
        if chain.is_empty() {
            return None;
        }
        self.context_evals += 1;
        Some(self.interp.eval_in_context(&chain, e.span().start, e))
    }

    /// `this.host` in a method of an object literal: that literal's `host` property.
    pub(super) fn this_property(&self, e: &'a Expression<'a>) -> Option<&'a Expression<'a>> {
        let Expression::StaticMemberExpression(m) = e.without_parentheses() else {
            return None;
        };
        if !matches!(
            m.object.without_parentheses(),
            Expression::ThisExpression(_)
        ) {
            return None;
        }
        let obj = (*self.this_objs.get(self.this_index()?)?)?;
        obj.properties.iter().find_map(|p| match p {
            ObjectPropertyKind::ObjectProperty(p)
                if !p.method && p.key.is_specific_static_name(m.property.name.as_str()) =>
            {
                match (&p.kind, &p.value) {
                    (PropertyKind::Init, v) => Some(v),
                    // `get url() { return … }`: what the getter returns.
                    (PropertyKind::Get, Expression::FunctionExpression(f)) => {
                        match f.body.as_ref()?.statements.as_slice() {
                            [Statement::ReturnStatement(r)] => r.argument.as_ref(),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        })
    }

    /// `this.url` in a class method, set once elsewhere in the class (`constructor() {
    /// this.url = … }`).
    pub(super) fn this_field(&self, e: &'a Expression<'a>) -> Option<&'a Expression<'a>> {
        // `this.#url` reads the private field `#url` (a class's `#url = …`).
        let (object, name) = match e.without_parentheses() {
            Expression::StaticMemberExpression(m) => (&m.object, m.property.name.to_string()),
            Expression::PrivateFieldExpression(m) => (&m.object, format!("#{}", m.field.name)),
            _ => return None,
        };
        if !matches!(object.without_parentheses(), Expression::ThisExpression(_)) {
            return None;
        }
        let this = self.this_sym()?;
        self.this_fields.get(&(this, name)).copied().flatten()
    }

    pub(super) fn url_text(&mut self, e: &'a Expression<'a>) -> UrlText {
        let e = self
            .this_property(e)
            .or_else(|| self.this_field(e))
            .unwrap_or(e);
        let (mut v, mut dec) = self.interp_eval(e);
        // `this.base + '?' + q` in a method of a known object: its fields are known.
        if !matches!(v, Value::Str(_) | Value::Url(_))
            && let Some((w, d)) = self.eval_with_this(e)
            && !matches!(w, Value::Unknown)
        {
            (v, dec) = (w, d);
        }
        // `var p = []; p.push('https://'); …; fetch(p.join(''))` in the enclosing functions:
        // their statements before this place, run (see `interp::local`).
        if !matches!(v, Value::Str(_) | Value::Url(_))
            && let Some((w, d)) = self.eval_in_context(e)
            && matches!(w, Value::Str(_) | Value::Url(_))
        {
            (v, dec) = (w, d);
        }
        // `P.endpoint + '/tokens'` with `var P = { endpoint: … }` in the enclosing function.
        if !matches!(v, Value::Str(_) | Value::Url(_))
            && let Some((w, d)) = self.eval_with_local_objects(e)
            && !matches!(w, Value::Unknown)
        {
            (v, dec) = (w, d);
        }
        let hidden = dec || self.hidden_ctx;
        // A partly known URL keeps its known pieces (a host's registrable suffix).
        let mut text = super::alternatives::url_of(&v, hidden).text;
        // A string built step by step in this body (`u = "https://"; u += host`).
        if !matches!(v, Value::Str(_) | Value::Url(_))
            && let Some(b) = self.built_text(e)
        {
            text = Some(b);
        }
        // An unknown run at the start that can only be a scheme (a variable that only ever
        // holds "https://" or "http://", the page's `location.protocol`): the known text
        // after it names the host whichever scheme runs.
        if let Some(t) = &text
            && let Some(rest) = t.strip_prefix(crate::js::value::HOLE)
            && let Some(scheme) = self.schemes.leading_scheme(e)
        {
            text = Some(format!("{scheme}{rest}"));
        }
        if hidden && let Some(t) = &text {
            self.facts.add_decoded(t);
        }
        let url = UrlText {
            complete: matches!(v, Value::Str(_) | Value::Url(_)),
            text,
            hidden,
        };
        self.note_url_alternatives(e, &url);
        url
    }

    /// Whether `name` at `at` is the jQuery a ready callback was handed.
    pub(super) fn is_jquery_param(&self, name: &str, at: Span) -> bool {
        self.jquery_params
            .iter()
            .any(|(n, f)| *n == name && f.start <= at.start && at.end <= f.end)
    }

    pub(super) fn interp_eval(&self, e: &'a Expression<'a>) -> (Value<'a>, bool) {
        self.interp.eval_decoded(e)
    }

    pub(super) fn arg(&self, c: &'a [Argument<'a>], i: usize) -> Option<&'a Expression<'a>> {
        c.get(i).and_then(|a| a.as_expression())
    }
}
