#!/usr/bin/env python3
"""Drives the explorer page of a running mockdown in headless Chromium (selenium).

    python3 .ci/explorer.py seed   BASE_URL SHOTS_DIR           # the seed pages (docs/)
    python3 .ci/explorer.py token  BASE_URL SHOTS_DIR TOKEN     # a mock with --admin-token
    python3 .ci/explorer.py corpus BASE_URL SHOTS_DIR           # the corpus: first paint
    python3 .ci/explorer.py readme BASE_URL screenshots/        # the README's pictures

Every step saves a screenshot (NN-step.png; NN-step-FAILED.png when it fails) and prints
one line; the last line counts them ("explorer seed: N passed, N failed"). Exit 1 when a
step failed. .ci/explorer.sh starts the servers and calls this.
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,860", "--force-device-scale-factor=1",
]
SEED_OP = "v1UserAgent_SaveRoleEntity"
SEED_PATH = "/api/v1/Agents/User/SaveRoleEntity"


class Run:
    """A browser with a fresh profile, and the steps taken in it."""

    def __init__(self, mode, base, shots):
        self.mode, self.base, self.shots = mode, base.rstrip("/"), shots
        self.profile = tempfile.mkdtemp(prefix="explorer-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(30)
        self.passed = self.failed = 0
        self.number = {"seed": 0, "token": 10, "corpus": 20, "readme": 30, "watch": 40}[mode]

    def step(self, name, action):
        self.number += 1
        stem = os.path.join(self.shots, f"{self.number:02d}-{name}")
        started = time.monotonic()
        try:
            detail = action()
            self.driver.save_screenshot(stem + ".png")
            self.passed += 1
            extra = f": {detail}" if detail else ""
            print(f"   ok   {name} ({time.monotonic() - started:.1f} s){extra}")
        except Exception as err:  # a failed step is reported, and the run goes on
            self.failed += 1
            try:
                self.driver.save_screenshot(stem + "-FAILED.png")
            except Exception:
                pass
            print(f"   FAIL {name}: {type(err).__name__}: {err}")
            traceback.print_exc(limit=3, file=sys.stdout)

    def wait(self, condition, timeout=10, what="condition"):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(
            lambda d: condition(d), message=f"timed out waiting for {what}")

    def css(self, selector, root=None):
        return (root or self.driver).find_element(By.CSS_SELECTOR, selector)

    def all(self, selector, root=None):
        return (root or self.driver).find_elements(By.CSS_SELECTOR, selector)

    def open_page(self):
        self.driver.get(self.base + "/__mockdown/")
        self.wait(lambda d: d.execute_script("return document.documentElement.dataset.ready") == "index",
                  timeout=30, what="the index to render")

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
        print(f"explorer {self.mode}: {self.passed} passed, {self.failed} failed")
        return self.failed == 0


def seed(run):
    d = run.driver

    def index():
        run.open_page()
        groups = run.all("#groups details.group")
        assert len(groups) >= 4, f"{len(groups)} groups"
        labels = [g.find_element(By.TAG_NAME, "summary").text for g in groups]
        assert any(l.startswith("User agent") for l in labels), labels
        foreign = d.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(n => !n.startsWith(location.origin) && !n.startsWith('data:'))")
        assert not foreign, f"assets from elsewhere: {foreign}"
        return f"{len(groups)} groups: {', '.join(labels)}"
    run.step("index", index)

    def search():
        box = run.css("#search")
        box.send_keys("SaveRole")
        link = run.wait(lambda _: run.all(f'#results a[data-op="{SEED_OP}"]'), what="a search result")[0]
        assert "SaveRoleEntity" in link.text, link.text
        box.clear()
        box.send_keys("UseCategories")
        hit = run.wait(lambda _: [a for a in run.all(f'#results a[data-op="{SEED_OP}"]')
                                  if "property UseCategories" in a.text], what="a property match")[0]
        assert "SaveRoleEntity" in hit.text, hit.text
        return "by path and by property name"
    run.step("search", search)

    def operation():
        run.css(f'#results a[data-op="{SEED_OP}"]').click()
        run.wait(lambda _: run.css("#view").get_attribute("data-rendered") == SEED_OP, what="the operation page")
        title = run.css("#view article h2").text
        assert SEED_PATH in title, title
        assert run.all('details.response[data-status="200"]'), "no 200 response"
        # The request body's CreatedBy is a named type: it expands into Associate's tree,
        # whose properties say where they came from.
        created = run.css('.schema li[data-prop="CreatedBy"] > details > summary')
        assert "Associate" in created.text, created.text
        created.click()
        leaf = run.wait(lambda _: run.all('li[data-prop="CreatedBy"] li[data-prop="AssociateId"]'),
                        what="Associate's properties")[0]
        assert "sample" in leaf.text, leaf.text
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", created)
        return title
    run.step("operation", operation)

    def send_and_wait(expected):
        form = run.css("form.tryit")
        button = run.css("button.primary", form)
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        before = d.execute_script("return document.querySelectorAll('.result .status').length")
        button.click()
        status = run.wait(lambda _: run.all(".result .answer-head .status"), what="the answer")[0]
        run.wait(lambda _: not run.css("button.primary", form).get_attribute("disabled"), what="the send to finish")
        status = run.css(".result .answer-head .status")
        assert status.get_attribute("data-status") == str(expected), f"{status.text} (before: {before})"
        return status.text

    def try_200():
        prefer = Select(run.css("form.tryit select"))
        values = [o.get_attribute("value") for o in prefer.options]
        assert {"dynamic=true", "example=true"} <= set(values), values
        assert any(v.startswith("code=") for v in values), values
        prefer.select_by_value("example=true")
        send_and_wait(200)
        prefer.select_by_value("dynamic=true")
        text = send_and_wait(200)
        d.execute_script("document.querySelector('.result').scrollIntoView({block: 'start'})")
        return text
    run.step("try-it-200", try_200)

    def try_400():
        body = run.css('textarea[data-role="body"]')
        sample = json.loads(body.get_attribute("value"))
        sample["RoleId"] = "seven"
        body.clear()
        body.send_keys(json.dumps(sample, indent=2))
        text = send_and_wait(400)
        note = run.wait(lambda _: run.all('ol.annotated li[data-pointer="/RoleId"] .violation'),
                        what="the violation beside RoleId")[0]
        line = run.css('ol.annotated li[data-pointer="/RoleId"]')
        assert '"RoleId": "seven"' in line.text, line.text
        assert "integer" in note.text and "seven" in note.text, note.text
        assert body.get_attribute("aria-invalid") == "true"
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", line)
        return f"{text}; beside RoleId: {note.text}"
    run.step("try-it-400-beside-field", try_400)

    def journal():
        run.css('header a[data-nav="journal"]').click()
        def both(_):
            rows = run.all("#journal-list li.entry")
            statuses = [r.get_attribute("data-status") for r in rows if SEED_PATH in r.text]
            return statuses if {"200", "400"} <= set(statuses) else None
        statuses = run.wait(both, what="both requests in the journal")
        return f"SaveRoleEntity requests: {statuses}"
    run.step("journal", journal)

    def journal_filter():
        Select(run.css("#journal-status")).select_by_value("4xx")
        def only_4xx(_):
            rows = run.all("#journal-list li.entry")
            codes = {r.get_attribute("data-status") for r in rows}
            return rows and codes == {"400"}
        run.wait(only_4xx, what="only the 400 left")
        run.css("#journal-list li.entry details > summary").click()
        assert run.all("#journal-list li.entry .violations li"), "no violation listed"
        return "4xx filter keeps the 400, with its violation"
    run.step("journal-filter-4xx", journal_filter)

    def keyboard():
        d.get(run.base + "/__mockdown/")
        run.wait(lambda _: d.execute_script("return document.documentElement.dataset.ready") == "index",
                 what="the index")
        body = run.css("body")
        body.send_keys(Keys.TAB)
        active = d.switch_to.active_element
        assert active.get_attribute("class") == "skip", active.get_attribute("outerHTML")[:80]
        search = run.css("#search")
        search.click()
        search.send_keys("SaveRoleEntity")
        run.wait(lambda _: run.all(f'#results a[data-op="{SEED_OP}"]'), what="results")
        search.send_keys(Keys.ARROW_DOWN)
        active = d.switch_to.active_element
        assert active.get_attribute("data-op") == SEED_OP, active.get_attribute("outerHTML")[:120]
        active.send_keys(Keys.ENTER)
        run.wait(lambda _: run.css("#view").get_attribute("data-rendered") == SEED_OP, what="the page")
        focused = d.switch_to.active_element
        assert focused.tag_name == "h2", focused.tag_name
        return "skip link, search, arrow into results, Enter opens, focus on the heading"
    run.step("keyboard", keyboard)


def token(run, secret):
    d = run.driver

    def asks_once():
        d.get(run.base + "/__mockdown/")
        dialog = run.wait(lambda _: run.all("dialog#token-dialog[open]"), what="the token dialog")[0]
        run.css("#token-input").send_keys(secret)
        d.save_screenshot(os.path.join(run.shots, f"{run.number + 1:02d}-token-dialog.png"))
        run.css("#token-form button[type=submit]").click()
        run.wait(lambda _: d.execute_script("return document.documentElement.dataset.ready") == "index",
                 what="the index with the token")
        kept = d.execute_script("return sessionStorage.getItem('mockdown.adminToken')")
        assert kept == secret, kept
        assert not dialog.get_attribute("open")
        d.refresh()
        run.wait(lambda _: d.execute_script("return document.documentElement.dataset.ready") == "index",
                 what="the index after a reload")
        assert not run.all("dialog#token-dialog[open]"), "asked twice"
        # The operation's document and the journal come with the token too.
        d.get(run.base + f"/__mockdown/#/op/{SEED_OP}")
        run.wait(lambda _: run.css("#view").get_attribute("data-rendered") == SEED_OP, what="the operation")
        run.css("form.tryit button.primary").click()
        run.wait(lambda _: run.all('.result .answer-head .status[data-status="200"]'), what="the answer")
        run.css('header a[data-nav="journal"]').click()
        run.wait(lambda _: [r for r in run.all("#journal-list li.entry") if SEED_PATH in r.text],
                 what="the journal with the token")
        assert not run.all("dialog#token-dialog[open]"), "asked again"
        return "asked once, kept in sessionStorage; operation, try it and journal with it"
    run.step("token", asks_once)


def corpus(run):
    d = run.driver
    limit = float(os.environ.get("EXPLORER_FCP_MAX_MS", "1000"))
    script = """
        const paint = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
        const mark = performance.getEntriesByName('mockdown:index-rendered')[0];
        const nav = performance.getEntriesByType('navigation')[0];
        return {fp: paint['first-paint'], fcp: paint['first-contentful-paint'],
                index: mark ? mark.startTime : null, load: nav ? nav.loadEventEnd : null,
                ops: document.querySelectorAll('#groups details.group').length};"""

    def first_paint():
        run.open_page()
        cold = d.execute_script(script)
        warm = []
        for _ in range(2):
            d.refresh()
            run.wait(lambda _: d.execute_script("return document.documentElement.dataset.ready") == "index",
                     timeout=30, what="the index")
            warm.append(d.execute_script(script))
        fcp = cold["fcp"] if cold["fcp"] is not None else cold["fp"]
        print(f"   first paint on the corpus (cold load): first-paint {cold['fp']:.0f} ms, "
              f"first-contentful-paint {fcp:.0f} ms, index rendered {cold['index']:.0f} ms "
              f"({cold['ops']} groups); warm: "
              + ", ".join(f"FCP {w['fcp']:.0f} / index {w['index']:.0f} ms" for w in warm))
        assert fcp is not None, "no paint timing"
        assert fcp <= limit, f"first contentful paint {fcp:.0f} ms > {limit:.0f} ms"
        return f"FCP {fcp:.0f} ms <= {limit:.0f} ms"
    run.step("corpus-first-paint", first_paint)

    def corpus_operation():
        box = run.css("#search")
        box.send_keys("SaveContactEntity")
        link = run.wait(lambda _: run.all('#results a[data-op="v1ContactAgent_SaveContactEntity"]'),
                        what="SaveContactEntity")[0]
        started = time.monotonic()
        link.click()
        run.wait(lambda _: run.css("#view").get_attribute("data-rendered") == "v1ContactAgent_SaveContactEntity",
                 what="the operation page")
        run.wait(lambda _: run.all('.schema li[data-prop="ContactId"]'), what="the body's tree")
        return f"opened in {1000 * (time.monotonic() - started):.0f} ms"
    run.step("corpus-operation", corpus_operation)


def readme(run, out):
    """The README's screenshots (seed pages): an operation with a named type open, and a
    400 with the violation beside its field."""
    d = run.driver

    def pictures():
        d.get(run.base + f"/__mockdown/#/op/{SEED_OP}")
        run.wait(lambda _: run.css("#view").get_attribute("data-rendered") == SEED_OP, what="the page")
        run.css('.schema li[data-prop="CreatedBy"] > details > summary').click()
        run.wait(lambda _: run.all('li[data-prop="CreatedBy"] li[data-prop="AssociateId"]'), what="Associate")
        d.execute_script("""
            const main = document.querySelector('main');
            const created = document.querySelector('.schema li[data-prop="CreatedBy"]');
            main.scrollTop += created.getBoundingClientRect().top - 330;
            document.activeElement.blur();""")
        d.save_screenshot(os.path.join(out, "explorer.png"))
        body = run.css('textarea[data-role="body"]')
        sample = json.loads(body.get_attribute("value"))
        sample["RoleId"] = "seven"
        d.execute_script("arguments[0].value = arguments[1]", body, json.dumps(sample, indent=2))
        run.css("form.tryit button.primary").click()
        line = run.wait(lambda _: run.all('ol.annotated li[data-pointer="/RoleId"]'), what="the violation")[0]
        d.execute_script("""
            const line = arguments[0];
            const main = document.querySelector('main');
            const notes = line.closest('.notes');
            main.scrollTop += notes.getBoundingClientRect().top - 360;
            document.activeElement.blur();""", line)
        d.save_screenshot(os.path.join(out, "explorer-try-it.png"))
        return "explorer.png, explorer-try-it.png"
    run.step("readme", pictures)


def watch(run, folder):
    """serve --watch: a page added to the docs appears in the open page without a reload."""
    d = run.driver

    def follows():
        run.open_page()
        run.wait(lambda _: d.execute_script("return document.documentElement.dataset.ready") == "index",
                 what="the index")
        box = run.css("#search")
        box.send_keys("WatchProbe")
        # A new operation: the seed SaveRoleEntity page under another name and path.
        template = open(os.path.join(folder, "v1UserAgent_SaveRoleEntity.md")).read()
        with open(os.path.join(folder, "v1UserAgent_WatchProbeEntity.md"), "w") as f:
            f.write(template.replace("SaveRoleEntity", "WatchProbeEntity"))
        started = time.monotonic()
        run.wait(lambda _: run.all("#results a[data-op*='WatchProbe']"), timeout=15,
                 what="the new operation in the open page")
        took = time.monotonic() - started
        assert "docs changed" in run.css("#status").text, run.css("#status").text
        return f"the new page's operation listed {took:.1f} s after the write, no manual reload"
    run.step("watch", follows)


def main():
    mode, base, shots = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(shots, exist_ok=True)
    out = shots
    if mode == "readme":  # the step's own screenshot is not one of the README's
        shots = tempfile.mkdtemp(prefix="explorer-steps-")
    run = Run(mode, base, shots)
    try:
        if mode == "seed":
            seed(run)
        elif mode == "token":
            token(run, sys.argv[4])
        elif mode == "corpus":
            corpus(run)
        elif mode == "readme":
            readme(run, out)
        elif mode == "watch":
            watch(run, sys.argv[4])
        else:
            raise SystemExit(f"unknown mode {mode}")
    finally:
        ok = run.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
