//! Helpers shared by the fetch tests: an axum app on 127.0.0.1 and the options of a user who
//! scans `shop.test` pinned to it with `--resolve`.
#![allow(dead_code)]

use axum::Router;
use skimscan::fetch::{FetchOptions, ResolveEntry};
use skimscan::hosts::HostPattern;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The user scans `shop.test`, pinned with `--resolve` to the local server.
pub fn shop_options(port: u16) -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(3),
        retries: 0,
        resolve: vec![ResolveEntry {
            host: "shop.test".into(),
            port,
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
        }],
        named_hosts: vec![HostPattern::parse("shop.test").unwrap()],
        ..FetchOptions::default()
    }
}
