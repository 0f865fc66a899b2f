//! Code carried in the URL itself: a `data:` URL's script is analysed like any other; a
//! `blob:` URL only exists in the browser that made it.

use super::{LoadError, Loaded, LocalRoot, Source};
use futures::future::BoxFuture;
use url::Url;

pub(super) struct InUrl {
    pub max_body: u64,
}

impl InUrl {
    fn decode(&self, url: &Url) -> Result<Loaded, LoadError> {
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
}

impl Source for InUrl {
    fn load<'a>(
        &'a self,
        url: &'a Url,
        _local: Option<&'a LocalRoot>,
    ) -> BoxFuture<'a, Option<Result<Loaded, LoadError>>> {
        let decided = match url.scheme() {
            "data" => Some(self.decode(url)),
            "blob" => Some(Err(LoadError::Failed(
                "a blob: URL only exists in the browser that made it; the code that makes it (new Blob([…])) is analysed where it runs".into(),
            ))),
            _ => None,
        };
        Box::pin(async move { decided })
    }
}
