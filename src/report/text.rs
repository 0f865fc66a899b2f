//! The text report for people: verdict first, then findings grouped by page, each with its rule,
//! severity, location and a code frame.
