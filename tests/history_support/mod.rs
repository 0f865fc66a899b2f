//! The history backends the history tests run against: an embedded SQLite file, and a real
//! PostgreSQL named by `SKIMSCAN_TEST_POSTGRES` (a URL to a role that may create databases;
//! `.ci/run` starts one). Each test gets databases of its own (a fresh file, or a fresh
//! PostgreSQL database dropped afterwards), so tests run in parallel.
//!
//! Without `SKIMSCAN_TEST_POSTGRES` the PostgreSQL variants say they were skipped and pass —
//! except under CI (`CI` set), where a missing server is a failure: CI must not go green on
//! tests it did not run.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const POSTGRES_ENV: &str = "SKIMSCAN_TEST_POSTGRES";

/// Where a test's history databases live.
pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String },
}

/// One history database; `spec` is what `--history` takes.
pub struct Db {
    pub spec: String,
    drop_pg: Option<(String, String)>,
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop_pg
            && let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Backend {
    pub fn sqlite() -> Backend {
        Backend::Sqlite(tempfile::tempdir().unwrap())
    }

    /// The PostgreSQL backend, or None (test skipped) when no server is named outside CI.
    pub fn postgres(test: &str) -> Option<Backend> {
        match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.trim().is_empty() => Some(Backend::Postgres {
                admin_url: url.trim().to_string(),
            }),
            _ if std::env::var_os("CI").is_some() => panic!(
                "{test}: {POSTGRES_ENV} is not set, and under CI the PostgreSQL history tests \
                 must run (.ci/run starts a server and sets it)"
            ),
            _ => {
                // Straight to stderr, not through eprintln!, which the test harness captures:
                // a skip must be seen in a plain `cargo test`.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED {test} on PostgreSQL: set {POSTGRES_ENV}=postgres://user:pw@127.0.0.1:port/db \
                     to run it (CI fails instead of skipping)"
                );
                None
            }
        }
    }

    /// A fresh, empty history database.
    pub fn db(&self, name: &str) -> Db {
        match self {
            Backend::Sqlite(dir) => Db {
                spec: dir.path().join(format!("{name}.db")).display().to_string(),
                drop_pg: None,
            },
            Backend::Postgres { admin_url } => {
                let db = format!(
                    "skimscan_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    name.chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .take(20)
                        .collect::<String>()
                        .to_ascii_lowercase()
                );
                let mut admin = postgres::Client::connect(admin_url, postgres::NoTls)
                    .unwrap_or_else(|e| {
                        panic!("cannot connect to {POSTGRES_ENV} (is the server running?): {e}")
                    });
                admin
                    .batch_execute(&format!("CREATE DATABASE {db}"))
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {db}: {e}"));
                let mut url = url::Url::parse(admin_url).expect("SKIMSCAN_TEST_POSTGRES is a URL");
                url.set_path(&format!("/{db}"));
                Db {
                    spec: url.to_string(),
                    drop_pg: Some((admin_url.clone(), db)),
                }
            }
        }
    }

    /// A scratch directory for the test's other files.
    pub fn scratch(&self) -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Backend::Postgres { .. })
    }
}

impl Db {
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.spec)
    }
}

/// `#[test]`s for each backend: `fn NAME(backend: &Backend)` becomes `on_sqlite::NAME` and
/// `on_postgres::NAME`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&$crate::history_support::Backend::sqlite());
                }
            )*
        }
        mod on_postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(b) = $crate::history_support::Backend::postgres(stringify!($name)) {
                        super::$name(&b);
                    }
                }
            )*
        }
    };
}
