//! From facts to findings: solve the data flow, classify every destination, turn the facts
//! into events (a flow to an outside host, a hidden script load, an obfuscation marker…), and
//! let each code rule's typed condition select the events it reports. Indicator rules run
//! over the resolved hosts, the decoded text and the raw text.

use super::destinations::{PageContext, Target, classify, target_of};
use super::facts::{Facts, Offset, snippet};
use super::flow::{Deps, SRC_HARVEST, SRC_KEYSTROKE, SRC_PAYMENT, Sym, bits_of};
use super::indicators::IndicatorHit;
use super::knowledge::Knowledge;
use super::pipes::{PipeFacts, PipeSend};
use super::{AnalysisJob, HostPolicy, ScriptAnalysis};
use crate::finding::{Finding, Location};
use crate::hosts;
use crate::rules::RuleSet;
use crate::rules::schema::{Channel, CodeMatch, DestinationClass, FactKind, Marker, SourceKind};
use std::collections::{BTreeSet, HashSet};

/// Findings of one rule in one script, at most.
const MAX_PER_RULE: usize = 16;

#[derive(Clone, Debug)]
struct Event {
    kind: FactKind,
    at: Offset,
    sources: u8,
    channel: Option<Channel>,
    dest: Option<DestinationClass>,
    host: Option<String>,
    hidden: bool,
    gated: bool,
    marker: Option<Marker>,
    evidence: String,
    message: String,
}

impl Event {
    fn new(kind: FactKind, at: Offset, evidence: String, message: String) -> Event {
        Event {
            kind,
            at,
            sources: 0,
            channel: None,
            dest: None,
            host: None,
            hidden: false,
            gated: false,
            marker: None,
            evidence,
            message,
        }
    }
}

/// Where a script that renders card fields sends their data, when that is only the shop
/// itself or authorised processors (a flow of field data there, no outside destination, no
/// data flow to a destination the analysis could not name); `None` otherwise.
fn rendered_form_destinations(
    events: &[Event],
    outside_hosts: &[(String, Offset)],
) -> Option<String> {
    if !outside_hosts.is_empty() {
        return None;
    }
    let flows = || events.iter().filter(|e| e.kind == FactKind::Flow);
    if flows().any(|e| {
        !matches!(
            e.dest,
            Some(DestinationClass::FirstParty | DestinationClass::Authorised)
        )
    }) {
        return None;
    }
    let to: BTreeSet<String> = flows()
        .filter(|e| e.sources & (SRC_PAYMENT | SRC_HARVEST) != 0)
        .map(|e| match (&e.host, e.dest) {
            (Some(h), _) => h.clone(),
            _ => "the shop itself".to_string(),
        })
        .collect();
    if to.is_empty() {
        return None;
    }
    Some(to.into_iter().collect::<Vec<_>>().join(", "))
}

fn source_bits(kinds: &[SourceKind]) -> u8 {
    kinds.iter().fold(0, |acc, k| {
        acc | match k {
            SourceKind::Payment => SRC_PAYMENT,
            SourceKind::Harvest => SRC_HARVEST,
            SourceKind::Keystroke => SRC_KEYSTROKE,
        }
    })
}

fn describe_sources(bits: u8) -> String {
    let mut parts = Vec::new();
    if bits & SRC_PAYMENT != 0 {
        parts.push("payment-card fields");
    }
    if bits & SRC_HARVEST != 0 {
        parts.push("every form field");
    }
    if bits & SRC_KEYSTROKE != 0 {
        parts.push("keystrokes");
    }
    parts.join(", ")
}

fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::Xhr => "XMLHttpRequest",
        Channel::Fetch => "fetch",
        Channel::Beacon => "navigator.sendBeacon",
        Channel::ElementSrc => "an element's src/href",
        Channel::WebSocket => "a WebSocket",
        Channel::EventSource => "an EventSource",
        Channel::WebRtc => "a WebRTC data channel",
        Channel::PostMessage => "postMessage",
        Channel::FormAction => "a form action",
        Channel::Navigation => "a navigation",
        Channel::Jquery => "a jQuery ajax call",
        Channel::DocumentWrite => "document.write",
        Channel::Markup => "injected markup",
        Channel::Analytics => "an analytics call",
        Channel::ScriptLoad => "a script load",
        Channel::OpaqueCall => "a call of a function the analysis cannot see into, given the URL",
        Channel::ElementUrl => "a URL an element or its style makes the browser fetch",
        Channel::CodeDownload => "a response run as code",
    }
}

fn matches(c: &CodeMatch, e: &Event, job: &AnalysisJob, distinct_markers: usize) -> bool {
    if c.fact != e.kind {
        return false;
    }
    if !c.sources.is_empty() && e.sources & source_bits(&c.sources) == 0 {
        return false;
    }
    if !c.channels.is_empty() && !e.channel.is_some_and(|ch| c.channels.contains(&ch)) {
        return false;
    }
    if !c.destinations.is_empty() && !e.dest.is_some_and(|d| c.destinations.contains(&d)) {
        return false;
    }
    if !c.markers.is_empty() && !e.marker.is_some_and(|m| c.markers.contains(&m)) {
        return false;
    }
    if c.hidden.is_some_and(|h| h != e.hidden) || c.gated.is_some_and(|g| g != e.gated) {
        return false;
    }
    if c.payment_page.is_some_and(|p| p != job.payment_page) {
        return false;
    }
    if c.min_markers.is_some_and(|n| distinct_markers < n) {
        return false;
    }
    true
}

/// Offsets to 1-based line and column in the file the script came from.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { text, starts }
    }

    fn location(&self, offset: usize, job: &AnalysisJob) -> Location {
        let offset = offset.min(self.text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        let line = line as u32 + 1;
        let column = if line == 1 {
            col as u32 + job.column_offset.saturating_sub(1)
        } else {
            col as u32
        };
        Location {
            line: line + job.line_offset.saturating_sub(1),
            column,
        }
    }
}

pub fn findings(
    job: &AnalysisJob,
    text: &str,
    mut facts: Facts,
    k: &Knowledge,
    rules: &RuleSet,
    policy: &HostPolicy,
) -> ScriptAnalysis {
    let taint = facts.graph.solve();
    let ctx = PageContext {
        page_host: job.page_host.as_deref(),
        allowed: &policy.allowed,
        processors: &k.processors,
    };
    let mut out = ScriptAnalysis::default();
    let mut events: Vec<Event> = Vec::new();
    let mut outside_hosts: Vec<(String, Offset)> = Vec::new();

    // Join `send` calls to the XHR / WebSocket / data-channel sinks they belong to.
    let joinable = |c: Channel| matches!(c, Channel::Xhr | Channel::WebSocket | Channel::WebRtc);
    let handles: HashSet<u32> = facts
        .sinks
        .iter()
        .filter(|s| joinable(s.channel))
        .filter_map(|s| s.handle)
        .collect();
    let mut orphan = Deps::default();
    for s in &facts.sends {
        if !s.handle.is_some_and(|h| handles.contains(&h)) {
            orphan.merge(s.deps.clone());
        }
    }
    for sink in facts.sinks.iter_mut().filter(|s| joinable(s.channel)) {
        for s in &facts.sends {
            if s.handle.is_some() && s.handle == sink.handle {
                sink.deps.merge(s.deps.clone());
            }
        }
        sink.deps.merge(orphan.clone());
    }

    let mut flow_outside = false;
    let mut first_outside_sink: Option<(Offset, String, String)> = None;
    let mut outside_sinks: Vec<(usize, String)> = Vec::new();
    for (si, sink) in facts.sinks.iter().enumerate() {
        let target = target_of(&sink.url);
        let class = classify(&target, &ctx);
        let host = match &target {
            Target::Host(h) => Some(h.clone()),
            _ => None,
        };
        let bits = bits_of(&sink.deps, &taint);
        // A call the analysis cannot see into is a destination only when data it follows
        // reaches it (see `collect::opaque`).
        let opaque = sink.channel == Channel::OpaqueCall;
        if class == DestinationClass::Outside
            && let Some(h) = &host
            && (!opaque || bits != 0)
        {
            outside_hosts.push((h.clone(), sink.at));
            if !opaque {
                outside_sinks.push((si, h.clone()));
            }
            if !matches!(
                sink.channel,
                Channel::Analytics | Channel::OpaqueCall | Channel::ElementUrl
            ) && first_outside_sink.is_none()
            {
                first_outside_sink = Some((sink.at, h.clone(), sink.evidence.clone()));
            }
        }
        let to = host
            .clone()
            .unwrap_or_else(|| "a destination computed at run time".into());
        if sink.channel == Channel::FormAction {
            let mut e = Event::new(
                FactKind::FormAction,
                sink.at,
                sink.evidence.clone(),
                format!(
                    "A form's action is set to {to}: submitting the form sends every field there. Remove the script and restore the form."
                ),
            );
            e.dest = Some(class);
            e.host = host.clone();
            e.hidden = sink.url.hidden;
            e.channel = Some(sink.channel);
            events.push(e);
        }
        if bits != 0 {
            if class == DestinationClass::Outside {
                flow_outside = true;
            }
            // A run saw this host receive the card fields by name, masked: the flow is a
            // scrubber's (`Facts::masked_send_hosts`), reported for review, not as theft.
            let masked = class == DestinationClass::Outside
                && host
                    .as_ref()
                    .is_some_and(|h| facts.masked_send_hosts.contains(h));
            let mut e = if masked {
                Event::new(
                    FactKind::MaskedFlow,
                    sink.at,
                    sink.evidence.clone(),
                    format!(
                        "Data from {} flows into {} to {to}; run on a stub page, the script sent the card fields there by name with their values masked. Check that its scrubber covers every card field, or keep the checkout out of what it collects.",
                        describe_sources(bits),
                        channel_name(sink.channel)
                    ),
                )
            } else {
                Event::new(
                    FactKind::Flow,
                    sink.at,
                    sink.evidence.clone(),
                    format!(
                        "Data from {} flows into {} to {to}. Treat the page as compromised: remove the script, find how it was changed, and rotate credentials.",
                        describe_sources(bits),
                        channel_name(sink.channel)
                    ),
                )
            };
            e.sources = bits;
            e.channel = Some(sink.channel);
            e.dest = Some(class);
            e.host = host.clone();
            e.hidden = sink.url.hidden;
            e.gated = sink.gated;
            events.push(e);
        }
    }

    let source_bits_all = facts.sources.iter().fold(0u8, |acc, s| {
        acc | match s.kind {
            SourceKind::Payment => SRC_PAYMENT,
            SourceKind::Harvest => SRC_HARVEST,
            SourceKind::Keystroke => SRC_KEYSTROKE,
        }
    });
    // Without a proven flow, card reads and keystrokes count only when their data reached
    // state the analysis may lose track of (a global, storage, a pipe): a value read, checked
    // and masked inside one function is accounted for. Harvesting every field always counts.
    let shared = facts.graph.shared_taint(&taint);
    // A selection of every field held for listeners counts once its fields' data was read
    // into something that is not a holder (see `collect::holders`).
    let held = if !facts.held_harvests.is_empty()
        && facts.graph.reaches_beyond_holders(&taint, SRC_HARVEST)
    {
        SRC_HARVEST
    } else {
        0
    };
    let source_bits_all = (source_bits_all | held) & (SRC_HARVEST | shared);
    // Every field read, kept in the script's own state (no global, storage, pipe or unknown
    // function's argument holds it), and sent to a host a run saw get none of the fields'
    // data: an error reporter's scrubbed form state. Data staged where the run cannot follow
    // it still counts.
    let source_bits_all = match &first_outside_sink {
        Some((_, host, _))
            if (shared | facts.graph.escaped_taint(&taint)) & SRC_HARVEST == 0
                && facts.scrubbed_send_hosts.iter().any(|h| h == host) =>
        {
            source_bits_all & !SRC_HARVEST
        }
        _ => source_bits_all,
    };
    if !flow_outside
        && source_bits_all != 0
        && let Some((at, host, evidence)) = first_outside_sink
    {
        let src_ev = facts
            .sources
            .first()
            .or(facts.held_harvests.first())
            .map(|s| s.evidence.clone())
            .unwrap_or_default();
        let mut e = Event::new(
            FactKind::CoOccurrence,
            at,
            format!("{} … {}", snippet(&src_ev, 60), snippet(&evidence, 100)),
            format!(
                "The script reads {} and sends data to {host}; the connection could not be proven statically. Review the script before trusting it on a payment page.",
                describe_sources(source_bits_all)
            ),
        );
        e.sources = source_bits_all;
        e.dest = Some(DestinationClass::Outside);
        e.host = Some(host);
        events.push(e);
    }

    for load in &facts.loads {
        let target = target_of(&load.url);
        let class = classify(&target, &ctx);
        let host = match &target {
            Target::Host(h) => Some(h.clone()),
            _ => None,
        };
        // Relative loads too: the pipeline resolves them against the page and follows them.
        // A URL known up to its query (`'stage.js?v=' + Date.now()`, a cache-buster) names
        // its file: the path is followed without the query.
        let followed = match &load.url.text {
            Some(t) if load.url.complete => Some(t.as_str()),
            Some(t) => t.split_once('?').map(|(path, _)| path),
            None => None,
        };
        if let (Some(t), Target::Host(_) | Target::Relative) = (followed, &target)
            && !t.is_empty()
        {
            let t = t.to_string();
            let abs = if t.starts_with("//") {
                format!("https:{t}")
            } else {
                t.clone()
            };
            if !out.loads.contains(&abs) {
                out.loads.push(abs);
            }
        }
        if class == DestinationClass::Outside
            && let Some(h) = &host
        {
            outside_hosts.push((h.clone(), load.at));
        }
        let how = match (load.url.hidden, load.gated) {
            (true, true) => " through a hidden URL, only on checkout pages",
            (true, false) => " through a hidden URL",
            (false, true) => " only on checkout pages",
            (false, false) => "",
        };
        let mut e = Event::new(
            FactKind::Load,
            load.at,
            load.evidence.clone(),
            format!(
                "The script loads code from {}{how}. Check that this host is expected on the page; if not, remove the loader.",
                host.clone()
                    .unwrap_or_else(|| "a URL computed at run time".into())
            ),
        );
        e.channel = Some(load.channel);
        e.dest = Some(class);
        e.host = host;
        e.hidden = load.url.hidden;
        e.gated = load.gated;
        events.push(e);
    }

    // Look-alike hosts among everything the script talks to.
    let mut seen = HashSet::new();
    for (h, at) in &outside_hosts {
        if seen.insert(h.clone())
            && let Some(b) = hosts::imitated_brand(h, &k.brands)
        {
            let mut e = Event::new(
                FactKind::Lookalike,
                *at,
                format!("{h} imitates {} ({})", b.label, b.domains.join(", ")),
                format!(
                    "{h} looks like the {} host {} but is not it; skimmers register such names. Block it and remove the code that uses it.",
                    b.category,
                    b.domains.first().cloned().unwrap_or_default()
                ),
            );
            e.host = Some(h.clone());
            e.dest = Some(DestinationClass::Outside);
            events.push(e);
        }
    }

    let lines = Lines::new(text);
    out.pipes = export_pipes(&facts, &taint, &outside_sinks, &lines, job);

    // A processor's frame hidden by a script that brings its own card form: the overlay.
    if !facts.injections.is_empty() {
        for (at, ev) in facts.hidden_frames.iter().take(2) {
            events.push(Event::new(
                FactKind::InjectedPaymentForm,
                *at,
                ev.clone(),
                "The script hides the payment processor's frame and shows card fields of its own: card data typed there never reaches the processor. Remove the script.".into(),
            ));
        }
    }
    // Card fields of its own whose data the script provably sends only to the shop or an
    // authorised processor, with no other destination at all: a processor's SDK or the
    // shop's own single-page checkout rendering its payment step. A fake form's data goes
    // elsewhere, or somewhere the analysis cannot name, or is read by another script.
    let home = rendered_form_destinations(&events, &outside_hosts);
    for inj in &facts.injections {
        let e = match &home {
            Some(to) => Event::new(
                FactKind::RenderedPaymentForm,
                inj.at,
                inj.evidence.clone(),
                format!(
                    "The script renders card-entry fields and sends what is typed there only to {to}. Keep it in the payment-page script inventory with its reason (PCI DSS 6.4.3)."
                ),
            ),
            None => Event::new(
                FactKind::InjectedPaymentForm,
                inj.at,
                inj.evidence.clone(),
                "The script writes card-entry fields into the page: a fake payment form or an overlay of the real one. Compare with the checkout template and remove it.".into(),
            ),
        };
        events.push(e);
    }
    for h in &facts.hidden {
        let mut e = Event::new(
            FactKind::HiddenCode,
            h.at,
            h.evidence.clone(),
            "The script runs code hidden in an encoded string; the decoded code was analysed and its findings are reported here too.".into(),
        );
        e.hidden = h.hidden;
        events.push(e);
    }
    let distinct: BTreeSet<Marker> = facts.markers.iter().map(|m| m.marker).collect();
    for m in &facts.markers {
        let mut e = Event::new(
            FactKind::Obfuscation,
            m.at,
            m.evidence.clone(),
            format!(
                "The script uses {} — a hiding technique common in skimmers.",
                marker_name(m.marker)
            ),
        );
        e.marker = Some(m.marker);
        events.push(e);
    }
    if let Some((at, why)) = &facts.budget_exceeded {
        out.errors.push(why.clone());
        events.push(Event::new(
            FactKind::BudgetExceeded,
            *at,
            why.clone(),
            format!(
                "{why}; the script was only partly analysed. Treat it as unknown until reviewed."
            ),
        ));
    }
    if facts.fallback_used {
        events.push(Event::new(
            FactKind::ParseFallback,
            0,
            "syntax error; statements read by tree-sitter were analysed".into(),
            "The script has a syntax error (often a sign of code appended to a file); the readable statements were analysed with the fallback parser.".into(),
        ));
    }
    for p in &facts.problems {
        out.errors.push(p.clone());
    }

    let mut findings: Vec<Finding> = Vec::new();
    for rule in &k.code_rules {
        let mut emitted: Vec<Option<String>> = Vec::new();
        for e in &events {
            if !matches(&rule.condition, e, job, distinct.len()) {
                continue;
            }
            if emitted.contains(&e.host) || emitted.len() >= MAX_PER_RULE {
                continue;
            }
            emitted.push(e.host.clone());
            let Some(mut f) = rules.finding(&rule.id, e.message.clone()) else {
                continue;
            };
            f.page = Some(job.page_url.clone());
            f.script = Some(job.script_id.clone());
            f.location = Some(lines.location(e.at as usize, job));
            f.hosts = match (&e.host, e.dest) {
                (Some(h), Some(DestinationClass::Outside)) => vec![h.clone()],
                _ => Vec::new(),
            };
            f.evidence = Some(snippet(&e.evidence, 200));
            findings.push(f);
        }
    }

    // Indicators: resolved hosts first (with their place), then decoded text, then raw text.
    // Each text is scanned once for all rules, and only if some rule needs it.
    let mut decoded_hits: Option<Vec<Option<IndicatorHit>>> = None;
    let mut raw_hits: Option<Vec<Option<IndicatorHit>>> = None;
    for (r, ind) in k.indicators.rules.iter().enumerate() {
        let mut hit = None;
        for (h, at) in &outside_hosts {
            if ind.host_listed(h) {
                hit = Some((
                    *at as usize,
                    Some(h.clone()),
                    format!("sends to or loads from known skimmer domain {h}"),
                ));
                break;
            }
        }
        if hit.is_none() {
            let decoded = decoded_hits
                .get_or_insert_with(|| k.indicators.scan(&facts.decoded_text, false))[r]
                .clone();
            let found = match decoded {
                Some(h) => Some(h),
                None => raw_hits.get_or_insert_with(|| k.indicators.scan(text, true))[r].clone(),
            };
            if let Some(h) = found {
                let ev = if h.offset.is_none() {
                    format!("{} (in decoded code)", h.evidence)
                } else {
                    h.evidence
                };
                hit = Some((h.offset.unwrap_or(0), h.host, ev));
            }
        }
        if let Some((at, host, evidence)) = hit
            && let Some(mut f) = rules.finding(
                &ind.id,
                "The script matches a published indicator of a skimmer campaign. Treat the page as compromised: remove the script and investigate how it got there.",
            )
        {
            f.page = Some(job.page_url.clone());
            f.script = Some(job.script_id.clone());
            f.location = Some(lines.location(at, job));
            f.hosts = host.iter().cloned().collect();
            f.evidence = Some(snippet(&evidence, 200));
            if let Some(h) = host {
                outside_hosts.push((h, at as Offset));
            }
            findings.push(f);
        }
    }

    // A lower-severity load finding adds nothing next to a higher one for the same host.
    let load_rules: HashSet<&str> = k
        .code_rules
        .iter()
        .filter(|r| r.condition.fact == FactKind::Load)
        .map(|r| r.id.as_str())
        .collect();
    let best_load: Vec<(Vec<String>, crate::finding::Severity)> = findings
        .iter()
        .filter(|f| load_rules.contains(f.rule.as_str()))
        .map(|f| (f.hosts.clone(), f.severity))
        .collect();
    findings.retain(|f| {
        !load_rules.contains(f.rule.as_str())
            || !best_load
                .iter()
                .any(|(h, s)| *h == f.hosts && *s > f.severity)
    });

    crate::finding::normalise(&mut findings);
    out.findings = findings;
    out.destinations = outside_hosts.into_iter().map(|(h, _)| h).collect();
    out.loads.sort();
    out.decoded = std::mem::take(&mut facts.decoded_text);
    out
}

/// The pipes this script fills with payment data, and those it reads back into an outside
/// sink (see [`super::pipes`]).
fn export_pipes(
    facts: &Facts,
    taint: &[u8],
    outside_sinks: &[(usize, String)],
    lines: &Lines<'_>,
    job: &AnalysisJob,
) -> PipeFacts {
    let mut p = PipeFacts::default();
    let graph = &facts.graph;
    for key in &facts.pipes_written {
        if let Some(s) = graph.existing_global(&format!("$pipe:{key}")) {
            let bits = taint.get(s as usize).copied().unwrap_or(0);
            if bits != 0 {
                p.written.insert(key.clone(), describe_sources(bits));
            }
        }
    }
    if facts.pipes_read.is_empty() || outside_sinks.is_empty() {
        return p;
    }
    // Window globals (`global:NAME`) after the other pipes and with their own bound: a
    // library reads dozens of them, and must not crowd out a storage key or an event.
    let (globals, others): (Vec<&String>, Vec<&String>) = facts
        .pipes_read
        .iter()
        .partition(|k| k.starts_with("global:"));
    let seeds: Vec<(&String, Sym)> = others
        .into_iter()
        .take(32)
        .chain(globals.into_iter().take(32))
        .filter_map(|key| Some((key, graph.existing_global(&format!("$pipe:{key}"))?)))
        .collect();
    let syms: Vec<Sym> = seeds.iter().map(|(_, s)| *s).collect();
    let reached = graph.reach_many(&syms);
    for (i, (key, _)) in seeds.iter().enumerate() {
        for (si, host) in outside_sinks {
            let Some(sink) = facts.sinks.get(*si) else {
                continue;
            };
            let hit = sink
                .deps
                .syms
                .iter()
                .any(|s| reached.get(*s as usize).is_some_and(|b| b & (1 << i) != 0));
            if hit {
                p.sent.push(PipeSend {
                    key: (*key).clone(),
                    host: host.clone(),
                    channel: sink.channel,
                    location: lines.location(sink.at as usize, job),
                    evidence: snippet(&sink.evidence, 120),
                });
                break;
            }
        }
    }
    p
}

fn marker_name(m: Marker) -> &'static str {
    match m {
        Marker::StringTable => "a string table read through indexes",
        Marker::EscapeDensity => "dense hex/unicode escapes",
        Marker::CharCodeBuild => "strings built from character codes",
        Marker::Packer => "a packer (eval of an unpacking function)",
        Marker::AntiDebug => "devtools / debugger detection",
        Marker::CheckoutGate => "a test of the page address for checkout words",
    }
}

/// See [`super::Engine::check_script_url`].
pub fn url_findings(
    page_url: &str,
    page_host: Option<&str>,
    script_url: &str,
    k: &Knowledge,
    rules: &RuleSet,
    policy: &HostPolicy,
) -> Vec<Finding> {
    let url = super::facts::UrlText {
        text: Some(script_url.to_string()),
        complete: true,
        hidden: false,
    };
    let Target::Host(host) = target_of(&url) else {
        return Vec::new();
    };
    let ctx = PageContext {
        page_host,
        allowed: &policy.allowed,
        processors: &k.processors,
    };
    if classify(&Target::Host(host.clone()), &ctx) != DestinationClass::Outside {
        return Vec::new();
    }
    let mut out = Vec::new();
    let place = |mut f: Finding, evidence: String| {
        f.page = Some(page_url.to_string());
        f.script = Some(script_url.to_string());
        f.hosts = vec![host.clone()];
        f.evidence = Some(snippet(&evidence, 200));
        f
    };
    for ind in &k.indicators.rules {
        if ind.host_listed(&host)
            && let Some(f) = rules.finding(
                &ind.id,
                "The page loads a script from a published skimmer domain. Treat the page as compromised: remove the tag and investigate how it got there.",
            )
        {
            out.push(place(f, format!("<script src=\"{script_url}\"> from known skimmer domain {host}")));
        }
    }
    if let Some(b) = hosts::imitated_brand(&host, &k.brands)
        && let Some(f) = rules.finding(
            "lookalike-destination",
            format!(
                "{host} looks like the {} host {} but is not it; skimmers register such names.",
                b.category,
                b.domains.first().cloned().unwrap_or_default()
            ),
        )
    {
        out.push(place(f, format!("{host} imitates {}", b.label)));
    }
    crate::finding::normalise(&mut out);
    out
}

/// See [`super::Engine::check_page_text`].
pub fn page_text_findings(
    page_url: &str,
    text: &str,
    k: &Knowledge,
    rules: &RuleSet,
) -> Vec<Finding> {
    let lines = Lines::new(text);
    let page_job = AnalysisJob {
        script_id: page_url.to_string(),
        kind: crate::script_kind::ScriptKind::Inline,
        code: "".into(),
        page_url: page_url.to_string(),
        page_host: None,
        payment_page: false,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
        line_offset: 1,
        column_offset: 1,
    };
    let mut out = Vec::new();
    let hits = k.indicators.scan(text, true);
    for (ind, h) in k.indicators.rules.iter().zip(hits) {
        if let Some(h) = h
            && let Some(mut f) = rules.finding(
                &ind.id,
                "The page names a published indicator of a skimmer campaign. Treat the page as compromised: find where the text comes from and remove it.",
            )
        {
            f.page = Some(page_url.to_string());
            f.location = h.offset.map(|o| lines.location(o, &page_job));
            f.hosts = h.host.into_iter().collect();
            f.evidence = Some(snippet(&h.evidence, 200));
            out.push(f);
        }
    }
    crate::finding::normalise(&mut out);
    out
}
