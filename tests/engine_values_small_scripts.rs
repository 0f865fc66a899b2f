//! Small scripts run on the stub page whenever they read fields' values, make fields of
//! their own, name card fields in selectors or hook a DOM interface's prototype (issue 9):
//! fields found by their captions, their shape or a table of selectors walked in a loop, a
//! wrapped `value` getter, and sends the static walk has no row for (a web font's URL, a
//! module import, a style sheet's `@import`), are what a run shows. So are keyloggers that
//! never read a value (`e.key` added up), cards carried in a request header or a link's
//! `ping`, and data parked behind a blob URL, in a performance mark, in an abort's reason or
//! in an attribute a mutation observer watches (taken from the `formdata` event), an
//! endpoint decrypted and a card sealed with `crypto.subtle`, a rule added to a style sheet,
//! and fields found by the captions a German customer reads. So do small loaders: a second
//! stage kept in a PNG's pixels (drawn on a canvas and read back) or gzip'd and unpacked
//! with a `DecompressionStream`, run by `Function` or as a script element's text, and a
//! frame's code that only exists as `srcdoc` markup put together at run time. The
//! legitimate twins (a chat widget that sends the visitor's name, a vault on the shop's own
//! subdomain, typing-rhythm fraud checks, a placeholder image's average colour, gzip'd label
//! translations, a help frame written with `srcdoc`) stay below high.

mod engine_support;
use engine_support::check_dir;

#[test]
fn small_scripts_are_run_and_their_flows_named() {
    let (skim, legit) = check_dir("run_small");
    assert!(
        skim >= 6 && legit >= 2,
        "{skim} skimmers, {legit} legitimate"
    );
}
