//! Checkout gates: code that runs only when the page address contains checkout words
//! (`onepage`, `checkout`, `/payment`), which skimmers use to stay out of sight elsewhere.

use super::{CHECKOUT_WORDS, Collector};
use crate::rules::schema::Marker;
use oxc_ast::ast::*;
use oxc_span::GetSpan;

/// What the strings of a test mention so far: a page-address word and a checkout word.
/// Each string is judged as it is met (no copies, no lowercased list): the test runs for
/// every `if`, ternary and `&&` of every script, so it must cost next to nothing.
#[derive(Default)]
struct Seen {
    location: bool,
    checkout: bool,
    /// Strings and names looked at, bounded so one huge condition costs a bounded time.
    n: usize,
}

impl Seen {
    fn note(&mut self, s: &str) {
        if !self.location
            && ["location", "href", "pathname", "url", "documenturi"]
                .iter()
                .any(|w| s.eq_ignore_ascii_case(w))
        {
            self.location = true;
        }
        if !self.checkout && CHECKOUT_WORDS.iter().any(|w| contains_ignore_case(s, w)) {
            self.checkout = true;
        }
    }

    fn done(&self) -> bool {
        self.n > 64 || (self.location && self.checkout)
    }
}

/// Whether `s` contains `word` (given in lower case), ASCII case ignored.
fn contains_ignore_case(s: &str, word: &str) -> bool {
    let w = word.as_bytes();
    s.len() >= w.len()
        && s.as_bytes()
            .windows(w.len())
            .any(|x| x.eq_ignore_ascii_case(w))
}

impl<'a> Collector<'a, '_, '_> {
    fn gather(&self, e: &'a Expression<'a>, seen: &mut Seen) {
        if seen.done() {
            return;
        }
        seen.n += 1;
        match e.without_parentheses() {
            Expression::StringLiteral(s) => seen.note(&s.value),
            Expression::RegExpLiteral(r) => seen.note(r.regex.pattern.text.as_str()),
            Expression::TemplateLiteral(_) => {
                if let Some(t) = self.interp.peek(e).known_text() {
                    seen.note(t);
                }
            }
            Expression::Identifier(id) => seen.note(&id.name),
            Expression::StaticMemberExpression(m) => {
                seen.note(&m.property.name);
                self.gather(&m.object, seen);
            }
            Expression::ComputedMemberExpression(m) => {
                if let Some(t) = self.interp.peek(&m.expression).known_text() {
                    seen.note(t);
                }
                self.gather(&m.object, seen);
            }
            Expression::CallExpression(c) => {
                self.gather(&c.callee, seen);
                for a in &c.arguments {
                    if let Some(x) = a.as_expression() {
                        if let Some(t) = self.interp.peek(x).known_text() {
                            seen.note(t);
                        }
                        self.gather(x, seen);
                    }
                }
            }
            Expression::NewExpression(c) => {
                for a in &c.arguments {
                    if let Some(x) = a.as_expression()
                        && let Some(t) = self.interp.peek(x).known_text()
                    {
                        seen.note(t);
                    }
                }
            }
            Expression::BinaryExpression(b) => {
                self.gather(&b.left, seen);
                self.gather(&b.right, seen);
            }
            Expression::LogicalExpression(b) => {
                self.gather(&b.left, seen);
                self.gather(&b.right, seen);
            }
            Expression::UnaryExpression(u) => self.gather(&u.argument, seen),
            _ => {}
        }
    }

    pub(super) fn is_gate(&mut self, test: &'a Expression<'a>) -> bool {
        let mut seen = Seen::default();
        self.gather(test, &mut seen);
        let gate = seen.location && seen.checkout;
        if gate {
            let at = self.at(test.span());
            let ev = self.evidence(test.span());
            self.marker(Marker::CheckoutGate, at, ev);
        }
        gate
    }
}
