//! TLS: rustls with the platform roots plus `--ca-cert`. A local HTTPS server for `shop.test`
//! (pinned with `--resolve`) presents a certificate from a throwaway test CA: trusted with the
//! CA file, refused without it, and a certificate error is not retried.
//!
//! The CA, the leaf certificate and its key below were made once with openssl for this test
//! only (P-256, valid until 2126); they protect nothing.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use skimscan::fetch::{FetchError, FetchOptions, Fetcher, ResolveEntry};
use skimscan::hosts::HostPattern;
use url::Url;

const TEST_CA: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBnTCCAUOgAwIBAgIUBMy/PpZVN/WTusqntNi3WYjKmTowCgYIKoZIzj0EAwIw\n\
GzEZMBcGA1UEAwwQc2tpbXNjYW4gdGVzdCBDQTAgFw0yNjExMjQxODU5NDFaGA8y\n\
MTI2MTAzMTE4NTk0MVowGzEZMBcGA1UEAwwQc2tpbXNjYW4gdGVzdCBDQTBZMBMG\n\
ByqGSM49AgEGCCqGSM49AwEHA0IABCyBqkJFs6r0uBNO4JPwzmI/5FGogQ+z/2cp\n\
hZ8331ZKO84phPCZaYAwlgHo69WqZtORitw4Zzv5AOTz4t1t5KajYzBhMB0GA1Ud\n\
DgQWBBToBN0Y/r2wxFLZcuZuR24V1XLQ4TAfBgNVHSMEGDAWgBToBN0Y/r2wxFLZ\n\
cuZuR24V1XLQ4TAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggq\n\
hkjOPQQDAgNIADBFAiEA33jR+PyReh8uPiGBbKXrp5I+dVi2ZBRbHY3Mb/9qT5cC\n\
IAy0hHWBEf/UxymSzHJgp8VZFUsLSa/ugX1uQLQl/Zaq\n\
-----END CERTIFICATE-----\n\
";

const LEAF_CERT: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBvjCCAWOgAwIBAgIUCZiw4m60tSbDerW++UsAHxCdmqAwCgYIKoZIzj0EAwIw\n\
GzEZMBcGA1UEAwwQc2tpbXNjYW4gdGVzdCBDQTAgFw0yNjExMjQxODU5NDFaGA8y\n\
MTI2MTAzMTE4NTk0MVowFDESMBAGA1UEAwwJc2hvcC50ZXN0MFkwEwYHKoZIzj0C\n\
AQYIKoZIzj0DAQcDQgAEZOdFlhreK2Zu3UsH+IaW2UyKp7yJ3Tvjo1nxoRQaXagA\n\
DU3xXTQfVOsXPNfHR565dCxGcnn6kWd4OiSwsHy3oaOBiTCBhjAUBgNVHREEDTAL\n\
gglzaG9wLnRlc3QwCQYDVR0TBAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAww\n\
CgYIKwYBBQUHAwEwHQYDVR0OBBYEFEYNDhgNIclyagevh8xP2jEUBGDuMB8GA1Ud\n\
IwQYMBaAFOgE3Rj+vbDEUtly5m5HbhXVctDhMAoGCCqGSM49BAMCA0kAMEYCIQCy\n\
yYTE7yUAAuxSB3hFhQxkbmTmAM+H2dkUe0pJbLIinwIhALHlWuLnWMNUI2AGlWSO\n\
TZPfvuNZS+fn8SrGaxaSARlx\n\
-----END CERTIFICATE-----\n\
";

const LEAF_KEY: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvs3vIlk/tliD2Cag\n\
EHGNUJy0R3jBS2+LVggAYJHMffehRANCAARk50WWGt4rZm7dSwf4hpbZTIqnvInd\n\
O+OjWfGhFBpdqAANTfFdNB9U6xc818dHnrl0LEZyefqRZ3g6JLCwfLeh\n\
-----END PRIVATE KEY-----\n\
";

/// A blocking HTTPS server on 127.0.0.1 answering every request with "secure hello", and the
/// number of connections it accepted.
fn https_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    let cert = CertificateDer::from_pem_slice(LEAF_CERT.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(LEAF_KEY.as_bytes()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return, // e.g. the client rejected the certificate
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = "secure hello";
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (addr, connections)
}

fn options(port: u16) -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(3),
        retries: 2,
        resolve: vec![ResolveEntry {
            host: "shop.test".into(),
            port,
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
        }],
        named_hosts: vec![HostPattern::parse("shop.test").unwrap()],
        ..FetchOptions::default()
    }
}

#[tokio::test]
async fn an_extra_ca_is_trusted_and_its_absence_is_a_certificate_error() {
    let (addr, connections) = https_server();
    let url = Url::parse(&format!("https://shop.test:{}/checkout", addr.port())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A bundle: the CA file may hold several certificates; all are loaded.
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, format!("{TEST_CA}{LEAF_CERT}")).unwrap();

    let trusting = Fetcher::new(FetchOptions {
        ca_certs: vec![ca],
        ..options(addr.port())
    })
    .unwrap();
    let got = trusting.get(&url).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"secure hello");

    let plain = Fetcher::new(options(addr.port())).unwrap();
    let before = connections.load(Ordering::SeqCst);
    let err = plain.get(&url).await.unwrap_err();
    assert!(matches!(err, FetchError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");
    // retries is 2, but a certificate error is not transient: one connection only.
    assert_eq!(connections.load(Ordering::SeqCst) - before, 1);
}
