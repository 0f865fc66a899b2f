//! Syntax the shape walk recognises ([`super::shapes`]): wrapping IIFEs, string arrays,
//! forwarding wrappers, escaped decoder words, and text that hints at a packer, JSFuck or an
//! entity chain.

use oxc_ast::ast::*;
use oxc_span::Span;

/// String literals an array needs to count as a string array.
pub(super) const MIN_STRING_ARRAY: usize = 5;

/// Text that may hold what a shallow walk would miss inside functions: JSFuck (`![]`, `+[]`,
/// `[]+`), a jQuery entity chain (`.html(…).text()`), a packer (`function(p,a,c,k,e,…)`).
pub(super) fn hints_anywhere(src: &str) -> bool {
    static PACKER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\b")
            .expect("static regex")
    });
    ["![]", "+[]", "[]+"].iter().any(|h| src.contains(h))
        || (src.contains(".html(") && src.contains(".text("))
        || PACKER.is_match(src)
}

/// `(function(){…})()`, `!function(){…}()`, `(function(){…}).call(this)`, `(() => {…})()`
/// without parameters: the function's span, its name if it has one, and its body.
pub(super) fn iife_body<'a>(
    s: &'a Statement<'a>,
) -> Option<(Span, Option<&'a str>, &'a [Statement<'a>])> {
    let Statement::ExpressionStatement(es) = s else {
        return None;
    };
    let mut e = es.expression.without_parentheses();
    if let Expression::UnaryExpression(u) = e {
        e = u.argument.without_parentheses();
    }
    let Expression::CallExpression(c) = e else {
        return None;
    };
    let mut callee = c.callee.without_parentheses();
    if let Expression::StaticMemberExpression(m) = callee
        && matches!(m.property.name.as_str(), "call" | "apply")
    {
        callee = m.object.without_parentheses();
    }
    // An IIFE with parameters (a rotation loop `(function(arr, n){…})(tbl, 0x1a3)`) needs its
    // arguments: it runs whole.
    match callee {
        Expression::FunctionExpression(f) if f.params.items.is_empty() => {
            f.body.as_ref().map(|b| {
                (
                    f.span,
                    f.id.as_ref().map(|id| id.name.as_str()),
                    b.statements.as_slice(),
                )
            })
        }
        Expression::ArrowFunctionExpression(f) if f.params.items.is_empty() => match &f.body {
            ArrowFunctionBody::FunctionBody(b) => Some((f.span, None, b.statements.as_slice())),
            _ => None,
        },
        _ => None,
    }
}

/// `return d(a - 0x12, b)`: a body that only forwards to another function; that function.
pub(super) fn wrapped_callee<'a>(body: &'a [Statement<'a>]) -> Option<&'a str> {
    let [Statement::ReturnStatement(r)] = body else {
        return None;
    };
    match r.argument.as_ref().map(|e| e.without_parentheses()) {
        Some(Expression::CallExpression(c)) => match &c.callee {
            Expression::Identifier(id) => Some(id.name.as_str()),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn string_count(a: &ArrayExpression<'_>) -> usize {
    a.elements
        .iter()
        .filter(|e| matches!(e, ArrayExpressionElement::StringLiteral(_)))
        .count()
}

/// `var a = ['…', '…', …]` (at least [`MIN_STRING_ARRAY`] strings): the array's name.
pub(super) fn declares_string_array<'a>(s: &'a Statement<'a>) -> Option<&'a str> {
    let Statement::VariableDeclaration(d) = s else {
        return None;
    };
    d.declarations.iter().find_map(|v| match v.init.as_ref() {
        Some(Expression::ArrayExpression(a)) if string_count(a) >= MIN_STRING_ARRAY => {
            v.id.get_identifier_name().map(|n| n.as_str())
        }
        _ => None,
    })
}

/// `\uXXXX` and `\xXX` escapes replaced by their characters (enough to read property names
/// written with escapes; other text is kept as it is).
pub(super) fn unescape_literals(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (len, digits) = match after.as_bytes().first() {
            Some(b'u') => (5, after.get(1..5)),
            Some(b'x') => (3, after.get(1..3)),
            _ => (0, None),
        };
        match digits
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .and_then(char::from_u32)
        {
            Some(c) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
