//! A HAR capture's saved responses answer for http(s) URLs. What the capture lacks is fetched
//! only when the user asks (`--fetch-remote`); otherwise it is an error, never a silent gap.

use super::{LoadError, Loaded, LocalRoot, Source};
use crate::har::Capture;
use futures::future::BoxFuture;
use std::sync::Arc;
use url::Url;

pub(super) struct Captured {
    pub capture: Arc<Capture>,
    pub fetch_remote: bool,
}

impl Captured {
    fn answer(&self, url: &Url) -> Option<Result<Loaded, LoadError>> {
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        match self.capture.lookup(url) {
            Some((final_url, c)) => match &c.body {
                Ok(body) => Some(Ok(Loaded {
                    url: final_url,
                    status: Some(c.status),
                    headers: c.headers.clone(),
                    body: body.clone(),
                })),
                Err(why) if !self.fetch_remote => Some(Err(LoadError::Failed(why.clone()))),
                Err(_) => None,
            },
            None if !self.fetch_remote => Some(Err(LoadError::Failed(
                "not in the capture (--fetch-remote fetches it)".into(),
            ))),
            None => None,
        }
    }
}

impl Source for Captured {
    fn load<'a>(
        &'a self,
        url: &'a Url,
        _local: Option<&'a LocalRoot>,
    ) -> BoxFuture<'a, Option<Result<Loaded, LoadError>>> {
        let decided = self.answer(url);
        Box::pin(async move { decided })
    }
}
