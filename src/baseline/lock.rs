//! One writer per baseline at a time. `baseline create` and `baseline update` hold an advisory
//! lock on `.<baseline name>.skimscan-lock` beside the file while they scan and write, so a
//! second command on the same baseline (a cron job overlapping a person, two CI jobs) is
//! refused at once instead of silently losing one of the two results. The lock is the
//! operating system's (`flock`/`LockFileEx` through `std::fs::File::try_lock`): it goes away
//! with the process, so a killed run never leaves a baseline locked. The lock file itself is
//! left in place (deleting it would let two runs lock two different files); it is empty and
//! ignored by git with the README's `.*.skimscan-*` line.

use super::store::BaselineError;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// Held while a command writes a baseline; dropping it releases the lock.
#[derive(Debug)]
pub struct BaselineLock {
    _file: File,
}

/// `.<name>.skimscan-lock` in the baseline's directory.
pub fn lock_path(baseline: &Path) -> PathBuf {
    let name = baseline
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    baseline.with_file_name(format!(".{name}.skimscan-lock"))
}

impl BaselineLock {
    /// Take the lock of `baseline`, or refuse with [`BaselineError::Locked`] when another
    /// process holds it. Never waits.
    pub fn acquire(baseline: &Path) -> Result<BaselineLock, BaselineError> {
        let lock = lock_path(baseline);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(|source| BaselineError::Write {
                path: lock.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(BaselineLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(BaselineError::Locked {
                path: baseline.to_path_buf(),
                lock,
            }),
            Err(TryLockError::Error(source)) => Err(BaselineError::Write { path: lock, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("shop.json");
        let first = BaselineLock::acquire(&b).unwrap();
        let err = BaselineLock::acquire(&b).unwrap_err();
        assert!(matches!(err, BaselineError::Locked { .. }), "{err}");
        assert!(err.to_string().contains("another skimscan"), "{err}");
        drop(first);
        assert!(BaselineLock::acquire(&b).is_ok());
        assert_eq!(lock_path(&b), dir.path().join(".shop.json.skimscan-lock"));
    }
}
