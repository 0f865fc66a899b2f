#!/usr/bin/env python3
"""Compare the analysis time of two engine_probe builds, file by file, alternating.

usage: bench_engine_probe.py ROUNDS BEFORE_BIN AFTER_BIN DIR

Each round runs every *.js file of DIR with BEFORE_BIN then AFTER_BIN; the probe's JSON
carries the analysis time (`ms`). Prints the sum of each build's per-file minimum and the
files whose minimum differs by more than 10 % (and 50 ms)."""
import glob, json, subprocess, sys

rounds, before, after, d = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
files = sorted(glob.glob(d + '/*.js'))
best = {before: {}, after: {}}
for _ in range(rounds):
    for f in files:
        for b in (before, after):
            out = subprocess.run([b, f], capture_output=True, text=True).stdout
            ms = json.loads(out)['ms']
            best[b][f] = min(best[b].get(f, ms), ms)
for b in (before, after):
    print(b, 'sum of per-file minimum ms', sum(best[b].values()))
for f in files:
    x, y = best[before][f], best[after][f]
    if abs(y - x) > 0.1 * max(x, 1) and max(x, y) > 50:
        print('  ', f.split('/')[-1], x, y)
