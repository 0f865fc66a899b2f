//! A local site root: the directory a local target lives in, and the only place its pages
//! and scripts may be read from. Local resources are addressed by `file:` URLs so the page
//! parser resolves references the way a browser would, and are shown in reports by the path
//! the user typed, which stays the same on every machine.

use std::io::Read;
use std::path::{Path, PathBuf};
use url::Url;

/// A local site root: the directory a local target lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRoot {
    /// Canonical absolute path; nothing outside it is ever read.
    pub root: PathBuf,
    /// The root as the user wrote it (for display), without a trailing slash; may be empty.
    pub display: String,
}

impl LocalRoot {
    pub fn new(path: &Path, display: &str) -> std::io::Result<LocalRoot> {
        Ok(LocalRoot {
            root: path.canonicalize()?,
            display: display.trim_end_matches('/').to_string(),
        })
    }

    /// The URL of a file at `rel` below the root, without resolving symbolic links: a page
    /// linked into place (`checkout -> .shared/pay`) is served at the link's address, and its
    /// relative references resolve there. Reads still check where the link really leads.
    pub fn url_within(&self, rel: &Path) -> Option<Url> {
        Url::from_file_path(self.root.join(rel)).ok()
    }

    pub fn url_of(&self, path: &Path) -> Option<Url> {
        let abs = path.canonicalize().ok()?;
        Url::from_file_path(abs).ok()
    }

    /// Map a `file:` URL produced by resolving a page reference onto this root. A root-relative
    /// reference (`/static/app.js`) resolves against the file system's root; browsers serving
    /// the built site would resolve it against the site root, so we re-anchor it there.
    pub fn localize(&self, url: &Url) -> Option<Url> {
        if url.scheme() != "file" {
            return None;
        }
        let path = url.to_file_path().ok()?;
        if path.starts_with(&self.root) {
            return Some(url.clone());
        }
        let rel = path.strip_prefix("/").unwrap_or(&path);
        let mut u = Url::from_file_path(self.root.join(rel)).ok()?;
        u.set_query(url.query());
        Some(u)
    }

    /// The user-facing name of a local URL: `<root as typed>/<relative path>`.
    pub fn display(&self, url: &Url) -> String {
        if let Ok(path) = url.to_file_path()
            && let Ok(rel) = path.strip_prefix(&self.root)
        {
            let rel = rel.to_string_lossy();
            return if self.display.is_empty() {
                rel.into_owned()
            } else if rel.is_empty() {
                self.display.clone()
            } else {
                format!("{}/{}", self.display, rel)
            };
        }
        url.to_string()
    }

    /// Read a file under the root, at most `max` bytes (more is an error, as for the network).
    pub fn read(&self, url: &Url, max: u64) -> Result<Vec<u8>, String> {
        let path = url
            .to_file_path()
            .map_err(|_| "not a local path".to_string())?;
        let canon = path
            .canonicalize()
            .map_err(|e| format!("cannot read {}: {e}", self.display(url)))?;
        // A symlink or `..` must not lead out of the directory the user named.
        if !canon.starts_with(&self.root) {
            return Err(format!("{} is outside the site directory", path.display()));
        }
        // A link to a folder means its index page, as a static server would answer.
        let canon = if canon.is_dir() {
            let index = canon.join("index.html");
            if !index.is_file() {
                return Err("is a directory without index.html".into());
            }
            index
        } else {
            canon
        };
        // A FIFO or device would block or never end: only regular files are pages or scripts.
        if !canon.is_file() {
            return Err("not a regular file".into());
        }
        let f = std::fs::File::open(&canon).map_err(|e| format!("cannot read: {e}"))?;
        let mut buf = Vec::new();
        f.take(max + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read: {e}"))?;
        if buf.len() as u64 > max {
            return Err(format!("body larger than the {max}-byte limit"));
        }
        Ok(buf)
    }
}
