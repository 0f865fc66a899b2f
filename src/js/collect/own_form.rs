//! Skimmers that bring their own form: fields the script creates itself
//! (`createElement('input')`, or markup it writes) and names like card fields (by `name`,
//! `id`, `placeholder`, `autocomplete` or `aria-label`, or in markup by their label) are card
//! sources when read, and creating them is an injected payment form. Hiding a payment processor's frame is recorded too: with a form of
//! the script's own it is the overlay attack.

use super::Collector;
use crate::js::facts::Injection;
use crate::js::flow::Sym;
use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

/// Attributes that name what a field is for.
const NAMING: &[&str] = &[
    "name",
    "id",
    "placeholder",
    "autocomplete",
    "ariaLabel",
    "aria-label",
];

/// Words in a selector that point at a payment processor's frame or container.
const PROCESSOR_FRAME: &[&str] = &[
    "iframe",
    "stripe",
    "braintree",
    "adyen",
    "paypal",
    "square",
    "worldpay",
    "hosted",
    "payment-frame",
    "card-frame",
];

/// Tags of elements that hold others (a modal, a form of the script's own).
const CONTAINERS: &[&str] = &[
    "div", "form", "section", "dialog", "span", "fieldset", "aside", "main", "article", "label",
    "p", "ul", "li", "table", "td",
];

/// Whether the script puts an element it selected from the page into another
/// (`x.appendChild(document.querySelector('#cc'))`, `append(document.getElementById(…))`).
fn moves_page_elements(src: &str) -> bool {
    [
        ".appendChild(",
        ".append(",
        ".prepend(",
        ".insertBefore(",
        ".replaceChildren(",
        ".after(",
        ".before(",
    ]
    .iter()
    .any(|m| {
        src.match_indices(m).any(|(i, _)| {
            let rest = src[i + m.len()..].trim_start();
            [
                "document.querySelector",
                "document.getElementById",
                "document.getElementsBy",
                "$(",
                "jQuery(",
            ]
            .iter()
            .any(|p| rest.starts_with(p))
        })
    })
}

impl<'a> Collector<'a, '_, '_> {
    /// `var i = document.createElement('input')`: remember the script's own fields.
    pub(super) fn note_created_element(&mut self, target: Sym, init: &'a Expression<'a>) {
        self.note_jquery_field(target, init);
        if let Expression::CallExpression(c) = init.without_parentheses() {
            let (_, name) = self.callee_name(&c.callee);
            let a0 = c.arguments.first().and_then(|a| a.as_expression());
            if name.as_deref() == Some("createElement")
                && let Some(a0) = a0
            {
                match self
                    .interp
                    .peek(a0)
                    .as_str()
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("input" | "select" | "textarea") => {
                        self.created_fields.insert(target);
                    }
                    Some("iframe" | "frame") => {
                        self.created_frames.insert(target);
                    }
                    Some(t) if CONTAINERS.contains(&t) => {
                        self.created_containers.insert(target);
                    }
                    _ => {}
                }
            } else if let Some(a0) = a0
                && let Some(t) = self.interp.peek(a0).as_str().map(str::to_ascii_lowercase)
                && CONTAINERS.contains(&t.as_str())
                && self.makes_elements(&c.callee)
            {
                // `make('div', {class: 'modal'})` with the script's own helper around
                // `createElement`.
                self.created_containers.insert(target);
            }
        }
    }

    /// Whether `callee` is a function of the script whose body makes an element of the tag
    /// it is given (`function make(tag, attrs) { var n = document.createElement(tag); … }`).
    fn makes_elements(&self, callee: &'a Expression<'a>) -> bool {
        let Expression::Identifier(id) = callee.without_parentheses() else {
            return false;
        };
        let Some(f) = self.interp.decl_fn(id.name.as_str()).or_else(|| {
            match self
                .interp
                .decl_init(id.name.as_str())?
                .without_parentheses()
            {
                Expression::FunctionExpression(f) => Some(&**f),
                _ => None,
            }
        }) else {
            return false;
        };
        let Some(first) = f
            .params
            .items
            .first()
            .and_then(|p| p.pattern.get_identifier_name())
        else {
            return false;
        };
        let body = self.text(f.span);
        body.contains(&format!("createElement({first})"))
    }

    /// `box.querySelectorAll('input')` on an element the script made selects its own fields
    /// (a modal's), unless the script moves elements it selected from the page into one of
    /// its own (`box.appendChild(document.querySelector('#cc'))`): `Some(whether it made card
    /// fields)`, `None` when the selection may hold the page's fields.
    pub(super) fn selects_in_own_element(
        &mut self,
        obj: Option<&'a Expression<'a>>,
    ) -> Option<bool> {
        let s = obj.and_then(|o| self.base_sym(o))?;
        if !self.created_containers.contains(&s) || moves_page_elements(self.src) {
            return None;
        }
        Some(!self.card_fields.is_empty() || !self.own_card_keys.is_empty())
    }

    /// `$('<input/>', { placeholder: 'Numéro de carte' })`, `$('<input name="cvv">')`: a field
    /// jQuery makes for the script, named by its attributes object or its markup.
    fn note_jquery_field(&mut self, target: Sym, init: &'a Expression<'a>) {
        let Expression::CallExpression(c) = init.without_parentheses() else {
            return;
        };
        let Expression::Identifier(f) = c.callee.without_parentheses() else {
            return;
        };
        let name = f.name.as_str();
        if !(super::is_jquery_name(name) || self.is_jquery_param(name, c.callee.span())) {
            return;
        }
        let Some(markup) = c
            .arguments
            .first()
            .and_then(|a| a.as_expression())
            .and_then(|a| self.interp.peek(a).as_str().map(str::to_string))
        else {
            return;
        };
        let lower = markup.trim_start().to_ascii_lowercase();
        if !["<input", "<select", "<textarea"]
            .iter()
            .any(|t| lower.starts_with(t))
        {
            return;
        }
        self.created_fields.insert(target);
        let mut names: Vec<String> = Vec::new();
        if let Some(Expression::ObjectExpression(o)) =
            c.arguments.get(1).and_then(|a| a.as_expression())
        {
            for p in &o.properties {
                if let ObjectPropertyKind::ObjectProperty(p) = p
                    && p.key
                        .static_name()
                        .is_some_and(|k| NAMING.contains(&k.as_ref()) || k == "aria-label")
                    && let Some(v) = self.interp.peek(&p.value).as_str()
                {
                    names.push(v.to_string());
                }
            }
        }
        let in_markup = crate::js::markup::scan(&markup, self.k.vocab).payment_fields > 0;
        let card = in_markup
            || names
                .iter()
                .any(|t| self.k.vocab.matches(t) || t.to_ascii_lowercase().starts_with("cc-"));
        if card && self.card_fields.insert(target) && self.own_field_injections.len() < 16 {
            let span = init.span();
            let evidence = format!(
                "the script creates its own card field: {}",
                self.evidence(span)
            );
            let at = self.at(span);
            self.own_field_injections
                .push((target, Injection { at, evidence }));
        }
    }

    /// `i.name = 'cardnumber'`, `i.placeholder = 'Card number'` on a field the script made.
    pub(super) fn created_field_write(
        &mut self,
        obj: &'a Expression<'a>,
        prop: &str,
        rhs: &'a Expression<'a>,
    ) {
        let Some(s) = self.base_sym(obj) else {
            return;
        };
        // `h.type = 'hidden'`: a field that carries a value to where a form posts (a
        // processor's direct-post form), not one a shopper types into.
        if prop.eq_ignore_ascii_case("type") {
            if self.created_fields.contains(&s)
                && self
                    .interp
                    .peek(rhs)
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("hidden"))
            {
                self.hidden_created.insert(s);
            }
            return;
        }
        if !NAMING.contains(&prop) {
            return;
        }
        if !self.created_fields.contains(&s) || self.card_fields.contains(&s) {
            return;
        }
        // A constant, or the constants a loop's parameter takes (`['Card Number', 'CVV']
        // .forEach(l => i.setAttribute('placeholder', l))`).
        let texts = self.selector_texts(rhs);
        let card = texts
            .iter()
            .any(|text| self.k.vocab.matches(text) || text.to_ascii_lowercase().starts_with("cc-"));
        if card {
            self.card_fields.insert(s);
            let span = rhs.span();
            let at = self.at(span);
            let evidence = format!(
                "the script creates its own card field: {}",
                self.evidence(Span::new(obj.span().start, span.end))
            );
            if self.own_field_injections.len() < 16 {
                self.own_field_injections
                    .push((s, Injection { at, evidence }));
            }
        }
    }

    /// `inputs.push(i)` of a card field the script made: the list holds card fields, and so
    /// do the parameters of callbacks iterating it (`inputs.map(i => i.value)`).
    pub(super) fn note_card_field_list(&mut self, c: &'a CallExpression<'a>) {
        if self.card_fields.is_empty() {
            return;
        }
        let Some(m) = c.callee.without_parentheses().as_member_expression() else {
            return;
        };
        let Some(recv) = self.base_sym(m.object()) else {
            return;
        };
        if matches!(
            m.static_property_name(),
            Some("push" | "unshift" | "add" | "set")
        ) {
            let holds_field = c.arguments.iter().any(|a| {
                a.as_expression()
                    .and_then(|x| match x.without_parentheses() {
                        Expression::Identifier(id) => self.lookup(id.name.as_str()),
                        _ => None,
                    })
                    .is_some_and(|s| self.card_fields.contains(&s))
            });
            if holds_field {
                self.card_fields.insert(recv);
            }
            return;
        }
        if self.card_fields.contains(&recv) {
            for a in &c.arguments {
                match a.as_expression() {
                    Some(Expression::FunctionExpression(f)) => {
                        self.card_field_cbs.insert(f.span.start);
                    }
                    Some(Expression::ArrowFunctionExpression(f)) => {
                        self.card_field_cbs.insert(f.span.start);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Entering a callback of a call on a list of card fields: its first parameter is one.
    pub(super) fn note_card_field_params(&mut self, fn_start: u32, params: &[Sym]) {
        if self.card_field_cbs.remove(&fn_start)
            && let Some(p) = params.first()
        {
            self.card_fields.insert(*p);
        }
    }

    /// The card fields the script made, as injected forms, once the walk knows which of them
    /// are hidden (a `type` may be set after the name).
    pub(super) fn finish_own_fields(&mut self) {
        for (s, inj) in std::mem::take(&mut self.own_field_injections) {
            if !self.hidden_created.contains(&s) && self.facts.injections.len() < 16 {
                self.facts.injections.push(inj);
            }
        }
    }

    /// Whether a selector picks a card field of markup the script wrote itself
    /// (`box.innerHTML = '<label>Card number</label><input id="x1">'`, then
    /// `getElementById('x1')`): reading it reads card data whatever the id says.
    pub(super) fn own_card_selector(&self, s: &str) -> bool {
        !self.own_card_keys.is_empty()
            && crate::js::vocabulary::selected_names(s)
                .iter()
                .any(|n| self.own_card_keys.contains(*n))
    }

    /// Whether an expression is a field the script created and named like a card field.
    pub(super) fn is_own_card_field(&mut self, e: &'a Expression<'a>) -> bool {
        if self.card_fields.is_empty() {
            return false;
        }
        self.base_sym(e)
            .is_some_and(|s| self.card_fields.contains(&s))
    }

    /// `cc_number.value` where no scope of the script binds `cc_number`: the browser resolves
    /// an unknown global to the element with that id (named access on `window`), so a bare
    /// card-field id reads the field. Names count when they are card words or a distinctive
    /// field of the page (see `Vocabulary::matches_name`).
    pub(super) fn is_named_card_global(&mut self, e: &'a Expression<'a>) -> bool {
        let Expression::Identifier(id) = e.without_parentheses() else {
            return false;
        };
        let name = id.name.as_str();
        !self.scopes.iter().any(|sc| sc.contains_key(name)) && self.vocab_name(name)
    }

    /// `fr.contentWindow.document`, `fr.contentDocument`, or a name initialised with one.
    pub(super) fn is_frame_document(&mut self, e: &'a Expression<'a>) -> bool {
        let e = match e.without_parentheses() {
            Expression::Identifier(id) => match self.interp.decl_init(id.name.as_str()) {
                Some(init) => init,
                None => return false,
            },
            other => other,
        };
        match e.without_parentheses() {
            Expression::StaticMemberExpression(m) => match m.property.name.as_str() {
                "contentDocument" => true,
                "document" => matches!(m.object.without_parentheses(),
                    Expression::StaticMemberExpression(w) if w.property.name == "contentWindow"),
                _ => false,
            },
            _ => false,
        }
    }

    /// `frame.style.display = 'none'` on a processor's frame or container.
    pub(super) fn style_write(
        &mut self,
        obj: &'a Expression<'a>,
        prop: &str,
        rhs: &'a Expression<'a>,
        span: Span,
    ) {
        let hides = match prop {
            "display" => self.interp.peek(rhs).as_str() == Some("none"),
            "visibility" => self.interp.peek(rhs).as_str() == Some("hidden"),
            "opacity" => self.interp.peek(rhs).to_number() == Some(0.0),
            _ => false,
        };
        if !hides {
            return;
        }
        let Expression::StaticMemberExpression(m) = obj.without_parentheses() else {
            return;
        };
        if m.property.name != "style" {
            return;
        }
        if self.is_processor_frame(&m.object) {
            let at = self.at(span);
            let evidence = self.evidence(span);
            self.facts.hidden_frames.push((at, evidence));
        }
    }

    fn is_processor_frame(&mut self, e: &'a Expression<'a>) -> bool {
        let mut texts: Vec<String> = Vec::new();
        if let Expression::CallExpression(c) = e.without_parentheses()
            && let Some(a0) = c.arguments.first().and_then(|a| a.as_expression())
        {
            texts = self.selector_texts(a0);
        } else if let Some(k) = self.dom_key(e) {
            texts.push(k);
        }
        texts.iter().any(|t| {
            let t = t.to_ascii_lowercase();
            PROCESSOR_FRAME.iter().any(|w| t.contains(w))
        })
    }
}
