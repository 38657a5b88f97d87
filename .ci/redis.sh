#!/usr/bin/env bash
# Issue 13 §3: two `mockdown serve --stateful` replicas sharing state and stubs in a real
# redis-server (installed from the distribution's packages when missing, started on a free
# loopback port): a save on one is read from the other, a stub added on one answers on the
# other; with Redis killed, stateful calls answer 503 while stateless ones and the known
# stubs still answer; with Redis back, state answers again.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${MOCKDOWN_CORPUS:-../shared/corpus}
if ! command -v redis-server > /dev/null; then
  (apt-get install -y -qq redis-server > /dev/null 2>&1) \
    || (apt-get update -qq > /dev/null && apt-get install -y -qq redis-server > /dev/null)
fi
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=${BIN:-$TARGET_DIR/release/mockdown}
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
A=$(free_port)
B=$(free_port)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  redis-cli -p "$REDIS_PORT" shutdown nosave > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server did not start"; cat "$WORK/redis.log"; return 1
}
start_redis
echo "redis-server on 127.0.0.1:$REDIS_PORT"
for port in "$A" "$B"; do
  "$BIN" serve "$CORPUS" --port "$port" --stateful --log-level warn \
    --state-store "redis://127.0.0.1:$REDIS_PORT/0" --state-namespace "ci-$$" \
    > "$WORK/serve-$port.log" 2>&1 &
  pids+=($!)
done
for port in "$A" "$B"; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/__mockdown/health" > /dev/null && break; sleep 0.1; done
done
python3 - "$A" "$B" "$REDIS_PORT" "$WORK/redis.pid" <<'PY'
import json, os, signal, subprocess, sys, time, urllib.request, urllib.error
a, b, redis_port, pidfile = sys.argv[1:5]
AUTH = {"Authorization": "Basic dGplMDpUamUw", "Content-Type": "application/json", "Accept": "application/json"}

def call(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=AUTH)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

failed = []
def check(what, ok, detail=""):
    print(f"   {'ok  ' if ok else 'FAIL'} {what}" + (f" ({detail})" if detail and not ok else ""))
    if not ok:
        failed.append(what)

status, saved = call(a, "POST", "/api/v1/Contact", {"ContactId": 0, "Name": "Saved on A", "Department": "CI"})
cid = saved.get("ContactId") if isinstance(saved, dict) else None
check("save on replica A", status in (200, 201) and isinstance(cid, int) and cid > 0, f"{status} {saved}")
status, read = call(b, "GET", f"/api/v1/Contact/{cid}")
check("read on replica B", status == 200 and read.get("Name") == "Saved on A", f"{status} {read.get('Name') if isinstance(read, dict) else read}")
status, agent = call(b, "POST", f"/api/v1/Agents/Contact/GetContactEntity?contactEntityId={cid}")
check("read on replica B, agent style", status == 200 and agent.get("Name") == "Saved on A", f"{status}")
status, _ = call(a, "POST", "/api/v1/Contact", {"ContactId": 0, "Name": "Second"})
_, second = call(b, "POST", "/api/v1/Contact", {"ContactId": 0, "Name": "Third"})
check("new ids never collide across replicas", second.get("ContactId") not in (cid, None), f"{second.get('ContactId')}")
stub = {"match": {"method": "GET", "path": "/api/v1/Contact/424242"},
        "response": {"status": 200, "body": dict(read, ContactId=424242, Name="From a stub")}}
status, added = call(a, "POST", "/__mockdown/stubs", stub)
check("stub added on replica A", status == 201, f"{status} {added}")
deadline = time.time() + 5
while time.time() < deadline:
    status, stubbed = call(b, "GET", "/api/v1/Contact/424242")
    if stubbed.get("Name") == "From a stub":
        break
    time.sleep(0.1)
check("the stub answers on replica B", stubbed.get("Name") == "From a stub", f"{stubbed.get('Name')}")
# Redis goes away.
pid = int(open(pidfile).read().strip())
os.kill(pid, signal.SIGKILL)
time.sleep(0.5)
status, err = call(b, "GET", f"/api/v1/Contact/{cid}")
check("stateful call without Redis answers 503 in the API's error shape", status == 503 and err.get("ErrorType") == "StateUnavailable", f"{status} {err}")
status, _ = call(b, "GET", "/api/v1/Contact/default")
check("a stateless call still answers", status == 200, f"{status}")
status, stubbed = call(b, "GET", "/api/v1/Contact/424242")
check("the known stub still answers", status == 200 and stubbed.get("Name") == "From a stub", f"{status}")
# Redis comes back (empty: it was started without persistence).
subprocess.run(["redis-server", "--port", redis_port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "yes", "--pidfile", pidfile], check=True, stdout=subprocess.DEVNULL)
deadline = time.time() + 10
status = 0
while time.time() < deadline:
    status, _ = call(b, "GET", f"/api/v1/Contact/{cid}")
    if status == 200:
        break
    time.sleep(0.2)
check("stateful calls recover when Redis is back", status == 200, f"{status}")
sys.exit(1 if failed else 0)
PY
# The Redis store's own unit tests against the same real server (database 1, apart).
echo "redis store unit tests against redis://127.0.0.1:$REDIS_PORT/1"
# The tests are #[ignore]d without a server: run them, and fail if none ran.
MOCKDOWN_TEST_REDIS="redis://127.0.0.1:$REDIS_PORT/1" cargo test --quiet --features redis --lib redis_store -- --include-ignored \
  > "$WORK/redis-unit.log" 2>&1 || { cat "$WORK/redis-unit.log"; exit 1; }
grep -E '^test result|FAILED|panicked' "$WORK/redis-unit.log" | sed 's/^/  /'
ran=$(sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$WORK/redis-unit.log" | awk '{s += $1} END {print s + 0}')
[ "$ran" -ge 1 ] || { echo "  no Redis store test ran"; exit 1; }
