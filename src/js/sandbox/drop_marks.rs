//! Addresses a script read from a dead drop, seen on the stub page. A skimmer that keeps its
//! collector's address in a DNS TXT record asks a public DNS-over-HTTPS resolver for it at
//! run time (`https://dns.google/resolve?name=_cfg.example&type=TXT`), so the address exists
//! in no file. The stub page answers such a question with a marked name (`skdrop<N>x.drop`,
//! `emulate.js`); a send whose address carries the mark went wherever that record points.
//! It is written back as the lookup and the send it led to, so the ordinary analysis judges it
//! as a dead drop (`collect::dead_drops`: the zone asked for is the host named) and the
//! evidence says whose answer decided the address.

use super::emulate::Observed;
use super::statements::statement;

/// Stands for the address in a written send, replaced by the answer's name.
const PLACEHOLDER: &str = "https://skimscan-dead-drop.invalid/";

/// The statement for a send whose address came from a dead drop's answer, if it did: the
/// address carries an answer's mark, or the answer was decoded past recognition (Base64 and
/// XOR of the marked name give no address at all: `²Gk¢1vº)`) when the run asked one zone.
pub(super) fn line(observed: &Observed, how: &str, url: &str, fields: &[String]) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let marked = observed
        .drops
        .iter()
        .find(|(n, _)| url.contains(&format!("skdrop{n}x")));
    let (_, asked) = match marked {
        Some(d) => d,
        None if garbled(url) => one_zone(observed)?,
        None => return None,
    };
    let send = statement(how, PLACEHOLDER, fields)?;
    let quoted = serde_json::to_string(PLACEHOLDER).ok()?;
    let asked = serde_json::to_string(asked).ok()?;
    Some(format!(
        "fetch({asked}).then(function (r) {{ return r.json(); }}).then(function (a) {{ var u = a.Answer[0].data; {} }});",
        send.replace(&quoted, "u")
    ))
}

/// An address no script writes: control characters or symbols outside ASCII (what an answer
/// decoded with the wrong key turns into), rather than a URL, a path or a host name.
fn garbled(url: &str) -> bool {
    // A URL that parses is an address, whatever else it holds: browsers strip a tab or a
    // line break from it (`'https://evil.example/c\t'`), and a decoy lookup must not take
    // its place.
    url::Url::parse(url.trim()).is_err()
        && url
            .chars()
            .any(|c| c.is_control() || (!c.is_ascii() && !c.is_alphabetic()))
}

/// The only question the run asked of a dead drop (several asked of one zone count as one).
fn one_zone(observed: &Observed) -> Option<&(usize, String)> {
    let first = observed.drops.first()?;
    observed
        .drops
        .iter()
        .all(|(_, q)| q == &first.1)
        .then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_to_a_marked_address_becomes_the_lookup_and_the_send() {
        let observed = Observed {
            origin: "https://www.shop.example".into(),
            reads: vec![("#cc_number".into(), "4111111111111111".into())],
            sends: Vec::new(),
            pipes: Vec::new(),
            drops: vec![(
                0,
                "https://dns.google/resolve?name=_c.drop-zone.example&type=TXT".into(),
            )],
            card_names: Vec::new(),
            asked_ids: Vec::new(),
        };
        let fields = vec!["#cc_number".to_string()];
        let line = line(&observed, "beacon", "https://skdrop0x.drop/c", &fields).unwrap();
        assert!(
            line.starts_with(
                "fetch(\"https://dns.google/resolve?name=_c.drop-zone.example&type=TXT\")"
            ),
            "{line}"
        );
        assert!(line.contains("navigator.sendBeacon(u, "), "{line}");
        // Not a marked address, or no field sent: not this.
        assert!(line_of(&observed, "https://cdn.example/c", &fields).is_none());
        assert!(line_of(&observed, "https://skdrop0x.drop/c", &[]).is_none());
    }

    /// An answer decoded past recognition (Base64 and XOR of the marked name) is still the
    /// answer of the one zone asked; with two zones asked, nobody is named.
    #[test]
    fn a_send_to_a_garbled_address_is_the_one_zones() {
        let mut observed = Observed {
            reads: vec![("#cc_number".into(), "4111111111111111".into())],
            drops: vec![(
                0,
                "https://dns.google/resolve?name=_v1.status-zone.example&type=TXT".into(),
            )],
            ..Observed::default()
        };
        let fields = vec!["#cc_number".to_string()];
        let line = line_of(&observed, "\u{b2}Gk\u{a2}1v\u{ba})", &fields).unwrap();
        assert!(line.contains("_v1.status-zone.example"), "{line}");
        // An address with letters of another script is an address (an IDN host), and so is
        // one a browser strips a tab from or with a symbol in its path.
        assert!(line_of(&observed, "https://bücher-zahlung.example/c", &fields).is_none());
        assert!(line_of(&observed, "https://evil.example/c\t", &fields).is_none());
        assert!(line_of(&observed, "https://evil.example/\u{2122}", &fields).is_none());
        observed.drops.push((
            1,
            "https://dns.google/resolve?name=other.example&type=TXT".into(),
        ));
        assert!(line_of(&observed, "\u{b2}Gk\u{a2}1v\u{ba})", &fields).is_none());
    }

    fn line_of(o: &Observed, url: &str, fields: &[String]) -> Option<String> {
        line(o, "beacon", url, fields)
    }
}
