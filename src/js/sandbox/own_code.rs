//! skimscan's own JavaScript for the sandbox (the stub page's `emulate.js`, its codecs, its
//! script elements, a decoder's own `<script>` element) compiled to QuickJS bytecode once per
//! process and loaded from it in every later sandbox.
//!
//! Why: every stub-page run starts a fresh runtime (nothing a script did may leak into the
//! next script's run), and QuickJS compiling the ~130 KB of stub-page code took about 40 % of
//! a run of a small script; on a cold scan of a 200-page shop the stub-page runs were half
//! of all the CPU. Loading bytecode skips the parser and the compiler; the code then runs as
//! it did from source. Each file is an expression (a function) whose value becomes the global
//! `name`, compiled as a module (modules are strict: every file starts with `"use strict"`
//! already, so nothing about it changes).
//!
//! Only code that ships inside the binary goes through here, never a scanned script's: the
//! bytecode QuickJS reads is trusted not to be hostile.

use rquickjs::module::{Declared, WriteOptions};
use rquickjs::{Ctx, Module};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// The bytecode of each own file by its global name, written once per process and kept for
/// its whole life: QuickJS may read module bytecode in place (`JS_READ_OBJ_ROM_DATA`), so
/// the bytes must outlive every runtime that loaded them.
static COMPILED: LazyLock<Mutex<HashMap<&'static str, &'static [u8]>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Define the global `name` as the value of `source` (a function expression shipped with
/// skimscan) in `ctx`, from bytecode when this process compiled it before.
pub(super) fn define<'js>(
    ctx: &Ctx<'js>,
    name: &'static str,
    source: &'static str,
) -> rquickjs::Result<()> {
    let cached = COMPILED.lock().ok().and_then(|m| m.get(name).copied());
    let module: Module<'js, Declared> = match cached {
        // SAFETY: the bytes were written by `Module::write` of this same QuickJS build in
        // this process (below), from skimscan's own source, and are never freed.
        Some(bytes) => unsafe { Module::load(ctx.clone(), bytes)? },
        None => {
            let module = Module::declare(
                ctx.clone(),
                format!("skimscan:{name}"),
                format!("globalThis.{name} = {source};"),
            )?;
            let bytes: &'static [u8] = Box::leak(module.write(WriteOptions::default())?.into());
            if let Ok(mut m) = COMPILED.lock() {
                // Two threads compiling the same file at once leak one copy; no more.
                m.entry(name).or_insert(bytes);
            }
            module
        }
    };
    let (_, done) = module.eval()?;
    done.finish::<()>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rquickjs::{Context, Runtime};

    fn value_of(source: &'static str, name: &'static str, call: &str) -> String {
        let rt = Runtime::new().unwrap();
        let cx = Context::full(&rt).unwrap();
        cx.with(|ctx| {
            define(&ctx, name, source).unwrap();
            ctx.eval::<String, _>(call).unwrap()
        })
    }

    #[test]
    fn compiled_once_then_loaded_with_the_same_behaviour() {
        const SRC: &str = "(function (a) { \"use strict\"; return 'got ' + a; })";
        // First call compiles, the second loads the bytecode in a fresh runtime.
        assert_eq!(value_of(SRC, "__own_test_a", "__own_test_a('x')"), "got x");
        assert!(COMPILED.lock().unwrap().contains_key("__own_test_a"));
        assert_eq!(value_of(SRC, "__own_test_a", "__own_test_a('y')"), "got y");
    }

    #[test]
    fn a_throwing_file_is_an_error_not_a_panic() {
        const SRC: &str = "(function () { throw new Error('no'); })()";
        let rt = Runtime::new().unwrap();
        let cx = Context::full(&rt).unwrap();
        cx.with(|ctx| assert!(define(&ctx, "__own_test_b", SRC).is_err()));
    }
}
