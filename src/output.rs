//! Writing reports and baselines to files without ever leaving half of one: a temporary file in
//! the same directory, fsync, rename. What is already at the path is respected: a symlink is
//! followed (its target is replaced, not the link), a device or FIFO (`-o /dev/null`, a pipe)
//! is written to directly, and an existing file keeps its permissions (a new one gets 0644 under
//! the umask rather than the temporary file's 0600, so a CI job of another user can read it).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically where the path is (or will be) a regular file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let perms = match &existing {
        Some(m) => m.permissions(),
        None => default_permissions(),
    };
    tmp.as_file().set_permissions(perms)?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is; best effort.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
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
}
