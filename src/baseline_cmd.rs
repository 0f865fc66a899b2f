//! `skimscan baseline create|update` and `scan --baseline`: the glue between the command line
//! and `crate::baseline` (temporary until the baseline library lands).

use crate::app::UsageError;
use crate::cli::BaselineCommand;
use crate::hosts::HostPattern;
use crate::rules::RuleSet;
use crate::scan::ScanOutcome;
use std::path::Path;

pub struct Loaded;

pub fn load(path: &Path) -> Result<Loaded, UsageError> {
    Err(UsageError(format!(
        "{}: baselines are not supported yet",
        path.display()
    )))
}

pub fn authorised_hosts(_b: &Loaded) -> Vec<HostPattern> {
    Vec::new()
}

pub fn compare(_b: &Loaded, _path: &Path, _outcome: &mut ScanOutcome, _rules: &RuleSet) {}

pub fn run(_cmd: BaselineCommand, _quiet: bool) -> Result<u8, UsageError> {
    Err(UsageError("baselines are not supported yet".into()))
}
