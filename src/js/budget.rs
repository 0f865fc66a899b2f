//! Per-script budgets: size, nesting depth and time. A hostile script (a 10,000-deep
//! expression, a 20 MB single line) must neither crash the scanner nor stall it, so every
//! script is measured in one linear pass before any parser sees it.
//!
//! The parser (oxc) and our walks recurse once per level of the syntax tree, and a level need
//! not be a bracket: `a=a=a=…`, `!!!…`, `a?b:c?…`, `x=>x=>…`, `new new …`, `typeof typeof …`,
//! `if(1)if(1)…`, `l:l:…`, `o.p.q…`, `f()()…` all nest without one. So the pre-scan is a small
//! lexer (strings, comments, template literals with their `${…}`, regular-expression literals)
//! that measures, at every point, the *chain*: the operators, prefix keywords and opening
//! brackets on the path from the statement to that point, summed over the enclosing brackets.
//! A comma or a semicolon (or a new statement after a line break or a block) closes an element
//! at its level, and its count with it; a closing bracket returns to the enclosing level's
//! count. The chain is an upper bound of the recursion depth of any construct (each level of
//! the tree is paid for by at least one counted token), so bounding it bounds every recursion.
//!
//! Where the chain or the bracket nesting exceeds its limit, the element at that level is
//! marked for blanking (replaced by spaces, offsets and lines kept) and the rest of the script
//! is analysed normally; the blanked code is reported as not analysed.

use std::time::{Duration, Instant};

/// Hard cap on the bytes of one script the engine analyses.
pub const MAX_SCRIPT_BYTES: usize = 20 * 1024 * 1024;
/// Bracket nesting above which the recursive parser and walkers are not used. Browsers reject
/// about 3,000 nested parentheses; nothing legitimate comes near 1,000.
pub const MAX_NESTING: usize = 1_000;
/// The chain (see the module doc) above which code is not parsed. Measured: every construct
/// the pre-scan counts analyses on the 256 MiB analysis stack at 4× this (tests/
/// adversarial_crash.rs); minified libraries stay below a tenth of it (BENCHMARKS.md).
pub const MAX_CHAIN: usize = 20_000;
/// Wall-clock time one script may take.
pub const TIME_PER_SCRIPT: Duration = Duration::from_secs(10);

/// What the pre-scan measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Deepest bracket nesting (`(`, `[`, `{`, `${`).
    pub max_depth: usize,
    /// Longest chain (operators, prefix keywords and brackets on one path).
    pub max_chain: usize,
    /// Byte offset where a limit was first exceeded.
    pub deep_at: Option<usize>,
    /// Byte ranges too deep to parse, in order, not overlapping.
    pub deep_ranges: Vec<(usize, usize)>,
}

impl Shape {
    pub fn too_deep(&self) -> bool {
        !self.deep_ranges.is_empty()
    }

    /// Why the script is too deep, in a user's words.
    pub fn reason(&self) -> String {
        if self.max_depth > MAX_NESTING {
            format!(
                "brackets nested {} deep (limit {MAX_NESTING})",
                self.max_depth
            )
        } else {
            format!(
                "expression nested {} levels deep in operators, keywords and brackets (limit {MAX_CHAIN})",
                self.max_chain
            )
        }
    }

    /// The code with every deep range replaced by spaces (line breaks kept, so lines and
    /// columns still point into the original). Blanked ranges start and end at element
    /// boundaries, which are ASCII, so the result is valid UTF-8.
    pub fn blanked(&self, text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for &(s, e) in &self.deep_ranges {
            let range = &mut bytes[s.min(text.len())..e.min(text.len())];
            let mut placeholder = true;
            for b in range {
                if *b != b'\n' && *b != b'\r' {
                    // A `0` where the element was keeps the code parsable (`f(0 )`, `[0 ]`,
                    // `0 ;`), so the rest is analysed as one program, flows included.
                    *b = if placeholder { b'0' } else { b' ' };
                    placeholder = false;
                }
            }
        }
        // Only whole multi-byte characters are replaced (ranges start after an ASCII
        // delimiter and end before one), so this cannot fail; stay total regardless.
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }
}

/// The previous significant token, for the two questions a lexer without a grammar must
/// answer: does `/` start a regular expression, and does a line break end the statement?
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Start of input, an operator, an opening bracket, `,` `;`, or a keyword after which an
    /// expression starts (`return /re/`): a `/` starts a regular expression.
    ExprStart,
    /// An identifier, literal, `)` or `]`: a `/` divides; a line break may end the statement.
    ExprEnd,
    /// `)` of `if (…)`, `while (…)`, `for (…)`, `with (…)`: a statement follows.
    ControlHead,
    /// `}`: a statement may follow (regex), and so may the rest of an expression.
    Brace,
}

struct Level {
    open: u8,
    saved_chain: usize,
    saved_elem: usize,
    control: bool,
}

/// Words that add a level (prefix operators, statements that nest a statement, binary
/// keywords).
const NESTING_WORDS: &[&[u8]] = &[
    b"new",
    b"typeof",
    b"void",
    b"delete",
    b"await",
    b"yield",
    b"if",
    b"else",
    b"for",
    b"while",
    b"with",
    b"do",
    b"in",
    b"instanceof",
    b"of",
];
/// Words after which `/` starts a regular expression.
const EXPR_START_WORDS: &[&[u8]] = &[
    b"return",
    b"typeof",
    b"instanceof",
    b"in",
    b"of",
    b"new",
    b"delete",
    b"void",
    b"throw",
    b"case",
    b"do",
    b"else",
    b"yield",
    b"await",
];
/// Words that continue the statement before a line break (`a\ninstanceof b`) or a `}`.
const CONTINUING_WORDS: &[&[u8]] = &[b"in", b"instanceof", b"of", b"else", b"catch", b"finally"];
const CONTROL_WORDS: &[&[u8]] = &[b"if", b"while", b"for", b"with"];

struct Scan<'t> {
    b: &'t [u8],
    s: Shape,
    stack: Vec<Level>,
    /// Sum of the chains saved on the stack.
    saved: usize,
    chain: usize,
    /// Where the element at the current level started.
    elem: usize,
    prev: Prev,
    /// A line break (or a `}`) after the end of an expression: the next token may start a
    /// statement.
    boundary: bool,
    /// A deep element being blanked: (its level, its start).
    blanking: Option<(usize, usize)>,
    last_word_control: bool,
}

/// One linear pass over the bytes: bracket depth and chain outside strings, template text,
/// regular expressions and comments, and the ranges too deep to parse.
pub fn shape(text: &str) -> Shape {
    let mut sc = Scan {
        b: text.as_bytes(),
        s: Shape::default(),
        stack: Vec::new(),
        saved: 0,
        chain: 0,
        elem: 0,
        prev: Prev::ExprStart,
        boundary: false,
        blanking: None,
        last_word_control: false,
    };
    sc.run();
    if let Some((_, start)) = sc.blanking.take() {
        sc.s.deep_ranges.push((start, text.len()));
    }
    sc.s
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'#' || c >= 0x80 || c == b'\\'
}

impl Scan<'_> {
    fn run(&mut self) {
        let b = self.b;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            match c {
                b'\n' | b'\r' => {
                    if self.prev == Prev::ExprEnd {
                        self.boundary = true;
                    }
                    i += 1;
                }
                b' ' | b'\t' | 0x0b | 0x0c => i += 1,
                // Comments change nothing, not even what the previous token was.
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = line_end(b, i);
                    continue;
                }
                // HTML-like comments of classic scripts (`<!--` anywhere, `-->` first on its
                // line) run to the end of the line, as in the browser: the brackets in them
                // are not code.
                b'<' if b[i..].starts_with(b"<!--") => {
                    i = line_end(b, i);
                    continue;
                }
                b'-' if b[i..].starts_with(b"-->") && first_on_line(b, i) => {
                    i = line_end(b, i);
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = match memchr::memmem::find(&b[i + 2..], b"*/") {
                        Some(k) => i + 2 + k + 2,
                        None => b.len(),
                    };
                    continue;
                }
                b'/' if self.prev != Prev::ExprEnd => {
                    self.token_start(i, false);
                    i = regex_end(b, i + 1);
                    self.prev = Prev::ExprEnd;
                }
                b'\'' | b'"' => {
                    self.token_start(i, true);
                    i = string_end(b, i + 1, c);
                    self.prev = Prev::ExprEnd;
                }
                b'`' => {
                    self.token_start(i, false);
                    i = self.template(i + 1);
                }
                b'(' | b'[' | b'{' => {
                    self.token_start(i, c == b'{');
                    let control = c == b'(' && self.last_word_control;
                    self.open(c, i, control);
                    self.prev = Prev::ExprStart;
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match self.stack.last() {
                        Some(top) if top.open == want => {
                            let control = top.control;
                            self.close(i);
                            self.prev = match c {
                                b')' if control => Prev::ControlHead,
                                b'}' => Prev::Brace,
                                _ => Prev::ExprEnd,
                            };
                            self.boundary = c == b'}';
                            i += 1;
                        }
                        Some(top) if c == b'}' && top.open == b'T' => {
                            // The end of a `${…}`: back into the template's text.
                            self.close(i);
                            i = self.template(i + 1);
                        }
                        // A closer that matches nothing is ignored: counting it could only
                        // make the measured depth smaller than the real one.
                        _ => i += 1,
                    }
                }
                b',' | b';' => {
                    self.element_end(i, i + 1);
                    self.prev = Prev::ExprStart;
                    i += 1;
                }
                b'+' | b'-' | b'*' | b'%' | b'&' | b'|' | b'^' | b'!' | b'~' | b'?' | b'<'
                | b'>' | b'=' | b':' | b'.' | b'/' => {
                    let starts = matches!(c, b'!' | b'~');
                    self.token_start(i, starts);
                    self.count(i);
                    self.prev = Prev::ExprStart;
                    i += 1;
                }
                c if is_word_byte(c) => {
                    let start = i;
                    while i < b.len() && is_word_byte(b[i]) {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    let word = &b[start..i.min(b.len())];
                    // Every listed word is 2 to 10 lower-case letters: most identifiers of
                    // real code (one-letter minified names, camelCase, `$`) are none of them
                    // at the cost of two comparisons, not four list searches.
                    let keyword = (2..=10).contains(&word.len())
                        && word.iter().all(|c| c.is_ascii_lowercase());
                    let listed = |list: &[&[u8]]| keyword && list.contains(&word);
                    let continuing = listed(CONTINUING_WORDS);
                    self.token_start(start, !continuing);
                    if listed(NESTING_WORDS) {
                        self.count(start);
                    }
                    self.last_word_control = listed(CONTROL_WORDS);
                    self.prev = if listed(EXPR_START_WORDS) {
                        Prev::ExprStart
                    } else {
                        Prev::ExprEnd
                    };
                    continue;
                }
                _ => i += 1,
            }
            if !matches!(c, b'\n' | b'\r' | b' ' | b'\t') && !is_word_byte(c) {
                self.last_word_control = false;
            }
        }
    }

    /// A token starts at `i`: when it can start a statement after a boundary, the element at
    /// this level ends before it.
    fn token_start(&mut self, i: usize, starts_statement: bool) {
        if self.boundary && starts_statement {
            self.element_end(i, i);
        }
        self.boundary = false;
    }

    /// The element at this level ends at `end`; the next one starts at `next`.
    fn element_end(&mut self, end: usize, next: usize) {
        if let Some((level, start)) = self.blanking
            && level == self.stack.len()
        {
            self.s.deep_ranges.push((start, end));
            self.blanking = None;
        }
        self.chain = 0;
        self.elem = next;
    }

    fn count(&mut self, i: usize) {
        self.chain += 1;
        self.check(i);
    }

    fn open(&mut self, open: u8, i: usize, control: bool) {
        self.chain += 1;
        self.stack.push(Level {
            open,
            saved_chain: self.chain,
            saved_elem: self.elem,
            control,
        });
        self.saved += self.chain;
        self.chain = 0;
        self.elem = i + 1;
        self.s.max_depth = self.s.max_depth.max(self.stack.len());
        self.check(i);
    }

    fn close(&mut self, i: usize) {
        let Some(top) = self.stack.pop() else { return };
        self.saved -= top.saved_chain;
        self.chain = top.saved_chain;
        self.elem = top.saved_elem;
        if let Some((level, start)) = self.blanking
            && self.stack.len() < level
        {
            self.s.deep_ranges.push((start, i));
            self.blanking = None;
        }
    }

    fn check(&mut self, i: usize) {
        let chain = self.saved + self.chain;
        self.s.max_chain = self.s.max_chain.max(chain);
        if self.blanking.is_none() && (chain > MAX_CHAIN || self.stack.len() > MAX_NESTING) {
            self.s.deep_at.get_or_insert(i);
            self.blanking = Some((self.stack.len(), self.elem));
        }
    }

    /// Template text from `i` (after a backtick or a `${…}`'s `}`) to its end or its next
    /// `${`, which opens a level; returns where scanning continues.
    fn template(&mut self, mut i: usize) -> usize {
        let b = self.b;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'`' => {
                    self.prev = Prev::ExprEnd;
                    return i + 1;
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    self.open(b'T', i + 1, false);
                    self.prev = Prev::ExprStart;
                    return i + 2;
                }
                _ => i += 1,
            }
        }
        self.prev = Prev::ExprEnd;
        b.len()
    }
}

/// Whether only spaces come before `i` on its line.
fn first_on_line(b: &[u8], i: usize) -> bool {
    b[..i]
        .iter()
        .rev()
        .take_while(|&&c| c != b'\n' && c != b'\r')
        .all(|&c| c == b' ' || c == b'\t')
}

fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &b[i..]).map_or(b.len(), |k| i + k)
}

/// The end of a string literal opened by `quote` (a line break ends an unterminated one).
fn string_end(b: &[u8], mut i: usize, quote: u8) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of a regular-expression literal whose body starts at `i`: the first `/` outside
/// a character class, then the flags (a line break ends an unterminated one). Quotes and
/// brackets inside it mean nothing.
fn regex_end(b: &[u8], mut i: usize) -> usize {
    let mut class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' => {
                class = true;
                i += 1
            }
            b']' => {
                class = false;
                i += 1
            }
            b'/' if !class => {
                i += 1;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                return i;
            }
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    b.len()
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
        let chain = "a".to_string() + &"+a".repeat(MAX_CHAIN + 5);
        assert!(shape(&chain).too_deep());
        let ok = "a+b;".repeat(MAX_CHAIN);
        assert!(!shape(&ok).too_deep());
    }

    #[test]
    fn every_nesting_construct_counts() {
        let n = MAX_CHAIN + 10;
        for (name, code) in [
            ("assignment", format!("{}1", "a=".repeat(n))),
            ("member assignment", format!("{}1", "o.p=".repeat(n))),
            ("not", format!("{}a", "!".repeat(n))),
            ("tilde", format!("{}a", "~".repeat(n))),
            ("minus", format!("{}a", "- ".repeat(n))),
            ("ternary", format!("{}c", "a?b:".repeat(n))),
            ("arrow", format!("{}1", "x=>".repeat(n))),
            ("new", format!("{}f", "new ".repeat(n))),
            ("typeof", format!("{}f", "typeof ".repeat(n))),
            ("void", format!("{}f", "void ".repeat(n))),
            ("delete", format!("{}f", "delete ".repeat(n))),
            ("await", format!("async()=>{{{}f}}", "await ".repeat(n))),
            ("yield", format!("function*g(){{{}f}}", "yield ".repeat(n))),
            ("spread", format!("f({}a)", "...[".repeat(n))),
            ("if", format!("{}x;", "if(1)".repeat(n))),
            ("if lines", format!("{}x;", "if(1)\n".repeat(n))),
            ("if comments", format!("{}x;", "if/**/(1)\n".repeat(n))),
            ("label", format!("{}x;", "l:".repeat(n))),
            ("members", format!("a{}", ".b".repeat(n))),
            ("calls", format!("f{}", "()".repeat(n))),
            (
                "template",
                format!("{}x{}", "`${".repeat(n), "}`".repeat(n)),
            ),
            ("functions", "function f(){".repeat(n)),
            ("assign lines", format!("{}1", "a\n=".repeat(n))),
        ] {
            assert!(shape(&code).too_deep(), "{name} not counted");
        }
    }

    #[test]
    fn strings_regexes_and_templates_do_not_hide_code() {
        let deep = "(".repeat(MAX_NESTING + 10);
        // A quote inside a regular expression does not start a string.
        assert!(shape(&format!("var r = /'/; {deep}")).too_deep());
        assert!(shape(&format!("var r = /[/']/; {deep}")).too_deep());
        // Brackets inside `${…}` are code.
        assert!(shape(&format!("`x${{{deep}}}`")).too_deep());
        // Brackets inside a regular expression are not.
        assert!(!shape(&format!("var r = /{deep}/;")).too_deep());
        // A division is not a regular expression.
        assert!(shape(&format!("x = a / {deep} / b")).too_deep());
    }

    #[test]
    fn html_like_comments_are_comments() {
        let deep = "(".repeat(MAX_NESTING + 10);
        assert!(!shape(&format!("var a = 1;\n<!-- guard {deep}\nf();")).too_deep());
        assert!(!shape(&format!("x();\n  --> {deep}\nf();")).too_deep());
        // `-->` after code on its line is a decrement and a comparison.
        assert!(shape(&format!("while (i-->0) {deep}")).too_deep());
    }

    #[test]
    fn ordinary_statements_reset_the_chain() {
        // Newline-separated statements without semicolons, blocks, function declarations.
        let asi = "a = b + c\nfoo(a)\n".repeat(MAX_CHAIN);
        assert!(!shape(&asi).too_deep());
        let decls = "function f(a){return a+1}".repeat(MAX_CHAIN);
        assert!(!shape(&decls).too_deep());
        let methods = format!("var o = {{{}}};", "m(){return 1},".repeat(MAX_CHAIN));
        assert!(!shape(&methods).too_deep());
    }

    #[test]
    fn only_the_deep_element_is_blanked() {
        let deep = format!("{}1", "a=".repeat(MAX_CHAIN + 10));
        let code = format!("var u = 'https://x.example/';\nvar d = {deep};\nfetch(u);\n");
        let s = shape(&code);
        assert_eq!(s.deep_ranges.len(), 1, "{:?}", s.deep_ranges);
        let blanked = s.blanked(&code);
        assert_eq!(blanked.len(), code.len());
        assert!(blanked.contains("var u = 'https://x.example/';"));
        assert!(blanked.contains("fetch(u);"));
        assert!(!blanked.contains("a=a="));
        assert!(blanked.contains("\n0"), "{}", &blanked[..80]);
    }
}
