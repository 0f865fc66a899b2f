//! A send the stub page recorded, written back as one line of plain JavaScript that makes
//! the same kind of request with the same data (see [`super::emulate::layer`]): the fields
//! whose canaries it carried, or what the script received through a pipe (`pipe_marks`).

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// One send as a statement: the fields whose canaries it carried, sent the same way.
pub(super) fn statement(how: &str, url: &str, fields: &[String]) -> Option<String> {
    let data = if fields.is_empty() {
        None
    } else {
        Some(format!(
            "[{}].join(\"|\")",
            fields
                .iter()
                .map(|k| format!("document.querySelector({}).value", q(k)))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    sent_as(how, url, data)
}

/// A send of `data` (a JavaScript expression) to `url` the way it was made. With data, the
/// recorded URL's query is dropped: it carried what the expression stands for.
pub(super) fn sent_as(how: &str, url: &str, data: Option<String>) -> Option<String> {
    let base = if data.is_none() {
        url.to_string()
    } else {
        url.split(['?', '#']).next().unwrap_or(url).to_string()
    };
    let u = q(&base);
    let s = match (how, data) {
        ("xhr", Some(d)) => {
            format!(
                "(function () {{ var x = new XMLHttpRequest(); x.open(\"POST\", {u}); x.send({d}); }})();"
            )
        }
        ("beacon", Some(d)) => format!("navigator.sendBeacon({u}, {d});"),
        ("websocket", Some(d)) => format!("new WebSocket({u}).send({d});"),
        ("webrtc", Some(d)) => format!(
            "new RTCPeerConnection({{ iceServers: [{{ urls: {u} }}] }}).createDataChannel(\"c\").send({d});"
        ),
        ("navigate", Some(d)) => format!("window.open({u} + \"?d=\" + encodeURIComponent({d}));"),
        ("fetch" | "form" | "worker-message", Some(d)) => {
            format!("fetch({u}, {{ method: \"POST\", body: {d} }});")
        }
        (_, Some(d)) => match data_labels(&base) {
            // Data carried in the host's labels (`4111….dns.example`): the same shape.
            Some((scheme, rest)) => format!(
                "new Image().src = {} + encodeURIComponent({d}) + {};",
                q(&scheme),
                q(&rest)
            ),
            None => format!("new Image().src = {u} + \"?d=\" + encodeURIComponent({d});"),
        },
        ("xhr" | "fetch" | "beacon" | "form", None) => format!("fetch({u});"),
        ("websocket", None) => format!("new WebSocket({u});"),
        ("worker" | "eventsource" | "worker-message" | "webrtc" | "navigate", None) => {
            return None;
        }
        (_, None) => format!("new Image().src = {u};"),
    };
    Some(s)
}

/// A URL whose host begins with long labels (encoded data): its scheme and `//`, and the
/// rest after those labels (`.dns.example/p`).
fn data_labels(url: &str) -> Option<(String, String)> {
    let (scheme, after) = url.split_once("//")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (host, path) = after.split_at(end);
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let last_long = labels.iter().rposition(|l| l.len() >= 20)?;
    if labels.len() - last_long < 3 {
        return None;
    }
    let scheme = if scheme.is_empty() { "https:" } else { scheme };
    Some((
        format!("{scheme}//"),
        format!(".{}{path}", labels[last_long + 1..].join(".")),
    ))
}
