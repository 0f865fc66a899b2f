//! The page's values as a script reads them (see `page::values`): `document.currentScript`,
//! `document.getElementById(id)` and `document.querySelector(sel)` of the elements the job
//! carries are objects with their attributes, `dataset` and text, and `getAttribute(name)`
//! answers from the markup. Anything else of the DOM stays unknown.

use super::Interp;
use crate::js::value::{ObjectRef, Value};
use crate::page::values::{PageElement, dataset_name};
use std::cell::RefCell;
use std::rc::Rc;

/// The hidden property of an element object holding its attributes for `getAttribute`: a
/// name no script can write (it starts with a NUL).
const ATTRS: &str = "\0attrs";

impl<'a> Interp<'a> {
    /// `document.<key>` when the page answers it.
    pub(super) fn page_member(&self, key: &str) -> Option<Value<'a>> {
        match key {
            "currentScript" => self.page.current.as_ref().map(element),
            _ => None,
        }
    }

    /// A global the page's data scripts declare (`var wcfc_params = {…}`), as its JSON.
    pub(super) fn page_global(&self, name: &str) -> Option<Value<'a>> {
        let json = self.page.global(name)?;
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        Some(super::builtins::from_json(&v, 0))
    }

    /// `location.hostname` on a page whose host the job names: the page's (a payload keyed by
    /// the shop's host decodes only there). The path and query vary by page and are not part
    /// of the job's key, so they stay unknown.
    pub(super) fn page_location(&self, obj: &Value<'a>, key: &Value<'a>) -> Option<Value<'a>> {
        let (Value::Api(p), Value::Str(k)) = (obj, key) else {
            return None;
        };
        if !matches!(&**p, "location" | "window.location" | "document.location") {
            return None;
        }
        let h = self.page.host.as_deref()?;
        match &**k {
            "hostname" | "host" => Some(Value::str(h)),
            "origin" => Some(Value::str(format!("https://{h}"))),
            _ => None,
        }
    }

    /// `document.<name>(args)` when the page answers it.
    pub(super) fn page_call(&self, name: &str, args: &[Value<'a>]) -> Option<Value<'a>> {
        let arg = args.first()?.to_js_string()?;
        let found = match name {
            "getElementById" => self.page.by_id(&arg),
            "querySelector" => {
                let sel = Selector::parse(&arg)?;
                self.page.elements.iter().find(|e| sel.matches(e))
            }
            _ => return None,
        };
        // Not found stays unknown, never `null`: the job carries only the elements with
        // values a script can read, and others (card fields, what scripts create) exist.
        found.map(element)
    }
}

impl<'a> Interp<'a> {
    /// `getComputedStyle(el)`: the custom properties the page's style sheets declare, read
    /// with `getPropertyValue('--name')` (values as written).
    pub(super) fn page_styles(&self) -> Option<Value<'a>> {
        let vars: Vec<(Rc<str>, Value<'a>)> = self
            .page
            .elements
            .iter()
            .filter(|e| e.tag == "style")
            .flat_map(|e| e.attrs.iter())
            .map(|(n, v)| {
                (
                    Rc::from(n.to_ascii_lowercase().as_str()),
                    Value::str(v.clone()),
                )
            })
            .collect();
        (!vars.is_empty()).then(|| object(vec![(Rc::from(ATTRS), object(vars))]))
    }

    /// A method of an element object made here: `getAttribute`, `getPropertyValue` (a
    /// computed style) and `querySelector` (answered from the page's elements, wherever they
    /// are: the job does not carry the tree).
    pub(super) fn element_method(
        &self,
        o: &ObjectRef<'a>,
        name: &str,
        args: &[Value<'a>],
    ) -> Option<Value<'a>> {
        match name {
            "getAttribute" | "getPropertyValue" => get_attribute(o, args),
            "querySelector" if is_element(o) => self.page_call(name, args),
            _ => None,
        }
    }
}

fn is_element(o: &ObjectRef<'_>) -> bool {
    o.borrow().iter().any(|(k, _)| &**k == ATTRS)
}

/// `el.getAttribute(name)` of an element object made here; `None` for any other object.
pub(super) fn get_attribute<'a>(o: &ObjectRef<'a>, args: &[Value<'a>]) -> Option<Value<'a>> {
    let attrs = o
        .borrow()
        .iter()
        .find(|(k, _)| &**k == ATTRS)
        .map(|(_, v)| v.clone())?;
    let Value::Object(attrs) = attrs else {
        return None;
    };
    let name = args.first()?.to_js_string()?.to_ascii_lowercase();
    let v = attrs
        .borrow()
        .iter()
        .find(|(k, _)| **k == *name)
        .map(|(_, v)| v.clone());
    Some(v.unwrap_or(Value::Null))
}

fn object<'a>(props: Vec<(Rc<str>, Value<'a>)>) -> Value<'a> {
    Value::Object(Rc::new(RefCell::new(props)))
}

/// An element as a script sees it: each attribute as a property (`meta.content`, `el.id`,
/// `input.value`, `script.src`), `dataset`, its text, and its attributes for `getAttribute`.
fn element<'a>(e: &PageElement) -> Value<'a> {
    let mut props: Vec<(Rc<str>, Value<'a>)> = Vec::new();
    let mut dataset = Vec::new();
    let mut attrs = Vec::new();
    for (n, v) in &e.attrs {
        let n = n.to_ascii_lowercase();
        // What the customer types or ticks is not in the markup: a field's `value`,
        // `checked`, `selected` properties stay unknown (its `getAttribute('value')` is the
        // markup's default), except a hidden input's value, which nobody types.
        let live = matches!(n.as_str(), "value" | "checked" | "selected")
            && !(e.tag == "input"
                && e.attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("hidden")));
        if let Some(rest) = n.strip_prefix("data-") {
            dataset.push((Rc::from(dataset_name(rest)), Value::str(v.clone())));
        } else if !n.contains(['-', ':']) && !live {
            props.push((Rc::from(n.as_str()), Value::str(v.clone())));
        }
        attrs.push((Rc::from(n.as_str()), Value::str(v.clone())));
    }
    props.push((Rc::from("tagName"), Value::str(e.tag.to_ascii_uppercase())));
    props.push((Rc::from("dataset"), object(dataset)));
    if let Some(t) = &e.text {
        for k in ["textContent", "innerText", "innerHTML", "text"] {
            props.push((Rc::from(k), Value::str(t.clone())));
        }
    }
    if e.tag == "template" {
        // `tpl.content`: a fragment whose `querySelector` searches the page's elements.
        props.push((
            Rc::from("content"),
            object(vec![(Rc::from(ATTRS), object(Vec::new()))]),
        ));
    }
    props.push((Rc::from(ATTRS), object(attrs)));
    object(props)
}

/// The selectors a script uses to find one element of its page: `#id`, `tag`, `tag#id`,
/// `[attr]`, `[attr=value]` (quoted or not), combined in one compound. Anything else
/// (combinators, pseudo-classes, lists) is not answered.
struct Selector {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    /// Name, and the operator (`=`, `*=`, `^=`, `$=`) with its value.
    attrs: Vec<(String, Option<(char, String)>)>,
}

impl Selector {
    fn parse(s: &str) -> Option<Selector> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let mut sel = Selector {
            tag: None,
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        };
        let mut rest = s;
        let tag_end = rest.find(['#', '[', '.']).unwrap_or(rest.len());
        if tag_end > 0 {
            let tag = &rest[..tag_end];
            // Combinators, lists and pseudo-classes are not answered.
            if !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            sel.tag = Some(tag.to_ascii_lowercase());
        }
        rest = &rest[tag_end..];
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('#') {
                let end = r.find(['#', '[', '.']).unwrap_or(r.len());
                sel.id = Some(r[..end].to_string());
                rest = &r[end..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                let inner = &r[..end];
                // `script[src*="reviews-widget"]`: how a widget finds its own tag.
                let (name, value) = match inner.split_once('=') {
                    Some((n, v)) => {
                        let v = v.trim().trim_matches(['"', '\'']).to_string();
                        let n = n.trim();
                        match n.strip_suffix(['*', '^', '$']) {
                            Some(base) => (base.trim(), Some((n.chars().last().unwrap_or('='), v))),
                            None => (n, Some(('=', v))),
                        }
                    }
                    None => (inner.trim(), None),
                };
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return None;
                }
                sel.attrs.push((name.to_ascii_lowercase(), value));
                rest = &r[end + 1..];
            } else if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['#', '[', '.']).unwrap_or(r.len());
                let class = &r[..end];
                if class.is_empty()
                    || !class
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                {
                    return None;
                }
                sel.classes.push(class.to_string());
                rest = &r[end..];
            } else {
                return None;
            }
        }
        Some(sel)
    }

    fn matches(&self, e: &PageElement) -> bool {
        self.tag.as_ref().is_none_or(|t| *t == e.tag)
            && self.classes.iter().all(|c| {
                e.attr("class")
                    .is_some_and(|have| have.split_ascii_whitespace().any(|h| h == c))
            })
            && self
                .id
                .as_ref()
                .is_none_or(|id| e.attr("id") == Some(id.as_str()))
            && self.attrs.iter().all(|(n, v)| match (e.attr(n), v) {
                (Some(have), Some(('=', want))) => have == want,
                (Some(have), Some(('*', want))) => have.contains(want.as_str()),
                (Some(have), Some(('^', want))) => have.starts_with(want.as_str()),
                (Some(have), Some(('$', want))) => have.ends_with(want.as_str()),
                (Some(_), None) => true,
                _ => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::js::constants::Constants;
    use crate::js::interp::Interp;
    use crate::js::value::Value;
    use crate::page::values::{PageElement, PageValues};
    use oxc_allocator::Allocator;
    use oxc_ast::ast::Statement;
    use oxc_span::SourceType;
    use std::rc::Rc;

    fn input(id: &str, ty: &str, value: &str) -> PageElement {
        PageElement {
            tag: "input".into(),
            attrs: vec![
                ("id".into(), id.into()),
                ("type".into(), ty.into()),
                ("value".into(), value.into()),
                ("data-role".into(), "x".into()),
            ],
            text: None,
        }
    }

    /// The value of each expression statement of `code`, with `page` as the page.
    fn values(code: &str, page: PageValues) -> Vec<String> {
        let alloc = Allocator::default();
        let ret = oxc_parser::Parser::new(&alloc, code, SourceType::script()).parse();
        let program = alloc.alloc(ret.program);
        let consts = Constants::collect(program, code);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let interp = Interp::new(code, consts.decls(), deadline).with_page(Rc::new(page));
        program
            .body
            .iter()
            .filter_map(|s| match s {
                Statement::ExpressionStatement(e) => Some(match interp.peek(&e.expression) {
                    Value::Str(s) => s.to_string(),
                    Value::Unknown => "?".into(),
                    other => format!("{other:?}"),
                }),
                _ => None,
            })
            .collect()
    }

    /// What is typed is not in the markup: a field's `value` stays unknown (its default is
    /// `getAttribute('value')`); a hidden input's value is the page's.
    #[test]
    fn a_fields_value_is_unknown_a_hidden_inputs_is_the_pages() {
        let page = PageValues {
            current: None,
            elements: vec![
                input("cc_number", "tel", ""),
                input("endpoint", "hidden", "https://e.example/c"),
            ],
            host: None,
        };
        let got = values(
            "document.getElementById('cc_number').value;\n\
             document.getElementById('cc_number').getAttribute('value');\n\
             document.getElementById('endpoint').value;\n\
             document.getElementById('cc_number').dataset.role;\n\
             document.querySelector('input[type^=\"hid\"]').value;\n\
             document.querySelector('[value*=\"e.example\"]').id;\n\
             document.querySelector('input[type$=\"el\"]').id;",
            page,
        );
        assert_eq!(
            got,
            [
                "?",
                "",
                "https://e.example/c",
                "x",
                "https://e.example/c",
                "endpoint",
                "cc_number"
            ]
        );
    }
}
