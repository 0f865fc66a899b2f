//! Writes that send or stage data: element `src`/`href`/`action`, `location`, `innerHTML`,
//! script text, cookies, storage, globals through `window`, event-handler properties, and
//! property writes that make an object carry data.

use super::{Collector, KEY_EVENTS, looks_like_script_url};
use crate::js::flow::{Deps, SRC_KEYSTROKE};
use crate::rules::schema::{Channel, Marker, SourceKind};
use oxc_ast::ast::*;
use oxc_span::Span;

impl<'a> Collector<'a, '_, '_> {
    pub(super) fn member_write(
        &mut self,
        obj: &'a Expression<'a>,
        prop: Option<&str>,
        rhs: &'a Expression<'a>,
        span: Span,
    ) {
        let obj_path = self.path_of(obj);
        match prop {
            Some("src" | "href") => self.attribute_write(obj, prop.unwrap_or("src"), rhs, span),
            // Other properties whose URL the browser requests (a `<link>`'s or `<img>`'s
            // `srcset`, a video's `poster`, an anchor's `ping`, a button's `formAction`).
            Some("srcset" | "poster" | "ping") => self.element_url_write(rhs, span),
            Some("formAction") => self.attribute_write(obj, "action", rhs, span),
            Some(p) if CSS_URL_PROPS.contains(&p) && is_style(obj) => {
                self.css_url_write(rhs, span);
            }
            Some("action") => self.attribute_write(obj, "action", rhs, span),
            Some("location")
                if obj_path
                    .as_deref()
                    .is_some_and(|p| p == "window" || p == "document" || p == "top")
                    || self.is_windowish(obj) =>
            {
                let url = self.url_text(rhs);
                let d = self.deps(rhs);
                self.sink(Channel::Navigation, span, url, d, None);
            }
            // A script element's markup is its code.
            Some("innerHTML") if self.is_script_elem(obj) => {
                self.try_hidden(rhs, span, "script.text");
                self.note_code_sink(rhs, span);
                return;
            }
            // A frame's `srcdoc` is a whole document the browser renders in the frame, scripts
            // and fields included (a fake card form in a frame of its own).
            Some("innerHTML" | "outerHTML" | "srcdoc") => {
                let (v, dec) = self.interp_eval(rhs);
                if let Some(html) = v.known_text() {
                    let html = html.to_string();
                    let d = self.deps(rhs);
                    self.on_markup(&html, dec, span, d, Channel::Markup);
                }
                // Writing markup into an element does not make the element carry data.
                return;
            }
            Some("text" | "textContent" | "innerText") if self.is_script_elem(obj) => {
                self.try_hidden(rhs, span, "script.text");
                // Code the script downloaded and puts into a script element runs as surely
                // as through `eval` (see `downloads`); a serialised object is a data block's
                // (`type="application/ld+json"`), not code.
                if !is_json_stringify(rhs) {
                    self.note_code_sink(rhs, span);
                }
                return;
            }
            // `location.hash = data`: kept by the page's address, read back later.
            Some("hash") if self.navigation_pipe(obj, "hash").is_some() => {
                let d = self.deps(rhs);
                self.pipe_write("hash", d);
                return;
            }
            Some("cookie") if obj_path.as_deref() == Some("document") => {
                let d = self.deps(rhs);
                self.pipe_write("cookie", d);
                return;
            }
            Some(p) if p.starts_with("on") && KEY_EVENTS.contains(&&p[2..]) => {
                if let Expression::FunctionExpression(f) = rhs.without_parentheses() {
                    self.pending_params
                        .insert(f.span.start, Deps::source(SRC_KEYSTROKE));
                    self.source(SourceKind::Keystroke, span);
                } else if let Expression::ArrowFunctionExpression(f) = rhs.without_parentheses() {
                    self.pending_params
                        .insert(f.span.start, Deps::source(SRC_KEYSTROKE));
                    self.source(SourceKind::Keystroke, span);
                }
            }
            Some(p) if p.starts_with("on") => self.handler_write(Some(obj), p, rhs),
            // `frame.name = data`: a frame's name is readable by the page it loads (the
            // `window.name` transport); it leaves with the frame's `src`.
            Some("name") => {
                if let Some(s) = self.base_sym(obj)
                    && self.created_frames.contains(&s)
                {
                    let d = self.deps(rhs);
                    self.frame_names.entry(s).or_default().merge(d);
                }
            }
            _ => {}
        }
        if self.is_storage(obj) {
            let d = self.deps(rhs);
            let area = self.storage_area(obj);
            self.storage_write(area, prop, d);
            return;
        }
        // `window.x = v`, `window[k] = v`: a global; an unknown name is still shared state.
        if self.is_windowish(obj) {
            let d = self.deps(rhs);
            let s = match prop {
                Some(p) => self.lookup(p),
                None => Some(self.facts.graph.global("$window.*")),
            };
            if let Some(s) = s {
                self.facts.graph.edge(s, d);
                if let Some(p) = prop {
                    self.window_global_write(p, s);
                }
            }
            return;
        }
        // `cc.value = formatted` on a card field's handle gives the field its own (formatted)
        // value back: the element is used, nothing is staged or stored anywhere new.
        if prop == Some("value") && self.card_handle_value_write(obj) {
            return;
        }
        if let Some(p) = prop {
            self.dom_write(obj, p, rhs);
            self.created_field_write(obj, p, rhs);
            self.style_write(obj, p, rhs, span);
        }
        if obj_path.as_deref() == Some("document") || obj_path.as_deref() == Some("location") {
            return;
        }
        let d = self.deps(rhs);
        if let Some(s) = self.base_sym(obj) {
            self.facts.graph.edge(s, d);
            self.note_binding(s, rhs);
        }
    }

    pub(super) fn attribute_write(
        &mut self,
        o: &'a Expression<'a>,
        attr: &str,
        v: &'a Expression<'a>,
        span: Span,
    ) {
        // `i.setAttribute('placeholder', 'Card number')` names a field the script made.
        if matches!(
            attr,
            "name" | "id" | "placeholder" | "autocomplete" | "aria-label"
        ) {
            self.created_field_write(o, attr, v);
        }
        match attr {
            "srcset" | "poster" | "ping" => self.element_url_write(v, span),
            "srcdoc" => self.member_write(o, Some("srcdoc"), v, span),
            "formaction" => self.attribute_write(o, "action", v, span),
            "style" => self.css_url_write(v, span),
            "src" | "href" => {
                let url = self.url_text(v);
                let d = self.deps(v);
                let is_location = self.is_location(o);
                if is_location {
                    self.sink(Channel::Navigation, span, url, d, None);
                } else if self.is_script_elem(o)
                    || url.text.as_deref().is_some_and(looks_like_script_url)
                {
                    // A script URL that carries data sends it as it loads.
                    if !d.is_empty() {
                        self.sink(Channel::ElementSrc, span, url.clone(), d, None);
                    }
                    self.load(Channel::ScriptLoad, span, url);
                } else {
                    let mut d = d;
                    if let Some(n) = self.base_sym(o).and_then(|s| self.frame_names.get(&s)) {
                        d.merge(n.clone());
                    }
                    self.note_param_sink(v, None, &url);
                    self.sink(Channel::ElementSrc, span, url, d, None);
                }
            }
            "action" => {
                let url = self.url_text(v);
                let d = self.deps(v);
                self.note_param_sink(v, None, &url);
                self.sink(Channel::FormAction, span, url, d, None);
            }
            _ => {}
        }
    }

    /// `el.style.backgroundImage = 'url(https://…?d=' + d + ')'`: the browser fetches the
    /// image, and the data goes with the request (CSS exfiltration).
    pub(super) fn css_url_write(&mut self, v: &'a Expression<'a>, span: Span) {
        let url = self.url_text(v);
        let Some(text) = url.text.as_deref() else {
            return;
        };
        let Some(i) = text.to_ascii_lowercase().find("url(") else {
            return;
        };
        let inner = text[i + 4..].trim_start_matches(['"', '\'', ' ']);
        let end = inner.find(['"', '\'', ')', ' ']).unwrap_or(inner.len());
        let complete = url.complete && end < inner.len();
        let url = crate::js::facts::UrlText {
            text: Some(inner[..end].to_string()),
            complete,
            hidden: url.hidden,
        };
        let d = self.deps(v);
        self.sink(Channel::ElementUrl, span, url, d, None);
    }

    /// `img.srcset`, `video.poster`, `a.ping`, an SVG `<use>`/`<image>` `xlink:href`: a URL
    /// the browser requests. Data in it is sent (a flow); a constant one is a page resource,
    /// not a sending channel (see `Channel::ElementUrl`).
    pub(super) fn element_url_write(&mut self, v: &'a Expression<'a>, span: Span) {
        let url = self.url_text(v);
        let d = self.deps(v);
        self.note_param_sink(v, None, &url);
        self.sink(Channel::ElementUrl, span, url, d, None);
    }

    pub(super) fn is_location(&self, o: &'a Expression<'a>) -> bool {
        if let Some(p) = self.path_of(o) {
            return p == "location" || p.ends_with(".location");
        }
        // `jQuery(location)`
        if let Expression::CallExpression(c) = o.without_parentheses()
            && let Some(a) = c.arguments.first().and_then(|a| a.as_expression())
        {
            return self
                .path_of(a)
                .is_some_and(|p| p == "location" || p.ends_with(".location"));
        }
        false
    }

    pub(super) fn is_script_elem(&mut self, o: &'a Expression<'a>) -> bool {
        if let Expression::CallExpression(c) = o.without_parentheses() {
            return self.is_create_script(c);
        }
        self.base_sym(o)
            .is_some_and(|s| self.script_elems.contains(&s))
    }

    pub(super) fn is_create_script(&self, c: &'a CallExpression<'a>) -> bool {
        let (_, name) = self.callee_name(&c.callee);
        name.as_deref() == Some("createElement")
            && c.arguments
                .first()
                .and_then(|a| a.as_expression())
                .and_then(|a| {
                    self.interp
                        .eval(a)
                        .as_str()
                        .map(|s| s.eq_ignore_ascii_case("script"))
                })
                .unwrap_or(false)
    }

    pub(super) fn array_marker(&mut self, a: &'a ArrayExpression<'a>, name: &str) {
        if a.elements.len() < 8 {
            return;
        }
        let mut strings = 0;
        let mut escaped = 0;
        for el in &a.elements {
            if let Some(Expression::StringLiteral(s)) = el.as_expression() {
                strings += 1;
                let raw = self.text(s.span);
                if raw.contains("\\x") || raw.contains("\\u00") {
                    escaped += 1;
                }
            }
        }
        if strings == a.elements.len() && (escaped * 2 >= strings || name.starts_with("_0x")) {
            let at = self.at(a.span);
            self.marker(
                Marker::StringTable,
                at,
                format!("string table `{name}` of {strings} strings"),
            );
        }
    }
}

/// Style properties that take a `url(…)` the browser fetches.
const CSS_URL_PROPS: &[&str] = &[
    "background",
    "backgroundImage",
    "cssText",
    "listStyle",
    "listStyleImage",
    "borderImage",
    "borderImageSource",
    "content",
    "cursor",
    "maskImage",
];

/// `x.style`: an element's inline style.
fn is_style(e: &Expression<'_>) -> bool {
    matches!(e.without_parentheses(), Expression::StaticMemberExpression(m) if m.property.name == "style")
}

/// `JSON.stringify(…)`: data for a JSON block, never code.
fn is_json_stringify(e: &Expression<'_>) -> bool {
    matches!(e.without_parentheses(), Expression::CallExpression(c)
        if matches!(c.callee.without_parentheses(), Expression::StaticMemberExpression(m)
            if m.property.name == "stringify"
                && matches!(m.object.without_parentheses(), Expression::Identifier(id) if id.name == "JSON")))
}
