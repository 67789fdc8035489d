"""Storage faults: a full disk and a read-only disk refuse imports clearly, keep reads working,
and corrupt nothing. Uses a tiny tmpfs (the tests run as root, as CI does)."""

import subprocess

import pytest

from bench.make_dataset import dataset_csv
from locator import create_app
from locator.store import Store
from tests.processes import flask_cli, run_cli


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MB tmpfs mounted in tmp_path, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
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
    assert store.integrity_ok() and store.count() == count
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
