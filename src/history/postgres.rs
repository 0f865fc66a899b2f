//! The PostgreSQL history backend (`--history postgres://…`): one database every shard of a
//! fleet records into, with the same schema and migration files as the embedded SQLite one.
//!
//! - The synchronous `postgres` crate (rust-postgres, the maintained driver `tokio-postgres`
//!   wrapped in its own small runtime) fits the synchronous `HistoryStore` trait the SQLite
//!   backend already implements; nothing above the trait changes.
//! - The URL's password is never shown: every message names the database by [`redact`]ed URL,
//!   and the driver's own messages are scrubbed of the password too.
//! - Connecting can never hang a scan: the driver's `connect_timeout` only bounds the TCP
//!   connect, so the whole connection (TCP, start-up, authentication) runs on a helper thread
//!   that is given up on after the deadline — a server that accepts and then says nothing is
//!   an error like an unreachable one.
//! - Shards migrate and record at the same time: migrations run under a transaction-scoped
//!   advisory lock, and a report recorded twice (an import repeated) is caught by the unique
//!   report hash with `ON CONFLICT`, not by a check that could race.
//! - TLS is not offered (the connection is made without it; `sslmode=prefer`, the default,
//!   falls back to plain text, `sslmode=require` is refused with a clear message): reach the
//!   database over a trusted network, a Unix socket path or a local tunnel.

use super::migrations::{self, Dialect};
use super::record::ScanRecord;
use super::{
    AlertedFinding, HistoryError, HistoryStore, Recorded, ScanSummary, ScriptQuery, Sighting,
};
use postgres::{Client, NoTls};
use std::cell::RefCell;
use std::str::FromStr;
use std::time::Duration;

/// The TCP connect limit when the URL sets no `connect_timeout`.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed after the TCP connect for start-up and authentication.
const HANDSHAKE_GRACE: Duration = Duration::from_secs(5);
/// Idle time before TCP keepalive probes start, unless the URL says otherwise.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
/// The advisory lock key migrations hold (any constant; "skimscan" in ASCII, truncated).
const MIGRATION_LOCK: i64 = 0x736b_696d_7363_616e;

/// Whether `--history` names a PostgreSQL database.
pub fn is_url(spec: &str) -> bool {
    let lower = spec.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The URL with its password replaced by `***`, for every message. Works on text that is not
/// a valid URL too (the userinfo is everything between `://` and the authority's last `@`).
pub fn redact(spec: &str) -> String {
    let Some(scheme_end) = spec.find("://") else {
        return spec.to_string();
    };
    let rest_start = scheme_end + 3;
    let rest = &spec[rest_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return spec.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return spec.to_string();
    };
    format!(
        "{}{}:***{}",
        &spec[..rest_start],
        &userinfo[..colon],
        &spec[rest_start + at..]
    )
}

/// The password a URL carries, raw and percent-decoded, to scrub from the driver's messages.
fn secrets_of(spec: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(u) = url::Url::parse(spec)
        && let Some(p) = u.password()
        && !p.is_empty()
    {
        out.push(p.to_string());
        let decoded = url::form_urlencoded::parse(format!("p={p}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned());
        if let Some(d) = decoded.filter(|d| d != p && !d.is_empty()) {
            out.push(d);
        }
    }
    // Also `password=` given as a query parameter.
    if let Some(q) = spec.split_once('?').map(|(_, q)| q) {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            if k == "password" && !v.is_empty() {
                out.push(v.into_owned());
            }
        }
    }
    out
}

pub struct Postgres {
    client: RefCell<Client>,
    /// The URL without its password.
    name: String,
    secrets: Vec<String>,
}

impl Postgres {
    pub fn open(spec: &str) -> Result<Postgres, HistoryError> {
        let name = redact_query(&redact(spec.trim()));
        let secrets = secrets_of(spec.trim());
        let scrub = |m: String| scrub(m, &secrets);
        let fail = |message: String| HistoryError::Store {
            db: name.clone(),
            message: scrub(message),
        };
        let mut config = postgres::Config::from_str(spec.trim())
            .map_err(|e| fail(format!("not a usable PostgreSQL URL: {}", describe(&e))))?;
        if config.get_ssl_mode() == postgres::config::SslMode::Require {
            return Err(fail(
                "sslmode=require: this skimscan connects to PostgreSQL without TLS \
                 (use a trusted network, a Unix socket or a local tunnel)"
                    .into(),
            ));
        }
        let connect_timeout = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        config.connect_timeout(connect_timeout);
        // A scan holds the connection for minutes before recording: keep it alive through
        // NAT and firewall idle limits (libpq's default probes only after two hours).
        if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
            config.keepalives_idle(KEEPALIVE_IDLE);
        }
        if config.get_application_name().is_none() {
            config.application_name("skimscan");
        }
        let hosts = config.get_hosts().len().max(1) as u32;
        let deadline = connect_timeout * hosts + HANDSHAKE_GRACE;
        let (tx, rx) = std::sync::mpsc::channel();
        // The driver builds its own runtime: connect on a thread of its own, so a hung server
        // costs at most the deadline (the thread is left behind; the process exits soon).
        std::thread::Builder::new()
            .name("history-connect".into())
            .spawn(move || {
                let _ = tx.send(config.connect(NoTls));
            })
            .map_err(|e| fail(format!("cannot start connecting: {e}")))?;
        let client = match rx.recv_timeout(deadline) {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                return Err(fail(format!(
                    "cannot connect to PostgreSQL: {}",
                    describe(&e)
                )));
            }
            Err(_) => {
                return Err(fail(format!(
                    "cannot connect to PostgreSQL: no answer within {} s",
                    deadline.as_secs()
                )));
            }
        };
        let store = Postgres {
            client: RefCell::new(client),
            name,
            secrets,
        };
        store.migrate()?;
        Ok(store)
    }

    fn err(&self, e: postgres::Error) -> HistoryError {
        HistoryError::Store {
            db: self.name.clone(),
            message: scrub(describe(&e), &self.secrets),
        }
    }

    /// Bring the schema up to date under an advisory lock (shards starting together queue on
    /// it, and the second finds the work done). A newer schema is refused, not downgraded.
    fn migrate(&self) -> Result<(), HistoryError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.err(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(|e| self.err(e))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .map_err(|e| self.err(e))?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                &[],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        if current > migrations::newest() {
            return Err(HistoryError::Store {
                db: self.name.clone(),
                message: migrations::too_new(current),
            });
        }
        for (version, sql) in migrations::MIGRATIONS.iter().filter(|m| m.0 > current) {
            tx.batch_execute(&migrations::render(sql, Dialect::Postgres))
                .map_err(|e| self.err(e))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &crate::clock::now_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }
}

/// Hide `password=` query parameters in a shown URL.
fn redact_query(shown: &str) -> String {
    let Some((base, query)) = shown.split_once('?') else {
        return shown.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

fn scrub(mut message: String, secrets: &[String]) -> String {
    for s in secrets {
        message = message.replace(s.as_str(), "***");
    }
    message
}

/// The driver's error with its cause: the server's own message for a database error.
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn bool_int(b: bool) -> i64 {
    i64::from(b)
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

impl HistoryStore for Postgres {
    fn record(&mut self, scan: &ScanRecord) -> Result<Recorded, HistoryError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.err(e))?;
        let inserted = tx
            .query_opt(
                "INSERT INTO scans (started_at, finished_at, verdict, complete, source, report_sha256)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (report_sha256) DO NOTHING
                 RETURNING id",
                &[
                    &scan.started_at,
                    &scan.finished_at,
                    &scan.verdict,
                    &bool_int(scan.complete),
                    &scan.source,
                    &scan.report_sha256,
                ],
            )
            .map_err(|e| self.err(e))?;
        let Some(row) = inserted else {
            let id: i64 = tx
                .query_one(
                    "SELECT id FROM scans WHERE report_sha256 = $1",
                    &[&scan.report_sha256],
                )
                .map_err(|e| self.err(e))?
                .get(0);
            return Ok(Recorded::AlreadyThere(id));
        };
        let id: i64 = row.get(0);
        let site = tx
            .prepare("INSERT INTO scan_sites (scan_id, site) VALUES ($1, $2)")
            .map_err(|e| self.err(e))?;
        for s in &scan.sites {
            tx.execute(&site, &[&id, s]).map_err(|e| self.err(e))?;
        }
        let page = tx
            .prepare("INSERT INTO scan_pages (scan_id, url, payment_form) VALUES ($1, $2, $3)")
            .map_err(|e| self.err(e))?;
        for p in &scan.pages {
            tx.execute(&page, &[&id, &p.url, &bool_int(p.payment_form)])
                .map_err(|e| self.err(e))?;
        }
        let script = tx
            .prepare(
                "INSERT INTO scan_scripts (scan_id, page, url, script_id, kind, sha256)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .map_err(|e| self.err(e))?;
        for s in &scan.scripts {
            tx.execute(
                &script,
                &[&id, &s.page, &s.url, &s.script_id, &s.kind, &s.sha256],
            )
            .map_err(|e| self.err(e))?;
        }
        let finding = tx
            .prepare(
                "INSERT INTO scan_findings (scan_id, rule, severity, page, script, hosts)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .map_err(|e| self.err(e))?;
        for f in &scan.findings {
            tx.execute(
                &finding,
                &[&id, &f.rule, &f.severity, &f.page, &f.script, &f.hosts],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Recorded::New(id))
    }

    fn list(&self, site: Option<&str>) -> Result<Vec<ScanSummary>, HistoryError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT s.id, s.started_at, s.finished_at, s.verdict, s.complete, s.source,
                    (SELECT COUNT(*) FROM scan_pages p WHERE p.scan_id = s.id),
                    (SELECT COUNT(*) FROM scan_scripts c WHERE c.scan_id = s.id),
                    (SELECT COUNT(*) FROM scan_findings f WHERE f.scan_id = s.id),
                    (SELECT string_agg(t.site, E'\\n' ORDER BY t.site)
                        FROM scan_sites t WHERE t.scan_id = s.id)
                 FROM scans s
                 WHERE $1::TEXT IS NULL OR EXISTS
                    (SELECT 1 FROM scan_sites t WHERE t.scan_id = s.id AND t.site = $1::TEXT)
                 ORDER BY s.started_at, s.id",
                &[&site],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| {
                let sites: Option<String> = r.get(9);
                ScanSummary {
                    id: r.get(0),
                    started_at: r.get(1),
                    finished_at: r.get(2),
                    verdict: r.get(3),
                    complete: r.get::<_, i64>(4) != 0,
                    source: r.get(5),
                    pages: count(r.get(6)),
                    scripts: count(r.get(7)),
                    findings: count(r.get(8)),
                    sites: sites
                        .map(|s| s.split('\n').map(str::to_string).collect())
                        .unwrap_or_default(),
                }
            })
            .collect())
    }

    fn sightings(&self, query: &ScriptQuery) -> Result<Vec<Sighting>, HistoryError> {
        let (column, value) = match query {
            ScriptQuery::Sha256(h) => ("c.sha256", h.as_str()),
            ScriptQuery::Url(u) => ("c.url", u.as_str()),
        };
        let sql = format!(
            "SELECT s.id, s.started_at, c.page, c.url, c.sha256
             FROM scan_scripts c JOIN scans s ON s.id = c.scan_id
             WHERE {column} = $1
             ORDER BY s.started_at, s.id, c.page"
        );
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &[&value])
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| Sighting {
                scan_id: r.get(0),
                started_at: r.get(1),
                page: r.get(2),
                url: r.get(3),
                sha256: r.get(4),
            })
            .collect())
    }

    fn scans_of_pages(&self, pages: &[String]) -> Result<Vec<(i64, String)>, HistoryError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT DISTINCT s.id, s.started_at FROM scans s JOIN scan_pages p
                 ON p.scan_id = s.id WHERE p.url = ANY($1)
                 ORDER BY s.started_at, s.id",
                &[&pages],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn alerted(&self, sites: &[String]) -> Result<Vec<AlertedFinding>, HistoryError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT site, rule, script, hosts, severity, page, alerted_at FROM alert_state
                 WHERE site = ANY($1) ORDER BY site, rule, script, hosts",
                &[&sites],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| AlertedFinding {
                site: r.get(0),
                rule: r.get(1),
                script: r.get(2),
                hosts: r.get(3),
                severity: r.get(4),
                page: r.get(5),
                alerted_at: r.get(6),
            })
            .collect())
    }

    fn update_alerted(
        &mut self,
        alerted: &[AlertedFinding],
        resolved: &[AlertedFinding],
    ) -> Result<(), HistoryError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.err(e))?;
        let add = tx
            .prepare(
                "INSERT INTO alert_state (site, rule, script, hosts, severity, page, alerted_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (site, rule, script, hosts) DO NOTHING",
            )
            .map_err(|e| self.err(e))?;
        for a in alerted {
            tx.execute(
                &add,
                &[
                    &a.site,
                    &a.rule,
                    &a.script,
                    &a.hosts,
                    &a.severity,
                    &a.page,
                    &a.alerted_at,
                ],
            )
            .map_err(|e| self.err(e))?;
        }
        let forget = tx
            .prepare(
                "DELETE FROM alert_state
                 WHERE site = $1 AND rule = $2 AND script = $3 AND hosts = $4",
            )
            .map_err(|e| self.err(e))?;
        for r in resolved {
            tx.execute(&forget, &[&r.site, &r.rule, &r.script, &r.hosts])
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redact("postgres://scan:hunter2@db.internal:5432/skimscan"),
            "postgres://scan:***@db.internal:5432/skimscan"
        );
        assert_eq!(
            redact("postgresql://scan:p%40ss@h/db?sslmode=disable"),
            "postgresql://scan:***@h/db?sslmode=disable"
        );
        // A password holding `@` unescaped: the authority's last `@` ends the userinfo.
        assert_eq!(redact("postgres://u:a@b@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(
            redact_query("postgres://h/db?user=u&password=x&sslmode=disable"),
            "postgres://h/db?user=u&password=***&sslmode=disable"
        );
        assert_eq!(
            secrets_of("postgres://u:p%40ss@h/db?password=other"),
            ["p%40ss", "p@ss", "other"]
        );
    }

    #[test]
    fn only_postgres_urls_are_postgres() {
        assert!(is_url("postgres://h/db"));
        assert!(is_url("PostgreSQL://h/db"));
        assert!(!is_url("history.db"));
        assert!(!is_url("/var/lib/postgres://x"));
    }
}
