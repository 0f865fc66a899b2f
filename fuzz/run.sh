#!/usr/bin/env bash
# Fuzz every target of this crate under AFL++ for a bounded time; exit 1 if any target crashed.
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default 60 s, every target)
#
# Everything comes from crates.io: cargo-afl, and AFL++ built from the source it bundles
# (`cargo afl config --build`, needs make and a C compiler). Nothing in the repository
# changes: AFL's output goes to a temporary directory (FUZZ_OUT to keep it); a crashing input
# is printed as base64, to be saved under fuzz/crashes/<target>/ and fixed.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET="${1:-60}"
shift || true
AFL_VERSION=0.18.2

if ! cargo afl --version >/dev/null 2>&1; then
  cargo install cargo-afl --locked --version "$AFL_VERSION"
fi
# Build AFL++ once per rustc and afl.rs version (`config --build` refuses to run twice).
rustc_version="$(rustc -V | awk '{print $2}')"
if ! compgen -G "${XDG_DATA_HOME:-$HOME/.local/share}/afl.rs/rustc-$rustc_version-*/afl.rs-$AFL_VERSION/afl/bin/afl-fuzz" >/dev/null; then
  cargo afl config --build
fi
cargo afl build --release --locked

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(page decode js js_grammar baseline config rules csp url)
fi
out="${FUZZ_OUT:-$(mktemp -d)}"
mkdir -p "$out"

# No UI (CI logs), no CPU pinning (other jobs share the cores), no core-dump set-up (needs
# root sysctl), and no "interesting" timeout: the engine's own budget is 10 s per script.
export AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FAST_CAL=1

failed=0
printf '%-11s %8s %10s %8s %8s %8s %7s\n' target seconds execs execs/s corpus crashes hangs
for t in "${targets[@]}"; do
  if [ ! -d "corpus/$t" ]; then
    echo "fuzz/run.sh: no target $t (no corpus/$t)" >&2
    exit 2
  fi
  cargo afl fuzz -V "$SECONDS_PER_TARGET" -t 5000+ -i "corpus/$t" -o "$out/$t" \
    -- target/release/skimscan-fuzz "$t" >"$out/$t.log" 2>&1 || {
      echo "afl-fuzz failed to run target $t:" >&2
      tail -30 "$out/$t.log" >&2
      exit 2
    }
  stats="$out/$t/default/fuzzer_stats"
  stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  printf '%-11s %8s %10s %8s %8s %8s %7s\n' "$t" "$(stat run_time)" "$(stat execs_done)" \
    "$(stat execs_per_sec)" "$(stat corpus_count)" "$(stat saved_crashes)" "$(stat saved_hangs)"
  for crash in "$out/$t/default/crashes"/id:*; do
    [ -e "$crash" ] || continue
    failed=1
    echo "CRASH in target $t: $(basename "$crash") — reproduce with:" >&2
    echo "  base64 -d > crash.bin <<'B64'" >&2
    head -c 65536 "$crash" | base64 >&2
    echo "B64" >&2
    echo "  fuzz/target/release/skimscan-fuzz $t < crash.bin" >&2
  done
done
echo "AFL output: $out"
exit "$failed"
