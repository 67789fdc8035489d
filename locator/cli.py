"""`flask --app wsgi facilities …`: import, export, template, history, rollback, and first-run
set-up (the `reports` commands are in report_commands.py)."""

import getpass
import os
import sys

import click
from flask import Flask

from locator import datasets
from locator.admin import uploads
from locator.config import current_settings
from locator.core import districts
from locator.core.catalogue import translate
from locator.db import import_settings, open_store
from locator.ingest import exporter, workbook
from locator.ingest.importer import NOTHING_TO_CHANGE, Conversion, Diff, ImportResult
from locator.store import (
    DatabaseError,
    StaleDataset,
    Store,
    WriteFailed,
    is_postgres,
)
from locator.web.commands import DatabaseCommands

facilities = DatabaseCommands("facilities", help="Manage the facility dataset.")
SHOWN_IDS = 20
SHOWN_CONVERSIONS = 50  # a converted column can repeat on every row: the first ones show how
PROGRESS_FROM_ROWS = 5000
LANGUAGES = ("zh", "en")
# Where a POSIX program finds its message language, strongest first.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def _actor() -> str:
    """Who runs this command, for the version history and audit log."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def yield_cpu_to_serving() -> None:
    """Run the rest of this command below the web workers' CPU priority (BATCH_NICE).

    A large import keeps a core busy for a long while; at equal priority on a small server it
    takes the CPU the workers need and public requests queue behind it (bench/load_bench.py
    shows both). Irreversible: commands only.
    """
    increment = current_settings().batch_nice
    if increment > 0:
        os.nice(increment)


@facilities.command("init")
def init_command() -> None:
    """Create or migrate the database; load the sample CSV when it holds no dataset yet."""
    store = open_store()
    store.migrate()
    if store.versions.current() is not None:
        claimed = datasets.claim_blank_districts(store, current_settings().default_district,
                                                 actor=_actor())
        if claimed is not None:
            click.echo(f"{len(claimed.diff.changed)} facilities stored before districts now "
                       f"belong to {current_settings().default_district} (version "
                       f"{claimed.version}).")
        click.echo(f"Database ready: version {store.versions.current()['number']}.")
        return
    path = current_settings().sample_csv
    with open(path, "rb") as fh:
        data = fh.read()
    checked = datasets.check_file(store, data, os.path.basename(path), settings=import_settings())
    if not checked.result.ok:
        _fail(checked.result)
    try:
        applied = datasets.apply_import(store, checked, os.path.basename(path), actor=_actor())
    except (StaleDataset, datasets.NothingToChange):
        # Another server's init loaded it meanwhile (several start at once).
        click.echo(f"Database ready: version {store.versions.current_number()}.")
        return
    click.echo(f"Loaded {len(checked.result.records)} facilities from {path} as version "
               f"{applied.version}.")


@facilities.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show the changes; write nothing.")
@click.option("--merge", is_flag=True, help="Add and update by id; remove nothing.")
@click.option("--yes", is_flag=True, help="Accept a replace that removes over half the records.")
@click.option("--allow-empty", is_flag=True, help="Accept a header-only file (empties the data).")
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="Language of the file's errors and warnings (default: from LANG, else en).")
@click.option("--district", "scope", multiple=True,
              help="Change only this district (repeatable): a row of another is an error.")
def import_command(path: str, dry_run: bool, merge: bool, yes: bool, allow_empty: bool,
                   lang: str | None, scope: tuple[str, ...]) -> None:
    """Import a CSV or XLSX file as a new dataset version (replace, or --merge); a replace
    replaces only the districts the file's rows are in."""
    lang = message_language(lang)
    yield_cpu_to_serving()
    store = open_store()
    store.migrate()
    with open(path, "rb") as fh:
        data = fh.read()
    name = uploads.clean_filename(path)  # as in the console: it is stored and shown there
    checked = _check_with_progress(store, data, name, merge, allow_empty, scope or None)
    result = checked.result
    if not result.ok:
        _fail(result, lang)
    _print_notes(result, lang)
    _print_districts(result, merge)
    _print_diff(result.diff)
    if not result.diff.changes_anything:
        click.echo(NOTHING_TO_CHANGE)
        return
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    if result.mass_removal and not yes:
        click.echo("Refused: this replace removes more than half of the records. "
                   "Check the file, then run again with --yes.", err=True)
        sys.exit(1)
    try:
        applied = datasets.apply_import(store, checked, name, actor=_actor())
    except StaleDataset:
        click.echo("Refused: the dataset changed while the file was checked; run again.", err=True)
        sys.exit(1)
    except WriteFailed as exc:
        click.echo(f"Error: {exc}.", err=True)
        sys.exit(1)
    click.echo(f"Imported as version {applied.version}.")


def _print_districts(result: ImportResult, merge: bool) -> None:
    """Which districts the import changes: a replace's replaced ones, a merge's written ones."""
    if result.districts:
        verb = "Merges into" if merge else "Replaces"
        click.echo(f"{verb} districts: {districts.scope_text(result.districts)}")


def _check_with_progress(store, data: bytes, name: str, merge: bool, allow_empty: bool,
                         scope: tuple[str, ...] | None = None) -> datasets.Checked:
    """Validate the file, showing a progress bar on stderr for large files."""
    rows = data.count(b"\n")
    geocoding = GeocodingBar()
    options = {"merge": merge, "allow_empty": allow_empty, "settings": import_settings(),
               "scope": scope,
               "geocoder": current_settings().geocoding, "geocoded": geocoding.advance}
    try:
        if rows < PROGRESS_FROM_ROWS:
            return datasets.check_file(store, data, name, **options)
        with click.progressbar(length=rows, label="Checking", file=sys.stderr) as bar:
            done = [0]

            def advance(n: int) -> None:
                bar.update(n - done[0])
                done[0] = n

            return datasets.check_file(store, data, name, progress=advance, **options)
    finally:
        geocoding.finish()


class GeocodingBar:
    """A progress bar on stderr over the addresses a batch asks the geocoder (at 1 request a
    second, 70 addresses take over a minute); shown from the first request, if any."""

    def __init__(self):
        """No bar until the geocoder is asked."""
        self.bar, self.done = None, 0

    def advance(self, done: int, total: int) -> None:
        """done of total addresses asked."""
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Geocoding addresses",
                                         file=sys.stderr, show_pos=True)
            self.bar.render_progress()
        self.bar.update(done - self.done)
        self.done = done

    def finish(self) -> None:
        """End the bar's line (also when the batch stopped early)."""
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None


def _print_notes(result: ImportResult, lang: str = "en") -> None:
    """On stderr, in `lang`: each warning ('line N, column C: warning: …'), then the values
    stored in another form than written ('line N, column C: note: converted from … → …')."""
    for warning in result.warnings:
        click.echo(_rendered(warning, lang), err=True)
    for conversion in result.conversions[:SHOWN_CONVERSIONS]:
        click.echo(_located_note(conversion, lang), err=True)
    if len(result.conversions) > SHOWN_CONVERSIONS:
        click.echo(f"note: … and {len(result.conversions) - SHOWN_CONVERSIONS} more values "
                   "converted", err=True)


def _located_note(conversion: Conversion, lang: str = "en") -> str:
    """'line 4, column verified_on: note: converted from 2026/11/28 → 2026-11-28'."""
    problem = conversion.as_problem()
    gettext = _gettext(lang)
    return problem.locate(f"note: {problem.text(gettext)}", gettext)


def message_language(option: str | None, environ=os.environ) -> str:
    """--lang if given; else Chinese when the locale names it (LANG=zh_CN.UTF-8), as the
    console follows the browser; else English, the language of server logs and of C/POSIX."""
    if option:
        return option
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:  # the first one set decides, as for any POSIX program
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _gettext(lang: str):
    """gettext for the catalogue of `lang`."""
    return lambda msgid: translate(msgid, lang)


def _rendered(problem, lang: str) -> str:
    """An import problem as text in `lang`."""
    return problem.render(_gettext(lang))


def _fail(result: ImportResult, lang: str = "en") -> None:
    """Print every error on stderr and exit non-zero: nothing was changed."""
    for error in result.errors:
        click.echo(_rendered(error, lang), err=True)
    click.echo(f"{len(result.errors)} error(s): nothing was imported.", err=True)
    sys.exit(1)


def _print_diff(diff: Diff) -> None:
    """Print added / changed / removed / unchanged, with ids."""
    click.echo(diff.summary())
    for label, ids in (("added", diff.added), ("changed", list(diff.changed)),
                       ("removed", diff.removed)):
        if ids:
            shown = ", ".join(ids[:SHOWN_IDS])
            more = f" … and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
            click.echo(f"  {label}: {shown}{more}")
    for facility_id, fields in list(diff.changed.items())[:SHOWN_IDS]:
        names = ", ".join(field for field, _old, _new in fields)
        click.echo(f"    {facility_id}: {names}")


@facilities.command("export")
@click.argument("path")
def export_command(path: str) -> None:
    """Write the dataset (WGS-84) to PATH: a workbook if it ends in .xlsx, else CSV (UTF-8 with
    BOM); - writes the CSV to stdout."""
    store = open_store()
    store.migrate()
    # Facilities stored before districts are written with the default district's name.
    records = districts.resolved(store.facilities.all(), current_settings().default_district)
    if path == "-":
        sys.stdout.buffer.write(exporter.write_csv(records))
        sys.stdout.buffer.flush()
        return
    xlsx = path.lower().endswith(".xlsx")
    _write(path, workbook.write_xlsx(records) if xlsx else exporter.write_csv(records))
    click.echo(f"Exported to {path}.", err=True)


@facilities.command("template")
@click.argument("path")
def template_command(path: str) -> None:
    """Write the empty facility-list workbook (.xlsx) to PATH: the header, drop-downs, and a
    second sheet explaining every column and code."""
    if not path.lower().endswith(".xlsx"):
        click.echo("Error: the template is a workbook: give a PATH ending in .xlsx.", err=True)
        sys.exit(1)
    _write(path, workbook.write_template())
    click.echo(f"Template written to {path}.", err=True)


def _write(path: str, data: bytes) -> None:
    """Write `data` to the file at `path`."""
    with open(path, "wb") as fh:
        fh.write(data)


@facilities.command("history")
@click.option("--district", help="Only the versions that changed this district.")
def history_command(district: str | None) -> None:
    """List every dataset version, newest first, with the districts it changed."""
    store = open_store()
    store.migrate()
    for v in datasets.history(store, district, current_settings().default_district):
        origin = f"rollback to {v['restored_from']}" if v["restored_from"] else v["filename"]
        where = f"  [{districts.scope_text(v['districts'])}]" if v["districts"] else ""
        click.echo(f"{v['number']:>4}  {v['created_at']}  {v['actor']:<16} {v['kind']:<8} "
                   f"+{v['added']} ~{v['changed']} -{v['removed']} ={v['total']}  {origin}"
                   f"{where}")


@facilities.command("rollback")
@click.argument("version", type=int)
@click.option("--district", "scope", multiple=True,
              help="Restore only this district (repeatable); the others stay as they are now.")
def rollback_command(version: int, scope: tuple[str, ...]) -> None:
    """Restore an earlier version's records exactly, as a new version (or, with --district,
    only those districts' facilities)."""
    yield_cpu_to_serving()
    store = open_store()
    store.migrate()
    try:
        applied = datasets.rollback(store, version, actor=_actor(), scope=scope or None,
                                    default_district=current_settings().default_district)
    except datasets.RollbackError as exc:
        click.echo(f"Error: {exc}. See `facilities history`.", err=True)
        sys.exit(1)
    except datasets.NothingToChange:
        click.echo(f"Nothing to change: version {version} holds exactly the current data, so "
                   "no version was created.")
        return
    except WriteFailed as exc:
        click.echo(f"Error: {exc}.", err=True)
        sys.exit(1)
    click.echo(applied.diff.summary())
    click.echo(f"Restored version {version} as version {applied.version}.")


@facilities.command("copy")
@click.argument("source")
@click.argument("destination")
def copy_command(source: str, destination: str) -> None:
    """Copy the whole dataset with its history from SOURCE into DESTINATION, a new, empty
    database; each an SQLite file or a postgresql:// URL (either way round)."""
    if not is_postgres(source) and not os.path.isfile(source):
        click.echo(f"Error: {source}: no such database file.", err=True)
        sys.exit(1)
    try:
        source_store, destination_store = Store(source), Store(destination)
    except DatabaseError as exc:
        click.echo(f"Error: cannot open the database: {exc}".rstrip(), err=True)
        sys.exit(1)
    try:
        source_store.migrate()
        destination_store.migrate()
        copied = datasets.copy_dataset(source_store, destination_store)
    except (datasets.CopyRefused, WriteFailed) as exc:
        click.echo(f"Error: {exc}.", err=True)
        sys.exit(1)
    finally:
        source_store.close()
        destination_store.close()
    counts = ", ".join(f"{n} {table}" for table, n in copied.rows.items())
    click.echo(f"Copied version {copied.version} with {copied.facilities} facilities and its"
               f" history ({counts}).")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(facilities)
