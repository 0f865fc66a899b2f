//! Decoders the constant evaluator cannot fold (packers, RC4 string arrays, VM dispatch
//! loops): run the script's own decoder in the sealed interpreter ([`super::sandbox`]) and
//! analyse what comes out, either code the script runs (a hidden layer, reported where it
//! runs) or the script itself with its decoder calls replaced by their results.

use super::budget;
use super::collect::{Collector, Ctx};
use super::constants::Constants;
use super::facts::{Facts, HiddenRun, snippet};
use super::interp::Interp;
use super::sandbox::{self, emulate::StubPage};
use oxc_allocator::Allocator;
use oxc_span::SourceType;

/// Time for analysing everything the sandbox decoded from one script.
const LAYER_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// How many times code the sandbox produced goes back to it: a packer around an obfuscated
/// string array (`eval(function(p,a,c,k,e,d)…)` whose payload is javascript-obfuscator
/// output) needs the packer run, then the payload's string-array decoder run.
const MAX_SANDBOX_DEPTH: u32 = 2;

/// Where folding failed, run the script's own decoders in the sealed interpreter and analyse
/// what they produce (see [`sandbox`]). The sandbox runs the script's nested `eval`/`Function`
/// chain itself; code it produced goes back to it only for a decoder of its own (at most
/// [`MAX_SANDBOX_DEPTH`] deep). True when the whole script, its decoder calls replaced, was
/// analysed within its budget.
pub(super) fn run_decoders<'a>(
    text: &'a str,
    program: &'a oxc_ast::ast::Program<'a>,
    base: u32,
    ctx: &Ctx<'_>,
    facts: &mut Facts,
    depth: u32,
) -> bool {
    let folded: std::collections::HashSet<u32> = facts.hidden.iter().map(|h| h.at).collect();
    // Code the evaluator decoded that itself builds more code (`Function(s)()` with `s`
    // computed at run time): the sandbox runs the whole chain.
    let nested = ["eval", "Function", "setTimeout", "setInterval"]
        .iter()
        .any(|w| facts.decoded_text.contains(w));
    let chain = nested && facts.hidden.iter().any(|h| h.hidden);
    let decoded = sandbox::decode(
        text,
        program,
        |start| !nested && folded.contains(&(base + start)),
        chain,
    );
    if decoded.layers.is_empty() && decoded.exhausted.is_none() {
        return false;
    }
    // Decoded layers get a time budget of their own: a slow first pass (the evaluator
    // spinning on a rotation loop it cannot decode) must not leave them none.
    let layer_ctx = Ctx {
        vocab: ctx.vocab,
        apis: ctx.apis,
        deadline: budget::Deadline::after(LAYER_TIME),
        page: ctx.page.clone(),
    };
    let mut superseded = false;
    for layer in &decoded.layers {
        let complete = analyse_sandbox_layer(layer, base, &layer_ctx, facts, depth);
        superseded |= complete && layer.at.is_none();
    }
    if let Some((at, e)) = decoded.exhausted {
        facts
            .budget_exceeded
            .get_or_insert((base + at, e.to_string()));
        return false;
    }
    superseded
}

/// How a layer written from a stub-page run is named.
const EMULATED: &str = "run on a stub page";

/// How a layer decoded out of a string the script stores is named.
const STORED: &str = "encoded in a string of the script";

/// Strings decoded per script (a file of many encoded blobs is reported on its first ones).
const MAX_STORED: usize = 8;

/// Code a script stores in a string without running it here: a loader's payload kept in one
/// file (`window.__ui = "KGZ1bmN0aW9u…"`, escaped, split into `+`-joined pieces or an array)
/// and run by another (`Function(atob(window.__ui))()`), or kept for later. The scripts of a
/// page share one window, so the payload's flows are this script's as much as the runner's:
/// each long string ([`Constants::long_strings`]) that decodes to code, or is code
/// ([`crate::encoded`]), is analysed as a layer reported where the string is. Strings the
/// script runs itself were decoded already.
///
/// [`Constants::long_strings`]: super::constants::Constants
pub(super) fn analyse_stored(
    strings: &[(u32, String)],
    base: u32,
    ctx: &Ctx<'_>,
    facts: &mut Facts,
) {
    let mut found = 0;
    for (at, literal) in strings {
        if found >= MAX_STORED || ctx.deadline.passed() {
            break;
        }
        let Some((code, how)) = crate::encoded::decode_stored(literal) else {
            continue;
        };
        if facts.decoded_text.contains(code.as_str()) {
            continue;
        }
        found += 1;
        tracing::trace!(target: "skimscan::js::facts", "stored code ({how}) at {at}:\n{code}");
        let layer = sandbox::Layer {
            how: STORED.into(),
            code,
            at: Some(*at),
        };
        let layer_ctx = Ctx {
            vocab: ctx.vocab,
            apis: ctx.apis,
            deadline: budget::Deadline::after(LAYER_TIME),
            page: ctx.page.clone(),
        };
        analyse_sandbox_layer(&layer, base, &layer_ctx, facts, MAX_SANDBOX_DEPTH);
    }
}

/// A machine-obfuscated script run whole on a stub page in the sealed interpreter
/// ([`sandbox::emulate`]): the flows it showed are analysed as a layer reported at the
/// script's start. For scripts whose decoders have no shape the plans know (js-confuser).
pub(super) fn run_emulation(text: &str, at: StubPage<'_>, ctx: &Ctx<'_>, facts: &mut Facts) {
    if !sandbox::emulate::worth_running(text) {
        return;
    }
    let observed = match sandbox::emulate::observe(text, sandbox::emulate::limits(true), at) {
        Ok(o) => o,
        // The run is an addition to the static analysis, which stands on its own (and reports
        // its own budgets): a script that outlasts the stub page's budget is no incomplete
        // scan, or every slow obfuscated library would fail CI with exit 3.
        Err(e) => {
            tracing::debug!("the run on a stub page stopped: {e}");
            return;
        }
    };
    tracing::trace!(target: "skimscan::js::facts", "stub-page run: {observed:?}");
    if let Some(code) = sandbox::emulate::layer(&observed, false) {
        analyse_emulated(&code, ctx, facts);
    }
}

/// What a stub-page run of `code` showed: the flows of field data to a URL (only sends that
/// carried a field's canary) as a layer, and the hosts it sent to with no field's data.
#[derive(Default)]
pub(super) struct RunFlows {
    pub layer: Option<String>,
    pub scrubbed_hosts: Vec<String>,
    pub masked_hosts: Vec<String>,
}

pub(super) fn emulated_flows(code: &str, at: StubPage<'_>) -> RunFlows {
    let obfuscated = sandbox::emulate::worth_running(code);
    // A run that stopped on a budget says nothing (it may not have reached its send).
    let Ok(observed) = sandbox::emulate::observe(code, sandbox::emulate::limits(obfuscated), at)
    else {
        return RunFlows::default();
    };
    tracing::trace!(target: "skimscan::js::facts", "stub-page run: {observed:?}");
    RunFlows {
        layer: sandbox::emulate::layer(&observed, true),
        scrubbed_hosts: sandbox::emulate::clean_send_hosts(&observed),
        masked_hosts: sandbox::emulate::masked_send_hosts(&observed),
    }
}

/// Analyse the layer a stub-page run produced, reported at the script's start.
pub(super) fn analyse_emulated(code: &str, ctx: &Ctx<'_>, facts: &mut Facts) {
    tracing::trace!(target: "skimscan::js::facts", "stub-page layer:\n{code}");
    if facts.decoded_text.contains(code) {
        return;
    }
    let layer = sandbox::Layer {
        how: EMULATED.into(),
        code: code.to_string(),
        at: Some(0),
    };
    let layer_ctx = Ctx {
        vocab: ctx.vocab,
        apis: ctx.apis,
        deadline: budget::Deadline::after(LAYER_TIME),
        page: ctx.page.clone(),
    };
    analyse_sandbox_layer(&layer, 0, &layer_ctx, facts, MAX_SANDBOX_DEPTH);
}

/// Analyse one layer the sandbox produced: code the script runs (reported at the place that
/// runs it, as hidden code), or the script with its decoder calls replaced (its own offsets).
/// Returns whether the layer was analysed in full.
fn analyse_sandbox_layer(
    layer: &sandbox::Layer,
    base: u32,
    ctx: &Ctx<'_>,
    facts: &mut Facts,
    depth: u32,
) -> bool {
    let code = layer.code.as_str();
    let emulated = layer.how == EMULATED;
    let stored = layer.how == STORED;
    if let Some(at) = layer.at.filter(|_| !emulated && !stored) {
        if facts.decoded_text.contains(code) {
            // The constant evaluator decoded the same code and analysed it already.
            return true;
        }
        facts.hidden.push(HiddenRun {
            at: base + at,
            hidden: true,
            evidence: format!(
                "{} ← decoded by running the script's own decoder: {}",
                layer.how,
                snippet(code, 140)
            ),
        });
        facts.add_decoded(code);
    }
    if emulated || stored {
        // Kept with `--evidence` beside the decoded layers.
        facts.add_decoded(code);
    }
    let shape = budget::shape(code);
    if shape.too_deep() {
        facts
            .budget_exceeded
            .get_or_insert((base, "decoded code nested too deeply".into()));
        return false;
    }
    let alloc = Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
    if ret.panicked {
        return false;
    }
    let program = alloc.alloc(ret.program);
    super::canon::static_members(&alloc, program);
    let program: &oxc_ast::ast::Program<'_> = program;
    let consts = Constants::collect(program, code);
    let interp = Interp::new(code, consts.decls(), ctx.deadline.0)
        .with_changes(consts.volatile.clone(), consts.staged.clone());
    // In the script with its decoder calls replaced, the sandbox already ran the rotation and
    // its results are literals: running the rotation loop again would only burn fuel.
    if layer.at.is_some() {
        for r in &consts.rotators {
            interp.run_call(r);
        }
    }
    interp.run_top_level(&program.body);
    let at = layer.at.map(|a| base + a);
    let mut c = Collector::new(code, &interp, facts, ctx, base)
        .with_script_props(&consts)
        .decoded(at)
        .noted(if emulated {
            Some(EMULATED)
        } else {
            stored.then_some(STORED)
        });
    c.run(program);
    let complete = !c.stopped && !interp.timed_out.get() && !ctx.deadline.passed();
    // Code the script runs that has a decoder of its own: its facts are reported where the
    // script runs it (`at`), as the layer's are.
    if let Some(at) = at
        && depth + 1 < MAX_SANDBOX_DEPTH
        && !ctx.deadline.passed()
    {
        run_decoders(code, program, at, ctx, facts, depth + 1);
    }
    complete
}
