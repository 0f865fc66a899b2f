//! What the user asked to scan: an http(s) URL, a local `.html` file, a local `.js` file (a
//! script of a payment page), a directory holding a built site, or a `.har` capture (the
//! incident-response case, read by `crate::har`). Anything else — a missing path, an unreadable
//! file, another URL scheme — is a usage error (exit 2) before anything is fetched.

use std::path::{Path, PathBuf};
use url::Url;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Url(Url),
    HtmlFile(PathBuf),
    JsFile(PathBuf),
    SiteDir(PathBuf),
    /// A HAR 1.2 capture: pages and scripts come from its saved bodies.
    Har(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{target}: not a valid URL: {message}")]
    BadUrl { target: String, message: String },
    #[error(
        "{target}: unsupported URL scheme `{scheme}` (use http:// or https://, or a local path)"
    )]
    Scheme { target: String, scheme: String },
    #[error("{target}: no such file or directory")]
    Missing { target: String },
    #[error("{target}: cannot read: {message}")]
    Unreadable { target: String, message: String },
    #[error("{target}: the directory holds no .html page")]
    EmptySite { target: String },
}

/// Every `.html`/`.htm` file below a site directory, sorted; hidden folders and
/// `node_modules` are skipped (they are not the built site).
pub fn site_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "node_modules" {
                continue;
            }
            let ft = entry.file_type()?;
            let p = entry.path();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file()
                && p.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")
                })
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn looks_like_html(head: &[u8]) -> bool {
    let s = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = s.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<') || s.contains("<html") || s.contains("<!doctype")
}

/// Classify one TARGET argument.
pub fn parse(raw: &str) -> Result<Target, TargetError> {
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let url = Url::parse(raw).map_err(|e| TargetError::BadUrl {
            target: raw.to_string(),
            message: e.to_string(),
        })?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(TargetError::BadUrl {
                target: raw.to_string(),
                message: "no host".into(),
            });
        }
        return Ok(Target::Url(url));
    }
    if let Some((scheme, _)) = raw.split_once("://")
        && !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Err(TargetError::Scheme {
            target: raw.to_string(),
            scheme: scheme.to_string(),
        });
    }
    let path = Path::new(raw);
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => TargetError::Missing {
            target: raw.to_string(),
        },
        _ => TargetError::Unreadable {
            target: raw.to_string(),
            message: e.to_string(),
        },
    })?;
    if meta.is_dir() {
        let pages = site_pages(path).map_err(|e| TargetError::Unreadable {
            target: raw.to_string(),
            message: e.to_string(),
        })?;
        if pages.is_empty() {
            return Err(TargetError::EmptySite {
                target: raw.to_string(),
            });
        }
        return Ok(Target::SiteDir(path.to_path_buf()));
    }
    if !meta.is_file() {
        return Err(TargetError::Unreadable {
            target: raw.to_string(),
            message: "not a regular file".into(),
        });
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    // Opening proves readability now, so "permission denied" is a usage error, not a scan error.
    let mut head = Vec::with_capacity(2048);
    {
        use std::io::Read;
        let f = std::fs::File::open(path).map_err(|e| TargetError::Unreadable {
            target: raw.to_string(),
            message: e.to_string(),
        })?;
        f.take(2048)
            .read_to_end(&mut head)
            .map_err(|e| TargetError::Unreadable {
                target: raw.to_string(),
                message: e.to_string(),
            })?;
    }
    Ok(match ext.as_str() {
        "har" => Target::Har(path.to_path_buf()),
        "html" | "htm" | "xhtml" | "shtml" | "phtml" => Target::HtmlFile(path.to_path_buf()),
        "js" | "mjs" | "cjs" => Target::JsFile(path.to_path_buf()),
        _ if looks_like_html(&head) => Target::HtmlFile(path.to_path_buf()),
        _ => Target::JsFile(path.to_path_buf()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_targets() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("a.html");
        std::fs::write(&html, "<html></html>").unwrap();
        let js = dir.path().join("a.js");
        std::fs::write(&js, "var a;").unwrap();
        let odd = dir.path().join("page.php");
        std::fs::write(&odd, "<!DOCTYPE html><p>").unwrap();
        assert!(matches!(
            parse(html.to_str().unwrap()),
            Ok(Target::HtmlFile(_))
        ));
        assert!(matches!(parse(js.to_str().unwrap()), Ok(Target::JsFile(_))));
        assert!(matches!(
            parse(odd.to_str().unwrap()),
            Ok(Target::HtmlFile(_))
        ));
        assert!(matches!(
            parse(dir.path().to_str().unwrap()),
            Ok(Target::SiteDir(_))
        ));
        assert!(matches!(
            parse("https://shop.example/checkout"),
            Ok(Target::Url(_))
        ));
        assert!(matches!(
            parse("ftp://shop.example/"),
            Err(TargetError::Scheme { .. })
        ));
        assert!(matches!(
            parse("/no/such/file.html"),
            Err(TargetError::Missing { .. })
        ));
        assert!(matches!(parse("http://"), Err(TargetError::BadUrl { .. })));
    }
}
