//! HAR captures as a source of pages and scripts: the incident-response case, where what the
//! responder holds is what a customer's browser (or a colleague's devtools) recorded, not a
//! live site. A [`Capture`] answers "what did the browser receive for this URL?" from the
//! capture's saved bodies, so the whole pipeline (discovery of frames, script inventory,
//! baseline comparison, analysis) runs on it without contacting anything.
//!
//! - HTML entries (documents and frames) are the pages to scan; their recorded response
//!   headers are the page's headers.
//! - Script entries are scripts. Those no page references in its markup were loaded at run time
//!   (a tag manager, a loader, a skimmer's stage 2): [`Capture::runtime_scripts`] names them
//!   with the page that loaded them, so they join the inventory as `dynamic` scripts.
//! - A body the capture lacks (saved without content, an undecodable base64) is an error for
//!   that URL only, which the scan reports in `errors[]`: the scan did not see that code.
//! - A capture that is not JSON, not a HAR, truncated, nested too deep or larger than
//!   [`MAX_CAPTURE_BYTES`] is a [`HarError`]: a usage error, nothing scanned.

pub mod model;

use base64::Engine as _;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use url::Url;

/// The largest capture read. Devtools captures of a checkout are a few MB; the cap keeps a
/// hostile or mistaken file (a disk image renamed `.har`) from exhausting memory.
pub const MAX_CAPTURE_BYTES: u64 = 256 * 1024 * 1024;

/// How many redirects recorded in a capture are followed for one request.
const MAX_REDIRECTS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum HarError {
    #[error("{path}: cannot read the capture: {message}")]
    Read { path: String, message: String },
    #[error("{path}: the capture is larger than {limit} bytes")]
    TooLarge { path: String, limit: u64 },
    #[error("{path}: not a HAR capture: {message}")]
    Malformed { path: String, message: String },
    #[error("{path}: the capture holds no HTML page to scan ({entries} entries)")]
    NoPage { path: String, entries: usize },
}

/// What a capture recorded for one URL.
#[derive(Debug, Clone)]
pub struct Captured {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body, or why the capture cannot give it.
    pub body: Result<Vec<u8>, String>,
    /// Where a 3xx answer sent the browser.
    pub redirect: Option<Url>,
    pub is_html: bool,
    pub is_script: bool,
    /// The page (by HAR page id) the request belongs to.
    pub pageref: Option<String>,
}

/// One or more HAR files, indexed by URL.
#[derive(Debug, Default)]
pub struct Capture {
    responses: BTreeMap<String, Captured>,
    /// HTML documents (pages and frames) in capture order.
    pages: Vec<Url>,
    /// Script URLs in capture order.
    scripts: Vec<Url>,
    /// HAR page id → the URL of the document that page is.
    page_of_ref: BTreeMap<String, Url>,
}

fn key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.to_string()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn is_html_mime(m: &str) -> bool {
    let m = m.to_ascii_lowercase();
    m.contains("text/html") || m.contains("application/xhtml")
}

fn is_script_mime(m: &str) -> bool {
    let m = m.to_ascii_lowercase();
    m.contains("javascript") || m.contains("ecmascript")
}

/// The body of an entry as bytes. Text bodies are stored by browsers already decoded, so they
/// are UTF-8 now whatever the server's charset was.
fn body_of(content: &model::Content, status: u16, max_body: u64) -> Result<Vec<u8>, String> {
    let declared = content.size.unwrap_or(-1);
    let bytes = match (&content.text, content.encoding.as_deref()) {
        (None, _) if declared == 0 || (300..400).contains(&status) || status == 204 => Vec::new(),
        (None, _) => {
            return Err("the capture holds no body for it (saved without content?)".into());
        }
        (Some(t), _) if t.is_empty() && declared > 0 => {
            return Err(format!(
                "the capture holds an empty body for it ({declared} bytes were received)"
            ));
        }
        (Some(t), None) | (Some(t), Some("")) => t.as_bytes().to_vec(),
        (Some(t), Some(enc)) if enc.eq_ignore_ascii_case("base64") => {
            // Some tools wrap base64 across lines; whitespace is not part of the data.
            let clean: String = t.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(clean.as_bytes())
                .map_err(|e| format!("the capture's base64 body is invalid: {e}"))?
        }
        (Some(_), Some(enc)) => {
            return Err(format!(
                "the capture stores the body in an unknown encoding `{enc}`"
            ));
        }
    };
    if bytes.len() as u64 > max_body {
        return Err(format!("body larger than the {max_body}-byte limit"));
    }
    Ok(bytes)
}

/// A text body's bytes are UTF-8 (see [`body_of`]): say so in its content type, so the page
/// decoder does not apply the server's original charset to them a second time.
fn utf8_content_type(headers: &mut Vec<(String, String)>, mime: Option<&str>) {
    let base = header(headers, "content-type")
        .or(mime)
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
    if let Some(base) = base {
        headers.push(("content-type".into(), format!("{base}; charset=utf-8")));
    }
}

impl Capture {
    /// Read one HAR file and add its entries. Bodies over `max_body` are recorded as errors for
    /// their URL, as an oversized download would be.
    pub fn add_file(&mut self, path: &Path, max_body: u64) -> Result<(), HarError> {
        let shown = path.display().to_string();
        let read_err = |e: std::io::Error| HarError::Read {
            path: shown.clone(),
            message: e.to_string(),
        };
        let f = std::fs::File::open(path).map_err(read_err)?;
        // Refuse an oversized file before reading any of it.
        if f.metadata().map_err(read_err)?.len() > MAX_CAPTURE_BYTES {
            return Err(HarError::TooLarge {
                path: shown,
                limit: MAX_CAPTURE_BYTES,
            });
        }
        let mut raw = Vec::new();
        f.take(MAX_CAPTURE_BYTES + 1)
            .read_to_end(&mut raw)
            .map_err(read_err)?;
        if raw.len() as u64 > MAX_CAPTURE_BYTES {
            return Err(HarError::TooLarge {
                path: shown,
                limit: MAX_CAPTURE_BYTES,
            });
        }
        self.add_bytes(&shown, &raw, max_body)
    }

    /// Parse a capture held in memory (see [`Capture::add_file`]).
    pub fn add_bytes(&mut self, shown: &str, raw: &[u8], max_body: u64) -> Result<(), HarError> {
        // serde_json stops at 128 levels of nesting, so a hostile capture cannot overflow the
        // stack; a truncated one is an error with its line and column.
        let har: model::HarFile = serde_json::from_slice(raw).map_err(|e| HarError::Malformed {
            path: shown.to_string(),
            message: e.to_string(),
        })?;
        if let Some(v) = &har.log.version
            && !v.starts_with("1.")
        {
            return Err(HarError::Malformed {
                path: shown.to_string(),
                message: format!("unsupported HAR version `{v}` (1.2 expected)"),
            });
        }
        let pages_before = self.pages.len();
        let entries = har.log.entries.len();
        for e in har.log.entries {
            // Entries for data:, blob: or garbage URLs carry nothing a page references by URL.
            let Ok(url) = Url::parse(e.request.url.trim()) else {
                continue;
            };
            if !matches!(url.scheme(), "http" | "https") {
                continue;
            }
            let status = u16::try_from(e.response.status).unwrap_or(0);
            let mut headers: Vec<(String, String)> = e
                .response
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect();
            let mime = e.response.content.mime_type.clone();
            let content_type = header(&headers, "content-type")
                .map(str::to_string)
                .or(mime.clone())
                .unwrap_or_default();
            let resource = e.resource_type.as_deref().map(str::to_ascii_lowercase);
            let is_html = is_html_mime(&content_type)
                && matches!(
                    resource.as_deref(),
                    None | Some("document") | Some("iframe")
                );
            let is_script = resource.as_deref() == Some("script")
                || (is_script_mime(&content_type)
                    && !matches!(resource.as_deref(), Some("xhr") | Some("fetch")));
            let text_body = e.response.content.text.is_some()
                && e.response
                    .content
                    .encoding
                    .as_deref()
                    .is_none_or(str::is_empty);
            if text_body {
                utf8_content_type(&mut headers, mime.as_deref());
            }
            let redirect = e
                .response
                .redirect_url
                .as_deref()
                .filter(|r| !r.is_empty())
                .or_else(|| header(&headers, "location"))
                .and_then(|r| url.join(r).ok());
            let captured = Captured {
                status,
                body: body_of(&e.response.content, status, max_body),
                headers,
                redirect,
                is_html,
                is_script,
                pageref: e.pageref.clone(),
            };
            let k = key(&url);
            // The same URL fetched twice (a reload, a 304 revalidation): keep the first answer
            // that has a body, so the scan sees code the browser actually ran.
            let replace = match self.responses.get(&k) {
                None => true,
                Some(old) => {
                    (old.body.is_err() && captured.body.is_ok())
                        || (old.status == 304 && captured.status != 304)
                }
            };
            if !replace {
                continue;
            }
            if (200..300).contains(&status) && is_html && !self.pages.contains(&url) {
                self.pages.push(url.clone());
                if let Some(r) = &e.pageref {
                    self.page_of_ref
                        .entry(r.clone())
                        .or_insert_with(|| url.clone());
                }
            }
            if is_script && !self.scripts.contains(&url) {
                self.scripts.push(url.clone());
            }
            self.responses.insert(k, captured);
        }
        if self.pages.len() == pages_before {
            return Err(HarError::NoPage {
                path: shown.to_string(),
                entries,
            });
        }
        Ok(())
    }

    /// The HTML pages (documents and frames) the capture holds, in capture order.
    pub fn pages(&self) -> &[Url] {
        &self.pages
    }

    /// Whether the capture recorded anything for `url`.
    pub fn contains(&self, url: &Url) -> bool {
        self.responses.contains_key(&key(url))
    }

    /// What the browser received for `url`, following redirects recorded in the capture:
    /// `(final URL, answer)`. `None` when the capture never requested it.
    pub fn lookup(&self, url: &Url) -> Option<(Url, &Captured)> {
        let mut current = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let c = self.responses.get(&key(&current))?;
            match (&c.redirect, (300..400).contains(&c.status)) {
                (Some(next), true) if self.contains(next) => current = next.clone(),
                _ => return Some((current, c)),
            }
        }
        None
    }

    /// Scripts the capture holds that no page's markup references, each with the index (in
    /// `page_urls`) of the page that loaded them at run time: the page whose HAR page id the
    /// request carries, else the first page. `referenced` says whether a page already lists
    /// a script URL.
    pub fn runtime_scripts(
        &self,
        page_urls: &[Url],
        referenced: &dyn Fn(usize, &Url) -> bool,
    ) -> BTreeMap<usize, Vec<Url>> {
        let mut out: BTreeMap<usize, Vec<Url>> = BTreeMap::new();
        if page_urls.is_empty() {
            return out;
        }
        let index_of = |u: &Url| page_urls.iter().position(|p| key(p) == key(u));
        for s in &self.scripts {
            let Some(c) = self.responses.get(&key(s)) else {
                continue;
            };
            let page = c
                .pageref
                .as_ref()
                .and_then(|r| self.page_of_ref.get(r))
                .and_then(index_of)
                .unwrap_or(0);
            if (0..page_urls.len()).any(|i| referenced(i, s)) {
                continue;
            }
            out.entry(page).or_default().push(s.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(json: &str) -> Result<Capture, HarError> {
        let mut c = Capture::default();
        c.add_bytes("t.har", json.as_bytes(), 1_000_000)?;
        Ok(c)
    }

    const PAGE: &str = r#"{"request":{"url":"https://shop.example/checkout/"},
        "response":{"status":200,"headers":[{"name":"Content-Type","value":"text/html; charset=iso-8859-1"}],
        "content":{"mimeType":"text/html","text":"<p>caf\u00e9</p>"}}}"#;

    #[test]
    fn text_and_base64_bodies() {
        let json = format!(
            r#"{{"log":{{"version":"1.2","entries":[{PAGE},
            {{"request":{{"url":"https://shop.example/a.js"}},"response":{{"status":200,
              "content":{{"mimeType":"application/javascript","text":"dmFyIGE9MTs=","encoding":"base64"}}}}}}]}}}}"#
        );
        let c = capture(&json).unwrap();
        assert_eq!(c.pages().len(), 1);
        let (_, page) = c.lookup(&c.pages()[0]).unwrap();
        assert_eq!(page.body.as_deref().unwrap(), "<p>café</p>".as_bytes());
        // The text was decoded by the browser: its charset is UTF-8 now.
        assert_eq!(
            header(&page.headers, "content-type"),
            Some("text/html; charset=utf-8")
        );
        let js = Url::parse("https://shop.example/a.js").unwrap();
        assert_eq!(
            c.lookup(&js).unwrap().1.body.as_deref().unwrap(),
            b"var a=1;"
        );
    }

    #[test]
    fn missing_and_bad_bodies_are_per_url_errors() {
        let json = format!(
            r#"{{"log":{{"entries":[{PAGE},
            {{"request":{{"url":"https://shop.example/gone.js"}},"response":{{"status":200,"content":{{"size":900,"mimeType":"text/javascript"}}}}}},
            {{"request":{{"url":"https://shop.example/bad.js"}},"response":{{"status":200,"content":{{"text":"%%%","encoding":"base64"}}}}}}]}}}}"#
        );
        let c = capture(&json).unwrap();
        for u in [
            "https://shop.example/gone.js",
            "https://shop.example/bad.js",
        ] {
            let u = Url::parse(u).unwrap();
            assert!(c.lookup(&u).unwrap().1.body.is_err(), "{u}");
        }
    }

    #[test]
    fn malformed_captures_are_errors() {
        for bad in [
            "",
            "not json",
            "{\"log\": {\"entries\": [",
            "[]",
            "{\"log\": {\"version\": \"2.0\", \"entries\": []}}",
            "{\"log\": {\"entries\": []}}",
            &"[".repeat(100_000),
        ] {
            assert!(capture(bad).is_err(), "{bad:.40}");
        }
    }

    #[test]
    fn follows_recorded_redirects() {
        let json = format!(
            r#"{{"log":{{"entries":[{{"request":{{"url":"http://shop.example/checkout/"}},
            "response":{{"status":301,"redirectURL":"https://shop.example/checkout/","content":{{}}}}}},{PAGE}]}}}}"#
        );
        let c = capture(&json).unwrap();
        let (final_url, _) = c
            .lookup(&Url::parse("http://shop.example/checkout/").unwrap())
            .unwrap();
        assert_eq!(final_url.as_str(), "https://shop.example/checkout/");
    }
}
