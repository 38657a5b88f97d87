#!/usr/bin/env bash
# Stateful mock benchmark (`serve --stateful`): throughput of a save + read loop, with the
# state in memory and in a real redis-server (installed from the distribution's packages
# when missing, on a free loopback port), measured in one run with wrk. Every save sends
# another id and name; every read asks for an id saved just before, so each request does
# the store's work (no answer can be cached). The stateless ratios to bare hyper (--stateful
# off) are ../shared/bench/perf.sh's.
#
#   bash bench/stateful.sh [CORPUS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
SECONDS_EACH=${2:-10}
CONNS=32
command -v wrk > /dev/null || { apt-get update -qq > /dev/null && apt-get install -y -qq wrk > /dev/null; }
command -v redis-server > /dev/null || { apt-get update -qq > /dev/null && apt-get install -y -qq redis-server > /dev/null; }
cargo build --release --quiet --bins
BIN=target/release/mockdown
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  redis-cli -p "$REDIS_PORT" shutdown nosave > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"

# The documented sample of POST /api/v1/Contact, as a template: each save gets its own id
# and name (ids from 1,000,000 up, read back by the request after it).
python3 - "$CORPUS" "$WORK" <<'PY'
import json, re, sys, pathlib
page = next(p for p in pathlib.Path(sys.argv[1]).rglob("*.md")
            if re.search(r"^POST /api/v1/Contact$", p.read_text(), re.M))
text = page.read_text()
body = re.search(r"## Sample request.*?```http!?\n.*?\n\n(.*?)```", text, re.S | re.I).group(1)
sample = json.loads(body)
sample["ContactId"] = 123456789
sample["Name"] = "NAME_PLACEHOLDER"
template = json.dumps(sample)
open(f"{sys.argv[2]}/template.json", "w").write(template)
lua = f"""
template = {json.dumps(template)}
counter = 0
request = function()
  counter = counter + 1
  local id = 1000000 + math.floor((counter + 1) / 2) * 16 + (thread_id or 0)
  if counter % 2 == 1 then
    local body = template:gsub("123456789", tostring(id)):gsub("NAME_PLACEHOLDER", "Contact " .. id)
    return wrk.format("POST", "/api/v1/Contact",
      {{ ["Authorization"] = "Basic dGplMDpUamUw", ["Content-Type"] = "application/json", ["Accept"] = "application/json" }}, body)
  end
  return wrk.format("GET", "/api/v1/Contact/" .. id,
    {{ ["Authorization"] = "Basic dGplMDpUamUw", ["Accept"] = "application/json" }})
end
thread_ids = 0
setup = function(thread)
  thread_ids = thread_ids + 1
  thread:set("thread_id", thread_ids)
end
"""
open(f"{sys.argv[2]}/saveread.lua", "w").write(lua)
PY

# run NAME FLAGS...: serves the corpus statefully with FLAGS, checks one save + read, runs wrk.
run() {
  local name=$1; shift
  local port; port=$(free_port)
  "$BIN" serve "$CORPUS" --port "$port" --stateful --log-level warn --threads 1 "$@" > "$WORK/$name.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  until curl -sf -o /dev/null "http://127.0.0.1:$port/__mockdown/health"; do sleep 0.05; done
  # One round by hand: a save is stored and read back.
  sed 's/123456789/999/; s/NAME_PLACEHOLDER/Contact 999/' "$WORK/template.json" \
    | curl -sf -o /dev/null -H 'Authorization: Basic dGplMDpUamUw' -H 'Content-Type: application/json' \
      --data-binary @- "http://127.0.0.1:$port/api/v1/Contact"
  local stored; stored=$(curl -s -H 'Authorization: Basic dGplMDpUamUw' "http://127.0.0.1:$port/api/v1/Contact/999" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("Name"))')
  [ "$stored" = "Contact 999" ] || { echo "$name: the save was not read back ($stored)"; exit 1; }
  local out; out=$(wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" -s "$WORK/saveread.lua" "http://127.0.0.1:$port")
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  local p50; p50=$(echo "$out" | awk '/Latency/ {print $2}')
  echo "$name: save+read ${rps} requests/s (half saves, half reads), mean latency ${p50}, non-2xx ${non2xx:-0}"
  echo "$rps" > "$WORK/$name.rps"
  kill "$pid"; wait "$pid" 2> /dev/null || true
}
run memory
run redis --state-store "redis://127.0.0.1:$REDIS_PORT/0" --state-namespace "bench-$$"
python3 - "$WORK" <<'PY'
import sys
m = float(open(f"{sys.argv[1]}/memory.rps").read()); r = float(open(f"{sys.argv[1]}/redis.rps").read())
print(f"redis / memory throughput: {r / m:.2f}")
PY
