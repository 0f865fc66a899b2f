#!/usr/bin/env bash
# The fetch benchmark of BENCHMARKS.md: a generated shop of 200 pages x 10 distinct ~40 KB
# scripts served on loopback; skimscan's scan time against curl fetching the same URLs with
# the same parallelism, and skimscan's peak RSS. Run from the repository root.
set -euo pipefail
CONC=${CONC:-8}
PORT=${PORT:-18080}
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT
python3 scripts/gen_bench_shop.py "$work/shop"
cargo build --release --quiet --example static_server
cargo build --release --quiet
./target/release/examples/static_server "$work/shop" "$PORT" 2>/dev/null & srv=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/p/0.html" && break; sleep 0.1; done
pages=()
while read -r p; do case $p in /p/*) pages+=("http://bench.test:$PORT$p");; esac; done < "$work/shop/urls.txt"
: > "$work/curl.cfg"
while read -r p; do printf 'url = "http://bench.test:%s%s"\noutput = "/dev/null"\n' "$PORT" "$p" >> "$work/curl.cfg"; done < "$work/shop/urls.txt"
echo "pages: ${#pages[@]}, urls: $(wc -l < "$work/shop/urls.txt"), bytes: $(du -sb "$work/shop" | cut -f1), concurrency $CONC"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
s_times=(); c_times=(); rss=()
for r in $(seq "$RUNS"); do
  /usr/bin/time -f '%e %M' -o "$work/t" ./target/release/skimscan scan --format json --depth 0 \
    --concurrency "$CONC" --per-host "$CONC" --resolve "bench.test:$PORT:127.0.0.1" "${pages[@]}" > "$work/report.json" || true
  read -r t m < <(tail -1 "$work/t"); s_times+=("$t"); rss+=("$m")
  /usr/bin/time -f '%e' -o "$work/t" curl -s --no-progress-meter --parallel --parallel-max "$CONC" \
    --resolve "bench.test:$PORT:127.0.0.1" -K "$work/curl.cfg"
  c_times+=("$(tail -1 "$work/t")")
done
python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"report: {len(r['pages'])} pages, {len(r['scripts'])} scripts, complete={r['complete']}, errors={len(r['errors'])}")
PY
s=$(printf '%s\n' "${s_times[@]}" | median); c=$(printf '%s\n' "${c_times[@]}" | median)
m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "skimscan runs: ${s_times[*]} s; curl runs: ${c_times[*]} s"
echo "median skimscan ${s}s, median curl ${c}s, ratio $(python3 -c "print(round($s/$c,2))"), peak RSS $((m/1024)) MB"
