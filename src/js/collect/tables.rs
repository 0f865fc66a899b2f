//! Selector tables. Multi-gateway skimmers carry one selector set per payment module
//! (`[{ n: '#authorizenet_cc_number', c: '#authorizenet_cc_cid' }, { n: '#ccsave_cc_number', … }]`)
//! and read whichever set the page has: `$(G[i].n)` in a loop, or `var g = pick(); $(g.n)`
//! with `pick` returning `G[i]`. The set used is chosen at run time, but every candidate is in
//! the code, so the selector stands for each row's field of that name.

use super::Collector;
use crate::js::flow::Sym;
use crate::js::value::Value;
use oxc_ast::ast::*;

/// Rows read per table (a kit lists dozens of gateways, not thousands).
const MAX_ROWS: usize = 256;

impl<'a> Collector<'a, '_, '_> {
    /// The texts of `G[i].n` (a row of a table picked at run time) or `g.n` with `g` bound to
    /// a row returned by one of the script's functions: field `n` of every row.
    pub(super) fn table_selector_texts(&mut self, a: &'a Expression<'a>) -> Option<Vec<String>> {
        let Expression::StaticMemberExpression(sm) = a.without_parentheses() else {
            return None;
        };
        let rows = match sm.object.without_parentheses() {
            Expression::ComputedMemberExpression(m) => rows_of(self.interp.peek(&m.object)),
            Expression::Identifier(id) => {
                let s = self.lookup(id.name.as_str())?;
                self.table_rows.get(&s)?.clone()
            }
            _ => return None,
        };
        let prop = sm.property.name.as_str();
        let texts: Vec<String> = rows
            .iter()
            .filter_map(|r| match r {
                Value::Object(o) => o
                    .borrow()
                    .iter()
                    .find(|(k, _)| &**k == prop)
                    .and_then(|(_, v)| v.as_str().map(str::to_string)),
                _ => None,
            })
            .collect();
        (!texts.is_empty()).then_some(texts)
    }

    /// `var g = pick()` where `pick` returns a row of a table (`return G[i]`): remember the
    /// table's rows for `g`.
    pub(super) fn note_table_row(&mut self, target: Sym, init: &'a Expression<'a>) {
        let Expression::CallExpression(c) = init.without_parentheses() else {
            return;
        };
        if !matches!(c.callee.without_parentheses(), Expression::Identifier(_)) {
            return;
        }
        let Value::Func(f) = self.interp.peek(&c.callee) else {
            return;
        };
        let crate::js::value::FnBody::Block(body) = f.body else {
            return;
        };
        let mut tables = Vec::new();
        returned_tables(&body.statements, &mut tables);
        let mut rows = Vec::new();
        for t in tables {
            rows.extend(rows_of(self.interp.peek(t)));
        }
        rows.truncate(MAX_ROWS);
        if rows.iter().any(|r| matches!(r, Value::Object(_))) {
            self.table_rows.insert(target, rows);
        }
    }
}

/// The rows of a table: an array's elements or an object's values.
fn rows_of(v: Value<'_>) -> Vec<Value<'_>> {
    match v {
        Value::Array(items) => items.borrow().iter().take(MAX_ROWS).cloned().collect(),
        Value::Object(o) => o
            .borrow()
            .iter()
            .take(MAX_ROWS)
            .map(|(_, v)| v.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// The tables a function returns a row of (`return G[i]`), in its statements and their
/// blocks, loops and branches (not in nested functions).
fn returned_tables<'a>(stmts: &'a [Statement<'a>], out: &mut Vec<&'a Expression<'a>>) {
    for s in stmts {
        returned_in(s, out);
    }
}

fn returned_in<'a>(s: &'a Statement<'a>, out: &mut Vec<&'a Expression<'a>>) {
    match s {
        Statement::ReturnStatement(r) => {
            if let Some(Expression::ComputedMemberExpression(m)) =
                r.argument.as_ref().map(|a| a.without_parentheses())
            {
                out.push(&m.object);
            }
        }
        Statement::BlockStatement(b) => returned_tables(&b.body, out),
        Statement::IfStatement(i) => {
            returned_in(&i.consequent, out);
            if let Some(a) = &i.alternate {
                returned_in(a, out);
            }
        }
        Statement::ForStatement(f) => returned_in(&f.body, out),
        Statement::ForInStatement(f) => returned_in(&f.body, out),
        Statement::ForOfStatement(f) => returned_in(&f.body, out),
        Statement::WhileStatement(w) => returned_in(&w.body, out),
        Statement::DoWhileStatement(w) => returned_in(&w.body, out),
        Statement::LabeledStatement(l) => returned_in(&l.body, out),
        Statement::TryStatement(t) => returned_tables(&t.block.body, out),
        _ => {}
    }
}
