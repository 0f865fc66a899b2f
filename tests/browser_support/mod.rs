//! Fixtures for the browser-pass tests: a loopback web server that serves a shop from a route
//! table and records every request it receives byte for byte (so a test can prove the canary
//! never reached a collector), a minimal WebSocket endpoint for second stages, and the rule
//! for when Chromium is missing (fail in CI, skip with a reason elsewhere).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A route: content type and body; `ws:` bodies are sent as one WebSocket text message.
#[derive(Clone)]
pub struct Page {
    pub content_type: &'static str,
    pub body: String,
    /// How long the server takes to answer (a slow third-party server).
    pub delay: Duration,
}

pub fn html(body: impl Into<String>) -> Page {
    Page {
        content_type: "text/html; charset=utf-8",
        body: body.into(),
        delay: Duration::ZERO,
    }
}

pub fn js(body: impl Into<String>) -> Page {
    Page {
        content_type: "application/javascript",
        body: body.into(),
        delay: Duration::ZERO,
    }
}

pub fn json(body: impl Into<String>) -> Page {
    Page {
        content_type: "application/json",
        body: body.into(),
        delay: Duration::ZERO,
    }
}

/// `page`, answered only after `delay`.
pub fn slow(page: Page, delay: Duration) -> Page {
    Page { delay, ..page }
}

/// A WebSocket endpoint that sends `message` once connected.
pub fn websocket(message: impl Into<String>) -> Page {
    Page {
        content_type: "websocket",
        body: message.into(),
        delay: Duration::ZERO,
    }
}

/// A request as it arrived: the raw bytes (head and body, or a WebSocket's frames).
#[derive(Clone, Debug)]
pub struct Received {
    pub host: String,
    pub path: String,
    pub raw: Vec<u8>,
}

pub struct Recorder {
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Page>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Recorder {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    pub fn set(&self, path: &str, page: Page) {
        self.routes.lock().unwrap().insert(path.to_string(), page);
    }
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
    /// Requests whose Host header names `host`.
    pub fn to_host(&self, host: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.host == host)
            .collect()
    }
    pub fn hits(&self, path: &str) -> usize {
        self.received().iter().filter(|r| r.path == path).count()
    }
    pub fn resolve(&self, host: &str) -> String {
        format!("{host}:{}:{}", self.port(), self.addr.ip())
    }
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port())
    }
}

/// Serve on `ip` (a loopback address), port chosen by the system.
pub fn start(ip: &str) -> Recorder {
    let routes: Arc<Mutex<HashMap<String, Page>>> = Arc::default();
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let (tx, rx) = std::sync::mpsc::channel();
    let (r2, rec2, ip) = (routes.clone(), received.clone(), ip.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind((ip.as_str(), 0))
                .await
                .unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            while let Ok((conn, _)) = listener.accept().await {
                let (routes, received) = (r2.clone(), rec2.clone());
                tokio::spawn(async move {
                    let _ = handle(conn, routes, received).await;
                });
            }
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    Recorder {
        addr,
        routes,
        received,
    }
}

async fn read_request(conn: &mut tokio::net::TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return Ok(Some(buf));
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut chunk))
            .await
            .unwrap_or(Ok(0))?;
        if n == 0 {
            return Ok(if buf.is_empty() { None } else { Some(buf) });
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn handle(
    mut conn: tokio::net::TcpStream,
    routes: Arc<Mutex<HashMap<String, Page>>>,
    received: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    // Keep-alive: several requests per connection.
    while let Some(raw) = read_request(&mut conn).await? {
        let text = String::from_utf8_lossy(&raw).into_owned();
        let target = text.split_whitespace().nth(1).unwrap_or("/").to_string();
        let path = target.split('?').next().unwrap_or("/").to_string();
        let host = text
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("host").then(|| v.trim().to_string())
            })
            .unwrap_or_default();
        let host = host
            .rsplit_once(':')
            .map(|(h, _)| h.to_string())
            .unwrap_or(host);
        let index = {
            let mut r = received.lock().unwrap();
            r.push(Received {
                host: host.clone(),
                path: path.clone(),
                raw: raw.clone(),
            });
            r.len() - 1
        };
        let page = routes.lock().unwrap().get(&path).cloned();
        if let Some(p) = &page
            && p.content_type == "websocket"
        {
            let key = text
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("sec-websocket-key")
                        .then(|| v.trim().to_string())
                })
                .unwrap_or_default();
            let accept = ws_accept(&key);
            conn.write_all(
                format!(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                )
                .as_bytes(),
            )
            .await?;
            conn.write_all(&ws_text_frame(&p.body)).await?;
            // Record whatever the page sends back (frames arrive masked; kept raw and
            // unmasked both, so a search finds the canary either way).
            let mut buf = [0u8; 8192];
            loop {
                let n = tokio::time::timeout(Duration::from_secs(30), conn.read(&mut buf))
                    .await
                    .unwrap_or(Ok(0))?;
                if n == 0 {
                    return Ok(());
                }
                let mut r = received.lock().unwrap();
                r[index].raw.extend_from_slice(&buf[..n]);
                r[index].raw.extend_from_slice(&unmask_frames(&buf[..n]));
            }
        }
        if let Some(p) = &page {
            tokio::time::sleep(p.delay).await;
        }
        let (status, ct, body) = match page {
            Some(p) => ("200 OK", p.content_type, p.body),
            None => ("200 OK", "text/plain", "ok".to_string()),
        };
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nAccess-Control-Allow-Origin: *\r\nCache-Control: no-store\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(resp.as_bytes()).await?;
    }
    Ok(())
}

fn ws_accept(key: &str) -> String {
    use base64::Engine as _;
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(key.as_bytes());
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

fn ws_text_frame(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut f = vec![0x81u8];
    if b.len() < 126 {
        f.push(b.len() as u8);
    } else {
        f.push(126);
        f.extend_from_slice(&(b.len() as u16).to_be_bytes());
    }
    f.extend_from_slice(b);
    f
}

/// Best-effort unmasking of client frames in one read (enough to search their text).
fn unmask_frames(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while b.len() >= 6 {
        let masked = b[1] & 0x80 != 0;
        let mut len = usize::from(b[1] & 0x7f);
        let mut i = 2;
        if len == 126 && b.len() >= 4 {
            len = usize::from(u16::from_be_bytes([b[2], b[3]]));
            i = 4;
        }
        if !masked || b.len() < i + 4 {
            break;
        }
        let key = [b[i], b[i + 1], b[i + 2], b[i + 3]];
        i += 4;
        let end = (i + len).min(b.len());
        out.extend(b[i..end].iter().enumerate().map(|(j, x)| x ^ key[j % 4]));
        b = &b[end..];
    }
    out
}

/// Whether the browser tests can run: Chromium is on PATH. In CI it must be (the test
/// fails); elsewhere the test is skipped with a printed reason.
pub fn chromium_available(test: &str) -> bool {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .any(|n| {
            std::env::var_os("PATH")
                .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(n).is_file()))
        });
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("{test}: Chromium is required in CI (apt-get install chromium)");
        }
        eprintln!("SKIPPED {test}: no Chromium on PATH (apt-get install chromium)");
    }
    found
}

/// Every Luhn-valid 16-digit number starting 400000 in `text`, in the forms a collector
/// could receive it: plain, with separators, reversed, URL-encoded, base64 and hex of any
/// part of the text. Used to prove a collector never got the canary.
pub fn canary_numbers(raw: &[u8]) -> Vec<String> {
    use base64::Engine as _;
    let mut texts = vec![String::from_utf8_lossy(raw).into_owned()];
    let first = texts[0].clone();
    texts.push(percent_decode(&first));
    texts.push(first.chars().rev().collect());
    for run in first.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_-".contains(c))) {
        for off in 0..4 {
            if run.len() > off + 8 {
                let s: String = run[off..].chars().filter(|c| *c != '=').collect();
                let s = &s[..s.len() - s.len() % 4];
                for engine in [
                    base64::engine::general_purpose::STANDARD_NO_PAD,
                    base64::engine::general_purpose::URL_SAFE_NO_PAD,
                ] {
                    if let Ok(d) = engine.decode(s) {
                        texts.push(String::from_utf8_lossy(&d).into_owned());
                    }
                }
            }
        }
        if run.len() >= 32 && run.chars().all(|c| c.is_ascii_hexdigit()) {
            for off in 0..2 {
                let bytes: Vec<u8> = run.as_bytes()[off..]
                    .chunks_exact(2)
                    .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
                    .collect();
                texts.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    let mut out = Vec::new();
    for t in texts {
        for t in [t.clone(), t.chars().rev().collect::<String>()] {
            let digits: String = t
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '\n')
                .collect();
            for w in digits.split('\n') {
                for i in 0..w.len().saturating_sub(15) {
                    let cand = &w[i..i + 16];
                    if cand.starts_with("400000") && luhn(cand) {
                        out.push(cand.to_string());
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn luhn(d: &str) -> bool {
    let sum: u32 = d
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = v * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
