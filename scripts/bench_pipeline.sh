#!/usr/bin/env bash
# Issue 8's pipeline benchmark (BENCHMARKS.md "Pipeline: cold and warm scans against curl"):
# a 200-page shop over HTTPS with 20 ms added latency per response, 8 site-wide + 2
# page-specific real-library scripts per page (~608 distinct URLs). Alternates, RUNS times:
# curl fetching each distinct URL once (--parallel-max CONC), a cold skimscan scan (empty
# cache dir), a warm rescan (the same cache dir). Medians, and skimscan's peak RSS.
# usage: LIBS=/tmp/benign bash scripts/bench_pipeline.sh   (run from the repository root)
set -euo pipefail
LIBS=${LIBS:-/tmp/benign}
CONC=${CONC:-16}
PORT=${PORT:-18443}
RUNS=${RUNS:-3}
LATENCY_MS=${LATENCY_MS:-20}
BIN=${BIN:-target/release/skimscan}
[ -d "$LIBS" ] || { echo "no libraries in $LIBS: bash ../shared/corpus/benign/fetch.sh $LIBS" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT
python3 scripts/gen_shared_shop.py "$LIBS" "$work/shop"
# A throwaway CA and a server certificate it signs (rustls, like browsers, refuses a CA
# certificate used as the server's own).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" \
  -addext "basicConstraints=critical,CA:TRUE" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=bench.test" -keyout "$work/key.pem" -out "$work/csr.pem" 2>/dev/null
printf 'subjectAltName=DNS:bench.test\nbasicConstraints=CA:FALSE\n' > "$work/ext.cnf"
openssl x509 -req -in "$work/csr.pem" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 2 -extfile "$work/ext.cnf" -out "$work/cert.pem" 2>/dev/null
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release --quiet
python3 scripts/latency_server.py "$work/shop" "$PORT" "$work/cert.pem" "$work/key.pem" "$LATENCY_MS" & srv=$!
for _ in $(seq 50); do curl -s --cacert "$work/ca.pem" --resolve "bench.test:$PORT:127.0.0.1" -o /dev/null "https://bench.test:$PORT/p/0.html" && break; sleep 0.2; done
pages=()
while read -r p; do case $p in /p/*) pages+=("https://bench.test:$PORT$p");; esac; done < "$work/shop/urls.txt"
: > "$work/curl.cfg"
while read -r p; do printf 'url = "https://bench.test:%s%s"\noutput = "/dev/null"\n' "$PORT" "$p" >> "$work/curl.cfg"; done < "$work/shop/urls.txt"
echo "pages: ${#pages[@]}, distinct urls: $(wc -l < "$work/shop/urls.txt"), bytes: $(du -sb "$work/shop" | cut -f1), concurrency $CONC, latency ${LATENCY_MS} ms, load $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
scan() { # $1: cache dir, $2: report file
  /usr/bin/time -f '%e %M' -o "$work/t" "$BIN" scan --format json --depth 0 --no-progress \
    --concurrency "$CONC" --per-host "$CONC" --ca-cert "$work/ca.pem" \
    --resolve "bench.test:$PORT:127.0.0.1" --cache-dir "$1" "${pages[@]}" > "$2" || true
  tail -1 "$work/t"
}
c_t=(); cold_t=(); warm_t=(); rss=()
for r in $(seq "$RUNS"); do
  /usr/bin/time -f '%e' -o "$work/t" curl -s --no-progress-meter --parallel --parallel-max "$CONC" \
    --cacert "$work/ca.pem" --resolve "bench.test:$PORT:127.0.0.1" -K "$work/curl.cfg"
  c_t+=("$(tail -1 "$work/t")")
  rm -rf "$work/cache"
  read -r t m < <(scan "$work/cache" "$work/cold.json"); cold_t+=("$t"); rss+=("$m")
  read -r t m < <(scan "$work/cache" "$work/warm.json"); warm_t+=("$t"); rss+=("$m")
done
python3 - "$work/cold.json" "$work/warm.json" <<'PY'
import json, sys
cold, warm = (json.load(open(p)) for p in sys.argv[1:3])
for name, r in (("cold", cold), ("warm", warm)):
    print(f"{name} report: {len(r['pages'])} pages, {len(r['scripts'])} script rows, complete={r['complete']}, errors={len(r['errors'])}, findings={len(r['findings'])}")
key = lambda r: json.dumps(r["findings"], sort_keys=True)
print("warm findings identical to cold:", key(cold) == key(warm))
PY
c=$(printf '%s\n' "${c_t[@]}" | median); k=$(printf '%s\n' "${cold_t[@]}" | median); w=$(printf '%s\n' "${warm_t[@]}" | median)
m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "curl: ${c_t[*]} s; cold: ${cold_t[*]} s; warm: ${warm_t[*]} s"
echo "median curl ${c}s, cold ${k}s (x$(python3 -c "print(round($k/$c,2))")), warm ${w}s (x$(python3 -c "print(round($w/$c,2))")), peak RSS $((m/1024)) MB, load after $(cut -d' ' -f1-3 /proc/loadavg)"
