#!/usr/bin/env bash
# Hot-reload benchmark (`serve --watch`): on a copy of the corpus, time from the last write
# of a page to the moment the mock answers with the new build, over several changes that
# differ each time (a new operation at a new path, then an existing page edited), while
# a client keeps calling. Prints each time, the median and the worst, and the server's own
# rebuild time (its "pages reloaded" log lines).
#
#   bash bench/reload.sh [CORPUS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
ROUNDS=${2:-5}
PORT=${PORT:-4811}
cargo build --release --quiet --bins
BIN=target/release/mockdown
WORK=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
cp -r "$CORPUS" "$WORK/pages"
AUTH='Authorization: Basic dGplMDpUamUw'
"$BIN" serve "$WORK/pages" --watch --port "$PORT" --log-level info > "$WORK/serve.log" 2>&1 &
pids+=($!)
until curl -sf -o /dev/null -H "$AUTH" "http://127.0.0.1:$PORT/__mockdown/health"; do sleep 0.05; done
# A client calling all along (varied ids), as a developer's app would.
( i=0; while true; do i=$((i + 1)); curl -s -o /dev/null -H "$AUTH" "http://127.0.0.1:$PORT/api/v1/Contact/$i" || true; done ) &
pids+=($!)

now_ms() { date +%s%3N; }
# wait_for URL METHOD STATUS: polls until the mock answers STATUS; prints the ms waited.
wait_for() {
  local start=$1 url=$2 method=$3 status=$4
  while true; do
    got=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H "$AUTH" "$url")
    [ "$got" = "$status" ] && break
    [ $(( $(now_ms) - start )) -gt 20000 ] && { echo "timed out waiting for $status from $url" >&2; exit 1; }
    sleep 0.005
  done
  echo $(( $(now_ms) - start ))
}

times=()
template=$(grep -rlx 'GET /api/v1/Contact/{id}' "$WORK/pages" | head -1)
for round in $(seq 1 "$ROUNDS"); do
  # A new operation at a new path: a page that did not exist.
  name="Probe${round}x$RANDOM"
  sed "s#/api/v1/Contact/{id}#/api/v1/$name/{id}#g; s#v1ContactEntity_GetContactEntity#v1${name}_Get#g" \
    "$template" > "$WORK/pages.tmp.md"
  start=$(now_ms)
  mv "$WORK/pages.tmp.md" "$WORK/pages/rest/v1${name}_Get.md"
  ms=$(wait_for "$start" "http://127.0.0.1:$PORT/api/v1/$name/7" GET 200)
  times+=("$ms"); echo "round $round: new page answered ${ms} ms after the write"
  # The same page removed: its route answers 404.
  start=$(now_ms)
  rm "$WORK/pages/rest/v1${name}_Get.md"
  ms=$(wait_for "$start" "http://127.0.0.1:$PORT/api/v1/$name/7" GET 404)
  times+=("$ms"); echo "round $round: removed page gone ${ms} ms after the delete"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
worst=$(echo "$sorted" | tail -1)
echo "reload after the last write: median ${median} ms, worst ${worst} ms over ${#times[@]} changes (target < 1000 ms)"
grep 'pages reloaded' "$WORK/serve.log" | grep -o 'ms=[0-9]*' | tr '\n' ' ' | sed 's/^/server rebuild times: /'; echo
