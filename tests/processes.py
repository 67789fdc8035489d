"""Real child processes for tests: the Flask CLI on a given database file."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def flask_cli(db_path: str, *args: str, **kw) -> subprocess.Popen:
    """Start `flask --app wsgi ARGS` as a child process on `db_path`."""
    env = os.environ | {"LOCATOR_DATABASE": db_path}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def run_cli(db_path: str, *args: str) -> str:
    """Run a CLI command to completion; fail the test if it fails."""
    proc = flask_cli(db_path, *args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return out.decode()


def wal_size(path: str) -> int:
    """The WAL file's size, 0 while it does not exist."""
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0
