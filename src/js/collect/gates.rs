//! Checkout gates: code that runs only when the page address contains checkout words
//! (`onepage`, `checkout`, `/payment`), which skimmers use to stay out of sight elsewhere.

use super::{CHECKOUT_WORDS, Collector};
use crate::rules::schema::Marker;
use oxc_ast::ast::*;
use oxc_span::GetSpan;

impl<'a> Collector<'a, '_, '_> {
    pub(super) fn gather(&self, e: &'a Expression<'a>, out: &mut Vec<String>, n: &mut usize) {
        if *n > 64 {
            return;
        }
        *n += 1;
        match e.without_parentheses() {
            Expression::StringLiteral(s) => out.push(s.value.to_string()),
            Expression::RegExpLiteral(r) => out.push(r.regex.pattern.text.to_string()),
            Expression::TemplateLiteral(_) => {
                if let Some(t) = self.interp.peek(e).known_text() {
                    out.push(t.to_string());
                }
            }
            Expression::Identifier(id) => out.push(id.name.to_string()),
            Expression::StaticMemberExpression(m) => {
                out.push(m.property.name.to_string());
                self.gather(&m.object, out, n);
            }
            Expression::ComputedMemberExpression(m) => {
                if let Some(t) = self.interp.peek(&m.expression).known_text() {
                    out.push(t.to_string());
                }
                self.gather(&m.object, out, n);
            }
            Expression::CallExpression(c) => {
                self.gather(&c.callee, out, n);
                for a in &c.arguments {
                    if let Some(x) = a.as_expression() {
                        if let Some(t) = self.interp.peek(x).known_text() {
                            out.push(t.to_string());
                        }
                        self.gather(x, out, n);
                    }
                }
            }
            Expression::NewExpression(c) => {
                for a in &c.arguments {
                    if let Some(x) = a.as_expression()
                        && let Some(t) = self.interp.peek(x).known_text()
                    {
                        out.push(t.to_string());
                    }
                }
            }
            Expression::BinaryExpression(b) => {
                self.gather(&b.left, out, n);
                self.gather(&b.right, out, n);
            }
            Expression::LogicalExpression(b) => {
                self.gather(&b.left, out, n);
                self.gather(&b.right, out, n);
            }
            Expression::UnaryExpression(u) => self.gather(&u.argument, out, n),
            _ => {}
        }
    }

    pub(super) fn is_gate(&mut self, test: &'a Expression<'a>) -> bool {
        let mut strings = Vec::new();
        let mut n = 0;
        self.gather(test, &mut strings, &mut n);
        let lower: Vec<String> = strings.iter().map(|s| s.to_ascii_lowercase()).collect();
        let location = lower.iter().any(|s| {
            matches!(
                s.as_str(),
                "location" | "href" | "pathname" | "url" | "documenturi"
            )
        });
        let checkout = lower
            .iter()
            .any(|s| CHECKOUT_WORDS.iter().any(|w| s.contains(w)));
        let gate = location && checkout;
        if gate {
            let at = self.at(test.span());
            let ev = self.evidence(test.span());
            self.marker(Marker::CheckoutGate, at, ev);
        }
        gate
    }
}
