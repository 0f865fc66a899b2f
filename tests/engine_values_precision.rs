//! Precision about what is read (issue 9, class 6): masked session replay, address
//! autocomplete, keystroke timing and Luhn checks read no card data; nor do error-monitoring
//! breadcrumbs that name the element typed into, the chosen payment method
//! (`payment[method]`), or a FormData read by named `get`s of non-card fields. Keyloggers,
//! listeners and "breadcrumbs" that send the typed value, and FormData sent whole or read by
//! a card field's name, still do.

mod engine_support;
use engine_support::check_dir;

#[test]
fn what_is_read_decides_the_severity() {
    let (skim, legit) = check_dir("precision");
    assert!(
        skim >= 30 && legit >= 34,
        "{skim} skimmers, {legit} legitimate"
    );
}
