//! The `skimscan` binary: parse the arguments, set up logging on stderr, and hand over to the
//! library. Everything else lives in the library so tests drive the same code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Started by a scan as an analysis worker (a hidden first argument): serve and exit.
    if let Some(code) = skimscan::js::worker::entry_point() {
        return ExitCode::from(code);
    }
    // The command line always analyses in worker processes of this very binary.
    if let Ok(exe) = std::env::current_exe() {
        skimscan::js::worker::use_binary(exe);
    }
    let cli = match skimscan::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                skimscan::app::EXIT_USAGE
            } else {
                0
            });
        }
    };
    let level = if cli.quiet {
        "error"
    } else {
        match cli.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKIMSCAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("skimscan={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let code = skimscan::app::run(cli);
    // Stop and reap the analysis workers kept for reuse.
    skimscan::js::worker::release_pools();
    ExitCode::from(code)
}
