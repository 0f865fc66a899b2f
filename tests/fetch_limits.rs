//! Fetch limits against misbehaving servers: bodies over the cap (declared, streamed, and a
//! gzip bomb), a body that never ends, a server that never answers, transient failures and the
//! retry policy, per-host concurrency, and which requests carry the user's headers. Local
//! servers on 127.0.0.1 only; every test finishes in a few seconds.

mod fetch_support;
use fetch_support::*;

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use futures::StreamExt;
use skimscan::fetch::{ClientError, FetchError, FetchOptions, Fetcher};
use url::Url;

fn shop(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://shop.test:{}{path}", addr.port())).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A body sent in 64 KiB chunks with no Content-Length, so only streaming can catch its size.
fn chunked(total: usize) -> Body {
    let chunk = Bytes::from(vec![b'a'; 64 * 1024]);
    let n = total / chunk.len();
    Body::from_stream(futures::stream::iter(
        (0..n).map(move |_| Ok::<_, Infallible>(chunk.clone())),
    ))
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_whether_declared_or_streamed() {
    let app = Router::new()
        .route("/declared", get(|| async { vec![b'x'; 4096] }))
        .route("/exact", get(|| async { vec![b'x'; 1024] }))
        .route("/streamed", get(|| async { chunked(4 * 1024 * 1024) }));
    let addr = serve(app).await;
    let f = Fetcher::new(FetchOptions {
        max_body: 1024,
        ..shop_options(addr.port())
    })
    .unwrap();
    for path in ["/declared", "/streamed"] {
        match f.get(&shop(addr, path)).await {
            Err(FetchError::TooLarge { limit, url }) => {
                assert_eq!(limit, 1024);
                assert_eq!(url, shop(addr, path));
            }
            other => panic!("{path}: expected TooLarge, got {other:?}"),
        }
    }
    let exact = f.get(&shop(addr, "/exact")).await.unwrap();
    assert_eq!(exact.body.len(), 1024);
}

/// An endless gzip body: a gzip header, then the same raw-deflate segment forever. Each
/// segment is 1 MiB of zeros compressed with a full flush (about 1 KiB), so it depends on no
/// earlier data and can be repeated; the stream never ends, so a reader that does not stop at
/// its cap never finishes.
fn endless_gzip_bomb() -> Body {
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    let mut segment = Vec::with_capacity(64 * 1024);
    deflate
        .compress_vec(
            &vec![0u8; 1024 * 1024],
            &mut segment,
            flate2::FlushCompress::Full,
        )
        .unwrap();
    assert!(segment.len() < 8 * 1024, "{}", segment.len());
    let header = Bytes::from_static(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let segment = Bytes::from(segment);
    let body = futures::stream::once(async move { header })
        .chain(futures::stream::repeat(segment))
        .map(Ok::<_, Infallible>);
    Body::from_stream(body)
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_cap_and_honest_compression_decodes() {
    let small = Bytes::from(gzip(b"<html>checkout</html>"));
    let app = Router::new()
        .route(
            "/bomb.js",
            get(|| async { ([("content-encoding", "gzip")], endless_gzip_bomb()) }),
        )
        .route(
            "/page",
            get(move || {
                let b = small.clone();
                async move { ([("content-encoding", "gzip")], b) }
            }),
        )
        .route(
            "/page.br",
            get(|| async { ([("content-encoding", "br")], brotli_page()) }),
        );
    let addr = serve(app).await;
    let f = Fetcher::new(FetchOptions {
        max_body: 2 * 1024 * 1024,
        timeout: Duration::from_secs(10),
        ..shop_options(addr.port())
    })
    .unwrap();
    // TooLarge (not a timeout) shows the reader stopped at the cap: the body never ends.
    match f.get(&shop(addr, "/bomb.js")).await {
        Err(FetchError::TooLarge { limit, .. }) => assert_eq!(limit, 2 * 1024 * 1024),
        other => panic!("expected TooLarge, got {other:?}"),
    }

    // Decompression itself works, and the body is the decoded one.
    let page = f.get(&shop(addr, "/page")).await.unwrap();
    assert_eq!(page.body, b"<html>checkout</html>");
    let page = f.get(&shop(addr, "/page.br")).await.unwrap();
    assert_eq!(page.body, b"<html>brotli</html>");
}

/// `<html>brotli</html>` as a brotli stream, written by hand (there is no brotli encoder among
/// the dependencies): window bits 16, one uncompressed meta-block of 19 bytes (header bits
/// ISLAST=0, MNIBBLES=4, MLEN-1=18, ISUNCOMPRESSED=1, padded to a byte), the bytes, then an
/// empty last meta-block.
fn brotli_page() -> Vec<u8> {
    let mut out = vec![0x20, 0x01, 0x10];
    out.extend_from_slice(b"<html>brotli</html>");
    out.push(0x03);
    out
}

#[tokio::test]
async fn a_body_that_never_ends_times_out() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().route(
        "/stall.js",
        get(move || {
            h.fetch_add(1, Ordering::SeqCst);
            async {
                // Headers and a first chunk, then nothing, forever.
                let first = futures::stream::once(async {
                    Ok::<_, Infallible>(Bytes::from_static(b"var a = 1;"))
                });
                let never = futures::stream::pending::<Result<Bytes, Infallible>>();
                (
                    [("content-type", "application/javascript")],
                    Body::from_stream(first.chain(never)),
                )
            }
        }),
    );
    let addr = serve(app).await;
    let f = Fetcher::new(FetchOptions {
        timeout: Duration::from_millis(800),
        retries: 2,
        ..shop_options(addr.port())
    })
    .unwrap();
    let started = Instant::now();
    let err = f.get(&shop(addr, "/stall.js")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::Timeout { secs: 1, .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "timed out after 1 s");
    assert!(started.elapsed() >= Duration::from_millis(700));
    // One timeout, not one per retry: a stalled server is not retried.
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_once() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().route(
        "/slow",
        get(move || {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(30)).await;
                "too late"
            }
        }),
    );
    let addr = serve(app).await;
    let f = Fetcher::new(FetchOptions {
        timeout: Duration::from_millis(500),
        retries: 2,
        ..shop_options(addr.port())
    })
    .unwrap();
    let started = Instant::now();
    let err = f.get(&shop(addr, "/slow")).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn transient_statuses_are_retried_and_others_are_not() {
    let flaky = Arc::new(AtomicUsize::new(0));
    let busy = Arc::new(AtomicUsize::new(0));
    let missing = Arc::new(AtomicUsize::new(0));
    let (fl, bu, mi) = (flaky.clone(), busy.clone(), missing.clone());
    let app = Router::new()
        .route(
            "/flaky",
            get(move || {
                let n = fl.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        (StatusCode::SERVICE_UNAVAILABLE, "later")
                    } else {
                        (StatusCode::OK, "fine")
                    }
                }
            }),
        )
        .route(
            "/busy",
            get(move || {
                bu.fetch_add(1, Ordering::SeqCst);
                // Asks for a wait far beyond the policy's: not waited for.
                async {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("retry-after", "3600")],
                        "slow down",
                    )
                }
            }),
        )
        .route(
            "/missing",
            get(move || {
                mi.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::NOT_FOUND, "no") }
            }),
        );
    let addr = serve(app).await;
    let f = Fetcher::new(FetchOptions {
        retries: 2,
        ..shop_options(addr.port())
    })
    .unwrap();

    let got = f.get(&shop(addr, "/flaky")).await.unwrap();
    assert_eq!((got.status, got.body.as_slice()), (200, &b"fine"[..]));
    assert_eq!(flaky.load(Ordering::SeqCst), 3);

    let started = Instant::now();
    let got = f.get(&shop(addr, "/busy")).await.unwrap();
    assert_eq!(got.status, 429);
    assert_eq!(busy.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() < Duration::from_secs(3));

    let got = f.get(&shop(addr, "/missing")).await.unwrap();
    assert_eq!(got.status, 404);
    assert_eq!(missing.load(Ordering::SeqCst), 1);

    // Retries exhausted: the last transient answer is returned for the caller to judge.
    flaky.store(0, Ordering::SeqCst);
    let f = Fetcher::new(FetchOptions {
        retries: 1,
        ..shop_options(addr.port())
    })
    .unwrap();
    assert_eq!(f.get(&shop(addr, "/flaky")).await.unwrap().status, 503);
    assert_eq!(flaky.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    // Bind and drop: nothing listens on the port afterwards.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = Fetcher::new(FetchOptions {
        retries: 1,
        ..shop_options(port)
    })
    .unwrap();
    let started = Instant::now();
    let err = f
        .get(&Url::parse(&format!("http://shop.test:{port}/")).unwrap())
        .await
        .unwrap_err();
    match &err {
        FetchError::Connect { message, .. } => {
            assert!(!message.is_empty());
            assert!(err.to_string().starts_with("connection failed: "));
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
    // One retry after the 250 ms backoff.
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn requests_per_host_are_limited() {
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (n, p) = (now.clone(), peak.clone());
    let app = Router::new().route(
        "/s.js",
        get(move || {
            let (n, p) = (n.clone(), p.clone());
            async move {
                let cur = n.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(cur, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                n.fetch_sub(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let addr = serve(app).await;
    let f = Arc::new(
        Fetcher::new(FetchOptions {
            concurrency: 8,
            per_host: 2,
            ..shop_options(addr.port())
        })
        .unwrap(),
    );
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let f = f.clone();
        let u = shop(addr, "/s.js");
        tasks.push(tokio::spawn(
            async move { f.get(&u).await.map(|r| r.status) },
        ));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!((1..=2).contains(&peak), "peak {peak}");
}

#[tokio::test]
async fn user_headers_and_cookie_go_only_to_named_hosts() {
    let app = Router::new().route(
        "/echo",
        get(|headers: HeaderMap| async move {
            let get = |n: &str| {
                headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-")
                    .to_string()
            };
            format!(
                "{}|{}|{}",
                get("user-agent"),
                get("cookie"),
                get("x-staging")
            )
        }),
    );
    let addr = serve(app).await;
    let f = Fetcher::new(FetchOptions {
        headers: vec![("X-Staging".into(), "yes".into())],
        cookie: Some("session=abc".into()),
        // So that the unnamed 127.0.0.1 can be reached at all.
        allow_private: true,
        ..shop_options(addr.port())
    })
    .unwrap();
    let named = f.get(&shop(addr, "/echo")).await.unwrap();
    assert_eq!(
        String::from_utf8(named.body).unwrap(),
        format!("{}|session=abc|yes", skimscan::fetch::DEFAULT_USER_AGENT)
    );
    let other = f
        .get(&Url::parse(&format!("http://127.0.0.1:{}/echo", addr.port())).unwrap())
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(other.body).unwrap(),
        format!("{}|-|-", skimscan::fetch::DEFAULT_USER_AGENT)
    );
}

#[test]
fn bad_client_settings_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = dir.path().join("missing.pem");
    for path in [garbage, missing] {
        let err = Fetcher::new(FetchOptions {
            ca_certs: vec![path.clone()],
            ..FetchOptions::default()
        })
        .err()
        .expect("a bad CA file must fail");
        assert!(
            matches!(&err, ClientError::CaCert { path: p, .. } if *p == path),
            "{err:?}"
        );
    }
    let err = Fetcher::new(FetchOptions {
        headers: vec![("Bad Name".into(), "x".into())],
        ..FetchOptions::default()
    })
    .err()
    .expect("a bad header must fail");
    assert!(matches!(err, ClientError::Header { .. }), "{err:?}");
}

#[tokio::test]
async fn a_body_cut_short_is_retried_and_a_corrupt_one_is_not() {
    // A raw server: promises 100 bytes, sends 10, hangs up.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let cut_short = Arc::new(AtomicUsize::new(0));
    let counter = cut_short.clone();
    std::thread::spawn(move || {
        use std::io::Read;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789");
        }
    });
    let f = Fetcher::new(FetchOptions {
        retries: 1,
        ..shop_options(port)
    })
    .unwrap();
    let err = f
        .get(&Url::parse(&format!("http://shop.test:{port}/app.js")).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Other { .. }), "{err:?}");
    assert_eq!(cut_short.load(Ordering::SeqCst), 2, "one retry");

    let corrupt = Arc::new(AtomicUsize::new(0));
    let c = corrupt.clone();
    let app = Router::new().route(
        "/corrupt.js",
        get(move || {
            c.fetch_add(1, Ordering::SeqCst);
            async { ([("content-encoding", "gzip")], "this is not gzip at all") }
        }),
    );
    let addr = serve(app).await;
    let f = Fetcher::new(FetchOptions {
        retries: 2,
        ..shop_options(addr.port())
    })
    .unwrap();
    let err = f.get(&shop(addr, "/corrupt.js")).await.unwrap_err();
    assert!(matches!(err, FetchError::Other { .. }), "{err:?}");
    assert_eq!(corrupt.load(Ordering::SeqCst), 1, "not retried");
}
