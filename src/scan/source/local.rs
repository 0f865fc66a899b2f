//! Local files: `file:` URLs are read from inside the directory the user named, and nowhere
//! else (a web page cannot load local files). And the policy for a local page's remote
//! references: not fetched unless `--fetch-remote`, so scanning a suspect file never contacts
//! the attacker's hosts.

use super::{LoadError, Loaded, LocalRoot, Source};
use futures::future::BoxFuture;
use url::Url;

pub(super) struct LocalFiles {
    pub max_body: u64,
}

impl Source for LocalFiles {
    fn load<'a>(
        &'a self,
        url: &'a Url,
        local: Option<&'a LocalRoot>,
    ) -> BoxFuture<'a, Option<Result<Loaded, LoadError>>> {
        Box::pin(async move {
            if url.scheme() != "file" {
                return None;
            }
            let Some(root) = local else {
                return Some(Err(LoadError::Failed(
                    "a web page cannot load local files".into(),
                )));
            };
            // Reading a file blocks; pages and scripts are small (bounded by max_body).
            Some(
                root.read(url, self.max_body)
                    .map_err(LoadError::Failed)
                    .map(|body| Loaded {
                        url: url.clone(),
                        status: None,
                        headers: Vec::new(),
                        body,
                    }),
            )
        })
    }
}

pub(super) struct RemoteOfLocal {
    pub fetch_remote: bool,
}

impl Source for RemoteOfLocal {
    fn load<'a>(
        &'a self,
        url: &'a Url,
        local: Option<&'a LocalRoot>,
    ) -> BoxFuture<'a, Option<Result<Loaded, LoadError>>> {
        let remote = matches!(url.scheme(), "http" | "https");
        let decided =
            (remote && local.is_some() && !self.fetch_remote).then_some(Err(LoadError::NotFetched));
        Box::pin(async move { decided })
    }
}
