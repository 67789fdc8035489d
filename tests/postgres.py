"""A private PostgreSQL + PostGIS cluster for the tests, in a temporary folder of its own.

Started once per test session with Debian's initdb and pg_ctl (package postgresql-15-postgis-3),
listening only on a Unix socket in that folder; as root it runs as the `postgres` user, since
PostgreSQL refuses to run as root. Each test gets a schema of its own in one database, so that a
test starts from nothing in milliseconds; a test that needs whole databases (replicas, copies)
makes them with `database()`. Every test that needs it reaches it through the
`postgres_cluster` fixture or `new_store_target`, which skip with SKIP_REASON where PostgreSQL
is missing, so `make test` passes on a machine with only Python and make.
"""

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import urllib.parse

import psycopg

SKIP_REASON = ("needs PostgreSQL with PostGIS: apt-get install postgresql-15-postgis-3"
               " (.ci/run installs it)")
DATABASE = "locator"
ENGINES = ("sqlite", "postgresql")


def server_bin() -> str | None:
    """The folder of the newest PostgreSQL server programs with PostGIS beside them, or None."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        version = folder.split("/")[-2]
        postgis = glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if os.path.exists(os.path.join(folder, "initdb")) and postgis:
            return folder
    return None


class Cluster:
    """One running PostgreSQL server in a temporary folder, on a Unix socket there."""

    def __init__(self, bin_dir: str, port: int = 5432, primary: "Cluster | None" = None):
        """Create and start it, with PostGIS and pg_trgm in database `locator`; or, given a
        `primary`, as its streaming replica (a base backup of it that follows its WAL)."""
        self.bin, self.port = bin_dir, port
        self.folder = tempfile.mkdtemp(prefix="locator-pg-")
        self.data = os.path.join(self.folder, "data")
        self._user = _run_as()
        if self._user is not None:
            os.chown(self.folder, self._user.pw_uid, self._user.pw_gid)
        self._names = itertools.count(1)
        if primary is not None:
            # -R writes standby.signal and primary_conninfo (the primary's socket folder).
            self.run("pg_basebackup", "-D", self.data, "-R", "-X", "stream", "-c", "fast",
                     "-h", primary.folder, "-p", str(primary.port), "-U", "postgres")
            self.start()
            return
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8")
        self.start()
        self.database(DATABASE)

    def replica(self) -> "Cluster":
        """A streaming replica of this cluster, in a folder and on a socket of its own."""
        return Cluster(self.bin, self.port, primary=self)

    def sql(self, statement: str, database: str = DATABASE):
        """Run one statement on this server (autocommit); its first row's first value."""
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(statement)
            row = cursor.fetchone() if cursor.description else None
        return None if row is None else row[0]

    def run(self, program: str, *args: str) -> str:
        """Run one of the server's programs as the cluster's owner; its output."""
        done = subprocess.run([os.path.join(self.bin, program), *args], capture_output=True,
                              text=True, user=self._user.pw_uid if self._user else None,
                              group=self._user.pw_gid if self._user else None, cwd=self.folder,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}")
        return done.stdout

    def start(self) -> None:
        """Start the server (again) and wait until it accepts connections."""
        options = (f"-k {self.folder} -p {self.port} -c listen_addresses=''"
                   " -c max_connections=400 -c fsync=off -c full_page_writes=off")
        self.run("pg_ctl", "-D", self.data, "-o", options, "-l",
                 os.path.join(self.folder, "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (mode "immediate" is a crash)."""
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def url(self, database: str = DATABASE, schema: str | None = None) -> str:
        """A postgresql:// URL of a database (and a schema to work in) on this cluster."""
        query = {"host": self.folder, "port": str(self.port)}
        if schema is not None:
            query["options"] = f"-c search_path={schema},public"
        return (f"postgresql://postgres@/{database}?"
                f"{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}")

    def database(self, name: str) -> str:
        """Create a database with PostGIS and pg_trgm; its URL."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(self.url(name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
            conn.execute("CREATE EXTENSION pg_trgm")
        return self.url(name)

    def new_database(self) -> str:
        """A fresh database's URL."""
        return self.database(f"db_{next(self._names)}")

    def new_schema(self) -> str:
        """A fresh, empty schema in database `locator`; the URL that works in it."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return self.url(schema=name)

    def close(self) -> None:
        """Stop the server and delete its folder."""
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _run_as() -> pwd.struct_passwd | None:
    """The user to run the server as: `postgres` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam("postgres")


_shared: list[Cluster] = []


def shared_cluster() -> Cluster | None:
    """The test session's one cluster, started on first use; None where PostgreSQL is missing.
    (tests/conftest.py stops it when the session ends.)"""
    if not _shared:
        bin_dir = server_bin()
        if bin_dir is None:
            return None
        _shared.append(Cluster(bin_dir))
    return _shared[0]


def new_store_target(engine: str, folder: str) -> str:
    """A fresh database of `engine`: a file in `folder`, or a new schema in the shared cluster
    (the calling test skips, saying what to install, where PostgreSQL is missing)."""
    if engine == "sqlite":
        return os.path.join(folder, "locator.sqlite")
    cluster = shared_cluster()
    if cluster is None:
        import pytest

        pytest.skip(SKIP_REASON)
    return cluster.new_schema()


def stop_shared() -> None:
    """Stop the shared cluster, if one was started."""
    while _shared:
        _shared.pop().close()
