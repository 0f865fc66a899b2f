//! Where pages and scripts come from. Each kind of origin is a [`Source`]: a local file inside
//! the directory the user named (`local`), code carried in the URL itself (`inline`: `data:`,
//! `blob:`), a HAR capture's saved bodies (`capture`), and the network through the guarded
//! fetcher (`network`). The [`Loader`] asks them in order; the first that answers for a URL
//! decides, so a new origin (a browser session's responses, a mirror) is one more source, not
//! another branch in a scheme switch.

mod capture;
mod inline;
mod local;
mod network;

use crate::evidence::Artifacts;
use crate::fetch::Fetcher;
use crate::har::Capture;
pub use crate::target::LocalRoot;
use futures::future::BoxFuture;
use std::sync::Arc;
use url::Url;

/// A page or script as loaded.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub url: Url,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Loaded {
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
    }
}

/// Why something could not be loaded; `NotFetched` is a policy decision, not a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    Failed(String),
    /// A remote resource referenced by a local file, with `--fetch-remote` off, or a host
    /// the user did not name under `--contain`.
    NotFetched,
}

/// One origin of pages and scripts.
pub trait Source: Send + Sync {
    /// Load `url` (referenced by a page under the local root `local`, when that page is
    /// local): `Some(result)` when this source decides for the URL, `None` to pass it on.
    fn load<'a>(
        &'a self,
        url: &'a Url,
        local: Option<&'a LocalRoot>,
    ) -> BoxFuture<'a, Option<Result<Loaded, LoadError>>>;
}

/// What the scan's sources are built from.
pub struct LoaderSettings {
    /// The guarded HTTP client; None when the scan must not use the network.
    pub fetcher: Option<Arc<Fetcher>>,
    pub max_body: u64,
    pub fetch_remote: bool,
    /// `--contain`: only these hosts are contacted; other remote resources are not fetched.
    pub contain: Option<Vec<crate::hosts::HostPattern>>,
    /// Network loads not finished by then fail (local reads are bounded by size, not time).
    pub deadline: super::deadline::Deadline,
    /// HAR targets: http(s) URLs are answered from the capture; what it lacks is fetched only
    /// with `--fetch-remote`.
    pub capture: Option<Arc<Capture>>,
    /// `--evidence`: every body loaded is kept as an artifact.
    pub keep: Option<Arc<Artifacts>>,
}

/// Loads pages and scripts for one scan by asking its sources in order.
pub struct Loader {
    sources: Vec<Box<dyn Source>>,
    keep: Option<Arc<Artifacts>>,
}

impl Loader {
    /// The sources of a scan, in the order they decide: local files, code in the URL, the
    /// policy for a local page's remote references, the capture, then the network.
    pub fn new(s: LoaderSettings) -> Loader {
        let mut sources: Vec<Box<dyn Source>> = vec![
            Box::new(local::LocalFiles {
                max_body: s.max_body,
            }),
            Box::new(inline::InUrl {
                max_body: s.max_body,
            }),
            Box::new(local::RemoteOfLocal {
                fetch_remote: s.fetch_remote,
            }),
        ];
        if let Some(capture) = s.capture {
            sources.push(Box::new(capture::Captured {
                capture,
                fetch_remote: s.fetch_remote,
            }));
        }
        sources.push(Box::new(network::Network {
            fetcher: s.fetcher,
            contain: s.contain,
            deadline: s.deadline,
        }));
        Loader {
            sources,
            keep: s.keep,
        }
    }

    /// Load `url`. `local` is the root of the page that referenced it, when that page is local.
    pub async fn load(&self, url: &Url, local: Option<&LocalRoot>) -> Result<Loaded, LoadError> {
        let mut loaded = None;
        for source in &self.sources {
            if let Some(r) = source.load(url, local).await {
                loaded = Some(r);
                break;
            }
        }
        let loaded = loaded.unwrap_or_else(|| {
            Err(LoadError::Failed(format!(
                "unsupported URL scheme `{}`",
                url.scheme()
            )))
        });
        if let (Some(keep), Ok(l)) = (&self.keep, &loaded) {
            keep.add(l.url.as_str(), &l.body);
        }
        loaded
    }
}
