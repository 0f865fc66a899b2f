//! Decoders the constant evaluator cannot fold (packers, RC4 string arrays, VM dispatch
//! loops): run the script's own decoder in the sealed interpreter ([`super::sandbox`]) and
//! analyse what comes out, either code the script runs (a hidden layer, reported where it
//! runs) or the script itself with its decoder calls replaced by their results.

use super::budget;
use super::collect::{Collector, Ctx};
use super::constants::Constants;
use super::facts::{Facts, HiddenRun, snippet};
use super::interp::Interp;
use super::sandbox;
use oxc_allocator::Allocator;
use oxc_span::SourceType;

/// Time for analysing everything the sandbox decoded from one script.
const LAYER_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Where folding failed, run the script's own decoders in the sealed interpreter and analyse
/// what they produce (see [`sandbox`]). Layers are analysed once: they do not go back to the
/// sandbox (the sandbox itself already ran their nested `eval`/`Function` layers). True when
/// the whole script, its decoder calls replaced, was analysed within its budget.
pub(super) fn run_decoders<'a>(
    text: &'a str,
    program: &'a oxc_ast::ast::Program<'a>,
    base: u32,
    ctx: &Ctx<'_>,
    facts: &mut Facts,
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
    };
    let mut superseded = false;
    for layer in &decoded.layers {
        let complete = analyse_sandbox_layer(layer, base, &layer_ctx, facts);
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

/// Analyse one layer the sandbox produced: code the script runs (reported at the place that
/// runs it, as hidden code), or the script with its decoder calls replaced (its own offsets).
/// Returns whether the layer was analysed in full.
fn analyse_sandbox_layer(
    layer: &sandbox::Layer,
    base: u32,
    ctx: &Ctx<'_>,
    facts: &mut Facts,
) -> bool {
    let code = layer.code.as_str();
    if let Some(at) = layer.at {
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
    let mut c = Collector::new(code, &interp, facts, ctx, base).decoded(at);
    c.run(program);
    !c.stopped && !interp.timed_out.get() && !ctx.deadline.passed()
}
