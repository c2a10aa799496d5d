#!/usr/bin/env bash
# Compare aignostics with a hello-world Go binary (startup) and with curl on
# the same local emulator (one authenticated API call, listing 10,000 runs);
# times, ratios and peak RSS. Both Go binaries are built the same way, static
# (CGO_ENABLED=0, the shipped form; set CGO_ENABLED=1 to compare dynamic builds).
# Usage: bash bench/compare.sh [REPEAT]   (installs curl and GNU time if missing)
#        BIN=/path/to/aignostics bash bench/compare.sh   (time that binary instead)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-20}; first=$repeat
out=bench/out
mkdir -p "$out"
if ! command -v curl >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq curl time >/dev/null
fi
export CGO_ENABLED=${CGO_ENABLED:-0}
if [ -n "${BIN:-}" ]; then
  bin=$(realpath "$BIN") # a binary built elsewhere, e.g. of an older commit
else
  go build -o "$out/aignostics" .
  bin=$PWD/$out/aignostics
fi
hellosrc=$(mktemp -d) # outside the module, so ./... never sees it
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$hellosrc/main.go"
printf 'module hello\n' >"$hellosrc/go.mod"
(cd "$hellosrc" && go build -o "$OLDPWD/$out/hello-world" .)
rm -rf "$hellosrc"
hello=$PWD/$out/hello-world
# The floor of any start: a binary that links everything aignostics links
# (the internal/cli package and all below it, so every package's init runs)
# and exits in main. The runtime and package initialisation of a binary this
# size cost this much before any work of ours.
mkdir -p "$out/_floor" # "_": never part of ./...
# (cli.Main stays reachable, so the linker keeps all the code a run may use.)
cat >"$out/_floor/main.go" <<'EOF'
package main

import (
	"context"
	"os"

	"github.com/aignostics/aignostics/internal/cli"
)

func main() {
	if len(os.Args) > 1<<20 {
		cli.Main(context.Background(), os.Args[1:], cli.Env{})
	}
}
EOF
go build -o "$out/floor" "./$out/_floor"
floor=$PWD/$out/floor
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

# pair "CMD A" "CMD B": runs A and B alternately $repeat times each and
# prints the median wall milliseconds of each ("a b"). Alternating and the
# median keep other load on the machine from favouring either side.
pair() {
  local i t0 t1 ta=() tb=()
  for ((i = 0; i < repeat; i++)); do
    t0=$EPOCHREALTIME; eval "$1" >/dev/null 2>&1; t1=$EPOCHREALTIME; ta+=("$t0 $t1")
    t0=$EPOCHREALTIME; eval "$2" >/dev/null 2>&1; t1=$EPOCHREALTIME; tb+=("$t0 $t1")
  done
  echo "$(median "${ta[@]}") $(median "${tb[@]}")"
}
median() {
  printf '%s\n' "$@" | awk '{ print ($2 - $1) * 1000 }' | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
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

printf '%-28s %12s %12s %8s %14s %14s\n' task "aignostics" "other" ratio "rss aignostics" "rss other"
row() {
  local name=$1 a=$2 c=$3 ra=$4 rc=$5
  printf '%-28s %10sms %10sms %8s %12sKiB %12sKiB\n' "$name" "$a" "$c" "$(awk -v a="$a" -v c="$c" 'BEGIN{ if (c == 0) c = 1; printf "%.2f", a / c }')" "$ra" "$rc"
}
# prow NAME "CMD A" "CMD B": a row from pair, with the peak RSS of one run each.
prow() {
  local t
  read -r -a t <<<"$(pair "$2" "$3")"
  row "$1" "${t[0]}" "${t[1]}" "$(eval rss "$2")" "$(eval rss "$3")"
}
auth="-H 'Authorization: Bearer $token'"
prow "startup (--version) v hello" "'$bin' --version" "'$hello'"
prow "floor (links all, exits) v hello" "'$floor'" "'$hello'"
prow "startup (version) v hello" "'$bin' version -o json" "'$hello'"
prow "startup (--version) v curl" "'$bin' --version" "curl --version"
prow "one API call v curl" "'$bin' applications list -o json" "curl -fsS $auth '$root/api/v1/applications'"
repeat=3
prow "list 10,000 runs v curl" "'$bin' runs list -o jsonl --page-size 100" "bash -c curl_list_all"
echo "(medians of $first runs each, alternating, except the list: 3; curl lists page by page in a shell loop; CGO_ENABLED=$CGO_ENABLED)"
