#!/usr/bin/env bash
# Newcomer speed: the README's two set-up commands on a clean clone with an empty target dir,
# measured in CPU seconds (user + system, GNU time), which do not depend on how busy the box
# is. Each figure is taken RUNS times (default 3), each time from a new empty target dir.
#   serve: `cargo run --profile quick -- serve` until the mock answers its first request
#          (then Ctrl-C, as a newcomer would);
#   test:  `cargo test`.
# Usage: bash bench/newcomer.sh [serve|test|both] [RUNS]   (from the checkout; clones HEAD)
set -euo pipefail
what=${1:-both}; runs=${2:-3}
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"
cd "$work/clone"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cpu() {  # CPU seconds and wall clock from a GNU time -v report
  awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Elapsed/ {w=$2} END {printf "%.0f s CPU (%.0f user + %.0f sys), %s wall", u+s, u, s, w}' "$1"
}

serve_once() {
  local target=$work/target-serve-$1 report=$work/serve-$1.txt
  rm -rf "$target"
  # Its own process group, so that Ctrl-C (SIGINT to the group) reaches cargo and mockdown;
  # GNU time ignores SIGINT while its child runs and still writes its report.
  CARGO_TARGET_DIR=$target setsid /usr/bin/time -v -o "$report" \
    cargo run -q --profile quick -- serve --port "$port" >"$work/serve-$1.log" 2>&1 &
  local leader=$!
  for _ in $(seq 1 3000); do
    curl -s -o /dev/null "http://127.0.0.1:$port/__mockdown/" && break
    kill -0 "$leader" 2>/dev/null || { tail -5 "$work/serve-$1.log"; exit 1; }
    sleep 0.2
  done
  kill -INT -- "-$leader" 2>/dev/null || true
  wait "$leader" || true
  echo "serve run $1: $(cpu "$report")"
}

test_once() {
  local target=$work/target-test-$1 report=$work/test-$1.txt
  rm -rf "$target"
  CARGO_TARGET_DIR=$target /usr/bin/time -v -o "$report" cargo test -q >"$work/test-$1.log" 2>&1 \
    || { tail -20 "$work/test-$1.log"; exit 1; }
  echo "test run $1: $(cpu "$report") ($(grep -c '^test result: ok' "$work/test-$1.log") test binaries ok)"
}

for i in $(seq 1 "$runs"); do
  case $what in serve|both) serve_once "$i" ;; esac
  case $what in test|both) test_once "$i" ;; esac
done
