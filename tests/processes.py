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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving the app from `db_path` on 127.0.0.1, as `make serve` does."""

    def __init__(self, db_path: str, workers: int = 2, env: dict | None = None):
        """Start it and wait until /healthz answers."""
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"LOCATOR_DATABASE": db_path, "LOCATOR_WORKERS": str(workers),
                            "LOCATOR_BIND": f"127.0.0.1:{self.port}"} | (env or {})
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.proc = subprocess.Popen([gunicorn, "--access-logfile", "/dev/null", "wsgi:app"],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The pids of the master's worker processes."""
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as fh:
            return [int(pid) for pid in fh.read().split()]

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
