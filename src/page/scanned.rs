//! A page as the scan holds it once loaded and parsed: what the page checks, the script
//! discovery and the report read. It lives with the page model so the checks need nothing
//! from the scan pipeline that produces it.

use super::PageDoc;
use crate::target::LocalRoot;
use std::sync::Arc;
use url::Url;

/// A loaded and parsed page.
#[derive(Debug, Clone)]
pub struct ScannedPage {
    /// How reports name the page (the URL, or the local path as typed).
    pub name: String,
    pub url: Url,
    pub requested: Option<Url>,
    pub local: Option<Arc<LocalRoot>>,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub doc: PageDoc,
    pub encoding: String,
    pub found_by: &'static str,
}

impl ScannedPage {
    /// The shop's own host for this page: its URL's host, or, for a page read from disk (a
    /// built site about to be deployed), the host of the address it declares
    /// (`<link rel="canonical">`, `og:url`). Without it a built checkout whose form posts to
    /// `https://www.shop.example/checkout` would be judged to post outside. A declared
    /// address is the page author's word; a served page's own URL always wins.
    pub fn host(&self) -> Option<String> {
        let own = self.url.host_str().filter(|h| !h.is_empty());
        let declared = || {
            (self.url.scheme() == "file")
                .then(|| {
                    self.doc
                        .declared_url
                        .as_ref()?
                        .host_str()
                        .map(str::to_string)
                })
                .flatten()
        };
        own.map(str::to_string)
            .or_else(declared)
            .map(|h| crate::hosts::normalise_host(&h))
    }
}
