//! One script, start to finish: budgets, parsing (oxc; tree-sitter when oxc gives no tree),
//! the constants pre-pass and start-up table rotation, the fact walk, then findings.
//!
//! Code decoded from `eval`, `Function`, `setTimeout(string)` or `document.write` goes
//! through the same path ([`analyse_layer`]): the same top-level run, the same fallback parser
//! and the same facts when it does not parse, so a decoder is judged the same wherever it sits.
//! Decoders the evaluator cannot fold run in the sealed interpreter ([`super::decoders`]).

use super::budget::{self, Deadline, MAX_SCRIPT_BYTES, TIME_PER_SCRIPT};
use super::collect::{Collector, Ctx, Layer};
use super::constants::Constants;
use super::decoders::run_decoders;
use super::evaluate;
use super::facts::{Facts, Load, MarkerHit, UrlText, snippet};
use super::fallback;
use super::interp::Interp;
use super::knowledge::Knowledge;
use super::markup;
use super::sandbox::{self, emulate::StubPage};
use super::vocabulary::Vocabulary;
use super::{AnalysisJob, HostPolicy, ScriptAnalysis};
use crate::finding::Severity;
use crate::rules::RuleSet;
use crate::rules::schema::Channel;
use crate::rules::schema::Marker;
use crate::rules::schema::SourceKind;
use oxc_allocator::Allocator;
use oxc_span::SourceType;

pub fn analyse(
    job: &AnalysisJob,
    k: &Knowledge,
    rules: &RuleSet,
    policy: &HostPolicy,
) -> ScriptAnalysis {
    // The page's own card fields join the vocabulary for this script only.
    let page_vocab =
        (!job.page_fields.is_empty()).then(|| k.vocab.with_page_fields(&job.page_fields));
    let page = std::rc::Rc::new(crate::page::values::PageValues {
        host: job.page_host.clone(),
        ..job.page_values.clone()
    });
    let ctx = |deadline| Ctx {
        vocab: page_vocab.as_ref().unwrap_or(&k.vocab),
        apis: &k.web_api,
        deadline,
        page: page.clone(),
    };
    let facts = gather(job, &ctx(Deadline::after(TIME_PER_SCRIPT)), None);
    // Card fields by their words; a walk over every input (a harvest source) only in a small
    // script: `getElementsByTagName("input")` is in nearly every library of a checkout page,
    // and running each of them whole doubled the CPU of a cold scan of a 200-page shop.
    // A small script runs too when it makes fields of its own, names card fields in
    // selectors the walk did not see used, reads fields' values or hooks a DOM interface's
    // prototype (`HTMLInputElement.prototype`'s `value`, `HTMLFormElement.prototype.submit`): a
    // fake form built by a helper (`mk({placeholder: 'Kartennummer'})`), a table of selectors
    // walked in a loop, fields found by their labels or by their order in the form.
    // A small script listening to keystrokes runs too: a keylogger adds up `e.key` and
    // never reads a field's value.
    // A small loader runs too: code it computed (`Function(decoded)`), a script element fed
    // from a Blob or a `data:` URL, a stage unpacked with `DecompressionStream` or read back
    // from an image's pixels. Its second stage, run on the stub page, is what reads the card.
    let reads_card = facts.sources.iter().any(|s| {
        s.kind == SourceKind::Payment
            || (matches!(s.kind, SourceKind::Harvest | SourceKind::Keystroke)
                && job.code.len() <= HARVEST_MAX_BYTES)
    }) || (job.code.len() <= HARVEST_MAX_BYTES
        && (facts.makes_fields
            || facts.names_card_field
            || facts.runs_made_code
            || [
                &b".value"[..],
                b"Element.prototype",
                b"createObjectURL",
                b"DecompressionStream",
                b"getImageData",
            ]
            .iter()
            .any(|w| memchr::memmem::find(job.code.as_bytes(), w).is_some())));
    // A listener for another script's event or message that sends somewhere the walk could not resolve
    // (a bundle's config): a run resolves it, and says where the event's data goes (see
    // `sandbox::pipe_marks`). The browser's own events (`load`, `blur`, `submit`) count too:
    // a script that sends from such a listener to an address it computes is what a run
    // resolves (leaving them out lost a sealed send-channel case; the runs' cost on
    // libraries is what `sandbox::own_code` cut).
    let relays_event = facts
        .pipes_read
        .iter()
        .any(|p| p.starts_with("event:") || p == "message")
        && facts.sinks.iter().any(|s| !s.url.complete);
    let reads_card = reads_card || relays_event;
    let behaviour = super::behaviour::summarise(&facts);
    let mut out = evaluate::findings(job, &job.code, facts, k, rules, policy);
    out.behaviour = behaviour;
    // A script that reads card fields and was not found sending them anywhere: run it on the
    // stub page (a flow the static walk could not follow); when the card data it read left
    // for a host, analyse it again with that flow as a layer.
    // A high finding that says the connection could not be proven (a read and an outside
    // sink in one script) is what a run can prove, and name the host of: only a critical
    // finding makes the run unnecessary.
    let flagged = out
        .findings
        .iter()
        .any(|f| matches!(f.severity, Severity::Critical));
    // An obfuscated script already ran on the stub page inside `gather`, with every send.
    if reads_card
        && !flagged
        && job.code.len() <= STUB_PAGE_MAX_BYTES
        && !sandbox::emulate::worth_running(&job.code)
    {
        let url = job.stub_page_url();
        let at = StubPage {
            url: url.as_deref(),
            fields: &job.page_form,
        };
        let run = super::decoders::emulated_flows(&job.code, at);
        // A script that read every field and sent somewhere, the flow unproven: when the run
        // sent there with none of the fields' data (an error reporter's scrubbed form state),
        // reading every field is no finding by itself. Judged again only then.
        let unproven = || out.findings.iter().any(|f| f.rule == CO_OCCURRENCE_RULE);
        if run.layer.is_some() || (!run.scrubbed_hosts.is_empty() && unproven()) {
            let mut facts = gather(
                job,
                &ctx(Deadline::after(TIME_PER_SCRIPT)),
                run.layer.as_deref(),
            );
            facts.scrubbed_send_hosts = run.scrubbed_hosts;
            let behaviour = super::behaviour::summarise(&facts);
            out = evaluate::findings(job, &job.code, facts, k, rules, policy);
            out.behaviour = behaviour;
        }
    } else if flagged
        && job.code.len() <= STUB_PAGE_MAX_BYTES
        && !sandbox::emulate::worth_running(&job.code)
        && let Some(hosts) = exfiltration_hosts(&out)
    {
        // Card data proven to reach outside hosts: when a run sent the card fields to each
        // of them by name with their values masked, and sent card data nowhere, the flow is
        // an error reporter's scrubbed form state (see `sandbox::emulate::masked_send_hosts`).
        let url = job.stub_page_url();
        let at = StubPage {
            url: url.as_deref(),
            fields: &job.page_form,
        };
        let run = super::decoders::emulated_flows(&job.code, at);
        if run.layer.is_none() && hosts.iter().all(|h| run.masked_hosts.contains(h)) {
            let mut facts = gather(job, &ctx(Deadline::after(TIME_PER_SCRIPT)), None);
            facts.masked_send_hosts = run.masked_hosts;
            facts.scrubbed_send_hosts = run.scrubbed_hosts;
            let behaviour = super::behaviour::summarise(&facts);
            out = evaluate::findings(job, &job.code, facts, k, rules, policy);
            out.behaviour = behaviour;
        }
    }
    out
}

/// The hosts of a script's critical findings when every one of them is card data sent to
/// named outside hosts (`payment-data-exfiltration`); `None` when any is something else.
fn exfiltration_hosts(out: &ScriptAnalysis) -> Option<Vec<String>> {
    let mut hosts = Vec::new();
    for f in out
        .findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Critical))
    {
        if f.rule != EXFILTRATION_RULE || f.hosts.is_empty() {
            return None;
        }
        hosts.extend(f.hosts.iter().cloned());
    }
    (!hosts.is_empty()).then_some(hosts)
}

/// The rule of card data proven to reach an outside host.
const EXFILTRATION_RULE: &str = "payment-data-exfiltration";

/// The rule of a read and an outside send in one script, the flow unproven.
const CO_OCCURRENCE_RULE: &str = "payment-read-with-outside-sink";

/// The largest readable script that runs on the stub page when it reads card fields: QuickJS
/// compiles a 1.3 MB library (adyen.js) in ~0.2 s, for a check the static walk has already
/// made. Obfuscated scripts (see `sandbox::emulate::worth_running`) run at any size.
const STUB_PAGE_MAX_BYTES: usize = 1 << 20;

/// The largest script whose reading of every field (and no card field by name) sends it to
/// the stub page: skimmers that harvest a whole form are small; libraries that walk inputs
/// are not.
const HARVEST_MAX_BYTES: usize = super::facts::SMALL_SCRIPT_BYTES;

/// Everything the analysis of one script finds, before the rules judge it. `emulated`: flows
/// a stub-page run showed, analysed as a layer of the script.
fn gather(job: &AnalysisJob, ctx: &Ctx<'_>, emulated: Option<&str>) -> Facts {
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
    // Code nested beyond what the parser and the walks may recurse on is blanked (offsets
    // kept); everything else is analysed as usual, and the report says what was not.
    let shape = budget::shape(text);
    let blanked;
    let text: &str = if shape.too_deep() {
        facts.budget_exceeded = Some((
            shape.deep_at.unwrap_or(0) as u32,
            format!(
                "{}; {} byte(s) of code were not analysed",
                shape.reason(),
                shape.deep_ranges.iter().map(|(s, e)| e - s).sum::<usize>()
            ),
        ));
        blanked = shape.blanked(text);
        &blanked
    } else {
        text
    };
    if is_script_block(text) {
        // A `.js` file that is a `<script>…</script>` block (saved from a page, or injected
        // that way): the browser runs the code inside the tag; that is not a syntax error.
        analyse_markup(text, ctx, &mut facts);
    } else {
        let alloc = Allocator::default();
        let mut ret = oxc_parser::Parser::new(&alloc, text, SourceType::script()).parse();
        // A module's syntax (top-level `await`, `import`/`export`) fails as a classic script:
        // read it as the module a `<script type="module">` runs it as.
        if ret.panicked {
            let module = oxc_parser::Parser::new(&alloc, text, SourceType::mjs()).parse();
            if !module.panicked {
                ret = module;
            }
        }
        if ret.panicked {
            facts.fallback_used = true;
            drop(ret);
            if contains_script_tag(text) {
                analyse_markup(text, ctx, &mut facts);
            } else if !analyse_unescaped(text, 0, ctx, &mut facts) {
                analyse_chunks(text, ctx, &mut facts);
            }
        } else {
            let program = alloc.alloc(ret.program);
            super::canon::static_members(&alloc, program);
            let _ = analyse_program(text, program, 0, ctx, &mut facts, &mut Layer::default());
        }
        match emulated {
            Some(layer) => super::decoders::analyse_emulated(layer, ctx, &mut facts),
            None => {
                let url = job.stub_page_url();
                let at = StubPage {
                    url: url.as_deref(),
                    fields: &job.page_form,
                };
                super::decoders::run_emulation(text, at, ctx, &mut facts)
            }
        }
    }
    if facts.graph.truncated {
        facts.budget_exceeded.get_or_insert((
            0,
            "data-flow graph size limit reached; flows beyond it were not followed".into(),
        ));
    }
    // For whoever extends the engine: what it saw, before the rules decide
    // (`SKIMSCAN_LOG=skimscan::js::facts=trace`).
    tracing::trace!(
        target: "skimscan::js::facts",
        script = %job.script_id,
        "sources {:?}\nsinks {:?}\nsends {:?}\nloads {:?}\npipes {:?} -> {:?}",
        facts.sources,
        facts.sinks,
        facts.sends,
        facts.loads,
        facts.pipes_written,
        facts.pipes_read
    );
    facts
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
        super::canon::static_members(&alloc, program);
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
            super::canon::static_members(&alloc, program);
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

/// Analyse one parsed program: the script itself, a fallback chunk of it, or a layer of code
/// decoded from it (`layer`, whose fuel it updates). Returns whether the walk stopped on a
/// budget.
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
        .with_changes(consts.volatile.clone(), consts.staged.clone())
        .with_alternatives(consts.alternatives())
        .with_page(ctx.page.clone());
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
    let mut c = Collector::new(text, &interp, facts, ctx, base)
        .for_layer(layer)
        .with_script_props(&consts);
    c.run(program);
    let stopped = c.stopped;
    if layer.fuel.is_some() {
        layer.fuel = Some(interp.remaining());
    }
    if let Some(at) = layer.at {
        // A decoded layer: the sandbox already ran the whole chain from the script itself,
        // so layers do not go back to it.
        if interp.out_of_fuel() {
            facts.budget_exceeded.get_or_insert((
                at,
                "evaluation step budget exhausted in decoded code; values computed after it are unknown".into(),
            ));
        }
        return stopped;
    }
    let superseded = run_decoders(text, program, base, ctx, facts, 0);
    super::decoders::analyse_stored(&consts.long_strings, base, ctx, facts);
    // The evaluator may spin out its time on a decoder it cannot fold (a rotation loop over
    // an encoded table); when the sandbox decoded the whole script and that was analysed in
    // full, nothing is missing.
    if interp.timed_out.get() && !superseded && facts.budget_exceeded.is_none() {
        facts.budget_exceeded = Some((base, "analysis time budget exceeded".into()));
    }
    if interp.out_of_fuel() && facts.budget_exceeded.is_none() {
        facts.budget_exceeded = Some((
            base,
            "evaluation step budget exhausted; values computed after it are unknown".into(),
        ));
    }
    stopped
}

/// Analyse the statements tree-sitter could read, each parsed by oxc on its own.
fn analyse_chunks(text: &str, ctx: &Ctx<'_>, facts: &mut Facts) {
    let Some(chunks) = fallback::intact_statements(text, ctx.deadline) else {
        facts
            .problems
            .push("no parser could read the script".into());
        return;
    };
    if chunks.len() >= fallback::MAX_CHUNKS {
        facts.budget_exceeded.get_or_insert((
            chunks.last().map_or(0, |c| c.1 as u32),
            format!(
                "more than {} statements around syntax errors; the rest was not analysed",
                fallback::MAX_CHUNKS
            ),
        ));
    }
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
        if budget::shape(piece).too_deep() {
            note_too_deep(facts, start as u32);
            continue;
        }
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, piece, SourceType::script()).parse();
        if ret.panicked {
            continue;
        }
        parsed_any = true;
        let program = alloc.alloc(ret.program);
        super::canon::static_members(&alloc, program);
        let _ = analyse_program(
            piece,
            program,
            start as u32,
            ctx,
            facts,
            &mut Layer::default(),
        );
    }
    // A JSON document is no script (a tag manager's container a loader downloaded and
    // takes its tags' code from): nothing runs it as one, so its not parsing is no gap.
    if !parsed_any
        && !text.trim().is_empty()
        && facts.budget_exceeded.is_none()
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_err()
    {
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
    // Unescaping turns string contents into code: measure that code again.
    let shape = budget::shape(&unescaped);
    let unescaped = if shape.too_deep() {
        note_too_deep(facts, base);
        shape.blanked(&unescaped)
    } else {
        unescaped
    };
    let alloc = Allocator::default();
    let ret = oxc_parser::Parser::new(&alloc, &unescaped, SourceType::script()).parse();
    if ret.panicked {
        return false;
    }
    let program = alloc.alloc(ret.program);
    super::canon::static_members(&alloc, program);
    let _ = analyse_program(&unescaped, program, base, ctx, facts, &mut Layer::default());
    true
}

/// Text that opens with a `<script>` tag (after white space and a byte-order mark).
fn is_script_block(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.get(..7)
        .is_some_and(|h| h.eq_ignore_ascii_case("<script"))
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
            note_too_deep(facts, start as u32);
            continue;
        }
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, body, SourceType::script()).parse();
        if !ret.panicked {
            let program = alloc.alloc(ret.program);
            super::canon::static_members(&alloc, program);
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
            note_too_deep(facts, (base + s) as u32);
            continue;
        }
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, piece, SourceType::script()).parse();
        if ret.panicked {
            continue;
        }
        let program = alloc.alloc(ret.program);
        super::canon::static_members(&alloc, program);
        stopped |= analyse_program(piece, program, (base + s) as u32, ctx, facts, layer);
    }
    Some(stopped)
}

/// A piece of code skipped because it nests too deeply: the analysis is partial, say so.
fn note_too_deep(facts: &mut Facts, at: u32) {
    facts.budget_exceeded.get_or_insert((
        at,
        "code nested too deeply to parse was not analysed".into(),
    ));
}
