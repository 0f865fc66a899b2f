//! Workers built from the page's own strings: `new Worker(URL.createObjectURL(new
//! Blob([code])))` runs `code` in a worker that shares nothing but messages with the page. The
//! code is analysed as a decoded layer of the script, so its `onmessage` handler reads the
//! page's `postMessage` pipe and its sends are the script's sends.

use super::Collector;
use crate::js::value::Value;
use oxc_ast::ast::*;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    pub(super) fn worker_from_blob(&mut self, arg: Option<&'a Expression<'a>>, span: Span) {
        let Some(Expression::CallExpression(c)) = arg.map(|a| a.without_parentheses()) else {
            return;
        };
        let (_, name) = self.callee_name(&c.callee);
        if name.as_deref() != Some("createObjectURL") {
            return;
        }
        let Some(blob) = c.arguments.first().and_then(|a| a.as_expression()) else {
            return;
        };
        let blob = match blob.without_parentheses() {
            Expression::NewExpression(n) => Some(&**n),
            Expression::Identifier(id) => self.blob_inits.get(id.name.as_str()).copied(),
            _ => None,
        };
        let Some(parts) = blob
            .and_then(|n| n.arguments.first())
            .and_then(|a| a.as_expression())
        else {
            return;
        };
        let (v, dec) = self.interp_eval(parts);
        let code = match v {
            Value::Array(items) => {
                let items = items.borrow();
                let mut out = String::new();
                for x in items.iter() {
                    match x.as_str() {
                        Some(s) => out.push_str(s),
                        None => return,
                    }
                }
                out
            }
            Value::Str(s) => s.to_string(),
            _ => return,
        };
        if !code.trim().is_empty() {
            self.run_hidden(&code, span, dec, "Worker(Blob)");
        }
    }

    /// `var b = new Blob([...])`: remember it for a later `createObjectURL(b)`.
    pub(super) fn note_blob(&mut self, name: &'a str, init: &'a Expression<'a>) {
        if let Expression::NewExpression(n) = init.without_parentheses()
            && matches!(n.callee.without_parentheses(), Expression::Identifier(id) if id.name == "Blob")
        {
            self.blob_inits.insert(name, n);
        }
    }
}
