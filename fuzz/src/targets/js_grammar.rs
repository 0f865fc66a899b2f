//! Target `js_grammar`: the engine on generated JavaScript, so the fuzzer spends its time past
//! the parser rather than on syntax errors. The input bytes are choices (`arbitrary`'s
//! `Unstructured`) in a small grammar of what skimmers and shop code are made of: card-field
//! reads, network sinks, operator chains, templates, regular expressions, string tables,
//! `eval(atob(…))` wrappers — and nesting far deeper than any real script, where the engine
//! must answer with a budget error, not a crash. Running out of bytes ends the program early.

use arbitrary::{Result, Unstructured};
use base64::Engine as _;

/// Recursion of the generator itself (the deep productions nest iteratively).
const MAX_DEPTH: u32 = 6;
/// Past this many bytes only atoms are added, so one input stays fast to analyse.
const MAX_LEN: usize = 64 * 1024;
/// The deepest nesting the `deep` production writes: far above the engine's 1,000 limit and
/// the ~5,000 parentheses that overflow an 8 MiB stack in the parser.
const MAX_NESTING: u32 = 30_000;

pub fn run(data: &[u8]) {
    super::js::check_script(&generate(data));
}

/// The JavaScript program these bytes choose.
pub fn generate(data: &[u8]) -> String {
    let mut u = Unstructured::new(data);
    let mut program = Program::default();
    // Running out of input is the normal end of a generated program, not a failure.
    let _ = program.statements(&mut u, 0);
    program.out
}

const IDENTS: &[&str] = &[
    "a",
    "b",
    "x",
    "_0x3f2a",
    "e",
    "cc",
    "$",
    "jQuery",
    "window",
    "document",
    "navigator",
    "location",
    "localStorage",
    "JSON",
    "atob",
    "btoa",
    "escape",
    "String",
];
const ATOMS: &[&str] = &[
    "0",
    "1",
    "0x1f",
    "1e3",
    "-0",
    "NaN",
    "null",
    "undefined",
    "this",
    "''",
    "'checkout'",
    "'https://cdn-jquery-static.example/gate.php'",
    "'aHR0cHM6Ly9jZG4tanF1ZXJ5LXN0YXRpYy5leGFtcGxlL2dhdGUucGhw'",
    "'#cc-number'",
    "'input[name=\"payment[cc_number]\"]'",
    "document.getElementById('cc-number').value",
    "document.querySelector('[autocomplete=cc-csc]').value",
    "new FormData(document.forms[0])",
    "location.href",
    "'\\x68\\x74\\x74\\x70\\x73'",
    "String.fromCharCode(104, 116, 116, 112)",
];
const OPERATORS: &[&str] = &[
    " + ",
    " - ",
    " * ",
    " / ",
    " % ",
    " ** ",
    " == ",
    " === ",
    " != ",
    " < ",
    " >> ",
    " >>> ",
    " & ",
    " | ",
    " ^ ",
    " && ",
    " || ",
    " ?? ",
    " in ",
    " instanceof ",
    ", ",
];
const REGEXES: &[&str] = &[
    "/checkout|onestep/i",
    "/[^0-9]/g",
    "/(\\d{4})(?=\\d)/g",
    "/a[/]b\\/c/",
    "/[(]{2,}/",
    "/^(?:(a+)+)+$/u",
    "/\\u{1F600}/v",
];
const SINKS: &[(&str, &str)] = &[
    ("navigator.sendBeacon(", ")"),
    ("fetch(", ", {method: 'POST', body: b})"),
    ("new Image().src = ", ""),
    ("x.open('POST', ", "); x.send(b)"),
    ("window.location = ", ""),
    ("document.write('<script src=\"' + ", " + '\"></script>')"),
    ("localStorage.setItem('k', ", ")"),
];
/// Openers (and their closers) the `deep` production repeats (in statement or expression
/// position; some nest without a single bracket, which the depth pre-scan must still see).
const NESTERS: &[(&str, &str)] = &[
    ("(", ")"),
    ("[", "]"),
    ("f(", ")"),
    ("{a: ", "}"),
    ("`${", "}`"),
    ("!", ""),
    ("-", ""),
    ("a ? b : ", ""),
    ("a + ", ""),
    ("function () { return ", "}"),
    ("() => ", ""),
    ("/[(]/.test(", ")"),
    ("new F(", ")"),
    ("a.b(", ").c"),
    ("{", "}"),
    ("if (a) ", ""),
    ("while (a) ", ""),
    ("typeof ", ""),
    ("new ", ""),
    ("async () => await ", ""),
    ("'", "'"),
];

#[derive(Default)]
struct Program {
    out: String,
}

impl Program {
    fn statements(&mut self, u: &mut Unstructured<'_>, depth: u32) -> Result<()> {
        for _ in 0..u.int_in_range(1..=12)? {
            self.statement(u, depth)?;
            self.out.push('\n');
        }
        Ok(())
    }

    fn statement(&mut self, u: &mut Unstructured<'_>, depth: u32) -> Result<()> {
        if depth >= MAX_DEPTH {
            return self.expr(u, depth).map(|()| self.out.push(';'));
        }
        match u.int_in_range(0..=8)? {
            0 => {
                self.push(&format!("var {} = ", u.choose(IDENTS)?));
                self.expr(u, depth + 1)?;
                self.push(";");
            }
            1 => {
                self.push("if (");
                self.expr(u, depth + 1)?;
                self.push(") {\n");
                self.statement(u, depth + 1)?;
                self.push("\n} else {\n");
                self.statement(u, depth + 1)?;
                self.push("\n}");
            }
            2 => {
                self.push(&format!("function {}(a, b) {{\n", u.choose(IDENTS)?));
                self.statements(u, depth + 1)?;
                self.push("return ");
                self.expr(u, depth + 1)?;
                self.push(";\n}");
            }
            3 => {
                self.push("for (var i = 0; i < ");
                self.expr(u, depth + 1)?;
                self.push("; i++) {\n");
                self.statement(u, depth + 1)?;
                self.push("\n}");
            }
            4 => {
                self.push(
                    "document.querySelector('form').addEventListener('submit', function (e) {\n",
                );
                self.statements(u, depth + 1)?;
                self.push("});");
            }
            5 => {
                let (open, close) = u.choose(SINKS)?;
                self.push(open);
                self.expr(u, depth + 1)?;
                self.push(close);
                self.push(";");
            }
            6 => {
                self.push("try {\n");
                self.statement(u, depth + 1)?;
                self.push("\n} catch (err) {}");
            }
            7 => self.deep(u)?,
            _ => {
                self.expr(u, depth + 1)?;
                self.push(";");
            }
        }
        Ok(())
    }

    fn expr(&mut self, u: &mut Unstructured<'_>, depth: u32) -> Result<()> {
        if depth >= MAX_DEPTH || self.out.len() > MAX_LEN {
            return self.atom(u);
        }
        let d = depth + 1;
        match u.int_in_range(0..=15)? {
            0 => self.atom(u)?,
            1 => {
                self.push("(");
                self.expr(u, d)?;
                self.push(")");
            }
            2 => {
                self.expr(u, d)?;
                for _ in 0..u.int_in_range(1..=8)? {
                    self.push(u.choose(OPERATORS)?);
                    self.expr(u, d)?;
                }
            }
            3 => {
                self.push(u.choose(IDENTS)?);
                self.push("(");
                self.list(u, d)?;
                self.push(")");
            }
            4 => {
                self.push("[");
                self.list(u, d)?;
                self.push("]");
            }
            5 => {
                self.push("{");
                for _ in 0..u.int_in_range(0..=4)? {
                    self.push(&format!("{}: ", u.choose(IDENTS)?));
                    self.expr(u, d)?;
                    self.push(", ");
                }
                self.push("}");
            }
            6 => {
                self.push("`https://${");
                self.expr(u, d)?;
                self.push("}/c.php?d=${");
                self.expr(u, d)?;
                self.push("}`");
            }
            7 => self.push(u.choose(REGEXES)?),
            8 => {
                // A hidden layer: the engine decodes it and analyses what is inside.
                let mut inner = Program::default();
                inner.statements(u, d)?;
                let encoded = base64::engine::general_purpose::STANDARD.encode(&inner.out);
                let wrapper =
                    *u.choose(&["eval(atob('", "Function(atob('", "setTimeout(atob('"])?;
                self.push(&format!("{wrapper}{encoded}'))"));
            }
            9 => {
                self.push(&format!("function ({}) {{ return ", u.choose(IDENTS)?));
                self.expr(u, d)?;
                self.push("; }");
            }
            10 => {
                self.push(&format!("({}) => ", u.choose(IDENTS)?));
                self.expr(u, d)?;
            }
            11 => {
                self.expr(u, d)?;
                if u.arbitrary()? {
                    self.push(&format!(".{}", u.choose(IDENTS)?));
                } else {
                    self.push("[");
                    self.expr(u, d)?;
                    self.push("]");
                }
            }
            12 => {
                self.expr(u, d)?;
                self.push(" ? ");
                self.expr(u, d)?;
                self.push(" : ");
                self.expr(u, d)?;
            }
            13 => {
                self.push(u.choose(&["!", "-", "~", "typeof ", "void ", "delete "])?);
                self.expr(u, d)?;
            }
            14 => {
                // A string table and a rotated index, the obfuscators' favourite.
                self.push("['");
                for _ in 0..u.int_in_range(1..=6)? {
                    self.push(u.choose(&[
                        "c2VuZEJlYWNvbg==",
                        "value",
                        "POST",
                        "aHR0cHM6",
                        "'+'",
                    ])?);
                    self.push("', '");
                }
                self.push(&format!("'][{} % 7]", u.int_in_range(0..=99)?));
            }
            _ => self.deep(u)?,
        }
        Ok(())
    }

    fn list(&mut self, u: &mut Unstructured<'_>, depth: u32) -> Result<()> {
        for i in 0..u.int_in_range(0..=4)? {
            if i > 0 {
                self.push(", ");
            }
            self.expr(u, depth)?;
        }
        Ok(())
    }

    fn atom(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let atom = if u.arbitrary()? {
            u.choose(ATOMS)?
        } else {
            u.choose(IDENTS)?
        };
        self.push(atom);
        Ok(())
    }

    /// Nesting far beyond real code, written iteratively.
    fn deep(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let (open, close) = *u.choose(NESTERS)?;
        let n = u.int_in_range(1..=MAX_NESTING)? as usize;
        self.push(&open.repeat(n));
        self.push("a");
        self.push(&close.repeat(n));
        Ok(())
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }
}
