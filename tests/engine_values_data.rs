//! Data values (issue 9, classes 2/3/4/6): variables assigned in several places (every
//! value named), arrays changed before use (`splice`, `unshift`,
//! `shift`, index assignment), workers whose code is carried in a `data:` URL or a Blob
//! built from a template string, data staged on `document.body`/`<html>` (`dataset`,
//! `setAttribute('data-…')`) and read back, and a card field's listener reading `this.value`.
//! A card field kept in a global and read only for a length, a test or a masked copy is not
//! card data; one whose value is also read raw still is; a count of filled fields is not a
//! harvest, mapping them is (class 6).
//! Each skimmer names its host; each look-alike stays quiet.

mod engine_support;
use engine_support::check_dir;

#[test]
fn data_values_are_followed() {
    let (skim, legit) = check_dir("data");
    assert!(
        skim >= 4 && legit >= 2,
        "{skim} skimmers, {legit} legitimate"
    );
}
