//! The module specifiers a script imports, read from its syntax tree: `import … from "x"`,
//! side-effect `import "x"`, `export { … } from "x"` (oxc's `ExportFromDeclaration`),
//! `export * from "x"` and `import("x")` with a constant specifier. The scan follows them to
//! fetch and analyse every module a page runs (see `crate::scan::modules`); a regex over the
//! text would also match words in strings and comments and miss imports split over lines.
//!
//! Classic scripts cannot hold static imports (the browser rejects the whole script), so only
//! their `import()` calls count. Parsing runs on the caller's thread with the same nesting
//! pre-scan as the engine, so call it from a thread with a large stack.

use super::budget;
use oxc_allocator::Allocator;
use oxc_ast::ast::{
    ExportAllDeclaration, ExportFromDeclaration, Expression, ImportDeclaration, ImportExpression,
};
use oxc_ast_visit::{Visit, walk};
use oxc_span::SourceType;

/// One imported module, as written in the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub specifier: String,
    /// `import("x")`: loaded when the code runs, not with the module graph.
    pub dynamic: bool,
}

/// What reading a script's imports gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imports {
    pub imports: Vec<Import>,
    /// `import(expr)` calls whose specifier is not a constant string: code the scan cannot
    /// name is still loaded by the browser.
    pub unresolved_dynamic: usize,
}

/// Why the imports of a script could not be read.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportsError {
    #[error("its brackets nest too deeply to read its imports")]
    TooDeep,
    #[error("reading its imports failed unexpectedly")]
    Failed,
}

/// The imports of `code`; `module` says whether it runs as a module (`type="module"` or
/// imported by one). Code that does not parse yields no imports: a browser does not run a
/// module with a syntax error, nor anything it imports.
pub fn imports(code: &str, module: bool) -> Result<Imports, ImportsError> {
    // Without these words there is nothing to find (`export … from` needs no `import`); most
    // classic scripts stop here.
    let has = |word: &[u8]| memchr::memmem::find(code.as_bytes(), word).is_some();
    let may_import = has(b"import") || (module && has(b"export"));
    if !may_import {
        return Ok(Imports::default());
    }
    if budget::shape(code).too_deep() {
        return Err(ImportsError::TooDeep);
    }
    let alloc = Allocator::default();
    let source_type = if module {
        SourceType::mjs()
    } else {
        SourceType::script()
    };
    let ret = oxc_parser::Parser::new(&alloc, code, source_type).parse();
    if ret.panicked {
        return Ok(Imports::default());
    }
    let mut v = ImportVisitor {
        module,
        out: Imports::default(),
    };
    v.visit_program(&ret.program);
    Ok(v.out)
}

struct ImportVisitor {
    module: bool,
    out: Imports,
}

impl ImportVisitor {
    fn add(&mut self, specifier: &str, dynamic: bool) {
        let import = Import {
            specifier: specifier.to_string(),
            dynamic,
        };
        if !self.out.imports.contains(&import) {
            self.out.imports.push(import);
        }
    }
}

impl<'a> Visit<'a> for ImportVisitor {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        if self.module {
            self.add(it.source.value.as_str(), false);
        }
        walk::walk_import_declaration(self, it);
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        if self.module {
            self.add(it.source.value.as_str(), false);
        }
        walk::walk_export_from_declaration(self, it);
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        if self.module {
            self.add(it.source.value.as_str(), false);
        }
        walk::walk_export_all_declaration(self, it);
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        let constant = match &it.source {
            Expression::StringLiteral(s) => Some(s.value.as_str().to_string()),
            Expression::TemplateLiteral(t) => t.single_quasi().map(|q| q.as_str().to_string()),
            _ => None,
        };
        match constant {
            Some(s) => self.add(&s, true),
            None => self.out.unresolved_dynamic += 1,
        }
        walk::walk_import_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specifiers(code: &str, module: bool) -> Vec<(String, bool)> {
        imports(code, module)
            .map(|i| {
                i.imports
                    .into_iter()
                    .map(|i| (i.specifier, i.dynamic))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn every_form_of_import_in_a_module() {
        let code = r#"
            import { a } from "./a.js";
            import "/static/side.js";
            import * as ns from '../ns.js';
            export { b } from "./b.js";
            export * from "./c.js";
            export const local = 1;
            const m = await import(`./lazy.js`);
            // import "./in-a-comment.js";
            const s = "import './in-a-string.js'";
        "#;
        assert_eq!(
            specifiers(code, true),
            [
                ("./a.js".to_string(), false),
                ("/static/side.js".to_string(), false),
                ("../ns.js".to_string(), false),
                ("./b.js".to_string(), false),
                ("./c.js".to_string(), false),
                ("./lazy.js".to_string(), true),
            ]
        );
    }

    #[test]
    fn classic_scripts_only_import_dynamically() {
        let code = "var p = import('https://cdn.shop.example/x.js'); import(name);";
        let found = imports(code, false).unwrap_or_default();
        assert_eq!(
            specifiers(code, false),
            [("https://cdn.shop.example/x.js".to_string(), true)]
        );
        assert_eq!(found.unresolved_dynamic, 1);
        assert!(specifiers("var important = 1;", false).is_empty());
    }

    #[test]
    fn a_module_that_only_re_exports() {
        assert_eq!(
            specifiers("export { watch } from './telemetry.js';", true),
            [("./telemetry.js".to_string(), false)]
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let code = format!("import('x');{}", "(".repeat(budget::MAX_NESTING + 10));
        assert_eq!(imports(&code, true), Err(ImportsError::TooDeep));
    }
}
