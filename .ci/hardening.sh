#!/usr/bin/env bash
# The reliability gate (issues 12 and 19): bench/abuse.sh serves the corpus from the release
# build and fails when a target is missed (error answers < 1 MiB, peak RSS under ten invalid
# 1 MiB bodies < idle + 256 MB, RSS after 10,000 journaled requests < 2 x idle, journal
# answers < 8 MiB, slowloris cut at the header timeout, no spin and clients served at the fd
# limit; server CPU < 100 ms per 1 MiB form/XML/JSON body at the field limit, 413 past it, a
# normal GET < 50 ms while such bodies are checked; 1,000 fault=timeout requests held apart
# from the connection limit, normal GETs served < 50 ms meanwhile).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${MOCKDOWN_CORPUS:-../shared/corpus}
if [ ! -d "$CORPUS" ]; then
  echo "no corpus at $CORPUS"
  exit 1
fi
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=${BIN:-$TARGET_DIR/release/mockdown}
[ -x "$BIN" ] || cargo build --release --quiet --bins
BIN=$BIN exec bash bench/abuse.sh "$CORPUS" --gate
