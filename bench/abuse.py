#!/usr/bin/env python3
"""Reliability figures of a running `mockdown serve` (issues 12, 19): what careless or hostile
clients can make it spend. Prints one line per figure with its target; with --gate, exits 1
when a target is missed. Only talks to 127.0.0.1; every loop is bounded in count and time.

    python3 bench/abuse.py BIN CORPUS [--gate]
"""
import json, os, re, resource, socket, subprocess, sys, threading, time, http.client

BIN, CORPUS = sys.argv[1], sys.argv[2]
GATE = "--gate" in sys.argv
AUTH = "Basic dGplMDpUamUw"
MIB = 1024 * 1024
failures = []


def rss_kb(pid, field="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(extra=(), prefix=""):
    port = free_port()
    cmd = f"{prefix}exec {BIN} serve {CORPUS} --port {port} --log-level error " + " ".join(extra)
    proc = subprocess.Popen(["sh", "-c", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/__mockdown/health")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the mock did not start")


def request(port, method, path, body=None, headers=None, timeout=60):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Authorization": AUTH, "Content-Type": "application/json"}
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def cpu_ns(pid):
    """CPU time the process's threads have used, in ns (per-thread schedstat, summed)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def figure(name, value, target, ok):
    mark = "ok" if ok else "MISSED"
    print(f"{name:58s} {value:>18s}   target {target} [{mark}]")
    if not ok:
        failures.append(name)


page = open(f"{CORPUS}/agent/Contact_Agent/v1ContactAgent_SaveContactEntity.md").read()
sample = json.loads(re.search(r"```http!\n.*?\n\n(.*?)```", page, re.S).group(1))
SAVE = "/api/v1/Agents/Contact/SaveContactEntity"
# About 1 MiB (just under --max-body) of wrong array items: ~500,000 violations.
wrong = dict(sample)
wrong["Emails"] = []
base = len(json.dumps(wrong))
wrong_body = json.dumps(wrong).replace('"Emails": []', '"Emails": [' + ",".join(["1"] * ((MIB - base - 64) // 2)) + "]")
assert len(wrong_body) <= MIB

# Figures 1-4 measure the violation cap: past the field limit (--max-fields), so that bodies
# of 500,000 wrong items are checked rather than refused (figure 7 covers the limit).
proc, port = start(["--max-fields 1000000"])
pid = proc.pid
time.sleep(0.5)
idle = rss_kb(pid)
print(f"mockdown abuse figures ({BIN}); idle RSS {idle // 1024} MB")

# 1. Largest error answer over hostile requests.
sizes = []
sizes.append(len(request(port, "POST", SAVE, wrong_body)[1]))
sizes.append(len(request(port, "GET", "/api/v1/" + "x" * 60000)[1]))
sizes.append(len(request(port, "GET", "/api/v1/Contact/abc?" + "&".join(f"p{i}=" + "v" * 50 for i in range(800)))[1]))
sizes.append(len(request(port, "POST", SAVE, "[" * 100000)[1]))
sizes.append(len(request(port, "POST", SAVE, json.dumps({k: [1] * 2000 for k in sample}))[1]))
largest = max(sizes)
figure("largest error answer", f"{largest / 1024:.1f} KiB", "< 1 MiB", largest < MIB)

# 2. Peak RSS while ten invalid 1 MiB bodies are answered at once.
peak = [0]
stop = threading.Event()


def sample_rss():
    while not stop.is_set():
        peak[0] = max(peak[0], rss_kb(pid))
        time.sleep(0.01)


sampler = threading.Thread(target=sample_rss)
sampler.start()
threads = [threading.Thread(target=request, args=(port, "POST", SAVE, wrong_body)) for _ in range(10)]
started = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join()
stop.set()
sampler.join()
burst = time.time() - started
figure("peak RSS during 10 invalid 1 MiB bodies",
       f"{peak[0] // 1024} MB", f"< idle + 256 MB ({idle // 1024 + 256} MB)", peak[0] < idle + 256 * 1024)
print(f"{'   (the ten answered in':58s} {burst:>16.1f} s)")
JOURNAL_QUERIES = ["/__mockdown/requests", "/__mockdown/requests?limit=1000"]
journal = max(len(request(port, "GET", q)[1]) for q in JOURNAL_QUERIES)

# 3. RSS after 10,000 more journaled requests (4 KiB bodies and GETs, keep-alive).
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
small = json.dumps(sample)
for i in range(10000):
    if i % 2:
        c.request("POST", SAVE, body=small, headers={"Authorization": AUTH, "Content-Type": "application/json"})
    else:
        c.request("GET", f"/api/v1/Contact/{i}?ticket=7T:{i}", headers={"Authorization": AUTH})
    c.getresponse().read()
c.close()
time.sleep(1.5)
after = rss_kb(pid)
figure("RSS after 10,000 more journaled requests", f"{after // 1024} MB",
       f"< 2 x idle ({2 * idle // 1024} MB)", after < 2 * idle)

# 4. The largest journal answer.
journal = max([journal] + [len(request(port, "GET", q)[1]) for q in JOURNAL_QUERIES])
figure("largest journal answer (after the big bodies, after 10,000)", f"{journal / MIB:.2f} MiB", "< 8 MiB", journal < 8 * MIB)

# 5. How long a slowloris connection (one header byte a second) lives.
s = socket.create_connection(("127.0.0.1", port))
started = time.time()
line = b"GET /api/v1/Contact/1 HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 100
lived = None
for byte in line:
    try:
        s.send(bytes([byte]))
        s.settimeout(1.0)
        try:
            if s.recv(1024) == b"":
                lived = time.time() - started
                break
        except socket.timeout:
            pass
    except OSError:
        lived = time.time() - started
        break
    if time.time() - started > 40:
        break
s.close()
text = f"{lived:.1f} s" if lived is not None else "> 40 s"
figure("slowloris connection lives", text, "<= header timeout (10 s) + 1 s", lived is not None and lived <= 11)
proc.terminate()
proc.wait()

# 6. At the file-descriptor limit: clients it has are served, the loop does not spin, and
# new clients are served once descriptors are free.
proc, port = start(["--threads 1"], prefix="ulimit -n 64; ")
pid = proc.pid
keep = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
keep.request("GET", "/api/v1/Contact/1", headers={"Authorization": AUTH})
keep.getresponse().read()
flood = []
for _ in range(200):
    try:
        flood.append(socket.create_connection(("127.0.0.1", port), timeout=1))
    except OSError:
        break
time.sleep(0.5)
ticks = lambda: sum(int(x) for x in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
t0 = ticks()
time.sleep(2)
cpu = (ticks() - t0) / os.sysconf("SC_CLK_TCK") / 2 * 100
try:
    keep.request("GET", "/api/v1/Contact/2", headers={"Authorization": AUTH})
    kept = keep.getresponse().status == 200
except OSError:
    kept = False
for s in flood:
    s.close()
served = False
deadline = time.time() + 15
while time.time() < deadline and not served:
    try:
        served = request(port, "GET", "/api/v1/Contact/3", timeout=3)[0] == 200
    except OSError:
        time.sleep(0.3)
figure("at the fd limit (ulimit -n 64, 200 connections): CPU", f"{cpu:.0f} %", "< 25 % (no spin)", cpu < 25)
figure("   a client it had is still served", "yes" if kept else "no", "yes", kept)
figure("   new clients served once the flood is gone", "yes" if served else "no", "yes", served)
proc.terminate()
proc.wait()

# 7. Costly bodies: the largest server CPU time one request takes (a 1 MiB form and XML
# body at the field limit, 100,000 XML elements, JSON with 100,000 keys), each sent alone
# to an idle server; then the same bodies sent without pause by two clients while a third
# times small requests.
MAX_FIELDS = 10_000
LIST = "/api/v1/List/Source"  # documents JSON, XML and form bodies


def padded(i, size):
    return f"f{i}".ljust(size, "x")


field = MIB // MAX_FIELDS - 8
form_body = "&".join(f"{padded(i, 8)}={'v' * (MIB // MAX_FIELDS - 11)}" for i in range(MAX_FIELDS))
xml_body = "<ListEntity>" + "".join(
    f"<{padded(i, 8)}>{'v' * (field - 16)}</{padded(i, 8)}>" for i in range(MAX_FIELDS - 1)) + "</ListEntity>"
xml_many = "<ListEntity>" + "".join(f"<e{i}/>" for i in range(100_000)) + "</ListEntity>"
json_keys = "{" + ",".join(f'"{i:x}":1' for i in range(100_000)) + "}"
json_fields = json.dumps({"Name": "x", "More": {padded(i, 8): "v" * (field - 14) for i in range(MAX_FIELDS - 2)}})
COSTLY = [
    ("form, 1 MiB at the field limit", LIST, "application/x-www-form-urlencoded", form_body),
    ("XML, 1 MiB at the field limit", LIST, "application/xml", xml_body),
    ("XML, 100,000 elements", LIST, "application/xml", xml_many),
    ("JSON, 100,000 keys", SAVE, "application/json", json_keys),
    ("JSON, 1 MiB at the field limit", SAVE, "application/json", json_fields),
]
for _, _, _, body in COSTLY:
    assert len(body.encode()) <= MIB, len(body)
proc, port = start()
pid = proc.pid
# The first costly body the process ever reads also pays for first touching its memory
# (the kernel zeroing fresh pages): printed, then each kind is warmed up once, so the
# figure is what a server that has run for a while spends on such a body.
before = cpu_ns(pid)
status, _ = request(port, "PUT", LIST, form_body, {"Content-Type": "application/x-www-form-urlencoded"})
print(f"{'   first costly body of the process (form, ' + str(status) + ')':58s} {(cpu_ns(pid) - before) / 1e6:>15.1f} ms")
for _, path, ctype, body in COSTLY:
    request(port, "PUT" if path == LIST else "POST", path, body, {"Content-Type": ctype})
worst_per_mib = 0.0
statuses = {}
for name, path, ctype, body in COSTLY:
    method = "PUT" if path == LIST else "POST"
    spent = []
    for _ in range(5):
        before = cpu_ns(pid)
        status, _ = request(port, method, path, body, {"Content-Type": ctype})
        spent.append((cpu_ns(pid) - before) / 1e6)
    statuses[name] = status
    ms = max(spent)
    per_mib = ms * MIB / len(body.encode())
    worst_per_mib = max(worst_per_mib, per_mib)
    print(f"{'   ' + name + ' (' + str(status) + '), slowest of 5':58s} {ms:>15.1f} ms   ({per_mib:.1f} ms per MiB)")
figure("largest server CPU time per 1 MiB body", f"{worst_per_mib:.1f} ms", "< 100 ms", worst_per_mib < 100)
figure("   past the field limit: 413",
       f"{statuses['XML, 100,000 elements']} / {statuses['JSON, 100,000 keys']}", "413 / 413",
       statuses["XML, 100,000 elements"] == 413 and statuses["JSON, 100,000 keys"] == 413)

stop = threading.Event()


def flood():
    while not stop.is_set():
        for _, path, ctype, body in COSTLY:
            try:
                request(port, "PUT" if path == LIST else "POST", path, body, {"Content-Type": ctype})
            except OSError:
                pass


senders = [threading.Thread(target=flood) for _ in range(2)]
for t in senders:
    t.start()
time.sleep(0.5)
latencies = []
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
for i in range(100):
    started = time.time()
    c.request("GET", f"/api/v1/Contact/{i + 1}", headers={"Authorization": AUTH})
    c.getresponse().read()
    latencies.append((time.time() - started) * 1000)
    time.sleep(0.02)
c.close()
stop.set()
for t in senders:
    t.join()
latencies.sort()
figure("normal GET while costly bodies are checked: slowest of 100", f"{latencies[-1]:.1f} ms", "< 50 ms",
       latencies[-1] < 50)
proc.terminate()
proc.wait()

# 8. 1,000 `Prefer: fault=timeout` requests at once, more than --max-connections (512 here):
# they take held-request places (256 by default, the rest answered 503 and closed), never
# the places of normal clients.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
proc, port = start(["--fault-timeout 30", "--max-connections 512"])
held = []
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(f"GET /api/v1/Contact/{i + 1} HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\n"
              "Prefer: fault=timeout\r\n\r\n".encode())
    held.append(s)
time.sleep(1.0)
refused = 0
for s in held:
    s.settimeout(0.01)
    try:
        if s.recv(64).startswith(b"HTTP/1.1 503"):
            refused += 1
    except OSError:
        pass
latencies = []
for i in range(50):
    started = time.time()
    status, _ = request(port, "GET", f"/api/v1/Contact/{i + 1}", timeout=5)
    latencies.append(((time.time() - started) * 1000, status))
slowest = max(ms for ms, _ in latencies)
served = sum(1 for _, st in latencies if st == 200)
figure("1,000 fault=timeout (--max-connections 512): answered 503", f"{refused}", "744", refused == 744)
figure("   normal GETs meanwhile: served, slowest of 50", f"{served}/50, {slowest:.1f} ms", "50/50, < 50 ms",
       served == 50 and slowest < 50)
for s in held:
    s.close()
proc.terminate()
proc.wait()

if failures:
    print(f"missed: {', '.join(failures)}")
sys.exit(1 if GATE and failures else 0)
