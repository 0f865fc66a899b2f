//! String methods and the string decoders (`atob`, `unescape`, `decodeURIComponent`), with
//! JavaScript regular expressions translated to the `regex` crate.

use super::Interp;
use crate::js::value::{MAX_STRING, Value};
use base64::Engine as _;
use std::cell::RefCell;
use std::rc::Rc;

impl<'a> Interp<'a> {
    pub(super) fn string_method(&self, s: &Rc<str>, name: &str, args: &[Value<'a>]) -> Value<'a> {
        let num = |i: usize| args.get(i).and_then(Value::to_number);
        let str_arg = |i: usize| args.get(i).and_then(Value::to_js_string);
        match name {
            "charCodeAt" => {
                let i = num(0).unwrap_or(0.0);
                match self.with_units(s, |u| u.get(i.max(0.0) as usize)) {
                    Some(u) => Value::Num(f64::from(u)),
                    None => Value::Num(f64::NAN),
                }
            }
            "charAt" => {
                let i = num(0).unwrap_or(0.0).max(0.0) as usize;
                Value::str(
                    self.with_units(s, |u| u.char_at(i))
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                )
            }
            "toLowerCase" => Value::str(s.to_lowercase()),
            "toUpperCase" => Value::str(s.to_uppercase()),
            "trim" => Value::str(s.trim()),
            "toString" | "valueOf" => Value::Str(s.clone()),
            "concat" => {
                let mut out = s.to_string();
                for a in args {
                    match a {
                        Value::Prefix(p) => return cap(out + p, true),
                        a => match a.to_js_string() {
                            Some(x) => out.push_str(&x),
                            None => return prefix_or_unknown(out),
                        },
                    }
                }
                cap(out, false)
            }
            "indexOf" => match str_arg(0) {
                Some(n) => Value::Num(match s.find(&n) {
                    Some(b) if s[..b].is_ascii() => b as f64,
                    Some(b) => s[..b].encode_utf16().count() as f64,
                    None => -1.0,
                }),
                None => Value::Unknown,
            },
            "split" => {
                let parts: Vec<Value<'a>> = match args.first() {
                    None | Some(Value::Undefined) => vec![Value::Str(s.clone())],
                    Some(Value::Str(sep)) if sep.is_empty() => {
                        s.chars().map(|c| Value::str(c.to_string())).collect()
                    }
                    Some(Value::Str(sep)) => s.split(&**sep).map(Value::str).collect(),
                    Some(Value::Regex(p, f)) => match self.regex(p, f) {
                        Some(re) => re.split(s).map(Value::str).collect(),
                        None => return Value::Unknown,
                    },
                    _ => return Value::Unknown,
                };
                Value::Array(Rc::new(RefCell::new(parts)))
            }
            "slice" | "substring" | "substr" => {
                let len = self.with_units(s, |u| u.len()) as f64;
                let a = num(0).unwrap_or(0.0);
                let (start, end) = match name {
                    "slice" => {
                        let st = if a < 0.0 {
                            (len + a).max(0.0)
                        } else {
                            a.min(len)
                        };
                        let e = num(1).unwrap_or(len);
                        let en = if e < 0.0 {
                            (len + e).max(0.0)
                        } else {
                            e.min(len)
                        };
                        (st, en)
                    }
                    "substring" => {
                        let e = num(1).unwrap_or(len).clamp(0.0, len);
                        let st = a.clamp(0.0, len);
                        (st.min(e), st.max(e))
                    }
                    _ => {
                        let st = if a < 0.0 {
                            (len + a).max(0.0)
                        } else {
                            a.min(len)
                        };
                        let l = num(1).unwrap_or(len - st).max(0.0);
                        (st, (st + l).min(len))
                    }
                };
                if start.is_nan() || end.is_nan() || start >= end {
                    return Value::str("");
                }
                Value::str(self.with_units(s, |u| u.slice(start as usize, end as usize)))
            }
            "replace" | "replaceAll" => self.replace(s, args, name == "replaceAll"),
            "repeat" => match num(0) {
                Some(n) if n >= 0.0 && (n as usize).saturating_mul(s.len()) <= MAX_STRING => {
                    Value::str(s.repeat(n as usize))
                }
                _ => Value::Unknown,
            },
            // `hex.match(/../g)`: every match with the `g` flag, else the first match and its
            // groups; `null` when nothing matches.
            "match" => match args.first() {
                Some(Value::Regex(p, f)) => match self.regex(p, f) {
                    Some(re) if f.contains('g') => {
                        let all: Vec<Value<'a>> = re
                            .find_iter(s)
                            .take(1 << 16)
                            .map(|m| Value::str(m.as_str()))
                            .collect();
                        if all.is_empty() {
                            Value::Null
                        } else {
                            Value::Array(Rc::new(RefCell::new(all)))
                        }
                    }
                    Some(re) => match re.captures(s) {
                        Some(c) => Value::Array(Rc::new(RefCell::new(
                            c.iter()
                                .map(|g| g.map_or(Value::Undefined, |m| Value::str(m.as_str())))
                                .collect(),
                        ))),
                        None => Value::Null,
                    },
                    None => Value::Unknown,
                },
                _ => Value::Unknown,
            },
            "search" | "includes" | "startsWith" | "endsWith" => Value::Unknown,
            _ => Value::Unknown,
        }
    }

    pub(super) fn replace(&self, s: &str, args: &[Value<'a>], all: bool) -> Value<'a> {
        let (Some(pat), Some(rep)) = (args.first(), args.get(1)) else {
            return Value::Unknown;
        };
        let (re, global) = match pat {
            Value::Str(p) => (self.literal_regex(p), all),
            Value::Regex(p, f) => (self.regex(p, f), f.contains('g')),
            _ => return Value::Unknown,
        };
        let Some(re) = re else { return Value::Unknown };
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for caps in re.captures_iter(s) {
            let Some(m) = caps.get(0) else { continue };
            out.push_str(&s[last..m.start()]);
            match rep {
                Value::Func(cl) => {
                    self.decoded.set(true);
                    let mut cargs: Vec<Value<'a>> = Vec::with_capacity(caps.len() + 2);
                    for g in caps.iter() {
                        cargs.push(g.map_or(Value::Undefined, |g| Value::str(g.as_str())));
                    }
                    cargs.push(Value::Num(m.start() as f64));
                    cargs.push(Value::str(s));
                    match self.call_closure(cl, cargs).to_js_string() {
                        Some(r) => out.push_str(&r),
                        None => return Value::Unknown,
                    }
                    if self.fuel.get() == 0 {
                        return Value::Unknown;
                    }
                }
                other => match other.to_js_string() {
                    Some(r) => {
                        // `$1`-style references are rare in decoders; `$&` is the match.
                        out.push_str(&r.replace("$&", m.as_str()));
                    }
                    None => return Value::Unknown,
                },
            }
            last = m.end();
            if out.len() > MAX_STRING {
                return Value::Unknown;
            }
            if !global {
                break;
            }
        }
        out.push_str(&s[last..]);
        if !self.charge(out.len()) {
            return Value::Unknown;
        }
        Value::str(out)
    }
}

pub(super) fn cap<'a>(s: String, prefix: bool) -> Value<'a> {
    if s.len() > MAX_STRING {
        Value::Unknown
    } else if prefix {
        Value::Prefix(s.into())
    } else {
        Value::str(s)
    }
}

pub(super) fn prefix_or_unknown<'a>(s: String) -> Value<'a> {
    if s.is_empty() {
        Value::Unknown
    } else {
        cap(s, true)
    }
}

/// Compiled regular expressions kept per script, at most this many (a script that builds a
/// new pattern on every iteration must not grow the cache without bound).
const MAX_CACHED_REGEXES: usize = 256;

impl<'a> Interp<'a> {
    /// A JavaScript regular expression, compiled once per script: decoder loops call
    /// `replace`, `split` and `test` with the same literal on every iteration, and compiling
    /// costs far more than matching a short string.
    pub(super) fn regex(&self, pattern: &str, flags: &str) -> Option<regex::Regex> {
        self.compiled(js_regex_source(pattern, flags))
    }

    /// A string searched for literally (`s.replace('x', …)`).
    pub(super) fn literal_regex(&self, text: &str) -> Option<regex::Regex> {
        self.compiled(regex::escape(text))
    }

    fn compiled(&self, source: String) -> Option<regex::Regex> {
        let mut cache = self.regexes.borrow_mut();
        if let Some(re) = cache.get(&source) {
            return re.clone();
        }
        if cache.len() >= MAX_CACHED_REGEXES {
            cache.clear();
        }
        let re = build_regex(&source);
        cache.insert(source, re.clone());
        re
    }
}

/// Translate a JavaScript regular expression to the `regex` crate where the syntax agrees.
pub fn js_regex(pattern: &str, flags: &str) -> Option<regex::Regex> {
    build_regex(&js_regex_source(pattern, flags))
}

fn build_regex(source: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(source)
        .size_limit(1 << 20)
        .build()
        .ok()
}

/// The `regex` crate's spelling of a JavaScript pattern and its flags.
fn js_regex_source(pattern: &str, flags: &str) -> String {
    let mut p = String::new();
    if flags.contains('i') {
        p.push_str("(?i)");
    }
    if flags.contains('s') {
        p.push_str("(?s)");
    }
    if flags.contains('m') {
        p.push_str("(?m)");
    }
    p.push_str(pattern);
    p
}

/// `atob`: forgiving Base64 to a Latin-1 string.
pub fn atob(s: &str) -> Option<String> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let trimmed = clean.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .ok()?;
    Some(bytes.into_iter().map(char::from).collect())
}

/// `unescape`: `%XX` and `%uXXXX`.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if b.get(i + 1) == Some(&b'u')
                && let Some(h) = s.get(i + 2..i + 6)
                && let Ok(v) = u32::from_str_radix(h, 16)
            {
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                i += 6;
                continue;
            }
            if let Some(h) = s.get(i + 1..i + 3)
                && let Ok(v) = u8::from_str_radix(h, 16)
            {
                out.push(char::from(v));
                i += 3;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

/// `decodeURIComponent`: percent-decoding into UTF-8 (None where the browser would throw: a
/// `%` without two hex digits after it, or bytes that are not UTF-8). The decoding is the
/// `percent-encoding` crate's; the browser's strictness is checked here first.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let every_escape_whole = b
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == b'%')
        .all(|(i, _)| {
            b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        });
    if !every_escape_whole {
        return None;
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// What `encodeURIComponent` leaves as it is: ASCII letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

pub(super) fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, URI_COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::js::value::parse_int;

    #[test]
    fn decoders_match_javascript() {
        assert_eq!(
            atob("aHR0cHM6Ly9ldmlsLmV4YW1wbGU=").as_deref(),
            Some("https://evil.example")
        );
        assert_eq!(unescape("%68%74%u0074p"), "http");
        assert_eq!(percent_decode("a%2Fb").as_deref(), Some("a/b"));
        assert!(percent_decode("%E0%A4%A").is_none());
        assert!(
            percent_decode("100%").is_none(),
            "a lone % throws in the browser"
        );
        assert!(percent_decode("%zz").is_none());
        assert!(
            percent_decode("%C3").is_none(),
            "half a UTF-8 sequence throws"
        );
        assert_eq!(percent_decode("%E3%82%AB+x").as_deref(), Some("カ+x"));
        assert_eq!(
            percent_encode("a b/カ!~*'()-_."),
            "a%20b%2F%E3%82%AB!~*'()-_."
        );
        assert_eq!(parse_int("0x1f", None), 31.0);
        assert_eq!(parse_int("12px", None), 12.0);
        assert!(parse_int("abc", None).is_nan());
    }
}
