"""Page budgets, a table and not a test: `python -m bench.page_weight [--no-lighthouse]`.

On 10,000 synthetic facilities, with tiles pointed at a local stub:
* weight: each page's HTML plus every JS/CSS file (and data JSON) it loads, gzip-compressed;
* Lighthouse 12.8.2 (npx, mobile defaults, Debian's chromium) performance and accessibility,
  against the app as it serves itself (it compresses text; the bench gzips anything it left);
* throughput: /nearest (HTML) and /api/nearest (JSON) under gunicorn with 2 workers, measured in
  the same run from random origins, by a bounded Python load client on 127.0.0.1.
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
BUDGET_KB = {"/nearest": 150, "/map (10,000)": 400}
LIGHTHOUSE = "lighthouse@12.8.2"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --no-first-run")
COMPRESSIBLE = ("text/", "application/javascript", "application/json")


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


def stub_and_gzip(app):
    """WSGI: stub tiles under /__tiles/; gzip text the app left uncompressed, as a proxy would."""
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


def serve(app):
    """Serve the app (stubbed tiles, gzip) on a free 127.0.0.1 port; return server and base."""
    httpd = make_server("127.0.0.1", 0, stub_and_gzip(app), threaded=True,
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
        httpd, base = (None, None) if args.no_lighthouse else serve(app)
        for path, label in PAGES:
            gz, raw, files = weight(client, path)
            budget = BUDGET_KB.get(label)
            verdict = f"≤ {budget} {'ok' if gz / 1024 <= budget else 'OVER'}" if budget else ""
            name = label.split()[0].strip("/") or "home"
            lh = {} if args.no_lighthouse or name == "home" else lighthouse(base + path, OUT, name)
            print(f"| {label} | {files} | {raw / 1024:.1f} | {gz / 1024:.1f} | {verdict} | "
                  f"{lh.get('performance', '')} | {lh.get('accessibility', '')} | "
                  f"{lh.get('lcp_ms', '')} | {lh.get('tbt_ms', '')} |")
        if httpd:
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
