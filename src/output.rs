//! Writing reports and baselines to files without ever leaving half of one: a temporary file in
//! the same directory, fsync, rename. What is already at the path is respected: a symlink is
//! followed (its target is replaced, not the link), a device or FIFO (`-o /dev/null`, a pipe)
//! is written to directly, and an existing file keeps its permissions (a new one gets 0644 under
//! the umask rather than the temporary file's 0600, so a CI job of another user can read it).
//!
//! The temporary file is named `.<name>.skimscan-tmp-XXXXXX`, so what a killed run leaves
//! behind is recognisable (and ignored by git with the README's `.*.skimscan-*` line); the next
//! write into the same directory deletes such files once they are an hour old — only ours, and
//! never one a write under way could still be using.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What marks our temporary files: `.<name>` + this + random characters.
const TEMP_MARK: &str = ".skimscan-tmp-";
/// No write of a report or baseline takes this long: an older temporary file is debris.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Write `bytes` to `path` atomically where the path is (or will be) a regular file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_checked(path, bytes, &|| Ok(()))
}

/// [`write_atomic`], calling `before_rename` once the new content is safely on disk and just
/// before it replaces the file; an error from it abandons the write and leaves the file as it
/// is (how `baseline update` refuses to overwrite an edit made while it ran).
pub fn write_atomic_checked(
    path: &Path,
    bytes: &[u8],
    before_rename: &dyn Fn() -> std::io::Result<()>,
) -> std::io::Result<()> {
    let target: PathBuf = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let existing = std::fs::metadata(&target).ok();
    if let Some(m) = &existing
        && !m.is_file()
    {
        if m.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        }
        // A device or FIFO: renaming over it would replace it.
        let mut f = std::fs::OpenOptions::new().write(true).open(&target)?;
        f.write_all(bytes)?;
        return f.flush();
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    remove_stale_temporaries(dir);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}{TEMP_MARK}"))
        .rand_bytes(6)
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let perms = match &existing {
        Some(m) => m.permissions(),
        None => default_permissions(),
    };
    tmp.as_file().set_permissions(perms)?;
    // On error the temporary file is deleted when `tmp` is dropped.
    before_rename()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is; best effort.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Whether a file name is one of our temporary files (`.<name>.skimscan-tmp-XXXXXX`).
fn is_our_temporary(name: &str) -> bool {
    name.starts_with('.')
        && name
            .rsplit_once(TEMP_MARK)
            .is_some_and(|(head, tail)| head.len() > 1 && !tail.is_empty())
}

/// Delete our temporary files in `dir` that are older than [`STALE_AFTER`]: what a killed run
/// left. Best effort: a file that cannot be removed is left for the next run.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        if !is_our_temporary(&e.file_name().to_string_lossy()) {
            continue;
        }
        let old = e
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok().and_then(|t| now.duration_since(t).ok()));
        if old.is_some_and(|age| age > STALE_AFTER) {
            tracing::info!(file = %e.path().display(), "removing a temporary file a killed run left");
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// An input of a scan, which a report must never overwrite.
pub struct Input<'a> {
    /// A file, or a directory whose files named `*.<ext>` (one of `read`) the scan reads.
    pub path: &'a Path,
    /// What it is, for the message: "the baseline", "the config file", "a target"…
    pub what: &'static str,
    /// For a directory: the extensions of the files in it that are inputs. (A report kept
    /// in the directory, `dist/skimscan.json`, is not one, so a second run still works.)
    pub read: &'static [&'static str],
}

/// Refuse to write the report at `out` when that is an input of the scan: the same file
/// (whatever the spelling: `./b.json`, a symlink, a hard link), or an input file inside an
/// input directory (a site directory's page or script, a rules directory's rule).
pub fn refuse_input_overwrite(out: &Path, inputs: &[Input<'_>]) -> Result<(), String> {
    // A path that does not exist yet overwrites nothing.
    let Ok(out_real) = std::fs::canonicalize(out) else {
        return Ok(());
    };
    if !out_real.is_file() {
        return Ok(());
    }
    for input in inputs {
        let hit = if input.path.is_dir() {
            let ext = out_real
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            input.read.contains(&ext.as_str())
                && std::fs::canonicalize(input.path).is_ok_and(|d| out_real.starts_with(d))
        } else {
            same_file::is_same_file(&out_real, input.path).unwrap_or(false)
        };
        if hit {
            return Err(format!(
                "refusing to write the report to {}: it is {} ({}), an input of this scan; choose another --output",
                out.display(),
                input.what,
                input.path.display()
            ));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    // Reading the umask needs libc; 022 is the near-universal default.
    std::fs::Permissions::from_mode(0o666 & !0o022)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    // Non-Unix permissions are only a read-only flag: take the directory's, writable.
    let mut p = std::fs::metadata(".")
        .map(|m| m.permissions())
        .expect("the current directory has metadata");
    p.set_readonly(false);
    p
}

/// Refuse an output path whose directory does not exist, before any work is done.
pub fn check_writable_dir(path: &Path) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if dir.is_dir() {
        Ok(())
    } else {
        Err(format!(
            "{}: the directory {} does not exist",
            path.display(),
            dir.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_permissions_and_follows_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        write_atomic(&p, b"one").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
            write_atomic(&p, b"two").unwrap();
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&p, &link).unwrap();
            write_atomic(&link, b"three").unwrap();
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read(&p).unwrap(), b"three");
        }
        assert!(write_atomic(dir.path(), b"x").is_err());
        assert!(check_writable_dir(&dir.path().join("nope/r.json")).is_err());
    }

    #[test]
    fn a_failed_check_leaves_the_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        write_atomic(&p, b"old").unwrap();
        let refused = write_atomic_checked(&p, b"new", &|| Err(std::io::Error::other("no")));
        assert!(refused.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn temporary_names_are_recognisable() {
        assert!(is_our_temporary(".shop.json.skimscan-tmp-a1B2c3"));
        assert!(!is_our_temporary(".tmpa1B2c3"));
        assert!(!is_our_temporary("shop.json.skimscan-tmp-a1B2c3"));
        assert!(!is_our_temporary(".skimscan-tmp-"));
    }
}
