//! How the scan tells whoever runs it how far it got. The library draws nothing: the command
//! layer passes in a reporter (a terminal spinner for `scan` on a terminal, nothing in CI or
//! for `--quiet`), and a program embedding the library can pass its own.

/// Receives the scan's progress. Called from the scan's tasks, so it must be cheap and must
/// never block (a slow terminal must not slow the scan).
pub trait Progress: Send + Sync {
    /// A page was loaded and parsed (its display name).
    fn page(&self, _name: &str) {}
    /// The scan moved on to a stage: `scripts`, `analysis`, `browser`.
    fn stage(&self, _name: &str) {}
    /// A script was analysed while downloads were still going on (its id; once per distinct
    /// analysis), ahead of the analysis stage.
    fn analysed(&self, _script: &str) {}
    /// The scan is done (success or not); a drawn reporter clears itself here.
    fn finish(&self) {}
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {}
