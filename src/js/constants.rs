//! The constants pre-pass: which names the whole script can treat as constants (declared
//! once, never reassigned), which functions the evaluator may call by name, and which
//! start-up calls rotate a string table (`(function(a, n){ … a.push(a.shift()) … })(tbl, 0x1a3)`)
//! so the table is read in its run-time order. One walk over the tree.
//!
//! It also finds the names whose value changes after their declaration — reassigned or
//! mutated (`push`, `reverse`, `a[i] = …`, `o.host = …`) inside a function, which runs at an
//! unknown time (a callback, a timer): those are *volatile*, and the evaluator treats them as
//! unknown rather than use a stale constant. Names mutated only by top-level statements are
//! *staged*: the top-level run executes those statements in order, so their value is the one
//! later code sees. A top-level declaration computed from a staged name (`var host =
//! parts.join('')` after `parts.reverse()`) is staged too: read lazily, it would see the
//! array before the statements that change it ran.
//!
//! A volatile name is not always hopeless: when every change is a plain assignment (`target
//! = 'https://…'` in a timer), its value at any later time is one of a short list — the
//! initialiser and each assigned expression. Those are its *alternatives*; a name changed in
//! a way that cannot be listed (`+=`, `++`, `push`, a property write) has none and stays
//! unknown.

use super::interp::GlobalDecl;
use super::value::{NameMap, NameSet};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;
use oxc_syntax::operator::{AssignmentOperator, LogicalOperator};

/// Array methods that change the array they are called on.
const MUTATING: &[&str] = &[
    "push",
    "pop",
    "shift",
    "unshift",
    "reverse",
    "splice",
    "sort",
    "fill",
    "copyWithin",
];

#[derive(Default)]
pub struct Constants<'a> {
    declared: NameMap<'a, (u32, Option<GlobalDecl<'a>>)>,
    assigned: NameMap<'a, u32>,
    /// Calls that rotate a string table at start-up, in source order.
    pub rotators: Vec<&'a CallExpression<'a>>,
    src: &'a str,
    /// Names changed inside functions (see the module doc), and names changed by top-level
    /// statements.
    pub volatile: NameSet<'a>,
    pub staged: NameSet<'a>,
    fn_depth: u32,
    in_rotator: u32,
    /// Parameters of each enclosing function: a change to one of those is the parameter's.
    /// (Declarations need no such care: a name declared twice is never a constant.)
    locals: Vec<NameSet<'a>>,
    /// The top-level declaration whose initialiser the walk is in, and the names each such
    /// initialiser reads outside nested functions (see [`Constants::stage_derived`]; a
    /// library wrapped in `var lib = (function(){ … })()` is not listed name by name).
    in_init: Option<&'a str>,
    init_reads: Vec<(&'a str, &'a str)>,
    /// Every expression a name is given, or None once a change cannot be listed.
    given: NameMap<'a, Option<Vec<&'a Expression<'a>>>>,
    /// Long strings the script holds (a literal, literals joined with `+`, an array of
    /// literals), with their offsets: what may be code stored encoded (see
    /// `decoders::analyse_stored`). At most [`MAX_LONG_STRINGS`].
    pub long_strings: Vec<(u32, String)>,
    /// Property names the script assigns (`x.p = …`, `x.p++`), and those it also names as an
    /// object literal's key, a destructured key or a class member: a property only ever
    /// assigned holds what the script put there (see `Collector::script_prop`).
    pub assigned_props: NameSet<'a>,
    pub literal_keys: NameSet<'a>,
}

/// Long strings kept per script.
const MAX_LONG_STRINGS: usize = 64;

/// A name given more values than this has no alternatives (it is unknown).
pub const MAX_ALTERNATIVES: usize = 8;

/// Rounds of [`Constants::stage_derived`]: a chain of derived declarations longer than this
/// keeps its lazy (possibly stale) reading rather than cost more passes.
const MAX_STAGE_ROUNDS: usize = 8;

impl<'a> Constants<'a> {
    /// A property name the script writes as a key (see `literal_keys`).
    fn literal_key(&mut self, key: &PropertyKey<'a>) {
        if let Some(std::borrow::Cow::Borrowed(k)) = key.static_name() {
            self.literal_keys.insert(k);
        }
    }

    pub fn collect(program: &'a Program<'a>, src: &'a str) -> Constants<'a> {
        let mut c = Constants {
            src,
            ..Default::default()
        };
        c.visit_program(program);
        c.stage_derived();
        c
    }

    /// Stage the top-level declarations that read a staged name, transitively.
    fn stage_derived(&mut self) {
        let reads = std::mem::take(&mut self.init_reads);
        for _ in 0..MAX_STAGE_ROUNDS {
            let mut grew = false;
            for (decl, read) in &reads {
                if self.staged.contains(read) && !self.staged.contains(decl) {
                    self.staged.insert(*decl);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }

    /// The bindings the evaluator may resolve by name anywhere in the script.
    pub fn decls(&self) -> NameMap<'a, GlobalDecl<'a>> {
        let mut out = NameMap::default();
        for (name, (count, decl)) in &self.declared {
            let Some(d) = decl else { continue };
            if *count != 1 || self.staged.contains(name) {
                continue;
            }
            match d {
                // Functions may rebind their own name (self-replacing accessors); the
                // evaluator handles that. Values must never be reassigned.
                GlobalDecl::Func(_) | GlobalDecl::Class(_) => {}
                GlobalDecl::Init(_) | GlobalDecl::Pattern(..) => {
                    if self.assigned.get(name).copied().unwrap_or(0) > 0 {
                        continue;
                    }
                }
            }
            out.insert(*name, *d);
        }
        out
    }

    /// The volatile names whose every value is listed (see the module doc), with those
    /// values' expressions in source order.
    pub fn alternatives(&self) -> NameMap<'a, Vec<&'a Expression<'a>>> {
        let mut out = NameMap::default();
        for name in &self.volatile {
            if self.declared.get(name).is_some_and(|(n, _)| *n > 1) {
                continue;
            }
            if let Some(Some(list)) = self.given.get(name)
                && list.len() > 1
            {
                out.insert(*name, list.clone());
            }
        }
        out
    }

    /// `name` is given `value` (None: a change that cannot be listed).
    fn give(&mut self, name: &'a str, value: Option<&'a Expression<'a>>) {
        if self.in_rotator > 0 || self.locals.iter().any(|l| l.contains(name)) {
            return;
        }
        let slot = self.given.entry(name).or_insert_with(|| Some(Vec::new()));
        match (slot.as_mut(), value) {
            (Some(list), Some(v)) if list.len() < MAX_ALTERNATIVES => list.push(v),
            _ => *slot = None,
        }
    }

    /// A change to `name` (reassignment or mutation) at the current place.
    fn changed(&mut self, name: &'a str, reassigned: bool) {
        if self.in_rotator > 0 || self.locals.iter().any(|l| l.contains(name)) {
            return;
        }
        if self.fn_depth > 0 {
            // Functions keep their self-replacing accessor pattern (handled by the evaluator).
            let is_fn = matches!(
                self.declared.get(name),
                Some((_, Some(GlobalDecl::Func(_))))
            );
            if !is_fn {
                self.volatile.insert(name);
            }
        } else if !reassigned {
            self.staged.insert(name);
        }
    }

    fn declare(&mut self, name: &'a str, d: Option<GlobalDecl<'a>>) {
        let e = self.declared.entry(name).or_insert((0, None));
        e.0 += 1;
        e.1 = d;
    }
}

impl Constants<'_> {
    fn long_string(&mut self, at: u32, text: &str) {
        if text.len() >= crate::encoded::MIN_ENCODED
            && text.len() <= crate::encoded::MAX_ENCODED
            && self.long_strings.len() < MAX_LONG_STRINGS
        {
            self.long_strings.push((at, text.to_string()));
        }
    }
}

/// The string `e` spells when it is literals joined with `+` (`"KGZ1" + "bmN0…"`).
fn joined_literals(e: &Expression<'_>, out: &mut String) -> bool {
    match e {
        Expression::StringLiteral(l) => {
            out.push_str(l.value.as_str());
            true
        }
        Expression::ParenthesizedExpression(p) => joined_literals(&p.expression, out),
        Expression::BinaryExpression(b)
            if b.operator == oxc_syntax::operator::BinaryOperator::Addition =>
        {
            joined_literals(&b.left, out) && joined_literals(&b.right, out)
        }
        _ => false,
    }
}

impl<'a> Visit<'a> for Constants<'a> {
    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        self.long_string(it.span.start, it.value.as_str());
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        if it.expressions.is_empty()
            && let Some(cooked) = it.quasis.first().and_then(|q| q.value.cooked.as_ref())
        {
            self.long_string(it.span.start, cooked.as_str());
        }
        walk::walk_template_literal(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if it.operator == oxc_syntax::operator::BinaryOperator::Addition {
            let mut joined = String::new();
            if joined_literals(&it.left, &mut joined) && joined_literals(&it.right, &mut joined) {
                // Literals only: nothing else in it for the walk.
                self.long_string(it.span.start, &joined);
                return;
            }
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_array_expression(&mut self, it: &ArrayExpression<'a>) {
        if it.elements.len() >= 2 {
            let mut joined = String::new();
            let all = it.elements.iter().all(|e| match e {
                ArrayExpressionElement::StringLiteral(l) => {
                    joined.push_str(l.value.as_str());
                    true
                }
                _ => false,
            });
            if all {
                self.long_string(it.span.start, &joined);
            }
        }
        walk::walk_array_expression(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        if let Some(id) = it.id.get_identifier_name() {
            let d = match &it.init {
                Some(Expression::FunctionExpression(f)) => Some(GlobalDecl::Func(f)),
                Some(e) => Some(GlobalDecl::Init(e)),
                None => None,
            };
            self.declare(id.as_str(), d);
            if let Some(init) = &it.init {
                self.give(id.as_str(), Some(init));
            }
        } else {
            // `const { host, path = '/c' } = cfg`: each name is a part of the value.
            let mut names = Vec::new();
            crate::js::interp::binding_names(&it.id, &mut names);
            for n in names {
                let d = it.init.as_ref().map(|e| GlobalDecl::Pattern(&it.id, e));
                self.declare(n, d);
                self.give(n, None);
            }
        }
        let outer = self.in_init;
        if self.fn_depth == 0 {
            self.in_init = it.id.get_identifier_name().map(|n| n.as_str());
        }
        walk::walk_variable_declarator(self, it);
        self.in_init = outer;
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if self.fn_depth == 0
            && let Some(decl) = self.in_init
        {
            let it = self.alloc(it);
            self.init_reads.push((decl, it.name.as_str()));
        }
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let it = self.alloc(it);
        if it.is_declaration()
            && let Some(id) = &it.id
        {
            self.declare(id.name.as_str(), Some(GlobalDecl::Class(it)));
        }
        walk::walk_class(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: oxc_syntax::scope::ScopeFlags) {
        let it = self.alloc(it);
        if it.is_declaration()
            && let Some(id) = &it.id
        {
            self.declare(id.name.as_str(), Some(GlobalDecl::Func(it)));
        }
        let mut locals = NameSet::default();
        param_names(&it.params, &mut locals);
        self.locals.push(locals);
        self.fn_depth += 1;
        walk::walk_function(self, it, flags);
        self.fn_depth -= 1;
        self.locals.pop();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let it = self.alloc(it);
        let mut locals = NameSet::default();
        param_names(&it.params, &mut locals);
        self.locals.push(locals);
        self.fn_depth += 1;
        walk::walk_arrow_function_expression(self, it);
        self.fn_depth -= 1;
        self.locals.pop();
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it = self.alloc(it);
        if let Some(MemberExpression::StaticMemberExpression(m)) = it.left.as_member_expression() {
            self.assigned_props.insert(m.property.name.as_str());
        }
        match &it.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                *self.assigned.entry(id.name.as_str()).or_default() += 1;
                self.changed(id.name.as_str(), true);
                let listed = (it.operator == AssignmentOperator::Assign).then_some(&it.right);
                self.give(id.name.as_str(), listed);
            }
            target => {
                // `a[i] = v`, `o.host = v`: the object changes under its name.
                if let Some(m) = target.as_member_expression()
                    && let Expression::Identifier(id) = m.object().without_parentheses()
                {
                    let name = id.name.as_str();
                    if matches!(name, "window" | "self" | "globalThis" | "top" | "parent")
                        && !self.declared.contains_key(name)
                    {
                        // `window.go = …` changes the global `go`, not the window: `window.fetch`
                        // is still the browser's.
                        if let MemberExpression::StaticMemberExpression(s) = m {
                            let p = s.property.name.as_str();
                            self.changed(p, true);
                            self.give(p, None);
                            // `window.CFG = window.CFG || {…}` at the top level declares the
                            // global (its default, when it is its own fallback), as `var` does.
                            if self.fn_depth == 0 && it.operator == AssignmentOperator::Assign {
                                let v = own_default(p, &it.right).unwrap_or(&it.right);
                                self.declare(p, Some(GlobalDecl::Init(v)));
                            }
                        }
                    } else {
                        self.changed(name, false);
                        self.give(name, None);
                    }
                }
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let it = self.alloc(it);
        self.literal_key(&it.key);
        walk::walk_object_property(self, it);
    }

    fn visit_binding_property(&mut self, it: &BindingProperty<'a>) {
        let it = self.alloc(it);
        self.literal_key(&it.key);
        walk::walk_binding_property(self, it);
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        let it = self.alloc(it);
        self.literal_key(&it.key);
        walk::walk_property_definition(self, it);
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        let it = self.alloc(it);
        self.literal_key(&it.key);
        walk::walk_method_definition(self, it);
    }

    fn visit_update_expression(&mut self, it: &UpdateExpression<'a>) {
        let it = self.alloc(it);
        if let SimpleAssignmentTarget::StaticMemberExpression(m) = &it.argument {
            self.assigned_props.insert(m.property.name.as_str());
        }
        if let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &it.argument {
            *self.assigned.entry(id.name.as_str()).or_default() += 1;
            self.give(id.name.as_str(), None);
        }
        walk::walk_update_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let it = self.alloc(it);
        let callee = it.callee.without_parentheses();
        if let Expression::StaticMemberExpression(m) = callee
            && MUTATING.contains(&m.property.name.as_str())
            && let Expression::Identifier(id) = m.object.without_parentheses()
        {
            self.changed(id.name.as_str(), false);
            self.give(id.name.as_str(), None);
        }
        let rotators_before = self.rotators.len();
        if matches!(
            callee,
            Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
        ) && it.arguments.len() >= 2
            && it
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .is_some_and(|e| {
                    matches!(
                        e.without_parentheses(),
                        Expression::Identifier(_) | Expression::CallExpression(_)
                    )
                })
            // The checksum the rotation stops at is a number (`0x9e3b1`, `-0x1 * 0x2 + …`): a
            // wrapper given `(window, document)` is not a rotation.
            && it
                .arguments
                .get(1)
                .and_then(|a| a.as_expression())
                .is_some_and(|e| numeric(e, 0))
        {
            let span = callee.span();
            let body = self
                .src
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            if body.len() < 20_000 && body.contains("push") && body.contains("shift") {
                self.rotators.push(it);
            }
        }
        let rotator = self.rotators.len() > rotators_before;
        if rotator {
            self.in_rotator += 1;
        }
        walk::walk_call_expression(self, it);
        if rotator {
            self.in_rotator -= 1;
        }
    }
}

fn pattern_names<'a>(p: &'a BindingPattern<'a>, out: &mut NameSet<'a>) {
    let mut names = Vec::new();
    super::interp::binding_names(p, &mut names);
    out.extend(names);
}

fn param_names<'a>(params: &'a FormalParameters<'a>, out: &mut NameSet<'a>) {
    for p in &params.items {
        pattern_names(&p.pattern, out);
    }
    if let Some(r) = &params.rest {
        pattern_names(&r.rest.argument, out);
    }
}

/// `X || v`, `window.X ?? v`: the fallback `v` of a global that defaults to itself.
fn own_default<'a>(name: &str, e: &'a Expression<'a>) -> Option<&'a Expression<'a>> {
    let Expression::LogicalExpression(l) = e.without_parentheses() else {
        return None;
    };
    let same = match l.left.without_parentheses() {
        Expression::Identifier(id) => id.name == name,
        Expression::StaticMemberExpression(m) => {
            m.property.name == name
                && matches!(m.object.without_parentheses(),
                    Expression::Identifier(w) if matches!(w.name.as_str(), "window" | "self" | "globalThis"))
        }
        _ => false,
    };
    (same && l.operator != LogicalOperator::And).then_some(&l.right)
}

/// A number written as a literal or arithmetic on literals.
fn numeric(e: &Expression<'_>, depth: u32) -> bool {
    depth < 16
        && match e.without_parentheses() {
            Expression::NumericLiteral(_) => true,
            Expression::UnaryExpression(u) => numeric(&u.argument, depth + 1),
            Expression::BinaryExpression(b) => {
                numeric(&b.left, depth + 1) && numeric(&b.right, depth + 1)
            }
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxc_allocator::Allocator;
    use oxc_span::SourceType;

    fn rotators(code: &str) -> usize {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let program = alloc.alloc(ret.program);
        Constants::collect(program, code).rotators.len()
    }

    #[test]
    fn a_rotation_stops_at_a_numeric_checksum_and_a_wrapper_is_no_rotation() {
        let rotation =
            "var a=['x','y'];(function(t,n){while(--n){t['push'](t['shift']());}})(a,0x1a3);";
        assert_eq!(rotators(rotation), 1);
        let obf = "(function(f,c){var t=f();while(!![]){try{if(parseInt(t[0])===c)break;else t['push'](t['shift']());}catch(e){t['push'](t['shift']());}}}(s,-0x1*0x9+0x3e8));";
        assert_eq!(rotators(obf), 1);
        // A replay recorder wrapped in `(function (w, d) {…})(window, document)` that happens
        // to `push` and `unshift`.
        let wrapper = "(function(w,d){var q=[],p=[];p.unshift('a');q.push(p);})(window,document);";
        assert_eq!(rotators(wrapper), 0);
    }
}
