#!/usr/bin/env bash
# The module-graph benchmark of BENCHMARKS.md: a generated dist/ whose checkout loads N
# modules (~8 KB each) either as one import chain fanning out (each module imports the next
# two) or as N classic <script src> tags, same files, same bytes. The difference is what
# following the module graph costs (one extra oxc parse per module, the walk, the loads).
# Run from the repository root. BIN defaults to the release binary.
set -euo pipefail
N=${N:-200}
RUNS=${RUNS:-5}
BIN=${BIN:-./target/release/skimscan}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$N" <<'EOF'
import os, sys
work, n = sys.argv[1], int(sys.argv[2])
body = "export function f%d(v){return String(v).replace(/\\s+/g,'').slice(0,%d);}\n" + \
       "const table%d = [" + ",".join("'item-%d'" % i for i in range(600)) + "];\n"
for mode in ("modules", "classic"):
    d = os.path.join(work, mode)
    os.makedirs(os.path.join(d, "assets"))
    for i in range(n):
        imports = ""
        if mode == "modules":
            imports = "".join("import './m%d.js';\n" % j for j in (2 * i + 1, 2 * i + 2) if j < n)
        code = imports + body % (i, i + 4, i)
        if mode == "classic":
            code = code.replace("export ", "")
        open(os.path.join(d, "assets", "m%d.js" % i), "w").write(code)
    if mode == "modules":
        tags = '<script type="module" src="/assets/m0.js"></script>'
    else:
        tags = "".join('<script src="/assets/m%d.js"></script>\n' % i for i in range(n))
    open(os.path.join(d, "index.html"), "w").write(
        '<!doctype html><title>Checkout</title><form><input autocomplete="cc-number" name="n"></form>' + tags)
EOF
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for mode in classic modules; do
  times=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e' -o "$work/t" "$BIN" scan --format json --no-progress "$work/$mode" > "$work/r.json" || true
    times+=("$(tail -1 "$work/t")")
  done
  rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["scripts"]))' "$work/r.json")
  echo "$mode: $rows script rows, median $(printf '%s\n' "${times[@]}" | median) s over $RUNS runs"
done
