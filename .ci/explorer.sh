#!/usr/bin/env bash
# Browser test of the explorer page (issue 14, part 1), in a real headless Chromium driven
# through chromedriver by Python selenium (.ci/explorer.py), against the real mockdown
# binary:
#   1. `mockdown serve docs/` (the five seed pages): the page loads from the binary alone,
#      search finds an operation (by path and by property name), the operation page shows
#      its trees, "try it" on SaveRoleEntity answers 200, then 400 with the violation beside
#      RoleId once RoleId is a string, the journal shows both (and filters by status), and
#      the keyboard reaches an operation. When the binary knows `--admin-token`, the page
#      asks for the token once and loads with it.
#   2. `mockdown serve CORPUS` (2,182 operations): first paint, measured with the
#      Performance API on a cold load, must be under EXPLORER_FCP_MAX_MS (1000).
# A screenshot of every step is saved as PNG under the folder the log names.
#
# Env: MOCKDOWN_BIN (default: the release binary under cargo's target directory, built if
# missing), MOCKDOWN_CORPUS (../shared/corpus), ARTIFACTS (screenshots go to
# $ARTIFACTS/explorer-screenshots, else <target>/explorer-screenshots),
# EXPLORER_FCP_MAX_MS (1000). Installs chromium, chromium-driver (apt) and selenium (pip)
# when missing. Exit 1 when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

CORPUS=${MOCKDOWN_CORPUS:-../shared/corpus}
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=${MOCKDOWN_BIN:-$TARGET_DIR/release/mockdown}
if [ -n "${ARTIFACTS:-}" ]; then SHOTS=$ARTIFACTS/explorer-screenshots; else SHOTS=$TARGET_DIR/explorer-screenshots; fi
FCP_MAX_MS=${EXPLORER_FCP_MAX_MS:-1000}

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "   installing chromium and chromium-driver (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq chromium chromium-driver > /dev/null
fi
if ! python3 -c 'import selenium' 2> /dev/null; then
  echo "   installing selenium (pip)"
  python3 -m pip install --quiet --disable-pip-version-check selenium
fi
if [ ! -x "$BIN" ]; then
  echo "   building $BIN"
  cargo build --release --quiet --bin mockdown
fi

rm -rf "$SHOTS"
mkdir -p "$SHOTS"
echo "   screenshots: $SHOTS"
WORK=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
    server_pid=
  fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server LOG ARGS...: serves in the background on a free loopback port ($port,
# $server_pid); fails when it does not answer its health route within 30 s.
start_server() {
  local log=$1
  shift
  port=$(free_port)
  "$BIN" serve "$@" --host 127.0.0.1 --port "$port" --log-level warn > "$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/__mockdown/health"; then
      head -1 "$log" | sed 's/^/   /'
      return 0
    fi
    kill -0 "$server_pid" 2> /dev/null || break
    sleep 0.1
  done
  sed 's/^/   serve: /' "$log"
  return 1
}

rc=0
start_server "$WORK/seed.log" docs
python3 .ci/explorer.py seed "http://127.0.0.1:$port" "$SHOTS" || rc=1
stop_server

"$BIN" serve --help > "$WORK/help.txt" 2>&1 || true
if grep -q -- '--admin-token' "$WORK/help.txt"; then
  start_server "$WORK/token.log" docs --admin-token explorer-ci-token
  python3 .ci/explorer.py token "http://127.0.0.1:$port" "$SHOTS" explorer-ci-token || rc=1
  stop_server
else
  echo "   (this build has no --admin-token: the token step is skipped)"
fi

if [ -d "$CORPUS" ]; then
  start_server "$WORK/corpus.log" "$CORPUS"
  EXPLORER_FCP_MAX_MS=$FCP_MAX_MS python3 .ci/explorer.py corpus "http://127.0.0.1:$port" "$SHOTS" || rc=1
  stop_server
else
  echo "   no corpus at $CORPUS: the first-paint measure is skipped"
  [ "${CI:-}" = true ] && rc=1
fi
echo "   screenshots: $SHOTS ($(ls "$SHOTS" | wc -l) PNG)"
exit $rc
