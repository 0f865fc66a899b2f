//! What a script says about the page it expects, read from its text before it runs on the
//! stub page (`emulate.rs`): the ids and names it mentions (the page answers them with
//! elements), the ids it gives elements it makes (absent until it makes them), and the
//! captions it looks for (`captions.rs`).

pub(super) use super::captions::captions;

/// Short string literals of the script that could be an element's id, name or class (at
/// most 64, first seen first): the page answers them with elements (see `hint` in
/// `emulate.js`).
pub(super) fn hints(src: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < 64 {
        let q = b[i];
        if q == b'"' || q == b'\'' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && j - start <= 64 && b[j] != q && b[j] != b'\n' && b[j] != b'\\' {
                j += 1;
            }
            if j < b.len() && b[j] == q && j > start + 1 && j - start <= 62 {
                let w = &src[start..j];
                let body = w.trim_start_matches(['#', '.']);
                if body.starts_with(|c: char| c.is_ascii_alphabetic())
                    && body
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '[' | ']'))
                    && !out.iter().any(|o| o == body)
                {
                    out.push(body.to_string());
                }
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Ids the script gives elements it makes itself (`box.id = 'pay-overlay'`,
/// `setAttribute('id', …)`, `id="…"` in markup it writes), at most 32: the page did not have
/// them before the script ran (see `absent` in `emulate.js`). `var id = 'x'` is no such id.
pub(super) fn made_ids(src: &str) -> Vec<String> {
    // Bytes and ASCII classes: Unicode `\w` and `[^<>]` make an automaton that takes longer
    // to build than a small script takes to run.
    static MADE: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(concat!(
            r#"(?-u)\.id\s*=\s*["'`]([A-Za-z][\w-]{0,62})["'`]"#,
            r#"|setAttribute\(\s*["']id["']\s*,\s*["']([A-Za-z][\w-]{0,62})["']"#,
            r#"|<[A-Za-z][\w-]*\s[^<>]*?\bid\s*=\s*\\?["']?([A-Za-z][\w-]{0,62})"#,
        ))
        .expect("a valid pattern")
    });
    let mut out: Vec<String> = Vec::new();
    for c in MADE.captures_iter(src.as_bytes()) {
        if let Some(m) = c.iter().skip(1).flatten().next()
            && let Ok(id) = std::str::from_utf8(m.as_bytes())
            && !out.iter().any(|o| o == id)
        {
            out.push(id.to_string());
        }
        if out.len() >= 32 {
            break;
        }
    }
    out
}

/// The ids and names (`hints`) and the captions (`captions`) that `code`, made by the script
/// as it ran (an `eval`, a `Function` body, a script element's text), says it looks for, as
/// JSON for the stub page: a decoded stage finds its fields as the script's own text would.
/// Code longer than [`MAX_RUN_CODE`] says nothing (the words of a stage are in its start).
pub(super) fn of_code(code: &str) -> String {
    if code.len() > MAX_RUN_CODE {
        return r#"{"hints":[],"captions":[]}"#.into();
    }
    serde_json::json!({ "hints": hints(code), "captions": captions(code) }).to_string()
}

/// The longest code made at run time whose words [`of_code`] reads.
const MAX_RUN_CODE: usize = 256 << 10;

#[cfg(test)]
mod tests {
    use super::{made_ids, of_code};

    #[test]
    fn a_stage_says_what_it_looks_for() {
        let words: serde_json::Value = serde_json::from_str(&of_code(
            r"var re = /카드\s*번호/; document.getElementById('pay_num');",
        ))
        .unwrap();
        assert!(
            words["captions"].to_string().contains("카드번호"),
            "{words}"
        );
        assert!(words["hints"].to_string().contains("pay_num"), "{words}");
    }

    #[test]
    fn ids_the_script_gives_what_it_makes() {
        assert_eq!(
            made_ids(
                "var id = 'cc_number'; var b = document.createElement('div'); b.id = 'sp-overlay';"
            ),
            vec!["sp-overlay".to_string()]
        );
        assert_eq!(
            made_ids(r#"el.innerHTML = '<form class="p" id="pay-x"><input id=\"n1\">';"#),
            vec!["pay-x".to_string(), "n1".to_string()]
        );
        assert_eq!(
            made_ids("box.setAttribute('id', 'overlay-2'); x.idx = 'no';"),
            vec!["overlay-2".to_string()]
        );
    }
}
