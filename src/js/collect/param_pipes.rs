//! Pipes named by a parameter: an event bus's `emit(name, detail) { el.dispatchEvent(new
//! CustomEvent(name, { detail })) }` writes the event each caller names. Inside the function
//! the name is unknown; at each call of the function it is that call's argument. The write is
//! kept with the parameter's place and joined at the end of the walk, as sinks with a
//! parameter for a URL are (see [`super::params`]).

use super::Collector;
use super::contexts::Contexts;
use crate::js::flow::{Deps, Sym};
use oxc_ast::ast::*;

/// Writes kept per script, and names joined per write.
const MAX_PARAM_PIPES: usize = 256;
const MAX_NAMES_PER_WRITE: usize = 16;

pub(super) struct ParamPipe {
    /// The function, and the index of the parameter that names the pipe.
    f: Sym,
    index: usize,
    /// The kind of pipe (`event:`).
    prefix: &'static str,
    deps: Deps,
}

impl<'a> Collector<'a, '_, '_> {
    /// A pipe write whose name is `key`: kept for the join when `key` is a parameter of the
    /// function it is written in. Returns whether it was kept.
    pub(super) fn note_param_pipe(
        &mut self,
        key: &'a Expression<'a>,
        prefix: &'static str,
        deps: Deps,
    ) -> bool {
        let Expression::Identifier(id) = key.without_parentheses() else {
            return false;
        };
        let Some(&(f, index)) = self
            .lookup(id.name.as_str())
            .and_then(|s| self.param_index.get(&s))
        else {
            return false;
        };
        if deps.is_empty() || self.param_pipes.len() >= MAX_PARAM_PIPES {
            return false;
        }
        self.param_pipes.push(ParamPipe {
            f,
            index,
            prefix,
            deps,
        });
        true
    }

    /// Each kept write, once per name its function's calls pass.
    pub(super) fn join_param_pipes(&mut self) {
        if self.param_pipes.is_empty() {
            return;
        }
        let writes = std::mem::take(&mut self.param_pipes);
        let own = std::mem::take(&mut self.own_calls);
        let mut keys = Vec::new();
        {
            let mut cx = Contexts::new(&own);
            for w in &writes {
                let names: Vec<String> = self
                    .call_contexts(&mut cx, w.f)
                    .iter()
                    .filter_map(|c| c.vals.get(w.index)?.as_str().map(str::to_string))
                    .take(MAX_NAMES_PER_WRITE)
                    .collect();
                for n in names {
                    keys.push((format!("{}{n}", w.prefix), w.deps.clone()));
                }
            }
        }
        self.own_calls = own;
        for (k, d) in keys {
            self.pipe_write(&k, d);
        }
    }
}
