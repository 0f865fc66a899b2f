// The shipped rules are embedded with include_dir!, which cargo cannot see: rebuild when any
// file under rules/ changes, so the binary never ships stale rules.
fn main() {
    println!("cargo:rerun-if-changed=rules");
}
