#!/usr/bin/env bash
# Compare aignostics with curl on the same local emulator: startup, one
# authenticated API call, and listing 10,000 runs; times, ratios and peak RSS.
# Usage: bash bench/compare.sh [REPEAT]   (installs curl and GNU time if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-20}; first=$repeat
out=bench/out
mkdir -p "$out"
if ! command -v curl >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq curl time >/dev/null
fi
go build -o "$out/aignostics" .
bin=$PWD/$out/aignostics
api=127.0.0.1:18780 storage=127.0.0.1:18781
root=http://$api
"$bin" emulator --listen "$api" --storage-listen "$storage" --speed 1000 --seed-runs 10000 >"$out/emulator.out" 2>"$out/emulator.log" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fsS "$root/health" >/dev/null 2>&1 && break; sleep 0.1; done

export AIGNOSTICS_API_ROOT=$root AIGNOSTICS_CACHE_DIR=$PWD/$out/cache AIGNOSTICS_ENV_FILE=/dev/null
rm -rf "$AIGNOSTICS_CACHE_DIR"
"$bin" platform login --device >/dev/null 2>&1
token=$("$bin" platform token)

# ms NAME CMD...: mean wall milliseconds over $repeat runs.
ms() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$repeat"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(( (end - start) / repeat / 1000000 ))
}
# rss CMD...: peak RSS in KiB of one run.
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n1; }

curl_list_all() {
  local page=1 n
  while :; do
    n=$(curl -fsS -H "Authorization: Bearer $token" "$root/api/v1/runs?page=$page&page_size=100" | grep -o '"run_id"' | wc -l)
    [ "$n" -lt 100 ] && break
    page=$((page + 1))
  done
}
export -f curl_list_all
export token root

printf '%-28s %12s %12s %8s %14s %14s\n' task "aignostics" "curl" ratio "rss aignostics" "rss curl"
row() {
  local name=$1 a=$2 c=$3 ra=$4 rc=$5
  printf '%-28s %10sms %10sms %8s %12sKiB %12sKiB\n' "$name" "$a" "$c" "$(awk -v a="$a" -v c="$c" 'BEGIN{ if (c == 0) c = 1; printf "%.2f", a / c }')" "$ra" "$rc"
}
row "startup (--version)" "$(ms "$bin" --version)" "$(ms curl --version)" "$(rss "$bin" --version)" "$(rss curl --version)"
row "one API call" "$(ms "$bin" applications list -o json)" "$(ms curl -fsS -H "Authorization: Bearer $token" "$root/api/v1/applications")" \
  "$(rss "$bin" applications list -o json)" "$(rss curl -fsS -H "Authorization: Bearer $token" "$root/api/v1/applications")"
repeat=3
row "list 10,000 runs" "$(ms "$bin" runs list -o jsonl --page-size 100)" "$(ms bash -c curl_list_all)" \
  "$(rss "$bin" runs list -o jsonl --page-size 100)" "$(rss bash -c curl_list_all)"
echo "(mean of $first runs for the first two rows, 3 for the list; curl lists page by page in a shell loop)"
