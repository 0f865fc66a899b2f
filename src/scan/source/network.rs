//! The network, through the guarded fetcher (address guard, limits, retries), within the
//! scan's deadline. Under `--contain` only the hosts the user named are contacted; without a
//! fetcher (a local scan) nothing is.

use super::{LoadError, Loaded, LocalRoot, Source};
use crate::fetch::{FetchError, Fetcher};
use crate::hosts::HostPattern;
use crate::scan::deadline::Deadline;
use futures::future::BoxFuture;
use std::sync::Arc;
use url::Url;

pub(super) struct Network {
    pub fetcher: Option<Arc<Fetcher>>,
    pub contain: Option<Vec<HostPattern>>,
    pub deadline: Deadline,
}

impl Source for Network {
    fn load<'a>(
        &'a self,
        url: &'a Url,
        _local: Option<&'a LocalRoot>,
    ) -> BoxFuture<'a, Option<Result<Loaded, LoadError>>> {
        Box::pin(async move {
            if !matches!(url.scheme(), "http" | "https") {
                return None;
            }
            if let Some(named) = &self.contain
                && !url
                    .host_str()
                    .is_some_and(|h| crate::hosts::any_matches(named, h))
            {
                return Some(Err(LoadError::NotFetched));
            }
            let Some(fetcher) = &self.fetcher else {
                return Some(Err(LoadError::NotFetched));
            };
            let fetched = self
                .deadline
                .run_load(fetcher.get(url))
                .await
                .map_err(|_| LoadError::Failed(self.deadline.message("not loaded")))
                .and_then(|r| r.map_err(|e: FetchError| LoadError::Failed(e.to_string())));
            Some(fetched.map(|f| Loaded {
                url: f.url,
                status: Some(f.status),
                headers: f.headers,
                body: f.body,
            }))
        })
    }
}
