//! One script, start to finish: budgets, parsing (oxc; tree-sitter when oxc gives no tree),
//! the constants pre-pass and start-up table rotation, the fact walk, then findings.
//!
//! Code decoded from `eval`, `Function`, `setTimeout(string)` or `document.write` goes
//! through the same path ([`analyse_layer`]): the same top-level run, the same fallback parser
//! and the same facts when it does not parse, so a decoder is judged the same wherever it sits.

use super::budget::{self, Deadline, MAX_SCRIPT_BYTES, TIME_PER_SCRIPT};
use super::collect::{Collector, Ctx, Layer};
use super::constants::Constants;
use super::evaluate;
use super::facts::{Facts, Load, MarkerHit, UrlText, snippet};
use super::fallback;
use super::interp::Interp;
use super::knowledge::Knowledge;
use super::markup;
use super::vocabulary::Vocabulary;
use super::{AnalysisJob, HostPolicy, ScriptAnalysis};
use crate::rules::RuleSet;
use crate::rules::schema::Channel;
use crate::rules::schema::Marker;
use oxc_allocator::Allocator;
use oxc_span::SourceType;

pub fn analyse(
    job: &AnalysisJob,
    k: &Knowledge,
    rules: &RuleSet,
    policy: &HostPolicy,
) -> ScriptAnalysis {
    let deadline = Deadline::after(TIME_PER_SCRIPT);
    let mut facts = Facts::default();
    let code: &str = &job.code;
    let text = if code.len() > MAX_SCRIPT_BYTES {
        let mut cut = MAX_SCRIPT_BYTES;
        while !code.is_char_boundary(cut) {
            cut -= 1;
        }
        facts.budget_exceeded = Some((
            cut as u32,
            format!(
                "script is {} bytes; only the first {} MB were analysed",
                code.len(),
                MAX_SCRIPT_BYTES >> 20
            ),
        ));
        &code[..cut]
    } else {
        code
    };
    let ctx = Ctx {
        vocab: &k.vocab,
        apis: &k.web_api,
        deadline,
    };
    let shape = budget::shape(text);
    if shape.too_deep() {
        let why = if shape.max_depth > budget::MAX_NESTING {
            format!(
                "brackets nested {} deep (limit {})",
                shape.max_depth,
                budget::MAX_NESTING
            )
        } else {
            format!(
                "{} operators in one expression (limit {})",
                shape.max_operator_run,
                budget::MAX_OPERATOR_RUN
            )
        };
        facts.budget_exceeded = Some((shape.deep_at.unwrap_or(0) as u32, why));
        analyse_chunks(text, &ctx, &mut facts, true);
    } else {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, text, SourceType::script()).parse();
        if ret.panicked {
            facts.fallback_used = true;
            drop(ret);
            if contains_script_tag(text) {
                analyse_markup(text, &ctx, &mut facts);
            } else if !analyse_unescaped(text, 0, &ctx, &mut facts) {
                analyse_chunks(text, &ctx, &mut facts, false);
            }
        } else {
            let program = alloc.alloc(ret.program);
            let _ = analyse_program(text, program, 0, &ctx, &mut facts, &mut Layer::default());
        }
    }
    evaluate::findings(job, code, facts, k, rules, policy)
}

/// Analyse a layer of decoded code the way a script is analysed. Returns whether the walk
/// stopped on a budget, and the evaluator fuel it used (charged to the enclosing script).
pub fn analyse_layer(code: &str, layer: &Layer, ctx: &Ctx<'_>, facts: &mut Facts) -> (bool, u64) {
    let at = layer.at.unwrap_or(0);
    if budget::shape(code).too_deep() {
        facts
            .budget_exceeded
            .get_or_insert((at, "decoded code nested too deeply".into()));
        return (false, 0);
    }
    let mut layer = layer.clone();
    let start = layer.fuel.unwrap_or(0);
    let stopped = analyse_layer_code(code, &mut layer, ctx, facts);
    (stopped, start.saturating_sub(layer.fuel.unwrap_or(0)))
}

fn analyse_layer_code(code: &str, layer: &mut Layer, ctx: &Ctx<'_>, facts: &mut Facts) -> bool {
    let alloc = Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
    if !ret.panicked {
        let program = alloc.alloc(ret.program);
        return analyse_program(code, program, 0, ctx, facts, layer);
    }
    drop(ret);
    // A function body (`new Function(body)`) may `return` at its top level.
    if code.contains("return") {
        let wrapped = format!("(function(){{\n{code}\n}})();");
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, &wrapped, SourceType::script()).parse();
        if !ret.panicked {
            let program = alloc.alloc(ret.program);
            return analyse_program(&wrapped, program, 0, ctx, facts, layer);
        }
    }
    facts.fallback_used = true;
    match analyse_chunks_at(code, 0, ctx, facts, layer) {
        Some(stopped) => stopped,
        None => {
            facts
                .problems
                .push("decoded code could not be read by any parser".into());
            false
        }
    }
}

fn analyse_program<'a>(
    text: &'a str,
    program: &'a oxc_ast::ast::Program<'a>,
    base: u32,
    ctx: &Ctx<'_>,
    facts: &mut Facts,
    layer: &mut Layer,
) -> bool {
    let consts = Constants::collect(program, text);
    let mut interp = Interp::new(text, consts.decls(), ctx.deadline.0)
        .with_changes(consts.volatile.clone(), consts.staged.clone());
    if let Some(f) = layer.fuel {
        interp = interp.with_fuel(f);
    }
    for r in &consts.rotators {
        interp.run_call(r);
    }
    interp.run_top_level(&program.body);
    if let Some(r) = consts.rotators.first() {
        facts.markers.push(MarkerHit {
            marker: Marker::StringTable,
            at: base + r.span.start,
            evidence: format!(
                "string table rotated at start-up: {}",
                snippet(
                    text.get(r.span.start as usize..r.span.end as usize)
                        .unwrap_or(""),
                    100
                )
            ),
        });
    }
    let mut c = Collector::new(text, &interp, facts, ctx, base).for_layer(layer);
    c.run(program);
    let stopped = c.stopped;
    if layer.fuel.is_some() {
        layer.fuel = Some(interp.remaining());
    }
    if interp.timed_out.get() && facts.budget_exceeded.is_none() {
        facts.budget_exceeded = Some((base, "analysis time budget exceeded".into()));
    }
    stopped
}

/// Analyse the statements tree-sitter could read, each parsed by oxc on its own.
fn analyse_chunks(text: &str, ctx: &Ctx<'_>, facts: &mut Facts, skip_deep: bool) {
    let Some(chunks) = fallback::intact_statements(text, ctx.deadline) else {
        facts
            .problems
            .push("no parser could read the script".into());
        return;
    };
    let mut parsed_any = false;
    for (start, end) in chunks {
        if ctx.deadline.passed() {
            facts
                .budget_exceeded
                .get_or_insert((start as u32, "analysis time budget exceeded".into()));
            break;
        }
        let Some(piece) = text.get(start..end) else {
            continue;
        };
        if skip_deep && budget::shape(piece).too_deep() {
            continue;
        }
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, piece, SourceType::script()).parse();
        if ret.panicked {
            continue;
        }
        parsed_any = true;
        let program = alloc.alloc(ret.program);
        let _ = analyse_program(
            piece,
            program,
            start as u32,
            ctx,
            facts,
            &mut Layer::default(),
        );
    }
    if !parsed_any && !text.trim().is_empty() && !skip_deep {
        facts
            .problems
            .push("no parser produced a usable tree".into());
    }
}

/// Code stored with escaped quotes (`\'`, `\"`), as in database dumps and markup injected
/// through a database field (the shop unescapes it when rendering, so it runs): analyse the
/// unescaped code when it parses. Offsets inside it are approximate (each escape is one byte
/// shorter). Returns false when there is nothing to unescape or it still does not parse.
fn analyse_unescaped(body: &str, base: u32, ctx: &Ctx<'_>, facts: &mut Facts) -> bool {
    if !(body.contains("\\'") || body.contains("\\\"")) {
        return false;
    }
    let unescaped = body.replace("\\'", "'").replace("\\\"", "\"");
    let alloc = Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, &unescaped, SourceType::script()).parse();
    if ret.panicked {
        return false;
    }
    let program = alloc.alloc(ret.program);
    let _ = analyse_program(&unescaped, program, base, ctx, facts, &mut Layer::default());
    true
}

fn contains_script_tag(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"<script").is_some()
        || memchr::memmem::find(text.as_bytes(), b"<SCRIPT").is_some()
}

/// A "script" that is really markup (an injected `<script>` block stored in a database or a
/// theme file): analyse each inline script body in place, and record `<script src>` loads.
fn analyse_markup(text: &str, ctx: &Ctx<'_>, facts: &mut Facts) {
    for (start, end) in markup::inline_script_ranges(text) {
        let Some(body) = text.get(start..end) else {
            continue;
        };
        if budget::shape(body).too_deep() {
            continue;
        }
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, body, SourceType::script()).parse();
        if !ret.panicked {
            let program = alloc.alloc(ret.program);
            let _ = analyse_program(
                body,
                program,
                start as u32,
                ctx,
                facts,
                &mut Layer::default(),
            );
            continue;
        }
        drop(ret);
        if analyse_unescaped(body, start as u32, ctx, facts) {
            continue;
        }
        let _ = analyse_chunks_at(body, start, ctx, facts, &mut Layer::default());
    }
    let m = markup::scan(text, &Vocabulary::default());
    for src in m.script_srcs {
        facts.loads.push(Load {
            channel: Channel::Markup,
            at: markup::first_offset(text, &src),
            url: UrlText {
                text: Some(src.clone()),
                complete: true,
                hidden: false,
            },
            gated: false,
            evidence: format!("<script src=\"{}\">", snippet(&src, 150)),
        });
    }
}

/// Analyse the statements tree-sitter could read, each parsed by oxc on its own, at `base`
/// (offsets in the script) within `layer`. None when no parser could read the text; else
/// whether a walk stopped on a budget.
fn analyse_chunks_at(
    body: &str,
    base: usize,
    ctx: &Ctx<'_>,
    facts: &mut Facts,
    layer: &mut Layer,
) -> Option<bool> {
    let chunks = fallback::intact_statements(body, ctx.deadline)?;
    let mut stopped = false;
    for (s, e) in chunks {
        let Some(piece) = body.get(s..e) else {
            continue;
        };
        if budget::shape(piece).too_deep() {
            continue;
        }
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, piece, SourceType::script()).parse();
        if ret.panicked {
            continue;
        }
        let program = alloc.alloc(ret.program);
        stopped |= analyse_program(piece, program, (base + s) as u32, ctx, facts, layer);
    }
    Some(stopped)
}
