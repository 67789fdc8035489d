"""The README's CSV documentation says what the importer does."""

import os

import pytest

from locator.core.categories import AMENITIES, CATEGORIES, amenity_label, category_label
from locator.core.records import COLUMNS, REQUIRED
from tests.processes import ROOT

README = os.path.join(ROOT, "README.md")


def readme() -> str:
    """The README's text."""
    with open(README, encoding="utf-8") as fh:
        return fh.read()


def column_table() -> list[list[str]]:
    """The rows of the column table that follows the columns marker."""
    text = readme()
    table = text.split("<!-- columns:", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in rows]


def test_readme_columns_are_the_importers():
    assert [row[0].strip("`") for row in column_table()] == list(COLUMNS)


def test_readme_required_columns_are_the_importers():
    assert [row[0].strip("`") for row in column_table() if row[1] == "yes"] == list(REQUIRED)


def categories_table() -> str:
    """The README's table of categories, as the registry says it should read."""
    rows = ["| category | label | 中文 | symbol | routes |", "|---|---|---|---|---|"]
    rows += [f"| `{c.key}` | {c.label} | {category_label(c.key, 'zh')} | {c.symbol} | "
             f"{'yes' if c.has_routes else 'no'} |" for c in CATEGORIES.values()]
    return "\n".join(rows)


def amenities_table() -> str:
    """The README's table of amenity tokens, as the registry says it should read."""
    rows = ["| token | label | 中文 | categories |", "|---|---|---|---|"]
    for a in AMENITIES.values():
        used = [c.key for c in CATEGORIES.values() if a.key in c.amenities]
        where = "all" if len(used) == len(CATEGORIES) else ", ".join(f"`{k}`" for k in used)
        rows.append(f"| `{a.key}` | {a.label} | {amenity_label(a.key, 'zh')} | {where} |")
    return "\n".join(rows)


def readme_table(marker: str) -> str:
    """The table that follows `<!-- marker:` in the README."""
    return readme().split(f"<!-- {marker}:", 1)[1].split("\n", 1)[1].split("\n\n", 1)[0]


@pytest.mark.parametrize(("marker", "table"), [("categories", categories_table),
                                                ("amenities", amenities_table)])
def test_readme_tables_are_the_registrys(marker, table):
    expected = table()
    assert readme_table(marker) == expected, (
        f"README.md's {marker} table differs from locator/core/categories.py; "
        f"paste this after its marker:\n{expected}")


def test_readme_starts_with_the_two_commands():
    text = readme()
    assert text.index("make run") < text.index("make test") < text.index("## Managing")
