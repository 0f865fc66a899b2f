//! The kinds of script a page runs. A leaf of the data model: the page model, the engine and
//! the inventory all name them, and it depends on nothing.

use serde::{Deserialize, Serialize};

/// Where a piece of JavaScript on a page comes from (cli.md `scripts[].kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScriptKind {
    /// `<script src>`, `<link rel=preload|modulepreload as=script>`, or a `.js` target.
    External,
    /// Code between `<script>` tags.
    Inline,
    /// An `on*=` attribute or a `javascript:` URL.
    Handler,
    /// A script the page's code loads at run time (found by the analysis).
    Dynamic,
    /// Seen running in the browser pass only: injected, eval'd, from a tag manager, a worker.
    Runtime,
}

impl ScriptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScriptKind::External => "external",
            ScriptKind::Inline => "inline",
            ScriptKind::Handler => "handler",
            ScriptKind::Dynamic => "dynamic",
            ScriptKind::Runtime => "runtime",
        }
    }
}
