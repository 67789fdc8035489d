"""`flask --app wsgi facilities backup/restore/replicate`: a one-off consistent copy, a restore
from the Litestream replica, and the server run under Litestream (`make serve`). Messages
follow LANG, as the other `facilities` commands' do (cli.py)."""

import os
import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from locator import backup
from locator.backup import N_
from locator.cli import _gettext, facilities, message_language, yield_cpu_to_serving
from locator.config import current_settings
from locator.db import open_store
from locator.store import (
    ArchiveError,
    Store,
    WriteFailed,
    dump_archive,
    is_postgres,
    restore_archive,
)

LANG_OPTION = click.option("--lang", type=click.Choice(("zh", "en")),
                           help="Language of the messages (default: from LANG, else en).")


def _refuse(error: backup.BackupError, lang: str) -> None:
    """Print the refusal on stderr in `lang` and exit 1."""
    gettext = _gettext(lang)
    click.echo(gettext("Error: %(message)s") % {"message": error.render(gettext)}, err=True)
    sys.exit(1)


def _report(done: str, path: str, lang: str, database: str | None = None) -> None:
    """Print `done` (a msgid with %(path)s and %(what)s) with what the database at `database`
    (default: `path`) holds; exit 1 if it fails the engine's integrity check."""
    gettext = _gettext(lang)
    copy = Store(database or path)
    try:
        current = copy.versions.current()
        ok = copy.integrity_ok()
    finally:
        copy.close()
    params = {"version": current["number"] if current else 0,
              "total": current["total"] if current else 0}
    what = gettext("version %(version)s, %(total)s facilities; integrity check ok") if ok \
        else gettext("version %(version)s, %(total)s facilities; integrity check FAILED")
    click.echo(gettext(done) % {"path": path, "what": what % params}, err=not ok)
    if not ok:
        sys.exit(1)


@click.command("backup")
@click.argument("path")
@LANG_OPTION
@with_appcontext
def backup_command(path: str, lang: str | None) -> None:
    """Write a consistent copy of the database, as of one moment, to the new file PATH; the app
    may go on serving and importing meanwhile. Refuses to overwrite a file."""
    lang = message_language(lang)
    gettext = _gettext(lang)
    yield_cpu_to_serving()
    try:
        backup.refuse_live_database(path)
        store = open_store()
        store.migrate()
        if is_postgres(store.path):
            dump_archive(store.path, path)
        else:
            store.copy_to(path)
    except backup.BackupError as exc:
        _refuse(exc, lang)
    except ArchiveError as exc:
        _refuse(backup.archive_refusal(exc, path), lang)
    except FileExistsError:
        _refuse(backup.BackupError("PATH", backup.EXISTS, {"path": path}), lang)
    except (WriteFailed, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        click.echo(gettext("Error: %(message)s") % {"message": f"PATH: {path}: {reason}"},
                   err=True)
        sys.exit(1)
    _report(N_("Backed up to %(path)s: %(what)s."), path, lang,
            current_settings().database if is_postgres(current_settings().database) else path)


@click.command("restore")
@click.option("--from", "url", required=True, metavar="URL",
              help="The replica: file:///folder, s3://bucket/path or sftp://host/path.")
@click.option("--at", metavar="TIME", help="An RFC 3339 time, e.g. 2026-11-30T10:00:00+08:00: "
              "the database as it was then (default: the latest transaction replicated).")
@click.argument("path")
@LANG_OPTION
@with_appcontext
def restore_command(url: str, at: str | None, path: str, lang: str | None) -> None:
    """Restore the database from its Litestream replica into the new file PATH. Refuses a
    PATH that exists (or has a -wal): stop the app, restore to a new path, move it in place.
    PATH a postgresql:// URL: restore a `facilities backup` archive (--from FILE) into that
    new, empty database."""
    lang = message_language(lang)
    try:
        if is_postgres(path):
            if at is not None:
                raise backup.BackupError("--at", N_("a pg_dump archive holds one moment; "
                                                    "leave --at out"))
            if not os.path.isfile(url):
                raise backup.BackupError("--from", N_("%(url)s is no pg_dump archive file; give "
                                                      "the file facilities backup wrote"),
                                         {"url": url})
            restore_archive(url, path)
        else:
            backup.restore(url, path, at)
    except backup.BackupError as exc:
        _refuse(exc, lang)
    except ArchiveError as exc:
        _refuse(backup.archive_refusal(exc, path), lang)
    _report(N_("Restored to %(path)s: %(what)s."), path, lang)


@click.command("replicate", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@with_appcontext
def replicate_command(command: tuple[str, ...]) -> None:
    """Run COMMAND (e.g. -- gunicorn wsgi:app) under Litestream, which copies every committed
    transaction to BACKUP_URL; without BACKUP_URL, run COMMAND alone."""
    settings = current_settings()
    argv = list(command)
    if settings.backup_url:
        try:
            config = backup.write_config(settings.database, settings.backup_url)
            argv = backup.replicate_argv(config, argv)
        except backup.BackupError as exc:
            _refuse(exc, message_language(None))
        click.echo(f"Replicating {settings.database} to {settings.backup_url} "
                   f"(configuration: {config}).", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvp(argv[0], argv)


def init_app(app: Flask) -> None:
    """Add the commands to the `facilities` group."""
    for command in (backup_command, restore_command, replicate_command):
        facilities.add_command(command)
