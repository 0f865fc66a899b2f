//! Strings as JavaScript indexes them: by UTF-16 code unit. Rust strings are UTF-8, so
//! `s.length`, `s.charCodeAt(i)` and `s[i]` would re-encode the string from its start on every
//! call, and a decoder loop (`for (i = 0; i < s.length; i++) … s.charCodeAt(i) …`) would go
//! quadratic in the string's length. The evaluator keeps the code units of the last long
//! string it indexed, so each index in such a loop costs O(1); ASCII strings (nearly all
//! encoded payloads) are indexed by byte without any conversion.

use super::Interp;
use std::rc::Rc;

/// Shorter strings are converted on the spot: cheaper than a look at the cache.
const CACHE_FROM: usize = 64;

/// One string's code units: its bytes when it is ASCII (one unit per byte), else UTF-16.
pub(super) enum Units<'s> {
    Ascii(&'s str),
    Wide(&'s [u16]),
}

impl Units<'_> {
    pub(super) fn len(&self) -> usize {
        match self {
            Units::Ascii(s) => s.len(),
            Units::Wide(u) => u.len(),
        }
    }

    pub(super) fn get(&self, i: usize) -> Option<u16> {
        match self {
            Units::Ascii(s) => s.as_bytes().get(i).map(|b| u16::from(*b)),
            Units::Wide(u) => u.get(i).copied(),
        }
    }

    /// The character at unit `i`, as `s[i]` and `charAt` give it (a lone surrogate half is
    /// not a Rust `char`: U+FFFD stands in for it).
    pub(super) fn char_at(&self, i: usize) -> Option<char> {
        self.get(i)
            .map(|u| char::from_u32(u32::from(u)).unwrap_or('\u{fffd}'))
    }

    /// Units `start..end` (in range, `start <= end`) as a string.
    pub(super) fn slice(&self, start: usize, end: usize) -> String {
        match self {
            Units::Ascii(s) => s[start..end].to_string(),
            Units::Wide(u) => String::from_utf16_lossy(&u[start..end]),
        }
    }
}

/// The cached conversion: the string (kept alive, so its address is not reused) and its
/// UTF-16 units, or None when it is ASCII.
pub(super) struct Cached {
    s: Rc<str>,
    wide: Option<Rc<[u16]>>,
}

impl<'a> Interp<'a> {
    /// Run `f` over the code units of `s`.
    pub(super) fn with_units<R>(&self, s: &Rc<str>, f: impl FnOnce(Units<'_>) -> R) -> R {
        if s.len() < CACHE_FROM {
            return if s.is_ascii() {
                f(Units::Ascii(s))
            } else {
                let u: Vec<u16> = s.encode_utf16().collect();
                f(Units::Wide(&u))
            };
        }
        let wide = {
            let mut slot = self.utf16.borrow_mut();
            // The same string again (a loop reading one variable), or an equal copy of it (a
            // string literal evaluated again): comparing bytes is far cheaper than encoding.
            match &*slot {
                Some(c) if Rc::ptr_eq(&c.s, s) || c.s == *s => c.wide.clone(),
                _ => {
                    let wide = (!s.is_ascii()).then(|| s.encode_utf16().collect::<Rc<[u16]>>());
                    *slot = Some(Cached {
                        s: s.clone(),
                        wide: wide.clone(),
                    });
                    wide
                }
            }
        };
        match &wide {
            None => f(Units::Ascii(s)),
            Some(u) => f(Units::Wide(u)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::js::constants::Constants;
    use crate::js::interp::Interp;
    use crate::js::value::Value;
    use oxc_allocator::Allocator;
    use oxc_ast::ast::{Expression, Statement};
    use oxc_span::SourceType;

    /// Run a script's top level and read its globals `a`, `b`, … as strings.
    fn globals(code: &str, names: &[&'static str]) -> Vec<String> {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let program = alloc.alloc(ret.program);
        let consts = Constants::collect(program, code);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let interp = Interp::new(code, consts.decls(), deadline)
            .with_changes(consts.volatile.clone(), consts.staged.clone());
        interp.run_top_level(&program.body);
        // Each name's value as the script's later code reads it: its declaration evaluated
        // (a constant) or the value the top-level run left (a variable a loop changed).
        let inits: Vec<(&str, &Expression)> = program
            .body
            .iter()
            .filter_map(|s| match s {
                Statement::VariableDeclaration(d) => Some(d),
                _ => None,
            })
            .flat_map(|d| d.declarations.iter())
            .filter_map(|d| Some((d.id.get_identifier_name()?.as_str(), d.init.as_ref()?)))
            .collect();
        names
            .iter()
            .map(|n| match inits.iter().find(|(m, _)| m == n) {
                Some((m, e)) if interp.is_global_binding(m) => interp.eval(e),
                _ => interp.lookup(n, None),
            })
            .map(|v| match v {
                Value::Str(s) => s.to_string(),
                Value::Num(x) => x.to_string(),
                v => format!("{v:?}"),
            })
            .collect()
    }

    #[test]
    fn indexes_count_utf16_units_in_long_and_short_strings() {
        // 70 ASCII letters, then é (one unit) and 😀 (two units): long enough for the cache.
        let long = format!("{}é😀z", "x".repeat(70));
        let code = format!(
            "var s = '{long}'; var a = s.length; var b = s.charCodeAt(70); var c = s.charCodeAt(71); \
             var d = s.slice(69, 74); var e = s[73]; var f = s.charAt(3); var g = 'é😀z'.length; \
             var h = s.substring(70, 71); var i = s.indexOf('z');"
        );
        let got = globals(&code, &["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
        assert_eq!(
            got,
            ["74", "233", "55357", "xé😀z", "z", "x", "4", "é", "73"].map(String::from)
        );
    }

    #[test]
    fn a_decoder_loop_reads_every_unit_of_a_long_string() {
        // The shape that went quadratic: length and charCodeAt on every iteration.
        let payload: String = "https://evil.example/c"
            .chars()
            .map(|c| char::from(c as u8 + 1))
            .collect();
        let code = format!(
            "var s = '{}{payload}'; var m = ''; \
             for (var i = s.length - {}; i < s.length; i++) {{ m += String.fromCharCode(s.charCodeAt(i) - 1); }}",
            "q".repeat(5_000),
            payload.len()
        );
        assert_eq!(globals(&code, &["m"]), ["https://evil.example/c"]);
    }
}
