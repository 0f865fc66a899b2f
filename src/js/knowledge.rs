//! What the engine knows from `rules/`, compiled once per scan: the payment vocabulary, the
//! processor hosts, the brands look-alikes imitate, the code rules' typed conditions and the
//! indicator matchers. Data files with the same stem from `--rules DIR` extend the shipped ones.

use super::indicators::{IndicatorRule, Indicators};
use super::vocabulary::Vocabulary;
use super::web_api::WebApi;
use crate::finding::Severity;
use crate::hosts::{Brand, HostPattern};
use crate::rules::schema::{CodeMatch, ProcessorsFile, VocabularyFile, WebApiFile, WellKnownFile};
use crate::rules::{RuleKind, RuleSet, TypedMatch};

pub struct CodeRule {
    pub id: String,
    pub severity: Severity,
    pub condition: CodeMatch,
}

pub struct Knowledge {
    pub vocab: Vocabulary,
    pub processors: Vec<HostPattern>,
    pub brands: Vec<Brand>,
    pub code_rules: Vec<CodeRule>,
    pub indicators: Indicators,
    /// The sending and loading calls of `rules/data/web-api.toml`.
    pub web_api: WebApi,
}

impl Knowledge {
    pub fn from_rules(rules: &RuleSet) -> Knowledge {
        // Data files were checked against these schemas when the rule set was loaded, so a
        // failure here cannot happen for a loaded set; an unreadable file contributes nothing.
        let vocab_files: Vec<VocabularyFile> = rules
            .data("payment-vocabulary")
            .iter()
            .filter_map(|(_, v)| v.clone().try_into().ok())
            .collect();
        let mut processors = Vec::new();
        for (_, v) in rules.data("processors") {
            if let Ok(f) = v.clone().try_into::<ProcessorsFile>() {
                for p in f.processor {
                    processors.extend(p.hosts.iter().filter_map(|h| HostPattern::parse(h).ok()));
                }
            }
        }
        let mut brands = Vec::new();
        for (_, v) in rules.data("well-known-hosts") {
            if let Ok(f) = v.clone().try_into::<WellKnownFile>() {
                brands.extend(f.brand.into_iter().map(|b| Brand {
                    label: b.label.to_ascii_lowercase(),
                    domains: b.domains.iter().map(|d| d.to_ascii_lowercase()).collect(),
                    category: b.category,
                }));
            }
        }
        let api_files: Vec<WebApiFile> = rules
            .data("web-api")
            .iter()
            .filter_map(|(_, v)| v.clone().try_into().ok())
            .collect();
        let mut code_rules = Vec::new();
        let mut indicators = Vec::new();
        for r in rules.iter() {
            match (&r.kind, &r.typed) {
                (RuleKind::Code, Some(TypedMatch::Code(c))) => code_rules.push(CodeRule {
                    id: r.id.clone(),
                    severity: r.severity,
                    condition: c.clone(),
                }),
                (RuleKind::Indicator, Some(TypedMatch::Indicator(m))) => {
                    indicators.push(IndicatorRule::new(&r.id, m))
                }
                _ => {}
            }
        }
        Knowledge {
            vocab: Vocabulary::from_files(&vocab_files),
            processors,
            brands,
            code_rules,
            indicators: Indicators::new(indicators),
            web_api: WebApi::from_files(&api_files),
        }
    }
}
