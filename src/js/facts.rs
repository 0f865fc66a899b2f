//! Facts about one script, with their places: where payment data is read (sources), where
//! data leaves or code arrives (sinks, sends, loads), what is hidden, and which obfuscation
//! markers appear. Facts are owned values (no AST references), so code decoded from `eval`
//! adds to the same facts as the code around it.

use super::flow::{Deps, FlowGraph};
use crate::rules::schema::{Channel, Marker, SourceKind};

/// A byte offset in the original script text (decoded code reports its outer call's offset).
pub type Offset = u32;

/// A URL (or origin) as far as constants resolve it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlText {
    /// The known text: the whole URL, or its known beginning.
    pub text: Option<String>,
    /// Whether `text` is the whole URL.
    pub complete: bool,
    /// Whether resolving it needed a decoding step (Base64, char codes, a string table…).
    pub hidden: bool,
}

#[derive(Clone, Debug)]
pub struct SourceRead {
    pub kind: SourceKind,
    pub at: Offset,
    pub evidence: String,
}

/// A place where data leaves the page (or the page navigates, or a form is retargeted).
#[derive(Clone, Debug)]
pub struct Sink {
    pub channel: Channel,
    pub at: Offset,
    pub url: UrlText,
    /// What flows into the sink (URL and body).
    pub deps: Deps,
    /// The object the sink belongs to (an XHR, a WebSocket), to join later `send` calls.
    pub handle: Option<u32>,
    pub evidence: String,
    pub gated: bool,
}

/// `x.send(data)`: joined to the XHR / WebSocket / data-channel sinks of the same handle.
#[derive(Clone, Debug)]
pub struct Send {
    pub handle: Option<u32>,
    pub deps: Deps,
    pub at: Offset,
}

/// Code that loads more code.
#[derive(Clone, Debug)]
pub struct Load {
    pub channel: Channel,
    pub at: Offset,
    pub url: UrlText,
    pub gated: bool,
    pub evidence: String,
}

#[derive(Clone, Debug)]
pub struct MarkerHit {
    pub marker: Marker,
    pub at: Offset,
    pub evidence: String,
}

/// `eval` and friends with a constant argument.
#[derive(Clone, Debug)]
pub struct HiddenRun {
    pub at: Offset,
    pub hidden: bool,
    pub evidence: String,
}

#[derive(Clone, Debug)]
pub struct Injection {
    pub at: Offset,
    pub evidence: String,
}

#[derive(Debug, Default)]
pub struct Facts {
    pub sources: Vec<SourceRead>,
    /// Selections of every field kept in a holder: a harvest only once their data is read
    /// into something (see `collect::holders`).
    pub held_harvests: Vec<SourceRead>,
    pub sinks: Vec<Sink>,
    pub sends: Vec<Send>,
    pub loads: Vec<Load>,
    pub markers: Vec<MarkerHit>,
    pub hidden: Vec<HiddenRun>,
    pub injections: Vec<Injection>,
    pub graph: FlowGraph,
    /// Decoded strings and decoded code, for the indicator rules (bounded in total size).
    pub decoded_text: String,
    /// Problems met while analysing (a budget exceeded inside decoded code…).
    pub problems: Vec<String>,
    pub budget_exceeded: Option<(Offset, String)>,
    pub fallback_used: bool,
    /// Hosts a run on the stub page sent to with none of the fields it read (see
    /// `sandbox::emulate::clean_send_hosts`): reading every field is then no finding by
    /// itself for a send there.
    pub scrubbed_send_hosts: Vec<String>,
    /// Hosts a run sent the card fields to by name, masked (see
    /// `sandbox::emulate::masked_send_hosts`): a flow of card data there is a masked send.
    pub masked_send_hosts: Vec<String>,
    /// Pipe keys data was put into (`storage:local:k`, `event:name`, `dom:id`, `message`…)
    /// and pipe keys read back, for the page-level join across scripts (see `pipes`).
    pub pipes_written: std::collections::BTreeSet<String>,
    pub pipes_read: std::collections::BTreeSet<String>,
    /// A payment processor's frame or container hidden by the script (overlay attacks).
    pub hidden_frames: Vec<(Offset, String)>,
    /// The script makes form fields of its own (`createElement('input')`, wherever it is
    /// called: inside a helper that also names them the walk cannot see which they are).
    pub makes_fields: bool,
    /// A selector literal of the script names a card field (`'#cc_number'`,
    /// `'[name="payment[cc_cid]"]'`), whether or not the walk saw it used. Only looked for in
    /// code of at most [`SMALL_SCRIPT_BYTES`]: only a small script goes to the stub page for it.
    pub names_card_field: bool,
    /// The script runs code it computed (`eval`, `Function`, a string timer of a value that
    /// is not a literal): a loader's first stage, worth a run on the stub page when small.
    pub runs_made_code: bool,
}

/// A script (or decoded layer) this small is worth a run on the stub page when it merely
/// touches form fields; above it, only when the walk saw it read card fields.
pub const SMALL_SCRIPT_BYTES: usize = 32 << 10;

/// Upper bound on `Facts::decoded_text`.
pub const MAX_DECODED_TEXT: usize = 4 << 20;

impl Facts {
    pub fn add_decoded(&mut self, s: &str) {
        if self.decoded_text.len() + s.len() <= MAX_DECODED_TEXT {
            self.decoded_text.push_str(s);
            self.decoded_text.push('\n');
        }
    }
}

/// Collapse whitespace and cut to `max` characters, for evidence snippets.
pub fn snippet(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(max.min(s.len()));
    let mut n = 0;
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
            n += 1;
        }
        space = false;
        if n >= max {
            out.push('…');
            break;
        }
        if c == super::value::HOLE {
            // An unknown run of a partly known string.
            out.push('…');
        } else if c.is_control() {
            out.push('?');
        } else {
            out.push(c);
        }
        n += 1;
    }
    out
}
