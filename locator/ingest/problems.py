"""One import error or warning, located by spreadsheet line and column, translatable at render."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

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
        return self.locate(self.text(gettext), gettext)

    def text(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        """The message alone, its parameters filled in."""
        params = {k: v.render(gettext) if isinstance(v, Choices) else v
                  for k, v in self.params.items()}
        return gettext(self.message) % params if params else gettext(self.message)

    def locate(self, text: str, gettext: Callable[[str], str]) -> str:
        """`text` after this problem's line and column."""
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


class Stored(StrEnum):
    """What a warning's value becomes in the store."""

    AS_WRITTEN = "as_written"  # kept exactly as the file has it
    CORRECTED = "corrected"  # replaced by params["corrected"], which the warning shows
    NOT_STORED = "not_stored"  # left out: an unknown column, skipped rows


_STORED_TEXT = {
    Stored.AS_WRITTEN: N_("kept as written"),
    Stored.CORRECTED: N_("stored corrected as %(corrected)s"),
    Stored.NOT_STORED: N_("not imported"),
}


@dataclass(frozen=True)
class Caution(Problem):
    """A warning: it never blocks an import, and it says what is stored (`stored`)."""

    stored: Stored = Stored.AS_WRITTEN

    def __post_init__(self):
        """A corrected value must be named, since the warning shows it."""
        if self.stored is Stored.CORRECTED and "corrected" not in self.params:
            raise ValueError("a Caution with Stored.CORRECTED needs params['corrected']")

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        """'line 7, column phone: warning: … (stored corrected as 0750-6301234)'."""
        stored = gettext(_STORED_TEXT[self.stored]) % {"corrected": self.params.get("corrected")}
        text = gettext(N_("warning: %(message)s (%(stored)s)")) % {
            "message": self.text(gettext), "stored": stored}
        return self.locate(text, gettext)


class ProblemError(ValueError):
    """Raised where ingest refuses a file outright (decoding, tables): carries the Problem."""

    def __init__(self, problem: Problem):
        """Keep the problem; the exception's text is its English rendering."""
        super().__init__(problem.render())
        self.problem = problem
