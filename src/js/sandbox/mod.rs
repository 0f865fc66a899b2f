//! The sealed interpreter for decoders. Constant folding ([`super::interp`]) recovers the
//! classic tricks, but skimmers ship their own decoders — Dean Edwards' packer,
//! javascript-obfuscator string arrays with base64 and RC4 and a checksum rotation loop,
//! JSFuck, XOR loops, small VMs, `Function` chains whose second layer needs a value the first
//! computed. Rather than re-implement each, this module finds the decoder by its shape
//! ([`shapes`]), runs exactly that code in an embedded JavaScript engine that has no I/O at
//! all ([`engine`]: QuickJS with time, memory, stack and output limits), and hands back what it
//! produced:
//! - **code layers**: strings the script would run (`eval`, `Function`, string timers, script
//!   Blobs), recorded by the sandbox's own `eval`/`Function`, which also run them so nested
//!   layers decode;
//! - **the script with its decoder calls replaced** by the strings they return
//!   ([`rewrite`]), which the ordinary analysis then reads as if it had been written plainly.
//!
//! The caller ([`super::analyse`]) analyses each layer like any other hidden code. The sandbox
//! runs only where folding fails: a packer, a code sink whose argument the evaluator could not
//! decode, a call of a decoding function with constant arguments, JSFuck, or a decoding loop
//! at start-up — and a sink inside a function counts only in a script that has a decoder (see
//! `sinks.rs`). Running out of a budget is reported, so the script's analysis is incomplete
//! rather than silently clean.

mod canaries;
mod captions;
mod drop_marks;
pub mod emulate;
pub mod engine;
mod locals;
mod media;
mod own_code;
mod page_words;
mod pipe_marks;
pub mod rewrite;
pub mod shapes;
mod sinks;
mod startup;
mod statements;
mod syntax;
pub mod web_crypto;

use engine::{Limits, Outcome, Sandbox, SandboxError};
use oxc_ast::ast::Program;
use shapes::Plan;

/// Code produced by the script's own decoder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// How the script runs it: `eval`, `Function`, `setTimeout`, `Blob`, or `decoded script`
    /// (the script itself with decoder calls replaced, offsets kept where possible).
    pub how: String,
    pub code: String,
    /// Offset in the script where the layer is reported (None: the layer keeps the script's
    /// own offsets).
    pub at: Option<u32>,
}

/// Everything the sandbox produced for one script.
#[derive(Debug, Default)]
pub struct Decoded {
    pub layers: Vec<Layer>,
    /// A budget the sandbox ran out of, and where: the script's analysis is incomplete.
    pub exhausted: Option<(u32, SandboxError)>,
    /// How many constant expressions were replaced by their values.
    pub replaced: usize,
}

/// Find the decoders in `program` and run them. `folded` says whether the constant evaluator
/// already decoded the code sink starting at an offset. The sandbox has its own time budget
/// ([`Limits::time`]), on top of the script's.
/// `chain`: the evaluator decoded code from this script that itself builds more code, so the
/// script runs in the sandbox even when no sink of its own looks undecoded (a `Function`
/// reached through a variable).
pub fn decode<'a>(
    src: &'a str,
    program: &'a Program<'a>,
    folded: impl Fn(u32) -> bool,
    chain: bool,
) -> Decoded {
    // A chain runs whatever the plan says, so it needs everything the full walk records
    // (the quick walk of a script without decoders skips function bodies).
    let plan = if chain {
        Plan::full(src, program)
    } else {
        Plan::of(src, program)
    };
    if !chain && !plan.worth_running(&folded) {
        return Decoded::default();
    }
    run(src, &plan, Limits::default(), &folded)
}

/// Run a plan in a fresh sandbox.
pub fn run(src: &str, plan: &Plan, limits: Limits, folded: impl Fn(u32) -> bool) -> Decoded {
    let mut out = Decoded::default();
    let report_at = plan
        .packers
        .first()
        .copied()
        .or_else(|| plan.code_sinks.iter().copied().find(|s| !folded(*s)))
        .unwrap_or(0);
    let mut sandbox = match Sandbox::new(limits) {
        Ok(s) => s,
        Err(e) => {
            out.exhausted = Some((report_at, e));
            return out;
        }
    };
    let text = |s: oxc_span::Span| src.get(s.start as usize..s.end as usize).unwrap_or("");
    let mut steps = || -> Result<Vec<rewrite::Replacement>, SandboxError> {
        // Only the script's own text (see `self_document.js`).
        let own = serde_json::to_string(src).unwrap_or_else(|_| "\"\"".into());
        sandbox.run_own(
            "__skimscan_self_document",
            include_str!("self_document.js"),
            &own,
        )?;
        for (name, f) in &plan.named {
            sandbox.run(&format!("var {name} = ({});", text(*f)))?;
        }
        for s in &plan.setup {
            let code = text(*s);
            if plan.lexical.contains(&s.start) {
                sandbox.run(&as_var(code))?;
            } else {
                sandbox.run(code)?;
            }
        }
        for w in &plan.wrappers {
            sandbox.run(&as_var(text(*w)))?;
        }
        let mut replacements = Vec::new();
        for e in &plan.evaluations {
            let value = match (&e.entities, &e.literal) {
                (Some(_), Some(lit)) => Some(lit.clone()),
                (Some(arg), None) => match sandbox.run(&format!("({})", text(*arg)))? {
                    Outcome::Done(v) => v,
                    Outcome::Threw => None,
                },
                (None, _) if !e.env.is_empty() => match sandbox.run(&format!(
                    "(function(){{var {};return ({});}})()",
                    e.env.join(","),
                    text(e.span)
                ))? {
                    Outcome::Done(v) => v,
                    Outcome::Threw => None,
                },
                (None, _) => match sandbox.run(&format!("({})", text(e.span)))? {
                    Outcome::Done(v) => v,
                    Outcome::Threw => None,
                },
            };
            let Some(mut value) = value else { continue };
            if e.entities.is_some() {
                value = html_escape::decode_html_entities(&value).into_owned();
            }
            replacements.push(rewrite::Replacement {
                span: e.span,
                value,
            });
        }
        for (name, reads) in &plan.late_reads {
            if let Outcome::Done(Some(value)) =
                sandbox.run(&format!("typeof {name} === 'string' ? {name} : undefined"))?
            {
                for r in reads {
                    replacements.push(rewrite::Replacement {
                        span: *r,
                        value: value.clone(),
                    });
                }
            }
        }
        Ok(replacements)
    };
    let replacements = match steps() {
        Ok(r) => r,
        Err(e) => {
            out.exhausted = Some((report_at, e));
            Vec::new()
        }
    };
    // Layers recorded before a budget ran out are still worth analysing.
    match sandbox.take_layers() {
        Ok(layers) => {
            for (how, code) in layers {
                out.layers.push(Layer {
                    how,
                    code,
                    at: Some(report_at),
                });
            }
        }
        Err(e) => {
            out.exhausted.get_or_insert((report_at, e));
        }
    }
    if !replacements.is_empty() {
        out.replaced = replacements.len();
        if let Some(code) = rewrite::apply(src, replacements, limits.output) {
            out.layers.push(Layer {
                how: "decoded script".into(),
                code,
                at: None,
            });
        } else {
            out.exhausted
                .get_or_insert((report_at, SandboxError::Output(limits.output >> 20)));
        }
    }
    out
}

/// `let`/`const` run as `var`: the sandbox runs statements one by one at the top level, where
/// the bodies of two unwrapped IIFEs may declare the same name.
fn as_var(code: &str) -> String {
    for kw in ["const ", "let "] {
        if let Some(rest) = code.strip_prefix(kw) {
            return format!("var {rest}");
        }
    }
    code.to_string()
}
