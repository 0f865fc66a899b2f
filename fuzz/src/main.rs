//! The AFL++ driver: `skimscan-fuzz TARGET` runs one target of [`targets`] in AFL's persistent
//! mode (`cargo afl fuzz -i corpus/TARGET -o out target/release/skimscan-fuzz TARGET`). Run
//! outside AFL it reads one input from stdin, which is how a crash file is reproduced:
//! `target/release/skimscan-fuzz js < crashes/js/FILE`.

mod targets;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = targets::find(&name) else {
        let names: Vec<&str> = targets::TARGETS.iter().map(|t| t.name).collect();
        eprintln!(
            "usage: skimscan-fuzz TARGET   (one of: {})",
            names.join(", ")
        );
        std::process::exit(2);
    };
    let run = target.run;
    afl::fuzz!(|data: &[u8]| {
        run(data);
    });
}
