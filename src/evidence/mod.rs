//! `--evidence DIR`: keep what the scan saw so it survives scrutiny later. Every body loaded
//! (pages, scripts, whatever a capture answered with) and the code of every inline script is
//! stored once under `DIR/artifacts/<sha256>`, named by its own hash so anyone can re-check it;
//! `DIR/index.json` says which URLs each artifact was loaded from; `DIR/report.json` is the JSON
//! report; and `DIR/MANIFEST.sha256` lists every file in DIR in the format `sha256sum -c` reads.
//!
//! Nothing is written outside DIR: temporary files are made inside it and renamed. A DIR that
//! already holds files is refused unless `--force`, so one incident's evidence is never mixed
//! into another's; with `--force` only the names this module writes are replaced.

pub mod manifest;

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const ARTIFACTS: &str = "artifacts";
pub const REPORT: &str = "report.json";
pub const INDEX: &str = "index.json";
pub const MANIFEST: &str = "MANIFEST.sha256";

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(
        "--evidence {0}: the directory is not empty (use --force to write into it, replacing an earlier bundle)"
    )]
    NotEmpty(String),
    #[error("--evidence {path}: {message}")]
    Io { path: String, message: String },
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> EvidenceError {
    EvidenceError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// One stored artifact, as `index.json` describes it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArtifactInfo {
    pub size: u64,
    /// Where the bytes came from: the URLs (or `file:` paths) loaded, or `<script id>` for code
    /// in a page.
    pub sources: BTreeSet<String>,
}

/// The artifact store of one scan; shared by every loader task.
#[derive(Debug)]
pub struct Artifacts {
    root: PathBuf,
    dir: PathBuf,
    index: Mutex<BTreeMap<String, ArtifactInfo>>,
    failures: Mutex<Vec<String>>,
}

impl Artifacts {
    /// Check and prepare DIR before anything is scanned (a refusal is a usage error).
    pub fn prepare(root: &Path, force: bool) -> Result<Artifacts, EvidenceError> {
        match std::fs::read_dir(root) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    if !force {
                        return Err(EvidenceError::NotEmpty(root.display().to_string()));
                    }
                    for name in [REPORT, INDEX, MANIFEST] {
                        let p = root.join(name);
                        if p.exists() {
                            std::fs::remove_file(&p).map_err(|e| io_err(&p, e))?;
                        }
                    }
                    let a = root.join(ARTIFACTS);
                    if a.is_dir() {
                        std::fs::remove_dir_all(&a).map_err(|e| io_err(&a, e))?;
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(root).map_err(|e| io_err(root, e))?;
            }
            Err(e) => return Err(io_err(root, e)),
        }
        let dir = root.join(ARTIFACTS);
        std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        Ok(Artifacts {
            root: root.to_path_buf(),
            dir,
            index: Mutex::new(BTreeMap::new()),
            failures: Mutex::new(Vec::new()),
        })
    }

    /// Store `bytes` (once per hash) and remember where they came from.
    pub fn add(&self, source: &str, bytes: &[u8]) {
        let sha = crate::inventory::sha256_hex(bytes);
        let Ok(mut index) = self.index.lock() else {
            return;
        };
        let fresh = !index.contains_key(&sha);
        let info = index.entry(sha.clone()).or_default();
        info.size = bytes.len() as u64;
        info.sources.insert(source.to_string());
        // Written under the index lock, so two tasks loading the same bytes write them once.
        if fresh
            && let Err(e) = write_new(&self.dir, &sha, bytes)
            && let Ok(mut f) = self.failures.lock()
        {
            f.push(format!("{ARTIFACTS}/{sha}: {e}"));
        }
    }

    /// Whether an artifact with this hash is stored.
    pub fn has(&self, sha256: &str) -> bool {
        self.index.lock().is_ok_and(|i| i.contains_key(sha256))
    }

    /// Finish the bundle: code in pages whose bytes no loader saw, `index.json`, `report.json`
    /// and the manifest, written last so it covers everything.
    pub fn finish(
        &self,
        scripts: &[crate::inventory::ScriptRecord],
        sources: &BTreeMap<String, crate::inventory::ScriptText>,
        report_json: &[u8],
    ) -> Result<(), EvidenceError> {
        for s in scripts {
            let (Some(sha), Some(text)) = (&s.sha256, sources.get(&s.id)) else {
                continue;
            };
            if !self.has(sha) && crate::inventory::sha256_hex(text.text.as_bytes()) == *sha {
                self.add(&s.id, text.text.as_bytes());
            }
        }
        if let Ok(f) = self.failures.lock()
            && let Some(first) = f.first()
        {
            return Err(io_err(&self.root, format!("cannot store {first}")));
        }
        let index = self
            .index
            .lock()
            .map(|i| i.clone())
            .map_err(|_| io_err(&self.root, "the artifact index was poisoned"))?;
        let mut index_json =
            serde_json::to_vec_pretty(&index).map_err(|e| io_err(&self.root, e))?;
        index_json.push(b'\n');
        for (name, bytes) in [(INDEX, index_json.as_slice()), (REPORT, report_json)] {
            let p = self.root.join(name);
            crate::output::write_atomic(&p, bytes).map_err(|e| io_err(&p, e))?;
        }
        let text = manifest::build(&self.root, MANIFEST).map_err(|e| io_err(&self.root, e))?;
        let p = self.root.join(MANIFEST);
        crate::output::write_atomic(&p, text.as_bytes()).map_err(|e| io_err(&p, e))
    }
}

/// Write a new artifact: a temporary file in the same folder, renamed, so a crash never
/// leaves a file whose content does not match its name.
fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = dir.join(name);
    if path.exists() {
        return Ok(());
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_non_empty_dir_without_force() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            Artifacts::prepare(d.path(), false),
            Err(EvidenceError::NotEmpty(_))
        ));
        let a = Artifacts::prepare(d.path(), true).unwrap();
        a.add("https://shop.example/a.js", b"var a;");
        a.add("https://cdn.example/a.js", b"var a;");
        a.finish(&[], &BTreeMap::new(), b"{}\n").unwrap();
        // A file already there is kept and listed, not deleted.
        let m = std::fs::read_to_string(d.path().join(MANIFEST)).unwrap();
        assert!(m.contains("  notes.txt\n"), "{m}");
        assert_eq!(m.matches("  artifacts/").count(), 1, "{m}");
    }
}
