//! The canary card and the search for it in what leaves the browser.
//!
//! A canary is a Luhn-valid card number from the `400000` test range (issued to no real
//! cardholder, accepted by every client-side card validator), unique per scan, with an expiry,
//! a CVV and a holder name. A skimmer does not send what it stole as typed: it URL-encodes,
//! base64s (often inside a larger JSON blob, so the number sits at any offset), hex-encodes,
//! reverses, JSON-escapes, strips the spaces a customer typed, or sends it key by key. The
//! [`Matcher`] undoes each of these (and chains of them, up to [`MAX_DEPTH`] layers) and says
//! which it found; [`SplitTracker`] joins key-by-key fragments per destination host. Matching
//! is on the number only: 16 random-tailed digits do not occur by chance, an expiry or CVV do.

use base64::Engine as _;
use std::collections::BTreeMap;

/// Encoding layers undone before giving up (base64 of URL-encoded JSON is three).
pub const MAX_DEPTH: usize = 3;
/// Shortest run of base64 or hex characters worth decoding: the number needs 16 bytes of
/// plaintext, which is 22 base64 or 32 hex characters.
const MIN_B64_RUN: usize = 20;
const MIN_HEX_RUN: usize = 32;
/// Key-by-key fragments kept per host (a keylogger sends one request per key).
const MAX_FRAGMENTS: usize = 4096;

/// A test card, unique per scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canary {
    /// 16 digits, no separators.
    pub number: String,
    /// Two digits, `01`–`12`.
    pub month: String,
    /// Four digits.
    pub year: String,
    pub cvv: String,
    pub holder: String,
}

/// Whether `digits` (ASCII digits only) passes the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    luhn_sum(digits, false).is_multiple_of(10)
}

/// The Luhn sum of `digits`; `appending` when a check digit will follow (so the rightmost
/// given digit is doubled).
fn luhn_sum(digits: &str, appending: bool) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            let double = if appending { i % 2 == 0 } else { i % 2 == 1 };
            if double {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum()
}

impl Canary {
    /// A fresh canary from `seed` (any randomness; the scan passes a random one).
    pub fn from_seed(seed: u64) -> Canary {
        let mut rng = fastrand::Rng::with_seed(seed);
        // 400000 is a test BIN: card networks' and processors' test cards live there, so a
        // leaked canary can never be charged.
        let mut number = String::from("400000");
        for _ in 0..9 {
            number.push(char::from(b'0' + rng.u8(0..10)));
        }
        let check = (10 - luhn_sum(&number, true) % 10) % 10;
        number.push(char::from(b'0' + check as u8));
        let year = time::OffsetDateTime::now_utc().year() + 3;
        let holder_tail: String = (0..6)
            .map(|_| char::from(b'A' + rng.u8(0..26)))
            .collect::<String>();
        Canary {
            number,
            month: format!("{:02}", rng.u8(1..13)),
            year: year.to_string(),
            cvv: format!("{:03}", rng.u16(100..1000)),
            holder: format!("Alex {}", capitalise(&holder_tail)),
        }
    }

    /// A canary unique to this process and moment.
    pub fn generate() -> Canary {
        Canary::from_seed(fastrand::u64(..))
    }

    /// The expiry as a customer types it into a single field.
    pub fn expiry_mm_yy(&self) -> String {
        format!(
            "{}/{}",
            self.month,
            &self.year[self.year.len().saturating_sub(2)..]
        )
    }

    /// The number with its middle masked, for evidence: `400000******1234`.
    pub fn masked(&self) -> String {
        mask_digits(&self.number)
    }
}

fn capitalise(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn mask_digits(d: &str) -> String {
    if d.len() <= 10 {
        return "*".repeat(d.len());
    }
    format!(
        "{}{}{}",
        &d[..6],
        "*".repeat(d.len() - 10),
        &d[d.len() - 4..]
    )
}

/// How the canary was found in a payload: the layers undone, outermost first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found(pub Vec<Layer>);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    UrlEncoded,
    JsonEscaped,
    Base64,
    Hex,
    Reversed,
    /// Digits with spaces, dashes or other separators between them.
    Separated,
    /// Sent key by key over several requests.
    Split,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::UrlEncoded => "url-encoded",
            Layer::JsonEscaped => "json-escaped",
            Layer::Base64 => "base64",
            Layer::Hex => "hex",
            Layer::Reversed => "reversed",
            Layer::Separated => "separators removed",
            Layer::Split => "split across requests",
        }
    }
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("plain");
        }
        let names: Vec<&str> = self.0.iter().map(|l| l.as_str()).collect();
        f.write_str(&names.join(" + "))
    }
}

/// Finds one canary's number in payloads.
#[derive(Clone, Debug)]
pub struct Matcher {
    number: String,
    reversed: String,
    /// Encoded forms replaced when masking evidence.
    forms: Vec<String>,
}

impl Matcher {
    pub fn new(canary: &Canary) -> Matcher {
        let number = canary.number.clone();
        let reversed: String = number.chars().rev().collect();
        let b64 = base64::engine::general_purpose::STANDARD;
        let hex_lower: String = number.bytes().map(|b| format!("{b:02x}")).collect();
        let mut forms = vec![
            number.clone(),
            reversed.clone(),
            hex_lower.clone(),
            hex_lower.to_ascii_uppercase(),
        ];
        for sep in [" ", "-", "%20", "+"] {
            let groups: Vec<&str> = (0..4).map(|i| &number[i * 4..i * 4 + 4]).collect();
            forms.push(groups.join(sep));
        }
        // The base64 of the number at each of the three byte alignments, without the
        // characters that depend on the neighbouring bytes.
        for pad in 0..3 {
            let mut bytes = vec![b'"'; pad];
            bytes.extend_from_slice(number.as_bytes());
            let enc = b64.encode(&bytes);
            let start = if pad == 0 { 0 } else { (pad * 4).div_ceil(3) };
            let end = enc.len().saturating_sub(4);
            if start < end {
                forms.push(enc[start..end].to_string());
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        Matcher {
            number,
            reversed,
            forms,
        }
    }

    /// Where the number is in `payload`, and how it was encoded; `None` when it is not.
    pub fn find(&self, payload: &[u8]) -> Option<Found> {
        let text = String::from_utf8_lossy(payload);
        self.find_in(&text, MAX_DEPTH)
    }

    fn find_in(&self, text: &str, depth: usize) -> Option<Found> {
        if text.contains(&self.number) {
            return Some(Found(Vec::new()));
        }
        if text.contains(&self.reversed) {
            return Some(Found(vec![Layer::Reversed]));
        }
        if has_separated(text, &self.number) {
            return Some(Found(vec![Layer::Separated]));
        }
        if has_separated(text, &self.reversed) {
            return Some(Found(vec![Layer::Separated, Layer::Reversed]));
        }
        if depth == 0 {
            return None;
        }
        let mut tries: Vec<(Layer, String)> = Vec::new();
        if text.contains('%') || text.contains('+') {
            let d = url_decode(text);
            if d != text {
                tries.push((Layer::UrlEncoded, d));
            }
        }
        if text.contains('\\') {
            let d = json_unescape(text);
            if d != text {
                tries.push((Layer::JsonEscaped, d));
            }
        }
        for run in runs(text, is_hex_char, MIN_HEX_RUN) {
            for offset in 0..2 {
                if let Some(d) = hex_decode(&run[offset.min(run.len())..]) {
                    tries.push((Layer::Hex, d));
                }
            }
        }
        for run in runs(text, is_b64_char, MIN_B64_RUN) {
            for offset in 0..4 {
                if let Some(d) = b64_decode(&run[offset.min(run.len())..]) {
                    tries.push((Layer::Base64, d));
                }
            }
        }
        for (layer, decoded) in tries {
            if let Some(Found(mut rest)) = self.find_in(&decoded, depth - 1) {
                rest.insert(0, layer);
                return Some(Found(rest));
            }
        }
        None
    }

    /// `text` with every known encoded form of the number masked, and any other run of 12 or
    /// more digits masked too (evidence must not spread a card number, even a test one).
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for f in &self.forms {
            if !f.is_empty() {
                out = out.replace(f.as_str(), "[canary]");
            }
        }
        mask_long_digit_runs(&out)
    }
}

/// Whether `text` holds `digits` with non-digit separators (spaces, dashes, dots, `%20`…)
/// between some of them: strips everything but digits within each stretch of the text that
/// holds no letters, so unrelated numbers in other fields do not join up.
fn has_separated(text: &str, digits: &str) -> bool {
    let mut stretch = String::new();
    let flush = |s: &mut String| {
        let found = s.contains(digits);
        s.clear();
        found
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            stretch.push(c);
        } else if matches!(c, ' ' | '-' | '.' | '_' | '/' | '\u{a0}' | '\t') {
            // A separator a customer or a card field formatter puts between digit groups.
        } else if flush(&mut stretch) {
            return true;
        }
    }
    flush(&mut stretch)
}

fn is_hex_char(c: char) -> bool {
    c.is_ascii_hexdigit()
}

fn is_b64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '=')
}

/// Maximal runs of characters accepted by `keep`, at least `min` long.
fn runs(text: &str, keep: fn(char) -> bool, min: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (keep(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= min {
                    out.push(&text[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start
        && text.len() - s >= min
    {
        out.push(&text[s..]);
    }
    out
}

fn hex_decode(run: &str) -> Option<String> {
    let bytes: Vec<u8> = run
        .as_bytes()
        .chunks_exact(2)
        .filter_map(|p| {
            let h = (p[0] as char).to_digit(16)?;
            let l = (p[1] as char).to_digit(16)?;
            Some((h * 16 + l) as u8)
        })
        .collect();
    (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// Decode base64 (standard or URL-safe, padded or not), dropping a trailing partial quantum.
fn b64_decode(run: &str) -> Option<String> {
    let clean: String = run
        .chars()
        .filter(|c| *c != '=')
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    // A lone character after the last full quantum encodes no whole byte; a partial quantum
    // of 2 or 3 characters does (the number may be the last thing in the blob).
    let usable = if clean.len() % 4 == 1 {
        clean.len() - 1
    } else {
        clean.len()
    };
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = lenient.decode(&clean[..usable]).ok()?;
    (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

fn url_decode(text: &str) -> String {
    crate::page::percent_decode(&text.replace('+', " "))
}

/// Undo JSON string escapes (`\u0034`, `\/`, `\"`…) wherever they are.
fn json_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\x");
                        out.push_str(&hex);
                    }
                }
            }
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn mask_long_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once('\u{0}')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() >= 12 {
            out.push_str(&mask_digits(&run));
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\u{0}' {
            out.push(c);
        }
    }
    out
}

/// Joins what keyloggers send one key at a time: per destination host, the short digit
/// values of each request (after URL and JSON decoding), in the order the requests were made.
#[derive(Debug, Default)]
pub struct SplitTracker {
    per_host: BTreeMap<String, Vec<String>>,
}

impl SplitTracker {
    /// Record one request's payload (URL and body) to `host`; returns true when the
    /// fragments sent to that host so far spell the number (forwards or backwards).
    pub fn add(&mut self, matcher: &Matcher, host: &str, payload: &str) -> bool {
        let decoded = json_unescape(&url_decode(payload));
        let list = self.per_host.entry(host.to_string()).or_default();
        for token in decoded.split(|c: char| !c.is_ascii_alphanumeric()) {
            // One to four digits: a key, or a group of them. Longer numbers (timestamps,
            // ids) are not keystrokes and would break the sequence.
            if (1..=4).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_digit()) {
                if list.len() == MAX_FRAGMENTS {
                    list.remove(0);
                }
                list.push(token.to_string());
            }
        }
        let joined: String = list.concat();
        joined.contains(&matcher.number) || joined.contains(&matcher.reversed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canary() -> Canary {
        Canary::from_seed(42)
    }

    fn found(m: &Matcher, s: &str) -> Option<String> {
        m.find(s.as_bytes()).map(|f| f.to_string())
    }

    #[test]
    fn canaries_are_luhn_valid_test_cards_and_differ() {
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let c = Canary::from_seed(seed);
            assert!(luhn_valid(&c.number), "{}", c.number);
            assert!(c.number.starts_with("400000"));
            assert_eq!(c.number.len(), 16);
            assert!((1..=12).contains(&c.month.parse::<u8>().unwrap_or(0)));
            assert_eq!(c.cvv.len(), 3);
            seen.insert(c.number);
        }
        assert!(seen.len() > 190, "numbers repeat: {}", seen.len());
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("41x1"));
    }

    #[test]
    fn plain_and_url_and_json_forms() {
        let c = canary();
        let m = Matcher::new(&c);
        let n = &c.number;
        assert_eq!(
            found(&m, &format!("cc={n}&exp=12")).as_deref(),
            Some("plain")
        );
        let spaced = format!("{} {} {} {}", &n[..4], &n[4..8], &n[8..12], &n[12..]);
        let url = spaced.replace(' ', "%20");
        assert_eq!(
            found(&m, &format!("d=%7B%22cc%22%3A%22{url}%22%7D")).as_deref(),
            Some("url-encoded + separators removed")
        );
        let url_digits: String = n.bytes().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(
            found(&m, &format!("x={url_digits}")).as_deref(),
            Some("url-encoded")
        );
        let json: String = n.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
        assert_eq!(
            found(&m, &format!("{{\"c\":\"{json}\"}}")).as_deref(),
            Some("json-escaped")
        );
        let dashed = format!("{}-{}-{}-{}", &n[..4], &n[4..8], &n[8..12], &n[12..]);
        assert_eq!(
            found(&m, &format!("{{\"pan\":\"{dashed}\"}}")).as_deref(),
            Some("separators removed")
        );
    }

    #[test]
    fn base64_at_every_offset_and_hex_and_reversed() {
        let c = canary();
        let m = Matcher::new(&c);
        let b64 = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "a", "ab", "abc", "{\"name\":\"x\",\"card\":\""] {
            let blob = b64.encode(format!("{prefix}{}\",\"cvv\":\"123\"}}", c.number));
            assert_eq!(
                found(&m, &format!("d={blob}")).as_deref(),
                Some("base64"),
                "prefix {prefix:?}"
            );
            // The same blob cut out of a longer token: the run starts off an encoding
            // boundary.
            assert_eq!(
                found(&m, &format!("x=Q{blob}")).as_deref(),
                Some("base64"),
                "shifted prefix {prefix:?}"
            );
        }
        // The number last in the blob, padded, after a `d=` whose `=` joins the run.
        let tail = b64.encode(&c.number);
        assert_eq!(
            found(&m, &format!("https://evil.test/c?d={tail}")).as_deref(),
            Some("base64")
        );
        let tail = b64.encode(format!("x{}", c.number));
        assert_eq!(
            found(&m, &format!("/c?d={tail}")).as_deref(),
            Some("base64")
        );
        let url_safe =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("??>>{}", c.number));
        assert_eq!(found(&m, &url_safe).as_deref(), Some("base64"));
        let hex: String = format!("pan={}", c.number)
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(found(&m, &format!("/p/{hex}")).as_deref(), Some("hex"));
        let rev: String = c.number.chars().rev().collect();
        assert_eq!(found(&m, &format!("q={rev}")).as_deref(), Some("reversed"));
        // Chains: base64 of a URL-encoded JSON string.
        let inner = format!("%7B%22n%22%3A%22{}%22%7D", c.number);
        let chained = b64.encode(format!("{{\"d\":\"{inner}\"}}"));
        assert!(found(&m, &chained).is_some());
        let rev_b64 = b64.encode(&rev);
        assert_eq!(found(&m, &rev_b64).as_deref(), Some("base64 + reversed"));
    }

    #[test]
    fn innocent_payloads_do_not_match() {
        let c = canary();
        let m = Matcher::new(&c);
        let other = Canary::from_seed(43);
        for s in [
            "",
            "event=pageview&ts=1764100000000&sid=8f2a9c",
            "{\"cart\":[{\"sku\":\"4000-00\",\"qty\":1}],\"total\":\"129.00\"}",
            &other.number,
            &c.number[..15],
            &c.cvv,
            "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
            "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
        ] {
            assert_eq!(found(&m, s), None, "{s}");
        }
        // Digits of the number spread over separate fields with letters between them are
        // not one number.
        let n = &c.number;
        let spread = format!(
            "a={}&b={}&c={}&d={}",
            &n[..4],
            &n[4..8],
            &n[8..12],
            &n[12..]
        );
        assert_eq!(found(&m, &spread), None);
    }

    #[test]
    fn keystrokes_split_across_requests_join_per_host() {
        let c = canary();
        let m = Matcher::new(&c);
        let mut t = SplitTracker::default();
        let mut hit = false;
        for (i, d) in c.number.chars().enumerate() {
            // Noise between keys: a timestamp and a letter key name.
            hit = t.add(
                &m,
                "keys.evil.test",
                &format!("/k?c={d}&t=17641000{i:05}&n=key"),
            );
            // Another host's keys do not interleave.
            assert!(!t.add(&m, "cdn.test", "/pixel?v=1"));
        }
        assert!(hit);
        // JSON key events, the number reversed (read back to front).
        let mut t = SplitTracker::default();
        let mut hit = false;
        for d in c.number.chars().rev() {
            hit = t.add(&m, "h.test", &format!("{{\"key\":\"{d}\"}}"));
        }
        assert!(hit);
        // Fewer keys than the number: no hit.
        let mut t = SplitTracker::default();
        let mut hit = false;
        for d in c.number.chars().take(15) {
            hit = t.add(&m, "h.test", &format!("k={d}"));
        }
        assert!(!hit);
    }

    #[test]
    fn masking_hides_every_form() {
        let c = canary();
        let m = Matcher::new(&c);
        let b64 = base64::engine::general_purpose::STANDARD;
        let n = &c.number;
        let spaced = format!("{} {} {} {}", &n[..4], &n[4..8], &n[8..12], &n[12..]);
        for s in [
            format!("https://evil.test/c?cc={n}"),
            format!("https://evil.test/c?cc={}", spaced.replace(' ', "%20")),
            format!("https://evil.test/c?d={}", b64.encode(format!("xy{n}zz"))),
            format!("https://evil.test/c?d={}", b64.encode(n)),
            format!("https://evil.test/c?d={}", b64.encode(format!("x{n}"))),
        ] {
            let masked = m.mask(&s);
            assert!(m.find(masked.as_bytes()).is_none(), "{s} -> {masked}");
            assert!(masked.starts_with("https://evil.test/c?"), "{masked}");
        }
        assert_eq!(c.masked().len(), 16);
        assert!(c.masked().contains("******"));
    }
}
