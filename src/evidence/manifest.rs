//! `MANIFEST.sha256`: every file of the evidence directory with its sha256, in the format GNU
//! `sha256sum` writes and `sha256sum -c` checks (run from inside the directory), sorted by path
//! so two bundles of the same scan diff cleanly.

use std::io::Read;
use std::path::Path;

/// Hash a file in chunks (artifacts can be large).
fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>())
}

/// One manifest line. GNU coreutils escapes a name holding a backslash or a newline and marks
/// the line with a leading backslash.
fn line(hash: &str, rel: &str) -> String {
    if rel.contains('\\') || rel.contains('\n') || rel.contains('\r') {
        let escaped = rel
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{hash}  {escaped}\n")
    } else {
        format!("{hash}  {rel}\n")
    }
}

/// The manifest of every regular file below `root` except `skip` itself. Symbolic links are
/// not followed: evidence is what is in the directory, not what a link points at.
pub fn build(root: &Path, skip: &str) -> std::io::Result<String> {
    let mut files: Vec<String> = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            let p = entry.path();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file()
                && let Ok(rel) = p.strip_prefix(root)
            {
                let rel = rel
                    .to_string_lossy()
                    .replace(std::path::MAIN_SEPARATOR, "/");
                if rel != skip {
                    files.push(rel);
                }
            }
        }
    }
    files.sort();
    let mut out = String::new();
    for rel in files {
        out.push_str(&line(&sha256_file(&root.join(&rel))?, &rel));
    }
    Ok(out)
}
