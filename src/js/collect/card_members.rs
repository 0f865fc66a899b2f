//! A card's parts read by their plain names from an object named for the card:
//! `card.number`, `creditCard.cvc`, `payment.card.exp_month`, `const { number, cvc } =
//! card`. The property alone (`number`, `name`) names nothing; with the object's name it is
//! a card field, as the vocabulary reads `card_number` (a skimmer that parses the checkout's
//! own request body or a wallet's payment response meets the card this way).

use super::Collector;
use crate::js::flow::{Deps, SRC_PAYMENT, Sym};
use crate::rules::schema::SourceKind;
use oxc_ast::ast::*;

/// Longest object or property name looked at.
const MAX_NAME: usize = 40;

impl<'a> Collector<'a, '_, '_> {
    /// Whether `obj.prop` reads a card part: the object is named for a card and the two
    /// names together are card vocabulary.
    pub(super) fn card_member(&mut self, obj: &'a Expression<'a>, prop: &str) -> bool {
        let Some(name) = object_name(obj) else {
            return false;
        };
        self.card_part(name, prop)
    }

    fn card_part(&mut self, object: &str, prop: &str) -> bool {
        if object.len() > MAX_NAME || prop.len() > MAX_NAME || prop.is_empty() {
            return false;
        }
        let lower = object.to_ascii_lowercase();
        if !(lower.contains("card") || lower == "cc") {
            return false;
        }
        self.k.vocab.matches(&format!("{object}_{prop}"))
    }

    /// `const { number, cvc: c } = card`: each name bound from a card part reads card data
    /// (a source, and data flowing from there).
    pub(super) fn card_pattern(&mut self, p: &'a BindingPattern<'a>, init: &'a Expression<'a>) {
        let (BindingPattern::ObjectPattern(o), Some(object)) = (p, object_name(init)) else {
            return;
        };
        for prop in &o.properties {
            let Some(key) = prop.key.static_name() else {
                continue;
            };
            if !self.card_part(object, &key) {
                continue;
            }
            self.source(SourceKind::Payment, prop.span);
            let mut names = Vec::new();
            super::scopes::collect_binding_names(&prop.value, &mut names);
            for n in names {
                let s: Sym = self.declare(n);
                self.facts.graph.edge(
                    s,
                    Deps {
                        syms: Vec::new(),
                        src: SRC_PAYMENT,
                    },
                );
            }
        }
    }
}

/// The name an object is known by where it is read: its variable or its last property.
fn object_name<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::StaticMemberExpression(m) => Some(m.property.name.as_str()),
            _ => None,
        },
        _ => None,
    }
}
