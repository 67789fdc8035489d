"""The command groups' shared behaviour: a database that cannot be reached or opened ends a
command with one plain line and exit status 1, never a traceback."""

import sys

import click
from flask.cli import AppGroup

from locator.store import DatabaseUnavailable


class DatabaseCommands(AppGroup):
    """A command group whose commands, when the database cannot be reached or opened, end with
    one plain line and exit 1 instead of a traceback."""

    def invoke(self, ctx: click.Context):
        """Run the command; say so when the database is unavailable."""
        try:
            return super().invoke(ctx)
        except DatabaseUnavailable as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            click.echo(f"Error: the database cannot be reached or opened ({reason}); nothing"
                       " was changed.", err=True)
            sys.exit(1)
