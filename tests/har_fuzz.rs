//! The HAR loader against mangled captures: thousands of deterministic mutations of a real
//! capture (bytes flipped, cut short, spliced, duplicated, deep nesting, odd values) must each
//! load or be refused with an error — never panic, never hang. A small in-test fuzzer (a fixed
//! xorshift seed) rather than cargo-fuzz, so it runs in every `cargo test`.

mod har_support;

use skimscan::har::Capture;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"null",
    b"-1",
    b"1e309",
    b"\"\"",
    b"[]",
    b"{}",
    b"\"base64\"",
    b"\"\\ud800\"",
    b"true",
    b"\"data:text/html,<p>\"",
    b"\"javascript:alert(1)\"",
    b"99999999999999999999",
    b"\"%%%\"",
];

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len());
        match rng.below(6) {
            0 => v[at] = rng.next() as u8,
            1 => v.truncate(at),
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..(at + rng.below(8)).min(v.len()), t.iter().copied());
            }
            3 => {
                let end = (at + rng.below(200)).min(v.len());
                let chunk = v[at..end].to_vec();
                v.splice(at..at, chunk);
            }
            4 => {
                let depth = 1 + rng.below(400);
                v.splice(at..at, std::iter::repeat_n(b'[', depth));
            }
            _ => {
                if at < v.len() {
                    v.remove(at);
                }
            }
        }
    }
    v
}

#[test]
fn mangled_captures_never_panic() {
    let base = serde_json::to_vec(&har_support::shop_visit(
        "https://juniper-rye.example",
        true,
    ))
    .unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let (mut loaded, mut refused) = (0, 0);
    for _ in 0..3000 {
        let input = mutate(&mut rng, &base);
        let mut c = Capture::default();
        match c.add_bytes("fuzz.har", &input, 1_000_000) {
            Ok(()) => {
                loaded += 1;
                // Whatever loaded must answer lookups without panicking either.
                for p in c.pages().to_vec() {
                    let _ = c.lookup(&p);
                }
                let pages = c.pages().to_vec();
                let _ = c.runtime_scripts(&pages, &|_, _| false);
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    // Both paths were exercised: the mutations are neither all harmless nor all fatal.
    assert!(
        loaded > 100 && refused > 100,
        "loaded {loaded}, refused {refused}"
    );
}
