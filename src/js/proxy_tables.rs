//! Operator and call tables of control-flow flattening: javascript-obfuscator (and tools like
//! it) move each `a + b`, `a === b` and `f(x)` of a function into a table declared at its
//! top, `var t = { 'kXq': function (a, b) { return a + b; }, 'pLm': function (f, x) { return
//! f(x); }, 'Rzt': 'cardNumber' }`, and write `t.kXq(a, b)`, `t.pLm(post, s)`, `t.Rzt`
//! instead. Nothing then calls `post` by name, so a hand-off through the script's own
//! functions is lost. This pass writes the operations back (`post(s)`, `a + b`, the string),
//! as webcrack's control-flow-object step does, for tables that are declared once and never
//! changed; an entry may forward to another table's entry. Places are kept: a rewritten call
//! spans what the table call spanned.

use oxc_allocator::{Allocator, CloneIn, TakeIn};
use oxc_ast::ast::*;
use oxc_ast::builder::AstBuilder;
use oxc_ast_visit::{Visit, VisitMut, walk, walk_mut};
use oxc_span::Span;
use oxc_syntax::operator::{BinaryOperator, LogicalOperator};
use std::collections::{HashMap, HashSet};

/// Entries followed from table to table.
const MAX_FORWARDS: usize = 8;
/// Tables (and entries per table) looked at: flattening makes dozens, not thousands.
const MAX_TABLES: usize = 4096;

/// What one table entry does with its arguments.
#[derive(Clone)]
enum Entry<'a> {
    /// `function (f, a, b) { return f(a, b); }`, with the number of arguments.
    Call(usize),
    Binary(BinaryOperator),
    Logical(LogicalOperator),
    /// `function (a, b) { return t2.k(a, b); }`: the same entry of another table.
    Forward(&'a str, &'a str),
    /// A constant value.
    Value(&'a Expression<'a>),
}

/// Rewrite the table operations of `program`.
pub fn inline_tables<'a>(alloc: &'a Allocator, program: &mut Program<'a>) {
    let mut c = Collect::default();
    c.visit_program(program);
    let tables: HashMap<&'a str, HashMap<&'a str, Entry<'a>>> = c
        .tables
        .into_iter()
        .filter(|(name, _)| c.declared.get(name) == Some(&1) && !c.changed.contains(name))
        .collect();
    if tables.is_empty() {
        return;
    }
    Rewrite {
        b: AstBuilder::new(alloc),
        alloc,
        tables,
    }
    .visit_program(program);
}

#[derive(Default)]
struct Collect<'a> {
    tables: HashMap<&'a str, HashMap<&'a str, Entry<'a>>>,
    declared: HashMap<&'a str, u32>,
    /// Names assigned, or whose members are assigned.
    changed: HashSet<&'a str>,
}

impl<'a> Visit<'a> for Collect<'a> {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        if let (Some(id), Some(Expression::ObjectExpression(o))) =
            (it.id.get_identifier_name(), it.init.as_ref())
            && self.tables.len() < MAX_TABLES
            && let Some(entries) = table_entries(o)
        {
            self.tables.insert(id.as_str(), entries);
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        *self.declared.entry(it.name.as_str()).or_default() += 1;
    }

    fn visit_simple_assignment_target(&mut self, it: &SimpleAssignmentTarget<'a>) {
        let name = match it {
            SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.name.as_str()),
            t => t.as_member_expression().and_then(|m| match m.object() {
                Expression::Identifier(id) => Some(id.name.as_str()),
                _ => None,
            }),
        };
        if let Some(n) = name {
            self.changed.insert(n);
        }
        walk::walk_simple_assignment_target(self, it);
    }
}

/// The entries of an object literal that is a table: every property a static key with a
/// function of one of the shapes, or a string.
fn table_entries<'a>(o: &'a ObjectExpression<'a>) -> Option<HashMap<&'a str, Entry<'a>>> {
    if o.properties.is_empty() || o.properties.len() > 512 {
        return None;
    }
    let mut out = HashMap::new();
    let mut operations = 0;
    for p in &o.properties {
        let ObjectPropertyKind::ObjectProperty(p) = p else {
            return None;
        };
        let key = match &p.key {
            PropertyKey::StaticIdentifier(id) => id.name.as_str(),
            PropertyKey::StringLiteral(s) => s.value.as_str(),
            _ => return None,
        };
        let entry = match &p.value {
            Expression::FunctionExpression(f) => {
                operations += 1;
                f.body.as_ref().and_then(|b| entry_of(&f.params, b))?
            }
            Expression::StringLiteral(_) => Entry::Value(&p.value),
            Expression::CallExpression(c) if matches!(&c.callee, Expression::Identifier(id) if id.name == "atob") => {
                Entry::Value(&p.value)
            }
            _ => return None,
        };
        out.insert(key, entry);
    }
    // A settings object of strings alone is not a flattening table.
    (operations > 0).then_some(out)
}

fn entry_of<'a>(params: &'a FormalParameters<'a>, body: &'a FunctionBody<'a>) -> Option<Entry<'a>> {
    let names: Vec<&str> = params
        .items
        .iter()
        .map(|p| p.pattern.get_identifier_name().map(|n| n.as_str()))
        .collect::<Option<_>>()?;
    if params.rest.is_some() {
        return None;
    }
    // Wrapper functions the obfuscator declares inside are left for the decoder pass.
    let mut stmts = body
        .statements
        .iter()
        .filter(|s| !matches!(s, Statement::FunctionDeclaration(_)));
    let (Some(Statement::ReturnStatement(r)), None) = (stmts.next(), stmts.next()) else {
        return None;
    };
    let is = |e: &Expression<'_>, i: usize| matches!(e.without_parentheses(), Expression::Identifier(id) if names.get(i) == Some(&id.name.as_str()));
    match r.argument.as_ref()?.without_parentheses() {
        Expression::BinaryExpression(b)
            if names.len() == 2 && is(&b.left, 0) && is(&b.right, 1) =>
        {
            Some(Entry::Binary(b.operator))
        }
        Expression::LogicalExpression(l)
            if names.len() == 2 && is(&l.left, 0) && is(&l.right, 1) =>
        {
            Some(Entry::Logical(l.operator))
        }
        Expression::CallExpression(c) => {
            let args_are = |from: usize| {
                c.arguments.len() + from == names.len()
                    && c.arguments
                        .iter()
                        .enumerate()
                        .all(|(i, a)| a.as_expression().is_some_and(|x| is(x, i + from)))
            };
            match c.callee.without_parentheses() {
                callee if is(callee, 0) && args_are(1) => Some(Entry::Call(names.len() - 1)),
                Expression::StaticMemberExpression(m) if args_are(0) => match &m.object {
                    Expression::Identifier(t) => {
                        Some(Entry::Forward(t.name.as_str(), m.property.name.as_str()))
                    }
                    _ => None,
                },
                Expression::ComputedMemberExpression(m) if args_are(0) => {
                    match (&m.object, &m.expression) {
                        (Expression::Identifier(t), Expression::StringLiteral(k)) => {
                            Some(Entry::Forward(t.name.as_str(), k.value.as_str()))
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

struct Rewrite<'a> {
    b: AstBuilder<'a>,
    alloc: &'a Allocator,
    tables: HashMap<&'a str, HashMap<&'a str, Entry<'a>>>,
}

impl<'a> Rewrite<'a> {
    /// The entry `table.key` stands for, forwards followed.
    fn entry(&self, table: &str, key: &str) -> Option<Entry<'a>> {
        let (mut t, mut k) = (table, key);
        for _ in 0..MAX_FORWARDS {
            match self.tables.get(t)?.get(k)? {
                Entry::Forward(t2, k2) => (t, k) = (t2, k2),
                e => return Some(e.clone()),
            }
        }
        None
    }

    /// `table.key` / `table['key']`: the table's name and the key.
    fn member_key<'b>(e: &'b Expression<'a>) -> Option<(&'b str, &'b str)> {
        match e.without_parentheses() {
            Expression::StaticMemberExpression(m) => match &m.object {
                Expression::Identifier(t) => Some((t.name.as_str(), m.property.name.as_str())),
                _ => None,
            },
            Expression::ComputedMemberExpression(m) => match (&m.object, &m.expression) {
                (Expression::Identifier(t), Expression::StringLiteral(k)) => {
                    Some((t.name.as_str(), k.value.as_str()))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn rewrite_call(&self, span: Span, c: &mut CallExpression<'a>) -> Option<Expression<'a>> {
        let (t, k) = Self::member_key(&c.callee)?;
        let entry = self.entry(t, k)?;
        if c.arguments.iter().any(|a| a.is_spread()) {
            return None;
        }
        let mut args: Vec<Expression<'a>> = c
            .arguments
            .iter_mut()
            .filter_map(|a| a.as_expression_mut().map(|x| x.take_in(&self.b)))
            .collect();
        Some(match entry {
            Entry::Call(n) if args.len() == n + 1 => {
                let callee = args.remove(0);
                let list =
                    oxc_allocator::Vec::from_iter_in(args.into_iter().map(Argument::from), &self.b);
                Expression::new_call_expression(span, callee, None, list, false, &self.b)
            }
            Entry::Binary(op) if args.len() == 2 => {
                let r = args.pop()?;
                let l = args.pop()?;
                Expression::new_binary_expression(span, l, op, r, &self.b)
            }
            Entry::Logical(op) if args.len() == 2 => {
                let r = args.pop()?;
                let l = args.pop()?;
                Expression::new_logical_expression(span, l, op, r, &self.b)
            }
            _ => {
                // Not this entry's shape: put the arguments back.
                let mut it = args.into_iter();
                for a in c.arguments.iter_mut() {
                    if let (Some(x), Some(v)) = (a.as_expression_mut(), it.next()) {
                        *x = v;
                    }
                }
                return None;
            }
        })
    }
}

impl<'a> VisitMut<'a> for Rewrite<'a> {
    fn visit_expression(&mut self, e: &mut Expression<'a>) {
        walk_mut::walk_expression(self, e);
        let new = match e {
            Expression::CallExpression(c) => {
                let span = c.span;
                self.rewrite_call(span, c)
            }
            Expression::StaticMemberExpression(_) | Expression::ComputedMemberExpression(_) => {
                Self::member_key(e).and_then(|(t, k)| match self.entry(t, k)? {
                    Entry::Value(v) => Some(v.clone_in(self.alloc)),
                    _ => None,
                })
            }
            _ => None,
        };
        if let Some(n) = new {
            *e = n;
        }
    }

    fn visit_simple_assignment_target(&mut self, t: &mut SimpleAssignmentTarget<'a>) {
        // A member written is a place, not a value to replace.
        if let Some(m) = t.as_member_expression_mut() {
            match m {
                MemberExpression::ComputedMemberExpression(c) => {
                    self.visit_expression(&mut c.object);
                    self.visit_expression(&mut c.expression);
                }
                MemberExpression::StaticMemberExpression(s) => self.visit_expression(&mut s.object),
                MemberExpression::PrivateFieldExpression(p) => self.visit_expression(&mut p.object),
            }
            return;
        }
        walk_mut::walk_simple_assignment_target(self, t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxc_span::SourceType;

    fn calls_of(code: &str) -> Vec<String> {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let program = alloc.alloc(ret.program);
        inline_tables(&alloc, program);
        struct Calls(Vec<String>);
        impl<'a> Visit<'a> for Calls {
            fn visit_call_expression(&mut self, c: &CallExpression<'a>) {
                let name = match &c.callee {
                    Expression::Identifier(id) => id.name.to_string(),
                    Expression::StaticMemberExpression(m) => format!(".{}", m.property.name),
                    _ => "?".into(),
                };
                self.0.push(name);
                walk::walk_call_expression(self, c);
            }
            fn visit_binary_expression(&mut self, b: &BinaryExpression<'a>) {
                self.0.push(b.operator.as_str().to_string());
                walk::walk_binary_expression(self, b);
            }
        }
        let mut c = Calls(Vec::new());
        c.visit_program(program);
        c.0
    }

    #[test]
    fn table_calls_become_the_operations_they_stand_for() {
        let code = "function go(){ var t = {'aB': function(f, x){ return f(x); }, 'cD': function(a, b){ return a + b; }, 'eF': function(a, b){ return u.gH(a, b); }}; var u = {'gH': function(a, b){ return a === b; }}; t.aB(post, t.cD(s, 1)); if (t['eF'](k, 2)) {} }";
        let calls = calls_of(code);
        // The tables' own bodies (`f(x)`, `a + b`, `a === b`) stay; their uses are rewritten.
        assert!(calls.iter().any(|c| c == "post"), "{calls:?}");
        assert!(!calls.iter().any(|c| c.starts_with('.')), "{calls:?}");
        assert!(
            calls.iter().filter(|c| *c == "===").count() >= 2,
            "{calls:?}"
        );
    }

    #[test]
    fn tables_changed_later_or_declared_twice_stay() {
        for code in [
            "var t = {'aB': function(f, x){ return f(x); }}; t.aB = g; t.aB(post, s);",
            "var t = {'aB': function(f, x){ return f(x); }}; var t = {}; t.aB(post, s);",
        ] {
            let calls = calls_of(code);
            assert!(calls.iter().any(|c| c == ".aB"), "{code}: {calls:?}");
            assert!(!calls.iter().any(|c| c == "post"), "{code}: {calls:?}");
        }
    }
}
