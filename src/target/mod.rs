//! What the user asked to scan: an http(s) URL, a local `.html` file, a local `.js` file (a
//! script of a payment page), a directory holding a built site, or a `.har` capture (the
//! incident-response case, read by `crate::har`). Anything else — a missing path, an unreadable
//! file, another URL scheme — is a usage error (exit 2) before anything is fetched.

mod local;

pub use local::LocalRoot;
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

/// The pages of a site directory, and what under it was not followed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SitePages {
    /// Every page, as a path under the directory as given (a page reached through a symbolic
    /// link keeps the link's path: a server answers for it at that address).
    pub pages: Vec<PathBuf>,
    /// Symbolic links to a page or folder that were not followed, with the reason: they leave
    /// the directory, or lead nowhere.
    pub refused: Vec<(PathBuf, String)>,
}

/// How many folders deep the walk goes (links can nest a tree inside itself).
const MAX_SITE_DEPTH: usize = 64;
/// How many pages one site directory may hold (links can multiply a tree).
const MAX_SITE_PAGES: usize = 20_000;

/// Every `.html`/`.htm` file below a site directory, sorted; hidden folders and
/// `node_modules` are skipped (they are not the built site). Symbolic links to pages and
/// folders inside the directory are followed (deploy tools link shared templates into place,
/// `checkout -> .shared/pay`), links out of it are refused, and a link back to a folder the
/// walk is already inside (a loop) is not followed again.
pub fn site_pages(dir: &Path) -> std::io::Result<SitePages> {
    let root = dir.canonicalize()?;
    let mut out = SitePages::default();
    // Each folder to read, with the real folders the walk went through to reach it.
    let mut stack: Vec<(PathBuf, Vec<PathBuf>)> = vec![(dir.to_path_buf(), vec![root.clone()])];
    while let Some((d, chain)) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "node_modules" {
                continue;
            }
            let ft = entry.file_type()?;
            let p = entry.path();
            let (is_dir, is_file, real) = if ft.is_symlink() {
                match p.canonicalize() {
                    Err(e) => {
                        if is_page_name(&p) {
                            out.refused
                                .push((p, format!("a symbolic link that leads nowhere ({e})")));
                        }
                        continue;
                    }
                    Ok(real) if !real.starts_with(&root) => {
                        if real.is_dir() || is_page_name(&p) {
                            out.refused.push((
                                p,
                                format!(
                                    "a symbolic link to {}, outside the site directory: not followed",
                                    real.display()
                                ),
                            ));
                        }
                        continue;
                    }
                    Ok(real) => (real.is_dir(), real.is_file(), Some(real)),
                }
            } else {
                (ft.is_dir(), ft.is_file(), None)
            };
            if is_dir {
                let real = match real {
                    Some(r) => r,
                    None => p.canonicalize()?,
                };
                if chain.contains(&real) || chain.len() > MAX_SITE_DEPTH {
                    continue;
                }
                let mut next = chain.clone();
                next.push(real);
                stack.push((p, next));
            } else if is_file && is_page_name(&p) && out.pages.len() < MAX_SITE_PAGES {
                out.pages.push(p);
            }
        }
    }
    out.pages.sort();
    out.refused.sort();
    Ok(out)
}

fn is_page_name(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
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
        if pages.pages.is_empty() {
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

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_are_followed_outside_refused_loops_ended() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.html"), "<p>").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("dist");
        std::fs::create_dir_all(site.join(".shared/pay")).unwrap();
        std::fs::create_dir_all(site.join("tpl")).unwrap();
        std::fs::create_dir_all(site.join("cart")).unwrap();
        std::fs::write(site.join(".shared/pay/index.html"), "<p>").unwrap();
        std::fs::write(site.join("tpl/cart.html"), "<p>").unwrap();
        symlink("../tpl/cart.html", site.join("cart/index.html")).unwrap();
        symlink(".shared/pay", site.join("checkout")).unwrap();
        symlink("..", site.join("cart/loop")).unwrap();
        symlink(outside.path(), site.join("escape")).unwrap();
        symlink(outside.path().join("x.html"), site.join("x.html")).unwrap();
        let found = site_pages(&site).unwrap();
        let rel: Vec<String> = found
            .pages
            .iter()
            .map(|p| p.strip_prefix(&site).unwrap().display().to_string())
            .collect();
        assert_eq!(
            rel,
            ["cart/index.html", "checkout/index.html", "tpl/cart.html"]
        );
        let refused: Vec<String> = found
            .refused
            .iter()
            .map(|(p, _)| p.strip_prefix(&site).unwrap().display().to_string())
            .collect();
        assert_eq!(refused, ["escape", "x.html"]);
    }
}
