//! The JSON report: exactly cli.md's shape, pretty-printed, deterministic.

use super::{FormatContext, Formatter, Report};

pub struct Json;

impl Formatter for Json {
    fn write(
        &self,
        report: &Report,
        _ctx: &FormatContext<'_>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(std::io::Error::other)?;
        writeln!(out)
    }
}
