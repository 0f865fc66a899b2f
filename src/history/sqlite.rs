//! The embedded history backend: one SQLite file (rusqlite with SQLite compiled in, so nothing
//! needs installing), created and migrated on first use.
//!
//! Several scans may record at once (a cron job per site, a CI matrix): the database runs in
//! WAL mode so readers never block the writer, every write is one `BEGIN IMMEDIATE`
//! transaction (a writer takes the lock up front instead of failing half-way on upgrade), and
//! a busy database is waited for rather than reported as an error.

use super::migrations::{self, Dialect};
use super::record::ScanRecord;
use super::{
    AlertedFinding, HistoryError, HistoryStore, Recorded, ScanSummary, ScriptQuery, Sighting,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Sqlite {
    conn: Connection,
    name: String,
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Sqlite, HistoryError> {
        let name = path.display().to_string();
        let err = |e: rusqlite::Error| HistoryError::Store {
            db: name.clone(),
            message: e.to_string(),
        };
        if path.is_dir() {
            return Err(HistoryError::Store {
                db: name,
                message: "is a directory".into(),
            });
        }
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        migrate(&mut conn).map_err(err)?;
        Ok(Sqlite { conn, name })
    }

    fn err(&self, e: rusqlite::Error) -> HistoryError {
        HistoryError::Store {
            db: self.name.clone(),
            message: e.to_string(),
        }
    }
}

/// Bring the schema up to date; concurrent openers queue on the immediate transaction, and the
/// second finds the work done. A database from a newer skimscan is refused, not downgraded.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    let current: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    if current > migrations::newest() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
            Some(migrations::too_new(current)),
        ));
    }
    for (version, sql) in migrations::MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(&migrations::render(sql, Dialect::Sqlite))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, crate::clock::now_rfc3339()],
        )?;
    }
    tx.commit()
}

fn bool_int(b: bool) -> i64 {
    i64::from(b)
}

impl HistoryStore for Sqlite {
    fn record(&mut self, scan: &ScanRecord) -> Result<Recorded, HistoryError> {
        let name = self.name.clone();
        let err = |e: rusqlite::Error| HistoryError::Store {
            db: name.clone(),
            message: e.to_string(),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM scans WHERE report_sha256 = ?1",
                [&scan.report_sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        if let Some(id) = existing {
            return Ok(Recorded::AlreadyThere(id));
        }
        tx.execute(
            "INSERT INTO scans (started_at, finished_at, verdict, complete, source, report_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                scan.started_at,
                scan.finished_at,
                scan.verdict,
                bool_int(scan.complete),
                scan.source,
                scan.report_sha256
            ],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        {
            let mut site = tx
                .prepare("INSERT INTO scan_sites (scan_id, site) VALUES (?1, ?2)")
                .map_err(err)?;
            for s in &scan.sites {
                site.execute(params![id, s]).map_err(err)?;
            }
            let mut page = tx
                .prepare("INSERT INTO scan_pages (scan_id, url, payment_form) VALUES (?1, ?2, ?3)")
                .map_err(err)?;
            for p in &scan.pages {
                page.execute(params![id, p.url, bool_int(p.payment_form)])
                    .map_err(err)?;
            }
            let mut script = tx
                .prepare(
                    "INSERT INTO scan_scripts (scan_id, page, url, script_id, kind, sha256)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            for s in &scan.scripts {
                script
                    .execute(params![id, s.page, s.url, s.script_id, s.kind, s.sha256])
                    .map_err(err)?;
            }
            let mut finding = tx
                .prepare(
                    "INSERT INTO scan_findings (scan_id, rule, severity, page, script, hosts)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            for f in &scan.findings {
                finding
                    .execute(params![id, f.rule, f.severity, f.page, f.script, f.hosts])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(Recorded::New(id))
    }

    fn list(&self, site: Option<&str>) -> Result<Vec<ScanSummary>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.started_at, s.finished_at, s.verdict, s.complete, s.source,
                    (SELECT COUNT(*) FROM scan_pages p WHERE p.scan_id = s.id),
                    (SELECT COUNT(*) FROM scan_scripts c WHERE c.scan_id = s.id),
                    (SELECT COUNT(*) FROM scan_findings f WHERE f.scan_id = s.id),
                    (SELECT GROUP_CONCAT(site, char(10)) FROM
                        (SELECT site FROM scan_sites t WHERE t.scan_id = s.id ORDER BY site))
                 FROM scans s
                 WHERE ?1 IS NULL OR EXISTS
                    (SELECT 1 FROM scan_sites t WHERE t.scan_id = s.id AND t.site = ?1)
                 ORDER BY s.started_at, s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([site], |r| {
                let sites: Option<String> = r.get(9)?;
                Ok(ScanSummary {
                    id: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    verdict: r.get(3)?,
                    complete: r.get::<_, i64>(4)? != 0,
                    source: r.get(5)?,
                    pages: r.get::<_, i64>(6)?.max(0) as u64,
                    scripts: r.get::<_, i64>(7)?.max(0) as u64,
                    findings: r.get::<_, i64>(8)?.max(0) as u64,
                    sites: sites
                        .map(|s| s.split('\n').map(str::to_string).collect())
                        .unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    fn sightings(&self, query: &ScriptQuery) -> Result<Vec<Sighting>, HistoryError> {
        let (column, value) = match query {
            ScriptQuery::Sha256(h) => ("c.sha256", h.as_str()),
            ScriptQuery::Url(u) => ("c.url", u.as_str()),
        };
        let sql = format!(
            "SELECT s.id, s.started_at, c.page, c.url, c.sha256
             FROM scan_scripts c JOIN scans s ON s.id = c.scan_id
             WHERE {column} = ?1
             ORDER BY s.started_at, s.id, c.page"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([value], |r| {
                Ok(Sighting {
                    scan_id: r.get(0)?,
                    started_at: r.get(1)?,
                    page: r.get(2)?,
                    url: r.get(3)?,
                    sha256: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    fn scans_of_pages(&self, pages: &[String]) -> Result<Vec<(i64, String)>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT s.id, s.started_at FROM scans s JOIN scan_pages p
                 ON p.scan_id = s.id WHERE p.url = ?1",
            )
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for page in pages {
            let rows = stmt
                .query_map([page], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                out.push(row.map_err(|e| self.err(e))?);
            }
        }
        out.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
        out.dedup();
        Ok(out)
    }

    fn alerted(&self, sites: &[String]) -> Result<Vec<AlertedFinding>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT site, rule, script, hosts, severity, page, alerted_at FROM alert_state
                 WHERE site = ?1 ORDER BY rule, script, hosts",
            )
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for site in sites {
            let rows = stmt
                .query_map([site], |r| {
                    Ok(AlertedFinding {
                        site: r.get(0)?,
                        rule: r.get(1)?,
                        script: r.get(2)?,
                        hosts: r.get(3)?,
                        severity: r.get(4)?,
                        page: r.get(5)?,
                        alerted_at: r.get(6)?,
                    })
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                out.push(row.map_err(|e| self.err(e))?);
            }
        }
        Ok(out)
    }

    fn update_alerted(
        &mut self,
        alerted: &[AlertedFinding],
        resolved: &[AlertedFinding],
    ) -> Result<(), HistoryError> {
        let name = self.name.clone();
        let err = |e: rusqlite::Error| HistoryError::Store {
            db: name.clone(),
            message: e.to_string(),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        {
            let mut add = tx
                .prepare(
                    "INSERT INTO alert_state
                        (site, rule, script, hosts, severity, page, alerted_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (site, rule, script, hosts) DO NOTHING",
                )
                .map_err(err)?;
            for a in alerted {
                add.execute(params![
                    a.site,
                    a.rule,
                    a.script,
                    a.hosts,
                    a.severity,
                    a.page,
                    a.alerted_at
                ])
                .map_err(err)?;
            }
            let mut forget = tx
                .prepare(
                    "DELETE FROM alert_state
                     WHERE site = ?1 AND rule = ?2 AND script = ?3 AND hosts = ?4",
                )
                .map_err(err)?;
            for r in resolved {
                forget
                    .execute(params![r.site, r.rule, r.script, r.hosts])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}
