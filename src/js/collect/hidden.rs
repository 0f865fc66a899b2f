//! Code hidden in strings and markup: `eval`, `Function`, `setTimeout(string)`,
//! `document.write` and injected markup. Decoded code is analysed as a layer of the script
//! (see `analyse::analyse_layer`); markup yields loads, sinks and injected card fields.

use super::{Collector, Layer, MAX_HIDDEN_BYTES, MAX_HIDDEN_DEPTH, Offset};
use crate::js::facts::{HiddenRun, Injection, UrlText, snippet};
use crate::js::flow::Deps;
use crate::js::markup;
use crate::js::value::Value;
use crate::rules::schema::{Channel, Marker};
use oxc_ast::ast::*;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    pub(super) fn on_markup(
        &mut self,
        html: &str,
        hidden: bool,
        span: Span,
        deps: Deps,
        channel: Channel,
    ) {
        if !html.contains('<') {
            return;
        }
        if hidden {
            self.facts.add_decoded(html);
        }
        let m = markup::scan(html, self.k.vocab);
        for src in m.script_srcs {
            self.load(
                channel,
                span,
                UrlText {
                    text: Some(src),
                    complete: true,
                    hidden,
                },
            );
        }
        // Before the markup's scripts run: they read the fields it holds.
        self.own_card_keys
            .extend(m.card_field_keys.iter().take(64).cloned());
        for code in m.inline_scripts {
            self.run_hidden(&code, span, hidden, "document.write(<script>)");
        }
        for r in m.resources {
            self.sink(
                Channel::ElementSrc,
                span,
                UrlText {
                    text: Some(r),
                    complete: true,
                    hidden,
                },
                deps.clone(),
                None,
            );
        }
        for a in m.form_actions {
            self.sink(
                Channel::FormAction,
                span,
                UrlText {
                    text: Some(a),
                    complete: true,
                    hidden,
                },
                deps.clone(),
                None,
            );
        }
        if m.payment_fields > 0 {
            let at = self.at(span);
            let evidence = format!(
                "{} ← markup with {} card field(s): {}",
                snippet(self.text(span), 60),
                m.payment_fields,
                snippet(html, 100)
            );
            self.facts.injections.push(Injection { at, evidence });
        }
    }

    /// Analyse decoded code as a script of its own, reporting at the outer position.
    pub(super) fn run_hidden(&mut self, code: &str, span: Span, hidden: bool, how: &str) {
        let at = self.at(span);
        let hidden = hidden || self.hidden_ctx;
        self.facts.hidden.push(HiddenRun {
            at,
            hidden,
            evidence: format!("{how} ← decoded: {}", snippet(code, 140)),
        });
        if hidden {
            self.facts.add_decoded(code);
        }
        if self.hidden_depth >= MAX_HIDDEN_DEPTH
            || self.hidden_bytes + code.len() > MAX_HIDDEN_BYTES
        {
            // Decoded code left unanalysed: the analysis is partial, and the report says so.
            self.facts.budget_exceeded.get_or_insert((
                at,
                format!(
                    "decoded code beyond the limits ({MAX_HIDDEN_DEPTH} layers, {} MB in all) was not analysed",
                    MAX_HIDDEN_BYTES >> 20
                ),
            ));
            return;
        }
        // Decoded code goes through the same path as the script itself: the top-level run,
        // the fallback parser, and a fact when it does not parse.
        let layer = Layer {
            at: Some(at),
            hidden,
            depth: self.hidden_depth + 1,
            bytes: self.hidden_bytes + code.len(),
            fuel: Some(self.interp.remaining()),
            own_card_keys: self.own_card_keys.iter().take(64).cloned().collect(),
        };
        let (stopped, used) = crate::js::analyse::analyse_layer(code, &layer, self.k, self.facts);
        self.interp.spend(used);
        self.hidden_bytes += code.len();
        if stopped {
            self.stopped = true;
        }
    }

    /// Set up a collector for a layer of decoded code.
    pub fn for_layer(mut self, layer: &Layer) -> Self {
        self.at_override = layer.at;
        self.hidden_ctx = layer.hidden;
        self.hidden_depth = layer.depth;
        self.hidden_bytes = layer.bytes;
        self.own_card_keys
            .extend(layer.own_card_keys.iter().cloned());
        self
    }

    /// For code the sealed interpreter produced (`crate::js::sandbox`): with `at`, code the
    /// script runs — every value in it counts as decoded and every fact is placed at `at`;
    /// without, the script itself with its decoder calls replaced, read at its own offsets.
    pub fn decoded(mut self, at: Option<Offset>) -> Self {
        if at.is_some() {
            self.hidden_ctx = true;
            self.at_override = at;
        }
        self
    }

    /// Evidence from this code is prefixed with `note` (code skimscan wrote from what a run
    /// showed, not code the script holds).
    pub fn noted(mut self, note: Option<&'static str>) -> Self {
        self.evidence_note = note;
        self
    }

    /// The text of code about to run: as the evaluator knows it, or as the statements before
    /// it in its function leave it (a decoder loop inside the wrapper that runs the code).
    fn code_text(&mut self, e: &'a Expression<'a>) -> (Value<'a>, bool) {
        match self.interp_eval(e) {
            (Value::Str(s), dec) => (Value::Str(s), dec),
            other => match self.eval_in_context(e) {
                Some((Value::Str(s), _)) => (Value::Str(s), true),
                _ => other,
            },
        }
    }

    pub(super) fn try_hidden(&mut self, e: &'a Expression<'a>, span: Span, how: &str) {
        let (v, dec) = self.code_text(e);
        if let Value::Str(code) = v {
            // A plain literal is not hidden (`Function('return this')`); a decoded one is.
            let hidden = dec || !matches!(e.without_parentheses(), Expression::StringLiteral(_));
            if code.trim().is_empty() {
                return;
            }
            self.run_hidden(&code, span, hidden, how);
        }
    }

    pub(super) fn function_ctor(&mut self, args: &[&'a Expression<'a>], span: Span) {
        let Some(body) = args.last() else {
            return;
        };
        self.note_code_sink(body, span);
        // `new Function('w', 'd', body)(window, document)`: the parameters are what is passed.
        let mut prefix = String::new();
        if let Some(passed) = self.fn_ctor_args.remove(&span.start) {
            let mut names: Vec<String> = Vec::new();
            for p in &args[..args.len() - 1] {
                if let Some(t) = self.interp.peek(p).as_str() {
                    names.extend(t.split(',').map(|n| n.trim().to_string()));
                }
            }
            for (n, v) in names.iter().zip(passed) {
                let ident = !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
                if ident {
                    prefix.push_str(&format!("var {n} = {v};\n"));
                }
            }
        }
        let (v, dec) = self.code_text(body);
        if let Value::Str(code) = v {
            let hidden = dec || !matches!(body.without_parentheses(), Expression::StringLiteral(_));
            if code.trim().is_empty() {
                return;
            }
            let code = format!("{prefix}{code}");
            self.run_hidden(&code, span, hidden, "Function");
        }
    }

    /// `F(…)(window, document)` where F builds a function from strings: remember the simple
    /// arguments (browser objects by name) for its parameters.
    pub(super) fn note_fn_ctor_call(&mut self, c: &'a CallExpression<'a>) {
        let inner_start = match c.callee.without_parentheses() {
            Expression::CallExpression(i) => i.span.start,
            Expression::NewExpression(i) => i.span.start,
            _ => return,
        };
        let passed: Vec<String> = c
            .arguments
            .iter()
            .map(|a| {
                a.as_expression()
                    .and_then(|x| self.path_of(x))
                    .filter(|p| {
                        p.split('.').all(|s| {
                            !s.is_empty()
                                && s.chars()
                                    .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
                        })
                    })
                    .unwrap_or_else(|| "undefined".into())
            })
            .collect();
        if !passed.is_empty() {
            self.fn_ctor_args.insert(inner_start, passed);
        }
    }

    pub(super) fn packer_check(&mut self, a: &'a Expression<'a>, span: Span) {
        if let Expression::CallExpression(inner) = a.without_parentheses()
            && let Expression::FunctionExpression(f) = inner.callee.without_parentheses()
        {
            let names: Vec<&str> = f
                .params
                .items
                .iter()
                .filter_map(|p| p.pattern.get_identifier_name())
                .map(|n| n.as_str())
                .collect();
            if names.len() >= 5 && names[..5] == ["p", "a", "c", "k", "e"] {
                self.marker(
                    Marker::Packer,
                    self.at(span),
                    "eval(function(p,a,c,k,e,…) packer".into(),
                );
            }
        }
    }
}
