#!/usr/bin/env bash
# Contract-test benchmark: wall time of `mockdown verify` over the whole corpus against a
# local `mockdown serve` of the same corpus (target: < 10 s). Every run sends every
# operation's own sample request, so nothing can be cached between operations.
#
#   bash bench/verify.sh [CORPUS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
RUNS=${2:-3}
cargo build --release --quiet --bins
BIN=target/release/mockdown
WORK=$(mktemp -d)
"$BIN" serve "$CORPUS" --port 4802 --log-level warn > "$WORK/serve.log" 2>&1 &
MOCK=$!
trap 'kill $MOCK 2> /dev/null || true; rm -rf "$WORK"' EXIT
until curl -sf -o /dev/null http://127.0.0.1:4802/__mockdown/health; do sleep 0.05; done
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s%3N)
  "$BIN" verify --target http://127.0.0.1:4802 "$CORPUS" --junit "$WORK/junit.xml" > "$WORK/verify.log" 2>&1 \
    || { cat "$WORK/verify.log"; exit 1; }
  end=$(date +%s%3N)
  echo "run $run: $(tail -1 "$WORK/verify.log")  wall $((end - start)) ms (target < 10000 ms)"
done
