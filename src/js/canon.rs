//! One spelling for a property read: `x['value']` becomes `x.value` before anything looks at
//! the syntax tree. Obfuscators turn every `.prop` into `['prop']` (and the sandbox puts the
//! decoded strings back as literals), so a rule written for `el.value.length`, `form.elements`
//! or `x.responseText` would otherwise hold only for readable code: a length read was the
//! field's data once obfuscated. Only a string literal that is a plain identifier name is
//! rewritten (the two spellings then mean the same to the browser); spans are kept, so places
//! and evidence still point at the text as written.
//!
//! A class's private names get the same treatment: `this.#url` becomes a property named
//! `#url` (a name no ordinary property can have, so nothing collides), and `#url = …` or
//! `#send() {…}` in the class body a member of that name, so a URL or a queue kept in a
//! private field is followed like one kept in `this.url`.

use oxc_allocator::{Allocator, TakeIn};
use oxc_ast::ast::*;
use oxc_ast::builder::AstBuilder;
use oxc_ast_visit::{VisitMut, walk_mut};
use oxc_span::{GetSpan, Span};

/// Rewrite every `o['name']` of `program` as `o.name`, and `o.#name` as a member `#name`;
/// then the constant parameters of functions called on the spot as their arguments (see
/// [`super::inline_args`]).
pub fn static_members<'a>(alloc: &'a Allocator, program: &mut Program<'a>) {
    Canon {
        b: AstBuilder::new(alloc),
        alloc,
    }
    .visit_program(program);
    super::inline_args::inline_constant_args(alloc, program);
    super::proxy_tables::inline_tables(alloc, program);
}

struct Canon<'a> {
    b: AstBuilder<'a>,
    alloc: &'a Allocator,
}

/// The key of `o['name']` when it is an identifier name; `o[atob('bWFw')]`, the way the
/// sandbox writes a decoded key back (see `sandbox::rewrite`), is `o.map` too.
fn ident_key<'a>(alloc: &'a Allocator, key: &Expression<'a>) -> Option<&'a str> {
    let name: &'a str = match key {
        Expression::StringLiteral(s) => s.value.as_str(),
        Expression::CallExpression(c)
            if c.arguments.len() == 1
                && matches!(&c.callee, Expression::Identifier(id) if id.name == "atob") =>
        {
            let Some(Argument::StringLiteral(s)) = c.arguments.first() else {
                return None;
            };
            let text = crate::js::interp::atob(s.value.as_str())?;
            alloc.alloc_str(&text)
        }
        _ => return None,
    };
    let mut chars = name.chars();
    let first = chars.next()?;
    let ok = name.len() <= 64
        && (first.is_ascii_alphabetic() || first == '_' || first == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    ok.then_some(name)
}

impl<'a> Canon<'a> {
    /// The parts of `o['name']` as `o.name` (the object taken out of `m`), when `name` is an
    /// identifier name.
    fn to_static(
        &self,
        m: &mut ComputedMemberExpression<'a>,
    ) -> Option<(Span, Expression<'a>, IdentifierName<'a>, bool)> {
        let name = ident_key(self.alloc, &m.expression)?;
        let property = IdentifierName::new(m.expression.span(), name, &self.b);
        Some((m.span, m.object.take_in(&self.b), property, m.optional))
    }

    /// `#name` as the identifier name `#name`.
    fn private_name(&self, p: &PrivateIdentifier<'a>) -> IdentifierName<'a> {
        let text = self.alloc.alloc_str(&format!("#{}", p.name.as_str()));
        IdentifierName::new(p.span, text, &self.b)
    }

    /// The parts of `o.#name` as a static member `#name`.
    fn private_parts(
        &self,
        m: &mut PrivateFieldExpression<'a>,
    ) -> (Span, Expression<'a>, IdentifierName<'a>, bool) {
        let property = self.private_name(&m.field);
        (m.span, m.object.take_in(&self.b), property, m.optional)
    }
}

impl<'a> VisitMut<'a> for Canon<'a> {
    fn visit_expression(&mut self, e: &mut Expression<'a>) {
        walk_mut::walk_expression(self, e);
        if let Expression::ComputedMemberExpression(m) = e
            && let Some((span, object, property, optional)) = self.to_static(m)
        {
            *e =
                Expression::new_static_member_expression(span, object, property, optional, &self.b);
        } else if let Expression::PrivateFieldExpression(m) = e {
            let (span, object, property, optional) = self.private_parts(m);
            *e =
                Expression::new_static_member_expression(span, object, property, optional, &self.b);
        }
    }

    fn visit_chain_element(&mut self, c: &mut ChainElement<'a>) {
        walk_mut::walk_chain_element(self, c);
        if let ChainElement::PrivateFieldExpression(m) = c {
            let (span, object, property, optional) = self.private_parts(m);
            *c = ChainElement::StaticMemberExpression(StaticMemberExpression::boxed(
                span, object, property, optional, &self.b,
            ));
        }
    }

    fn visit_property_key(&mut self, k: &mut PropertyKey<'a>) {
        walk_mut::walk_property_key(self, k);
        if let PropertyKey::PrivateIdentifier(p) = k {
            let name = self.private_name(p);
            *k = PropertyKey::StaticIdentifier(oxc_allocator::Box::new_in(name, &self.b));
        }
    }

    fn visit_simple_assignment_target(&mut self, t: &mut SimpleAssignmentTarget<'a>) {
        walk_mut::walk_simple_assignment_target(self, t);
        if let SimpleAssignmentTarget::ComputedMemberExpression(m) = t
            && let Some((span, object, property, optional)) = self.to_static(m)
        {
            *t = SimpleAssignmentTarget::StaticMemberExpression(StaticMemberExpression::boxed(
                span, object, property, optional, &self.b,
            ));
        } else if let SimpleAssignmentTarget::PrivateFieldExpression(m) = t {
            let (span, object, property, optional) = self.private_parts(m);
            *t = SimpleAssignmentTarget::StaticMemberExpression(StaticMemberExpression::boxed(
                span, object, property, optional, &self.b,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxc_span::SourceType;

    #[test]
    fn bracket_reads_and_writes_become_dots_with_their_spans() {
        let alloc = Allocator::default();
        let code = "el['value']['length']; img['src'] = u; o['a-b']; o[k]; o['0x'];";
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let program = alloc.alloc(ret.program);
        static_members(&alloc, program);
        let mut kinds = Vec::new();
        for s in &program.body {
            let Statement::ExpressionStatement(st) = s else {
                continue;
            };
            let k = match &st.expression {
                Expression::StaticMemberExpression(m) => format!("static .{}", m.property.name),
                Expression::ComputedMemberExpression(_) => "computed".into(),
                Expression::AssignmentExpression(a) => match &a.left {
                    AssignmentTarget::StaticMemberExpression(m) => {
                        format!("static = .{}", m.property.name)
                    }
                    _ => "other target".into(),
                },
                _ => "other".into(),
            };
            kinds.push((
                k,
                &code[st.expression.span().start as usize..st.expression.span().end as usize],
            ));
        }
        assert_eq!(
            kinds,
            vec![
                ("static .length".to_string(), "el['value']['length']"),
                ("static = .src".to_string(), "img['src'] = u"),
                ("computed".to_string(), "o['a-b']"),
                ("computed".to_string(), "o[k]"),
                ("computed".to_string(), "o['0x']"),
            ]
        );
    }
}
