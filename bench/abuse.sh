#!/usr/bin/env bash
# Reliability figures of the mock under careless and hostile clients (issues 12 and 19):
# largest error answer, peak RSS during ten invalid 1 MiB bodies, RSS after 10,000 journaled
# requests, largest journal answer, slowloris lifetime, service at the descriptor limit; the
# server CPU time of costly form, XML and JSON bodies and a normal request's latency
# meanwhile; 1,000 held fault=timeout requests against the connection limit.
#
#   bash bench/abuse.sh [CORPUS] [--gate]      (BIN=path/to/mockdown to measure another build)
# With --gate it exits 1 when a target is missed (usable as a CI gate).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=../shared/corpus
GATE=()
for arg in "$@"; do
  case "$arg" in
    --gate) GATE=(--gate) ;;
    *) CORPUS=$arg ;;
  esac
done
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bins
  TARGET_DIR=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  BIN=$TARGET_DIR/release/mockdown
fi
exec python3 bench/abuse.py "$BIN" "$CORPUS" "${GATE[@]}"
