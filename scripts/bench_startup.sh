#!/bin/bash
# Start-up and per-file CPU of single-file scans, two binaries alternated in the same run.
#
#   scripts/bench_startup.sh BIN_A BIN_B [ROUNDS] [BENIGN_DIR]
#
# Per round and binary: 20 scans of a one-line script (what every process pays before it
# analyses anything: rule loading, engine set-up, one analysis worker) and one scan of each
# library in BENIGN_DIR (default /work/benign), all `--no-cache --format json`. Prints wall,
# user and sys seconds (children included) per batch; compare medians.
set -euo pipefail
A=$1; B=$2; ROUNDS=${3:-5}; BENIGN=${4:-/work/benign}
TINY=$(mktemp --suffix=.js); trap 'rm -f "$TINY"' EXIT
echo 'var a = document.getElementById("x"); console.log(a.value);' > "$TINY"
TIMEFORMAT='%R %U %S'
batch() { # BIN KIND
  local bin=$1 kind=$2
  if [ "$kind" = tiny ]; then
    { time (for _ in $(seq 20); do "$bin" scan --no-cache --format json "$TINY" >/dev/null 2>&1 || true; done) ; } 2>&1
  else
    { time (for f in "$BENIGN"/*.js; do "$bin" scan --no-cache --format json "$f" >/dev/null 2>&1 || true; done) ; } 2>&1
  fi
}
echo "round binary batch wall user sys"
for r in $(seq "$ROUNDS"); do
  for kind in tiny benign; do
    for bin in "$A" "$B"; do
      echo "$r $(basename "$bin") $kind $(batch "$bin" $kind)"
    done
  done
done
