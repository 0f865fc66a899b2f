//! Test fixtures shared by the CLI tests: a small web server on 127.0.0.1 whose routes are data
//! (a page, a redirect, a body that never ends, a slow answer…), and helpers to run the binary
//! against it with `--resolve`, so no test ever leaves the machine.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a route answers.
#[derive(Clone)]
pub enum Route {
    /// Status, headers, body.
    Ok {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A 302 to another location.
    Redirect(String),
    /// Headers, then a body that never ends (one chunk every 50 ms).
    Endless,
    /// Answers after this delay.
    Slow(Duration),
    /// Answers as the inner route does, after this delay (a slow script that is still a script).
    Delayed(Duration, Box<Route>),
    /// Answers as the inner route does once the gate opens, or after its fallback time.
    Gated(Gate, Box<Route>),
}

/// Holds a route's answer until the test opens it (a download that ends when the test says,
/// not after a guessed delay). Past `fallback` it answers anyway and remembers that it had to.
#[derive(Clone)]
pub struct Gate {
    open: Arc<tokio::sync::Semaphore>,
    fallback: Duration,
    timed_out: Arc<std::sync::atomic::AtomicBool>,
}

impl Gate {
    pub fn closed(fallback: Duration) -> Gate {
        Gate {
            open: Arc::new(tokio::sync::Semaphore::new(0)),
            fallback,
            timed_out: Default::default(),
        }
    }

    /// Let every request through, now and later.
    pub fn open(&self) {
        if self.open.available_permits() == 0 {
            self.open
                .add_permits(tokio::sync::Semaphore::MAX_PERMITS / 2);
        }
    }

    /// Whether a request was answered only because the fallback time ran out.
    pub fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::SeqCst)
    }
}

pub fn html(body: &str) -> Route {
    Route::Ok {
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: body.as_bytes().to_vec(),
    }
}

pub fn js(body: &str) -> Route {
    Route::Ok {
        status: 200,
        headers: vec![("content-type".into(), "application/javascript".into())],
        body: body.as_bytes().to_vec(),
    }
}

pub fn with_headers(route: Route, extra: &[(&str, &str)]) -> Route {
    match route {
        Route::Ok {
            status,
            mut headers,
            body,
        } => {
            headers.extend(extra.iter().map(|(a, b)| (a.to_string(), b.to_string())));
            Route::Ok {
                status,
                headers,
                body,
            }
        }
        other => other,
    }
}

/// A running fixture server. Routes can be changed while it runs (a site that changes between
/// scans); every request path is counted.
pub struct Server {
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    pub total: Arc<AtomicUsize>,
}

impl Server {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn set(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_string(), route);
    }

    pub fn remove(&self, path: &str) {
        self.routes.lock().unwrap().remove(path);
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// `--resolve HOST:PORT:127.0.0.1` for this server.
    pub fn resolve(&self, host: &str) -> String {
        format!("{host}:{}:127.0.0.1", self.port())
    }

    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port())
    }
}

pub fn serve(routes: Vec<(&str, Route)>) -> Server {
    let routes: HashMap<String, Route> = routes
        .into_iter()
        .map(|(p, r)| (p.to_string(), r))
        .collect();
    let routes = Arc::new(Mutex::new(routes));
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let total = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let routes = routes.clone();
        let hits = hits.clone();
        let total = total.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(move |uri: Uri, _h: HeaderMap| {
                    let routes = routes.clone();
                    let hits = hits.clone();
                    let total = total.clone();
                    async move {
                        total.fetch_add(1, Ordering::SeqCst);
                        *hits
                            .lock()
                            .unwrap()
                            .entry(uri.path().to_string())
                            .or_default() += 1;
                        let route = routes.lock().unwrap().get(uri.path()).cloned();
                        respond(route).await
                    }
                });
                axum::serve(listener, app).await.unwrap();
            });
        });
    }
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("fixture server starts");
    Server {
        addr,
        routes,
        hits,
        total,
    }
}

async fn respond(route: Option<Route>) -> Response {
    if let Some(Route::Delayed(d, inner)) = route {
        tokio::time::sleep(d).await;
        return Box::pin(respond(Some(*inner))).await;
    }
    if let Some(Route::Gated(gate, inner)) = route {
        if tokio::time::timeout(gate.fallback, gate.open.acquire())
            .await
            .is_err()
        {
            gate.timed_out.store(true, Ordering::SeqCst);
        }
        return Box::pin(respond(Some(*inner))).await;
    }
    match route {
        None => Response::builder()
            .status(404)
            .body(Body::from("not found"))
            .unwrap(),
        Some(Route::Ok {
            status,
            headers,
            body,
        }) => {
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = StatusCode::from_u16(status).unwrap();
            for (n, v) in headers {
                r.headers_mut().append(
                    HeaderName::from_bytes(n.as_bytes()).unwrap(),
                    HeaderValue::from_str(&v).unwrap(),
                );
            }
            r
        }
        Some(Route::Redirect(to)) => Response::builder()
            .status(302)
            .header("location", to)
            .body(Body::empty())
            .unwrap(),
        Some(Route::Endless) => {
            let stream = futures::stream::unfold(0u64, |n| async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((Ok::<_, std::io::Error>(bytes_chunk()), n + 1))
            });
            Response::builder()
                .status(200)
                .header("content-type", "text/html")
                .body(Body::from_stream(stream))
                .unwrap()
        }
        Some(Route::Delayed(..) | Route::Gated(..)) => unreachable!("answered above"),
        Some(Route::Slow(d)) => {
            tokio::time::sleep(d).await;
            Response::builder()
                .status(200)
                .body(Body::from("<p>late</p>"))
                .unwrap()
        }
    }
}

fn bytes_chunk() -> Vec<u8> {
    b"<p>still going</p>\n".repeat(8)
}

/// The analysis cache the tests' scans share: under cargo's scratch folder for tests, never
/// the user's. Shared on purpose: every test's report then also checks that results kept by
/// earlier scans (of this run or the last) change nothing (tests/analysis_cache.rs).
pub fn test_cache_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("skimscan-analysis-cache")
}

/// The skimscan binary with logging quiet and no colour, ready for arguments.
pub fn skimscan() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("skimscan").unwrap();
    c.env("NO_COLOR", "1")
        .env("SKIMSCAN_CACHE_DIR", test_cache_dir())
        .env_remove("SKIMSCAN_NO_CACHE")
        .env_remove("SKIMSCAN_LOG")
        .timeout(Duration::from_secs(120));
    c
}

/// Run a scan and parse its JSON report; returns (exit code, report).
pub fn scan_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = skimscan()
        .arg("scan")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report (exit {code}): {e}\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (code, report, stderr)
}

pub fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["rule"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Write `body` to `dir/rel`, creating folders: a file of a site directory fixture.
pub fn write_file(dir: &std::path::Path, rel: &str, body: impl AsRef<[u8]>) -> std::path::PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, body).unwrap();
    p
}
