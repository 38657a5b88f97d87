#!/usr/bin/env bash
# Issue 12's reliability gate: bench/abuse.sh serves the corpus from the release build and
# fails when a target is missed (error answers < 1 MiB, peak RSS under ten invalid 1 MiB
# bodies < idle + 256 MB, RSS after 10,000 journaled requests < 2 x idle, journal answers
# < 8 MiB, slowloris cut at the header timeout, no spin and clients served at the fd limit).
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
