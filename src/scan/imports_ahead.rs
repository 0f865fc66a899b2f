//! Reading each script's imports while the downloads go on (issue 8). The module graph
//! (scan/modules.rs) needs the imports of every script a page runs, which takes an oxc parse of
//! each one that names `import` (about half of the common libraries do). Done after the last
//! download, that parse was the largest step between the network being done and the report: on
//! the bench shop ~0.35 s of one core, when the network had left the CPU idle for two seconds.
//!
//! So each script the prefetch loads is queued here as soon as its text is decoded, and one
//! reader thread (with the big stack the parser needs; see [`READER_STACK`]) reads its imports
//! while later downloads are in flight. The module graph asks the same [`Memo`] first and reads
//! only what nobody read yet, so the result is the one [`imports`] gives, whenever it ran:
//! reading ahead decides nothing the report says.

use super::by_text::ByText;
use crate::js::imports::{Imports, ImportsError, imports};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Stack of the threads that parse for imports (the engine's nesting pre-scan bounds the
/// recursion; this is headroom).
pub(super) const READER_STACK: usize = 64 << 20;

/// What reading one script's imports gave.
pub type ImportsRead = Result<Imports, ImportsError>;

/// Imports already read, per text and per way it runs (as a module or as a classic script,
/// which read differently).
#[derive(Default)]
pub struct Memo {
    classic: ByText<ImportsRead>,
    module: ByText<ImportsRead>,
}

impl Memo {
    fn of(&self, module: bool) -> &ByText<ImportsRead> {
        if module { &self.module } else { &self.classic }
    }

    /// What was read for this text, if anything was.
    pub fn get(&self, code: &Arc<str>, module: bool) -> Option<ImportsRead> {
        self.of(module).get(code)
    }

    /// The imports of `code`, read now unless they were read before. Parses: call it on a
    /// thread with a [`READER_STACK`]-sized stack.
    pub fn read(&self, code: &Arc<str>, module: bool) -> ImportsRead {
        self.of(module).get_or_work_out(code, |code| {
            if may_import(code, module) {
                imports(code, module)
            } else {
                without_imports(code, module)
            }
        })
    }
}

/// Whether `code` may import anything: the keyword `import` (or, in a module, `export`)
/// standing as a word of its own. [`imports`] looks for the bare letters before it parses,
/// so `important`, `imports` or `module.exports` in a library cost it a full parse; a
/// keyword cannot be written with escapes or run into other letters, so where every
/// occurrence touches an identifier character the parse can find nothing. (Letters outside
/// ASCII beside the word are taken as a possible boundary: parsed, as before.)
fn may_import(code: &str, module: bool) -> bool {
    has_word(code, b"import") || (module && has_word(code, b"export"))
}

fn has_word(code: &str, word: &[u8]) -> bool {
    let bytes = code.as_bytes();
    let joins = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || b"_$".contains(c));
    memchr::memmem::find_iter(bytes, word).any(|at| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        !joins(before) && !joins(bytes.get(at + word.len()))
    })
}

/// What [`imports`] gives for code that holds no import keyword: nothing, except that code
/// where the bare letters occur is first checked for nesting too deep to parse, and that
/// verdict is kept (the report says the imports were not followed).
fn without_imports(code: &str, module: bool) -> ImportsRead {
    let letters = |w: &[u8]| memchr::memmem::find(code.as_bytes(), w).is_some();
    let checked = letters(b"import") || (module && letters(b"export"));
    if checked && crate::js::budget::shape(code).too_deep() {
        return Err(ImportsError::TooDeep);
    }
    Ok(Imports::default())
}

/// The reader thread and its queue; [`ImportsAhead::settle`] waits until the queue is read.
#[derive(Default)]
pub struct ImportsAhead {
    memo: Arc<Memo>,
    reader: Mutex<Option<Reader>>,
    /// The reader could not be started: nothing is read ahead (the module graph reads it all,
    /// as it did before).
    unavailable: std::sync::atomic::AtomicBool,
}

struct Reader {
    queue: Sender<(Arc<str>, bool)>,
    thread: JoinHandle<()>,
}

impl ImportsAhead {
    /// The memo the module graph reads from (and adds to).
    pub fn memo(&self) -> Arc<Memo> {
        self.memo.clone()
    }

    /// Queue `code` (running as a module or not) to have its imports read. Never blocks: the
    /// reader starts with the first script queued.
    pub fn submit(&self, code: Arc<str>, module: bool) {
        use std::sync::atomic::Ordering;
        if self.unavailable.load(Ordering::Relaxed) {
            return;
        }
        let mut reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        if reader.is_none() {
            let (queue, jobs) = channel::<(Arc<str>, bool)>();
            let memo = self.memo.clone();
            let spawned = std::thread::Builder::new()
                .name("skimscan-imports-ahead".into())
                .stack_size(READER_STACK)
                .spawn(move || {
                    for (code, module) in jobs {
                        // Kept in the memo, error or not: the module graph reports it.
                        let _ = memo.read(&code, module);
                    }
                });
            match spawned {
                Ok(thread) => *reader = Some(Reader { queue, thread }),
                Err(e) => {
                    tracing::debug!("imports are not read ahead: {e}");
                    self.unavailable.store(true, Ordering::Relaxed);
                    return;
                }
            }
        }
        if let Some(r) = reader.as_ref() {
            // A reader that ended (it cannot, short of a panic) only means this text is read
            // by the module graph instead.
            let _ = r.queue.send((code, module));
        }
    }

    /// Wait until everything queued so far is read (the downloads are done: nothing more
    /// comes). Later [`ImportsAhead::submit`]s start a new reader.
    pub async fn settle(&self) {
        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(Reader { queue, thread }) = reader {
            drop(queue);
            // A reader that panicked read some scripts; the module graph reads the rest.
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn read_ahead_gives_what_reading_later_gives() {
        let ahead = ImportsAhead::default();
        let module: Arc<str> = Arc::from("import a from './a.js'; export * from './b.js';");
        let classic: Arc<str> = Arc::from("import('./lazy.js'); var x = 1;");
        let plain: Arc<str> = Arc::from("var y = 2;");
        ahead.submit(module.clone(), true);
        ahead.submit(classic.clone(), false);
        ahead.submit(plain.clone(), false);
        ahead.settle().await;
        let memo = ahead.memo();
        assert_eq!(memo.get(&module, true), Some(imports(&module, true)));
        assert_eq!(memo.get(&classic, false), Some(imports(&classic, false)));
        assert_eq!(memo.get(&plain, false), Some(Ok(Imports::default())));
        // Read as a module it is another reading, not read yet: the module graph reads it.
        assert_eq!(memo.get(&classic, true), None);
        let specifiers: Vec<String> = memo
            .get(&module, true)
            .and_then(Result::ok)
            .map(|i| i.imports.into_iter().map(|i| i.specifier).collect())
            .unwrap_or_default();
        assert_eq!(specifiers, ["./a.js", "./b.js"]);
        // The same bytes in another allocation are another text: read on their own.
        let copy: Arc<str> = Arc::from(&*module);
        assert_eq!(memo.get(&copy, true), None);
    }

    #[test]
    fn the_word_check_agrees_with_parsing() {
        let cases = [
            "var important = 1; x.imports = 2; module.exports = {};",
            "import('./a.js')",
            "import /* c */ ('./b.js')",
            "import\n('./c.js')",
            "x.import('./d.js'); reimport('./e.js'); import_('./f.js'); $import('./g.js')",
            "1import('./h.js')",
            "\\u0069mport('./i.js')",
            "let s = 'import(\"./j.js\")';",
            "export * from './k.js'; export { a } from './l.js';",
            "var exports = {}; exportsX('./m.js');",
            "\u{e9}import('./n.js'); éimport('./o.js'); importé('./p.js')",
        ];
        let memo = Memo::default();
        for case in cases {
            for module in [false, true] {
                let code: Arc<str> = Arc::from(case);
                assert_eq!(
                    memo.read(&code, module),
                    imports(&code, module),
                    "{case:?}, module: {module}"
                );
            }
        }
        assert!(!may_import("var important = 1; module.exports = {};", true));
        assert!(may_import("import('./a.js')", false));
    }

    #[test]
    fn deep_code_with_the_letters_only_is_still_too_deep() {
        let memo = Memo::default();
        let deep: Arc<str> = Arc::from(format!("var important;{}", "[".repeat(100_000)));
        assert_eq!(memo.read(&deep, false), imports(&deep, false));
        assert_eq!(memo.read(&deep, false), Err(ImportsError::TooDeep));
        let plain: Arc<str> = Arc::from("[".repeat(100_000));
        assert_eq!(memo.read(&plain, false), Ok(Imports::default()));
    }

    #[tokio::test]
    async fn a_too_deep_script_is_an_error_read_ahead_too() {
        let ahead = ImportsAhead::default();
        let deep: Arc<str> = Arc::from(format!("import('x');{}", "(".repeat(100_000)));
        ahead.submit(deep.clone(), false);
        ahead.settle().await;
        assert_eq!(
            ahead.memo().get(&deep, false),
            Some(Err(ImportsError::TooDeep))
        );
    }
}
