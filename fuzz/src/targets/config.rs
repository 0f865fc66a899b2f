//! Target `config`: `skimscan.toml` text, resolved the way `--config` does it. A bad file is
//! refused naming the file (never as a usage error about an option the user did not type);
//! a good one yields settings inside their documented ranges, with relative paths anchored
//! at the file's directory.

use skimscan::cli::ScanOptions;
use skimscan::config::{ConfigError, resolve_text};
use std::path::Path;

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/srv/shop/skimscan.toml");
    match resolve_text(&ScanOptions::default(), path, text) {
        Ok(config) => {
            assert!((1..=1024).contains(&config.fetch.concurrency));
            assert!((1..=1024).contains(&config.fetch.per_host));
            assert!(config.fetch.retries <= 10);
            assert!(config.max_pages >= 1);
            assert!(config.fetch.max_body >= 1);
            let timeout = config.fetch.timeout.as_secs_f64();
            assert!(timeout <= 3600.0, "timeout {timeout}");
            for dir in &config.rules_dirs {
                assert!(
                    dir.is_absolute(),
                    "rules dir {dir:?} not anchored at the file"
                );
            }
        }
        Err(ConfigError::File { path: named, .. }) => assert_eq!(named, path),
        Err(e @ ConfigError::Usage(_)) => panic!("a file problem reported as usage: {e}"),
    }
}
