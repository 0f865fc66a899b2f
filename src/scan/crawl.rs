//! Page discovery: load the target pages, then follow same-site links toward checkout (and
//! same-site iframes, which are part of the page a customer sees) level by level, up to
//! `--depth` links away and `--max-pages` discovered pages. Levels are loaded concurrently;
//! results are kept in a deterministic order whatever order the network answers in.

use super::source::{LoadError, Loaded, Loader, LocalRoot};
use crate::finding::Finding;
use crate::page::{self, PageDoc};
use crate::report::ScanError;
use futures::StreamExt;
use std::collections::BTreeSet;
use std::sync::Arc;
use url::Url;

/// A page to load.
#[derive(Debug, Clone)]
pub struct PageTask {
    pub url: Url,
    pub local: Option<Arc<LocalRoot>>,
    pub depth: u32,
    pub found_by: &'static str,
}

pub use crate::page::ScannedPage;

/// How reports name a URL: the local path as typed, or the URL without credentials (a
/// `user:password@` in a target must not end up in reports, baselines and CI logs).
pub fn display(url: &Url, local: Option<&LocalRoot>) -> String {
    match local {
        Some(root) => root.display(url),
        None => without_credentials(url),
    }
}

pub fn without_credentials(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

fn key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.to_string()
}

/// How long one page's HTML may take to parse. html5ever is quadratic on pathologically deep
/// nesting (100,000 unclosed tags take minutes); a hostile page must not stall the scan.
const PARSE_BUDGET: std::time::Duration = std::time::Duration::from_secs(15);

/// Decode and parse a page off the async workers, within [`PARSE_BUDGET`]. `None` when the
/// budget ran out (the parse thread is abandoned and ends on its own).
async fn parse_page(loaded: &Loaded) -> Option<(PageDoc, &'static str, String)> {
    let body = loaded.body.clone();
    let content_type = loaded.content_type().map(str::to_string);
    let url = loaded.url.clone();
    let work = tokio::task::spawn_blocking(move || {
        let (text, encoding) = page::decode_html(&body, content_type.as_deref());
        (page::extract(&text, &url), encoding, text)
    });
    match tokio::time::timeout(PARSE_BUDGET, work).await {
        Ok(Ok(r)) => Some(r),
        _ => None,
    }
}

pub struct CrawlLimits {
    pub depth: u32,
    pub max_pages: usize,
    pub concurrency: usize,
}

/// Load every target page and what discovery finds from them. `on_page` is called once per
/// loaded page (progress reporting), `on_parsed` with each page as soon as it is parsed (its
/// scripts start loading then), in the pages' final order.
#[allow(clippy::too_many_arguments)]
pub async fn crawl(
    loader: &Loader,
    targets: Vec<PageTask>,
    limits: &CrawlLimits,
    errors: &mut Vec<ScanError>,
    on_page: &(dyn Fn(&str) + Sync),
    on_parsed: &(dyn Fn(&ScannedPage) + Sync),
    page_text_check: &(dyn Fn(&str, &str) -> Vec<Finding> + Sync),
    findings: &mut Vec<Finding>,
) -> Vec<ScannedPage> {
    // The same page named twice (or with a different #fragment) is one page.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let targets: Vec<PageTask> = targets
        .into_iter()
        .map(|mut t| {
            t.url.set_fragment(None);
            t
        })
        .filter(|t| seen.insert(key(&t.url)))
        .collect();
    let mut pages: Vec<ScannedPage> = Vec::new();
    let mut discovered = 0usize;
    let mut frontier = targets;
    while !frontier.is_empty() {
        // Each page is handled as soon as it (and those before it) arrived, in target order,
        // while later pages are still loading: parsing and the page's script loads overlap
        // the rest of the crawl, and the order of the result does not depend on timing.
        let mut results = futures::stream::iter(frontier)
            .map(|task| async move {
                let r = loader.load(&task.url, task.local.as_deref()).await;
                (task, r)
            })
            .buffered(limits.concurrency.max(1));
        let mut next = Vec::new();
        while let Some((task, result)) = results.next().await {
            let name = display(&task.url, task.local.as_deref());
            on_page(&name);
            let loaded = match result {
                Ok(l) => l,
                Err(LoadError::Failed(message)) => {
                    errors.push(ScanError { url: name, message });
                    continue;
                }
                Err(LoadError::NotFetched) => continue,
            };
            // A redirect can land on a page we already have.
            if loaded.url != task.url && !seen.insert(key(&loaded.url)) {
                continue;
            }
            let final_name = display(&loaded.url, task.local.as_deref());
            if let Some(status) = loaded.status.filter(|s| !(200..300).contains(s)) {
                errors.push(ScanError {
                    url: final_name.clone(),
                    message: format!("HTTP status {status}: the page could not be scanned"),
                });
            }
            let Some((doc, encoding, text)) = parse_page(&loaded).await else {
                errors.push(ScanError {
                    url: final_name,
                    message: format!(
                        "the page's HTML could not be parsed within {} s (pathologically deep nesting?)",
                        PARSE_BUDGET.as_secs()
                    ),
                });
                continue;
            };
            // Indicators named anywhere in the page's text (markup, comments, escaped
            // `view-source:` captures) — things no script element shows.
            findings.extend(page_text_check(&final_name, &text));
            drop(text);
            {
                // Same-site iframes are part of the page the customer sees (hosted payment
                // fields often live in one), so they do not use up discovery depth; links do.
                let mut candidates: Vec<(Url, &'static str, u32)> = Vec::new();
                for frame in crate::page::discover::same_site_frames(&doc, &loaded.url) {
                    candidates.push((frame, "iframe", task.depth));
                }
                if task.depth < limits.depth {
                    for link in crate::page::discover::checkout_links(&doc, &loaded.url) {
                        candidates.push((link, "link", task.depth + 1));
                    }
                }
                for (url, found_by, depth) in candidates {
                    let url = match task.local.as_deref() {
                        Some(root) => match root.localize(&url) {
                            Some(u) => u,
                            None => continue,
                        },
                        None => url,
                    };
                    if discovered >= limits.max_pages {
                        break;
                    }
                    if seen.insert(key(&url)) {
                        discovered += 1;
                        next.push(PageTask {
                            url,
                            local: task.local.clone(),
                            depth,
                            found_by,
                        });
                    }
                }
            }
            pages.push(ScannedPage {
                name: final_name,
                requested: (loaded.url != task.url).then(|| task.url.clone()),
                url: loaded.url,
                local: task.local.clone(),
                status: loaded.status,
                headers: loaded.headers,
                doc,
                encoding: encoding.to_string(),
                found_by: task.found_by,
            });
            if let Some(page) = pages.last() {
                on_parsed(page);
            }
        }
        frontier = next;
    }
    pages
}
