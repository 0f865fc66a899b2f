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
