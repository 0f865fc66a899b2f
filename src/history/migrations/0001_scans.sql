CREATE TABLE scans (
        id {{id}},
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        verdict TEXT NOT NULL,
        complete {{int}} NOT NULL,
        source TEXT NOT NULL,
        report_sha256 TEXT NOT NULL UNIQUE
    );
    CREATE TABLE scan_sites (
        scan_id {{int}} NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        site TEXT NOT NULL
    );
    CREATE TABLE scan_pages (
        scan_id {{int}} NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        payment_form {{int}} NOT NULL
    );
    CREATE TABLE scan_scripts (
        scan_id {{int}} NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        page TEXT NOT NULL,
        url TEXT,
        script_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        sha256 TEXT
    );
    CREATE TABLE scan_findings (
        scan_id {{int}} NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        page TEXT,
        script TEXT,
        hosts TEXT NOT NULL
    );
    CREATE INDEX scans_started ON scans(started_at);
    CREATE INDEX scan_sites_site ON scan_sites(site);
    CREATE INDEX scan_pages_url ON scan_pages(url);
    CREATE INDEX scan_scripts_sha ON scan_scripts(sha256);
    CREATE INDEX scan_scripts_url ON scan_scripts(url);
