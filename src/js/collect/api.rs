//! Sinks and loads from the Web API catalogue (`rules/data/web-api.toml`): one generic way to
//! record a call or construction that sends data or loads code, whatever spelling reached it.

use super::Collector;
use crate::js::flow::{Deps, Sym};
use crate::rules::schema::{WebApiData, WebApiEntry, WebApiKind};
use oxc_ast::ast::Expression;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    pub(super) fn api_call(&mut self, e: &WebApiEntry, args: &[&'a Expression<'a>], span: Span) {
        self.api_record(e, args, span, None);
    }

    pub(super) fn api_new(
        &mut self,
        e: &WebApiEntry,
        args: &[&'a Expression<'a>],
        span: Span,
        handle: Option<Sym>,
    ) {
        self.api_record(e, args, span, if e.handle { handle } else { None });
    }

    fn api_record(
        &mut self,
        e: &WebApiEntry,
        args: &[&'a Expression<'a>],
        span: Span,
        handle: Option<Sym>,
    ) {
        let Some(u) = args.get(e.url).copied() else {
            return;
        };
        let url = self.url_text(u);
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
                self.sink(e.channel, span, url, d, handle);
            }
        }
    }
}
