"""A gunicorn worker killed with SIGKILL mid-request: the master replaces it, the server keeps
answering, and the database stays intact."""

import http.client
import os
import signal
import threading
import time

from bench.make_dataset import dataset_csv
from locator.store import Store
from tests.processes import Gunicorn, run_cli


def get(port: int, path: str) -> int:
    """The status of one GET on a fresh connection (a refused or cut one counts as 0)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):  # cut off by the kill, mid-response
        return 0
    finally:
        conn.close()


def test_killed_workers_are_replaced_and_serving_goes_on(tmp_path, db_path):
    (tmp_path / "rows.csv").write_bytes(dataset_csv(3000))
    run_cli(db_path, "facilities", "import", str(tmp_path / "rows.csv"))
    server = Gunicorn(db_path, workers=2)
    statuses, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            statuses.append(get(server.port, "/nearest?lat=22.5&lon=113.0&limit=20"))

    threads = [threading.Thread(target=load) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1)
        for _ in range(3):  # kill every worker in turn, while requests are in flight
            for pid in server.worker_pids():
                os.kill(pid, signal.SIGKILL)
            time.sleep(1.5)
        killed_at = len(statuses)
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    after = statuses[killed_at:]
    try:
        assert len(server.worker_pids()) == 2
        assert after and set(after) == {200}, after[:20]
        assert get(server.port, "/healthz") == 200
    finally:
        server.stop()
    # Requests cut off by a kill may fail; most of the run must still have been served.
    assert statuses.count(200) > 0.9 * len(statuses)
    store = Store(db_path)
    assert store.integrity_ok() and store.facilities.count() == 3000
    store.close()
