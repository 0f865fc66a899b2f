//! Redirects: followed by the fetcher itself, so the final URL is reported, loops are named as
//! loops, the hop count is limited and only http(s) is followed. Local servers only.

mod fetch_support;
use fetch_support::*;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use skimscan::fetch::{FetchError, FetchOptions, Fetcher};
use url::Url;

fn redirect(
    status: StatusCode,
    to: &'static str,
) -> (StatusCode, [(&'static str, &'static str); 1]) {
    (status, [("location", to)])
}

fn app() -> Router {
    Router::new()
        .route(
            "/start",
            get(|| async { redirect(StatusCode::FOUND, "/middle") }),
        )
        .route(
            "/middle",
            get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "end?x=1") }),
        )
        .route("/end", get(|| async { "the end" }))
        .route(
            "/self",
            get(|| async { redirect(StatusCode::FOUND, "/self") }),
        )
        .route(
            "/ping",
            get(|| async { redirect(StatusCode::TEMPORARY_REDIRECT, "/pong") }),
        )
        .route(
            "/pong",
            get(|| async { redirect(StatusCode::PERMANENT_REDIRECT, "/ping#again") }),
        )
        .route(
            "/chain/{n}",
            get(|Path(n): Path<u32>| async move {
                (
                    StatusCode::FOUND,
                    [("location", format!("/chain/{}", n + 1))],
                )
            }),
        )
        .route(
            "/ftp",
            get(|| async { redirect(StatusCode::FOUND, "ftp://shop.test/file") }),
        )
        .route(
            "/js",
            get(|| async { redirect(StatusCode::SEE_OTHER, "javascript:alert(1)") }),
        )
        .route("/no-location", get(|| async { StatusCode::FOUND }))
}

#[tokio::test]
async fn follows_relative_redirects_and_reports_the_final_url() {
    let addr = serve(app()).await;
    let f = Fetcher::new(shop_options(addr.port())).unwrap();
    let start = Url::parse(&format!("http://shop.test:{}/start", addr.port())).unwrap();
    let got = f.get(&start).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"the end");
    assert_eq!(
        got.url.as_str(),
        format!("http://shop.test:{}/end?x=1", addr.port())
    );
}

#[tokio::test]
async fn a_redirect_loop_is_reported_as_a_loop() {
    let addr = serve(app()).await;
    let f = Fetcher::new(shop_options(addr.port())).unwrap();
    for path in ["/self", "/ping"] {
        let start = Url::parse(&format!("http://shop.test:{}{path}", addr.port())).unwrap();
        let err = f.get(&start).await.unwrap_err();
        match &err {
            FetchError::RedirectLoop { url, last } => {
                assert_eq!(url, &start);
                assert!(last.contains(path), "{last}");
            }
            other => panic!("{path}: expected a loop, got {other:?}"),
        }
        assert!(err.to_string().starts_with("redirect loop at "));
    }
}

#[tokio::test]
async fn too_many_redirects_stop_at_the_limit() {
    let addr = serve(app()).await;
    let f = Fetcher::new(FetchOptions {
        max_redirects: 3,
        ..shop_options(addr.port())
    })
    .unwrap();
    let start = Url::parse(&format!("http://shop.test:{}/chain/0", addr.port())).unwrap();
    let err = f.get(&start).await.unwrap_err();
    match &err {
        FetchError::TooManyRedirects { limit, last, .. } => {
            assert_eq!(*limit, 3);
            assert!(last.ends_with("/chain/4"), "{last}");
        }
        other => panic!("expected too many redirects, got {other:?}"),
    }

    // With no redirects allowed, the first one is already too many.
    let f = Fetcher::new(FetchOptions {
        max_redirects: 0,
        ..shop_options(addr.port())
    })
    .unwrap();
    let start = Url::parse(&format!("http://shop.test:{}/start", addr.port())).unwrap();
    assert!(matches!(
        f.get(&start).await,
        Err(FetchError::TooManyRedirects { limit: 0, .. })
    ));
}

#[tokio::test]
async fn only_http_and_https_are_followed_or_fetched() {
    let addr = serve(app()).await;
    let f = Fetcher::new(shop_options(addr.port())).unwrap();
    for (path, scheme) in [("/ftp", "ftp"), ("/js", "javascript")] {
        let start = Url::parse(&format!("http://shop.test:{}{path}", addr.port())).unwrap();
        match f.get(&start).await {
            Err(FetchError::Scheme { url, scheme: s }) => {
                assert_eq!(url, start);
                assert_eq!(s, scheme);
            }
            other => panic!("{path}: expected a scheme error, got {other:?}"),
        }
    }
    let file = Url::parse("file:///etc/passwd").unwrap();
    assert!(matches!(
        f.get(&file).await,
        Err(FetchError::Scheme { scheme, .. }) if scheme == "file"
    ));
}

#[tokio::test]
async fn a_redirect_status_without_location_is_the_answer() {
    let addr = serve(app()).await;
    let f = Fetcher::new(shop_options(addr.port())).unwrap();
    let start = Url::parse(&format!("http://shop.test:{}/no-location", addr.port())).unwrap();
    let got = f.get(&start).await.unwrap();
    assert_eq!(got.status, 302);
    assert_eq!(got.url, start);
}
