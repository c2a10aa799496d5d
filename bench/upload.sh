#!/usr/bin/env bash
# Upload 1 GiB to the local emulator's organization bucket two ways, at the
# same parallelism: `aignostics slides upload` (which also scans the slides,
# computes their CRC32C, HEADs each key first, sends 32 MiB parts and checks
# every object's CRC32C after) and `curl -T` on URLs presigned for the same
# bucket with `aignostics storage sign --hmac --method PUT` (one PUT per file,
# no checks). Prints both wall times, throughputs, the ratio (CLI time / curl
# time; target <= 1.1) and the CLI's peak RSS (target < 64 MiB).
# Default: 8 slides of 128 MiB (an Aperio fixture with random bytes appended,
# each its own content), read from /dev/shm when it has room. Every round
# uploads under new keys (fresh prefixes), so nothing is skipped; rounds
# alternate which client goes first.
# Usage: bash bench/upload.sh [PARALLEL] [FILES] [FILE_BYTES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
par=${1:-4}; files=${2:-8}; size=${3:-134217728}; rounds=${4:-4}
out=$PWD/bench/out/upload
rm -rf "$out"; mkdir -p "$out/emu-tmp"
src=${SRC_DIR:-}
if [ -z "$src" ]; then
  src=$out/slides
  if [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2{print $4}')" -gt $((2 * files * size / 1024)) ] 2>/dev/null; then
    src=/dev/shm/aignostics-upload-bench-$$
  fi
fi
mkdir -p "$src"
if ! command -v curl >/dev/null || [ ! -x /usr/bin/time ] || ! command -v python3 >/dev/null; then
  apt-get update -qq && apt-get install -y -qq curl time python3 >/dev/null
fi
go build -o "$out/aignostics" .
bin=$out/aignostics
api=127.0.0.1:18792 storage=127.0.0.1:18793
root=http://$api
# The emulator keeps objects in files under its TMPDIR (on disk, as a bucket would).
TMPDIR=$out/emu-tmp "$bin" emulator --listen "$api" --storage-listen "$storage" >"$out/emulator.out" 2>"$out/emulator.log" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null || true; [ "$src" = "$out/slides" ] || rm -rf "$src"' EXIT
for _ in $(seq 100); do curl -fsS "$root/health" >/dev/null 2>&1 && break; sleep 0.1; done

export AIGNOSTICS_API_ROOT=$root AIGNOSTICS_CACHE_DIR=$out/cache AIGNOSTICS_ENV_FILE=/dev/null
"$bin" platform login --device >/dev/null 2>&1
bucket=$("$bin" -o json platform whoami | python3 -c 'import json,sys; print(json.load(sys.stdin)["organization"]["aignostics_bucket_name"])')

python3 - "$src" "$files" "$size" testdata/slides/aperio.svs <<'PY'
import os, sys
dst, n, size, fixture = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
head = open(fixture, "rb").read()
for i in range(n):
    with open(os.path.join(dst, f"slide-{i}.svs"), "wb") as f:
        f.write(head)
        left = size - len(head)
        while left > 0:
            k = min(left, 8 << 20)
            f.write(os.urandom(k))
            left -= k
PY
total=$((files * size))
echo "bucket $bucket: $files files x $size bytes = $((total / 1048576)) MiB, parallel $par, files in $src"

ms() { echo $(( ($2 - $1) / 1000000 )); }
mibs() { python3 -c "print(f'{$total / 1048576 / ($1 / 1000):.0f}')"; }
printf '%-6s %10s %10s %10s %10s %8s %14s\n' round "cli ms" "curl ms" "cli MiB/s" "curl MiB/s" ratio "cli peak RSS"
run_curl() {
  local t0 t1 f name
  : >"$out/curl.cfg"
  for f in "$src"/*.svs; do
    name=$(basename "$f")
    printf 'url = "%s"\nupload-file = "%s"\noutput = "/dev/null"\n' \
      "$("$bin" storage sign "gs://$bucket/curl-$1/$name" --hmac --method PUT)" "$f" >>"$out/curl.cfg"
  done
  sync
  t0=$(date +%s%N)
  curl -fsS --no-progress-meter --parallel --parallel-max "$par" -K "$out/curl.cfg" 2>"$out/curl.err"
  t1=$(date +%s%N)
  cu=$(ms "$t0" "$t1")
}
run_cli() {
  local t0 t1
  sync
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$out/rss" "$bin" -o jsonl slides upload "$src" --prefix "cli-$1" --parallel "$par" >"$out/cli.jsonl"
  t1=$(date +%s%N)
  cli=$(ms "$t0" "$t1"); rss=$(tail -n1 "$out/rss")
  if [ "$(grep -c '"status":"uploaded"' "$out/cli.jsonl")" -ne "$files" ]; then
    echo "the CLI did not upload every file:" >&2; cat "$out/cli.jsonl" >&2; exit 1
  fi
}
: >"$out/ratios"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then run_curl "$r"; run_cli "$r"; else run_cli "$r"; run_curl "$r"; fi
  ratio=$(python3 -c "print(f'{$cli / $cu:.2f}')")
  echo "$ratio" >>"$out/ratios"
  printf '%-6s %10s %10s %10s %10s %8s %11s KiB\n' "$r" "$cli" "$cu" "$(mibs "$cli")" "$(mibs "$cu")" "$ratio" "$rss"
done
echo "median ratio (cli time / curl time): $(sort -n "$out/ratios" | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
