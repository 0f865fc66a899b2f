//! Every way a browser sends (issue 9, class 4): link hints and subdomain labels, script
//! URLs carrying data, WebRTC TURN servers and data channels, `window.open`, `location`
//! redirects, forms posted into hidden iframes, inline workers, WebSocket aliases.

mod engine_support;
use engine_support::check_dir;

#[test]
fn every_way_a_browser_sends_is_a_sink() {
    let (skim, legit) = check_dir("send");
    assert!(
        skim >= 16 && legit >= 2,
        "{skim} skimmers, {legit} legitimate"
    );
}
