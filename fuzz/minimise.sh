#!/usr/bin/env bash
# Fold what a fuzzing run found back into the committed corpus, minimised:
#
#   FUZZ_OUT=/tmp/afl bash fuzz/run.sh 600 js      # fuzz, keeping AFL's output
#   bash fuzz/minimise.sh /tmp/afl js              # corpus/js := cmin(corpus/js + queue)
#
# afl-cmin keeps the smallest set of inputs with the same coverage. Seed files keep their
# names; new ones are named by content hash (AFL's names hold colons and timestamps).
set -euo pipefail
cd "$(dirname "$0")"
out="$1"
shift
for t in "$@"; do
  work="$(mktemp -d)"
  mkdir -p "$work/in" "$work/min"
  cp "corpus/$t"/* "$work/in/"
  for f in "$out/$t/default/queue"/id:*; do
    [ -f "$f" ] || continue
    case "$f" in *orig:*) continue ;; esac # the seeds themselves, already copied
    cp "$f" "$work/in/afl-$(sha256sum "$f" | cut -c1-12)"
  done
  AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 cargo afl cmin -i "$work/in" -o "$work/min" \
    -- target/release/skimscan-fuzz "$t" >/dev/null
  rm -f "corpus/$t"/*
  cp "$work/min"/* "corpus/$t/"
  echo "$t: $(ls "corpus/$t" | wc -l) files, $(du -sb "corpus/$t" | cut -f1) bytes"
  rm -rf "$work"
done
