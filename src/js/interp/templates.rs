//! Template literals: `` `a${x}b` `` (known pieces around unknown ones are kept, so
//! `${x}.collector.example` still names a host's suffix), and tagged templates, whose tag is
//! called with the literal's strings and values (a URL assembled by a custom tag);
//! `String.raw` joins the raw strings.

use super::Interp;
use crate::js::value::{HOLE, MAX_STRING, Scope, Value};
use oxc_ast::ast::*;
use std::cell::RefCell;
use std::rc::Rc;

impl<'a> Interp<'a> {
    pub(super) fn ev_template(
        &self,
        t: &'a TemplateLiteral<'a>,
        sc: Option<&Scope<'a>>,
    ) -> Value<'a> {
        let mut out = String::new();
        let mut holes = false;
        for (i, q) in t.quasis.iter().enumerate() {
            match &q.value.cooked {
                Some(c) => out.push_str(c.as_str()),
                None => return Value::Unknown,
            }
            if let Some(x) = t.expressions.get(i) {
                match self.ev(x, sc).to_js_string() {
                    Some(s) => out.push_str(&s),
                    None => {
                        holes = true;
                        if !out.ends_with(HOLE) {
                            out.push(HOLE);
                        }
                    }
                }
            }
        }
        if holes {
            // `${x}.collector.example`: the known pieces after the first unknown one still
            // name a host's registrable suffix.
            if out.len() > MAX_STRING || !out.chars().any(|c| c != HOLE) {
                return Value::Unknown;
            }
            return Value::Holed(out.into());
        }
        Value::str(out)
    }

    pub(super) fn ev_tagged(
        &self,
        t: &'a TaggedTemplateExpression<'a>,
        sc: Option<&Scope<'a>>,
    ) -> Value<'a> {
        let strings: Vec<Value<'a>> = t
            .quasi
            .quasis
            .iter()
            .map(|q| match &q.value.cooked {
                Some(c) => Value::str(c.as_str()),
                None => Value::Undefined,
            })
            .collect();
        let mut args = vec![Value::Array(Rc::new(RefCell::new(strings)))];
        args.extend(t.quasi.expressions.iter().map(|x| self.ev(x, sc)));
        match &t.tag {
            Expression::StaticMemberExpression(m)
                if m.property.name == "raw"
                    && matches!(self.ev(&m.object, sc), Value::Host("String")) =>
            {
                let mut out = String::new();
                for (i, q) in t.quasi.quasis.iter().enumerate() {
                    out.push_str(q.value.raw.as_str());
                    match args.get(i + 1).map(Value::to_js_string) {
                        Some(Some(v)) => out.push_str(&v),
                        Some(None) => return Value::Unknown,
                        None => {}
                    }
                }
                Value::str(out)
            }
            tag => {
                let f = self.ev(tag, sc);
                self.call_value(f, args)
            }
        }
    }
}
