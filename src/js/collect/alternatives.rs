//! URLs with several possible values. A variable assigned in more than one place (`var
//! target = '/analytics'` and, in a timer, `target = 'https://collector.example/a'`) holds
//! one of its assigned values when a listener later sends to it; the constant evaluator
//! rightly calls it unknown. When [`crate::js::constants`] listed every value the name is
//! given, the sink's URL is evaluated once per value, so each possible host is named and
//! classified — never only the first constant. When one of the values cannot be resolved
//! (`dest = 'https://' + location.hash.slice(1)`), the name is unknown as a whole: naming
//! only its other values would report a decoy as the destination. The work is bounded: at most
//! [`MAX_COMBINATIONS`] evaluations per unresolved URL, over a bounded look at its expression,
//! and only for URLs the evaluator could not resolve.

use super::Collector;
use crate::js::destinations::{Target, target_of};
use crate::js::facts::UrlText;
use crate::js::value::{HOLE, Value};
use oxc_ast::ast::*;

/// Evaluations of one URL expression, one per combination of its names' values.
const MAX_COMBINATIONS: usize = 8;
/// Nodes of the URL expression looked at for names with listed values.
const MAX_NODES: usize = 64;

/// The URLs a sink's URL may be, beside the one the evaluator gave.
#[derive(Debug)]
pub(super) struct UrlAlternatives {
    /// The URL they are alternatives of (a sink joins them only when its URL is this one).
    of: UrlText,
    urls: Vec<UrlText>,
}

impl<'a> Collector<'a, '_, '_> {
    /// Remember the alternatives of `url`, computed from `e` when `url` is not fully known.
    pub(super) fn note_url_alternatives(&mut self, e: &'a Expression<'a>, url: &UrlText) {
        self.url_alternatives = None;
        if url.complete {
            return;
        }
        let mut names = Vec::new();
        let mut budget = MAX_NODES;
        self.names_with_alternatives(e, &mut names, &mut budget);
        if names.is_empty() {
            return;
        }
        // Each name's values, as far as the product of their counts stays small.
        let mut choices: Vec<(&'a str, Vec<Value<'a>>)> = Vec::new();
        let mut product = 1usize;
        for name in names {
            let Some(exprs) = self.interp.alternatives(name) else {
                continue;
            };
            let mut values: Vec<Value<'a>> = exprs.iter().map(|x| self.interp.eval(x)).collect();
            // `var ep = null` until a callback sets it: a placeholder is no destination (a
            // send to it is guarded or goes nowhere), so the values it is given later are the
            // alternatives. Only when something else is left.
            if values
                .iter()
                .any(|v| !matches!(v, Value::Null | Value::Undefined))
            {
                values.retain(|v| !matches!(v, Value::Null | Value::Undefined));
            }
            if product * values.len() > MAX_COMBINATIONS {
                break;
            }
            product *= values.len();
            choices.push((name, values));
        }
        let mut urls = Vec::new();
        for i in 0..product {
            let mut k = i;
            let mut binds = Vec::with_capacity(choices.len());
            for (name, values) in &choices {
                binds.push((*name, values[k % values.len()].clone()));
                k /= values.len();
            }
            let (v, dec) = self.interp.eval_with(e, binds);
            let alt = url_of(&v, dec || self.hidden_ctx);
            if target_of(&alt) == Target::Unknown {
                return;
            }
            if !urls.contains(&alt) {
                urls.push(alt);
            }
        }
        if !urls.is_empty() {
            self.url_alternatives = Some(UrlAlternatives {
                of: url.clone(),
                urls,
            });
        }
    }

    /// The URLs to record for a sink or load whose URL is `url`: `url` itself, or its
    /// alternatives when they were computed for it.
    pub(super) fn urls_for(&mut self, url: UrlText) -> Vec<UrlText> {
        match self.url_alternatives.take() {
            Some(alts) if alts.of == url => alts.urls,
            _ => vec![url],
        }
    }

    /// Names in `e` whose values are listed, in the order they appear.
    fn names_with_alternatives(
        &self,
        e: &'a Expression<'a>,
        out: &mut Vec<&'a str>,
        budget: &mut usize,
    ) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match e.without_parentheses() {
            Expression::Identifier(id) => {
                let n = id.name.as_str();
                if self.interp.alternatives(n).is_some() && !out.contains(&n) {
                    out.push(n);
                }
            }
            Expression::BinaryExpression(b) => {
                self.names_with_alternatives(&b.left, out, budget);
                self.names_with_alternatives(&b.right, out, budget);
            }
            Expression::LogicalExpression(l) => {
                self.names_with_alternatives(&l.left, out, budget);
                self.names_with_alternatives(&l.right, out, budget);
            }
            Expression::ConditionalExpression(c) => {
                self.names_with_alternatives(&c.consequent, out, budget);
                self.names_with_alternatives(&c.alternate, out, budget);
            }
            Expression::TemplateLiteral(t) => {
                for x in &t.expressions {
                    self.names_with_alternatives(x, out, budget);
                }
            }
            Expression::CallExpression(c) => {
                if let Some(m) = c.callee.without_parentheses().as_member_expression() {
                    self.names_with_alternatives(m.object(), out, budget);
                }
                for a in c.arguments.iter().filter_map(|a| a.as_expression()) {
                    self.names_with_alternatives(a, out, budget);
                }
            }
            Expression::NewExpression(n) => {
                for a in n.arguments.iter().filter_map(|a| a.as_expression()) {
                    self.names_with_alternatives(a, out, budget);
                }
            }
            Expression::StaticMemberExpression(m) => {
                self.names_with_alternatives(&m.object, out, budget);
            }
            _ => {}
        }
    }
}

/// A URL as far as a value tells: a partly known URL keeps its known pieces (a host's
/// registrable suffix).
pub(super) fn url_of(v: &Value<'_>, hidden: bool) -> UrlText {
    let text = match v {
        Value::Holed(h) if h.chars().any(|c| c != HOLE) => Some(h.to_string()),
        v => v.known_text().map(str::to_string),
    };
    UrlText {
        complete: matches!(v, Value::Str(_) | Value::Url(_)),
        text,
        hidden,
    }
}
