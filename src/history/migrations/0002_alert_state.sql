-- Findings an alert was delivered for and not yet reported resolved (scan --notify with
-- --history). One row per finding per site; the key is what src/alert/payload.rs calls a
-- FindingKey: the rule, the script's content (sha256, or its id without bytes), the outside
-- hosts (space-separated, sorted). `page` is where it was seen, so that only a scan that
-- looked at that page again can call it resolved.
CREATE TABLE alert_state (
    site TEXT NOT NULL,
    rule TEXT NOT NULL,
    script TEXT NOT NULL,
    hosts TEXT NOT NULL,
    severity TEXT NOT NULL,
    page TEXT NOT NULL,
    alerted_at TEXT NOT NULL,
    PRIMARY KEY (site, rule, script, hosts)
);
CREATE INDEX alert_state_site ON alert_state(site);
