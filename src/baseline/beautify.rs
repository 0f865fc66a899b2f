//! A small token-aware pretty printer for minified JavaScript, so the diff of a changed script
//! shows the statements that changed rather than one 80 KB line.
//!
//! It only moves whitespace: a line break after `;` (outside parentheses), `{` and `}`,
//! indentation by brace depth, and never inside strings, template literals, comments or regular
//! expression literals. It is not a formatter (no AST, no reflowing): it only has to make a
//! review possible, and it must never fail on code it does not understand. Code that is already
//! laid out on lines is left as it is.

/// Lines this long mean the code was minified (or packed) and needs breaking up.
const MINIFIED_LINE: usize = 250;

/// Readable code: minified lines are broken up and indented; other lines are kept as they are
/// (trailing spaces trimmed), so a skimmer appended as one long line to a readable file shows
/// as added statements without re-laying the rest. Always ends with a newline (when not
/// empty), so diffs do not complain about it.
pub fn beautify(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 8);
    for line in code.lines() {
        if line.len() > MINIFIED_LINE {
            let lead = &line[..line.len() - line.trim_start().len()];
            for l in pretty(line.trim_start()).lines() {
                out.push_str(lead);
                out.push_str(l.trim_end());
                out.push('\n');
            }
        } else {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Whether any line of the code is long enough to be broken up by [`beautify`] (then line
/// numbers of the beautified code are not the file's).
pub fn is_minified(code: &str) -> bool {
    code.lines().any(|l| l.len() > MINIFIED_LINE)
}

/// Words after which a `/` starts a regular expression, not a division.
const REGEX_AFTER_WORDS: [&str; 12] = [
    "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield",
];

struct Printer {
    out: String,
    indent: usize,
    parens: usize,
    /// Open parentheses outside each enclosing block: a function body inside `(function(){`
    /// still breaks after `;`.
    outer_parens: Vec<usize>,
    line_start: bool,
    /// The last significant code character, for telling a regex from a division.
    last: Option<char>,
    last_word: String,
}

impl Printer {
    fn newline(&mut self) {
        let t = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(t);
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.line_start = true;
    }

    fn emit(&mut self, s: &str) {
        if self.line_start {
            for _ in 0..self.indent {
                self.out.push_str("  ");
            }
            self.line_start = false;
        }
        self.out.push_str(s);
    }

    fn emit_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.emit(c.encode_utf8(&mut buf));
    }

    fn regex_allowed(&self) -> bool {
        match self.last {
            None => true,
            Some(c) if c.is_alphanumeric() || c == '_' || c == '$' => {
                REGEX_AFTER_WORDS.contains(&self.last_word.as_str())
            }
            Some(c) => !matches!(c, ')' | ']' | '}' | '"' | '\'' | '`'),
        }
    }
}

fn pretty(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut p = Printer {
        out: String::with_capacity(code.len() + code.len() / 8),
        indent: 0,
        parens: 0,
        outer_parens: Vec::new(),
        line_start: true,
        last: None,
        last_word: String::new(),
    };
    let next_sig = |from: usize| chars[from..].iter().copied().find(|c| !c.is_whitespace());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' => {
                let end = scan_string(&chars, i);
                p.emit(&chars[i..end].iter().collect::<String>());
                p.last = Some(c);
                i = end;
                continue;
            }
            '`' => {
                let end = scan_template(&chars, i);
                p.emit(&chars[i..end].iter().collect::<String>());
                p.last = Some(c);
                i = end;
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                let end = chars[i..]
                    .iter()
                    .position(|&x| x == '\n')
                    .map_or(chars.len(), |n| i + n);
                p.emit(&chars[i..end].iter().collect::<String>());
                p.newline();
                i = end;
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let end = (i + 2..chars.len().saturating_sub(1))
                    .find(|&k| chars[k] == '*' && chars[k + 1] == '/')
                    .map_or(chars.len(), |k| k + 2);
                p.emit(&chars[i..end].iter().collect::<String>());
                i = end;
                continue;
            }
            '/' if p.regex_allowed() => {
                let end = scan_regex(&chars, i);
                p.emit(&chars[i..end].iter().collect::<String>());
                p.last = Some('"');
                i = end;
                continue;
            }
            '{' => {
                p.emit("{");
                if next_sig(i + 1) == Some('}') {
                    // `{}` stays together.
                    let close = i + 1 + chars[i + 1..].iter().position(|&x| x == '}').unwrap_or(0);
                    p.emit("}");
                    p.last = Some('}');
                    i = close + 1;
                    continue;
                }
                p.indent += 1;
                p.outer_parens.push(p.parens);
                p.parens = 0;
                p.newline();
            }
            '}' => {
                p.indent = p.indent.saturating_sub(1);
                p.parens = p.outer_parens.pop().unwrap_or(0);
                p.newline();
                p.emit("}");
                if !matches!(next_sig(i + 1), Some(')' | ']' | ',' | ';' | '.' | '(')) {
                    p.newline();
                }
            }
            ';' => {
                p.emit(";");
                if p.parens == 0 {
                    p.newline();
                }
            }
            '(' | '[' => {
                p.parens += 1;
                p.emit_char(c);
            }
            ')' | ']' => {
                p.parens = p.parens.saturating_sub(1);
                p.emit_char(c);
            }
            '\n' | '\r' => {
                if p.parens == 0 {
                    p.newline();
                } else if !p.line_start && !p.out.ends_with(' ') {
                    p.emit(" ");
                }
                i += 1;
                continue;
            }
            c if c.is_whitespace() => {
                if !p.line_start && !p.out.ends_with(' ') {
                    p.emit(" ");
                }
                i += 1;
                continue;
            }
            c => {
                p.emit_char(c);
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    if !p
                        .last
                        .is_some_and(|l| l.is_alphanumeric() || l == '_' || l == '$')
                    {
                        p.last_word.clear();
                    }
                    p.last_word.push(c);
                }
            }
        }
        p.last = Some(c);
        i += 1;
    }
    p.out
}

/// End (exclusive) of a quoted string starting at `start`; an unterminated string ends at the
/// line's end, as the JS grammar says.
fn scan_string(chars: &[char], start: usize) -> usize {
    let q = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '\n' => return i,
            c if c == q => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// End of a template literal, skipping `${ … }` substitutions (which may hold strings and
/// nested templates). Nesting is kept on an explicit stack, not the call stack: a hostile
/// script can nest hundreds of thousands of templates.
fn scan_template(chars: &[char], start: usize) -> usize {
    enum Frame {
        Text,
        Substitution(usize),
    }
    let mut stack = vec![Frame::Text];
    let mut i = start + 1;
    while i < chars.len() {
        let Some(top) = stack.last_mut() else {
            return i;
        };
        match top {
            Frame::Text => match chars[i] {
                '\\' => i += 2,
                '`' => {
                    stack.pop();
                    i += 1;
                    if stack.is_empty() {
                        return i;
                    }
                }
                '$' if chars.get(i + 1) == Some(&'{') => {
                    stack.push(Frame::Substitution(1));
                    i += 2;
                }
                _ => i += 1,
            },
            Frame::Substitution(depth) => match chars[i] {
                '{' => {
                    *depth += 1;
                    i += 1;
                }
                '}' => {
                    *depth -= 1;
                    if *depth == 0 {
                        stack.pop();
                    }
                    i += 1;
                }
                '"' | '\'' => i = scan_string(chars, i),
                '`' => {
                    stack.push(Frame::Text);
                    i += 1;
                }
                _ => i += 1,
            },
        }
    }
    chars.len()
}

/// End of a regular expression literal (with its flags); `[...]` classes may hold `/`.
fn scan_regex(chars: &[char], start: usize) -> usize {
    let mut i = start + 1;
    let mut class = false;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '\n' => return i,
            '[' => {
                class = true;
                i += 1;
            }
            ']' => {
                class = false;
                i += 1;
            }
            '/' if !class => {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    i += 1;
                }
                return i;
            }
            _ => i += 1,
        }
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(code: &str) -> String {
        // Pad to look minified without changing the code's meaning.
        format!("{code}{}", " ".repeat(MINIFIED_LINE))
    }

    #[test]
    fn deeply_nested_templates_do_not_overflow_the_stack() {
        // Issue 7: a recursive template scanner overflowed the 8 MiB main stack here.
        let n = 400_000;
        let src = long(&format!("var t={}x{};f()", "`${".repeat(n), "}`".repeat(n)));
        let out = beautify(&src);
        assert!(
            out.trim_end().ends_with("f()"),
            "{}",
            &out[out.len() - 50..]
        );
        assert_eq!(
            scan_template(&['`', '$', '{', '`', 'a', '`', '}', '`'], 0),
            8
        );
    }

    #[test]
    fn breaks_statements_and_blocks() {
        let src =
            long("function a(b){if(b){return 1}for(var i=0;i<3;i++){c(i)}var s='x;{y}';return s}");
        let out = beautify(&src);
        assert_eq!(
            out,
            "function a(b){\n  if(b){\n    return 1\n  }\n  for(var i=0;i<3;i++){\n    c(i)\n  }\n  var s='x;{y}';\n  return s\n}\n"
        );
    }

    #[test]
    fn leaves_regexes_templates_and_comments_whole() {
        let src = long("var r=/[;{}]/g,t=`a;${b?'{':'}'};c`;/* x;{ */x=a/b;y()");
        let out = beautify(&src);
        assert!(
            out.contains("var r=/[;{}]/g,t=`a;${b?'{':'}'};c`;\n"),
            "{out}"
        );
        assert!(out.contains("/* x;{ */x=a/b;\n"), "{out}");
    }

    #[test]
    fn readable_code_is_left_alone() {
        assert_eq!(beautify("a();  \n\nb();"), "a();\n\nb();\n");
        assert_eq!(beautify(""), "");
    }
}
