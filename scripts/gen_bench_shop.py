#!/usr/bin/env python3
"""Generate the fetch benchmark's shop: N pages, each with K distinct scripts of ~SIZE bytes.

usage: gen_bench_shop.py OUT_DIR [--pages 200] [--scripts 10] [--size 40000] [--same-inline]
Writes OUT_DIR/p/<i>.html and OUT_DIR/s/<i>_<j>.js, plus OUT_DIR/urls.txt (every URL path).
The scripts are ordinary storefront code (no skimmer), varied so none is a copy of another.
--same-inline also puts one and the same inline script (~SIZE bytes) on every page, each page
at another line (the analysis cache benchmark: one piece of code on many pages).
"""
import argparse, os, random

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--pages", type=int, default=200)
ap.add_argument("--scripts", type=int, default=10)
ap.add_argument("--size", type=int, default=40000)
ap.add_argument("--card-form", action="store_true",
                help="give every page a checkout form with card fields (the browser benchmark)")
ap.add_argument("--same-inline", action="store_true",
                help="the same inline script on every page, at a different line on each")
a = ap.parse_args()
rnd = random.Random(42)
os.makedirs(os.path.join(a.out, "p"), exist_ok=True)
os.makedirs(os.path.join(a.out, "s"), exist_ok=True)

def script(i, j):
    parts, n, k = [f"/* bundle {i}-{j} */\n(function (window, document) {{\n  'use strict';\n"], 0, 0
    while n < a.size:
        name = f"fn_{i}_{j}_{k}"
        body = (
            f"  function {name}(items, opts) {{\n"
            f"    var total = 0, el = document.getElementById('price-{k}');\n"
            f"    for (var x = 0; x < items.length; x++) {{ total += items[x].price * {rnd.randint(1, 9)}; }}\n"
            f"    if (el) {{ el.textContent = (total / 100).toFixed(2) + ' {rnd.choice(['USD', 'EUR', 'JPY'])}'; }}\n"
            f"    return opts && opts.round ? Math.round(total) : total;\n"
            f"  }}\n  window.shop_{i}_{j}_{k} = {name};\n"
        )
        parts.append(body)
        n += len(body)
        k += 1
    parts.append("})(window, document);\n")
    return "".join(parts)

CARD_FORM = ('<form action="/order" method="post"><input name="email" autocomplete="email">'
             '<input name="cc-number" autocomplete="cc-number"><input name="cc-exp" autocomplete="cc-exp">'
             '<input name="cc-csc" autocomplete="cc-csc"><button type="submit">Pay</button></form>')
INLINE = script("inline", 0) if a.same_inline else ""
def INLINE_BLOCK(i):
    return "\n" * (i % 7) + "<p>Free shipping.</p>\n" * (i % 5) + f"<script>{INLINE}</script>"

urls = []
for i in range(a.pages):
    tags = []
    for j in range(a.scripts):
        path = f"/s/{i}_{j}.js"
        with open(os.path.join(a.out, path.lstrip("/")), "w") as f:
            f.write(script(i, j))
        tags.append(f'<script src="{path}"></script>')
        urls.append(path)
    page = f"/p/{i}.html"
    with open(os.path.join(a.out, page.lstrip("/")), "w") as f:
        f.write(f"<!doctype html><html><head><title>Product {i}</title>{''.join(tags)}</head>"
                f"<body><h1>Product {i}</h1><p>Handmade.</p>{CARD_FORM if a.card_form else ''}"
                f"{INLINE_BLOCK(i) if a.same_inline else ''}</body></html>\n")
    urls.append(page)
with open(os.path.join(a.out, "urls.txt"), "w") as f:
    f.write("\n".join(urls) + "\n")
