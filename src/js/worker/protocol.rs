//! What the scan and its analysis workers say to each other over the worker's stdin and
//! stdout: length-prefixed JSON frames (a 4-byte big-endian length, then the document). JSON
//! because every message type is already serde and a frame is one script at most (tens of MB,
//! serialised once); the length prefix because a script's code may contain any byte sequence.

use crate::js::{AnalysisJob, ScriptAnalysis};
use crate::rules::RuleSources;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// Largest frame either side accepts: a job carries at most one script (capped by the engine
/// at 20 MB, which JSON escaping can at most sextuple), a result far less. Anything bigger is
/// a corrupted stream, not a message.
const MAX_FRAME: usize = 256 << 20;

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the worker's pipe closed")]
    Closed,
    #[error("pipe error: {0}")]
    Io(#[from] std::io::Error),
    #[error("a frame of {0} bytes is larger than the {MAX_FRAME}-byte limit")]
    TooLarge(usize),
    #[error("malformed message: {0}")]
    Json(#[from] serde_json::Error),
}

/// The first message to a new worker: everything it needs to build the same engine.
#[derive(Debug, Serialize, Deserialize)]
pub struct Setup {
    pub rules: RuleSources,
    /// Hosts authorised for payment data, as `HostPattern` text.
    pub allowed: Vec<String>,
}

/// The worker's answer to [`Setup`].
#[derive(Debug, Serialize, Deserialize)]
pub enum Ready {
    Ready,
    Failed(String),
}

/// The answer to one job.
pub type Answer = ScriptAnalysis;

/// A job as it travels (the same fields as [`AnalysisJob`]).
pub type Job = AnalysisJob;

pub fn write_frame<T: Serialize>(w: &mut impl Write, msg: &T) -> Result<(), FrameError> {
    let body = serde_json::to_vec(msg)?;
    if body.len() > MAX_FRAME {
        return Err(FrameError::TooLarge(body.len()));
    }
    let len = u32::try_from(body.len()).map_err(|_| FrameError::TooLarge(body.len()))?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(&body)?;
    w.flush()?;
    Ok(())
}

/// Read one frame's bytes; `Closed` at a clean end of stream.
pub fn read_frame_bytes(r: &mut impl Read) -> Result<Vec<u8>, FrameError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            FrameError::Closed
        } else {
            e.into()
        }
    })?;
    Ok(body)
}

pub fn read_frame<T: for<'de> Deserialize<'de>>(r: &mut impl Read) -> Result<T, FrameError> {
    let body = read_frame_bytes(r)?;
    Ok(serde_json::from_slice(&body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_a_truncated_stream_is_closed() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &Ready::Failed("x".into())).unwrap();
        let back: Ready = read_frame(&mut buf.as_slice()).unwrap();
        assert!(matches!(back, Ready::Failed(m) if m == "x"));
        let cut = &buf[..buf.len() - 1];
        assert!(matches!(
            read_frame::<Ready>(&mut &cut[..]),
            Err(FrameError::Closed)
        ));
        let huge = (u32::MAX).to_be_bytes();
        assert!(matches!(
            read_frame::<Ready>(&mut &huge[..]),
            Err(FrameError::TooLarge(_))
        ));
    }

    /// The page-level join (`Engine::join_pipes`) runs in the parent on what the workers send
    /// back: a script's pipe facts must survive the trip.
    #[test]
    fn an_answer_keeps_its_pipe_facts() {
        use crate::finding::Location;
        use crate::js::pipes::PipeSend;
        use crate::rules::schema::Channel;
        let mut a = Answer::default();
        a.pipes
            .written
            .insert("local:k".into(), "the card number".into());
        a.pipes.sent.push(PipeSend {
            key: "session:k".into(),
            host: "collector.example".into(),
            channel: Channel::Beacon,
            location: Location { line: 2, column: 5 },
            evidence: "navigator.sendBeacon(…)".into(),
        });
        let mut buf = Vec::new();
        write_frame(&mut buf, &a).unwrap();
        let back: Answer = read_frame(&mut buf.as_slice()).unwrap();
        assert_eq!(back.pipes, a.pipes);
    }
}
