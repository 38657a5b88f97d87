#!/usr/bin/env bash
# The docs cannot drift: runs every command of the ```sh, ```bash and ```console blocks of
# README.md and guide/*.md, checks every relative link and its #anchor, and that every flag a
# ```text synopsis `mockdown CMD [...]` shows is one `mockdown CMD --help` lists.
#
#   BIN=target/release/mockdown CORPUS=../shared/corpus bash .ci/docs.sh
#
# - `mockdown ...` runs $BIN (a `mockdown` on PATH); `cargo run --profile quick -- ARGS` and
#   `cargo run --release -- ARGS` run `mockdown ARGS` (the build itself is what `.ci/run`'s
#   cargo steps and the newcomer figures measure).
# - A `mockdown serve ...` / `mockdown proxy ...` command alone on its line (with or without a
#   trailing `&`) starts that server in the background, on a free port, for the rest of its
#   block; a block whose commands call localhost:4010 / 127.0.0.1:4010 and start no server
#   gets `mockdown serve docs`. The port 4010 in the commands is replaced with the free one.
#   Every server is stopped at the end of its block.
# - `NAME=VALUE` lines hold for the rest of their page, as in a reader's shell.
# - Every command must exit 0. Where a ```console block shows an HTTP status (`HTTP/1.1 404`
#   after `curl -i`, the codes `-w '%{http_code}'` prints, a trailing `(201)`, or a `# 204`
#   comment), the status must be that one; an `"ErrorType":"X"` shown must be answered, and
#   an `exit N` / `curl exit N` line shown (after `; echo "exit $?"`) must be printed.
# - Commands run in a scratch folder holding copies of docs/, schemas/ and tests/fixtures/,
#   with HOME in it too; ../shared/corpus is $CORPUS.
# - Commands that cannot run here are in SKIP below, each with its reason.
# Blocks that show output only are ```text and are not run.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BIN:?set BIN to the mockdown binary (the release build in .ci/run)}"
CORPUS=${CORPUS:-${MOCKDOWN_CORPUS:-../shared/corpus}}
exec python3 - "$BIN" "$CORPUS" README.md guide/*.md <<'PY'
import os, re, shlex, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

BIN, CORPUS, FILES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:]

# Commands that do not run here: (pattern searched in the command, reason).
SKIP = [
    (r"^cargo test\b", "the test command: `.ci/run` runs it as its own step"),
    (r"^cargo (build|clean)\b|CARGO_TARGET_DIR=", "a build: `.ci/run` builds; the newcomer figures time it"),
    (r"^/usr/bin/time -v cargo", "the newcomer figures: the owner measures them on a clean clone, three runs each"),
    (r"^cargo bench\b|^bash bench/|^python3 bench/|perf\.sh", "a benchmark: minutes of a release build on an idle box (figures in guide/benchmarks.md)"),
    (r"^cargo insta review", "interactive: a person reads each snapshot diff"),
    (r"^cargo install\b", "installs a tool on the machine"),
    (r"^bash \.ci/|^\.ci/run|^/usr/bin/python3 \.ci/", "a gate of `.ci/run`, which runs it"),
    (r"^git worktree add", "changes the repository's worktrees; `mockdown diff` is covered by src/itests/diff.rs and tests/it/cli.rs"),
    (r"/tmp/base/docs", "needs the base branch checked out (previous command); src/itests/diff.rs and tests/it/cli.rs covers diff"),
    (r"\$A\b|\$B\b|redis-cli|redis-server", "two replicas on a real redis-server: `.ci/redis.sh` (a gate of `.ci/run`) runs this session"),
    (r"localhost:5000|grep -i x-mockdown-source", "needs a half-built backend at localhost:5000: src/itests/hybrid.rs runs this mode"),
    (r"127\.0\.0\.1:4862|X-Mutant", "the mutant server of `.ci/mutants.sh` (a gate of `.ci/run`)"),
    (r"staging\.example\.com|\$TOKEN", "a staging server that does not exist here"),
    (r"MOCKDOWN_TEST_REDIS=", "needs a redis-server you started: `.ci/redis.sh` runs these tests"),
]
SERVER_CMD = re.compile(r"^mockdown (serve|proxy)\b[^;|&<>]*&?$")
PORT_REF = re.compile(r"(localhost|127\.0\.0\.1):4010\b")

def slug(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")

def complete(text):
    return subprocess.run(["bash", "-n", "-c", text], capture_output=True).returncode == 0

def blocks(path):
    """(line, lang, [(line, command, [shown output lines])]) for every runnable block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i, found = 0, []
    while i < len(lines):
        m = re.match(r"^\s*```([\w-]*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang, start, body = m.group(1), i + 1, []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i])
            i += 1
        i += 1
        if lang not in ("sh", "bash", "console"):
            continue
        indent = min((len(b) - len(b.lstrip()) for b in body if b.strip()), default=0)
        body = [b[indent:] for b in body]
        commands, j = [], 0
        while j < len(body):
            line = body[j]
            if lang == "console" and not line.startswith("$ "):
                if commands:
                    commands[-1][2].append(line)
                j += 1
                continue
            if lang != "console" and (not line.strip() or line.lstrip().startswith("#")):
                j += 1
                continue
            at, text = start + j + 1, line[2:] if lang == "console" else line
            j += 1
            while (not complete(text) or text.endswith("\\")) and j < len(body):
                text += "\n" + body[j]
                j += 1
            commands.append((at, text, []))
        found.append((start, lang, commands))
    return found

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def leading_codes(lines):
    codes = []
    for line in lines:
        for token in line.split():
            if re.fullmatch(r"\d{3}", token):
                codes.append(token)
            else:
                break
    return codes

scratch = tempfile.mkdtemp(prefix="mockdown-docs-")
for folder in ("docs", "schemas", "tests/fixtures"):
    shutil.copytree(folder, os.path.join(scratch, folder))
os.makedirs(os.path.join(scratch, "home"))
os.makedirs(os.path.join(scratch, "bin"))
os.symlink(BIN, os.path.join(scratch, "bin", "mockdown"))
env = dict(os.environ, HOME=os.path.join(scratch, "home"), NO_COLOR="1",
           PATH=os.path.join(scratch, "bin") + os.pathsep + os.environ["PATH"])

ran, skipped, failed = 0, [], []

def fail(where, why, output=""):
    failed.append(where)
    print(f"   FAIL {where}: {why}")
    for line in output.strip().split("\n")[-8:]:
        if line:
            print(f"        | {line[:200]}")

def start_server(command, port, where, servers):
    if servers:
        fail(where, "a second server in one block (give it its own block)")
        return
    if "--port" not in command:
        command = command.rstrip("& ") + f" --port {port}"
    log = open(os.path.join(scratch, f"server-{port}.log"), "w+")
    proc = subprocess.Popen(["bash", "-c", "exec " + command.rstrip("& ")], cwd=scratch, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    servers.append((proc, log))
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            fail(where, f"the server exited with {proc.returncode}", log.read())
            servers.pop()
            return
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__mockdown/health", timeout=1).read()
            return
        except Exception:
            time.sleep(0.2)
    fail(where, "the server did not answer /__mockdown/health in 120 s")

def stop(servers):
    for proc, log in servers:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
    servers.clear()

for path in FILES:
    assignments = []
    for start, lang, commands in blocks(path):
        port, servers = free_port(), []
        for at, text, shown in commands:
            where = f"{path}:{at}"
            command = re.sub(r"cargo run --(profile quick|release) --", "mockdown", text.strip())
            command = command.replace("../shared/corpus", shlex.quote(CORPUS))
            reason = next((why for pattern, why in SKIP if re.search(pattern, command, re.M)), None)
            if reason:
                skipped.append((where, command.split("\n")[0][:70], reason))
                continue
            ran += 1
            command = PORT_REF.sub(lambda m: f"{m.group(1)}:{port}", command)
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S.*", command) and complete(command):
                assignments.append(command)
                continue
            if SERVER_CMD.match(command):
                start_server(command, port, where, servers)
                continue
            if f":{port}" in command and not servers:
                start_server("mockdown serve docs", port, where + " (its block's default server)", servers)
            # Where the block shows the status of a plain curl without -w, ask curl for it.
            shown_status = None
            if shown and re.search(r"\((\d{3})\)\s*$", shown[-1]):
                shown_status = re.search(r"\((\d{3})\)\s*$", shown[-1]).group(1)
            m = re.search(r"#\s*(\d{3})\b", command)
            if m:
                shown_status = m.group(1)
            simple_curl = command.startswith("curl ") and not re.search(r"[|;>]|-w ", command.split("#")[0])
            run_text = command
            if shown_status and simple_curl:
                run_text = re.sub(r"\s*#[^'\"\n]*$", "", command) + " -w '\\n%{http_code}'"
            try:
                done = subprocess.run(["bash", "-c", "\n".join(assignments + [run_text])], cwd=scratch,
                                      env=env, capture_output=True, text=True, timeout=180)
            except subprocess.TimeoutExpired:
                fail(where, "did not finish in 180 s")
                continue
            output = done.stdout + done.stderr
            if done.returncode != 0:
                fail(where, f"exit status {done.returncode}: {command.splitlines()[0][:100]}", output)
                continue
            got = done.stdout.split("\n")
            if shown and re.match(r"HTTP/1\.1 (\d{3})", shown[0]) and re.search(r"curl -\w*i", command):
                want = shown[0].split()[1]
                have = got[0].split()[1] if got[0].startswith("HTTP/") else got[0]
                if have != want:
                    fail(where, f"HTTP status {have}, the docs show {want}", output)
                    continue
            if "%{http_code}" in command and shown:
                want, have = leading_codes(shown), leading_codes(got)
                if want and want != have:
                    fail(where, f"statuses {' '.join(have)}, the docs show {' '.join(want)}", output)
                    continue
            if shown_status and simple_curl:
                have = done.stdout.rstrip("\n").split("\n")[-1]
                if have != shown_status:
                    fail(where, f"HTTP status {have}, the docs show {shown_status}", output)
                    continue
            exits = [m.group(0) for m in (re.match(r"^(curl )?exit \d+", x) for x in shown) if m]
            if exits and exits != [m.group(0) for m in (re.match(r"^(curl )?exit \d+", x) for x in got) if m]:
                fail(where, f"the docs show `{exits[0]}`", output)
                continue
            for kind in re.findall(r'"ErrorType":"(\w+)"', "\n".join(shown)):
                if f'"ErrorType":"{kind}"' not in done.stdout:
                    fail(where, f'no "ErrorType":"{kind}" in the answer, which the docs show', output)
                    break
        stop(servers)

# Links: every relative link's file exists, and its #anchor is a heading there.
anchors, links = {}, 0
def anchors_of(path):
    if path not in anchors:
        seen, names, fence = {}, set(), False
        for line in open(path, encoding="utf-8"):
            if re.match(r"^\s*```[\w-]*\s*$", line):
                fence = not fence
            elif not fence and re.match(r"^#{1,6} ", line):
                base = slug(line.lstrip("#"))
                n = seen.get(base, 0)
                seen[base] = n + 1
                names.add(base if n == 0 else f"{base}-{n}")
        anchors[path] = names
    return anchors[path]
for path in FILES:
    prose, fence = [], False
    for line in open(path, encoding="utf-8"):
        if re.match(r"^\s*```[\w-]*\s*$", line):
            fence = not fence
        elif not fence:
            prose.append(line)
    for target in re.findall(r"\]\(([^)\s]+)\)", "".join(prose)):
        if re.match(r"^[a-z]+:", target):
            continue
        links += 1
        file, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
        if not os.path.exists(dest):
            fail(path, f"link to a missing file: {target}")
        elif anchor and dest.endswith(".md") and anchor not in anchors_of(dest):
            fail(path, f"link to a missing heading: {target}")

# Synopses: every flag a ```text block `mockdown CMD [...]` shows is one `mockdown CMD --help` lists.
synopses = 0
for path in FILES:
    for m in re.finditer(r"```text\n(mockdown (\w+) .*?)```", open(path, encoding="utf-8").read(), re.S):
        synopses += 1
        helped = subprocess.run([BIN, m.group(2), "--help"], capture_output=True, text=True).stdout
        known = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", helped))
        for flag in sorted(set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", m.group(1))) - known):
            fail(path, f"`mockdown {m.group(2)} --help` has no {flag}")

shutil.rmtree(scratch, ignore_errors=True)
reasons = {}
for where, command, reason in skipped:
    reasons.setdefault(reason, []).append(f"{where} {command}")
for reason, items in reasons.items():
    print(f"   skipped {len(items)}: {reason}")
    for item in items:
        print(f"      {item}")
print(f"docs: {ran} commands ran, {len(skipped)} skipped, {len(failed)} failed; "
      f"{links} links and {synopses} synopses checked")
sys.exit(0 if ran > 0 and not failed else 1)
PY
