//! Per-script budgets: size, nesting depth and time. A hostile script (a 10,000-deep
//! expression, a 20 MB single line) must neither crash the scanner nor stall it, so every
//! script is measured in one linear pass before any parser sees it.
//!
//! The depth pre-scan counts brackets outside strings and comments, and the longest run of
//! operators between statement boundaries (a million `a+a+…` nests as deeply as a million
//! parentheses, without a single bracket). Scripts above the limits skip the recursive
//! parser and are analysed by the fallback and the indicators only.

use std::time::{Duration, Instant};

/// Hard cap on the bytes of one script the engine analyses.
pub const MAX_SCRIPT_BYTES: usize = 20 * 1024 * 1024;
/// Bracket nesting above which the recursive parser and walkers are not used. Browsers reject
/// about 3,000 nested parentheses; nothing legitimate comes near 1,000.
pub const MAX_NESTING: usize = 1_000;
/// Operators in one statement above which the expression tree is too deep to walk safely.
pub const MAX_OPERATOR_RUN: usize = 20_000;
/// Wall-clock time one script may take.
pub const TIME_PER_SCRIPT: Duration = Duration::from_secs(10);

/// What the pre-scan measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub max_depth: usize,
    pub max_operator_run: usize,
    /// Byte offset where the depth limit was first exceeded.
    pub deep_at: Option<usize>,
}

impl Shape {
    pub fn too_deep(&self) -> bool {
        self.max_depth > MAX_NESTING || self.max_operator_run > MAX_OPERATOR_RUN
    }
}

/// One linear pass over the bytes: bracket depth outside strings, template text and comments,
/// and the longest operator run. Regular-expression literals are not recognised (a bracket
/// inside one may count); the limits are far enough from real code for that not to matter.
pub fn shape(text: &str) -> Shape {
    let b = text.as_bytes();
    let mut s = Shape::default();
    let mut depth: usize = 0;
    let mut run: usize = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if c != b'`' && b[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > s.max_depth {
                    s.max_depth = depth;
                    if depth > MAX_NESTING && s.deep_at.is_none() {
                        s.deep_at = Some(i);
                    }
                }
                if c == b'{' {
                    run = 0;
                }
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if c == b'}' {
                    run = 0;
                }
            }
            b';' | b',' => run = 0,
            b'+' | b'-' | b'*' | b'%' | b'&' | b'|' | b'^' | b'?' | b'<' | b'>' => {
                run += 1;
                if run > s.max_operator_run {
                    s.max_operator_run = run;
                    if run > MAX_OPERATOR_RUN && s.deep_at.is_none() {
                        s.deep_at = Some(i);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    s
}

/// The time budget of one script, shared by the parser fallback, the walk and the evaluator.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(pub Instant);

impl Deadline {
    pub fn after(d: Duration) -> Deadline {
        Deadline(Instant::now() + d)
    }

    pub fn passed(&self) -> bool {
        Instant::now() > self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_and_comments() {
        assert_eq!(shape("f((1), [2])").max_depth, 2);
        assert_eq!(
            shape("'((((' + \"[[[\" // ((((\n /* {{{{ */ x").max_depth,
            0
        );
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        let s = shape(&deep);
        assert_eq!(s.max_depth, 5000);
        assert!(s.too_deep());
        assert_eq!(s.deep_at, Some(MAX_NESTING));
    }

    #[test]
    fn long_operator_chains_count_as_deep() {
        let chain = "a".to_string() + &"+a".repeat(MAX_OPERATOR_RUN + 5);
        assert!(shape(&chain).too_deep());
        let ok = "a+b;".repeat(MAX_OPERATOR_RUN);
        assert!(!shape(&ok).too_deep());
    }
}
