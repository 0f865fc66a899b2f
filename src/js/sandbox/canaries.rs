//! What a run on the stub page sent, looked through for the canaries the page answered: the
//! card number, the security code, the expiry and the fields' markers, in any encoding a
//! skimmer uses (percent-encoding, Base64, hex, reversal, XOR with a short repeated key). Which fields a send
//! carried makes the flows `emulate::layer` writes back; a send that carried none of them
//! makes a scrubbed host (`clean_send_hosts`).

use super::emulate::Observed;
use base64::Engine as _;

/// The hosts a run sent to with no field's data, when it read fields and no send at all
/// carried a card's canary (nor a security code's, an expiry's or a field's marker): an
/// error reporter or a form tool that reads every field and scrubs what it sends. Empty
/// when any send carried one (that flow is a layer, see `emulate::layer`) or nothing was read.
pub fn clean_send_hosts(observed: &Observed) -> Vec<String> {
    if observed.reads.is_empty() {
        return Vec::new();
    }
    let mut hosts = Vec::new();
    for (_, url, data) in &observed.sends {
        if carries_any(&format!("{url}\n{data}"), &observed.reads) {
            return Vec::new();
        }
        if let Some(h) = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            && !hosts.contains(&h)
        {
            hosts.push(h);
        }
    }
    hosts
}

/// The hosts a run sent the page's card fields to by name with a mask for their values
/// (`"payment[cc_number]":"[Filtered]"`, `cc_cid=***`): form state put through a scrubber.
/// A send to such a host gives at least two of the card-number and security-code fields, as
/// JSON keys or form names, a value that is a mask ([`is_mask`]: not ciphertext, which
/// carries no canary either), and carries no canary; no send to the host carries one.
pub fn masked_send_hosts(observed: &Observed) -> Vec<String> {
    let named = |views: &[String]| {
        observed
            .card_names
            .iter()
            .filter(|n| views.iter().any(|v| masked_value(v, n)))
            .count()
    };
    let mut masked: Vec<String> = Vec::new();
    let mut carried: Vec<String> = Vec::new();
    for (_, url, data) in &observed.sends {
        let Some(host) = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        else {
            continue;
        };
        let sent = format!("{url}\n{data}");
        if carries_any(&sent, &observed.reads) {
            carried.push(host);
        } else if named(&views(&sent)) >= 2 && !masked.contains(&host) {
            masked.push(host);
        }
    }
    masked.retain(|h| !carried.contains(h));
    masked
}

/// Whether `hay` gives the field `name` a masked value: `"name":"<mask>"` as a JSON member,
/// or `name=<mask>` as a form pair (at the start or after `&`/`?`, up to `&` or the end).
fn masked_value(hay: &str, name: &str) -> bool {
    let json = format!("\"{name}\":\"");
    let in_json = hay.match_indices(&json).any(|(i, _)| {
        let rest = &hay[i + json.len()..];
        rest.find('"').is_some_and(|end| is_mask(&rest[..end]))
    });
    let pair = format!("{name}=");
    in_json
        || hay.match_indices(&pair).any(|(i, _)| {
            (i == 0 || hay[..i].ends_with(['&', '?', '\n']))
                && is_mask(hay[i + pair.len()..].split('&').next().unwrap_or(""))
        })
}

/// What scrubbers put in place of a value: a word in brackets or capitals (`[Filtered]`,
/// `[redacted]`, `REDACTED`, `<masked>`), or the same masking character over and over (`***`,
/// `xxxx`, `••••`), optionally after the digits a receipt shows (`************1111` is not:
/// no digit is allowed, as a canary's last four could be ciphertext's too).
fn is_mask(v: &str) -> bool {
    let v = v.trim();
    const WORDS: &[&str] = &[
        "filtered",
        "redacted",
        "masked",
        "removed",
        "hidden",
        "scrubbed",
        "omitted",
        "sensitive",
        "secret",
        "private",
        "num",
        "card",
        "value",
    ];
    let inner = v.trim_matches(|c| matches!(c, '[' | ']' | '<' | '>' | '(' | ')' | '{' | '}'));
    let word = !inner.is_empty()
        && inner.len() <= 24
        && inner
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '_' | '-'))
        && WORDS.iter().any(|w| inner.to_ascii_lowercase().contains(w))
        && (inner.len() < v.len() || inner.chars().all(|c| !c.is_ascii_lowercase()));
    let mut chars = v.chars();
    let repeated = chars.next().is_some_and(|c| {
        matches!(c, '*' | 'x' | 'X' | '•' | '#' | '-' | '_')
            && v.chars().count() >= 3
            && chars.all(|d| d == c)
    });
    word || repeated
}

/// Whether `sent` carries any canary with digits in it (the card number, the security code,
/// the expiry) or a field's marker, in any encoding [`fields_in`] looks through. Names and
/// e-mail addresses are no card data.
fn carries_any(sent: &str, reads: &[(String, String)]) -> bool {
    let views = views(sent);
    if folded_base64_pan(sent) || views.iter().any(|v| v.contains(PAN)) {
        return true;
    }
    reads.iter().any(|(_, value)| {
        if value.starts_with("canary-") {
            views.iter().any(|v| v.contains(value.as_str()))
        } else {
            value.len() >= 3
                && value.bytes().any(|b| b.is_ascii_digit())
                && views.iter().any(|v| has_token(v, value))
        }
    })
}

/// The fields read whose canary `sent` carries, in any of the encodings a skimmer uses.
pub(super) fn fields_in(sent: &str, reads: &[(String, String)]) -> Vec<String> {
    let views = views(sent);
    let has = |needle: &str| views.iter().any(|v| v.contains(needle));
    let card = has(PAN) || folded_base64_pan(sent);
    let mut out: Vec<String> = Vec::new();
    for (key, value) in reads {
        // A name, an e-mail or a phone number only beside the card number: a chat widget
        // that sends the customer's name sends no card data. A field's own marker
        // (`canary-payment-method`) is followed wherever it goes; the static analysis of
        // the layer judges what the field is by its selector.
        let found = if value == PAN {
            card
        } else if value.starts_with("canary-") {
            has(value)
        } else if value.len() >= 8 {
            card && has(value)
        } else {
            // Short canaries (a security code, a month) only beside the card number, and as
            // a token of their own; or sent as a value of their own (`"cvc":"737"`,
            // `cvv=737`), as a scrubber that masks only long digit runs sends them.
            (card && views.iter().any(|v| has_token(v, value)))
                || (value.len() >= 3 && views.iter().any(|v| sent_as_value(v, value)))
        };
        if found && !out.contains(key) {
            out.push(key.clone());
        }
    }
    out
}

/// The canary card number `emulate.js` answers for card-number fields.
pub(super) const PAN: &str = "4111111111111111";

/// Whether the canary card number is in `sent` Base64-encoded and case-folded: a host name's
/// labels are case-insensitive, so data put in them (`//ndexmtex….dns.example`) reaches the
/// resolver lower-cased, which no decoding undoes. Each of the three alignments the card
/// number can have in the encoded stream gives a run of at least 16 characters that only its
/// digits determine.
fn folded_base64_pan(sent: &str) -> bool {
    use base64::Engine as _;
    let sent = sent.to_ascii_lowercase();
    let pan = PAN.as_bytes();
    (0..3).any(|skip| {
        let whole = (pan.len() - skip) / 3 * 3;
        let run = base64::engine::general_purpose::STANDARD
            .encode(&pan[skip..skip + whole])
            .to_ascii_lowercase();
        sent.contains(&run)
    })
}

/// Words in the name a card's security code or expiry is sent under.
const CARD_VALUE_NAMES: &[&str] = &[
    "cvv", "cvc", "csc", "cid", "cvn", "security", "verif", "exp", "year", "card",
];

/// `value` as a JSON string value or form value named like a card field: `"cc_cid":"737"`,
/// `cvv=737` (then `&`, a quote or the end). A DOM snapshot's `"value":"737"` is not one (a
/// mirror that kept a field's value would say nothing of which field); decodings by a
/// guessed XOR key are noise that a random `:"737"` may appear in; a name before it is not.
pub(super) fn sent_as_value(hay: &str, value: &str) -> bool {
    let named = |before: &str, stop: &[char]| {
        let start = before.rfind(stop).map_or(0, |i| i + 1);
        let name = &before[start..];
        let lower = name.to_ascii_lowercase();
        (2..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-[]. ".contains(c))
            && (CARD_VALUE_NAMES.iter().any(|w| lower.contains(w))
                // `cc` as a word of its own (`cc_cid`, `payment[cc-exp]`, `ccv`), not in
                // `accept` or `success`.
                || lower.match_indices("cc").any(|(i, _)| {
                    !lower[..i].ends_with(|c: char| c.is_ascii_alphabetic())
                }))
    };
    let json = format!(":\"{value}\"");
    if hay
        .match_indices(&json)
        .any(|(i, _)| hay[..i].strip_suffix('"').is_some_and(|b| named(b, &['"'])))
    {
        return true;
    }
    let form = format!("={value}");
    hay.match_indices(&form).any(|(i, m)| {
        hay[i + m.len()..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, '&' | '"' | '\'' | ';' | '\n'))
            && named(&hay[..i], &['&', '?', '\n', ';', ' ', '"', '\''])
    })
}

fn has_token(hay: &str, token: &str) -> bool {
    hay.match_indices(token).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + token.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

/// `s` and what it decodes to: percent-decoding, Base64 and hex runs, reversal; three levels.
fn views(s: &str) -> Vec<String> {
    const MAX_VIEWS: usize = 64;
    const MAX_BYTES: usize = 1 << 20;
    let mut out: Vec<String> = vec![s.to_string()];
    let mut level = vec![s.to_string()];
    let mut total = s.len();
    for _ in 0..3 {
        let mut next = Vec::new();
        for v in &level {
            for d in decodings(v) {
                if out.len() >= MAX_VIEWS || total + d.len() > MAX_BYTES {
                    return out;
                }
                if !out.contains(&d) {
                    total += d.len();
                    out.push(d.clone());
                    next.push(d);
                }
            }
        }
        level = next;
    }
    out
}

fn decodings(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.contains('%') || s.contains('+') {
        let plus = s.replace('+', " ");
        let d = percent_encoding::percent_decode_str(&plus).decode_utf8_lossy();
        if d != s {
            out.push(d.into_owned());
        }
    }
    out.push(s.chars().rev().collect());
    // A card number as the customer sees it (`4111 1111 1111 1111`, `4111-1111-…`): a field
    // that formats as it is typed holds it so, and a skimmer sends what the field holds.
    if let Some(squeezed) = without_digit_group_separators(s) {
        out.push(squeezed);
    }
    // Padding splits runs too: `d=TkRF…==` is the key `d` and the value.
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_');
    for run in s.split(|c: char| !is_b64(c)).filter(|r| r.len() >= 12) {
        let t = run;
        for engine in [
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            if let Ok(bytes) = engine.decode(t) {
                if let Some(x) = unxor(&bytes) {
                    out.push(x);
                }
                if let Some(text) = printable(&bytes) {
                    out.push(text);
                    break;
                }
            }
        }
    }
    // Hex runs, each decoded; and all of them together under one XOR key (`hex(xor(pan)) +
    // '-' + hex(xor(cvv))`: the other canaries are in runs of their own).
    let mut all_runs: Vec<u8> = Vec::new();
    for run in s.split(|c: char| !c.is_ascii_hexdigit()) {
        if run.len() >= 2 && run.len() % 2 == 0 {
            let bytes: Vec<u8> = (0..run.len())
                .step_by(2)
                .filter_map(|i| u8::from_str_radix(&run[i..i + 2], 16).ok())
                .collect();
            if run.len() >= 16
                && let Some(text) = printable(&bytes)
            {
                out.push(text);
            }
            if all_runs.len() < 64 << 10 {
                all_runs.extend_from_slice(&bytes);
                all_runs.push(0);
            }
        }
    }
    if let Some(x) = unxor(&all_runs).filter(|x| another_canary(x)) {
        out.push(x);
    }
    // XORed characters sent as they are (percent-encoded, or printable under the key).
    if s.len() <= 64 << 10
        && let Some(x) = unxor(s.as_bytes()).filter(|x| another_canary(x))
    {
        out.push(x);
    }
    out
}

/// `s` with the single spaces and dashes between groups of 4 digits taken out, when it has
/// such groups (`4111 1111` → `41111111`); `None` when nothing changes.
fn without_digit_group_separators(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits_before = |i: usize| i >= 4 && b[i - 4..i].iter().all(u8::is_ascii_digit);
    let digits_after =
        |i: usize| b.len() >= i + 5 && b[i + 1..i + 5].iter().all(u8::is_ascii_digit);
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    for (i, c) in s.char_indices() {
        if matches!(c, ' ' | '-') && digits_before(i) && digits_after(i) {
            changed = true;
            continue;
        }
        out.push(c);
    }
    changed.then_some(out)
}

/// A one-byte XOR of the card number is a byte and fifteen equal bytes (`DAAAAAAAAAAAAAAA`
/// under the key 0x70), which plain data can hold. Outside a Base64 decoding the key is
/// believed only when it also reveals the canary security code or expiry year.
fn another_canary(plain: &str) -> bool {
    has_token(plain, "737") || has_token(plain, "2029")
}

/// The bytes XORed back with the key that turns the canary card number's XOR into it, when
/// some key of at most [`MAX_KEY`] bytes repeated does: `String.fromCharCode(c.charCodeAt(0)
/// ^ 23)` or `c ^ key.charCodeAt(i % key.length)` before `btoa` or a hex encoding, a
/// skimmer's habit. A known-plaintext reading: where the card number sits, each byte XOR its
/// digit is the key byte of that position, and the key is believed when the sixteen positions
/// agree on every byte (a key of `n` bytes is seen `16 / n` times over; a run of equal bytes
/// is no match, the card's first digit differing from the rest). One byte first: a shorter
/// key is also every longer one.
fn unxor(bytes: &[u8]) -> Option<String> {
    let pan = PAN.as_bytes();
    // A multi-megabyte send is looked at through its first 64 KB (what a skimmer sends is
    // small; the work is native, outside the sandbox's budget).
    let bytes = &bytes[..bytes.len().min(64 << 10)];
    for n in 1..=MAX_KEY {
        let found = bytes.windows(pan.len()).enumerate().find_map(|(at, w)| {
            let mut key = [0u8; MAX_KEY];
            for (k, (b, p)) in key.iter_mut().zip(w.iter().zip(pan)).take(n) {
                *k = b ^ p;
            }
            (key[..n].iter().any(|&k| k != 0)
                && w.iter()
                    .zip(pan)
                    .enumerate()
                    .all(|(i, (b, p))| b ^ p == key[i % n]))
            .then_some((at, key))
        });
        if let Some((at, key)) = found {
            let plain: Vec<u8> = bytes
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ key[(i + n - at % n) % n])
                .collect();
            return Some(String::from_utf8_lossy(&plain).into_owned());
        }
    }
    None
}

/// The longest repeated XOR key [`unxor`] recovers: at most half the card number, so each key
/// byte is confirmed by a second position.
const MAX_KEY: usize = 8;

/// Bytes as text when they mostly are (a decoding that produced noise is no view).
fn printable(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let good = text
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .filter(|c| *c != '\u{fffd}')
        .count();
    (good * 10 >= text.chars().count() * 9).then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads() -> Vec<(String, String)> {
        vec![
            ("#cc_number".into(), PAN.into()),
            ("#cc_cid".into(), "737".into()),
        ]
    }

    fn xor(plain: &str, key: &[u8]) -> Vec<u8> {
        plain
            .bytes()
            .enumerate()
            .map(|(i, b)| b ^ key[i % key.len()])
            .collect()
    }

    /// A payload XORed with a repeated key of a few bytes, then Base64: the key is read off
    /// where the card number sits, and the security code is found with it.
    #[test]
    fn a_repeated_xor_key_is_undone() {
        let plain = "v=2|4111111111111111|12/29|737|Jane";
        for key in [&b"\x17"[..], b"w7Kq", b"skimkey"] {
            let sent = base64::engine::general_purpose::STANDARD.encode(xor(plain, key));
            assert_eq!(
                fields_in(&format!("d={sent}"), &reads()),
                vec!["#cc_number".to_string(), "#cc_cid".to_string()],
                "key {key:?}"
            );
        }
    }

    /// A card number formatted as typed (`4111 1111 1111 1111`) is the card number; a date
    /// or a phone number with dashes is not made into one.
    #[test]
    fn a_formatted_card_number_is_the_card_number() {
        for sent in [
            "no=4111%201111%201111%201111&cv=737",
            "n=4111-1111-1111-1111",
        ] {
            assert!(
                fields_in(sent, &reads()).contains(&"#cc_number".to_string()),
                "{sent}"
            );
        }
        assert_eq!(without_digit_group_separators("2029-12-01 555-0100"), None);
    }

    /// Card fields sent by name with other values are masked; one carrying its canary, or a
    /// send naming a single field, is not.
    #[test]
    fn card_fields_sent_by_name_without_their_values_are_masked() {
        let send = |data: &str| {
            (
                "fetch".to_string(),
                "https://o1.ingest.errors.example/e".to_string(),
                data.to_string(),
            )
        };
        let observed = |data: &str| Observed {
            reads: reads(),
            sends: vec![send(data)],
            card_names: vec![
                "cc_number".into(),
                "payment[cc_number]".into(),
                "cc_cid".into(),
            ],
            ..Observed::default()
        };
        let masked = observed(r#"{"form":{"payment[cc_number]":"[Filtered]","cc_cid":"***"}}"#);
        assert_eq!(
            masked_send_hosts(&masked),
            vec!["o1.ingest.errors.example".to_string()]
        );
        let leaky = observed(r#"{"form":{"payment[cc_number]":"[Filtered]","cc_cid":"737"}}"#);
        assert!(masked_send_hosts(&leaky).is_empty());
        let one = observed(r#"{"field":"payment[cc_number]","error":"invalid"}"#);
        assert!(masked_send_hosts(&one).is_empty());
        // Ciphertext carries no canary either, and is no mask.
        let sealed = observed(r#"{"payment[cc_number]":"9f1c22ab03d4e7","cc_cid":"77e1a0"}"#);
        assert!(masked_send_hosts(&sealed).is_empty());
        let form = observed("cc_number=%5BFiltered%5D&cc_cid=***&src=x");
        assert_eq!(masked_send_hosts(&form).len(), 1);
    }

    /// Periodic data (padding, a repeated pattern) is no card number under some key.
    #[test]
    fn periodic_data_is_no_xored_card() {
        for data in [
            "AAAAAAAAAAAAAAAAAAAAAAAA",
            "abcdabcdabcdabcdabcdabcd",
            "1111111111111111111111",
        ] {
            assert!(unxor(data.as_bytes()).is_none(), "{data}");
        }
    }
}
