//! Which code sinks are worth running a script in the sandbox for.
//!
//! The sandbox runs start-up code, and for a library that is the whole library parsed again by
//! QuickJS. A sink inside a function yields code only when start-up calls that function with
//! values computed from the script's own constants, which is what a decoder does. Without any
//! decoder in the script such a sink is ordinary dynamic code (a template compiler's
//! `Function(code)`, a loader's `eval(text)`, a scheduler's `setTimeout(callback)`), and running
//! the library for it recovers nothing the evaluator did not. A timer given a function's name
//! runs that function, not code.

use oxc_ast::ast::*;

/// A code sink whose argument is not a literal, before [`worth_running`] decides whether it
/// is worth the sandbox.
pub(super) struct Sink<'a> {
    pub at: u32,
    /// Inside a function the script does not run at start-up by itself (not an unwrapped IIFE).
    pub in_function: bool,
    /// A timer's argument when it is a plain name (`setTimeout(tick, 50)`).
    pub timer_name: Option<&'a str>,
}

/// The starts of the sinks worth the sandbox. `decoders`: the script has a decoder of any kind
/// (a decoding function, a string array or decoded table, a decoding loop, a decoder call).
/// `is_function`: the name is bound to a function, once, at the top level.
pub(super) fn worth_running(
    sinks: &[Sink<'_>],
    decoders: bool,
    is_function: impl Fn(&str) -> bool,
) -> Vec<u32> {
    sinks
        .iter()
        .filter(|s| !s.timer_name.is_some_and(&is_function))
        .filter(|s| !s.in_function || decoders)
        .map(|s| s.at)
        .collect()
}

/// A function value: a function or arrow expression, or `f.bind(…)`.
pub(super) fn binds_function(e: &Expression<'_>) -> bool {
    match e.without_parentheses() {
        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_) => true,
        Expression::CallExpression(c) => matches!(
            c.callee.without_parentheses(),
            Expression::StaticMemberExpression(m) if m.property.name == "bind"
        ),
        _ => false,
    }
}
