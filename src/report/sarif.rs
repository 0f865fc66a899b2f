//! SARIF 2.1.0 output for code-scanning dashboards (GitHub code scanning, GitLab, Azure DevOps).
//!
//! Built from plain serde structs (as ruff does) rather than a generated model: we emit a small,
//! fixed subset and the structs say exactly which. `tests/baseline_sarif.rs` validates the
//! output against the official schema checked into `tests/`.
//!
//! Dashboards track a result across runs by `partialFingerprints`; ours hashes the rule, the
//! page, the script's identity and the evidence with per-request noise masked — never line
//! numbers — so a finding keeps its identity when unrelated code moves it down the file, and an
//! inline script keeps it when another inline script is inserted before it.

use super::{FormatContext, Formatter, Report};
use crate::finding::{Finding, Severity};
use crate::inventory::ScriptKind;
use crate::rules::Rule;
use serde::Serialize;
use std::collections::BTreeMap;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/skimscan/skimscan";
/// The fingerprint's name carries a version: changing how it is computed must not silently
/// merge or split results on dashboards.
const FINGERPRINT_KEY: &str = "skimscanFinding/v1";

pub struct Sarif;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    /// GitHub code scanning reads this (a number as a string, 0.0–10.0) to rank security alerts.
    #[serde(rename = "security-severity")]
    security_severity: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time_utc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time_utc: Option<String>,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: Severity,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hosts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    script: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

/// SARIF has three result levels; our five severities map onto them.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's scale: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, otherwise low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `a-rule-id` → `ARuleId`, SARIF's suggested form for a rule's `name`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// Rule docs are hard-wrapped TOML strings; plain-text SARIF viewers show every newline, so
/// lines of a paragraph are joined (blank lines still separate paragraphs).
fn unwrap_paragraphs(s: &str) -> String {
    s.trim()
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let what = rule.doc.what.trim();
    let why = rule.doc.why.trim();
    let example = rule.doc.example.trim();
    let mut text = format!(
        "{}\n\nWhy it matters: {}",
        unwrap_paragraphs(what),
        unwrap_paragraphs(why)
    );
    let mut markdown = format!("## What it does\n{what}\n\n## Why it matters\n{why}");
    if !example.is_empty() {
        text.push_str(&format!("\n\nExample:\n{example}"));
        markdown.push_str(&format!("\n\n## Example\n```\n{example}\n```"));
    }
    if !rule.references.is_empty() {
        markdown.push_str("\n\n## References\n");
        for r in &rule.references {
            markdown.push_str(&format!("- <{r}>\n"));
        }
    }
    ReportingDescriptor {
        id: rule.id.clone(),
        name: pascal(&rule.id),
        short_description: Text {
            text: rule.title.clone(),
        },
        full_description: Text {
            text: unwrap_paragraphs(what),
        },
        help: Help { text, markdown },
        help_uri: rule
            .references
            .iter()
            .find(|r| r.starts_with("https://") || r.starts_with("http://"))
            .cloned(),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags: {
                let mut t = rule.tags.clone();
                t.push("security".into());
                t.sort();
                t.dedup();
                t
            },
            precision: "high",
            security_severity: security_severity(rule.severity).to_string(),
        },
    }
}

/// A URI reference for a page or script name: URLs as they are; local paths with the characters
/// a URI cannot hold percent-encoded and Windows separators turned into `/`.
fn uri_of(name: &str) -> String {
    if let Ok(u) = url::Url::parse(name) {
        return u.to_string();
    }
    let mut out = String::with_capacity(name.len());
    for c in name.replace('\\', "/").chars() {
        match c {
            'A'..='Z'
            | 'a'..='z'
            | '0'..='9'
            | '-'
            | '.'
            | '_'
            | '~'
            | '/'
            | ':'
            | '@'
            | '!'
            | '$'
            | '&'
            | '\''
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | ';'
            | '=' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// The artifact a finding is about: the script's own URL for files; the page for code in the
/// page (whose line numbers are the page's) and for page-level findings.
fn location_of(f: &Finding, report: &Report) -> Option<Location> {
    let script = f
        .script
        .as_deref()
        .and_then(|id| report.scripts.iter().find(|s| s.id == id));
    let uri = match script {
        Some(s) if matches!(s.kind, ScriptKind::External | ScriptKind::Dynamic) => {
            s.url.clone().unwrap_or_else(|| s.id.clone())
        }
        Some(s) => s.page.clone(),
        None => f.page.clone().or_else(|| f.script.clone())?,
    };
    // Old code in `removed[]` has no current line; other findings carry theirs.
    let region = f.location.map(|l| Region {
        start_line: l.line.max(1),
        start_column: l.column.max(1),
        snippet: f.evidence.as_ref().map(|e| Text { text: e.clone() }),
    });
    Some(Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri_of(&uri) },
            region,
        },
    })
}

/// What makes a script the same script across runs: its URL, or for code in the page the page
/// and kind (its `#inline-N` number shifts when another block is inserted above it).
fn script_identity(f: &Finding, report: &Report) -> String {
    let Some(id) = f.script.as_deref() else {
        return String::new();
    };
    match report.scripts.iter().find(|s| s.id == id) {
        Some(s) => match s.kind {
            ScriptKind::External | ScriptKind::Dynamic => s.url.clone().unwrap_or_default(),
            k => format!("{}:{}", s.page, k.as_str()),
        },
        None => id.split('#').next().unwrap_or(id).to_string(),
    }
}

fn fingerprint(f: &Finding, report: &Report) -> String {
    let evidence = f
        .evidence
        .as_deref()
        .map(crate::normalise::normalise_code)
        .unwrap_or_default();
    let key = [
        f.rule.as_str(),
        f.page.as_deref().unwrap_or(""),
        &script_identity(f, report),
        &f.hosts.join(","),
        &evidence,
    ]
    .join("\u{1f}");
    let hex = crate::inventory::sha256_hex(key.as_bytes());
    format!("{}:1", &hex[..32])
}

fn message_text(f: &Finding) -> String {
    let mut text = f.message.clone();
    if text.is_empty() {
        text = f.title.clone();
    }
    if let Some(d) = &f.diff {
        text.push_str("\n\n");
        text.push_str(d);
    }
    text
}

impl Formatter for Sarif {
    fn write(
        &self,
        report: &Report,
        ctx: &FormatContext<'_>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        // Every loaded rule is described (dashboards then know a rule that found nothing this
        // run), plus any rule a finding names that is not loaded, so `ruleIndex` always points.
        let mut rules: Vec<ReportingDescriptor> = ctx.rules.iter().map(descriptor).collect();
        let mut index: BTreeMap<String, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        for f in &report.findings {
            if !index.contains_key(&f.rule) {
                index.insert(f.rule.clone(), rules.len());
                rules.push(ReportingDescriptor {
                    id: f.rule.clone(),
                    name: pascal(&f.rule),
                    short_description: Text {
                        text: f.title.clone(),
                    },
                    full_description: Text {
                        text: f.title.clone(),
                    },
                    help: Help {
                        text: f.title.clone(),
                        markdown: f.title.clone(),
                    },
                    help_uri: None,
                    default_configuration: Configuration {
                        level: level(f.severity),
                    },
                    properties: RuleProperties {
                        tags: vec!["security".into()],
                        precision: "high",
                        security_severity: security_severity(f.severity).to_string(),
                    },
                });
            }
        }
        let results = report
            .findings
            .iter()
            .map(|f| SarifResult {
                rule_id: f.rule.clone(),
                rule_index: index.get(&f.rule).copied(),
                level: level(f.severity),
                message: Text {
                    text: message_text(f),
                },
                locations: location_of(f, report).into_iter().collect(),
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint(f, report))]),
                properties: ResultProperties {
                    severity: f.severity,
                    hosts: f.hosts.clone(),
                    page: f.page.clone(),
                    script: f.script.clone(),
                    evidence: f.evidence.clone(),
                    diff: f.diff.clone(),
                },
            })
            .collect();
        let notifications = report
            .errors
            .iter()
            .map(|e| Notification {
                level: "error",
                message: Text {
                    text: format!("{}: {}", e.url, e.message),
                },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri_of(&e.url),
                        },
                        region: None,
                    },
                }],
            })
            .collect();
        let time = |t: &str| (!t.is_empty()).then(|| t.to_string());
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: &report.tool.name,
                        version: &report.tool.version,
                        semantic_version: &report.tool.version,
                        information_uri: INFORMATION_URI,
                        rules,
                    },
                },
                invocations: vec![Invocation {
                    execution_successful: report.complete,
                    start_time_utc: time(&report.started_at),
                    end_time_utc: time(&report.finished_at),
                    tool_execution_notifications: notifications,
                }],
                results,
                column_kind: "unicodeCodePoints",
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log).map_err(std::io::Error::other)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("baseline-new-script"), "BaselineNewScript");
        assert_eq!(
            uri_of("https://shop.example/a b"),
            "https://shop.example/a%20b"
        );
        assert_eq!(
            uri_of("demo/shop/チェック.html"),
            "demo/shop/%E3%83%81%E3%82%A7%E3%83%83%E3%82%AF.html"
        );
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Info), "note");
    }
}
