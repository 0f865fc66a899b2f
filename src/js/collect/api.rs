//! Sinks and loads from the Web API catalogue (`rules/data/web-api.toml`): one generic way to
//! record a call or construction that sends data or loads code, whatever spelling reached it.

use super::Collector;
use crate::js::facts::UrlText;
use crate::js::flow::{Deps, Sym};
use crate::js::value::Value;
use crate::rules::schema::{WebApiData, WebApiEntry, WebApiKind};
use oxc_ast::ast::Expression;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    /// `spread`: from this position on the arguments are the elements of one list the walk
    /// could not spell out (see [`super::callsite::CallSite::spread`]).
    pub(super) fn api_call(
        &mut self,
        e: &WebApiEntry,
        args: &[&'a Expression<'a>],
        span: Span,
        spread: Option<usize>,
    ) {
        self.api_record(e, args, span, None, spread);
    }

    pub(super) fn api_new(
        &mut self,
        e: &WebApiEntry,
        args: &[&'a Expression<'a>],
        span: Span,
        handle: Option<Sym>,
    ) {
        self.api_record(e, args, span, if e.handle { handle } else { None }, None);
    }

    fn api_record(
        &mut self,
        e: &WebApiEntry,
        args: &[&'a Expression<'a>],
        span: Span,
        handle: Option<Sym>,
        spread: Option<usize>,
    ) {
        let (at, elem) = match spread {
            Some(k) if e.url >= k => (k, Some(e.url - k)),
            _ => (e.url, None),
        };
        let Some(u) = args.get(at).copied() else {
            return;
        };
        let url = match elem {
            None => self.url_text(u),
            Some(i) => self.url_elem(u, i),
        };
        self.note_param_sink(u, elem, &url);
        match e.kind {
            WebApiKind::Load => self.load(e.channel, span, url),
            WebApiKind::Sink => {
                let mut d = Deps::default();
                match e.data {
                    WebApiData::All => {
                        for x in args {
                            self.deps_into(x, &mut d, 0);
                        }
                    }
                    WebApiData::Url => self.deps_into(u, &mut d, 0),
                }
                let first = self.facts.sinks.len();
                let hostless = Self::hostless(&url);
                self.sink(e.channel, span, url, d, handle);
                if hostless {
                    self.note_unknown_address(u, first);
                }
            }
        }
    }

    /// The URL that is element `i` of a list's value (`f.apply(t, list)`).
    fn url_elem(&mut self, list: &'a Expression<'a>, i: usize) -> UrlText {
        let (v, hidden) = self.interp_eval(list);
        let v = match v {
            Value::Array(a) => a.borrow().get(i).cloned().unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        };
        let text = v.known_text().map(str::to_string);
        if hidden && let Some(t) = &text {
            self.facts.add_decoded(t);
        }
        UrlText {
            complete: matches!(v, Value::Str(_) | Value::Url(_)),
            text,
            hidden,
        }
    }
}
