//! The address guard, end to end: hosts found in page content that are (or resolve to)
//! loopback, link-local or other non-public addresses are refused before any connection, while
//! the hosts the user named (targets, `--resolve`, `--allow-host`) and `--allow-private` open
//! the way. Every server here listens on 127.0.0.1; nothing reaches the internet.

mod fetch_support;
use fetch_support::*;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use skimscan::fetch::{FetchError, FetchOptions, Fetcher, ResolveEntry};
use skimscan::hosts::HostPattern;
use url::Url;

/// A server on 127.0.0.1 that counts the requests it sees.
async fn counting_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().fallback(get(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            "internal"
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, hits)
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[tokio::test]
async fn user_resolve_host_is_allowed_on_loopback() {
    let (addr, hits) = counting_server().await;
    // Not in named_hosts: a --resolve pin alone makes the host user-named.
    let opts = FetchOptions {
        named_hosts: Vec::new(),
        ..shop_options(addr.port())
    };
    let f = Fetcher::new(opts).unwrap();
    let got = f
        .get(&url(&format!("http://shop.test:{}/checkout", addr.port())))
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"internal");
    assert_eq!(got.remote_addr, Some(addr));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn loopback_literal_from_page_content_is_refused_without_a_request() {
    let (addr, hits) = counting_server().await;
    let f = Fetcher::new(shop_options(addr.port())).unwrap();
    for content_url in [
        format!("http://127.0.0.1:{}/admin", addr.port()),
        // Other spellings of the same address: the URL parser normalises them to 127.0.0.1.
        format!("http://2130706433:{}/admin", addr.port()),
        format!("http://0x7f.1:{}/admin", addr.port()),
        // IPv4-mapped IPv6 reaches the same IPv4 socket.
        format!("http://[::ffff:127.0.0.1]:{}/admin", addr.port()),
    ] {
        let err = f.get(&url(&content_url)).await.unwrap_err();
        match &err {
            FetchError::Refused { host, reason, .. } => {
                assert!(host == "127.0.0.1" || host == "::ffff:127.0.0.1", "{host}");
                assert!(reason.contains("loopback"), "{reason}");
            }
            other => panic!("{content_url}: expected a refusal, got {other:?}"),
        }
        assert_eq!(err.url().as_str(), url(&content_url).as_str());
        let msg = err.to_string();
        assert!(msg.contains("--allow-private"), "{msg}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the server must see no request"
    );
}

#[tokio::test]
async fn cloud_metadata_address_is_refused_at_once() {
    let f = Fetcher::new(FetchOptions {
        timeout: Duration::from_secs(5),
        retries: 2,
        ..FetchOptions::default()
    })
    .unwrap();
    let started = Instant::now();
    let err = f
        .get(&url("http://169.254.169.254/latest/meta-data/iam/"))
        .await
        .unwrap_err();
    // A connection attempt would hang or fail slowly: a refusal is immediate and not retried.
    assert!(started.elapsed() < Duration::from_secs(1));
    match &err {
        FetchError::Refused {
            host, addr, reason, ..
        } => {
            assert_eq!(host, "169.254.169.254");
            assert_eq!(addr, "169.254.169.254");
            assert_eq!(reason, "link-local address (cloud metadata)");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "refused to contact 169.254.169.254 (169.254.169.254): link-local address (cloud metadata); \
         pass --allow-host 169.254.169.254 or --allow-private to allow it"
    );
    // The same endpoint behind an IPv4-mapped IPv6 literal.
    let err = f
        .get(&url("http://[::ffff:a9fe:a9fe]/latest/meta-data/"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::Refused { reason, .. } if reason.contains("cloud metadata")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_by_the_resolver() {
    let (addr, hits) = counting_server().await;
    let f = Fetcher::new(shop_options(addr.port())).unwrap();
    let err = f
        .get(&url(&format!("http://localhost:{}/", addr.port())))
        .await
        .unwrap_err();
    match &err {
        FetchError::Refused {
            host, addr, reason, ..
        } => {
            assert_eq!(host, "localhost");
            assert!(addr == "127.0.0.1" || addr == "::1", "{addr}");
            assert!(reason.contains("loopback"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn allow_private_lets_content_hosts_reach_loopback() {
    let (addr, hits) = counting_server().await;
    let f = Fetcher::new(FetchOptions {
        allow_private: true,
        ..shop_options(addr.port())
    })
    .unwrap();
    let got = f
        .get(&url(&format!("http://localhost:{}/", addr.port())))
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    let got = f
        .get(&url(&format!("http://127.0.0.1:{}/", addr.port())))
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn named_hosts_may_be_private_but_only_they() {
    let (addr, hits) = counting_server().await;
    let mut opts = shop_options(addr.port());
    // The user's own target given as an address, and an --allow-host for a name.
    opts.named_hosts
        .push(HostPattern::parse("127.0.0.1").unwrap());
    opts.named_hosts
        .push(HostPattern::parse("localhost").unwrap());
    let f = Fetcher::new(opts).unwrap();
    for u in [
        format!("http://127.0.0.1:{}/", addr.port()),
        format!("http://localhost:{}/", addr.port()),
    ] {
        assert_eq!(f.get(&url(&u)).await.unwrap().status, 200, "{u}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // Naming 127.0.0.1 does not name the whole loopback range.
    let err = f
        .get(&url(&format!("http://127.0.0.2:{}/", addr.port())))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused { .. }), "{err:?}");
}

#[tokio::test]
async fn redirect_from_the_shop_into_the_internal_network_is_refused() {
    let (internal, internal_hits) = counting_server().await;
    let target = format!("http://127.0.0.1:{}/admin", internal.port());
    let app = Router::new()
        .route(
            "/to-internal",
            get(move || {
                let t = target.clone();
                async move { (axum::http::StatusCode::FOUND, [("location", t)]) }
            }),
        )
        .route(
            "/to-metadata",
            get(|| async {
                (
                    axum::http::StatusCode::MOVED_PERMANENTLY,
                    [("location", "http://169.254.169.254/latest/meta-data/")],
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shop = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let f = Fetcher::new(shop_options(shop.port())).unwrap();
    let start = url(&format!("http://shop.test:{}/to-internal", shop.port()));
    let err = f.get(&start).await.unwrap_err();
    assert!(
        matches!(&err, FetchError::Refused { host, .. } if host == "127.0.0.1"),
        "{err:?}"
    );
    // The error belongs to the URL that was asked for.
    assert_eq!(err.url(), &start);
    assert_eq!(internal_hits.load(Ordering::SeqCst), 0);

    let err = f
        .get(&url(&format!(
            "http://shop.test:{}/to-metadata",
            shop.port()
        )))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::Refused { reason, .. } if reason.contains("cloud metadata")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_resolve_pin_applies_to_its_port_only() {
    // curl's meaning: `--resolve localhost:PB:127.0.0.2` changes where localhost:PB goes and
    // nothing else; localhost on another port still resolves as usual (here via /etc/hosts).
    let app_a = Router::new().fallback(get(|| async { "A on 127.0.0.1" }));
    let app_b = Router::new().fallback(get(|| async { "B on 127.0.0.2" }));
    let la = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lb = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let (pa, pb) = (
        la.local_addr().unwrap().port(),
        lb.local_addr().unwrap().port(),
    );
    tokio::spawn(async move { axum::serve(la, app_a).await.unwrap() });
    tokio::spawn(async move { axum::serve(lb, app_b).await.unwrap() });

    let f = Fetcher::new(FetchOptions {
        timeout: Duration::from_secs(3),
        retries: 0,
        resolve: vec![ResolveEntry {
            host: "localhost".into(),
            port: pb,
            addr: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
        }],
        ..FetchOptions::default()
    })
    .unwrap();
    let b = f
        .get(&url(&format!("http://localhost:{pb}/")))
        .await
        .unwrap();
    assert_eq!(b.body, b"B on 127.0.0.2");
    // The pin also names the host, so its ordinary (loopback) resolution is allowed too.
    let a = f
        .get(&url(&format!("http://localhost:{pa}/")))
        .await
        .unwrap();
    assert_eq!(a.body, b"A on 127.0.0.1");
}
