"""Page budgets, a table and not a test: `python -m bench.page_weight [--no-lighthouse]`.

On 10,000 synthetic facilities, with tiles pointed at a local stub:
* weight: each page's HTML plus every JS/CSS file (and data JSON) it loads, gzip-compressed;
* Lighthouse 12.8.2 (npx, mobile defaults, Debian's chromium) performance and accessibility,
  against the app as it serves itself (it compresses text; the bench gzips anything it left);
* throughput: /nearest (HTML) and /api/nearest (JSON) under gunicorn with 2 workers, measured in
  the same run from random origins, by a bounded Python load client on 127.0.0.1;
* offline (`visits`): Debian's chromium at 390×844 with the service worker, the bytes our server
  sends on the first visit to /nearest (the page, its files, then the worker's shell and the
  snapshot) and on a repeat visit, and the time to the first result card on a slow phone:
  Lighthouse's mobile throttling (150 ms a request and 1.6 Mbit/s, applied by the server here,
  so the worker's own requests are slowed too; CPU 4× slower through CDP) — first visit, repeat
  visit, and offline after one visit. Tiles (a local stub) are not counted.
"""

import argparse
import gzip
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

from werkzeug.serving import WSGIRequestHandler, make_server

from bench.make_dataset import AREA, synthetic_records
from locator import create_app
from locator.store import Change, Store

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")  # full Lighthouse reports (gitignored)
N_FACILITIES = 10_000
TILE_URL = "/__tiles/{z}/{x}/{y}.png"
TILE = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
                     "0000000c49444154789c6378f1e60900057802b95355da690000000049454e44ae426082")
NEAREST = "/nearest?lat=22.5281&lon=113.0310&category=nursing_room"
PAGES = [("/", "home"), (NEAREST, "/nearest"), ("/facilities/synthetic-0000001", "/facilities"),
         ("/map", "/map (10,000)")]
BUDGET_KB = {"/nearest": 60, "/map (10,000)": 400}
LIGHTHOUSE = "lighthouse@12.8.2"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --no-first-run")
COMPRESSIBLE = ("text/", "application/javascript", "application/json")
PHONE = {"width": 390, "height": 844}
# Lighthouse's mobile throttling: 150 ms round trip, 1,638.4 kbit/s down, CPU 4× slower.
RTT_S = 0.150
DOWN_BYTES_S = 1638.4 * 1024 / 8
CPU_SLOWDOWN = 4
# The service worker controls the page and has kept the snapshot (evaluate awaits it).
WORKER_READY = """async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    if (!reg || !reg.active || !navigator.serviceWorker.controller) { return false; }
    return Boolean(await (await caches.open('locator-data')).match('/api/snapshot'));
}"""


class Wire:
    """What the server sent (path, status, bytes) and, when slow, a phone network's delays."""

    def __init__(self):
        self.sent: list[tuple[str, int, int]] = []
        self.slow = False

    def record(self, path: str, status: str, size: int) -> None:
        """Count one answer (tiles aside) and, on a slow network, take as long as it would."""
        if path.startswith("/__tiles/"):
            return
        self.sent.append((path, int(status.split()[0]), size))
        if self.slow:
            time.sleep(RTT_S + size / DOWN_BYTES_S)

    def total(self) -> int:
        """Bytes sent since the last reset."""
        return sum(size for _, _, size in self.sent)


def build_database(path: str) -> None:
    """The synthetic dataset as the first version."""
    rows = synthetic_records(N_FACILITIES)
    for r in rows:
        r["lat"], r["lon"] = float(r["lat"]), float(r["lon"])
    store = Store(path)
    store.migrate()
    store.versions.commit(rows, Change([r["id"] for r in rows], [], [], 0), actor="bench",
                         kind="import")
    store.close()


def stub_and_gzip(app, wire: Wire | None = None):
    """WSGI: stub tiles under /__tiles/; gzip text the app left uncompressed, as a proxy would;
    count what is sent on `wire`."""
    def wsgi(environ, start_response):
        if environ["PATH_INFO"].startswith("/__tiles/"):
            start_response("200 OK", [("Content-Type", "image/png")])
            return [TILE]
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
        body = b"".join(app(environ, capture))
        headers = [h for h in captured["headers"] if h[0].lower() != "content-length"]
        named = {k.lower(): v for k, v in headers}
        kind, encoded = named.get("content-type", ""), "content-encoding" in named
        if ("gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") and kind.startswith(COMPRESSIBLE)
                and not encoded):
            body = gzip.compress(body, 6)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        if wire is not None:
            size = len(body) + sum(len(k) + len(v) + 4 for k, v in headers)
            wire.record(environ["PATH_INFO"], captured["status"], size)
        start_response(captured["status"], headers)
        return [body]
    return wsgi


class Assets(HTMLParser):
    """The script and stylesheet URLs of a page."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.urls.append(a["href"])


def weight(client, path: str) -> tuple[int, int, int]:
    """(gzip bytes, raw bytes, files) of a page with every JS/CSS/JSON it loads."""
    html = client.get(path).get_data()
    parser = Assets()
    parser.feed(html.decode())
    bodies = [html] + [client.get(u).get_data() for u in parser.urls]
    island = re.search(rb'id="map-data"[^>]*>(.*?)</script>', html, re.S)
    data_url = island and json.loads(island.group(1)).get("url")
    if data_url:
        bodies.append(client.get(data_url).get_data())
    return sum(len(gzip.compress(b, 6)) for b in bodies), sum(map(len, bodies)), len(bodies)


class QuietHandler(WSGIRequestHandler):
    """No access log: the table is the output."""

    def log_request(self, *args, **kwargs):
        """Skip."""


def serve(app, wire: Wire | None = None):
    """Serve the app (stubbed tiles, gzip) on a free 127.0.0.1 port; return server and base."""
    httpd = make_server("127.0.0.1", 0, stub_and_gzip(app, wire), threaded=True,
                        request_handler=QuietHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}"


def lighthouse(url: str, out_dir: str, name: str) -> dict:
    """Lighthouse's performance and accessibility scores (0–100) for a URL, mobile defaults."""
    out = os.path.join(out_dir, f"lighthouse-{name}.json")
    env = os.environ | {"CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(["npx", "--yes", LIGHTHOUSE, url, "--output=json", f"--output-path={out}",
                    "--quiet", "--only-categories=performance,accessibility",
                    f"--chrome-flags={CHROME_FLAGS}"], check=True, env=env, timeout=300,
                   stdout=subprocess.DEVNULL)
    with open(out) as fh:
        report = json.load(fh)
    scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
    scores["lcp_ms"] = round(report["audits"]["largest-contentful-paint"]["numericValue"])
    scores["tbt_ms"] = round(report["audits"]["total-blocking-time"]["numericValue"])
    return scores


def _phone(browser):
    """A new phone-sized context and page (no shared cache with any other)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    return context, context.new_page()


def _wait_worker(page) -> None:
    """Wait (at most 30 s) until the service worker controls the page and kept the snapshot."""
    for _ in range(300):
        if page.evaluate(WORKER_READY):
            return
        page.wait_for_timeout(100)
    raise RuntimeError("the service worker did not take control and keep the snapshot")


def _first_result(page, url: str, selector: str) -> float:
    """Milliseconds from asking for `url` to its first result card in the page."""
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(selector, timeout=60000)
    return (time.perf_counter() - start) * 1000


def visits(base: str, wire: Wire) -> dict:
    """Bytes of a first and a repeat visit to /nearest with the service worker, and time to the
    first result on a slow phone: first visit, repeat visit, offline after one visit."""
    from playwright.sync_api import sync_playwright

    url, out = base + NEAREST, {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROME_PATH", CHROMIUM),
                                     args=CHROME_FLAGS.split()[1:], headless=True)
        context, page = _phone(browser)
        wire.sent.clear()
        page.goto(url)
        page.wait_for_load_state("load")
        out["first_page"] = wire.total()
        _wait_worker(page)
        page.wait_for_load_state("networkidle")
        out["first"], out["snapshot"] = wire.total(), sum(
            size for path, _, size in wire.sent if path == "/api/snapshot")
        wire.sent.clear()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)  # the worker's revalidation of the snapshot (a 304)
        out["repeat"] = wire.total()
        out["repeat_what"] = ", ".join(f"{path} {status}" for path, status, _ in wire.sent)
        context.close()

        wire.slow = True
        context, page = _phone(browser)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        out["ms_first"] = _first_result(page, url, "ol.results > li")
        _wait_worker(page)
        page.wait_for_load_state("networkidle")
        out["ms_repeat"] = _first_result(page, url, "ol.results > li")
        context.set_offline(True)
        out["ms_offline"] = _first_result(page, url, "#offline-results > li")
        wire.slow = False
        context.close()
        browser.close()
    return out


def print_visits(v: dict) -> None:
    """The offline table."""
    print("\n| /nearest with the service worker (bytes sent, headers included) | value |\n"
          "|---|---|")
    print(f"| first visit: the page and its files | {v['first_page'] / 1024:.1f} KB |")
    print(f"| first visit: with the worker's shell and the snapshot "
          f"({v['snapshot'] / 1024:.1f} KB) | {v['first'] / 1024:.1f} KB |")
    print(f"| repeat visit ({v['repeat_what']}) | {v['repeat'] / 1024:.1f} KB |")
    print(f"| first result, first visit (slow phone) | {v['ms_first']:.0f} ms |")
    print(f"| first result, repeat visit (slow phone) | {v['ms_repeat']:.0f} ms |")
    print(f"| first result, offline after one visit (slow phone) | {v['ms_offline']:.0f} ms |")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throughput(db: str, seconds: float) -> dict[str, float]:
    """Requests/s of /api/nearest and /nearest under gunicorn (2 workers), interleaved rounds."""
    port = free_port()
    env = os.environ | {"LOCATOR_DATABASE": db, "LOCATOR_TILE_URL": TILE_URL}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_up(base)
        _load(base, "/api/nearest", 1.0)
        _load(base, "/nearest", 1.0)  # warm: shells built, catalogues loaded
        totals = {"/api/nearest": 0.0, "/nearest": 0.0}
        for _ in range(2):
            for path in totals:
                totals[path] += _load(base, path, seconds / 2)
        return {path: count / seconds for path, count in totals.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_up(base: str) -> None:
    """Wait (at most 30 s) until the server answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _load(base: str, path: str, seconds: float, clients: int = 4) -> int:
    """Requests completed in `seconds` by `clients` threads from random Xinhui origins."""
    deadline = time.monotonic() + seconds

    def client(seed: int) -> int:
        rng, done = random.Random(seed), 0
        while time.monotonic() < deadline:
            lat, lon = rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3])
            url = f"{base}{path}?lat={lat:.5f}&lon={lon:.5f}&category=nursing_room"
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                done += response.status == 200
        return done
    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(client, range(clients)))


def main() -> None:
    """Print the budget table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the service worker visits (they need chromium)")
    parser.add_argument("--seconds", type=float, default=6.0, help="load time per endpoint")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="locator-bench-")
    os.makedirs(OUT, exist_ok=True)
    try:
        db = os.path.join(tmp, "bench.sqlite")
        build_database(db)
        app = create_app({"DATABASE": db, "TILE_URL": TILE_URL})
        client = app.test_client()
        print(f"{N_FACILITIES} synthetic facilities; tiles stubbed locally; gzip level 6\n")
        print("| page | files | raw KB | gzip KB | budget | Lighthouse perf | a11y | LCP ms "
              "| TBT ms |\n|---|---|---|---|---|---|---|---|---|")
        wire = Wire()
        httpd, base = serve(app, wire)
        for path, label in PAGES:
            gz, raw, files = weight(client, path)
            budget = BUDGET_KB.get(label)
            verdict = f"≤ {budget} {'ok' if gz / 1024 <= budget else 'OVER'}" if budget else ""
            name = label.split()[0].strip("/") or "home"
            lh = {} if args.no_lighthouse or name == "home" else lighthouse(base + path, OUT, name)
            print(f"| {label} | {files} | {raw / 1024:.1f} | {gz / 1024:.1f} | {verdict} | "
                  f"{lh.get('performance', '')} | {lh.get('accessibility', '')} | "
                  f"{lh.get('lcp_ms', '')} | {lh.get('tbt_ms', '')} |")
        if not args.no_browser:
            print_visits(visits(base, wire))
        httpd.shutdown()
        rates = throughput(db, args.seconds)
        ratio = rates["/nearest"] / rates["/api/nearest"]
        print(f"\n| gunicorn -w 2, {args.seconds:g} s each | requests/s |\n|---|---|")
        for path, rate in rates.items():
            print(f"| {path} | {rate:.0f} |")
        print(f"| /nearest ÷ /api/nearest | {ratio:.0%} (budget ≥ 30 %"
              f" {'ok' if ratio >= 0.30 else 'OVER'}) |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
