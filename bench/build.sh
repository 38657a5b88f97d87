#!/usr/bin/env bash
# Build benchmark: `mockdown build` of the seed pages (docs/) and of the full corpus (parse
# every page, build the contract: named types, schemas, the samples' self-check; write the
# bundle), timed by hyperfine over repeated runs, with the peak memory of one run.
#
#   bash bench/build.sh [CORPUS]      (BIN: the release build; default target/release/mockdown)
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-${MOCKDOWN_CORPUS:-../shared/corpus}}
BIN=${BIN:-target/release/mockdown}
[ -x "$BIN" ] || cargo build --release --quiet --bins
command -v hyperfine > /dev/null || { sudo apt-get install -y -qq hyperfine > /dev/null 2>&1 || apt-get install -y -qq hyperfine > /dev/null; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
hyperfine --warmup 1 --runs 10 -N "$BIN build docs --out $WORK/seeds -q"
if [ -d "$CORPUS" ]; then
  hyperfine --warmup 1 --runs 5 -N "$BIN build $CORPUS --out $WORK/corpus -q"
  /usr/bin/time -f "   full corpus: %e s wall, %U s user, %M KiB peak" \
    "$BIN" build "$CORPUS" --out "$WORK/corpus" -q > /dev/null
else
  echo "no corpus at $CORPUS: only the seed pages were measured"
fi
