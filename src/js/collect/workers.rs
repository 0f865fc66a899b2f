//! Workers built from the page's own strings: `new Worker(URL.createObjectURL(new
//! Blob([code])))` and `new Worker('data:application/javascript,' + encodeURIComponent(code))`
//! run `code` in a worker that shares nothing but messages with the page. The code is
//! analysed as a decoded layer of the script, so its `onmessage` handler reads the page's
//! `postMessage` pipe and its sends are the script's sends.
//!
//! A module loaded the same ways (`import('data:text/javascript;base64,…')`, `import(URL.
//! createObjectURL(blob))`) runs in the page itself: a loader's second stage kept as a module.

use super::Collector;
use crate::js::value::Value;
use oxc_ast::ast::*;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    /// `new Worker(url)` or `import(url)` (`how` says which): analyse the code the URL
    /// carries when the script itself holds it.
    pub(super) fn inline_code_url(
        &mut self,
        arg: Option<&'a Expression<'a>>,
        span: Span,
        how: &str,
    ) {
        if !self.code_from_data_url(arg, span, how) {
            self.code_from_blob(arg, span, how);
        }
    }

    /// A `data:` URL carries the code itself, percent-encoded or in Base64.
    fn code_from_data_url(
        &mut self,
        arg: Option<&'a Expression<'a>>,
        span: Span,
        how: &str,
    ) -> bool {
        let Some(arg) = arg else {
            return false;
        };
        let (v, dec) = self.interp_eval(arg);
        let Some(code) = v.as_str().and_then(data_url_text) else {
            return false;
        };
        if !code.trim().is_empty() {
            self.run_hidden(&code, span, dec, &format!("{how}(data: URL)"));
        }
        true
    }

    fn code_from_blob(&mut self, arg: Option<&'a Expression<'a>>, span: Span, how: &str) {
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
            self.run_hidden(&code, span, dec, &format!("{how}(Blob)"));
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

/// The text a `data:` URL carries (`data:[type][;base64],payload`), when the payload decodes.
fn data_url_text(url: &str) -> Option<String> {
    let rest = url
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("data:"))
        .map(|_| &url[5..])?;
    let (header, payload) = rest.split_once(',')?;
    if header.to_ascii_lowercase().ends_with(";base64") {
        let bytes = crate::js::interp::atob(&crate::js::interp::percent_decode(payload)?)?;
        return Some(bytes);
    }
    crate::js::interp::percent_decode(payload)
}

#[cfg(test)]
mod tests {
    use super::data_url_text;

    #[test]
    fn data_urls_give_their_text() {
        assert_eq!(
            data_url_text("data:application/javascript,a%3D1%3B").as_deref(),
            Some("a=1;")
        );
        assert_eq!(
            data_url_text("DATA:text/javascript;base64,YT0x").as_deref(),
            Some("a=1")
        );
        assert_eq!(data_url_text("https://x.example/w.js"), None);
        assert_eq!(data_url_text("data:text/javascript,%E0%A4%A"), None);
    }
}
