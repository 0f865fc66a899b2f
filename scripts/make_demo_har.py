#!/usr/bin/env python3
"""Regenerate demo/shop.har: a HAR 1.2 capture of a customer's visit to the demo shop
(home -> cart -> checkout), as Chromium's devtools save one, built from the files in demo/shop/.

The capture is what `skimscan scan demo/shop.har` reads in the README: the pages with their
response headers, the scripts (checkout.js stored base64-encoded, as devtools does for some
bodies), and the stylesheet. Timestamps are fixed so the file is the same on every run.

    python3 scripts/make_demo_har.py          # writes demo/shop.har
"""
import base64
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHOP = ROOT / "demo" / "shop"
ORIGIN = "https://maple-moss.example"

PAGE_HEADERS = [
    {"name": "content-type", "value": "text/html; charset=utf-8"},
    {"name": "x-frame-options", "value": "SAMEORIGIN"},
    {"name": "strict-transport-security", "value": "max-age=31536000"},
    {"name": "server", "value": "nginx"},
]

# (page id, page path, file, resources the page loaded: (path, file, mime, resource type, base64?))
VISIT = [
    ("page_1", "/", "index.html", [
        ("/static/site.css", "static/site.css", "text/css", "stylesheet", False),
        ("/static/shop.js", "static/shop.js", "application/javascript", "script", False),
    ]),
    ("page_2", "/cart/", "cart/index.html", []),
    ("page_3", "/checkout/", "checkout/index.html", [
        ("/static/checkout.js", "static/checkout.js", "application/javascript", "script", True),
    ]),
]


def entry(pageref, second, path, body, mime, resource, headers, b64=False):
    content = {"size": len(body), "mimeType": mime}
    if b64:
        content.update(text=base64.b64encode(body).decode(), encoding="base64")
    else:
        content["text"] = body.decode("utf-8")
    return {
        "pageref": pageref,
        "startedDateTime": f"2026-11-20T09:15:{second:02d}.000Z",
        "time": 12.5,
        "request": {
            "method": "GET", "url": ORIGIN + path, "httpVersion": "http/2.0",
            "headers": [{"name": "accept", "value": "*/*"}], "queryString": [], "cookies": [],
            "headersSize": -1, "bodySize": 0,
        },
        "response": {
            "status": 200, "statusText": "", "httpVersion": "http/2.0",
            "headers": headers, "cookies": [], "content": content, "redirectURL": "",
            "headersSize": -1, "bodySize": len(body),
        },
        "cache": {},
        "timings": {"blocked": 0.5, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1,
                    "wait": 10.0, "receive": 1.9},
        "_resourceType": resource,
    }


def main():
    pages, entries, second = [], [], 0
    for pageref, path, file, resources in VISIT:
        body = (SHOP / file).read_bytes()
        pages.append({
            "startedDateTime": f"2026-11-20T09:15:{second:02d}.000Z", "id": pageref,
            "title": ORIGIN + path, "pageTimings": {"onContentLoad": 80.0, "onLoad": 120.0},
        })
        entries.append(entry(pageref, second, path, body, "text/html", "document", PAGE_HEADERS))
        second += 1
        for rpath, rfile, mime, resource, b64 in resources:
            rbody = (SHOP / rfile).read_bytes()
            headers = [{"name": "content-type", "value": mime}]
            entries.append(entry(pageref, second, rpath, rbody, mime, resource, headers, b64))
            second += 1
    har = {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                   "pages": pages, "entries": entries}}
    out = ROOT / "demo" / "shop.har"
    out.write_text(json.dumps(har, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)} ({len(entries)} entries)")


if __name__ == "__main__":
    main()
