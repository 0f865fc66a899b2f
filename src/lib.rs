//! skimscan: a payment-page skimmer scanner.
//!
//! The library is a one-way pipeline: targets → pages → scripts → facts → findings → report.
//! `main.rs` only parses arguments and calls [`app::run`]; tests and benchmarks drive the same
//! code the command line does.

pub mod alert;
pub mod app;
pub mod baseline;
pub mod baseline_cmd;
pub mod browser;
pub mod cache;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod command;
pub mod config;
pub mod csp;
pub mod encoded;
pub mod evidence;
pub mod fetch;
pub mod finding;
pub mod fleet;
pub mod fleet_cmd;
pub mod har;
pub mod history;
pub mod history_cmd;
pub mod hosts;
pub mod incident;
pub mod inventory;
pub mod js;
pub mod normalise;
pub mod output;
pub mod page;
pub mod report;
pub mod rules;
pub mod scan;
pub mod script_kind;
pub mod spinner;
pub mod target;
pub mod text;
