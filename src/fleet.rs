//! Scanning many shops: targets from a file, and a stable share of them per shard.
//!
//! A fleet job (a Kubernetes Indexed Job, a CI matrix) runs N copies of the same command, each
//! with `--shard I/N`. Every target must be scanned by exactly one shard, and by the *same*
//! shard run after run, so a shard's history and alerts stay with the shops it owns. The
//! assignment is rendezvous (highest-random-weight) hashing over the target's text: each
//! (shard, target) pair gets a SHA-256 score and the target goes to the shard with the highest.
//! It depends only on the target and N — not on the order of the file or on the other targets —
//! and when N grows by one, only the targets the new shard wins move.

use sha2::{Digest, Sha256};
use std::path::Path;

/// `--shard I/N`: this process scans the I-th (0-based) of N shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// The most shards a fleet can be split into (a Kubernetes Indexed Job allows 100,000
/// completions; more than that is a typo).
pub const MAX_SHARDS: u32 = 100_000;

impl Shard {
    /// Parse `I/N` (0 ≤ I < N ≤ 100,000).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard takes I/N with 0 <= I < N (e.g. 0/3), not `{s}`");
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        if count > MAX_SHARDS {
            return Err(format!("--shard: at most {MAX_SHARDS} shards, not {count}"));
        }
        Ok(Shard { index, count })
    }

    /// The shard a target belongs to, out of `count`.
    pub fn owner_of(target: &str, count: u32) -> u32 {
        let key = target.trim();
        (0..count.max(1))
            .max_by_key(|i| {
                let mut h = Sha256::new();
                h.update(i.to_be_bytes());
                h.update([0u8]);
                h.update(key.as_bytes());
                let d = h.finalize();
                let mut b = [0u8; 8];
                b.copy_from_slice(&d[..8]);
                // Ties are astronomically unlikely; the lower index wins them (max_by_key
                // keeps the last maximum, so compare (score, reversed index)).
                (u64::from_be_bytes(b), u32::MAX - i)
            })
            .unwrap_or(0)
    }

    /// Whether this shard scans `target`.
    pub fn owns(&self, target: &str) -> bool {
        Shard::owner_of(target, self.count) == self.index
    }
}

/// Why a targets file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TargetsFileError {
    #[error("{path}: cannot read: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}: {message}")]
    Line {
        path: String,
        line: usize,
        message: String,
    },
}

/// The targets in a file: one a line, blank lines and `#` comments (whole-line or after
/// white space) ignored, surrounding white space trimmed. A UTF-8 BOM is accepted (files
/// saved by Windows editors start with one).
pub fn read_targets_file(path: &Path) -> Result<Vec<String>, TargetsFileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| TargetsFileError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| TargetsFileError::Read {
        path: shown.clone(),
        message: format!("not UTF-8 text ({e})"),
    })?;
    parse_targets(&text).map_err(|(line, message)| TargetsFileError::Line {
        path: shown,
        line,
        message,
    })
}

/// The targets in a file's text; an error names the 1-based line.
pub fn parse_targets(text: &str) -> Result<Vec<String>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(p) => &raw[..p],
            None => raw,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.chars().any(|c| c.is_control()) {
            return Err((i + 1, "a target holds a control character".into()));
        }
        if line.split_whitespace().count() > 1 {
            return Err((
                i + 1,
                format!("one target a line, not `{line}` (quote nothing; URLs have no spaces)"),
            ));
        }
        out.push(line.to_string());
    }
    Ok(out)
}

/// The targets this process scans: the command line's, then the file's, without repeats (the
/// first spelling kept), and of those the shard's share.
pub fn select(command_line: &[String], file: &[String], shard: Option<Shard>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    command_line
        .iter()
        .chain(file)
        .filter(|t| seen.insert(t.trim().to_string()))
        .filter(|t| shard.is_none_or(|s| s.owns(t)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_syntax() {
        assert_eq!(Shard::parse("0/3"), Ok(Shard { index: 0, count: 3 }));
        assert_eq!(Shard::parse(" 2 / 3 "), Ok(Shard { index: 2, count: 3 }));
        for bad in ["3/3", "0/0", "-1/3", "1", "a/b", "1/3/4", "", "0/100001"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_target_has_exactly_one_shard_and_keeps_it() {
        let targets: Vec<String> = (0..500)
            .map(|i| format!("https://shop{i}.example/"))
            .collect();
        for n in 1..=7 {
            let mut counts = vec![0usize; n as usize];
            for t in &targets {
                let owners: Vec<u32> = (0..n)
                    .filter(|&i| Shard { index: i, count: n }.owns(t))
                    .collect();
                assert_eq!(owners.len(), 1, "{t} over {n}");
                counts[owners[0] as usize] += 1;
                // The same answer every time, whatever else is in the list.
                assert_eq!(Shard::owner_of(t, n), owners[0]);
            }
            // Roughly even: no shard gets less than half its fair share of 500.
            for c in counts {
                assert!(c * 2 * n as usize >= targets.len(), "{n}: {c}");
            }
        }
    }

    #[test]
    fn growing_the_fleet_moves_only_what_the_new_shard_wins() {
        let targets: Vec<String> = (0..300).map(|i| format!("https://s{i}.example/")).collect();
        for t in &targets {
            let before = Shard::owner_of(t, 4);
            let after = Shard::owner_of(t, 5);
            assert!(after == before || after == 4, "{t}: {before} -> {after}");
        }
    }

    #[test]
    fn targets_file_lines() {
        let text = "\u{feff}# shops\nhttps://a.example/\n\n  https://b.example/checkout  # main\n\t# indented comment\ndist/\n";
        assert_eq!(
            parse_targets(text).unwrap(),
            vec!["https://a.example/", "https://b.example/checkout", "dist/"]
        );
        assert_eq!(parse_targets("a b\n").unwrap_err().0, 1);
        assert_eq!(parse_targets("ok\nx\u{7}y\n").unwrap_err().0, 2);
    }

    #[test]
    fn select_dedups_and_shards() {
        let cl = vec!["https://a.example/".to_string()];
        let file = vec![
            "https://a.example/".to_string(),
            "https://b.example/".into(),
        ];
        assert_eq!(select(&cl, &file, None).len(), 2);
        let all: usize = (0..3)
            .map(|i| select(&cl, &file, Some(Shard { index: i, count: 3 })).len())
            .sum();
        assert_eq!(all, 2);
    }
}
