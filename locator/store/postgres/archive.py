"""A PostgreSQL database as one archive file and back, by the server's own programs: pg_dump
(custom format, the app's schema only, so that the extensions PostGIS and pg_trgm stay out of
it) and pg_restore into a new, empty database in one transaction. `facilities backup` and
`facilities restore` use them as they use SQLite's copy and Litestream."""

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import psycopg


@dataclass
class ArchiveError(Exception):
    """Why an archive could not be made or restored: `kind` is "missing" (the program is not
    installed), "taken" (the target holds Locator's tables) or "failed" (`reason`: the program's
    last line)."""

    kind: str
    program: str
    reason: str = ""


def program(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest Debian installs."""
    found = shutil.which(name) or next(iter(sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise ArchiveError("missing", name)
    return found


def dump(url: str, path: str) -> None:
    """Write the database at `url` (its schema: every version, the audit log, admins,
    reports) as one consistent archive to the new file `path` (0600, linked in when whole)."""
    with psycopg.connect(url) as conn:
        schema = conn.execute("SELECT current_schema()").fetchone()[0]
    partial = path + ".partial"
    _run([program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--schema={schema}", f"--file={partial}", f"--dbname={url}"])
    os.chmod(partial, 0o600)  # it holds password hashes
    try:
        os.link(partial, path)  # never over a file that appeared meanwhile
    finally:
        os.unlink(partial)


def restore(archive: str, url: str) -> None:
    """Restore a `dump` archive into the new, empty database at `url`, all or nothing."""
    with psycopg.connect(url) as conn:
        taken = conn.execute("SELECT to_regclass('versions') IS NOT NULL").fetchone()[0]
    if taken:
        raise ArchiveError("taken", "pg_restore")
    restorer = program("pg_restore")
    # Everything but the schema itself: the new database has its schema (public) already.
    contents = [line for line in _run([restorer, "--list", archive]).splitlines()
                if " SCHEMA - " not in line]
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as listing:
        listing.write("\n".join(contents) + "\n")
        listing.flush()
        _run([restorer, "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--use-list={listing.name}", f"--dbname={url}", archive])


def _run(argv: list[str]) -> str:
    """Run a client program, its output; ArchiveError with its first error when it fails."""
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise ArchiveError("failed", os.path.basename(argv[0]),
                           lines[0] if lines else f"exit status {done.returncode}")
    return done.stdout
