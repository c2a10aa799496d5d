#!/usr/bin/env bash
# Download >= 1 GiB from the local emulator two ways, at the same parallelism:
# `aignostics runs download` (which also verifies every CRC32C) and curl on the
# same signed URLs (the 307 targets of each artifact's /file). Prints both wall
# times, throughputs, the ratio (CLI throughput / curl throughput; target >= 0.9)
# and the CLI's peak RSS (target < 64 MiB).
# Default: 22 test-app items x 3 outputs = 66 artifacts of 16 MiB = 1056 MiB.
# Files are written to DL_DIR (default /dev/shm when it has room, so the disk
# does not dominate); rounds alternate which client goes first.
# Usage: bash bench/download.sh [PARALLEL] [ITEMS] [ARTIFACT_BYTES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
par=${1:-4}; items=${2:-22}; size=${3:-16777216}; rounds=${4:-4}
out=$PWD/bench/out/download
rm -rf "$out"; mkdir -p "$out"
dl=${DL_DIR:-}
if [ -z "$dl" ]; then
  dl=$out
  if [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2{print $4}')" -gt $((3 * items * 3 * size / 1024)) ] 2>/dev/null; then
    dl=/dev/shm/aignostics-bench-$$
  fi
fi
mkdir -p "$dl"
if ! command -v curl >/dev/null || [ ! -x /usr/bin/time ] || ! command -v python3 >/dev/null; then
  apt-get update -qq && apt-get install -y -qq curl time python3 >/dev/null
fi
go build -o "$out/aignostics" .
bin=$out/aignostics
api=127.0.0.1:18790 storage=127.0.0.1:18791
root=http://$api
"$bin" emulator --listen "$api" --storage-listen "$storage" --speed 1000 --artifact-size "$size" >"$out/emulator.out" 2>"$out/emulator.log" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null || true; [ "$dl" = "$out" ] || rm -rf "$dl"' EXIT
for _ in $(seq 100); do curl -fsS "$root/health" >/dev/null 2>&1 && break; sleep 0.1; done

export AIGNOSTICS_API_ROOT=$root AIGNOSTICS_CACHE_DIR=$out/cache AIGNOSTICS_ENV_FILE=/dev/null
"$bin" platform login --device >/dev/null 2>&1
token=$("$bin" platform token)

python3 - "$items" >"$out/items.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"external_id": f"slide-{i:03d}", "input_artifacts": [{
        "name": "whole_slide_image", "download_url": f"https://example.com/slide-{i}.tiff",
        "metadata": {"checksum_base64_crc32c": "AAAAAA==", "width_px": 1000, "height_px": 1000,
                     "resolution_mpp": 0.25, "media_type": "image/tiff"}}]}))
PY
run=$("$bin" runs create test-app --items "$out/items.jsonl")
"$bin" runs watch "$run" --interval 1s >/dev/null 2>&1 || true
"$bin" -o jsonl runs results "$run" >"$out/results.jsonl"
python3 - "$out/results.jsonl" >"$out/artifact_ids" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    for a in json.loads(line).get("output_artifacts", []):
        if a.get("output") == "AVAILABLE":
            print(a["output_artifact_id"])
PY
n=$(wc -l <"$out/artifact_ids")
: >"$out/curl.cfg"
i=0
while read -r id; do
  loc=$(curl -fsS -o /dev/null -w '%{redirect_url}' -H "Authorization: Bearer $token" "$root/api/v1/runs/$run/artifacts/$id/file")
  i=$((i + 1))
  printf 'url = "%s"\noutput = "%s/curl/%d.bin"\n' "$loc" "$dl" "$i" >>"$out/curl.cfg"
done <"$out/artifact_ids"
total=$((n * size))
echo "run $run: $n artifacts x $size bytes = $((total / 1048576)) MiB, parallel $par, files in $dl"

ms() { echo $(( ($2 - $1) / 1000000 )); }
mibs() { python3 -c "print(f'{$total / 1048576 / ($1 / 1000):.0f}')"; }
printf '%-6s %10s %10s %10s %10s %8s %14s\n' round "cli ms" "curl ms" "cli MiB/s" "curl MiB/s" ratio "cli peak RSS"
run_curl() {
  local t0 t1
  rm -rf "$dl/curl"; mkdir -p "$dl/curl"; sync
  t0=$(date +%s%N)
  curl -fsS --no-progress-meter --parallel --parallel-max "$par" -K "$out/curl.cfg" 2>"$out/curl.err"
  t1=$(date +%s%N)
  cu=$(ms "$t0" "$t1")
}
run_cli() {
  local t0 t1
  rm -rf "$dl/cli"; sync
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$out/rss" "$bin" -o json runs download "$run" "$dl/cli" --parallel "$par" >"$out/cli-summary.json"
  t1=$(date +%s%N)
  cli=$(ms "$t0" "$t1"); rss=$(tail -n1 "$out/rss")
}
: >"$out/ratios"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then run_curl; run_cli; else run_cli; run_curl; fi
  ratio=$(python3 -c "print(f'{$cu / $cli:.2f}')")
  echo "$ratio" >>"$out/ratios"
  printf '%-6s %10s %10s %10s %10s %8s %11s KiB\n' "$r" "$cli" "$cu" "$(mibs "$cli")" "$(mibs "$cu")" "$ratio" "$rss"
done
echo "median ratio (cli throughput / curl throughput): $(sort -n "$out/ratios" | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
python3 - "$out/cli-summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"cli summary: downloaded {s['downloaded']}, skipped {s['skipped']}, failed {s['failed']}, "
      f"verified {sum(1 for f in s['files'] if f['verified'])}, bytes {s['bytes']}")
PY
