//! `--history postgres://…`: what only the PostgreSQL backend has. A server that is not there,
//! one that accepts and never answers, a URL that is not one, and a wrong password are each a
//! clear exit 2 that never shows the password; never a panic, never a hang. Against a real
//! server (SKIMSCAN_TEST_POSTGRES, tests/history_support): the schema is the migrations', once,
//! and shards opening a new database together all succeed.

mod common;
mod history_support;

use common::skimscan;
use history_support::Backend;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Tr0ub4dor-and-3";

fn history_list(spec: &str) -> (i32, String, String, Duration) {
    let t = Instant::now();
    let out = skimscan()
        .env_remove("SKIMSCAN_HISTORY")
        .args(["history", "list", "--history", spec])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed(),
    )
}

fn assert_clean_refusal(spec: &str, code: i32, out: &str, err: &str) {
    assert_eq!(code, 2, "{spec}: {err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("history postgres"), "{err}");
    assert!(!err.contains(PASSWORD), "the password was shown: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A port on 127.0.0.1 nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn an_unreachable_server_is_exit_2_without_the_password() {
    let spec = format!(
        "postgres://scanner:{PASSWORD}@127.0.0.1:{}/skimscan",
        closed_port()
    );
    let (code, out, err, _) = history_list(&spec);
    assert_clean_refusal(&spec, code, &out, &err);
    assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
    assert!(err.contains("scanner:***@127.0.0.1"), "{err}");

    // The same through SKIMSCAN_HISTORY for a scan: nothing scanned, nothing printed.
    let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/shop");
    let out = skimscan()
        .env("SKIMSCAN_HISTORY", &spec)
        .args(["scan", shop])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_clean_refusal(&spec, out.status.code().unwrap_or(-1), "", &err);
    assert!(out.stdout.is_empty());
}

#[test]
fn a_server_that_never_answers_cannot_hang_the_command() {
    // Accepts the connection, then says nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in listener.incoming().take(1) {
            conns.push(c);
            std::thread::sleep(Duration::from_secs(30));
        }
    });
    let spec = format!("postgres://scanner:{PASSWORD}@127.0.0.1:{port}/skimscan?connect_timeout=1");
    let (code, out, err, took) = history_list(&spec);
    assert_clean_refusal(&spec, code, &out, &err);
    assert!(err.contains("no answer within"), "{err}");
    // connect_timeout (1 s) and the 5 s allowed for start-up; far below a hang.
    assert!(took < Duration::from_secs(20), "{took:?}");
    drop(held);
}

#[test]
fn a_bad_url_is_exit_2_without_the_password() {
    for spec in [
        format!("postgres://scanner:{PASSWORD}@127.0.0.1:notaport/db"),
        format!("postgres://scanner:{PASSWORD}@127.0.0.1/db?sslmode=sometimes"),
        format!("postgresql://scanner:{PASSWORD}@[::1/db"),
    ] {
        let (code, out, err, _) = history_list(&spec);
        assert_clean_refusal(&spec, code, &out, &err);
    }
    // TLS is not offered: said plainly rather than failing somewhere in the handshake.
    let spec = format!("postgres://scanner:{PASSWORD}@127.0.0.1:1/db?sslmode=require");
    let (code, out, err, _) = history_list(&spec);
    assert_clean_refusal(&spec, code, &out, &err);
    assert!(err.contains("TLS"), "{err}");
}

crate::on_both_backends!(the_schema_is_the_migrations_applied_once);

fn the_schema_is_the_migrations_applied_once(backend: &Backend) {
    let db = backend.db("schema");
    // Four processes open the new database at once (shards starting together).
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_skimscan"))
                .args(["history", "list", "--history", &db.spec])
                .env_remove("SKIMSCAN_HISTORY")
                .output()
                .unwrap()
        })
        .collect();
    for out in children {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "no scans recorded\n");
    }
    let versions = schema_versions(backend, &db.spec);
    assert_eq!(versions, [1, 2]);
}

/// The versions in schema_migrations, read with the backend's own client.
fn schema_versions(backend: &Backend, spec: &str) -> Vec<i64> {
    if backend.is_postgres() {
        let mut c = postgres::Client::connect(spec, postgres::NoTls).unwrap();
        c.query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    } else {
        let c = rusqlite::Connection::open(spec).unwrap();
        let mut st = c
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

#[test]
fn a_wrong_password_is_exit_2_without_either_password() {
    let Some(Backend::Postgres { admin_url }) = Backend::postgres("a_wrong_password") else {
        return;
    };
    let mut url = url::Url::parse(&admin_url).unwrap();
    let real = url.password().unwrap_or_default().to_string();
    if real.is_empty() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED a_wrong_password: SKIMSCAN_TEST_POSTGRES has no password to get wrong"
        );
        return;
    }
    url.set_password(Some(PASSWORD)).unwrap();
    let spec = url.to_string();
    let (code, out, err, _) = history_list(&spec);
    assert_clean_refusal(&spec, code, &out, &err);
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(!err.contains(&real), "{err}");
}
