"""Real child processes for tests: the Flask CLI on a given database file."""

import contextlib
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

    def __init__(self, db_path: str, workers: int = 2, env: dict | None = None,
                 args: tuple[str, ...] = (), stderr: str | None = None):
        """Start it (`args`: further gunicorn options; `stderr`: a file for its and the app's
        log, else none is kept) and wait until /healthz answers."""
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"LOCATOR_DATABASE": db_path, "LOCATOR_WORKERS": str(workers),
                            "LOCATOR_BIND": f"127.0.0.1:{self.port}"} | (env or {})
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        log = open(stderr, "ab") if stderr else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen([gunicorn, "--access-logfile", "/dev/null", *args,
                                          "wsgi:app"], cwd=ROOT, env=env,
                                         stdout=subprocess.DEVNULL, stderr=log)
        finally:
            if stderr:
                log.close()  # the child has its own copy
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

    @classmethod
    def on_sample(cls, folder, **options) -> "Gunicorn":
        """gunicorn on a new database in `folder` holding the sample dataset (facilities.csv)."""
        db_path = os.path.join(folder, "locator.sqlite")
        run_cli(db_path, "facilities", "init")
        return cls(db_path, **options)

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class SlowClients:
    """`n` connections to 127.0.0.1:`port` that each send the start of a request, then one
    header line every `interval` s, never finishing it (a context manager)."""

    def __init__(self, port: int, n: int, interval: float = 2.0, reconnect: bool = False):
        """`reconnect`: replace each connection the server drops (to stay at `n` connected)."""
        import threading

        self.port, self.n, self.interval, self.reconnect = port, n, interval, reconnect
        self.sockets: list = []
        self.dropped = 0  # connections the server closed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> "SlowClients":
        """Connect all of them, then start trickling."""
        self.sockets = [self._connect() for _ in range(self.n)]
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop and close every connection."""
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()

    def _connect(self):
        """A new connection that has sent a request line and its first header."""
        import socket

        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.settimeout(None)  # blocking: a MSG_DONTWAIT read then answers at once
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    def _trickle(self) -> None:
        """Send each connection one more header line every interval; count the dropped."""
        line = 0
        while not self._stop.wait(self.interval):
            line += 1
            for i, sock in enumerate(self.sockets):
                if sock.fileno() < 0:
                    continue
                try:
                    if self._answered(sock):
                        raise ConnectionResetError("closed by the server")
                    sock.sendall(b"X-Slow-%d: still typing\r\n" % line)
                except OSError:
                    self.dropped += 1
                    sock.close()
                    if self.reconnect:
                        with contextlib.suppress(OSError):  # retried next interval
                            self.sockets[i] = self._connect()

    @staticmethod
    def _answered(sock) -> bool:
        """Whether the server has closed this connection (or sent anything on it)."""
        import socket

        try:
            sock.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK)
        except BlockingIOError:
            return False
        return True
