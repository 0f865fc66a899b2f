//! The terminal spinner `scan` shows on stderr while it works (cli.md: off with
//! `--no-progress`, `--quiet`, or when stderr is not a terminal). The command layer owns it and
//! hands it to the scan as its [`Progress`] reporter.

use crate::scan::progress::Progress;
use indicatif::{ProgressBar, ProgressStyle};

pub struct Spinner(ProgressBar);

impl Spinner {
    pub fn start() -> Spinner {
        let b = ProgressBar::new_spinner();
        b.set_style(
            ProgressStyle::with_template("{spinner} {pos} pages {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner(b)
    }
}

impl Progress for Spinner {
    fn page(&self, name: &str) {
        self.0.inc(1);
        self.0.set_message(name.to_string());
    }

    fn stage(&self, name: &str) {
        self.0.set_message(name.to_string());
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
