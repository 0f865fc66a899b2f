#!/usr/bin/env python3
"""The shop of issue 8's pipeline benchmark: PAGES checkout-like pages, each running the same
SITE_WIDE real-library scripts (as a theme does) plus PER_PAGE page-specific bundles (real
libraries with a page's own header, so their bytes differ), ~20 MB over ~608 distinct URLs.

usage: gen_shared_shop.py LIBS_DIR OUT_DIR [--pages 200] [--site-wide 8] [--per-page 2]
LIBS_DIR: the benign payment-page libraries (../shared/corpus/benign/fetch.sh fetches them).
Writes OUT_DIR/urls.txt with every distinct path, pages first."""
import argparse, os

ap = argparse.ArgumentParser()
ap.add_argument("libs")
ap.add_argument("out")
ap.add_argument("--pages", type=int, default=200)
ap.add_argument("--site-wide", type=int, default=8)
ap.add_argument("--per-page", type=int, default=2)
a = ap.parse_args()

libs = sorted(
    os.path.join(a.libs, f) for f in os.listdir(a.libs) if f.endswith(".js")
)
by_size = sorted(libs, key=os.path.getsize)
# Site-wide: the larger libraries a theme loads everywhere; page bundles: the smaller ones.
site_wide = by_size[-a.site_wide:]
small = [l for l in by_size if l not in site_wide]

os.makedirs(os.path.join(a.out, "static"), exist_ok=True)
os.makedirs(os.path.join(a.out, "p"), exist_ok=True)
urls_pages, urls_scripts = [], []
for i, lib in enumerate(site_wide):
    path = f"/static/site-{i}.js"
    with open(lib, "rb") as f, open(a.out + path, "wb") as o:
        o.write(f.read())
    urls_scripts.append(path)
for p in range(a.pages):
    tags = [f'<script src="/static/site-{i}.js"></script>' for i in range(len(site_wide))]
    for k in range(a.per_page):
        lib = small[(p * a.per_page + k) % len(small)]
        path = f"/static/page-{p}-{k}.js"
        with open(lib, "rb") as f, open(a.out + path, "wb") as o:
            o.write(f"/*! bundle {k} of page {p} */\n".encode() + f.read())
        urls_scripts.append(path)
        tags.append(f'<script src="{path}"></script>')
    html = f"""<!doctype html><html><head><meta charset="utf-8"><title>Checkout {p}</title>
{chr(10).join(tags)}
</head><body><h1>Checkout</h1>
<form action="/order" method="post">
<label>Card number <input name="payment[cc_number]" autocomplete="cc-number"></label>
<label>Expiry <input name="payment[cc_exp]" autocomplete="cc-exp"></label>
<label>CVC <input name="payment[cc_cid]" autocomplete="cc-csc"></label>
<button>Place order</button></form>
<script>window.checkoutConfig = {{"page": {p}, "currency": "EUR"}};</script>
</body></html>
"""
    path = f"/p/{p}.html"
    with open(a.out + path, "w") as o:
        o.write(html)
    urls_pages.append(path)
with open(os.path.join(a.out, "urls.txt"), "w") as o:
    o.write("\n".join(urls_pages + urls_scripts) + "\n")
