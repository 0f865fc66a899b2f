//! The walk itself: the syntax-tree visitor that drives the collector, node by node, into the
//! files that record what each node does.
use super::callsite::arg_exprs;
use super::scopes::collect_binding_names;
use super::{Collector, aliases, is_jquery_name};
use crate::js::facts::{SMALL_SCRIPT_BYTES, UrlText};
use crate::js::value::Value;
use crate::rules::schema::{Channel, Marker, SourceKind};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;
use oxc_syntax::operator::BinaryOperator;
use oxc_syntax::scope::ScopeFlags;

impl<'a> Visit<'a> for Collector<'a, '_, '_> {
    fn visit_expression(&mut self, it: &Expression<'a>) {
        if self.tick() {
            return;
        }
        let it = self.alloc(it);
        self.mark_hidden_reads(it);
        walk::walk_expression(self, it);
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        if self.tick() {
            return;
        }
        walk::walk_statement(self, it);
    }

    fn visit_statements(&mut self, it: &oxc_allocator::Vec<'a, Statement<'a>>) {
        // `if (!isEmail && !isPhone) return;`: what follows reads some other kind of field.
        let guards = self.not_card.len();
        let handled = self.text_done.len();
        let objects = self.objects_done.len();
        for s in it {
            self.visit_statement(s);
            let s = self.alloc(s);
            if let Some(el) = self.other_field_exit(s) {
                self.not_card.push(el);
            }
            // `if (typeof v === 'string') return mask(v);`: below it, `v` is no string.
            if let Some(name) = Self::text_handled(s) {
                self.text_done.push(name);
            }
            // `if (v && typeof v === 'object') { …; return o; }`: below it, no object either.
            if let Some(name) = Self::objects_handled(s) {
                self.objects_done.push(name);
            }
        }
        self.not_card.truncate(guards);
        self.text_done.truncate(handled);
        self.objects_done.truncate(objects);
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        let raw = self.text(it.span);
        self.literal_bytes += raw.len();
        // A selector naming a card field, wherever it is kept (a table of selectors walked
        // with `Object.keys`, a class field): the stub page then sees what the script does.
        if !self.facts.names_card_field
            && self.src.len() <= SMALL_SCRIPT_BYTES
            && it.value.len() <= 200
            && it.value.starts_with(['#', '.', '['])
            && self.k.vocab.matches(it.value.as_str())
        {
            self.facts.names_card_field = true;
        }
        if memchr::memchr(b'\\', raw.as_bytes()).is_none() {
            return;
        }
        // Escapes of ASCII characters hide words; escapes of other scripts are just text
        // (locale tables in moment.js are full of `\\u0430`).
        let n = raw.matches("\\x").count() + raw.matches("\\u00").count();
        if n > 0 {
            self.escapes += n;
            if self.first_escape.is_none() {
                self.first_escape = Some(self.at(it.span));
            }
        }
    }

    fn visit_debugger_statement(&mut self, it: &DebuggerStatement) {
        if self.hidden_ctx {
            self.marker(
                Marker::AntiDebug,
                self.at(it.span),
                "debugger statement in decoded code".into(),
            );
        }
    }

    fn visit_program(&mut self, it: &Program<'a>) {
        let it = self.alloc(it);
        walk::walk_program(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let it = self.alloc(it);
        let own = match (&it.id, it.is_declaration()) {
            (Some(id), true) => {
                let name = id.name.as_str();
                self.lookup(name).or_else(|| Some(self.declare(name)))
            }
            _ => None,
        };
        if own.is_some() {
            self.note_ctor_candidate(it.span.start);
        }
        self.enter_function(it.span.start, &it.params, own, it.body.as_deref(), false);
        let instance = match self.fn_stack.last() {
            Some(f) => self.enter_instance(it.span.start, f.ret),
            None => false,
        };
        if let Some(f) = self.fn_stack.last_mut() {
            f.instance = instance;
        }
        if let Some(body) = &it.body {
            self.hoist(&body.statements);
        }
        walk::walk_function(self, it, flags);
        if instance {
            self.leave_instance();
        }
        self.leave_function();
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        let it = self.alloc(it);
        let s = self.literal_this(it);
        self.this_syms.push((s, self.fn_stack.len()));
        self.this_objs.push(Some(it));
        walk::walk_object_expression(self, it);
        self.this_objs.pop();
        self.this_syms.pop();
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let it = self.alloc(it);
        let binding = match &it.id {
            Some(id) => self.lookup(id.name.as_str()),
            None => None,
        };
        let s = self.class_this(it, binding);
        self.class_getters(s, it);
        self.this_syms.push((s, self.fn_stack.len()));
        self.this_objs.push(None);
        walk::walk_class(self, it);
        self.this_objs.pop();
        self.this_syms.pop();
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let it = self.alloc(it);
        // A getter or setter is not called with the call's arguments (`o.t(u)` of `get t()`
        // calls what the getter returns).
        if it.kind == PropertyKind::Init {
            self.bind_method(&it.key, &it.value);
        }
        walk::walk_object_property(self, it);
    }

    /// `import(u)`: a URL carrying data sends it as the module loads. The load of a constant
    /// `u` is the module graph's (`js::imports`, which resolves it against the module's own
    /// URL, not the page's, and fetches it); one built at run time (`'https://' + shard() +
    /// '.cdn.example/m.mjs'`) is not followed there, so it is a load of code from wherever it
    /// points, as a `<script>` given that `src` is.
    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        let it = self.alloc(it);
        let d = self.deps(&it.source);
        if !d.is_empty() {
            let url = self.url_text(&it.source);
            self.sink(Channel::ElementSrc, it.span, url, d, None);
        }
        let constant = match it.source.without_parentheses() {
            Expression::StringLiteral(_) => true,
            Expression::TemplateLiteral(t) => t.expressions.is_empty(),
            _ => false,
        };
        if !constant {
            let url = self.url_text(&it.source);
            self.load(Channel::ScriptLoad, it.span, url);
        }
        // A module the script carries (`data:` URL or a Blob's object URL) runs in the page.
        self.inline_code_url(Some(&it.source), it.span, "import");
        walk::walk_import_expression(self, it);
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        let it = self.alloc(it);
        self.class_field(it);
        walk::walk_property_definition(self, it);
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        let it = self.alloc(it);
        if it.kind == MethodDefinitionKind::Method
            && let Some(name) = it.key.static_name()
        {
            self.methods.insert(name.to_string());
            let s = self.facts.graph.global(&format!("$method.{name}"));
            self.pending_binding.insert(it.value.span.start, s);
        }
        walk::walk_method_definition(self, it);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let it = self.alloc(it);
        let body = match &it.body {
            ArrowFunctionBody::FunctionBody(b) => Some(&**b),
            _ => None,
        };
        self.enter_function(it.span.start, &it.params, None, body, true);
        match &it.body {
            ArrowFunctionBody::FunctionBody(b) => self.hoist(&b.statements),
            // `s => $(s).val()`: the expression is the returned value.
            body => {
                if let (Some(e), Some(f)) = (body.as_expression(), self.fn_stack.last()) {
                    let ret = f.ret;
                    let d = self.return_deps(e);
                    self.facts.graph.edge(ret, d);
                }
            }
        }
        walk::walk_arrow_function_expression(self, it);
        self.leave_function();
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        let it = self.alloc(it);
        if let (Some(a), Some(f)) = (&it.argument, self.fn_stack.last()) {
            let ret = f.ret;
            let d = self.return_deps(a);
            self.facts.graph.edge(ret, d);
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        let it = self.alloc(it);
        let mut names = Vec::new();
        collect_binding_names(&it.id, &mut names);
        if let Some(init) = &it.init {
            let d = self.deps(init);
            for n in &names {
                let s = self.declare(n);
                self.facts.graph.edge(s, d.clone());
                self.note_alias_chain(s, init);
                self.note_binding(s, init);
                self.note_blob(n, init);
                self.note_card_handle(s, init);
                self.note_parsed_doc(s, init);
                self.note_text_binding(s, init);
                self.note_element_holder(s, init);
                self.note_keystroke_alias(s, init);
            }
            if let Expression::ArrayExpression(a) = init
                && let Some(first) = names.first()
            {
                self.array_marker(a, first);
            }
            self.card_pattern(&it.id, init);
        } else {
            for n in &names {
                self.declare(n);
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    /// `for (const el of fields)`: the loop variable takes each element of what is iterated
    /// (its data; its constant strings, as an iteration callback's parameter does; and it
    /// holds elements when the list is a held selection).
    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        let it = self.alloc(it);
        let mut names = Vec::new();
        let declared = match &it.left {
            ForStatementLeft::VariableDeclaration(v) => {
                for decl in &v.declarations {
                    collect_binding_names(&decl.id, &mut names);
                }
                true
            }
            ForStatementLeft::AssignmentTargetIdentifier(id) => {
                names.push(id.name.as_str());
                false
            }
            _ => false,
        };
        if !names.is_empty() {
            let d = self.deps(&it.right);
            let (part, texts) = self.iterated_texts(&it.right);
            let texts_for = if names.len() == part + 1 || (part == 0 && names.len() == 1) {
                Some(part)
            } else {
                None
            };
            for (j, n) in names.into_iter().enumerate() {
                let s = if declared {
                    Some(self.declare(n))
                } else {
                    self.lookup(n)
                };
                let Some(s) = s else { continue };
                self.facts.graph.edge(s, d.clone());
                self.note_loop_holder(s, &it.right);
                if texts_for == Some(j) && !texts.is_empty() {
                    self.param_texts.insert(s, texts.clone());
                }
            }
        }
        walk::walk_for_of_statement(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it = self.alloc(it);
        let rhs = &it.right;
        match &it.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                let name = id.name.as_str();
                if name == "location" {
                    let url = self.url_text(rhs);
                    let d = self.deps(rhs);
                    self.sink(Channel::Navigation, it.span, url, d, None);
                } else if name.starts_with("on")
                    && self.scopes.iter().all(|sc| !sc.contains_key(name))
                {
                    // `onmessage = e => …` in a worker or the page: a global handler.
                    self.handler_write(None, name, rhs);
                } else if let Some(s) = self.lookup(name) {
                    if self.scopes.iter().all(|sc| !sc.contains_key(name)) {
                        // `fetch = function (u, o) {…}`: the global, replaced.
                        self.note_request_hook(None, name, rhs);
                    }
                    let d = self.deps(rhs);
                    self.facts.graph.edge(s, d);
                    self.note_binding(s, rhs);
                    self.note_element_alias(s, rhs);
                }
            }
            target => {
                if let Some(m) = target.as_member_expression() {
                    let prop = match m {
                        MemberExpression::StaticMemberExpression(s) => {
                            Some(s.property.name.to_string())
                        }
                        MemberExpression::ComputedMemberExpression(c) => {
                            self.interp.peek(&c.expression).as_str().map(str::to_string)
                        }
                        MemberExpression::PrivateFieldExpression(p) => {
                            Some(format!("#{}", p.field.name))
                        }
                    };
                    if let (Some(p), Expression::ThisExpression(_)) =
                        (&prop, m.object().without_parentheses())
                        && let Some(this) = self.this_sym()
                    {
                        let slot = self
                            .this_fields
                            .entry((this, p.clone()))
                            .or_insert(Some(rhs));
                        if slot.is_some_and(|x| !std::ptr::eq(x, rhs)) {
                            *slot = None;
                        }
                        self.note_this_field_fn(this, p);
                    }
                    self.member_write(m.object(), prop.as_deref(), rhs, it.span);
                    if let Some(p) = &prop {
                        self.note_request_hook(Some(m.object()), p, rhs);
                    }
                    if let MemberExpression::StaticMemberExpression(sm) = m
                        && self.script_props.contains(sm.property.name.as_str())
                    {
                        let s = self.prop_sym(sm.property.name.as_str());
                        let d = self.deps(rhs);
                        self.facts.graph.edge(s, d);
                    }
                    // After the write: a prototype's method is bound by its name, not to the
                    // object it is stored on.
                    if let Some(p) = &prop {
                        self.prototype_write(m.object(), p, rhs);
                        // `window.go = function (d) {…}` defines the global `go`, which other
                        // code (and other scripts of the page) call as `go(…)`.
                        if !p.starts_with("on") && !self.is_windowish(m.object()) {
                            // `this.fire = function (u, d) {…}`, `api.send = (u, d) => …`: a
                            // method, called as `x.fire(…)` on whatever holds it.
                            self.bind_method_name(p, rhs);
                            self.note_member_fn(m.object(), p, rhs);
                            if matches!(
                                m.object().without_parentheses(),
                                Expression::ThisExpression(_)
                            ) {
                                self.method_of_this(rhs);
                            }
                        }
                        if self.is_windowish(m.object()) && !p.starts_with("on") {
                            let s = self.facts.graph.global(p);
                            let d = self.deps(rhs);
                            self.facts.graph.edge(s, d);
                            self.note_binding(s, rhs);
                        }
                    }
                }
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        let it = self.alloc(it);
        let mut name = self.callee_name(&it.callee).1;
        // `const W = window['Web' + 'Socket']; new W(u)`: the constructor is a value too.
        if name
            .as_deref()
            .is_some_and(|n| !crate::js::web_api::is_browser_global(n))
        {
            let mut v = self.interp.peek(&it.callee);
            // `var F = w['Func' + 'tion']; new F(code)` in a function: its variable.
            if v.is_unknown()
                && matches!(it.callee.without_parentheses(), Expression::Identifier(_))
            {
                v = self
                    .eval_in_context(&it.callee)
                    .map_or(Value::Unknown, |(v, _)| v);
            }
            if let Value::Api(p) = v {
                name = Some(p.rsplit('.').next().unwrap_or(&p).to_string());
            }
        }
        let a0 = self.arg(&it.arguments, 0);
        let handle = self.handles.get(&it.span.start).copied();
        if let Some(entry) = name
            .as_deref()
            .and_then(|n| self.k.apis.find(n, None, true))
        {
            let entry = entry.clone();
            let args = arg_exprs(&it.arguments);
            self.api_new(&entry, &args, it.span, handle);
        }
        self.pipe_new(it, name.as_deref());
        self.note_construct(it);
        match name.as_deref() {
            Some("RTCPeerConnection") | Some("webkitRTCPeerConnection") => {
                let mut url = UrlText::default();
                // Data in the configuration (a TURN server's `username`/`credential`) goes
                // to the ICE server as the connection starts.
                let d = a0.map(|a| self.deps(a)).unwrap_or_default();
                if let Some(a) = a0 {
                    let (v, dec) = self.interp_eval(a);
                    if let Some(s) = find_ice_url(&v) {
                        url = UrlText {
                            text: Some(s),
                            complete: true,
                            hidden: dec,
                        };
                    }
                }
                self.sink(Channel::WebRtc, it.span, url, d, handle);
            }
            Some("Function") => {
                let args = arg_exprs(&it.arguments);
                self.function_ctor(&args, it.span)
            }
            Some("FormData") => self.form_data_new(handle, it.span),
            Some("Worker" | "SharedWorker") => self.inline_code_url(a0, it.span, "Worker"),
            _ => {}
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if self.tick() {
            return;
        }
        let it = self.alloc(it);
        let is_jq = |e: &'a Expression<'a>| {
            self.path_of(e)
                .is_some_and(|p| is_jquery_name(&p) || p == "jQuery")
        };
        if let Some(p) = aliases::jquery_ready_param(it, is_jq) {
            self.jquery_params.push(p);
        }
        // `(function (cfg) {…})(Site)`: the wrapper's parameters are its arguments (see
        // `Interp::eval_in_context`).
        if let Expression::FunctionExpression(f) = it.callee.without_parentheses() {
            self.iife_args.insert(f.span.start, &it.arguments);
        } else if let Expression::ArrowFunctionExpression(f) = it.callee.without_parentheses() {
            self.iife_args.insert(f.span.start, &it.arguments);
        }
        self.on_call(it);
        self.note_element_store(it);
        self.note_card_field_list(it);
        walk::walk_call_expression(self, it);
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        self.handle_ref(it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        let it = self.alloc(it);
        self.keystroke_read(it);
        self.handle_member_use(it);
        self.hooked_body_read(it);
        let p = it.property.name.as_str();
        if p == "value"
            && (self.is_own_card_field(&it.object) || self.is_named_card_global(&it.object))
        {
            self.source(SourceKind::Payment, it.span);
        }
        if p == "elements"
            || (p == "forms" && self.path_of(&it.object).as_deref() == Some("document"))
        {
            // Only counted (see `precision`): not harvested. Held (iterated or kept, see
            // `holders`): harvested once a field's data leaves the holders.
            if self.is_held_selection(it.span) {
                self.held_harvest(it.span);
            } else if !self.hidden_reads.contains(&(it.span.start, it.span.end)) {
                self.source(SourceKind::Harvest, it.span);
            }
        } else if matches!(
            p,
            "Firebug" | "UNMASKED_RENDERER_WEBGL" | "__REACT_DEVTOOLS_GLOBAL_HOOK__"
        ) && p != "__REACT_DEVTOOLS_GLOBAL_HOOK__"
        {
            self.marker(Marker::AntiDebug, self.at(it.span), self.evidence(it.span));
        } else if matches!(p.len(), 2..=40) && self.vocab_name(p) {
            // `form.cc_number`, `elements.cvv`: a named card field.
            if p.len() > 2 || p == "cc" {
                self.source(SourceKind::Payment, it.span);
            }
        } else if self.card_member(&it.object, p) {
            self.source(SourceKind::Payment, it.span);
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        let it = self.alloc(it);
        if it.operator == BinaryOperator::Subtraction {
            let l = self.text(it.left.span());
            let r = self.text(it.right.span());
            if (l.contains("outerWidth") && r.contains("innerWidth"))
                || (l.contains("outerHeight") && r.contains("innerHeight"))
            {
                self.marker(Marker::AntiDebug, self.at(it.span), self.evidence(it.span));
            }
        }
        if it.operator.is_equality() {
            for side in [&it.left, &it.right] {
                if let Expression::StringLiteral(s) = side
                    && self.k.vocab.matches(s.value.as_str())
                {
                    self.source(SourceKind::Payment, it.span);
                }
            }
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        let it = self.alloc(it);
        if self.tick() {
            return;
        }
        // A branch a shipped setting turns off never runs (see `dead`).
        match self.constant_test(&it.test) {
            Some(true) => return self.visit_statement(&it.consequent),
            Some(false) => {
                if let Some(alt) = &it.alternate {
                    self.visit_statement(alt);
                }
                return;
            }
            None => {}
        }
        // `if (typeof v !== 'string') return v;`: no typed text is handed back there.
        if let Some(name) = self.non_text_here(&it.test)
            && Self::returns_name(&it.consequent, name)
        {
            self.visit_expression(&it.test);
            self.no_text.push(name);
            self.visit_statement(&it.consequent);
            self.no_text.pop();
            if let Some(alt) = &it.alternate {
                self.visit_statement(alt);
            }
            return;
        }
        // `if (e.target.type === 'email' && …) { … e.target.value }`: that field's value.
        if let Some(el) = self.other_field_guard(&it.test) {
            self.visit_expression(&it.test);
            self.not_card.push(el);
            self.visit_statement(&it.consequent);
            self.not_card.pop();
            if let Some(alt) = &it.alternate {
                self.visit_statement(alt);
            }
            return;
        }
        // `if (isSensitive(el)) … else … el.value`: the branch where the guard said no; the
        // same for a key (`if (SENSITIVE.test(k)) out[k] = '[Filtered]'; else out[k] = o[k]`).
        if let Some(g) = self.card_guard_of(&it.test) {
            self.visit_expression(&it.test);
            let (card, other) = g.order(Some(&it.consequent), it.alternate.as_ref());
            if let Some(s) = card {
                self.visit_statement(s);
            }
            if let Some(s) = other {
                self.in_other_branch(&g, |me| me.visit_statement(s));
            }
            return;
        }
        let gate = self.is_gate(&it.test);
        if gate {
            let early_exit = matches!(&it.consequent, Statement::ReturnStatement(_))
                || matches!(&it.consequent, Statement::BlockStatement(b) if b.body.len() == 1 && matches!(b.body[0], Statement::ReturnStatement(_)));
            if early_exit && let Some(f) = self.fn_stack.last_mut() {
                f.gated = true;
            }
            self.gate += 1;
            walk::walk_if_statement(self, it);
            self.gate -= 1;
        } else {
            walk::walk_if_statement(self, it);
        }
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        let it = self.alloc(it);
        let gate = self.is_gate(&it.left);
        if gate {
            self.gate += 1;
        }
        walk::walk_logical_expression(self, it);
        if gate {
            self.gate -= 1;
        }
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        let it = self.alloc(it);
        // `SENSITIVE.test(k) ? '[Filtered]' : scrub(o[k])`: the kept branch's calls are given
        // another field's value (the dependencies of the whole are taken in `deps`);
        // `masked(el) ? '[masked]' : el.value`: the same for an element.
        if let Some(g) = self.card_guard_of(&it.test) {
            self.visit_expression(&it.test);
            self.guarded_branches(&g, &it.consequent, &it.alternate, |me, e| {
                me.visit_expression(e)
            });
            return;
        }
        let gate = self.is_gate(&it.test);
        if gate {
            self.gate += 1;
        }
        walk::walk_conditional_expression(self, it);
        if gate {
            self.gate -= 1;
        }
    }
}

fn find_ice_url(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Str(s)
            if s.starts_with("stun:") || s.starts_with("turn:") || s.starts_with("turns:") =>
        {
            Some(s.to_string())
        }
        Value::Array(a) => a.borrow().iter().find_map(find_ice_url),
        Value::Object(o) => o.borrow().iter().find_map(|(_, v)| find_ice_url(v)),
        _ => None,
    }
}
