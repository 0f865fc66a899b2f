//! Statements: hoisting, blocks, `if`, loops, `try`, `return` inside the script's functions.

use super::{Flow, Interp};
use crate::js::value::{Closure, FnBody, Scope, Value};
use oxc_ast::ast::*;
use std::rc::Rc;

impl<'a> Interp<'a> {
    pub(super) fn hoist(&self, stmts: &'a [Statement<'a>], frame: &Scope<'a>) {
        for s in stmts {
            if let Statement::FunctionDeclaration(f) = s
                && let (Some(id), Some(body)) = (&f.id, &f.body)
            {
                let cl = Closure {
                    params: &f.params,
                    body: FnBody::Block(body),
                    env: Some(frame.clone()),
                };
                frame
                    .vars
                    .borrow_mut()
                    .insert(id.name.as_str(), Value::Func(Rc::new(cl)));
            }
            if let Statement::VariableDeclaration(d) = s {
                for decl in &d.declarations {
                    let mut names = Vec::new();
                    crate::js::interp::binding_names(&decl.id, &mut names);
                    for n in names {
                        frame.vars.borrow_mut().entry(n).or_insert(Value::Undefined);
                    }
                }
            }
        }
    }

    pub(super) fn exec_block(&self, stmts: &'a [Statement<'a>], sc: &Scope<'a>) -> Flow<'a> {
        for s in stmts {
            match self.exec(s, sc) {
                Flow::Normal => {}
                other => return other,
            }
        }
        Flow::Normal
    }

    pub(super) fn exec(&self, s: &'a Statement<'a>, sc: &Scope<'a>) -> Flow<'a> {
        if !self.step() {
            return Flow::Abort;
        }
        match s {
            Statement::ExpressionStatement(e) => {
                self.ev(&e.expression, Some(sc));
                Flow::Normal
            }
            Statement::VariableDeclaration(d) => {
                for decl in &d.declarations {
                    let Some(n) = decl.id.get_identifier_name() else {
                        // `const { a, b = 1 } = v`: every name the pattern gives.
                        let Some(init) = &decl.init else {
                            return Flow::Abort;
                        };
                        let v = self.ev(init, Some(sc));
                        let mut bound = Vec::new();
                        self.bind_pattern(&decl.id, v, Some(sc), &mut bound);
                        sc.vars.borrow_mut().extend(bound);
                        continue;
                    };
                    let v = match &decl.init {
                        Some(init) => self.ev(init, Some(sc)),
                        None => {
                            if sc.vars.borrow().contains_key(n.as_str()) {
                                continue;
                            }
                            Value::Undefined
                        }
                    };
                    sc.vars.borrow_mut().insert(n.as_str(), v);
                }
                Flow::Normal
            }
            Statement::ReturnStatement(r) => Flow::Return(match &r.argument {
                Some(a) => self.ev(a, Some(sc)),
                None => Value::Undefined,
            }),
            Statement::IfStatement(i) => match self.ev(&i.test, Some(sc)).truthy() {
                Some(true) => self.exec(&i.consequent, sc),
                Some(false) => match &i.alternate {
                    Some(a) => self.exec(a, sc),
                    None => Flow::Normal,
                },
                None => Flow::Abort,
            },
            Statement::BlockStatement(b) => self.exec_block(&b.body, sc),
            Statement::EmptyStatement(_) | Statement::DebuggerStatement(_) => Flow::Normal,
            Statement::FunctionDeclaration(_) => Flow::Normal,
            Statement::BreakStatement(b) if b.label.is_none() => Flow::Break,
            Statement::ContinueStatement(c) if c.label.is_none() => Flow::Continue,
            Statement::WhileStatement(w) => loop {
                match self.ev(&w.test, Some(sc)).truthy() {
                    Some(true) => {}
                    Some(false) => return Flow::Normal,
                    None => return Flow::Abort,
                }
                match self.exec(&w.body, sc) {
                    Flow::Normal | Flow::Continue => {}
                    Flow::Break => return Flow::Normal,
                    other => return other,
                }
            },
            Statement::DoWhileStatement(w) => loop {
                match self.exec(&w.body, sc) {
                    Flow::Normal | Flow::Continue => {}
                    Flow::Break => return Flow::Normal,
                    other => return other,
                }
                match self.ev(&w.test, Some(sc)).truthy() {
                    Some(true) => {}
                    Some(false) => return Flow::Normal,
                    None => return Flow::Abort,
                }
            },
            Statement::ForStatement(f) => {
                match &f.init {
                    Some(ForStatementInit::VariableDeclaration(d)) => {
                        for decl in &d.declarations {
                            let Some(n) = decl.id.get_identifier_name() else {
                                return Flow::Abort;
                            };
                            let v = decl
                                .init
                                .as_ref()
                                .map_or(Value::Undefined, |e| self.ev(e, Some(sc)));
                            sc.vars.borrow_mut().insert(n.as_str(), v);
                        }
                    }
                    Some(other) => {
                        if let Some(e) = other.as_expression() {
                            self.ev(e, Some(sc));
                        }
                    }
                    None => {}
                }
                loop {
                    if let Some(t) = &f.test {
                        match self.ev(t, Some(sc)).truthy() {
                            Some(true) => {}
                            Some(false) => return Flow::Normal,
                            None => return Flow::Abort,
                        }
                    }
                    match self.exec(&f.body, sc) {
                        Flow::Normal | Flow::Continue => {}
                        Flow::Break => return Flow::Normal,
                        other => return other,
                    }
                    if let Some(u) = &f.update {
                        self.ev(u, Some(sc));
                    }
                    if self.fuel.get() == 0 {
                        return Flow::Abort;
                    }
                }
            }
            Statement::TryStatement(t) => {
                let r = self.exec_block(&t.block.body, sc);
                match (r, &t.handler) {
                    (Flow::Abort, Some(h)) => {
                        if self.fuel.get() == 0 {
                            return Flow::Abort;
                        }
                        if let Some(p) = &h.param
                            && let Some(n) = p.pattern.get_identifier_name()
                        {
                            sc.vars.borrow_mut().insert(n.as_str(), Value::Unknown);
                        }
                        self.exec_block(&h.body.body, sc)
                    }
                    (r, _) => r,
                }
            }
            _ => Flow::Abort,
        }
    }
}
