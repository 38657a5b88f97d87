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
# Usage: bash .ci/explorer.sh (from anywhere; after .ci/run's release build, which it uses).
# Env: MOCKDOWN_BIN (default: the release binary under cargo's target directory, built
# with `cargo build --release` if missing; any profile works, e.g. target/quick/mockdown),
# MOCKDOWN_CORPUS (../shared/corpus), ARTIFACTS (screenshots go to
# $ARTIFACTS/explorer-screenshots, else <target>/explorer-screenshots),
# EXPLORER_FCP_MAX_MS (1000). Installs chromium, chromium-driver and python3-selenium
# (apt, with sudo when not root) when missing. Exit 1 when a step fails; the last line
# counts the steps ("explorer: N passed, N failed").
set -euo pipefail
cd "$(dirname "$0")/.."

CORPUS=${MOCKDOWN_CORPUS:-../shared/corpus}
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=${MOCKDOWN_BIN:-$TARGET_DIR/release/mockdown}
if [ -n "${ARTIFACTS:-}" ]; then SHOTS=$ARTIFACTS/explorer-screenshots; else SHOTS=$TARGET_DIR/explorer-screenshots; fi
FCP_MAX_MS=${EXPLORER_FCP_MAX_MS:-1000}

# What the browser test needs, from Debian's packages (sudo only when not root).
SUDO=
if [ "$(id -u)" != 0 ] && command -v sudo > /dev/null; then SUDO=sudo; fi
PY=/usr/bin/python3 # apt's python3-selenium lives in the system Python
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -x "$PY" ] && "$PY" -c 'import selenium' 2> /dev/null || missing+=(python3-selenium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "   installing ${missing[*]} (apt)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
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

# drive MODE ARGS...: one run of .ci/explorer.py against the server started last; its
# steps are counted into the closing line.
rc=0
drive() {
  "$PY" .ci/explorer.py "$1" "http://127.0.0.1:$port" "$SHOTS" "${@:2}" | tee -a "$WORK/steps.log" || rc=1
}

start_server "$WORK/seed.log" docs || rc=1
[ -n "$server_pid" ] && drive seed
stop_server

# --admin-token: the page and its assets load without it; it asks once for the data.
start_server "$WORK/token.log" docs --admin-token explorer-ci-token || rc=1
[ -n "$server_pid" ] && drive token explorer-ci-token
stop_server

# --watch: a page added to the docs shows in the open page without reloading it.
cp -r docs "$WORK/watched"
start_server "$WORK/watch.log" "$WORK/watched" --watch || rc=1
[ -n "$server_pid" ] && drive watch "$WORK/watched"
stop_server

if [ -d "$CORPUS" ]; then
  start_server "$WORK/corpus.log" "$CORPUS" || rc=1
  [ -n "$server_pid" ] && EXPLORER_FCP_MAX_MS=$FCP_MAX_MS drive corpus
  stop_server
else
  echo "   SKIPPED: no corpus at $CORPUS, so no first-paint measure on 2,182 operations"
  if [ "${CI:-}" = true ]; then rc=1; fi
fi
echo "   screenshots: $SHOTS ($(find "$SHOTS" -name '*.png' | wc -l) PNG)"
read -r passed failed < <(awk '/^explorer [a-z]+: [0-9]+ passed, [0-9]+ failed$/ \
  { p += $3; f += $5 } END { print p + 0, f + 0 }' "$WORK/steps.log" 2> /dev/null || echo "0 0")
echo "explorer: $passed passed, $failed failed"
if [ "$failed" != 0 ] || [ "$passed" = 0 ]; then rc=1; fi
exit $rc
