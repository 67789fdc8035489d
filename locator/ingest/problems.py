"""One import error or warning, located by spreadsheet line and column, translatable at render."""

from collections.abc import Callable
from dataclasses import dataclass, field

from locator.core.records import COLUMNS


def N_(message: str) -> str:
    """Mark a message for extraction (`pybabel extract -k N_`); it is translated at render time."""
    return message


@dataclass(frozen=True)
class Problem:
    """One error or warning. `message` is a gettext msgid with %(name)s placeholders."""

    line: int | None
    column: str | None
    message: str
    params: dict = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        """'line 7, column lat: …', 'line 7: …', 'column name_en: …' or just the message."""
        text = gettext(self.message) % self.params if self.params else gettext(self.message)
        where = {"line": self.line, "column": self.column, "message": text}
        if self.line is not None and self.column is not None:
            return gettext("line %(line)s, column %(column)s: %(message)s") % where
        if self.line is not None:
            return gettext("line %(line)s: %(message)s") % where
        if self.column is not None:
            return gettext("column %(column)s: %(message)s") % where
        return text

    def __str__(self) -> str:
        """The English rendering."""
        return self.render()

    def sort_key(self) -> tuple:
        """Order by line (file-level first), then by column as the CSV lays them out."""
        column = COLUMNS.index(self.column) if self.column in COLUMNS else -1
        return (self.line or 0, column, self.message)


class ProblemError(ValueError):
    """Raised where ingest refuses a file outright (decoding, tables): carries the Problem."""

    def __init__(self, problem: Problem):
        """Keep the problem; the exception's text is its English rendering."""
        super().__init__(problem.render())
        self.problem = problem
