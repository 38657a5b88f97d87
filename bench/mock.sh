#!/usr/bin/env bash
# Mock server benchmark: throughput and latency of `mockdown serve` on the whole corpus
# against a bare hyper server returning a fixed 6 KB body, measured in the same run with
# wrk; start-up time to the first answered request; resident memory after the load and
# after every operation of the corpus has been called.
# Every request varies what real clients vary: the id in the path, the body's fields.
#
#   bash bench/mock.sh [CORPUS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
SECONDS_EACH=${2:-10}
CONNS=32
THREADS=1   # server worker threads; wrk gets the other core
command -v wrk > /dev/null || { apt-get update -qq > /dev/null && apt-get install -y -qq wrk > /dev/null; }
cargo build --release --quiet --bins --examples
BIN=target/release/mockdown
WORK=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# --- start-up: process start to first answered request, whole corpus compiled in memory
now_ms() { date +%s%3N; }
t0=$(now_ms)
"$BIN" serve "$CORPUS" --port 4801 --log-level warn --threads "$THREADS" > "$WORK/serve.log" 2>&1 &
pids+=($!); MOCK=$!
until curl -sf -o /dev/null -H 'Authorization: Basic dGplMDpUamUw' \
  'http://127.0.0.1:4801/api/v1/Contact/1'; do sleep 0.005; done
startup=$(( $(now_ms) - t0 ))

target/release/examples/bare_hyper 127.0.0.1:4800 "$THREADS" > /dev/null &
pids+=($!)
sleep 0.5

# --- request variation: ids and bodies differ per request
cat > "$WORK/get.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/Contact/" .. ((counter * 7919) % 1000000 + 1),
    { ["Authorization"] = "Basic dGplMDpUamUw", ["Accept"] = "application/json" })
end
LUA
python3 - "$CORPUS" "$WORK" <<'PY'
import json, re, sys
page = open(f"{sys.argv[1]}/agent/Contact_Agent/v1ContactAgent_SaveContactEntity.md").read()
body = re.search(r"```http!\n.*?\n\n(.*?)```", page, re.S).group(1)
sample = json.loads(body)
variants = []
for i in range(64):
    v = dict(sample)
    v["ContactId"] = 1000 + i
    v["Name"] = f"Contact number {i}"
    v["Department"] = ["Sales", "Support", "R&D", ""][i % 4]
    variants.append(json.dumps(v))
lua = ["bodies = {"] + ["  %s," % json.dumps(v) for v in variants] + ["}", """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/Agents/Contact/SaveContactEntity",
    { ["Authorization"] = "Basic dGplMDpUamUw", ["Content-Type"] = "application/json; charset=utf-8",
      ["Accept"] = "application/json" }, bodies[(counter % #bodies) + 1])
end
"""]
open(f"{sys.argv[2]}/post.lua", "w").write("\n".join(lua))
PY

run() { # run KEY LABEL PORT SCRIPT
  wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" --latency -s "$4" "http://127.0.0.1:$3" > "$WORK/$1.txt"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/$1.txt")
  errors=$(grep -E 'Non-2xx|Socket errors' "$WORK/$1.txt" || true)
  printf '%-34s %10s req/s   p99 %8s %s\n' "$2" "$rps" "$p99" "$errors"
  echo "$rps" > "$WORK/$1.rps"
}
echo "wrk: 1 thread, $CONNS connections, ${SECONDS_EACH}s each; servers on $THREADS worker thread(s)"
run bare_get "bare hyper GET (6 KB)" 4800 "$WORK/get.lua"
run mock_get "mock GET /api/v1/Contact/{id}" 4801 "$WORK/get.lua"
run bare_post "bare hyper POST (6 KB)" 4800 "$WORK/post.lua"
run mock_post "mock POST SaveContactEntity" 4801 "$WORK/post.lua"
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$MOCK/status")
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$MOCK/status")

ratio() { python3 -c "print(f'{100*float(open(\"$WORK/$1.rps\").read())/float(open(\"$WORK/$2.rps\").read()):.0f} %')"; }
echo
echo "GET  mock / bare: $(ratio mock_get bare_get)   (target >= 50 %)"
echo "POST mock / bare: $(ratio mock_post bare_post)   (target >= 33 %)"
echo "start-up to first answered request: ${startup} ms   (target < 500 ms)"
echo "mock RSS after load: $((rss_kb / 1024)) MB (peak $((hwm_kb / 1024)) MB)   (target < 100 MB)"

# --- memory once every operation has been called: every documented sample and one mutated
# body per operation; prepared operations stay within --prepared-ops (default 128)
target/release/mockdown gate replay "http://127.0.0.1:4801" "$CORPUS" > "$WORK/replay.txt"
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$MOCK/status")
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$MOCK/status")
prepared=$(curl -s http://127.0.0.1:4801/__mockdown/health | python3 -c 'import json,sys; print(json.load(sys.stdin)["preparedOperations"])')
echo "mock RSS after every operation was called: $((rss_kb / 1024)) MB (peak $((hwm_kb / 1024)) MB; $prepared operations held prepared)   (target < 100 MB)"
