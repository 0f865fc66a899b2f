//! Recording facts: sinks, loads, sources and data-flow edges, each with its place, its
//! evidence and whether it runs only on checkout pages.
use super::Collector;
use crate::js::facts::{Load, Sink, SourceRead, UrlText, snippet};
use crate::js::flow::{Deps, Sym};
use crate::rules::schema::{Channel, SourceKind};
use oxc_ast::ast::*;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    // ---- recording ----------------------------------------------------------------------

    pub(super) fn gated(&self) -> bool {
        self.gate > 0 || self.fn_stack.iter().any(|f| f.gated)
    }

    pub(super) fn sink(
        &mut self,
        channel: Channel,
        span: Span,
        url: UrlText,
        deps: Deps,
        handle: Option<Sym>,
    ) {
        let at = self.at(span);
        let gated = self.gated();
        let urls = self.urls_for(url);
        let last = urls.len().saturating_sub(1);
        let mut deps = deps;
        for (i, url) in urls.into_iter().enumerate() {
            let evidence = self.url_evidence(span, &url);
            self.facts.sinks.push(Sink {
                channel,
                at,
                url,
                // Each possible URL is its own sink of the same data.
                deps: if i == last {
                    std::mem::take(&mut deps)
                } else {
                    deps.clone()
                },
                handle,
                evidence,
                gated,
            });
        }
    }

    pub(super) fn load(&mut self, channel: Channel, span: Span, url: UrlText) {
        let at = self.at(span);
        let gated = self.gated();
        for url in self.urls_for(url) {
            let evidence = self.url_evidence(span, &url);
            self.facts.loads.push(Load {
                channel,
                at,
                url,
                gated,
                evidence,
            });
        }
    }

    /// The code at `span`, and the URL it sends to or loads when that URL was decoded.
    fn url_evidence(&self, span: Span, url: &UrlText) -> String {
        let evidence = self.evidence(span);
        match &url.text {
            Some(t) if url.hidden => format!(
                "{} ← decoded URL {}",
                snippet(&evidence, 80),
                snippet(t, 100)
            ),
            _ => evidence,
        }
    }

    /// A selection of every field kept in a holder (see `holders`).
    pub(super) fn held_harvest(&mut self, span: Span) {
        if self.facts.held_harvests.len() < 64 {
            let at = self.at(span);
            let evidence = self.evidence(span);
            self.facts.held_harvests.push(SourceRead {
                kind: SourceKind::Harvest,
                at,
                evidence,
            });
        }
    }

    pub(super) fn source(&mut self, kind: SourceKind, span: Span) {
        if self.facts.sources.len() < 64 {
            let at = self.at(span);
            let evidence = self.evidence(span);
            self.facts.sources.push(SourceRead { kind, at, evidence });
        }
    }

    pub(super) fn edge_to_target(&mut self, target: &'a Expression<'a>, deps: Deps) {
        // `this.queue.push(v)`, `o.p.q = v`: a property only the script assigns (read as its
        // own symbol, see `with_script_props`) holds what is put inside it too.
        if !self.script_props.is_empty() {
            let mut e = target.without_parentheses();
            while let Some(m) = e.as_member_expression() {
                if let MemberExpression::StaticMemberExpression(sm) = m
                    && self.script_props.contains(sm.property.name.as_str())
                {
                    let p = self.prop_sym(sm.property.name.as_str());
                    self.facts.graph.edge(p, deps.clone());
                }
                e = m.object().without_parentheses();
            }
        }
        if let Some(s) = self.base_sym(target) {
            self.facts.graph.edge(s, deps);
            return;
        }
        // `(map.get(t) ?? map.set(t, []).get(t)).push(f)`, `(h[t] = h[t] || []).push(f)`: the
        // list changed is one kept in `map` or `h`.
        let mut bases = Vec::new();
        self.container_bases(target, &mut bases, 0);
        for s in bases {
            self.facts.graph.edge(s, deps.clone());
        }
    }

    /// `var draft = window.__draft = window.__draft || {}`: `draft` and the global are one
    /// object, so what is put in `draft` later (`draft.f[k] = v`) is in the global too.
    pub(super) fn note_alias_chain(&mut self, s: Sym, init: &'a Expression<'a>) {
        let Expression::AssignmentExpression(a) = init.without_parentheses() else {
            return;
        };
        let target = match &a.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => self.lookup(id.name.as_str()),
            t => match t.as_member_expression() {
                Some(MemberExpression::StaticMemberExpression(m)) => {
                    if self.is_windowish(&m.object) {
                        self.lookup(m.property.name.as_str())
                    } else {
                        self.base_sym(&m.object)
                    }
                }
                _ => None,
            },
        };
        if let Some(t) = target
            && t != s
        {
            self.facts.graph.edge(
                t,
                Deps {
                    syms: vec![s],
                    src: 0,
                },
            );
        }
    }

    /// The names holding the container an expression reads one element of (see
    /// [`Self::edge_to_target`]).
    fn container_bases(&mut self, e: &'a Expression<'a>, out: &mut Vec<Sym>, depth: u32) {
        if depth > 6 {
            return;
        }
        match e.without_parentheses() {
            Expression::LogicalExpression(l) => {
                self.container_bases(&l.left, out, depth + 1);
                self.container_bases(&l.right, out, depth + 1);
            }
            Expression::ConditionalExpression(c) => {
                self.container_bases(&c.consequent, out, depth + 1);
                self.container_bases(&c.alternate, out, depth + 1);
            }
            Expression::AssignmentExpression(a) => {
                if let Some(t) = a.left.as_simple_assignment_target()
                    && let Some(m) = t.as_member_expression()
                    && let Some(s) = self.base_sym(m.object())
                {
                    out.push(s);
                }
            }
            Expression::CallExpression(c) => {
                if let Some(m) = c.callee.without_parentheses().as_member_expression()
                    && matches!(
                        m.static_property_name(),
                        Some("get" | "at" | "set" | "item")
                    )
                {
                    match self.base_sym(m.object()) {
                        Some(s) => out.push(s),
                        None => self.container_bases(m.object(), out, depth + 1),
                    }
                }
            }
            other => {
                if let Some(s) = self.base_sym(other)
                    && !out.contains(&s)
                {
                    out.push(s);
                }
            }
        }
    }
}
