//! Request hooks. A skimmer can leave the card fields alone and wait for the shop's own
//! checkout request instead: it replaces `window.fetch`, `XMLHttpRequest.prototype.send` or
//! `navigator.sendBeacon` with a function that copies what is sent to its own host, then
//! calls the original. On a payment page the shop's request carries the card, so what such a
//! replacement receives as the request's body is card data. Performance monitors wrap the
//! same calls but keep URLs, methods, statuses and timings: only the body counts (a `fetch`
//! hook's `init.body`, `send(body)`, `sendBeacon(url, data)`'s data).

use super::Collector;
use crate::js::flow::{Deps, SRC_PAYMENT, Sym};
use crate::js::value::Value;
use crate::rules::schema::SourceKind;
use oxc_ast::ast::*;
use oxc_span::GetSpan;

/// Which parameter of a replacement receives the request body, and how.
#[derive(Clone, Copy, Debug)]
pub(super) enum RequestHook {
    /// The parameter is the body (`XMLHttpRequest.prototype.send`, `sendBeacon`'s data).
    Body(usize),
    /// The parameter holds the options; their `body` is the body (`fetch(input, init)`).
    Init(usize),
}

impl<'a> Collector<'a, '_, '_> {
    /// `target = rhs` where `target` is a browser request call and `rhs` a function: note the
    /// function as a hook (its parameters are declared when the walk enters it).
    pub(super) fn note_request_hook(
        &mut self,
        obj: Option<&'a Expression<'a>>,
        prop: &str,
        rhs: &'a Expression<'a>,
    ) {
        let start = match rhs.without_parentheses() {
            Expression::FunctionExpression(f) => f.span.start,
            Expression::ArrowFunctionExpression(f) => f.span.start,
            _ => return,
        };
        let owner = match obj {
            None => None,
            Some(o) if self.is_windowish(o) => None,
            Some(o) => match self.interp.peek(o) {
                Value::Api(p) => Some(p.to_string()),
                // `var P = XMLHttpRequest.prototype; P.send = …`: the alias.
                _ => match o.without_parentheses() {
                    Expression::Identifier(id) => self
                        .lookup(id.name.as_str())
                        .and_then(|s| self.request_owner_aliases.get(&s).cloned())
                        .or_else(|| self.path_of(o)),
                    _ => self.path_of(o),
                },
            },
        };
        let hook = match (owner.as_deref(), prop) {
            (None, "fetch") => RequestHook::Init(1),
            (Some("XMLHttpRequest.prototype"), "send") => RequestHook::Body(0),
            (Some("navigator"), "sendBeacon") => RequestHook::Body(1),
            _ => return,
        };
        self.request_hooks.insert(start, hook);
    }

    /// `var P = XMLHttpRequest.prototype`, `var nav = navigator`: a local name for an object
    /// whose request call a hook may replace.
    pub(super) fn note_request_owner(&mut self, target: Sym, init: &'a Expression<'a>) {
        if let Some(p) = self.path_of(init)
            && matches!(p.as_str(), "XMLHttpRequest.prototype" | "navigator")
        {
            self.request_owner_aliases.insert(target, p);
        }
    }

    /// Entering a function: its parameter `i` (symbol `s`) as a hook's request body.
    pub(super) fn request_hook_param(
        &mut self,
        fn_start: u32,
        i: usize,
        s: Sym,
        span: oxc_span::Span,
    ) {
        match self.request_hooks.get(&fn_start).copied() {
            Some(RequestHook::Body(at)) if at == i => {
                self.facts.graph.edge(
                    s,
                    Deps {
                        src: SRC_PAYMENT,
                        ..Deps::default()
                    },
                );
                self.source(SourceKind::Payment, span);
            }
            Some(RequestHook::Init(at)) if at == i => {
                self.request_inits.insert(s);
            }
            _ => {}
        }
    }

    /// `init.body` of a `fetch` hook's options.
    pub(super) fn is_hooked_body(&mut self, m: &'a StaticMemberExpression<'a>) -> bool {
        m.property.name == "body"
            && !self.request_inits.is_empty()
            && matches!(m.object.without_parentheses(), Expression::Identifier(id)
                if self.lookup(id.name.as_str()).is_some_and(|s| self.request_inits.contains(&s)))
    }

    /// Where the hook's body is read, for the source's evidence.
    pub(super) fn hooked_body_read(&mut self, m: &'a StaticMemberExpression<'a>) {
        if self.is_hooked_body(m) {
            self.source(SourceKind::Payment, m.span());
        }
    }
}
