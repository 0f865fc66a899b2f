//! The analysis cache on disk: one file per [`AnalysisKey`] under `DIR/analysis-v1/<xx>/`.
//!
//! An entry is a header line (`skimscan-analysis-cache 1 <sha256 of the body>`) and a JSON body
//! holding its own key and the [`Unbound`] result. Reading checks all three, so a truncated, a
//! corrupted, or another version's entry is a miss (and is analysed afresh and rewritten),
//! never a result. Writing goes to a temporary file in the same folder and is renamed into
//! place, so concurrent scans sharing a cache see a whole entry or none. Hits refresh the
//! entry's modification time; [`Store::evict`] deletes the least recently used entries once
//! the folder holds more than its bound.

use super::{AnalysisKey, Unbound};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The default bound on the cache's size on disk (README: Analysis cache).
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;
/// The folder of this entry format; a new format gets a new folder (the old one ages out of
/// the bound, or the user deletes it).
const FORMAT_DIR: &str = "analysis-v1";
const MAGIC: &str = "skimscan-analysis-cache 1 ";
/// No result is anywhere near this; a bigger file is not an entry and is not read.
const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// A temporary file older than this was left by a killed scan.
const STALE_TEMP: Duration = Duration::from_secs(3600);
const TEMP_PREFIX: &str = ".tmp-";

/// Why the cache could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the analysis cache {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write to the analysis cache {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode an analysis cache entry: {0}")]
    Encode(#[from] serde_json::Error),
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    result: Unbound,
}

/// An opened cache folder.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    max_bytes: u64,
}

impl Store {
    /// Open (creating) the cache under `dir`, bounded to `max_bytes`.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Store, StoreError> {
        let root = dir.join(FORMAT_DIR);
        std::fs::create_dir_all(&root).map_err(|source| StoreError::Create {
            path: root.clone(),
            source,
        })?;
        Ok(Store { root, max_bytes })
    }

    fn path(&self, key: &AnalysisKey) -> PathBuf {
        let hex = key.hex();
        self.root.join(&hex[..2]).join(hex)
    }

    /// The entry for `key`, if there is a sound one.
    pub fn get(&self, key: &AnalysisKey) -> Option<Unbound> {
        let path = self.path(key);
        let file = std::fs::File::open(&path).ok()?;
        let mut bytes = Vec::new();
        file.take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        let found = decode(&bytes, key);
        if found.is_none() {
            tracing::debug!(path = %path.display(), "unusable analysis cache entry ignored");
            return None;
        }
        // Least recently *used*: a hit keeps the entry young. Best effort.
        if let Ok(f) = std::fs::File::options().append(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        found
    }

    /// Store `result` under `key`.
    pub fn put(&self, key: &AnalysisKey, result: &Unbound) -> Result<u64, StoreError> {
        let path = self.path(key);
        let bytes = encode(key, result)?;
        let write_err = |source| StoreError::Write {
            path: path.clone(),
            source,
        };
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir).map_err(write_err)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)
            .map_err(write_err)?;
        tmp.write_all(&bytes).map_err(write_err)?;
        tmp.persist(&path).map_err(|e| write_err(e.error))?;
        Ok(bytes.len() as u64)
    }

    /// Delete the least recently used entries until the cache is within its bound, and the
    /// temporary files killed scans left. Failures only leave more on disk.
    pub fn evict(&self) {
        let mut files: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        let now = SystemTime::now();
        let Ok(dirs) = std::fs::read_dir(&self.root) else {
            return;
        };
        for d in dirs.flatten() {
            let Ok(entries) = std::fs::read_dir(d.path()) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(meta) = e.metadata() else { continue };
                if !meta.is_file() {
                    continue;
                }
                let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                if e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                    if now.duration_since(modified).unwrap_or_default() > STALE_TEMP {
                        let _ = std::fs::remove_file(e.path());
                    }
                    continue;
                }
                files.push((modified, meta.len(), e.path()));
            }
        }
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        if total <= self.max_bytes {
            return;
        }
        // Oldest first; the path breaks ties so concurrent evictions agree.
        files.sort();
        for (_, len, path) in files {
            if total <= self.max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(len);
            }
        }
    }
}

fn encode(key: &AnalysisKey, result: &Unbound) -> Result<Vec<u8>, StoreError> {
    let body = serde_json::to_vec(&Entry {
        key: key.hex(),
        result: result.clone(),
    })?;
    let mut out = format!("{MAGIC}{}\n", crate::inventory::sha256_hex(&body)).into_bytes();
    out.extend_from_slice(&body);
    Ok(out)
}

fn decode(bytes: &[u8], key: &AnalysisKey) -> Option<Unbound> {
    let nl = memchr::memchr(b'\n', bytes)?;
    let header = std::str::from_utf8(&bytes[..nl]).ok()?;
    let body = &bytes[nl + 1..];
    let sum = header.strip_prefix(MAGIC)?;
    if Sha256::digest(body)[..] != hex32(sum)?[..] {
        return None;
    }
    let entry: Entry = serde_json::from_slice(body).ok()?;
    (entry.key == key.hex() && entry.result.well_formed()).then_some(entry.result)
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{Fingerprint, Identity};
    use crate::inventory::ScriptKind;
    use crate::js::{AnalysisJob, ScriptAnalysis};

    fn key(code: &str) -> AnalysisKey {
        let job = AnalysisJob {
            script_id: "https://s.example/a.js".into(),
            kind: ScriptKind::External,
            code: code.into(),
            page_url: "https://s.example/".into(),
            page_host: Some("s.example".into()),
            payment_page: true,
            page_fields: Vec::new(),
            page_values: Default::default(),
            page_form: Vec::new(),
            line_offset: 1,
            column_offset: 1,
        };
        AnalysisKey::of(&Fingerprint::new(&Default::default(), &[]), &job).unwrap()
    }

    fn unbound(dest: &str) -> Unbound {
        let id = Identity {
            script_id: "https://s.example/a.js".into(),
            page_url: "https://s.example/".into(),
            line_offset: 1,
            column_offset: 1,
        };
        let r = ScriptAnalysis {
            destinations: [dest.to_string()].into(),
            ..Default::default()
        };
        Unbound::unbind(&r, &id).unwrap()
    }

    fn dest(u: &Unbound) -> String {
        serde_json::to_string(u).unwrap()
    }

    #[test]
    fn entries_round_trip_and_damaged_ones_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), DEFAULT_MAX_BYTES).unwrap();
        let k = key("a()");
        assert!(store.get(&k).is_none());
        store.put(&k, &unbound("evil.example")).unwrap();
        assert_eq!(
            dest(&store.get(&k).unwrap()),
            dest(&unbound("evil.example"))
        );
        let path = store.path(&k);
        let good = std::fs::read(&path).unwrap();

        // Truncated.
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert!(store.get(&k).is_none());
        // One byte changed in the body (still valid JSON: a host renamed).
        let flipped = String::from_utf8(good.clone())
            .unwrap()
            .replace("evil.example", "evil.exampld");
        std::fs::write(&path, flipped).unwrap();
        assert!(store.get(&k).is_none());
        // Another key's entry under this name (a copied or foreign-version file).
        store.put(&key("b()"), &unbound("evil.example")).unwrap();
        std::fs::copy(store.path(&key("b()")), &path).unwrap();
        assert!(store.get(&k).is_none());
        // Garbage, and an empty file.
        std::fs::write(&path, b"\x00\xff not an entry").unwrap();
        assert!(store.get(&k).is_none());
        std::fs::write(&path, b"").unwrap();
        assert!(store.get(&k).is_none());
        // Rewritten: sound again.
        store.put(&k, &unbound("evil.example")).unwrap();
        assert!(store.get(&k).is_some());
    }

    #[test]
    fn eviction_keeps_the_most_recently_used_within_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let probe = Store::open(dir.path(), DEFAULT_MAX_BYTES).unwrap();
        let one = probe.put(&key("probe"), &unbound("h0.example")).unwrap();
        std::fs::remove_file(probe.path(&key("probe"))).unwrap();
        // Room for three entries.
        let store = Store::open(dir.path(), one * 3 + one / 2).unwrap();
        let keys: Vec<AnalysisKey> = (0..5).map(|i| key(&format!("s{i}()"))).collect();
        let t0 = SystemTime::now() - Duration::from_secs(1000);
        for (i, k) in keys.iter().enumerate() {
            store.put(k, &unbound(&format!("h{i}.example"))).unwrap();
            let f = std::fs::File::options()
                .append(true)
                .open(store.path(k))
                .unwrap();
            f.set_modified(t0 + Duration::from_secs(10 * i as u64))
                .unwrap();
        }
        // A hit on the oldest makes it the youngest.
        assert!(store.get(&keys[0]).is_some());
        store.evict();
        let kept: Vec<bool> = keys.iter().map(|k| store.path(k).exists()).collect();
        assert_eq!(kept, [true, false, false, true, true]);
    }
}
