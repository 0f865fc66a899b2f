#!/usr/bin/env bash
# Alert fatigue, measured: does a benign library upgrade on a payment page raise a high finding?
# For each library, record a baseline of a checkout page carrying release N, swap in release
# N+1 (same URL, as a shop's own copy would be upgraded), scan against the baseline, and print
# the severity of every finding. Needs npm (the releases come from the npm registry).
#   usage: scripts/measure_upgrades.sh [path/to/skimscan]
set -euo pipefail
bin=${1:-target/release/skimscan}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# package, file inside the package, versions in order
libs=(
  "jquery|dist/jquery.min.js|3.5.1 3.6.0 3.6.4 3.7.0 3.7.1"
  "@stripe/stripe-js|dist/stripe.js|1.54.2 2.1.0 2.4.0"
  "cleave.js|dist/cleave.min.js|1.5.10 1.6.0"
  "imask|dist/imask.min.js|6.4.3 7.1.3 7.6.1"
)
printf '%-22s %-20s %s\n' library upgrade findings
for spec in "${libs[@]}"; do
  IFS='|' read -r pkg file versions <<<"$spec"
  prev=""
  for v in $versions; do
    d="$work/pkg/$pkg@$v"; mkdir -p "$d"
    (cd "$d" && npm pack --silent "$pkg@$v" >/dev/null 2>&1 && tar xzf ./*.tgz) || { echo "skip $pkg@$v (npm)"; continue; }
    if [ -n "$prev" ]; then
      site="$work/site"; rm -rf "$site" "$work/base.json" "$work/base.json.d"
      mkdir -p "$site/checkout" "$site/static"
      cat >"$site/checkout/index.html" <<HTML
<!doctype html><html><head><title>Checkout</title>
<script src="/static/lib.js"></script></head><body>
<form action="/order" method="post"><input name="cc_number" autocomplete="cc-number">
<input name="cc_exp" autocomplete="cc-exp"><input name="cvv" autocomplete="cc-csc"><button>Pay</button></form>
</body></html>
HTML
      cp "$work/pkg/$pkg@$prev/package/$file" "$site/static/lib.js"
      "$bin" baseline create -q --out "$work/base.json" "$site" >/dev/null 2>&1 || true
      cp "$d/package/$file" "$site/static/lib.js"
      out=$("$bin" scan --format json --fail-on never --baseline "$work/base.json" "$site" 2>/dev/null || true)
      summary=$(python3 -c 'import json,sys
r = json.loads(sys.stdin.read())
print(", ".join(f["severity"] + ":" + f["rule"] for f in r["findings"] if f["rule"] != "csp-missing") or "none")' <<<"$out")
      printf '%-22s %-20s %s\n' "$pkg" "$prev->$v" "$summary"
    fi
    prev=$v
  done
done
