//! SARIF 2.1.0 output for code-scanning dashboards (placeholder until the baseline branch lands).

use super::{FormatContext, Formatter, Report};

pub struct Sarif;

impl Formatter for Sarif {
    fn write(
        &self,
        _report: &Report,
        _ctx: &FormatContext<'_>,
        _out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        Err(std::io::Error::other("SARIF output is not available yet"))
    }
}
