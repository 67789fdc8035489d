"""`flask --app wsgi reports …`: list and moderate visitors' reports and suggested places, and
forget old client HMACs. Messages follow LANG, as the `facilities` commands' do (cli.py)."""

import sys
import unicodedata

import click
from flask import Flask

from locator.cli import _actor, _gettext, message_language
from locator.config import now
from locator.db import import_settings, open_store
from locator.ingest.problems import Problem
from locator.reports import intake, moderation
from locator.reports.export import local_time
from locator.reports.kinds import STATUSES, SUGGESTION
from locator.reports.summary import DAY_S
from locator.store import WriteFailed
from locator.web.commands import DatabaseCommands

reports = DatabaseCommands("reports", help="Moderate visitors' reports and suggested places.")
REPORTS_PAGE = 500
NOTE_SHOWN = 60  # characters of a note on its one line
CLIENTS_WITHIN_DAYS = 30  # as long as a client's HMAC is kept (reports/intake.py)


@reports.command("list")
@click.option("--status", type=click.Choice(list(STATUSES)), help="Only reports with this status.")
def reports_list_command(status: str | None) -> None:
    """List reports and suggestions, newest first, one a line: id, status, kind, facility id
    (or the suggested name), when (Asia/Shanghai), distinct clients who said the same about
    the facility in the last 30 days, and the note."""
    store = _migrated()
    clients = _ClientCounts(store, now().timestamp())
    offset = 0
    while True:
        page, total = store.reports.page(status=status, limit=REPORTS_PAGE, offset=offset)
        for report in page:
            click.echo(_report_line(report, clients))
        offset += len(page)
        if not page or offset >= total:
            break


class _ClientCounts:
    """Distinct clients per (facility, kind) lately, each asked of the store once."""

    def __init__(self, store, now_unix: float):
        """Count over the last CLIENTS_WITHIN_DAYS before `now_unix`."""
        self.store, self.since, self.known = store, now_unix - CLIENTS_WITHIN_DAYS * DAY_S, {}

    def of(self, report: dict) -> str:
        """'N clients' for a facility's report, '' for a suggestion."""
        if report["kind"] == SUGGESTION:
            return ""
        key = (report["facility_id"], report["kind"])
        if key not in self.known:
            said = self.store.reports.said(key[0], [key[1]], self.since).get(key[1])
            self.known[key] = said[0] if said else 0
        count = self.known[key]
        return f"{count} client{'s' if count != 1 else ''}"


def _report_line(report: dict, clients: _ClientCounts) -> str:
    """One report on one line, visitors' text made safe for a terminal."""
    subject = (report["facility_id"] if report["kind"] != SUGGESTION
               else report["details"].get("name", ""))
    when = local_time(report["created_at"])
    note = _visible(report["note"])
    if len(note) > NOTE_SHOWN:
        note = note[:NOTE_SHOWN - 1] + "…"
    return (f"{report['id']:>5}  {report['status']:<9} {report['kind']:<17} "
            f"{_padded(_visible(subject), 24)} {when}  {clients.of(report):<10} {note}").rstrip()


def _padded(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - columns, 0)


def _visible(text: str) -> str:
    """`text` on one line, control and text-direction characters as escapes (\\n, \\u202e): a
    visitor's text must not move the cursor, recolour or reorder an admin's terminal."""
    return "".join(c.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)


@reports.command("accept")
@click.argument("report_id", type=int)
@click.option("--id", "new_id", help="The new facility's id, for a suggestion (default: made "
                                     "from the name's pinyin).")
def reports_accept_command(report_id: int, new_id: str | None) -> None:
    """Accept a report: a suggestion becomes a facility, a wrong position moves the pin, wrong
    hours or missing equipment change them, gone removes the facility — each a new version.
    Other kinds are marked resolved."""
    store = _migrated()
    decision = _decide(lambda: moderation.accept(store, report_id, actor=_actor(),
                                                 settings=import_settings(), new_id=new_id,
                                                 now=now().timestamp()))
    if decision.version is None:
        click.echo(f"Report {report_id} resolved: the data already says this, or the report "
                   "asks for no change; no version was created.")
    else:
        click.echo(f"Report {report_id} accepted: facility {decision.facility_id}, "
                   f"version {decision.version}.")


@reports.command("reject")
@click.argument("report_id", type=int)
@click.option("--note", default="", help="Why (kept in the audit log).")
def reports_reject_command(report_id: int, note: str) -> None:
    """Reject a report; it no longer counts on the public page."""
    store = _migrated()
    _decide(lambda: moderation.reject(store, report_id, actor=_actor(), note=note.strip(),
                                      now=now().timestamp()))
    click.echo(f"Report {report_id} rejected; no version was created.")


@reports.command("duplicate")
@click.argument("report_id", type=int)
@click.option("--of", "of", type=int, required=True, help="The report it repeats.")
def reports_duplicate_command(report_id: int, of: int) -> None:
    """Mark a report as a duplicate of another."""
    store = _migrated()
    _decide(lambda: moderation.mark_duplicate(store, report_id, of, actor=_actor(),
                                              now=now().timestamp()))
    click.echo(f"Report {report_id} marked a duplicate of report {of}; no version was created.")


@reports.command("forget")
def reports_forget_command() -> None:
    """Blank visitors' address HMACs older than 30 days and delete the weekly secrets no HMAC
    needs any more (each report does it too; run this daily so it holds when none arrive)."""
    store = _migrated()
    intake.forget_old(store, now=now().timestamp())
    click.echo("Client HMACs older than 30 days are blanked; secrets older than last week "
               "are deleted.")


def _migrated():
    """The migrated store."""
    store = open_store()
    store.migrate()
    return store


def _decide(decision):
    """Run a moderation decision; on refusal print why on stderr and exit 1."""
    lang = message_language(None)
    gettext = _gettext(lang)
    try:
        return decision()
    except moderation.ModerationError as exc:
        click.echo(f"Error: {exc.problem.render(gettext)}", err=True)
        for problem in exc.problems:  # the importer's refusals of a suggestion's values
            cell = Problem(None, problem.column, problem.message, problem.params)
            click.echo(f"  {cell.render(gettext)}", err=True)
        sys.exit(1)
    except WriteFailed as exc:
        click.echo(f"Error: {exc}.", err=True)
        sys.exit(1)


def init_app(app: Flask) -> None:
    """Register the `reports` command group."""
    app.cli.add_command(reports)
