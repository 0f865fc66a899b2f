//! Where pages and scripts come from: the network (through the guarded [`Fetcher`]), a local
//! file inside the directory the user named, or a HAR capture's saved bodies. Local resources are addressed by `file:` URLs so
//! the page parser resolves references the way a browser would, and are shown in reports by
//! the path the user typed (`dist/checkout/index.html`), which stays the same on every machine.

use crate::evidence::Artifacts;
use crate::fetch::{FetchError, Fetcher};
use crate::har::Capture;
pub use crate::target::LocalRoot;
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

/// Loads pages and scripts for one scan.
pub struct Loader {
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

impl Loader {
    /// Load `url`. `local` is the root of the page that referenced it, when that page is local.
    pub async fn load(&self, url: &Url, local: Option<&LocalRoot>) -> Result<Loaded, LoadError> {
        let loaded = self.load_body(url, local).await;
        if let (Some(keep), Ok(l)) = (&self.keep, &loaded) {
            keep.add(l.url.as_str(), &l.body);
        }
        loaded
    }

    async fn load_body(&self, url: &Url, local: Option<&LocalRoot>) -> Result<Loaded, LoadError> {
        match url.scheme() {
            "file" => {
                let Some(root) = local else {
                    return Err(LoadError::Failed(
                        "a web page cannot load local files".into(),
                    ));
                };
                let body = root.read(url, self.max_body).map_err(LoadError::Failed)?;
                Ok(Loaded {
                    url: url.clone(),
                    status: None,
                    headers: Vec::new(),
                    body,
                })
            }
            "http" | "https" => {
                if local.is_some() && !self.fetch_remote {
                    return Err(LoadError::NotFetched);
                }
                if let Some(capture) = &self.capture {
                    match capture.lookup(url) {
                        Some((final_url, c)) => match &c.body {
                            Ok(body) => {
                                return Ok(Loaded {
                                    url: final_url,
                                    status: Some(c.status),
                                    headers: c.headers.clone(),
                                    body: body.clone(),
                                });
                            }
                            // What the capture lacks is fetched only when the user asks.
                            Err(why) if !self.fetch_remote => {
                                return Err(LoadError::Failed(why.clone()));
                            }
                            Err(_) => {}
                        },
                        None if !self.fetch_remote => {
                            return Err(LoadError::Failed(
                                "not in the capture (--fetch-remote fetches it)".into(),
                            ));
                        }
                        None => {}
                    }
                }
                if let Some(named) = &self.contain
                    && !url
                        .host_str()
                        .is_some_and(|h| crate::hosts::any_matches(named, h))
                {
                    return Err(LoadError::NotFetched);
                }
                let Some(fetcher) = &self.fetcher else {
                    return Err(LoadError::NotFetched);
                };
                let f = self
                    .deadline
                    .run_load(fetcher.get(url))
                    .await
                    .map_err(|_| LoadError::Failed(self.deadline.message("not loaded")))?
                    .map_err(|e: FetchError| LoadError::Failed(e.to_string()))?;
                Ok(Loaded {
                    url: f.url,
                    status: Some(f.status),
                    headers: f.headers,
                    body: f.body,
                })
            }
            // The script is in the URL itself: its code is analysed like any other.
            "data" => {
                let data = data_url::DataUrl::process(url.as_str())
                    .map_err(|e| LoadError::Failed(format!("malformed data: URL: {e:?}")))?;
                let (body, _) = data
                    .decode_to_vec()
                    .map_err(|e| LoadError::Failed(format!("malformed data: URL: {e:?}")))?;
                if body.len() as u64 > self.max_body {
                    return Err(LoadError::Failed(format!(
                        "data: URL larger than the {}-byte limit",
                        self.max_body
                    )));
                }
                Ok(Loaded {
                    url: url.clone(),
                    status: None,
                    headers: vec![("content-type".into(), data.mime_type().to_string())],
                    body,
                })
            }
            "blob" => Err(LoadError::Failed(
                "a blob: URL only exists in the browser that made it; the code that makes it (new Blob([…])) is analysed where it runs".into(),
            )),
            other => Err(LoadError::Failed(format!(
                "unsupported URL scheme `{other}`"
            ))),
        }
    }
}
