//! Properties only the script assigns. `el.__flId = tag(el)` puts a value of the script's
//! own on an element; reading `el.__flId` later reads that value, not all of `el`. Such a
//! property (assigned as `x.p = …`, never an object literal's key, a destructured key or a
//! class member, and not one the browser fills) is one flow symbol, fed by every assignment
//! and by what is put inside it (`deps.rs`, `record::edge_to_target`, the assignment visit).

use super::Collector;
use crate::js::flow::Sym;

impl<'a> Collector<'a, '_, '_> {
    /// The properties this code only ever assigns (`x.p = …`; never an object literal's key,
    /// a destructured key or a class member) and the browser does not fill: reading one reads
    /// what the script put there, not the whole object it sits on. A form-analytics script
    /// tagging each field with `el.__flId = fieldName(el)` does not send the fields' values
    /// by sending the tags.
    pub fn with_script_props(mut self, consts: &crate::js::constants::Constants<'a>) -> Self {
        self.script_props = consts
            .assigned_props
            .iter()
            .filter(|p| !consts.literal_keys.contains(*p) && !BROWSER_FILLED.contains(*p))
            .copied()
            .collect();
        self
    }

    /// The flow symbol of an assigned-only property (see [`Self::with_script_props`]).
    /// Not a global of the graph: what is put in a property of the script's own objects is
    /// no more shared state than a local variable.
    pub(super) fn prop_sym(&mut self, prop: &str) -> Sym {
        if let Some(s) = self.prop_syms.get(prop) {
            return *s;
        }
        let s = self.facts.graph.fresh();
        self.prop_syms.insert(prop.to_string(), s);
        s
    }
}

/// Properties the browser fills or reads itself (an element's value and text, a frame's or
/// window's name, a URL's parts, a response): assigning one does not make it the script's.
const BROWSER_FILLED: &[&str] = &[
    "value",
    "textContent",
    "innerText",
    "innerHTML",
    "outerHTML",
    "checked",
    "files",
    "defaultValue",
    "selectedOptions",
    "options",
    "selectedIndex",
    "valueAsNumber",
    "valueAsDate",
    "text",
    "nodeValue",
    "wholeText",
    "data",
    "dataset",
    "name",
    "id",
    "className",
    "title",
    "src",
    "href",
    "action",
    "hash",
    "search",
    "pathname",
    "host",
    "hostname",
    "origin",
    "protocol",
    "port",
    "cookie",
    "response",
    "responseText",
    "result",
    "message",
    "stack",
    "body",
    "status",
    "detail",
    "key",
    "location",
    "length",
];
