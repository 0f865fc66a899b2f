//! Finding and starting Chromium, and making sure it goes away.
//!
//! The browser runs headless with a fresh profile directory (removed on every exit path: it is
//! a [`tempfile::TempDir`] owned by [`Launched`]), no background networking of its own (this
//! machine's network, and a suspect site's, are no place for Chromium's update and safe-browsing
//! pings), its own DNS switched off (every connection goes through the per-visit egress proxy,
//! which resolves), WebRTC limited to proxied connections (so no UDP goes out), and automation
//! markers off. Site isolation stays as a customer's Chrome has it (cross-origin iframes out of
//! process): the visit reaches into those frames through sessions of their own
//! ([`super::frames`]), and a page behaves as it would for a customer. The sandbox stays on unless we run as root, where Chromium
//! refuses to start with it.
//!
//! `--ca-cert`: an extra root is trusted the way Chromium on Linux trusts a corporate CA — in
//! the NSS database under the browser's `$HOME` (`~/.pki/nssdb`), which here is the temporary
//! profile, so the trust ends with the scan and no other program's trust changes. Certificate
//! errors stay fatal for every other host. This needs `certutil` (Debian `libnss3-tools`).

use chromiumoxide::{Browser, BrowserConfig};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(
        "no Chromium found: install it (Debian: apt-get install chromium) or name the binary with --chromium PATH"
    )]
    NotFound,
    #[error("--chromium {0}: no such executable file")]
    BadPath(String),
    #[error(
        "--ca-cert with --browser needs `certutil` (Debian: apt-get install libnss3-tools) to give the browser the extra root"
    )]
    NoCertutil,
    #[error("cannot trust {path} in the browser: {message}")]
    CaCert { path: String, message: String },
    #[error("cannot create the browser's profile directory: {0}")]
    Profile(std::io::Error),
    #[error("Chromium ({path}) did not start: {message}")]
    Start { path: String, message: String },
}

/// Names tried on PATH, in order, when `--chromium` is not given.
const NAMES: &[&str] = &["chromium", "chromium-browser", "google-chrome"];
/// Debian's `/usr/bin/chromium` is a shell wrapper that adds flags of its own; the real binary
/// sits here.
const DEBIAN_REAL_BINARY: &str = "/usr/lib/chromium/chromium";

fn is_executable_file(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable_file(p))
}

/// The browser binary: `--chromium` if given, else the first of [`NAMES`] on PATH (Debian's
/// wrapper replaced by the real binary).
pub fn find_chromium(explicit: Option<&Path>) -> Result<PathBuf, LaunchError> {
    if let Some(p) = explicit {
        return if is_executable_file(p) {
            Ok(p.to_path_buf())
        } else {
            Err(LaunchError::BadPath(p.display().to_string()))
        };
    }
    let found = NAMES
        .iter()
        .find_map(|n| on_path(n))
        .ok_or(LaunchError::NotFound)?;
    let is_wrapper = std::fs::read(&found)
        .map(|b| b.starts_with(b"#!"))
        .unwrap_or(false);
    if is_wrapper && is_executable_file(Path::new(DEBIAN_REAL_BINARY)) {
        return Ok(PathBuf::from(DEBIAN_REAL_BINARY));
    }
    Ok(found)
}

/// Whether this process runs as root (Chromium's sandbox cannot run then).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().nth(1).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// A running browser with its profile directory; dropping it kills the process and removes
/// the directory.
pub struct Launched {
    pub browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl Launched {
    /// Close politely, then make sure: the process is killed if it has not gone within a
    /// few seconds.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(3), self.browser.close()).await;
        if tokio::time::timeout(Duration::from_secs(3), self.browser.wait())
            .await
            .is_err()
        {
            let _ = self.browser.kill().await;
        }
        self.handler.abort();
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        self.handler.abort();
    }
}

fn trust_extra_roots(home: &Path, ca_certs: &[PathBuf]) -> Result<(), LaunchError> {
    if ca_certs.is_empty() {
        return Ok(());
    }
    let certutil = on_path("certutil").ok_or(LaunchError::NoCertutil)?;
    let db_dir = home.join(".pki/nssdb");
    std::fs::create_dir_all(&db_dir).map_err(LaunchError::Profile)?;
    let db = format!("sql:{}", db_dir.display());
    let run = |args: &[&str], path: &Path| -> Result<(), LaunchError> {
        let out = std::process::Command::new(&certutil)
            .args(args)
            .output()
            .map_err(|e| LaunchError::CaCert {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(LaunchError::CaCert {
                path: path.display().to_string(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    };
    run(&["-N", "--empty-password", "-d", &db], &db_dir)?;
    for (i, ca) in ca_certs.iter().enumerate() {
        let nick = format!("skimscan-extra-root-{i}");
        let file = ca.display().to_string();
        // "C,," = a trusted CA for TLS servers only (not e-mail, not code signing).
        run(
            &["-A", "-n", &nick, "-t", "C,,", "-i", &file, "-d", &db],
            ca,
        )?;
    }
    Ok(())
}

/// The flags every launch gets; see the module documentation for why each is there.
fn flags(user_agent: &str) -> Vec<String> {
    let mut f: Vec<String> = [
        "--headless=new",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-breakpad",
        "--disable-crash-reporter",
        "--disable-client-side-phishing-detection",
        "--disable-domain-reliability",
        "--disable-dev-shm-usage",
        "--disable-hang-monitor",
        "--disable-popup-blocking",
        "--disable-prompt-on-repost",
        "--metrics-recording-only",
        "--mute-audio",
        "--hide-scrollbars",
        "--password-store=basic",
        "--use-mock-keychain",
        "--no-pings",
        "--site-per-process",
        "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,PrivateNetworkAccessRespectPreflightResults,InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater",
        "--disable-blink-features=AutomationControlled",
        // Nothing resolves inside the browser: every name goes to the egress proxy.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        // The default context has no way out at all; visits get their own proxy.
        "--proxy-server=socks5://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--lang=en-US",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    f.push(format!("--user-agent={user_agent}"));
    f
}

/// Start Chromium.
pub async fn launch(
    binary: &Path,
    ca_certs: &[PathBuf],
    user_agent: &str,
) -> Result<Launched, LaunchError> {
    let profile = tempfile::Builder::new()
        .prefix("skimscan-chromium-")
        .tempdir()
        .map_err(LaunchError::Profile)?;
    let home = profile.path().join("home");
    std::fs::create_dir_all(&home).map_err(LaunchError::Profile)?;
    trust_extra_roots(&home, ca_certs)?;
    let start_err = |message: String| LaunchError::Start {
        path: binary.display().to_string(),
        message,
    };
    let mut builder = BrowserConfig::builder()
        .chrome_executable(binary)
        .disable_default_args()
        .user_data_dir(profile.path().join("data"))
        .viewport(None)
        .launch_timeout(Duration::from_secs(30))
        .request_timeout(Duration::from_secs(30))
        .env("HOME", home.display().to_string())
        .args(flags(user_agent));
    if running_as_root() {
        builder = builder.no_sandbox();
    }
    let config = builder.build().map_err(start_err)?;
    let (browser, mut handler) = Browser::launch(config)
        .await
        .map_err(|e| start_err(e.to_string()))?;
    let handler = tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            if let Err(e) = event {
                tracing::debug!(error = %e, "browser connection");
            }
        }
    });
    Ok(Launched {
        browser,
        handler,
        _profile: profile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_binary_must_exist() {
        assert!(matches!(
            find_chromium(Some(Path::new("/nonexistent/chromium"))),
            Err(LaunchError::BadPath(_))
        ));
        // A directory is not a browser.
        assert!(find_chromium(Some(Path::new("/"))).is_err());
    }

    #[test]
    fn the_browser_resolves_nothing_itself() {
        let f = flags("UA");
        assert!(
            f.iter()
                .any(|a| a.starts_with("--host-resolver-rules=MAP * ~NOTFOUND"))
        );
        assert!(f.iter().any(|a| a.contains("disable_non_proxied_udp")));
        assert!(!f.iter().any(|a| a.contains("enable-automation")));
        // Cross-origin iframes run out of process, as for a customer (frames.rs reaches them).
        assert!(f.contains(&"--site-per-process".to_string()));
        assert!(!f.iter().any(|a| a.contains("site-isolation")));
        assert!(f.contains(&"--user-agent=UA".to_string()));
    }
}
