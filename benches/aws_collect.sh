#!/usr/bin/env bash
# Benchmark `cloudcap collect aws` + `cloudcap assess` against moto seeded with N of each main
# resource type (users with one access key, buckets, KMS keys, security groups, volumes).
# Prints figures (not a pass/fail test): wall time, peak RSS, API calls per resource, and moto's
# own per-request latency for scale.
#
# Usage: [RUNS=3] benches/aws_collect.sh [N=200]   (needs .venv with moto[server] and boto3; builds release)
# Seeds once, then collects and assesses RUNS times and prints each run and the medians.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-200}"
work="$(mktemp -d)"
trap 'kill "$(cat "$work/moto/moto.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

cd "$root"
cargo build --release --quiet --bin cloudcap
bin="${CARGO_TARGET_DIR:-$root/target}/release/cloudcap"

echo "seeding moto with $n users/buckets/keys/security groups/volumes ..."
seed_start=$(date +%s)
bash tests/moto/start.sh "$work/moto" --scale "$n" 2>/dev/null
echo "seeding took $(( $(date +%s) - seed_start )) s"
set -a
# shellcheck disable=SC1091
. "$work/moto/moto.env"
set +a

run() { # label, command...: one timed run, its wall seconds and peak RSS kept for the medians
    local label="$1"; shift
    /usr/bin/time -v "$@" 2>"$work/$label.time" >/dev/null || true
    local wall rss secs
    wall=$(grep "Elapsed (wall clock)" "$work/$label.time" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$work/$label.time" | awk '{print $NF}')
    # m:ss.cc or h:mm:ss to seconds
    secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    printf '%-8s wall %s  peak RSS %.1f MiB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)"
    echo "$secs $rss" >>"$work/${label%%-*}.samples"
}

median() { # label: median wall seconds and peak RSS of its runs
    local label="$1" n
    n=$(wc -l <"$work/$label.samples")
    printf '%-8s median of %d: wall %.2f s  peak RSS %.1f MiB\n' "$label" "$n" \
        "$(cut -d' ' -f1 "$work/$label.samples" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
        "$(cut -d' ' -f2 "$work/$label.samples" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1024}')"
}

export AWS_ACCESS_KEY_ID="$CLOUDCAP_MOTO_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$CLOUDCAP_MOTO_SECRET_ACCESS_KEY"
export NO_PROXY=127.0.0.1,localhost
# Collection is read-only: the same seeded emulator serves every run (RUNS, default 3).
runs="${RUNS:-3}"
for i in $(seq 1 "$runs"); do
    rm -rf "$work/bundle"
    run "collect-$i" "$bin" collect aws --out "$work/bundle" --region cn-north-1 --endpoint-url "$CLOUDCAP_MOTO_URL" --max-attempts 2
    run "assess-$i" "$bin" assess "$work/bundle" --out "$work/report.json" --at 2026-11-25T00:00:00Z
done
summary="$(grep '^collected aws account' "$work/collect-$runs.time")"
echo "$summary"
calls="$(echo "$summary" | sed -E 's/.* ([0-9]+) API call\(s\), ([0-9]+) record\(s\).*/\1 \2/')"
read -r n_calls n_records <<<"$calls"
printf 'API calls per resource record: %s / %s = %.2f\n' "$n_calls" "$n_records" "$(echo "$n_calls / $n_records" | bc -l)"
median collect
median assess

python3 - "$work/bundle/manifest.json" <<'PY'
import json, sys, collections
m = json.load(open(sys.argv[1]))
# Identical answers with identical metadata are one manifest entry, so these per-service
# counts are distinct stored answers, a lower bound on the calls counted above.
calls = collections.Counter(e["source"] for e in m["entries"] if e["kind"] == "raw")
records = collections.Counter(e["kind"] for e in m["entries"] if e["kind"] not in ("raw", "collection.status"))
total_calls = sum(calls.values())
total_records = sum(v for k, v in records.items() if k != "region.inventory")
print(f"distinct raw answers stored: {total_calls}; resource records: {total_records}")
per_service = collections.Counter()
for source, count in calls.items():
    per_service[source.split(":")[0]] += count
for kind, count in sorted(records.items()):
    print(f"  {kind:32} {count:6} records")
for service, count in sorted(per_service.items()):
    print(f"  {service:32} {count:6} distinct answers")
errors = [e for e in m["entries"] if e["kind"] == "collection.status"]
print(f"collection.status objects: {len(errors)}")
PY

"$root/.venv/bin/python" - "$CLOUDCAP_MOTO_URL" <<'PY'
import sys, time, urllib.request
url = sys.argv[1] + "/moto-api/data.json"
samples = []
for _ in range(20):
    t = time.perf_counter()
    urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST")).read()
    samples.append((time.perf_counter() - t) * 1000)
samples.sort()
print(f"moto control-request latency p50 {samples[len(samples)//2]:.1f} ms (for scale)")
PY
