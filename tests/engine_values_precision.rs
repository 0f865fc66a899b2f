//! Precision about what is read (issue 9, class 6): masked session replay, address
//! autocomplete, keystroke timing and Luhn checks read no card data; keyloggers and
//! listeners that send the typed value still do.

mod engine_support;
use engine_support::check_dir;

#[test]
fn what_is_read_decides_the_severity() {
    let (skim, legit) = check_dir("precision");
    assert!(
        skim >= 2 && legit >= 4,
        "{skim} skimmers, {legit} legitimate"
    );
}
