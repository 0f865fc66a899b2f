//! What a visit saw leave the page: every request the browser tried to make, with the
//! decision taken on it, as plain data. The canary search, the findings, the inventory of
//! outside hosts and the HAR file are all made from these records after the visit, so what
//! is reported and what is written as evidence cannot disagree.

use super::canary::Found;
use super::profiles::Profile;

/// How the data left (or tried to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    /// An HTTP request paused by the DevTools `Fetch` domain (fetch, XHR, beacon, image,
    /// form post, script, iframe…); `resource_type` says which.
    Http,
    /// A WebSocket handshake or frame (observed; the egress proxy decides whether it leaves).
    WebSocket,
    /// A connection the egress proxy answered locally (a request `Fetch` could not pause, a
    /// worker's, a WebSocket opened after the card was typed, TLS to an outside host).
    Sinkhole,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Http => "http",
            Channel::WebSocket => "websocket",
            Channel::Sinkhole => "sinkhole",
        }
    }
}

/// What was done with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    /// Let through (to the network, through the egress proxy).
    Continued,
    /// It carried the canary: failed before it was sent.
    BlockedCanary,
    /// `--contain`: answered locally with an empty response.
    Contained,
    /// Past the per-page request cap: failed.
    OverCap,
    /// Seen but not pausable (a WebSocket frame); the egress proxy kept it local if needed.
    Observed,
    /// Answered by the sinkhole; nothing left the machine.
    Sinkholed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Continued => "sent",
            Decision::BlockedCanary => "blocked (carried the canary)",
            Decision::Contained => "answered locally (--contain)",
            Decision::OverCap => "blocked (request cap)",
            Decision::Observed => "observed",
            Decision::Sinkholed => "answered by the sinkhole",
        }
    }
}

#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub profile: Profile,
    /// The page being visited (report name).
    pub page: String,
    pub started: String,
    pub method: String,
    pub url: String,
    pub host: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub channel: Channel,
    /// DevTools resource type (`Fetch`, `XHR`, `Ping`, `Image`, `Script`…), or the channel.
    pub resource_type: String,
    pub decision: Decision,
    /// The response status, when one came back.
    pub status: Option<u16>,
    /// The URL of the script that made the request, when DevTools named one.
    pub initiator: Option<String>,
    /// Made after the canary was typed.
    pub after_canary: bool,
    /// The canary, and how it was encoded, when the request carried it.
    pub found: Option<Found>,
    /// DevTools' network request id, to attach initiators and statuses afterwards.
    pub network_id: Option<String>,
}

impl RecordedRequest {
    /// Everything a skimmer can hide data in: the URL, the headers and the body.
    pub fn payload(&self) -> String {
        let mut s = self.url.clone();
        for (k, v) in &self.headers {
            s.push('\n');
            s.push_str(k);
            s.push_str(": ");
            s.push_str(v);
        }
        if let Some(b) = &self.body {
            s.push('\n');
            s.push_str(b);
        }
        s
    }
}

/// One visit as the report lists it (`browser[]`, an extension of cli.md's report): what was
/// typed where, and where the card went, so a clean result can be told from a visit that
/// never reached the card fields.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct BrowserVisit {
    pub page: String,
    pub profile: String,
    /// Finished without a browser problem.
    pub complete: bool,
    /// The canary's number, masked (`400000******1234`).
    pub canary: String,
    /// Card fields the canary was typed into: `card number cc-number`, `… (iframe URL)`.
    pub fields_typed: Vec<String>,
    pub pressed_pay: bool,
    /// Scripts seen running.
    pub scripts_run: usize,
    /// Requests the page made (paused, sinkholed or observed).
    pub requests: usize,
    /// Hosts other than the page's own site the page contacted.
    pub outside_hosts: Vec<String>,
    /// Hosts that received the canary and may (the shop, an authorised processor): expected,
    /// so inventoried here rather than reported as a finding.
    pub card_received_by: Vec<String>,
    /// Wall time of the visit in milliseconds (load, typing, pay, wait).
    pub millis: u64,
}
