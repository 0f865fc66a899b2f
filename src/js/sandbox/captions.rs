//! Captions a script looks for. Skimmers find card fields by what the page says next to them
//! (`Kartennummer`, `カード番号`, `카드 번호`), walking text nodes or `<dt>`s, because names and
//! ids differ from shop to shop while the captions a customer reads do not. The stub page
//! cannot know the shop's language, but the script says what it looks for: its short string
//! literals, and a shortest text each of its regular expressions matches
//! (`/karten\s*-?\s*nummer/i` → `kartennummer`). `emulate.js` puts the captions that name a
//! card field (by the same words it answers canaries by) next to that field.

use oxc_allocator::Allocator;
use oxc_ast::ast::{RegExpLiteral, StringLiteral, TemplateLiteral};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::SourceType;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Captions handed to the page at most, and the longest one.
const MAX_CAPTIONS: usize = 48;
const MAX_LEN: usize = 60;

/// The texts `src` could be looking for among a page's captions, first seen first.
pub fn captions(src: &str) -> Vec<String> {
    let alloc = Allocator::default();
    let parsed = Parser::new(&alloc, src, SourceType::script()).parse();
    let mut v = Texts { out: Vec::new() };
    v.visit_program(&parsed.program);
    v.out
}

struct Texts {
    out: Vec<String>,
}

impl Texts {
    fn add(&mut self, text: &str) {
        let t = text.trim();
        if self.out.len() < MAX_CAPTIONS
            && (2..=MAX_LEN).contains(&t.chars().count())
            && t.chars().any(char::is_alphabetic)
            && !t.contains(['<', '{', '(', '=', ';'])
            && !self.out.iter().any(|o| o == t)
        {
            self.out.push(t.to_string());
        }
    }
}

impl<'a> Visit<'a> for Texts {
    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        self.add(it.value.as_str());
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        for q in &it.quasis {
            if let Some(c) = &q.value.cooked {
                self.add(c.as_str());
            }
        }
        walk::walk_template_literal(self, it);
    }

    fn visit_reg_exp_literal(&mut self, it: &RegExpLiteral<'a>) {
        if let Some(s) = shortest_match(it.regex.pattern.text.as_str()) {
            self.add(&s);
        }
    }
}

/// A shortest text the pattern matches, as far as its syntax is that of Rust's `regex`
/// (the usual caption patterns are): the first alternative, the fewest repetitions, a
/// letter or a space for a class that allows one.
pub fn shortest_match(pattern: &str) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(false)
        .build()
        .parse(pattern)
        .ok()?;
    let mut out = String::new();
    let mut budget = MAX_NODES;
    sample(&hir, &mut out, 0, &mut budget);
    (!out.is_empty()).then_some(out)
}

/// Pattern nodes visited at most per pattern: a repetition of a part that writes nothing
/// (`(?:(?:[^\s\S]{4}){4}){4}`…) would otherwise take exponential time, and this runs before
/// any sandbox budget.
const MAX_NODES: u32 = 2_000;

fn sample(h: &Hir, out: &mut String, depth: u32, budget: &mut u32) {
    if depth > 32 || out.len() > 4 * MAX_LEN || *budget == 0 {
        return;
    }
    *budget -= 1;
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => out.push_str(&String::from_utf8_lossy(&l.0)),
        HirKind::Class(Class::Unicode(c)) => {
            let has = |ch: char| c.ranges().iter().any(|r| r.start() <= ch && ch <= r.end());
            if let Some(ch) = ['a', ' ']
                .into_iter()
                .find(|&ch| has(ch))
                .or_else(|| c.ranges().first().map(|r| r.start()))
            {
                out.push(ch);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            if let Some(r) = c.ranges().first() {
                out.push(char::from(r.start()));
            }
        }
        HirKind::Repetition(r) => {
            for _ in 0..r.min.min(4) {
                let before = out.len();
                sample(&r.sub, out, depth + 1, budget);
                // A part that writes nothing writes nothing again.
                if out.len() == before {
                    break;
                }
            }
        }
        HirKind::Capture(c) => sample(&c.sub, out, depth + 1, budget),
        HirKind::Concat(parts) => parts.iter().for_each(|p| sample(p, out, depth + 1, budget)),
        HirKind::Alternation(alts) => {
            if let Some(first) = alts.first() {
                sample(first, out, depth + 1, budget);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_come_from_literals_and_patterns() {
        let src = r#"
            var WANT = { nr: /karten\s*-?\s*nummer/i, bis: /g(ü|ue)ltig\s*bis/, pz: /pr(ü|ue)f\s*(nummer|ziffer)/ };
            var ko = '카드 번호', ja = `有効期限`, code = 'if (x) { y(); }';
            document.querySelector('#x');
        "#;
        let c = captions(src);
        for want in [
            "kartennummer",
            "gültigbis",
            "prüfnummer",
            "카드 번호",
            "有効期限",
            "#x",
        ] {
            assert!(c.iter().any(|x| x == want), "{want} not in {c:?}");
        }
        assert!(!c.iter().any(|x| x.contains('{')), "{c:?}");
    }

    #[test]
    fn a_pattern_regex_cannot_read_is_no_caption() {
        assert_eq!(shortest_match("(?<=a)b"), None);
        assert_eq!(
            shortest_match("セキュリティ\\s*コード|CVC"),
            Some("セキュリティコード".into())
        );
        assert_eq!(shortest_match("^\\d{3,4}$"), Some("000".into()));
    }

    #[test]
    fn a_pattern_built_to_explode_ends_at_once() {
        let mut p = String::from("[^\\s\\S]{4}");
        for _ in 0..30 {
            p = format!("(?:{p}|x){{4}}");
        }
        let t = std::time::Instant::now();
        let _ = shortest_match(&p);
        assert!(
            t.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            t.elapsed()
        );
    }
}
