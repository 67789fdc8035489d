"""A gunicorn worker killed (SIGKILL) while it applies an import confirmed in the admin console:
the dataset stays at the old or the new version, the database is intact, serving goes on."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import requests

from bench.make_dataset import dataset_csv
from locator.store import Store
from tests.processes import ROOT, Gunicorn, run_cli

PASSWORD = "a long and unusual passphrase 7"


def csrf(html: str) -> str:
    """The CSRF token in a console form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(url: str) -> requests.Session:
    """A console session for the admin created in the test."""
    session = requests.Session()
    token = csrf(session.get(url + "/admin/login").text)
    response = session.post(url + "/admin/login", data={
        "csrf_token": token, "username": "admin", "password": PASSWORD})
    assert response.status_code == 200 and "/admin/login" not in response.url
    return session


def test_worker_killed_mid_import_leaves_one_version(tmp_path, db_path):
    (tmp_path / "old.csv").write_bytes(dataset_csv(20000, seed=1))
    run_cli(db_path, "facilities", "import", str(tmp_path / "old.csv"))
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "admin", "create", "admin",
                    "--password-stdin"], input=PASSWORD.encode(), cwd=ROOT, check=True,
                   env=os.environ | {"LOCATOR_DATABASE": db_path}, capture_output=True)
    server = Gunicorn(db_path, workers=2, env={"LOCATOR_SESSION_COOKIE_SECURE": "false"})
    try:
        session = signed_in(server.url)
        token = csrf(session.get(server.url + "/admin/upload").text)
        new = dataset_csv(90000, seed=2)
        preview = session.post(server.url + "/admin/upload", data={
            "csrf_token": token, "mode": "replace"}, files={"file": ("new.csv", new)})
        assert preview.status_code == 200, preview.text[:500]
        sha256 = re.search(r'name="sha256" value="([0-9a-f]{64})"', preview.text).group(1)
        confirm = threading.Thread(target=lambda: _post_quietly(session, server.url, {
            "csrf_token": csrf(preview.text), "sha256": sha256, "accept_removal": "1"}))
        confirm.start()
        _kill_workers_once_writing(server, db_path)
        confirm.join(60)
        assert requests.get(server.url + "/healthz", timeout=30).status_code == 200
    finally:
        server.stop()
    store = Store(db_path)
    assert store.integrity_ok()
    version = store.versions.current()["number"]
    # Killed inside the write transaction: SQLite rolled it back on the next open.
    assert (version, store.facilities.count()) == (1, 20000)
    assert store.facilities.by_id() == {r["id"]: r for r in store.versions.records(version)}
    store.close()


def _post_quietly(session: requests.Session, url: str, form: dict) -> None:
    """POST the confirm form; the worker dies under it, so no answer is expected."""
    try:
        session.post(url + "/admin/upload/confirm", data=form, timeout=120)
    except requests.RequestException:
        pass


def _kill_workers_once_writing(server: Gunicorn, db_path: str) -> None:
    """SIGKILL every worker half a second into the import's write transaction."""
    deadline = time.monotonic() + 120
    while not _writer_active(db_path):
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.01)
    time.sleep(0.5)
    assert _writer_active(db_path), "the write finished too fast to be interrupted"
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)


def _writer_active(db_path: str) -> bool:
    """Whether another connection holds SQLite's write lock right now."""
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()
