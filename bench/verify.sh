#!/usr/bin/env bash
# Contract-test benchmark against a local `mockdown serve --stateful` of the same corpus:
# 1. plain `mockdown verify` over the whole corpus (target: < 10 s): every operation's own
#    sample request, so nothing can be cached between operations;
# 2. `mockdown verify --generate 20 --negative --stateful` over the whole corpus (target:
#    < 2 min on two cores): the samples, 20 generated requests per operation (every one
#    different: ids, bodies, boundaries, enum values), the broken ones, and the entity
#    sequences; the requests per second it reaches. The state is cleared before each run.
#
#   bash bench/verify.sh [CORPUS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
RUNS=${2:-3}
PORT=${PORT:-4802}
cargo build --release --quiet --bins
BIN=target/release/mockdown
WORK=$(mktemp -d)
"$BIN" serve "$CORPUS" --port "$PORT" --stateful --log-level warn > "$WORK/serve.log" 2>&1 &
MOCK=$!
trap 'kill $MOCK 2> /dev/null || true; rm -rf "$WORK"' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/__mockdown/health"; do sleep 0.05; done
bench() { # bench LABEL TARGET_MS FLAGS...
  local label=$1 target=$2
  shift 2
  for run in $(seq 1 "$RUNS"); do
    curl -sf -X DELETE "http://127.0.0.1:$PORT/__mockdown/state" > /dev/null
    start=$(date +%s%3N)
    "$BIN" verify --target "http://127.0.0.1:$PORT" "$CORPUS" --junit "$WORK/junit.xml" "$@" \
      > "$WORK/verify.log" 2>&1 || { cat "$WORK/verify.log"; exit 1; }
    end=$(date +%s%3N)
    echo "$label run $run: $(tail -1 "$WORK/verify.log")  wall $((end - start)) ms (target < $target ms)"
  done
}
bench "verify" 10000
bench "verify --generate 20 --negative --stateful" 120000 --generate 20 --negative --stateful
