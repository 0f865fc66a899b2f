//! Build-time facts the binary needs.
//!
//! - The shipped rules are embedded with include_dir!, which cargo cannot see: rebuild when any
//!   file under rules/ changes, so the binary never ships stale rules.
//! - `SKIMSCAN_BUILD_ID`: a sha256 of everything that decides what the engine answers (the
//!   crate's sources, the shipped rules, the manifest and lock file: our code and every
//!   dependency's version) plus the profile and target. The analysis cache keys its entries
//!   with it, so a rebuilt engine never reads an older engine's results. Any source change
//!   counts, not only the engine's: a needless miss costs one analysis, a missed change would
//!   cost a wrong verdict.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut files = Vec::new();
    for dir in ["src", "rules"] {
        collect(&root.join(dir), &mut files);
    }
    files.push(root.join("Cargo.toml"));
    files.push(root.join("Cargo.lock"));
    files.sort();
    let mut h = Sha256::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        // A file that cannot be read still changes the id (by its absence of content).
        let body = std::fs::read(f).unwrap_or_default();
        h.update((body.len() as u64).to_le_bytes());
        h.update(&body);
    }
    for var in ["PROFILE", "TARGET", "OPT_LEVEL", "DEBUG"] {
        h.update(var.as_bytes());
        h.update(std::env::var(var).unwrap_or_default().as_bytes());
        h.update([0]);
    }
    let id: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=SKIMSCAN_BUILD_ID={id}");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
