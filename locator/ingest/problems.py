"""One import error or warning, located by spreadsheet line and column, translatable at render."""

from collections.abc import Callable
from dataclasses import dataclass, field

from locator.core.records import COLUMNS


def N_(message: str) -> str:
    """Mark a message for extraction (`pybabel extract -k N_`); it is translated at render time."""
    return message


@dataclass(frozen=True)
class Choices:
    """The values a coded column allows, as a message parameter that renders with labels:
    '母婴室 (nursing_room), …' in Chinese, 'Nursing rooms / 母婴室 (nursing_room), …' in
    English (the file is in Chinese), so an admin never gets the codes alone."""

    labels: tuple[tuple[str, str, str], ...]  # (code, Chinese label, English label)

    def render(self, gettext: Callable[[str], str]) -> str:
        """Each value as 'label (code)', comma-separated."""
        each = gettext(N_("%(en)s / %(zh)s (%(code)s)"))
        return ", ".join(each % {"code": c, "zh": zh, "en": en} for c, zh, en in self.labels)


@dataclass(frozen=True)
class Problem:
    """One error or warning. `message` is a gettext msgid with %(name)s placeholders."""

    line: int | None
    column: str | None
    message: str
    params: dict = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        """'line 7, column lat: …', 'line 7: …', 'column name_en: …' or just the message."""
        params = {k: v.render(gettext) if isinstance(v, Choices) else v
                  for k, v in self.params.items()}
        text = gettext(self.message) % params if params else gettext(self.message)
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
