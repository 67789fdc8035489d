"""The README's CSV documentation says what the importer does."""

import os
import re

from locator.core.categories import CATEGORIES
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


def test_readme_lists_every_amenity_token_and_category():
    text = readme()
    documented = set(re.findall(r"`([a-z_]+)`", text.split("Amenity tokens:", 1)[1]))
    for category in CATEGORIES.values():
        assert set(category.amenities) <= documented
        assert f"`{category.key}`" in text


def test_readme_starts_with_the_two_commands():
    text = readme()
    assert text.index("make run") < text.index("make test") < text.index("## Managing")
