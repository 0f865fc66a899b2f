//! The targets a user named, expanded into what the pipeline starts from: page tasks (a URL,
//! an HTML file, every page of a built site), lone scripts, a HAR capture, and the hosts the
//! user named (they may be contacted and resolved). Problems with a target that leave the
//! others scannable are `errors[]` entries; one that makes the scan meaningless is a
//! [`SetupError`].

use super::SetupError;
use super::crawl::PageTask;
use super::scripts::ScriptEntry;
use super::source::LocalRoot;
use crate::config::Config;
use crate::hosts::HostPattern;
use crate::inventory::{CodeDigest, ScriptKind, ScriptRecord, ScriptText};
use crate::report::ScanError;
use crate::target::Target;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the targets expand to.
pub(super) struct Expanded {
    pub errors: Vec<ScanError>,
    pub tasks: Vec<PageTask>,
    pub lone_scripts: Vec<PathBuf>,
    pub capture: Option<crate::har::Capture>,
    pub named_hosts: Vec<HostPattern>,
}

/// How a local path is named in reports: as typed, without a trailing slash.
pub(super) fn display_path(p: &Path) -> String {
    p.to_string_lossy().trim_end_matches('/').to_string()
}

pub(super) fn expand(targets: &[Target], cfg: &Config) -> Result<Expanded, SetupError> {
    let mut errors: Vec<ScanError> = Vec::new();
    let mut tasks: Vec<PageTask> = Vec::new();
    let mut lone_scripts: Vec<PathBuf> = Vec::new();
    let mut capture: Option<crate::har::Capture> = None;
    let mut named_hosts: Vec<HostPattern> = cfg.allow_hosts.clone();
    for r in &cfg.fetch.resolve {
        named_hosts.extend(HostPattern::parse(&r.host).ok());
    }
    let local_err = |p: &Path, e: std::io::Error| SetupError::Local {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    for t in targets {
        match t {
            Target::Url(u) => {
                if let Some(h) = u.host_str() {
                    named_hosts.extend(HostPattern::parse(h).ok());
                }
                tasks.push(PageTask {
                    url: u.clone(),
                    local: None,
                    depth: 0,
                    found_by: "target",
                });
            }
            Target::HtmlFile(p) => {
                // The user named this file: its real directory (through a symlink) is the
                // root its relative scripts resolve in.
                let real = p.canonicalize().map_err(|e| local_err(p, e))?;
                let parent = real.parent().unwrap_or(Path::new("/"));
                let shown = p.parent().map(display_path).unwrap_or_default();
                let root = Arc::new(LocalRoot::new(parent, &shown).map_err(|e| local_err(p, e))?);
                let url = root.url_of(&real).ok_or_else(|| SetupError::Local {
                    path: p.display().to_string(),
                    message: "cannot be addressed as a file URL".into(),
                })?;
                tasks.push(PageTask {
                    url,
                    local: Some(root),
                    depth: 0,
                    found_by: "target",
                });
            }
            Target::SiteDir(d) => {
                let root =
                    Arc::new(LocalRoot::new(d, &display_path(d)).map_err(|e| local_err(d, e))?);
                let site = crate::target::site_pages(d).map_err(|e| local_err(d, e))?;
                if site.pages.is_empty() {
                    errors.push(ScanError {
                        url: display_path(d),
                        message: "the directory holds no .html page".into(),
                    });
                }
                for (link, why) in &site.refused {
                    errors.push(ScanError {
                        url: display_path(link),
                        message: why.clone(),
                    });
                }
                for p in site.pages {
                    let url = p.strip_prefix(d).ok().and_then(|rel| root.url_within(rel));
                    if let Some(url) = url {
                        tasks.push(PageTask {
                            url,
                            local: Some(root.clone()),
                            // Every page of a built site is a target; discovery adds nothing
                            // the directory does not already hold.
                            depth: cfg.depth,
                            found_by: "target",
                        });
                    }
                }
            }
            Target::JsFile(p) => lone_scripts.push(p.clone()),
            Target::Har(p) => {
                let c = capture.get_or_insert_with(Default::default);
                c.add_file(p, cfg.fetch.max_body)?;
            }
        }
    }
    Ok(Expanded {
        errors,
        tasks,
        lone_scripts,
        capture,
        named_hosts,
    })
}

/// A `.js` target read from disk as a script of no page (index `usize::MAX`, no base URL: its
/// imports have no site to resolve in). At most one byte more than the cap is read: a huge
/// file (or `/dev/zero`) must not be loaded whole.
pub(super) fn lone_script(p: &Path, max_body: u64) -> Result<ScriptEntry, ScanError> {
    let name = display_path(p);
    let read = std::fs::File::open(p).and_then(|f| {
        use std::io::Read;
        let mut buf = Vec::new();
        f.take(max_body + 1).read_to_end(&mut buf)?;
        Ok(buf)
    });
    match read {
        Ok(bytes) if bytes.len() as u64 > max_body => Err(ScanError {
            url: name,
            message: format!("larger than the {max_body}-byte limit"),
        }),
        Ok(bytes) => {
            let text = crate::page::decode_script(&bytes, None);
            let record = ScriptRecord::new(name.clone(), name.clone(), ScriptKind::External)
                .at_url(&name, None, None)
                .read(&CodeDigest::of(&bytes), true);
            let text = ScriptText::file(name, Arc::from(text.as_str()));
            Ok(ScriptEntry::new(record, Some(text), usize::MAX))
        }
        Err(e) => Err(ScanError {
            url: name,
            message: format!("cannot read: {e}"),
        }),
    }
}
