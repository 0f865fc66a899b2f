//! Code downloaded and run. A loader fetches text from its server and runs it with `eval`,
//! `Function` or a timer's string (`fetch(u).then(r => r.text()).then(t => Function(t)())`,
//! `setTimeout(atob(xhr.responseText.match(…)[1]))`): the skimmer hides in a favicon's tail,
//! a "404 page" or a stylesheet, and the script on the page holds no card code at all, only
//! the request and the run. What it loads is code from that host as surely as a `<script
//! src>` is, so it is recorded as a load of its own channel ([`Channel::CodeDownload`]).
//!
//! How: each request's response is a symbol of the data-flow graph (a `fetch` call's value, an
//! `XMLHttpRequest`'s `responseText`/`response` read on the object `open` was called on); each
//! code sink keeps the dependencies of the code it runs; at the end of the walk a response
//! that reaches a code sink's code is a load of the request's URL. Only data flow counts: a
//! request and an `eval` side by side, unconnected, are nothing.

use super::Collector;
use crate::js::facts::{Load, UrlText};
use crate::js::flow::{Deps, Sym};
use crate::rules::schema::Channel;
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

/// Requests and code sinks remembered per script (a library has few of either).
const MAX_TRACKED: usize = 64;

/// A request whose response the script may read.
pub(super) struct Response {
    sym: Sym,
    url: UrlText,
    /// The object an `XMLHttpRequest` was opened on, by its path (`x`, `this.req`).
    xhr: Option<String>,
    /// Where a `fetch` was called: its sink there may know the address when the call's
    /// own argument, evaluated again, does not (`fetch(RESOLVERS[i] + …)` over a list).
    at: Option<crate::js::facts::Offset>,
}

/// Code run from a string, with what the string depends on.
pub(super) struct CodeSink {
    deps: Deps,
    span: Span,
    gated: bool,
}

impl<'a> Collector<'a, '_, '_> {
    /// The response of `fetch(u, …)` at `c` (one symbol per call).
    pub(super) fn fetch_response(&mut self, c: &'a CallExpression<'a>) -> Option<Sym> {
        let a0 = c.arguments.first().and_then(|a| a.as_expression());
        self.response_of(c.span, a0)
    }

    /// What the server of `new WebSocket(u)` / `new EventSource(u)` at `ne` sends (one symbol
    /// per construction): a dead drop's address or a stage may arrive as a message.
    pub(super) fn stream_response(&mut self, ne: &'a NewExpression<'a>) -> Option<Sym> {
        let a0 = ne.arguments.first().and_then(|a| a.as_expression());
        self.response_of(ne.span, a0)
    }

    /// The response of the request made at `span` to the address `url`, one symbol per place.
    fn response_of(&mut self, span: Span, url: Option<&'a Expression<'a>>) -> Option<Sym> {
        if let Some(&s) = self.response_at.get(&span.start) {
            return Some(s);
        }
        if self.responses.len() >= MAX_TRACKED {
            return None;
        }
        let url = self.url_text(url?);
        let sym = self.facts.graph.fresh();
        self.response_at.insert(span.start, sym);
        let at = Some(self.at(span));
        self.responses.push(Response {
            sym,
            url,
            xhr: None,
            at,
        });
        Some(sym)
    }

    /// `x.open('GET', u)`: the request whose response `x.responseText` will hold.
    pub(super) fn note_xhr_open(&mut self, obj: &'a Expression<'a>, args: &[&'a Expression<'a>]) {
        let (Some(m), Some(u)) = (args.first(), args.get(1)) else {
            return;
        };
        let is_method = self.interp.peek(m).as_str().is_some_and(|t| {
            matches!(
                t.to_ascii_uppercase().as_str(),
                "GET" | "POST" | "PUT" | "HEAD" | "PATCH" | "DELETE" | "OPTIONS"
            )
        });
        if !is_method {
            return;
        }
        let url = self.url_text(u);
        let path = self.path_of(obj).unwrap_or_else(|| "?".into());
        // Its response was read before `open` was reached (a handler set first).
        if let Some(r) = self
            .responses
            .iter_mut()
            .find(|r| r.xhr.as_deref() == Some(path.as_str()) && r.url.text.is_none())
        {
            r.url = url;
            return;
        }
        if self.responses.len() >= MAX_TRACKED {
            return;
        }
        let sym = self.facts.graph.fresh();
        self.responses.push(Response {
            sym,
            url,
            xhr: Some(path),
            at: None,
        });
    }

    /// `x.responseText` / `x.response`: the response of the request opened on `x`. In a
    /// handler (`this.responseText`, `e.target.response`) the one request the script opens.
    pub(super) fn xhr_response(&mut self, m: &'a StaticMemberExpression<'a>) -> Option<Sym> {
        if !matches!(m.property.name.as_str(), "responseText" | "response") {
            return None;
        }
        let path = self.path_of(&m.object)?;
        if let Some(r) = self
            .responses
            .iter()
            .find(|r| r.xhr.as_deref() == Some(path.as_str()))
        {
            return Some(r.sym);
        }
        let in_handler =
            path == "this" || path.ends_with(".target") || path.ends_with(".currentTarget");
        if in_handler {
            let mut xhrs = self.responses.iter().filter(|r| r.xhr.is_some());
            let only = xhrs.next()?;
            return xhrs.next().is_none().then_some(only.sym);
        }
        // Read before the `open` the walk has yet to reach: kept by path, its URL set there.
        if self.responses.len() >= MAX_TRACKED {
            return None;
        }
        let sym = self.facts.graph.fresh();
        self.responses.push(Response {
            sym,
            url: UrlText::default(),
            xhr: Some(path),
            at: None,
        });
        Some(sym)
    }

    /// The requests whose responses the script reads, with their addresses.
    pub(super) fn responses_with_urls(&self) -> Vec<(Sym, UrlText)> {
        self.responses
            .iter()
            .map(|r| {
                let absolute = r
                    .url
                    .text
                    .as_deref()
                    .is_some_and(|t| t.contains("://") || t.starts_with("//"));
                let known = (!absolute).then_some(r.at).flatten().and_then(|at| {
                    self.facts
                        .sinks
                        .iter()
                        .find(|s| s.at == at && s.url.text.is_some())
                        .map(|s| s.url.clone())
                });
                (r.sym, known.unwrap_or_else(|| r.url.clone()))
            })
            .collect()
    }

    /// Code run from the string `e` (`eval(e)`, `Function(…, e)`, `setTimeout(e)`).
    pub(super) fn note_code_sink(&mut self, e: &'a Expression<'a>, span: Span) {
        if self.code_sinks.len() >= MAX_TRACKED {
            return;
        }
        let deps = self.deps(e);
        if deps.syms.is_empty() {
            return;
        }
        self.facts.runs_made_code = true;
        let gated = self.gated();
        self.code_sinks.push(CodeSink {
            deps,
            span: Span::new(span.start, span.end.max(e.span().end)),
            gated,
        });
    }

    /// At the end of the walk: each response that reaches code the script runs is a load.
    pub(super) fn join_code_downloads(&mut self) {
        if self.code_sinks.is_empty() {
            return;
        }
        // A response read that no `open` claimed is nobody's download.
        let responses: Vec<Response> = std::mem::take(&mut self.responses)
            .into_iter()
            .filter(|r| r.url.text.is_some())
            .collect();
        // The code sink each response reaches, if any (responses are at most MAX_TRACKED,
        // seeded 64 at a time).
        let mut sinks: Vec<Option<usize>> = Vec::with_capacity(responses.len());
        for group in responses.chunks(64) {
            let seeds: Vec<_> = group.iter().map(|r| r.sym).collect();
            let reached = self.facts.graph.reach_many(&seeds);
            sinks.extend((0..group.len()).map(|i| {
                self.code_sinks.iter().position(|k| {
                    k.deps
                        .syms
                        .iter()
                        .any(|s| reached.get(*s as usize).is_some_and(|b| b & (1 << i) != 0))
                })
            }));
        }
        for (r, k) in responses.into_iter().zip(sinks) {
            let Some(k) = k else {
                continue;
            };
            let sink = &self.code_sinks[k];
            let (at, gated) = (self.at(sink.span), sink.gated);
            let evidence = format!(
                "{} ← runs the response of {}",
                crate::js::facts::snippet(&self.evidence(sink.span), 80),
                crate::js::facts::snippet(r.url.text.as_deref().unwrap_or("?"), 100)
            );
            for url in self.urls_for(r.url) {
                self.facts.loads.push(Load {
                    channel: Channel::CodeDownload,
                    at,
                    url,
                    gated,
                    evidence: evidence.clone(),
                });
            }
        }
        self.code_sinks.clear();
    }
}
