//! Issue 7, part C, data safety: skimscan never destroys what a person reviewed. A report is
//! never written over the baseline or any other input of the scan (whatever the path's
//! spelling); `baseline update` refuses to run beside another update and refuses to overwrite a
//! hand edit made while it scanned; temporary files are recognisable and cleaned; the baseline
//! commands reject options they would ignore; an update through another spelling of the site
//! directory keeps the baseline's portable page names.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

const HOST: &str = "shop.test";

const CHECKOUT_JS: &str = "(function () {
  var form = document.getElementById('payment-form');
  form.addEventListener('submit', function (e) {
    var n = document.getElementById('cc-number').value.replace(/\\s+/g, '');
    if (n.length < 12) { e.preventDefault(); alert('Please check the card number.'); }
  });
})();
";

const CHECKOUT_HTML: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; form-action 'self'">
<script src="/static/checkout.js"></script>
</head><body>
<form id="payment-form" action="/checkout/place-order" method="post">
  <input id="cc-number" name="payment[cc_number]" autocomplete="cc-number">
  <input id="cc-cvv" name="payment[cc_cid]" autocomplete="cc-csc">
  <button type="submit">Place order</button>
</form></body></html>"#;

/// A copy of the demo shop with a baseline `b.json` recorded from it (exit 1: the demo has a
/// skimmer): (tempdir, path of the shop, the baseline's bytes).
fn demo_with_baseline() -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let (dir, shop) = demo_copy();
    let (code, _, stderr) = run(
        dir.path(),
        &["baseline", "create", "--out", "b.json", "shop"],
    );
    assert_eq!(code, 1, "the demo shop has a skimmer: {stderr}");
    let bytes = std::fs::read(dir.path().join("b.json")).unwrap();
    (dir, shop, bytes)
}

/// A copy of the bundled demo shop in a fresh directory: (tempdir, path of the copy).
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("shop");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/shop"),
        &shop,
    );
    (dir, shop)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = skimscan().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A served shop with a recorded baseline `b.json` in a temp dir.
struct ServedShop {
    server: Server,
    dir: tempfile::TempDir,
}

impl ServedShop {
    fn new() -> ServedShop {
        let server = serve(vec![
            ("/checkout/", html(CHECKOUT_HTML)),
            ("/static/checkout.js", js(CHECKOUT_JS)),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let shop = ServedShop { server, dir };
        let url = shop.server.url(HOST, "/checkout/");
        let resolve = shop.server.resolve(HOST);
        let (code, _, stderr) = run(
            shop.dir.path(),
            &[
                "baseline",
                "create",
                "--out",
                "b.json",
                "--depth",
                "0",
                "--resolve",
                &resolve,
                &url,
            ],
        );
        assert_eq!(code, 0, "create: {stderr}");
        shop
    }

    fn baseline(&self) -> PathBuf {
        self.dir.path().join("b.json")
    }

    /// `baseline update b.json` as a child process (it rescans the recorded page).
    fn spawn_update(&self) -> std::process::Child {
        std::process::Command::new(env!("CARGO_BIN_EXE_skimscan"))
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            // Never the user's cache folder.
            .env("SKIMSCAN_NO_CACHE", "1")
            .args(["baseline", "update", "b.json", "--resolve"])
            .arg(self.server.resolve(HOST))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Make the checkout script (changed: a new version) answer only after `secs`.
    fn stall_script(&self, secs: u64) {
        self.server.set(
            "/static/checkout.js",
            Route::Delayed(
                Duration::from_secs(secs),
                Box::new(js(&format!("{CHECKOUT_JS}var version = 2;\n"))),
            ),
        );
    }

    /// Wait until an update is stalled on the checkout script (so it has read the baseline
    /// and holds its lock).
    fn wait_for_script_request(&self, child: &mut std::process::Child) {
        let t = Instant::now();
        while self.server.hits("/static/checkout.js") < 2 {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the update ended before requesting the script"
            );
            assert!(t.elapsed() < Duration::from_secs(60), "no request came");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn finish(child: std::process::Child) -> (i32, String, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_report_is_never_written_over_the_baseline_whatever_the_spelling() {
    let (dir, _, before) = demo_with_baseline();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::hard_link(d.join("b.json"), d.join("hard.json")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("b.json"), d.join("link.json")).unwrap();
    let abs = d.join("b.json").display().to_string();
    let mut spellings = vec![
        "b.json",
        "./b.json",
        "sub/../b.json",
        "hard.json",
        abs.as_str(),
    ];
    if cfg!(unix) {
        spellings.push("link.json");
    }
    for out in spellings {
        let (code, stdout, stderr) = run(
            d,
            &[
                "scan",
                "--baseline",
                "b.json",
                "--format",
                "json",
                "-o",
                out,
                "shop",
            ],
        );
        assert_eq!(code, 2, "-o {out}: {stdout}{stderr}");
        assert!(
            stderr.contains("baseline") && stderr.contains("input"),
            "-o {out}: {stderr}"
        );
        assert_eq!(std::fs::read(d.join("b.json")).unwrap(), before, "-o {out}");
    }
    // The same scan to another file works.
    let (code, _, stderr) = run(
        d,
        &[
            "scan",
            "--baseline",
            "b.json",
            "--format",
            "json",
            "-o",
            "r.json",
            "shop",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(report["verdict"], "malicious");
    assert_eq!(std::fs::read(d.join("b.json")).unwrap(), before);
}

#[test]
fn a_report_is_never_written_over_any_input_file() {
    let (dir, _) = demo_copy();
    let d = dir.path();
    std::fs::write(d.join("skimscan.toml"), "depth = 1\n").unwrap();
    std::fs::create_dir(d.join("our-rules")).unwrap();
    std::fs::write(
        d.join("our-rules/burner.toml"),
        "id = \"burner-domain\"\ntitle = \"Known burner domain\"\nseverity = \"critical\"\nkind = \"indicator\"\n[doc]\nwhat = \"w\"\nwhy = \"y\"\nexample = \"e\"\n[match]\ndomains = [\"burner.example\"]\n",
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--config", "skimscan.toml", "-o", "skimscan.toml", "shop"],
            "skimscan.toml",
        ),
        (
            vec![
                "--rules",
                "our-rules",
                "-o",
                "our-rules/burner.toml",
                "shop",
            ],
            "our-rules/burner.toml",
        ),
        (
            vec!["-o", "shop/checkout/index.html", "shop/checkout/index.html"],
            "shop/checkout/index.html",
        ),
        (
            vec!["-o", "shop/static/checkout.js", "shop/static/checkout.js"],
            "shop/static/checkout.js",
        ),
        // A page of a site directory being scanned is an input too.
        (
            vec!["-o", "shop/cart/index.html", "shop"],
            "shop/cart/index.html",
        ),
    ];
    for (args, victim) in cases {
        let before = std::fs::read(d.join(victim)).unwrap();
        let mut full = vec!["scan", "--format", "json"];
        full.extend(&args);
        let (code, stdout, stderr) = run(d, &full);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains("input"), "{args:?}: {stderr}");
        assert_eq!(std::fs::read(d.join(victim)).unwrap(), before, "{args:?}");
    }
}

#[test]
fn a_second_update_is_refused_while_one_runs() {
    let shop = ServedShop::new();
    shop.stall_script(6);
    let mut first = shop.spawn_update();
    shop.wait_for_script_request(&mut first);
    let t = Instant::now();
    let (code, stdout, stderr) = finish(shop.spawn_update());
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("another"), "{stderr}");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "the second update waited for the first instead of refusing"
    );
    let (code, stdout, stderr) = finish(first);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("changed script"), "{stdout}");
}

#[test]
fn a_hand_edit_made_while_update_runs_is_not_lost() {
    let shop = ServedShop::new();
    shop.stall_script(4);
    let mut update = shop.spawn_update();
    shop.wait_for_script_request(&mut update);
    // A reviewer fills in a justification while the update is scanning.
    let text = std::fs::read_to_string(shop.baseline()).unwrap();
    let edited = text.replacen(
        "\"justification\": \"\"",
        "\"justification\": \"Reviewed by Aiko, PR #41\"",
        1,
    );
    assert_ne!(text, edited, "the baseline has a justification field");
    std::fs::write(shop.baseline(), &edited).unwrap();
    let (code, stdout, stderr) = finish(update);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("changed while"), "{stderr}");
    assert_eq!(std::fs::read_to_string(shop.baseline()).unwrap(), edited);
    // Run again: the update is recorded on top of the edit, which survives.
    let (code, _, stderr) = finish(shop.spawn_update());
    assert_eq!(code, 0, "{stderr}");
    let after = std::fs::read_to_string(shop.baseline()).unwrap();
    assert!(after.contains("Reviewed by Aiko, PR #41"), "{after}");
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    v.sort();
    v
}

#[test]
fn stale_temporary_files_are_recognisable_and_cleaned() {
    let shop = ServedShop::new();
    let d = shop.dir.path();
    assert!(
        temp_files(d).is_empty(),
        "a finished write leaves no temporary file: {:?}",
        temp_files(d)
    );
    // What a SIGKILL during a write leaves: a recognisable, old temporary file.
    let stale = d.join(".b.json.skimscan-tmp-Ab12Cd");
    std::fs::write(&stale, vec![b'{'; 3_000_000]).unwrap();
    let old = SystemTime::now() - Duration::from_secs(3 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    // A fresh one may belong to a write under way; a file not named by skimscan is not ours;
    // an old one of another file of ours is debris too.
    std::fs::write(d.join(".b.json.skimscan-tmp-Fresh1"), "{").unwrap();
    std::fs::write(d.join(".tmpXyZ123"), "not ours").unwrap();
    std::fs::write(d.join(".other.json.skimscan-tmp-Zz99Yy"), "{").unwrap();
    std::fs::File::options()
        .write(true)
        .open(d.join(".other.json.skimscan-tmp-Zz99Yy"))
        .unwrap()
        .set_modified(old)
        .unwrap();

    shop.server
        .set("/static/checkout.js", js("var changed = 1;\n"));
    let (code, stdout, stderr) = finish(shop.spawn_update());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("changed script"), "{stdout}");
    assert_eq!(
        temp_files(d),
        vec![
            ".b.json.skimscan-tmp-Fresh1".to_string(),
            ".tmpXyZ123".to_string(),
        ]
    );
}

#[test]
fn baseline_commands_reject_options_they_do_not_use() {
    let (dir, _, before) = demo_with_baseline();
    let d = dir.path();
    let extras: Vec<Vec<&str>> = vec![
        vec!["-o", "r.json"],
        vec!["--output", "r.json"],
        vec!["--format", "json"],
        vec!["--baseline", "b.json"],
    ];
    let commands: Vec<Vec<&str>> = vec![
        vec!["baseline", "create", "--out", "c.json", "--force"],
        vec!["baseline", "update", "b.json"],
    ];
    for extra in &extras {
        for cmd in &commands {
            let mut args = cmd.clone();
            args.extend(extra);
            args.push("shop");
            let (code, stdout, stderr) = run(d, &args);
            assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
            assert!(stderr.contains("unexpected argument"), "{args:?}: {stderr}");
        }
    }
    assert!(!d.join("r.json").exists());
    assert!(!d.join("c.json").exists());
    assert_eq!(std::fs::read(d.join("b.json")).unwrap(), before);
}

#[test]
fn update_through_an_absolute_path_keeps_the_portable_page_names() {
    let (dir, shop, before) = demo_with_baseline();
    let d = dir.path();
    let before = String::from_utf8(before).unwrap();
    let abs = shop.canonicalize().unwrap().display().to_string();
    let (code, stdout, stderr) = run(d, &["baseline", "update", "b.json", &abs]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("nothing changed"), "{stdout}");
    let after = std::fs::read_to_string(d.join("b.json")).unwrap();
    assert_eq!(before, after);
    assert!(!after.contains(&abs), "{after}");
    // A real change through the absolute path is recorded under the portable name.
    std::fs::write(
        shop.join("static/shop.js"),
        "document.title = 'Maple & Moss';\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(d, &["baseline", "update", "b.json", &abs]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("~ changed script shop/static/shop.js"),
        "{stdout}"
    );
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("b.json")).unwrap()).unwrap();
    let keys: Vec<&String> = after["pages"].as_object().unwrap().keys().collect();
    assert!(
        keys.iter().all(|k| k.starts_with("shop/")),
        "page names stay relative to the site: {keys:?}"
    );
}
