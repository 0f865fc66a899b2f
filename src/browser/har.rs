//! `--har FILE`: the browser sessions as HAR 1.2 (the format browsers' devtools save and
//! incident responders exchange), one HAR page per visit (page × profile). Every request is
//! there, including the blocked ones, with skimscan's decision in `_skimscan` fields; the
//! canary is masked everywhere, so the file can be shared.

use super::canary::Matcher;
use super::record::RecordedRequest;
use serde_json::{Value, json};

/// One visit's part of the archive.
pub struct HarVisit<'a> {
    pub id: String,
    pub title: String,
    pub started: String,
    pub requests: &'a [RecordedRequest],
}

pub fn build(visits: &[HarVisit<'_>], matcher: &Matcher) -> Value {
    let mut pages = Vec::new();
    let mut entries = Vec::new();
    for v in visits {
        pages.push(json!({
            "startedDateTime": v.started,
            "id": v.id,
            "title": v.title,
            "pageTimings": {"onContentLoad": -1, "onLoad": -1},
        }));
        for r in v.requests {
            entries.push(entry(&v.id, r, matcher));
        }
    }
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "skimscan", "version": env!("CARGO_PKG_VERSION")},
            "pages": pages,
            "entries": entries,
        }
    })
}

fn entry(page_id: &str, r: &RecordedRequest, m: &Matcher) -> Value {
    let url = m.mask(&r.url);
    let query: Vec<Value> = url::Url::parse(&url)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect()
        })
        .unwrap_or_default();
    let headers: Vec<Value> = r
        .headers
        .iter()
        .map(|(k, v)| json!({"name": k, "value": m.mask(v)}))
        .collect();
    let mut request = json!({
        "method": r.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": headers,
        "queryString": query,
        "headersSize": -1,
        "bodySize": r.body.as_ref().map(|b| b.len() as i64).unwrap_or(0),
    });
    if let Some(body) = &r.body {
        let mime = r
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        request["postData"] = json!({"mimeType": mime, "text": m.mask(body)});
    }
    json!({
        "pageref": page_id,
        "startedDateTime": r.started,
        "time": 0,
        "request": request,
        "response": {
            "status": r.status.unwrap_or(0),
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_skimscan": {
            "profile": r.profile.as_str(),
            "channel": r.channel.as_str(),
            "resourceType": r.resource_type,
            "decision": r.decision.as_str(),
            "afterCanary": r.after_canary,
            "canary": r.found.as_ref().map(|f| f.to_string()),
            "initiator": r.initiator,
        },
    })
}
