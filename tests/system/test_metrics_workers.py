"""/metrics under gunicorn with several workers (prometheus_client's multiprocess mode, set up by
gunicorn.conf.py): a scrape, whichever worker answers it, sums the requests every worker served,
and a worker that ends keeps its counts in the total. The app's own request lines (JSON) say
which worker served each request."""

import http.client
import json
import os
import signal
import time

from prometheus_client.parser import text_string_to_metric_families

from tests.processes import Gunicorn

# The sample dataset (facilities.csv), by category.
SAMPLE = {"nursing_room": 1, "coach_stop": 1, "bus_stop": 1, "landmark": 4}


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One GET on a fresh connection (so the workers share them): status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def scrape(port: int) -> dict:
    """/metrics, parsed: (sample name, sorted label items) → value."""
    status, _, body = get(port, "/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples}


def healthz_count(samples: dict) -> float:
    """Requests to /healthz answered 200, as the scrape counts them."""
    return samples[("locator_http_requests_total",
                    (("endpoint", "health.healthz"), ("method", "GET"), ("status", "200")))]


def request_lines(log_path) -> list[dict]:
    """The app's JSON request lines in the log so far."""
    lines = []
    for text in log_path.read_text().splitlines():
        if text.startswith("{"):
            line = json.loads(text)
            if line["logger"] == "locator.requests":
                lines.append(line)
    return lines


def healthz_pids(log_path) -> list[int]:
    """The worker pid of each logged 200 answer to /healthz."""
    return [line["pid"] for line in request_lines(log_path)
            if line["endpoint"] == "health.healthz" and line["status"] == 200]


def test_a_scrape_sums_the_requests_of_every_worker(tmp_path):
    log_path = tmp_path / "server.log"
    server = Gunicorn.on_sample(tmp_path, workers=2, stderr=str(log_path),
                                env={"LOCATOR_LOG_FORMAT": "json", "TMPDIR": str(tmp_path)})
    try:
        # Fresh connections until both workers have served some (the kernel picks the worker).
        for _ in range(500):
            assert get(server.port, "/healthz")[0] == 200
            if len(set(healthz_pids(log_path))) == 2:
                break
        served = healthz_pids(log_path)
        assert set(served) == set(server.worker_pids())
        # Any worker's scrape sums them all, and every scrape agrees.
        for _ in range(4):
            assert healthz_count(scrape(server.port)) == len(served)
        samples = scrape(server.port)
        assert samples[("locator_dataset_version", ())] == 1
        for category, count in SAMPLE.items():
            assert samples[("locator_facilities", (("category", category),))] == count

        # A worker that ends keeps its requests in the total (the master starts another).
        before = set(server.worker_pids())
        os.kill(sorted(before)[0], signal.SIGTERM)
        deadline = time.monotonic() + 30
        while len(set(server.worker_pids()) - before) < 1 or len(server.worker_pids()) < 2:
            assert time.monotonic() < deadline, "no replacement worker"
            time.sleep(0.1)
        assert get(server.port, "/healthz")[0] == 200
        assert healthz_count(scrape(server.port)) == len(healthz_pids(log_path)) == len(served) + 1
    finally:
        server.stop()
    # The counters' folder gunicorn.conf.py made (under TMPDIR) is gone with the server.
    assert list(tmp_path.glob("locator-metrics-*")) == []


def test_the_request_id_round_trip_through_gunicorn(tmp_path):
    log_path = tmp_path / "server.log"
    server = Gunicorn.on_sample(tmp_path, workers=1, stderr=str(log_path))
    try:
        status, headers, _ = get(server.port, "/nearest?lat=22.5312&lon=113.0871&q=%E6%88%91",
                                 {"X-Request-ID": "edge-7f3a.1"})
        assert status == 200 and headers["X-Request-ID"] == "edge-7f3a.1"
    finally:
        server.stop()
    log = log_path.read_text()
    [line] = [text for text in log.splitlines() if "request_id=edge-7f3a.1" in text]
    assert ' path="/nearest?lat=-&lon=-&q=-" status=200 ' in line
    assert "22.53" not in log and "113.08" not in log and "%E6" not in log
