//! A fast static file server for benchmarks: loads a directory into memory and serves it on
//! 127.0.0.1 (HTTP/1.1, keep-alive), so the benchmark measures the client, not the server.
//!
//! usage: cargo run --release --example static_server -- DIR [PORT]

use axum::body::Body;
use axum::http::{StatusCode, Uri, header};
use axum::response::Response;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn load(
    dir: &Path,
    root: &Path,
    out: &mut HashMap<String, (Vec<u8>, &'static str)>,
) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            load(&p, root, out)?;
            continue;
        }
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        let ct = match p.extension().and_then(|e| e.to_str()) {
            Some("html") => "text/html; charset=utf-8",
            Some("js") => "application/javascript",
            _ => "application/octet-stream",
        };
        out.insert(format!("/{rel}"), (std::fs::read(&p)?, ct));
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let mut files = HashMap::new();
    load(&dir, &dir, &mut files)?;
    let files = Arc::new(files);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        eprintln!("serving {} files on 127.0.0.1:{port}", files.len());
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let files = files.clone();
            async move {
                match files.get(uri.path()) {
                    Some((body, ct)) => Response::builder()
                        .header(header::CONTENT_TYPE, *ct)
                        .body(Body::from(body.clone()))
                        .unwrap_or_default(),
                    None => Response::builder()
                        .status(StatusCode::NOT_FOUND)
                        .body(Body::empty())
                        .unwrap_or_default(),
                }
            }
        });
        axum::serve(listener, app).await
    })
}
