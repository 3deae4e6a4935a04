#!/usr/bin/env bash
# Times `cloudcap evidence verify` and `cloudcap assess` end to end from disk on a large bundle,
# for the directory layout and for the tar archive (`cloudcap evidence export`).
#
#   benches/million.sh [RECORDS] [RUNS]      (defaults: 1000000 records, 3 runs)
#
# The bundle is written by the evidence crate's `million` example (the sample bundle scaled up
# through BundleWriter: every kind, raw answers, statuses) under target/bench/ and deleted at
# the end unless KEEP=1. Prints, per command and layout, the median wall time of RUNS runs, the
# peak RSS (/usr/bin/time -v) of that run and objects (manifest entries) per second.
# Targets on a 2-core machine at 1,000,000 records: assess <= 10 s and <= 2 GiB, verify <= 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
runs=${2:-3}
work=${BENCH_DIR:-target/bench}
bin=${BIN:-target/release/cloudcap}
# BIN=path/to/cloudcap compares another build (e.g. before a change); then nothing is built.
if [ -z "${BIN:-}" ]; then cargo build -q --release --bin cloudcap; fi
[ -x target/release/examples/million ] || cargo build -q --release -p cloudcap-evidence --example million
mkdir -p "$work"
dir=$work/bundle-$records
tar=$work/bundle-$records.tar
if [ ! -f "$dir/manifest.json" ]; then
  rm -rf "$dir"
  /usr/bin/time -f "generated in %e s" target/release/examples/million "$dir" "$records"
fi
[ -f "$tar" ] || "$bin" evidence export "$dir" --out "$tar" >/dev/null
entries=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$dir/manifest.json")
echo "bundle: $records records, $entries objects, $(du -sh "$dir" | cut -f1) on disk, tar $(du -h "$tar" | cut -f1)"

measure() { # label, command...
  local label=$1; shift
  local rows=()
  for _ in $(seq "$runs"); do
    sync
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || {
      echo "$label: failed"; cat "$work/err.txt"; return 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    rows+=("$wall $rss")
  done
  printf '%s\n' "${rows[@]}" | sort -n | awk -v label="$label" -v n="$entries" -v runs="$runs" '
    { w[NR]=$1; r[NR]=$2 }
    END { m=int((NR+1)/2); printf "%-16s median of %d: %7.2f s  peak RSS %6.0f MiB  %9.0f objects/s\n",
          label, runs, w[m], r[m]/1024, (w[m] > 0 ? n/w[m] : 0) }'
}

measure "verify dir" "$bin" evidence verify "$dir"
measure "verify tar" "$bin" evidence verify "$tar"
measure "assess dir" "$bin" assess "$dir" --at 2026-12-01 --out "$work/report-dir.json"
measure "assess tar" "$bin" assess "$tar" --at 2026-12-01 --out "$work/report-tar.json"
cmp -s "$work/report-dir.json" "$work/report-tar.json" && echo "reports: identical for dir and tar" \
  || { echo "reports differ between dir and tar"; exit 1; }
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$dir" "$tar" "$work"/report-*.json "$work"/time.txt "$work"/err.txt; fi
