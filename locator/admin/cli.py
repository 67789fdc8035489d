"""`flask --app wsgi admin …`: create admin accounts and reset their passwords."""

import sys

import click
from flask import Flask

from locator.admin import accounts
from locator.config import current_settings
from locator.db import open_store
from locator.store import WriteFailed
from locator.web.commands import DatabaseCommands

admin = DatabaseCommands("admin", help="Manage admin console accounts.")


def _read_password(from_stdin: bool) -> str:
    """The new password: first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _store():
    """The migrated store."""
    store = open_store()
    store.migrate()
    return store


@admin.command("create")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--district", "districts", multiple=True,
              help="Limit the admin to this district (repeatable); none: every district.")
def create_command(username: str, password_stdin: bool, districts: tuple[str, ...]) -> None:
    """Create an admin account (at least 12 characters, and not easy to guess)."""
    try:
        scope = accounts.check_districts(districts or None, current_settings().districts)
        accounts.create_admin(_store(), username, _read_password(password_stdin), scope)
    except (accounts.AccountError, WriteFailed) as exc:
        raise click.ClickException(f"{exc}.") from None
    limited = f", limited to {'、'.join(scope)}" if scope else ""
    click.echo(f"Created admin {accounts.normalise_username(username)!r}{limited}.")


@admin.command("districts")
@click.argument("username")
@click.option("--district", "districts", multiple=True,
              help="A district the admin may change (repeatable).")
@click.option("--all", "every", is_flag=True, help="Let the admin change every district.")
def districts_command(username: str, districts: tuple[str, ...], every: bool) -> None:
    """Limit an admin to some districts (--district …), or lift the limit (--all)."""
    if every == bool(districts):
        raise click.UsageError("give --district (one or more) or --all")
    try:
        accounts.set_districts(_store(), username, None if every else districts,
                               current_settings().districts)
    except (accounts.AccountError, WriteFailed) as exc:
        raise click.ClickException(f"{exc}.") from None
    scope = "every district" if every else "、".join(sorted(set(districts)))
    click.echo(f"Admin {accounts.normalise_username(username)!r} may change {scope}.")


@admin.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def password_command(username: str, password_stdin: bool) -> None:
    """Set a new password for an admin; their open sessions end."""
    try:
        accounts.set_password(_store(), username, _read_password(password_stdin))
    except (accounts.AccountError, WriteFailed) as exc:
        raise click.ClickException(f"{exc}.") from None
    click.echo(f"Password changed for {accounts.normalise_username(username)!r}.")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(admin)
