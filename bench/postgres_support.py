"""PostgreSQL for the benchmarks: the tests' private cluster (tests/postgres.py), either in a
temporary folder or kept in a cache folder between runs, and a backend's CPU time."""

import contextlib
import os
import shutil
from collections.abc import Iterator

import psycopg

import locator.store.postgres.connection as postgres_connection
from tests.postgres import SKIP_REASON, Cluster, _run_as, server_bin


class KeptCluster(Cluster):
    """A cluster whose data folder survives the run: made once, started again next time."""

    def __init__(self, bin_dir: str, folder: str):
        """Start the cluster in `folder`, running initdb first if it holds none."""
        # Cluster.__init__ would make a temporary folder: set up the same fields here instead.
        self.bin, self.port, self.folder = bin_dir, 5432, folder
        self.data = os.path.join(folder, "data")
        self._user = _run_as()  # PostgreSQL refuses to run as root
        os.makedirs(folder, exist_ok=True)
        if self._user is not None:
            os.chown(folder, self._user.pw_uid, self._user.pw_gid)
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            shutil.rmtree(self.data, ignore_errors=True)
            self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                     "--encoding=UTF8", "--locale=C.UTF-8")
        self.start()

    def close(self) -> None:
        """Stop the server cleanly and keep its folder."""
        self.stop("fast")


@contextlib.contextmanager
def running_cluster(cache: str | None) -> Iterator[Cluster]:
    """A running cluster, kept in `cache`/postgres if given, else in a temporary folder."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise SystemExit(f"PostgreSQL is missing: {SKIP_REASON}")
    cluster = KeptCluster(bin_dir, os.path.join(cache, "postgres")) if cache else Cluster(bin_dir)
    try:
        yield cluster
    finally:
        postgres_connection.close_pools()
        cluster.close()


def has_database(cluster: Cluster, name: str) -> bool:
    """Whether the cluster holds a database of that name."""
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [name]).fetchone() is not None


def fresh_database(cluster: Cluster, name: str) -> str:
    """A new, empty database of that name with PostGIS and pg_trgm (dropped first if there);
    its URL."""
    postgres_connection.close_pools()
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return cluster.database(name)


def backend_cpu_s(conn: psycopg.Connection) -> float | None:
    """CPU seconds the server process behind `conn` has used so far (None if it is not on this
    machine or not readable): the client's CPU time leaves out the server's share."""
    try:
        with open(f"/proc/{conn.info.backend_pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the ")" closing the command name, utime and stime are the 12th and 13th fields.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
