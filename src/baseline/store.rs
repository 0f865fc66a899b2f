//! Reading and writing baseline files, and the store of old script code beside them.
//!
//! A baseline is the reviewed truth a CI gate compares against, so this module never loses it:
//! a file that is not valid JSON, has an unknown `schema_version` or an unknown field is
//! refused with the file and line (the CLI exits 2 and leaves it untouched), and a save goes
//! through a temporary file in the same directory, fsync and rename, so a crash or a full disk
//! leaves the old file whole. A save that replaces a file read earlier ([`save_if_unchanged`])
//! first checks that the file still holds what was read, so an edit made meanwhile is kept.
//!
//! The old-code store: a readable diff of a changed script needs the old code, which the JSON
//! does not hold (it would bloat every review). `create`/`update` write each recorded script's
//! text to `<baseline file>.d/<sha256>.js` (content-addressed: the file name is the `sha256`
//! recorded in the baseline), and `scan --baseline` reads it back. The directory is meant to be
//! committed next to the baseline; without it a change is still reported, with "old code not
//! stored" instead of a diff.

use super::model::{Baseline, SCHEMA_VERSION};
use crate::inventory::ScriptText;
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why a baseline could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read the baseline: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a valid baseline: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: baseline schema_version {found} is not supported (this skimscan reads version {SCHEMA_VERSION}); the file was left untouched"
    )]
    UnknownVersion { path: PathBuf, found: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: cannot write the baseline: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: the file changed while the update ran (edited by hand or by another program); nothing was written, so the edit is kept. Run `skimscan baseline update` again to record the scan on top of it"
    )]
    ChangedMeanwhile { path: PathBuf },
    #[error(
        "{path}: another skimscan command is writing this baseline (it holds {lock}); wait for it to finish, then run again"
    )]
    Locked { path: PathBuf, lock: PathBuf },
}

/// What a baseline file held when it was read: the sha256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp(String);

impl Stamp {
    fn of(bytes: &[u8]) -> Stamp {
        Stamp(crate::inventory::sha256_hex(bytes))
    }
}

/// Read and check a baseline file.
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    load_stamped(path).map(|(b, _)| b)
}

/// Read and check a baseline file, and stamp what it held (for [`save_if_unchanged`]).
pub fn load_stamped(path: &Path) -> Result<(Baseline, Stamp), BaselineError> {
    let read_err = |source| BaselineError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(path).map_err(read_err)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        read_err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text: {e}"),
        ))
    })?;
    // A byte-order mark (some Windows editors write one) is not JSON; serde_json refuses it at
    // 1:1, so drop it. (The TOML parser already accepts it in config and rule files.)
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok((parse(path, text)?, Stamp::of(&bytes)))
}

/// Parse baseline text (`path` is only for messages).
pub fn parse(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
    let corrupt = |e: serde_json::Error| BaselineError::Corrupt {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("")
            .to_string(),
    };
    // The version is checked before the shape, so a future file is refused as "unknown
    // version" rather than with a confusing message about a field this build does not know.
    let value: serde_json::Value = serde_json::from_str(text).map_err(corrupt)?;
    match value.get("schema_version") {
        Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
        // "1" or 1.0 is this version written the wrong way, not an unknown version.
        Some(v) if !v.is_u64() => {
            return Err(BaselineError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "schema_version must be the number {SCHEMA_VERSION} (without quotes), not {v}"
                ),
            });
        }
        Some(v) => {
            return Err(BaselineError::UnknownVersion {
                path: path.to_path_buf(),
                found: v.to_string(),
            });
        }
        None => {
            return Err(BaselineError::Invalid {
                path: path.to_path_buf(),
                message: "no schema_version: not a skimscan baseline".into(),
            });
        }
    }
    // Parse the text again (not the value) so a shape error carries its line and column.
    let baseline: Baseline = serde_json::from_str(text).map_err(corrupt)?;
    validate(path, &baseline)?;
    Ok(baseline)
}

/// Checks serde cannot express: hand-edited host patterns must parse, and recorded hashes must
/// be plain hex (they name files in the old-code store).
fn validate(path: &Path, b: &Baseline) -> Result<(), BaselineError> {
    let invalid = |message: String| BaselineError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    for h in &b.authorised_hosts {
        crate::hosts::HostPattern::parse(h)
            .map_err(|e| invalid(format!("authorised_hosts: {e}")))?;
    }
    for v in &b.volatile {
        if v.trim().is_empty() || v.chars().all(|c| c == '*') {
            return Err(invalid(format!(
                "volatile: `{v}` would match every script; name a URL pattern such as https://js.stripe.com/*"
            )));
        }
    }
    for (page, s) in b.scripts() {
        if let Some(h) = &s.sha256
            && !is_sha256_hex(h)
        {
            return Err(invalid(format!(
                "page {page}, script {}: sha256 `{h}` is not 64 hex digits",
                s.identity
            )));
        }
    }
    Ok(())
}

pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The baseline as it is written: pretty JSON with a trailing newline, lists in canonical order.
pub fn to_json(baseline: &Baseline) -> String {
    let mut b = baseline.clone();
    b.canonicalise();
    // Serialising plain data with string keys cannot fail.
    let mut s = serde_json::to_string_pretty(&b).unwrap_or_default();
    s.push('\n');
    s
}

/// Write a baseline through a temporary file in the same directory, fsync and rename: readers
/// (and a crash) see the old file or the new one, never half of one.
pub fn save_atomic(path: &Path, baseline: &Baseline) -> Result<(), BaselineError> {
    write_file_atomic(path, to_json(baseline).as_bytes()).map_err(|source| BaselineError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// [`save_atomic`] over a file read as `stamp`, refusing with
/// [`BaselineError::ChangedMeanwhile`] when the file no longer holds what was read. The check
/// is made after the new content is on disk, right before the rename, so the window in which
/// an edit can still be lost is as short as the file system allows. (Other skimscan commands
/// are kept out by the baseline's lock, see [`super::lock`].)
pub fn save_if_unchanged(
    path: &Path,
    baseline: &Baseline,
    stamp: &Stamp,
) -> Result<(), BaselineError> {
    let changed = std::cell::Cell::new(false);
    let check = || {
        let now = std::fs::read(path).map(|b| Stamp::of(&b));
        if now.as_ref().ok() != Some(stamp) {
            changed.set(true);
            return Err(std::io::Error::other(
                "the baseline changed since it was read",
            ));
        }
        Ok(())
    };
    crate::output::write_atomic_checked(path, to_json(baseline).as_bytes(), &check).map_err(
        |source| {
            if changed.get() {
                BaselineError::ChangedMeanwhile {
                    path: path.to_path_buf(),
                }
            } else {
                BaselineError::Write {
                    path: path.to_path_buf(),
                    source,
                }
            }
        },
    )
}

fn write_file_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::output::write_atomic(path, bytes)
}

/// The old-code store of a baseline file: `<baseline file>.d/<sha256>.js`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeStore {
    dir: PathBuf,
}

impl CodeStore {
    /// The store beside a baseline file (`shop.json` → `shop.json.d/`).
    pub fn for_baseline(path: &Path) -> CodeStore {
        let mut name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".d");
        CodeStore {
            dir: path.with_file_name(name),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The recorded code with this sha256, if the store has it.
    pub fn get(&self, sha256: &str) -> Option<String> {
        // The name comes from a file a person can edit: only plain hex may become a path.
        if !is_sha256_hex(sha256) {
            return None;
        }
        std::fs::read_to_string(self.dir.join(format!("{}.js", sha256.to_ascii_lowercase()))).ok()
    }

    /// Write the code of every script the baseline records (the text comes from the scan that
    /// made it), then delete stored code no script refers to any more. Existing files are not
    /// rewritten: the name is the content's hash. Call it after [`save_atomic`] succeeded.
    pub fn save(
        &self,
        baseline: &Baseline,
        report: &Report,
        sources: &BTreeMap<String, ScriptText>,
    ) -> Result<(), BaselineError> {
        let ids = super::record::code_ids(report);
        let werr = |source| BaselineError::Write {
            path: self.dir.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(werr)?;
        let mut wanted = BTreeSet::new();
        for (_, s) in baseline.scripts() {
            let Some(sha) = &s.sha256 else { continue };
            let sha = sha.to_ascii_lowercase();
            let file = self.dir.join(format!("{sha}.js"));
            if !file.exists()
                && let Some(text) = ids.get(&sha).and_then(|id| sources.get(id))
            {
                write_file_atomic(&file, text.text.as_bytes()).map_err(|source| {
                    BaselineError::Write {
                        path: file.clone(),
                        source,
                    }
                })?;
            }
            wanted.insert(format!("{sha}.js"));
        }
        // Prune only files this store wrote (hash-named `.js`): never anything a person put
        // there.
        let entries = std::fs::read_dir(&self.dir).map_err(werr)?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.strip_suffix(".js").is_some_and(is_sha256_hex);
            if ours && !wanted.contains(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_sits_beside_the_baseline() {
        let s = CodeStore::for_baseline(Path::new("baselines/shop.json"));
        assert_eq!(s.dir(), Path::new("baselines/shop.json.d"));
        assert_eq!(s.get("../../etc/passwd"), None);
    }

    #[test]
    fn corrupt_json_names_the_line() {
        let err = parse(
            Path::new("b.json"),
            "{\n  \"schema_version\": 1,\n  oops\n}",
        )
        .unwrap_err();
        match err {
            BaselineError::Corrupt { line, .. } => assert_eq!(line, 3),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn a_byte_order_mark_and_a_quoted_version_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, "\u{feff}{\"schema_version\": 1, \"site\": \"s\", \"created_at\": \"\", \"updated_at\": \"\", \"pages\": {}}").unwrap();
        assert!(load(&p).is_ok());
        let err = parse(&p, "{\"schema_version\": \"1\"}").unwrap_err();
        assert!(err.to_string().contains("must be the number 1"), "{err}");
    }

    #[test]
    fn a_save_over_a_changed_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, "{\"schema_version\": 1, \"site\": \"s\", \"created_at\": \"\", \"updated_at\": \"\", \"pages\": {}}").unwrap();
        let (b, stamp) = load_stamped(&p).unwrap();
        std::fs::write(&p, "{\"schema_version\": 1, \"site\": \"edited\", \"created_at\": \"\", \"updated_at\": \"\", \"pages\": {}}").unwrap();
        let err = save_if_unchanged(&p, &b, &stamp).unwrap_err();
        assert!(
            matches!(err, BaselineError::ChangedMeanwhile { .. }),
            "{err}"
        );
        assert!(std::fs::read_to_string(&p).unwrap().contains("edited"));
        let (b, stamp) = load_stamped(&p).unwrap();
        save_if_unchanged(&p, &b, &stamp).unwrap();
    }

    #[test]
    fn unknown_version_is_refused() {
        let err = parse(Path::new("b.json"), "{\"schema_version\": 2}").unwrap_err();
        assert!(matches!(err, BaselineError::UnknownVersion { .. }), "{err}");
        assert!(err.to_string().contains("b.json"));
    }
}
