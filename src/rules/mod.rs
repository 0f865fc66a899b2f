//! Rules as data: every finding skimscan can report has a rule file in `rules/` (id, title,
//! severity, a "what it does / why it matters / example" doc, references, and its own pass/fail
//! examples). The shipped rules are embedded in the binary; `--rules DIR` adds more and
//! `--no-default-rules` drops the shipped ones.
//!
//! Rule kinds: `code` and `indicator` rules are evaluated by the JavaScript engine over facts;
//! `page` and `baseline` rules name checks the pipeline makes in code (CSP, SRI, baseline
//! changes) — their file still carries the id, severity and documentation, so a rule is
//! registered in exactly one place.

pub mod fact_kinds;
pub mod schema;

use crate::finding::{Finding, Severity};
use schema::{CodeMatch, IndicatorMatch};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static SHIPPED: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/rules");

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Code,
    Indicator,
    Page,
    Baseline,
    /// Findings of the browser pass (its examples run in `tests/browser_*.rs`, in a browser).
    Browser,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    pub what: String,
    pub why: String,
    pub example: String,
}

/// One of a rule's own test cases: `rules test` checks the rule fires on `fail` examples and
/// stays quiet on `pass` ones.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleExample {
    pub expect: ExampleExpectation,
    /// `js` (scanned as a script of a payment page) or `html` (scanned as a page).
    #[serde(default = "default_example_lang")]
    pub lang: String,
    pub code: String,
    #[serde(default)]
    pub note: Option<String>,
}

fn default_example_lang() -> String {
    "js".to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleExpectation {
    Pass,
    Fail,
}

/// A rule file as written on disk.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub kind: RuleKind,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
    pub doc: RuleDoc,
    /// The condition over facts (code rules) or the indicators (indicator rules); its schema
    /// belongs to the engine (`crate::js`).
    #[serde(default, rename = "match")]
    pub condition: Option<toml::Value>,
    #[serde(default)]
    pub examples: Vec<RuleExample>,
    /// Where the rule came from (a path, or `shipped:<name>`), for messages.
    #[serde(skip)]
    pub origin: String,
    /// The `[match]` table in its typed form, checked at load time (code and indicator rules).
    #[serde(skip)]
    pub typed: Option<TypedMatch>,
}

/// A rule's condition in the engine's schema ([`schema`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedMatch {
    Code(CodeMatch),
    Indicator(IndicatorMatch),
}

impl Rule {
    /// A finding of this rule with its title and severity; the caller fills in the place.
    pub fn finding(&self, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.id.clone(),
            severity: self.severity,
            title: self.title.clone(),
            page: None,
            script: None,
            location: None,
            hosts: Vec::new(),
            evidence: None,
            message: message.into(),
            diff: None,
        }
    }
}

/// A rule or data file that could not be loaded: names the file and, when known, the line.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct RuleError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

/// The loaded rules, by id, plus the data files (`rules/data/*.toml`) the engine reads.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    rules: BTreeMap<String, Rule>,
    /// Data files by file stem (`payment-vocabulary`, `processors`, `indicators`…), as parsed
    /// TOML; the engine gives them their typed schema.
    data: BTreeMap<String, Vec<(String, toml::Value)>>,
    /// What the set was loaded from, so an analysis worker process can load the very same set
    /// (the user's rule files travel as text: the worker never re-reads the disk).
    sources: RuleSources,
}

/// The inputs of [`RuleSet::load`]: whether the shipped rules are in, and the text of every
/// extra rule file (its name for messages, its path relative to its `--rules` directory).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct RuleSources {
    pub shipped: bool,
    pub files: Vec<(String, PathBuf, String)>,
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

fn toml_error(path: &str, text: &str, e: toml::de::Error) -> RuleError {
    let line = e.span().map(|s| line_of(text, s.start));
    RuleError {
        path: path.to_string(),
        line,
        message: e.message().trim().to_string(),
    }
}

impl RuleSet {
    /// Load the shipped rules (unless `no_default`) and then every `*.toml` under each extra
    /// directory. A later rule with the same id as an earlier one is an error (it would be
    /// ambiguous which one a finding means).
    ///
    /// `no_default` drops the shipped code and indicator rules and the shipped data files
    /// (except the Web-API catalogue, which describes the browser), but not the rules of the checks the pipeline makes in code (`page` and `baseline` rules):
    /// dropping those would silently turn off every CSP, SRI, form-action and baseline check and
    /// let a changed checkout pass a CI gate. A rules directory may define one of those ids
    /// itself (to change its severity or text); otherwise the shipped definition is kept.
    pub fn load(no_default: bool, extra_dirs: &[PathBuf]) -> Result<RuleSet, RuleError> {
        let mut sources = RuleSources {
            shipped: !no_default,
            files: Vec::new(),
        };
        for dir in extra_dirs {
            let mut paths = Vec::new();
            collect_dir(dir, &mut paths).map_err(|e| RuleError {
                path: dir.display().to_string(),
                line: None,
                message: e.to_string(),
            })?;
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).map_err(|e| RuleError {
                    path: p.display().to_string(),
                    line: None,
                    message: e.to_string(),
                })?;
                let rel = p.strip_prefix(dir).unwrap_or(&p).to_path_buf();
                sources.files.push((p.display().to_string(), rel, text));
            }
        }
        RuleSet::from_sources(&sources)
    }

    /// Load a set from what [`RuleSet::sources`] recorded (an analysis worker's copy).
    pub fn from_sources(sources: &RuleSources) -> Result<RuleSet, RuleError> {
        let mut set = RuleSet {
            sources: sources.clone(),
            ..RuleSet::default()
        };
        for (name, rel, text) in shipped_files()? {
            // The Web-API catalogue says what the browser does (which call sends, which
            // argument is the URL), not what the shipped rules look for: without it a user's
            // own rules under --no-default-rules would see no sink at all and every skimmer
            // would pass as clean. It stays; a user's `data/web-api.toml` adds to it.
            if sources.shipped || is_engine_catalogue(rel) {
                set.add_checked_file(&name, rel, text, RegexCheck::Syntax)?;
            }
        }
        for (name, rel, text) in &sources.files {
            set.add_file(name, rel, text)?;
        }
        if !sources.shipped {
            // The page and baseline checks run whatever rules are loaded (issue 7: dropping
            // them silently passed every gate); a user's rule of the same id replaces one.
            set.add_pipeline_rules()?;
        }
        Ok(set)
    }

    /// Add the shipped `page` and `baseline` rules whose ids the loaded set does not define.
    fn add_pipeline_rules(&mut self) -> Result<(), RuleError> {
        for (name, rel, text) in shipped_files()? {
            if is_data_path(rel) {
                continue;
            }
            let mut rule: Rule = toml::from_str(text).map_err(|e| toml_error(&name, text, e))?;
            if matches!(rule.kind, RuleKind::Page | RuleKind::Baseline)
                && !self.rules.contains_key(&rule.id)
            {
                rule.origin = name;
                self.rules.insert(rule.id.clone(), rule);
            }
        }
        Ok(())
    }

    /// What this set was loaded from.
    pub fn sources(&self) -> &RuleSources {
        &self.sources
    }

    /// Add one rule or data file from its text: `name` is for messages, `rel` is its path
    /// inside a rules directory (`data/…` makes it a data file). [`RuleSet::load`] calls this
    /// for every file; the fuzz targets feed it untrusted text directly.
    pub fn add_file(&mut self, name: &str, rel: &Path, text: &str) -> Result<(), RuleError> {
        self.add_checked_file(name, rel, text, RegexCheck::Compile)
    }

    /// [`RuleSet::add_file`], checking indicator regexes as `check` says.
    fn add_checked_file(
        &mut self,
        name: &str,
        rel: &Path,
        text: &str,
        check: RegexCheck,
    ) -> Result<(), RuleError> {
        if is_data_path(rel) {
            let value: toml::Value = toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
            let stem = rel
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            check_data_schema(name, &stem, text)?;
            self.data
                .entry(stem)
                .or_default()
                .push((name.to_string(), value));
            return Ok(());
        }
        let mut rule: Rule = toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
        rule.origin = name.to_string();
        rule.typed = typed_match(name, text, rule.kind, check)?;
        validate_id(&rule.id).map_err(|m| RuleError {
            path: name.to_string(),
            line: Some(1),
            message: m,
        })?;
        if let Some(prev) = self.rules.get(&rule.id) {
            return Err(RuleError {
                path: name.to_string(),
                line: None,
                message: format!(
                    "rule id `{}` is already defined in {}",
                    rule.id, prev.origin
                ),
            });
        }
        self.rules.insert(rule.id.clone(), rule);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.get(id)
    }

    /// Every rule, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.values()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The data files with this stem (shipped first, then extra directories), with their names.
    pub fn data(&self, stem: &str) -> &[(String, toml::Value)] {
        self.data.get(stem).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A finding for rule `id`, or `None` when that rule is not loaded (`--no-default-rules`
    /// without a replacement): a check whose rule is not loaded does not report.
    pub fn finding(&self, id: &str, message: impl Into<String>) -> Option<Finding> {
        self.get(id).map(|r| r.finding(message))
    }
}

/// The data files the engine reads, by file stem. Any other name in a `data/` folder is an
/// error: a misspelt `payment-vocabulry.toml` would otherwise load, extend nothing and leave
/// the user believing their words are in use.
pub const DATA_FILES: &[&str] = &[
    "payment-vocabulary",
    "processors",
    "well-known-hosts",
    "web-api",
];

/// Data files the engine reads have a typed schema: check it at load time.
fn check_data_schema(name: &str, stem: &str, text: &str) -> Result<(), RuleError> {
    let r = match stem {
        "payment-vocabulary" => toml::from_str::<schema::VocabularyFile>(text).map(|_| ()),
        "processors" => toml::from_str::<schema::ProcessorsFile>(text).map(|_| ()),
        "well-known-hosts" => toml::from_str::<schema::WellKnownFile>(text).map(|_| ()),
        "web-api" => toml::from_str::<schema::WebApiFile>(text).map(|_| ()),
        _ => {
            return Err(RuleError {
                path: name.to_string(),
                line: None,
                message: format!(
                    "unknown data file `{stem}.toml`: data files are named {}",
                    DATA_FILES
                        .iter()
                        .map(|d| format!("{d}.toml"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    };
    r.map_err(|e| toml_error(name, text, e))
}

/// The shipped data files that describe the browser rather than a policy, kept under
/// `--no-default-rules`.
fn is_engine_catalogue(rel: &Path) -> bool {
    is_data_path(rel) && rel.file_stem().is_some_and(|s| s == "web-api")
}

/// A file in a rules tree's `data/` folder is a data file, not a rule.
fn is_data_path(rel: &Path) -> bool {
    rel.components()
        .next()
        .is_some_and(|c| c.as_os_str() == "data")
}

/// The shipped rule and data files (embedded in the binary), sorted by path, with the name
/// messages show (`rules/page/csp-missing.toml`).
fn shipped_files() -> Result<Vec<(String, &'static Path, &'static str)>, RuleError> {
    let mut files: Vec<&include_dir::File> = Vec::new();
    collect_embedded(&SHIPPED, &mut files);
    files.sort_by_key(|f| f.path());
    files
        .into_iter()
        .map(|f| {
            let name = format!("rules/{}", f.path().display());
            let text = f.contents_utf8().ok_or_else(|| RuleError {
                path: name.clone(),
                line: None,
                message: "not UTF-8".into(),
            })?;
            Ok((name, f.path(), text))
        })
        .collect()
}

/// How an indicator rule's regexes are checked at load time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegexCheck {
    /// Compiled, so a user's regex that is too big to compile is refused when loaded, naming
    /// its line, rather than silently never matching.
    Compile,
    /// Parsed only: the shipped rules, loaded by every scan and every analysis worker, whose
    /// regexes a test compiles. Compiling them here cost more than analysing a small script.
    Syntax,
}

/// Read the `[match]` table of a code or indicator rule in its typed schema; a code rule must
/// have one, and an indicator rule's regexes must be valid (see [`RegexCheck`]).
fn typed_match(
    name: &str,
    text: &str,
    kind: RuleKind,
    check: RegexCheck,
) -> Result<Option<TypedMatch>, RuleError> {
    let missing = || RuleError {
        path: name.to_string(),
        line: None,
        message: "a code or indicator rule needs a [match] table".to_string(),
    };
    match kind {
        RuleKind::Code => {
            let m: schema::CodeMatchOnly =
                toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
            Ok(Some(TypedMatch::Code(m.condition.ok_or_else(missing)?)))
        }
        RuleKind::Indicator => {
            let m: schema::IndicatorMatchOnly =
                toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
            let m = m.condition.ok_or_else(missing)?;
            for re in &m.regexes {
                let checked = match check {
                    RegexCheck::Compile => {
                        regex::Regex::new(re).map(|_| ()).map_err(|e| e.to_string())
                    }
                    RegexCheck::Syntax => regex_syntax::Parser::new()
                        .parse(re)
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                };
                if let Err(e) = checked {
                    let line = text.find(re.as_str()).map(|o| line_of(text, o));
                    return Err(RuleError {
                        path: name.to_string(),
                        line,
                        message: format!("bad regex: {e}"),
                    });
                }
            }
            Ok(Some(TypedMatch::Indicator(m)))
        }
        RuleKind::Page | RuleKind::Baseline | RuleKind::Browser => Ok(None),
    }
}

fn validate_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "rule id `{id}` must be lower-case letters, digits and dashes"
        ))
    }
}

fn collect_embedded<'a>(dir: &'a include_dir::Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    for f in dir.files() {
        if f.path().extension().is_some_and(|e| e == "toml") {
            out.push(f);
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let p = entry.path();
        if entry.file_type()?.is_dir() {
            collect_dir(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_load_and_are_documented() {
        let set = RuleSet::load(false, &[]).expect("shipped rules load");
        assert!(!set.is_empty());
        for r in set.iter() {
            assert!(!r.doc.what.trim().is_empty(), "{} has no doc", r.id);
        }
    }

    /// The shipped rules' regexes are only parsed when loaded ([`RegexCheck::Syntax`]);
    /// this is where they are compiled, exactly as the engine compiles them.
    #[test]
    fn shipped_indicator_regexes_compile() {
        let set = RuleSet::load(false, &[]).expect("shipped rules load");
        let mut n = 0;
        for r in set.iter() {
            if let Some(TypedMatch::Indicator(m)) = &r.typed {
                for re in &m.regexes {
                    regex::Regex::new(re).unwrap_or_else(|e| panic!("{}: /{re}/: {e}", r.id));
                    n += 1;
                }
            }
        }
        assert!(n > 0, "no shipped indicator regex was checked");
    }

    /// A user's regex that parses but is too big to compile is refused at load time, naming
    /// the file and the line, not dropped when the engine first needs it.
    #[test]
    fn a_user_regex_too_big_to_compile_is_refused_at_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("indicators")).unwrap();
        let rule = "id = \"big\"\ntitle = \"t\"\nseverity = \"high\"\nkind = \"indicator\"\n\
                    [doc]\nwhat = \"w\"\nwhy = \"y\"\nexample = \"e\"\n\
                    [match]\nregexes = ['\\w{2000}\\w{2000}']\n";
        std::fs::write(dir.path().join("indicators/big.toml"), rule).unwrap();
        let err = RuleSet::load(false, &[dir.path().to_path_buf()]).unwrap_err();
        assert!(err.path.ends_with("big.toml"), "{err}");
        assert_eq!(err.line, Some(10), "{err}");
        assert!(err.message.starts_with("bad regex"), "{err}");
    }

    #[test]
    fn a_bad_rule_file_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bad.toml"),
            "id = \"x\"\ntitle = \"t\"\nseverity = \"severe\"\n",
        )
        .unwrap();
        let err = RuleSet::load(true, &[dir.path().to_path_buf()]).unwrap_err();
        assert!(err.path.ends_with("bad.toml"));
        assert_eq!(err.line, Some(3), "{err}");
    }
}
