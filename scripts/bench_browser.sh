#!/usr/bin/env bash
# The browser-pass benchmark of BENCHMARKS.md: 20 pages of the generated bench shop (each with a
# card form, so every visit types the canary and presses pay) served on loopback, scanned with
# --browser per profile. Prints seconds per page per profile (median, p95, from the report's
# browser[].millis), the wall time of the scan, and the peak RSS of skimscan plus every
# Chromium process (sampled every 100 ms over the whole process tree), where a visit's time
# goes (median milliseconds per phase, from the visits' debug log: load, settle, fields,
# typing, late fields, pay, wait after pay) and the load average before and after (the
# machine is shared: numbers mean little without it). Run from the repository root; CONC,
# WAIT, PROFILES, PORT override the defaults.
set -euo pipefail
CONC=${CONC:-4}
WAIT=${WAIT:-0}
PROFILES=${PROFILES:-desktop}
PORT=${PORT:-18090}
work=$(mktemp -d)
srv=; trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT
python3 scripts/gen_bench_shop.py "$work/shop" --pages 20 --scripts 5 --size 20000 --card-form
# BUILD=debug measures a debug build (the browser's time dominates either way).
BUILD=${BUILD:-release}
flag=(); [ "$BUILD" = release ] && flag=(--release)
[ -n "${SKIP_BUILD:-}" ] || cargo build "${flag[@]}" --quiet --bin skimscan
# A plain threaded file server: the browser's time dominates, not the server's.
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$work/shop" >/dev/null 2>&1 & srv=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/p/0.html" && break; sleep 0.1; done
pages=()
while read -r p; do case $p in /p/*) pages+=("http://bench.test:$PORT$p");; esac; done < "$work/shop/urls.txt"
profile_args=()
for p in $PROFILES; do profile_args+=(--profile "$p"); done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s.%N)
SKIMSCAN_LOG=skimscan::browser::visit=debug,skimscan::browser::pass=debug ./target/$BUILD/skimscan scan --format json --depth 0 --browser --browser-wait "$WAIT" \
  "${profile_args[@]}" --concurrency "$CONC" --per-host 8 --resolve "bench.test:$PORT:127.0.0.1" \
  "${pages[@]}" > "$work/report.json" 2> "$work/log.txt" & scan=$!
peak=0
while kill -0 "$scan" 2>/dev/null; do
  # RSS of skimscan and all its descendants (Chromium's browser, renderer, GPU and utility
  # processes), summed.
  kb=$(ps -eo pid=,ppid=,rss= | awk -v root="$scan" '
    { parent[$1] = $2; rss[$1] = $3 }
    END { for (p in rss) { q = p; while (q != "" && q != 0 && q != root) q = parent[q]; if (q == root) s += rss[p] } print s + 0 }')
  [ "$kb" -gt "$peak" ] && peak=$kb
  sleep 0.1
done
wait "$scan" || true
end=$(date +%s.%N)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average (1, 5, 15 min): before $load_before, after $load_after"
python3 - "$work/report.json" "$start" "$end" "$peak" "$CONC" "$WAIT" "$work/log.txt" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
phases = {}
for line in open(sys.argv[7], errors="replace"):
    if "visit phases" in line:
        part = line.split("phases=", 1)[-1]
    elif "visit overhead:" in line:
        part = line.split("visit overhead:", 1)[-1]
    else:
        continue
    for name, ms in re.findall(r"([a-z][a-z ]*?)=(\d+)", part):
        phases.setdefault(name.strip(), []).append(int(ms))
start, end, peak, conc, wait = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
v = r.get("browser", [])
by = {}
for x in v:
    by.setdefault(x["profile"], []).append(x["millis"] / 1000)
print(f"pages {len(r['pages'])}, visits {len(v)}, complete={r['complete']}, errors={len(r['errors'])}, "
      f"typed in every visit: {all(len(x['fields_typed']) >= 3 and x['pressed_pay'] for x in v)}")
for prof, t in sorted(by.items()):
    t.sort()
    med = t[(len(t) - 1) // 2]
    p95 = t[min(len(t) - 1, int(round(0.95 * (len(t) - 1))))]
    print(f"profile {prof}: {len(t)} visits, per page median {med:.2f} s, p95 {p95:.2f} s")
print(f"wall time {end - start:.1f} s for {len(v)} visits at concurrency {conc}, browser-wait {wait} s "
      f"({(end - start) / max(1, len(v)):.2f} s per visit in wall time); peak RSS skimscan + Chromium {peak // 1024} MB")
if phases:
    med = lambda t: sorted(t)[(len(t) - 1) // 2]
    print("median ms per phase: " + ", ".join(f"{k} {med(v)}" for k, v in phases.items()))
for e in r["errors"][:5]:
    print("error:", e)
PY
