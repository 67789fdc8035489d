"""Storage faults: a full disk and a read-only disk refuse imports and console writes clearly,
keep reads working, and corrupt nothing. Uses a tiny tmpfs: the tests need root (CI runs as
root) and skip without it."""

import errno
import io
import os
import re
import shutil
import subprocess

import pytest

from bench.make_dataset import dataset_csv
from locator import create_app
from locator.db import close_kept_stores
from locator.store import Store
from tests.admin_support import (
    PASSWORD,
    USER,
    console_app,
    dataset,
    english,
    make_admin,
    signed_in,
    text,
    token,
)
from tests.factories import csv_bytes, load, row
from tests.processes import flask_cli, run_cli

# Only root may mount the tiny disk (and remount it read-only): elsewhere these skip, loudly.
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to mount a tmpfs: run as root (.ci/run does)")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MB tmpfs mounted in tmp_path, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        # Root in a container without CAP_SYS_ADMIN: not a fault of ours.
        said = (done.stderr.strip().splitlines() or ["no message"])[0]
        pytest.skip(f"cannot mount a tmpfs here ({said}): needs root that may mount "
                    "(a privileged container)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def failing_import(db_path: str, csv_path: str) -> str:
    """Run an import that must fail; return its stderr."""
    proc = flask_cli(db_path, "facilities", "import", csv_path, "--yes")
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode != 0
    return err.decode()


def assert_reads_work(db_path: str, version: int, count: int) -> None:
    """The API, /healthz and the store all serve the expected dataset."""
    client = create_app({"TESTING": True, "DATABASE": db_path}).test_client()
    health = client.get("/healthz").get_json()
    assert (health["dataset_version"], health["facilities"]) == (version, count)
    body = client.get("/api/nearest?lat=22.5&lon=113.0&limit=3").get_json()
    assert body["dataset_version"] == version and len(body["results"]) == 3
    store = Store(db_path)
    assert store.integrity_ok() and store.facilities.count() == count
    store.close()


def write_csv(tmp_path, n: int) -> str:
    """A synthetic CSV of n rows outside the tiny disk."""
    path = tmp_path / f"rows-{n}.csv"
    path.write_bytes(dataset_csv(n))
    return str(path)


def test_full_disk_refuses_the_import_and_keeps_serving(tmp_path, tiny_disk):
    db_path = str(tiny_disk / "locator.sqlite")
    run_cli(db_path, "facilities", "import", write_csv(tmp_path, 200))
    before = run_cli(db_path, "facilities", "export", "-")
    err = failing_import(db_path, write_csv(tmp_path, 20000))
    assert "disk is full" in err and "nothing was changed" in err and "Traceback" not in err
    assert run_cli(db_path, "facilities", "export", "-") == before
    assert_reads_work(db_path, version=1, count=200)


def test_read_only_disk_refuses_the_import_and_keeps_serving(tmp_path, tiny_disk):
    db_path = str(tiny_disk / "locator.sqlite")
    run_cli(db_path, "facilities", "import", write_csv(tmp_path, 200))
    before = run_cli(db_path, "facilities", "export", "-")
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    err = failing_import(db_path, write_csv(tmp_path, 300))
    assert "read-only" in err and "Traceback" not in err
    assert run_cli(db_path, "facilities", "export", "-") == before
    assert_reads_work(db_path, version=1, count=200)
    subprocess.run(["mount", "-o", "remount,rw", str(tiny_disk)], check=True)
    run_cli(db_path, "facilities", "import", write_csv(tmp_path, 300), "--yes")
    assert_reads_work(db_path, version=2, count=300)


# -- the admin console on a failing disk: never a 500, and the page says what really happened --

PAGE = 4096  # tmpfs allocates whole pages


def console_on(disk):
    """A dataset (version 1), an admin and a console app on `disk`; a client signed in there."""
    db_path = str(disk / "locator.sqlite")
    load(db_path, row(1), row(2), row(3))
    make_admin(db_path)
    app = console_app(db_path)
    return db_path, app, signed_in(app)


def upload(client, data: bytes):
    """Post a file to the upload form in merge mode; return the response."""
    return client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "new.csv"), "mode": "merge",
        "csrf_token": token(client, "/admin/upload")})


def previewed_sha(response) -> str:
    """The sha256 the preview's confirm form carries."""
    return re.search(r'name="sha256" value="([0-9a-f]{64})"',
                     response.get_data(as_text=True)).group(1)


def confirm(client, sha256: str, csrf: str):
    """Post the preview's confirm form with a token fetched beforehand."""
    return client.post("/admin/upload/confirm", data={"sha256": sha256, "csrf_token": csrf})


def empty_wal(db_path: str) -> None:
    """Checkpoint the WAL into the database and cut it to 0 bytes: the next write must grow it.

    The app's connection stays open (kept by this thread), so the -shm file stays allocated."""
    store = Store(db_path)
    busy, _log, _done = store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    store.close()
    assert busy == 0


def fill(disk, leave_pages: int = 0) -> None:
    """Fill the disk with a file, then free exactly `leave_pages` pages of it."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (65536, PAGE):
            try:
                while os.write(fd, bytes(chunk)):
                    pass
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, size - size % PAGE - leave_pages * PAGE)


def break_disk(disk, db_path: str, fault: str) -> None:
    """Make the disk refuse the next write: full, or remounted read-only."""
    if fault == "full":
        empty_wal(db_path)
        fill(disk)
        return
    close_kept_stores()  # a database open for writing keeps the remount from happening
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_logout_on_a_failing_disk_signs_this_browser_out_and_says_what_remains(tiny_disk,
                                                                               fault):
    db_path, app, client = console_on(tiny_disk)
    copied = client.get_cookie("session").value
    csrf = token(client, "/admin/")
    break_disk(tiny_disk, db_path, fault)
    response = client.post("/admin/logout", data={"csrf_token": csrf})
    assert response.status_code == 503
    page = text(response)
    assert "signed out in this browser" in page and "could not record" in page
    assert "Signed in as" not in page
    assert client.get("/admin/").status_code == 302  # this browser is signed out
    # The server's row could not be deleted: a copy of the cookie works until the row expires,
    # as the page said.
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/").status_code == 200


def test_a_confirm_is_never_reported_failed_after_its_import_committed(tmp_path, tiny_disk):
    db_path, app, client = console_on(tiny_disk)
    data = csv_bytes(row(1), row(2), row(3), row(4))
    sha = previewed_sha(upload(client, data))
    csrf = token(client, "/admin/upload")
    # Measure how much WAL the confirm writes, then undo it: back to the previewed state.
    empty_wal(db_path)
    previewed = tmp_path / "previewed.sqlite"
    shutil.copy(db_path, previewed)
    assert confirm(client, sha, csrf).status_code == 302
    needed = -(-os.path.getsize(db_path + "-wal") // PAGE)
    close_kept_stores()  # closing checkpoints and removes the WAL
    shutil.copy(previewed, db_path)
    assert client.get("/admin/").status_code == 200
    empty_wal(db_path)
    # One page short of what the whole confirm wrote: at best its first transaction fits.
    fill(tiny_disk, leave_pages=needed - 1)
    response = confirm(client, sha, csrf)
    version, _ = dataset(db_path)
    assert response.status_code == 503 and "Nothing was changed" in text(response)
    assert version == 1
    # Room again: the same preview can be confirmed, once.
    os.unlink(tiny_disk / "filler")
    assert confirm(client, sha, csrf).status_code == 302
    assert dataset(db_path)[0] == 2
    assert confirm(client, sha, csrf).status_code == 410


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_preview_and_sign_in_on_a_failing_disk_get_the_could_not_be_saved_page(tiny_disk, fault):
    db_path, app, client = console_on(tiny_disk)
    csrf = token(client, "/admin/upload")
    newcomer = english(app.test_client())
    login_csrf = token(newcomer)
    break_disk(tiny_disk, db_path, fault)
    response = client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(csv_bytes(row(5))), "new.csv"), "mode": "merge", "csrf_token": csrf})
    assert response.status_code == 503 and "could not be saved" in text(response)
    response = newcomer.post("/admin/login", data={"username": USER, "password": PASSWORD,
                                                   "csrf_token": login_csrf})
    assert response.status_code == 503 and "could not be saved" in text(response)


@pytest.mark.parametrize("command", [["admin", "create", "bob", "--password-stdin"],
                                     ["admin", "password", USER, "--password-stdin"]])
def test_account_commands_on_a_read_only_disk_fail_clearly(tiny_disk, command):
    db_path = str(tiny_disk / "locator.sqlite")
    make_admin(db_path)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    proc = flask_cli(db_path, *command, stdin=subprocess.PIPE)
    _out, err = proc.communicate(b"tea kettle under the banyan\n", timeout=60)
    assert proc.returncode == 1
    assert "read-only" in err.decode() and "Traceback" not in err.decode()
