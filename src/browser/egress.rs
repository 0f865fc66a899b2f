//! The browser's only way out: a SOCKS5 proxy the scanner runs on loopback, one per visit.
//!
//! The DevTools `Fetch` domain pauses every HTTP request, so those carrying the canary are
//! failed before they are sent. WebSockets, WebRTC and some worker requests cannot be paused
//! that way, so the browser is also given this proxy as its only route to the network (and
//! its own DNS is switched off, so nothing resolves around it). The proxy:
//! - resolves names itself, with the `--resolve` pins and the fetcher's address guard, so a
//!   page cannot steer the browser into the scanner's network;
//! - under `--contain`, connects only to hosts the user named; everything else goes to the
//!   sinkhole;
//! - once the canary is about to be typed ([`Egress::enter_canary_phase`]), cuts every open
//!   connection to a host that may not receive card data (neither the shop nor an authorised
//!   processor) and sends every new one to the sinkhole. After that moment nothing can reach
//!   a collector by any channel: HTTP, WebSocket, a worker's request or a TURN relay.
//!
//! The sinkhole answers locally and records what arrives (a plain HTTP request or WebSocket
//! handshake in full, the server name of a TLS connection), so even an attempt the `Fetch`
//! domain did not see is evidence.

use crate::fetch::ResolveEntry;
use crate::fetch::guard::AddressGuard;
use crate::hosts::{self, HostPattern};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// Most bytes the sinkhole keeps of one connection.
const SINKHOLE_CAP: usize = 256 * 1024;
/// How long the sinkhole waits for a connection's bytes.
const SINKHOLE_WAIT: Duration = Duration::from_secs(3);

/// Which hosts may receive card data (the shop, authorised processors).
pub type CardPolicy = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// What the proxy enforces for one visit.
#[derive(Clone)]
pub struct EgressPolicy {
    pub guard: Arc<AddressGuard>,
    pub pins: Vec<ResolveEntry>,
    /// `--contain`: only these hosts are contacted at all.
    pub contain: Option<Vec<HostPattern>>,
    pub may_receive_card: CardPolicy,
    pub connect_timeout: Duration,
}

/// A connection the proxy did not forward.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sinkholed {
    pub host: String,
    pub port: u16,
    /// What arrived: a plain request in full, or nothing readable (TLS).
    pub bytes: Vec<u8>,
    pub tls: bool,
    /// Whether the canary phase had begun.
    pub after_canary: bool,
}

#[derive(Default)]
struct Records {
    sinkholed: Vec<Sinkholed>,
    refused: Vec<String>,
    tunnels: Vec<(String, AbortHandle)>,
}

struct State {
    policy: EgressPolicy,
    canary_phase: AtomicBool,
    records: Mutex<Records>,
}

/// A running proxy; stops (and cuts every tunnel) when dropped.
pub struct Egress {
    addr: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl Egress {
    pub async fn start(policy: EgressPolicy) -> std::io::Result<Egress> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            policy,
            canary_phase: AtomicBool::new(false),
            records: Mutex::new(Records::default()),
        });
        let st = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = serve(st, conn).await;
                });
            }
        });
        Ok(Egress {
            addr,
            state,
            accept,
        })
    }

    /// The proxy as Chromium's `--proxy-server` / browser context `proxyServer` value.
    pub fn proxy_url(&self) -> String {
        format!("socks5://{}", self.addr)
    }

    /// From now on only hosts that may receive card data are reachable: open tunnels to
    /// others are cut, new connections to others go to the sinkhole.
    pub fn enter_canary_phase(&self) {
        self.state.canary_phase.store(true, Ordering::SeqCst);
        let mut r = lock(&self.state.records);
        let policy = &self.state.policy;
        r.tunnels.retain(|(host, handle)| {
            if (policy.may_receive_card)(host) {
                true
            } else {
                handle.abort();
                false
            }
        });
    }

    pub fn sinkholed(&self) -> Vec<Sinkholed> {
        lock(&self.state.records).sinkholed.clone()
    }

    /// Connections refused by the address guard, as messages.
    pub fn refused(&self) -> Vec<String> {
        lock(&self.state.records).refused.clone()
    }
}

impl Drop for Egress {
    fn drop(&mut self) {
        self.accept.abort();
        for (_, h) in lock(&self.state.records).tunnels.drain(..) {
            h.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain data behind; keep using it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

enum Route {
    Direct(SocketAddr),
    Sinkhole,
    /// The address guard refused every address of the host.
    Refuse(String),
    /// The name does not resolve (a dead domain, a typo): the page gets the same failure a
    /// customer would, and nothing is recorded as a refusal.
    Unresolved,
}

async fn route(st: &State, host: &str, port: u16) -> Route {
    let p = &st.policy;
    if let Some(named) = &p.contain
        && !hosts::any_matches(named, host)
    {
        return Route::Sinkhole;
    }
    if st.canary_phase.load(Ordering::SeqCst) && !(p.may_receive_card)(host) {
        return Route::Sinkhole;
    }
    if let Some(pin) = p.pins.iter().find(|r| r.host == host && r.port == port) {
        return Route::Direct(SocketAddr::new(pin.addr, port));
    }
    let candidates: Vec<IpAddr> = match host.trim_matches(['[', ']']).parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => {
            match tokio::time::timeout(p.connect_timeout, tokio::net::lookup_host((host, port)))
                .await
            {
                Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
                Ok(Err(_)) | Err(_) => return Route::Unresolved,
            }
        }
    };
    let mut refusal = None;
    for ip in candidates {
        match p.guard.check(host, ip) {
            Ok(()) => return Route::Direct(SocketAddr::new(ip, port)),
            Err(r) => {
                refusal.get_or_insert_with(|| r.to_string());
            }
        }
    }
    Route::Refuse(refusal.unwrap_or_else(|| format!("{host}: no address")))
}

/// One SOCKS5 connection from the browser (RFC 1928, CONNECT only, no authentication).
async fn serve(st: Arc<State>, mut conn: TcpStream) -> std::io::Result<()> {
    let mut head = [0u8; 2];
    conn.read_exact(&mut head).await?;
    if head[0] != 5 {
        return Ok(());
    }
    let mut methods = vec![0u8; usize::from(head[1])];
    conn.read_exact(&mut methods).await?;
    conn.write_all(&[5, 0]).await?;
    let mut req = [0u8; 4];
    conn.read_exact(&mut req).await?;
    if req[1] != 1 {
        // Only CONNECT: no UDP relay (WebRTC's UDP has no way out) and no BIND.
        conn.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Ok(());
    }
    let host = match req[3] {
        1 => {
            let mut a = [0u8; 4];
            conn.read_exact(&mut a).await?;
            IpAddr::from(a).to_string()
        }
        4 => {
            let mut a = [0u8; 16];
            conn.read_exact(&mut a).await?;
            IpAddr::from(a).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            conn.read_exact(&mut len).await?;
            let mut name = vec![0u8; usize::from(len[0])];
            conn.read_exact(&mut name).await?;
            hosts::normalise_host(&String::from_utf8_lossy(&name))
        }
        _ => return Ok(()),
    };
    let mut port = [0u8; 2];
    conn.read_exact(&mut port).await?;
    let port = u16::from_be_bytes(port);
    const OK: [u8; 10] = [5, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    match route(&st, &host, port).await {
        Route::Refuse(why) => {
            lock(&st.records).refused.push(why);
            conn.write_all(&[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
            Ok(())
        }
        Route::Unresolved => {
            conn.write_all(&[5, 4, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
            Ok(())
        }
        Route::Sinkhole => {
            conn.write_all(&OK).await?;
            sinkhole(&st, conn, host, port).await
        }
        Route::Direct(addr) => {
            let upstream =
                match tokio::time::timeout(st.policy.connect_timeout, TcpStream::connect(addr))
                    .await
                {
                    Ok(Ok(s)) => s,
                    _ => {
                        conn.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
                        return Ok(());
                    }
                };
            conn.write_all(&OK).await?;
            let tunnel = tokio::spawn(async move {
                let (mut a, mut b) = (conn, upstream);
                let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
            });
            let mut r = lock(&st.records);
            // Registered under the lock the phase switch takes, then re-checked: a tunnel
            // opened while the switch ran must not survive it.
            if st.canary_phase.load(Ordering::SeqCst) && !(st.policy.may_receive_card)(&host) {
                tunnel.abort();
            } else {
                r.tunnels.retain(|(_, h)| !h.is_finished());
                r.tunnels.push((host, tunnel.abort_handle()));
            }
            Ok(())
        }
    }
}

/// Answer locally and record: a plain HTTP request (or WebSocket handshake) is read in full
/// and answered `204`; a TLS handshake cannot complete, so only the host is known.
async fn sinkhole(st: &State, mut conn: TcpStream, host: String, port: u16) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + SINKHOLE_WAIT;
    let mut tls = false;
    loop {
        let n = match tokio::time::timeout_at(deadline, conn.read(&mut buf)).await {
            Ok(Ok(n)) => n,
            _ => break,
        };
        if n == 0 {
            break;
        }
        if bytes.is_empty() && buf[0] == 0x16 {
            tls = true;
        }
        bytes.extend_from_slice(&buf[..n.min(SINKHOLE_CAP.saturating_sub(bytes.len()))]);
        if tls || bytes.len() >= SINKHOLE_CAP || request_complete(&bytes) {
            break;
        }
    }
    if !tls && !bytes.is_empty() {
        let _ = conn
            .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    }
    let after_canary = st.canary_phase.load(Ordering::SeqCst);
    lock(&st.records).sinkholed.push(Sinkholed {
        host,
        port,
        bytes: if tls { Vec::new() } else { bytes },
        tls,
        after_canary,
    });
    Ok(())
}

/// Whether `bytes` hold a whole HTTP request: the head, and as much body as it announces.
fn request_complete(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    bytes.len() >= end + 4 + length
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_boundaries() {
        assert!(!request_complete(b"GET / HTTP/1.1\r\nHost: a\r\n"));
        assert!(request_complete(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assert!(!request_complete(
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc"
        ));
        assert!(request_complete(
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde"
        ));
    }
}
