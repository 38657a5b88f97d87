#!/usr/bin/env bash
# Issue 20's mutant-server gate. A real small proxy (`mockdown gate mutant`) stands in front of the
# real mock (`serve --stateful`) and breaks the answers of the entity operations (those
# `mockdown routes --entities` groups: every save, read, patch and delete of an entity) one
# way at a time: a property the documented answer shows dropped, a nested value nulled, an
# integer as a string, a date-time as a word, an enum value out of range, an integer past its
# maximum, another success status, a text/plain Content-Type, a save answered but not kept.
# Each fault shows for one request in three (by a hash of the request: a bug that depends on
# the data), a save not kept for every save. For each kind, `verify --generate 20 --negative
# --stateful` and plain `verify` run over the entity operations; the score of a kind is the
# share of the operations it broke that a failing test names (a failing stateful test names
# the operations of the step that failed).
# Runs on the corpus (all 304 entity operations, no subset), then on tests/fixtures/state:
# the corpus's entity answers hold no complete enum, the fixture's Gadget does.
# Gate: every kind that finds something to break >= 99 % with the three modes, at least 8
# kinds do on the corpus, enum-out does on the fixture; 100 % pass against the unmutated
# mock; the negative cases against the mock 100 % refused with a documented 4xx.
#
#   bash .ci/mutants.sh [CORPUS]       (BIN: the release build; PORT_BASE: 4720)
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-${MOCKDOWN_CORPUS:-../shared/corpus}}
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS"; exit 1; }
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=${BIN:-$TARGET_DIR/release/mockdown}
MUTANT="$BIN gate mutant"
[ -x "$BIN" ] || cargo build --release --quiet --bins
BASE=${PORT_BASE:-4720}
KINDS="drop-required null-nested int-as-string datetime-word enum-out int-out-of-range wrong-status wrong-content-type save-not-kept"
WORK=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  pids=()
}
trap 'cleanup; rm -rf "$WORK"' EXIT
started=$(date +%s)

wait_up() { # wait_up URL PID LOG
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$2" 2> /dev/null || { sed 's/^/   /' "$3"; return 1; }
    sleep 0.1
  done
  echo "   $1 did not come up"; return 1
}

# gate_on NAME DOCS REQUIRED_KINDS: the mocks and the mutant for DOCS, a baseline and every
# kind, the table; fails unless every kind that broke something is >= 99 %, at least
# REQUIRED_KINDS kinds broke something, and the baseline passed.
gate_on() {
  local name=$1 docs=$2 required=$3
  local mock=$BASE stateless=$((BASE + 1)) proxy=$((BASE + 2)) dir="$WORK/$1"
  mkdir -p "$dir"
  for port in $mock $stateless $proxy; do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "   port $port is taken"; return 1; fi
  done
  "$BIN" serve "$docs" --port "$mock" --stateful --log-level warn > "$dir/mock.log" 2>&1 &
  pids+=($!); wait_up "http://127.0.0.1:$mock/__mockdown/health" "${pids[-1]}" "$dir/mock.log"
  "$BIN" serve "$docs" --port "$stateless" --log-level warn > "$dir/stateless.log" 2>&1 &
  pids+=($!); wait_up "http://127.0.0.1:$stateless/__mockdown/health" "${pids[-1]}" "$dir/stateless.log"
  $MUTANT "127.0.0.1:$proxy" "http://127.0.0.1:$mock" "http://127.0.0.1:$stateless" "$docs" \
    > "$dir/mutant.log" 2>&1 &
  pids+=($!); wait_up "http://127.0.0.1:$proxy/__mutant/mutated" "${pids[-1]}" "$dir/mutant.log"
  echo "   $name: $(head -1 "$dir/mutant.log")"
  # The entity operations, as --only arguments.
  "$BIN" routes "$docs" --entities --format json > "$dir/entities.json"
  local only
  mapfile -t only < <(python3 - "$dir/entities.json" <<'PY'
import json, sys
for i in sorted({op["operationId"] for e in json.load(open(sys.argv[1])) for op in e["operations"]}):
    print("--only"); print(i)
PY
)
  # The fixture's PATCH sample replaces Name with the docs' `{}` placeholder: a stateful mock
  # refuses it (400, the entity would break its schema), so it is no baseline to mutate.
  [ "$name" = fixture ] && only+=(--skip v1GadgetEntity_PatchGadget)
  # run RUN KIND MODE...: one verify run through the mutant on a fresh state; its JUnit file
  # and the operations the mutant broke.
  run() {
    local run=$1 kind=$2
    shift 2
    curl -sf -X DELETE "http://127.0.0.1:$mock/__mockdown/state" > /dev/null
    curl -sf -X DELETE "http://127.0.0.1:$proxy/__mutant/mutated" > /dev/null
    "$BIN" verify --target "http://127.0.0.1:$proxy" "$docs" "${only[@]}" -H "X-Mutant: $kind" \
      --shrink-budget 8 --junit "$dir/$run.xml" "$@" > "$dir/$run.log" 2>&1 || true
    curl -sf "http://127.0.0.1:$proxy/__mutant/mutated?kind=$kind" > "$dir/$run.mutated.json"
    tail -1 "$dir/$run.log" | sed "s/^.*: /   $name $run: /"
  }
  local full=(--generate 20 --negative --stateful)
  run baseline none "${full[@]}"
  run baseline-plain none
  for kind in $KINDS; do
    run "$kind" "$kind" "${full[@]}"
    run "$kind-plain" "$kind"
  done
  cleanup
  python3 - "$dir" "$name" "$required" $KINDS <<'PY'
import json, os, sys, xml.etree.ElementTree as ET
work, name, required, kinds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]

def cases(run):
    root = ET.parse(os.path.join(work, run + ".xml")).getroot()   # raises on malformed XML
    return [(c, {p.get("name"): p.get("value") for p in c.iter("property")}) for c in root.iter("testcase")]

def caught(run):
    ops = set()
    for case, props in cases(run):
        if case.find("failure") is not None:
            ops.update(props.get("operations", "").split())
    return ops

def mutated(run):
    return set(json.load(open(os.path.join(work, run + ".mutated.json")))["operations"])

ok = True
base = cases("baseline")
failed = [c.get("name") for c, _ in base if c.find("failure") is not None]
failed += [c.get("name") for c, _ in cases("baseline-plain") if c.find("failure") is not None]
by_mode = {}
for case, props in base:
    n, req = by_mode.get(props.get("mode"), (0, 0))
    by_mode[props.get("mode")] = (n + 1, req + int(props.get("requests", "0")))
print(f"   {name} unmutated mock: " + ", ".join(f"{m} {n} tests / {r} requests" for m, (n, r) in sorted(by_mode.items()))
      + f"; failures (both runs): {len(failed)}")
if failed:
    ok = False
    print("   FAILED against the unmutated mock: " + ", ".join(failed[:10]))
neg = [(c, p) for c, p in base if p.get("mode") == "negative" and c.find("skipped") is None]
neg_requests = sum(int(p.get("requests", "0")) for _, p in neg)
neg_failed = sum(1 for c, _ in neg if c.find("failure") is not None)
print(f"   {name} --negative against the mock: {neg_requests} broken requests over {len(neg)} operations, "
      f"{neg_requests if not neg_failed else 'not all'} refused with a documented 4xx "
      f"({100.0 * (len(neg) - neg_failed) / max(len(neg), 1):.1f} % of operations)")
ok &= neg_failed == 0 and neg_requests > 0
print(f"   {'kind':20} {'mutated':>8} {'--generate 20 --negative --stateful':>36} {'plain verify':>14}")
exercised = []
for kind in kinds:
    m = mutated(kind) | mutated(kind + "-plain")
    full, plain = len(m & caught(kind)), len(m & caught(kind + "-plain"))
    pct = lambda n: 100.0 * n / max(len(m), 1)
    line = f"   {kind:20} {len(m):8} {full:>20} = {pct(full):6.1f} %      {plain:>5} = {pct(plain):5.1f} %"
    print(line if m else f"   {kind:20} {0:8}   (nothing to break this way in these answers)")
    missed = sorted(m - caught(kind))
    if missed:
        print(f"      not caught: {', '.join(missed[:8])}")
    if m:
        exercised.append(kind)
    ok &= not m or pct(full) >= 99.0
print(f"   {name}: {len(exercised)} kinds found something to break (at least {required} needed)")
ok &= len(exercised) >= required and (name != "fixture" or "enum-out" in exercised)
sys.exit(0 if ok else 1)
PY
}
rc=0
gate_on corpus "$CORPUS" 8 || rc=1
gate_on fixture tests/fixtures/state 1 || rc=1
echo "   mutant gate: $(( $(date +%s) - started )) s"
exit $rc
