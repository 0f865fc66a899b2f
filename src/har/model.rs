//! The parts of a HAR 1.2 capture skimscan reads, as serde types of our own.
//!
//! Why not the `har` crate: it requires every field the specification calls mandatory
//! (`timings.send`, `cache`, `cookies`, `httpVersion`…), so one entry a browser or proxy wrote
//! without them refuses the whole capture — and an incident responder gets whatever capture
//! they were handed. It also drops the underscore fields browsers add, and Chromium's
//! `_resourceType` is what tells an iframe document from an XHR that happened to return HTML.
//! So only what the scan needs is required here (a request URL); everything else has a default,
//! and unknown fields are ignored, as HAR readers are expected to do.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct HarFile {
    pub log: Log,
}

#[derive(Debug, Deserialize)]
pub struct Log {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub pages: Vec<Page>,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
pub struct Page {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub pageref: Option<String>,
    pub request: Request,
    #[serde(default)]
    pub response: Response,
    /// Chromium's resource type: `document` (pages and frames), `script`, `xhr`, `fetch`…
    #[serde(rename = "_resourceType", default)]
    pub resource_type: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Request {
    pub url: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Response {
    #[serde(default)]
    pub status: i64,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub content: Content,
    #[serde(rename = "redirectURL", default)]
    pub redirect_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Header {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Content {
    /// The body's length in bytes as the browser saw it; -1 or absent when unknown.
    #[serde(default)]
    pub size: Option<i64>,
    #[serde(rename = "mimeType", default)]
    pub mime_type: Option<String>,
    /// The body: text as the browser decoded it, or base64 when `encoding` says so. Browsers
    /// leave it out for bodies they did not keep (a capture saved without content, a response
    /// evicted from devtools' buffer).
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub encoding: Option<String>,
}
