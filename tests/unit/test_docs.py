"""The docs in docs/ say what the code does: tables of columns, categories and amenities, the
API's routes, the links between the documents, and the layering ARCHITECTURE.md draws."""

import os
import re

import pytest

from bench.structure import read_package
from locator.api.openapi import document
from locator.core.categories import CATEGORIES
from locator.core.records import COLUMNS, REQUIRED
from tests.processes import ROOT

DOCS = os.path.join(ROOT, "docs")
# The rows of ARCHITECTURE.md's layering diagram, lowest first: a module may import only from
# its own package or a lower row. A package not listed here is not judged: add it here and to
# the diagram.
LAYERS = (("core",), ("ingest", "store", "maps", "geocoding", "backup"), ("config",), ("search",),
          ("db", "datasets"), ("reports",), ("web",), ("public", "api", "admin"), ("cli",),
          ("report_commands", "backup_commands"), ("__init__",))


def doc(name: str) -> str:
    """The text of docs/<name>."""
    with open(os.path.join(DOCS, name), encoding="utf-8") as fh:
        return fh.read()


def table(text: str, heading: str) -> list[list[str]]:
    """The cells of the first table after `heading`."""
    rows, started = [], False
    for line in text.split(heading, 1)[1].splitlines():
        if line.startswith("|"):
            started = True
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif started:
            break
    return rows[2:]  # without the header and the |---| line


def keys(rows: list[list[str]]) -> list[str]:
    """The first cell of each row, without its backticks and any note after them."""
    return [re.match(r"`([^`]+)`", row[0]).group(1) for row in rows]


def test_csv_format_columns_are_the_importers():
    rows = table(doc("csv-format.md"), "## Columns")
    assert keys(rows) == list(COLUMNS)
    assert [k for k, row in zip(keys(rows), rows, strict=True) if row[1] == "yes"] == list(REQUIRED)


def test_csv_format_categories_are_the_registry():
    rows = table(doc("csv-format.md"), "## Categories")
    assert keys(rows) == list(CATEGORIES)
    routes = [k for k, row in zip(keys(rows), rows, strict=True) if row[3] == "yes"]
    assert routes == [k for k, c in CATEGORIES.items() if c.has_routes]


def test_csv_format_amenities_are_each_categorys_vocabulary():
    rows = table(doc("csv-format.md"), "## Amenities")
    documented = {}
    for token, row in zip(keys(rows), rows, strict=True):
        listed = list(CATEGORIES) if row[3] == "every category" else row[3].split(", ")
        for category in listed:
            documented.setdefault(category, set()).add(token)
    assert documented == {k: set(c.amenities) for k, c in CATEGORIES.items()}


def test_api_doc_names_every_route():
    text = doc("api.md")
    for path, item in document()["paths"].items():
        flask_path = path.replace("{facility_id}", "<id>")
        for method in item:
            assert f"{method.upper()} {flask_path}`" in text, path


@pytest.mark.parametrize("name", ["ARCHITECTURE.md", "csv-format.md", "api.md"])
def test_links_and_module_paths_exist(name):
    text = doc(name)
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        assert os.path.exists(os.path.join(DOCS, target)), target
    for path in re.findall(r"`(locator/[\w/]+(?:\.py)?)", text):
        assert os.path.exists(os.path.join(ROOT, path)), path


def area(module: str) -> str:
    """The row name of a module: its package under locator, or its top-level module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_packages_import_only_from_lower_layers():
    rank = {part: n for n, row in enumerate(LAYERS) for part in row}
    # `from locator import db` also names the package itself, which every import runs first:
    # not an edge of the layering.
    wrong = [(name, target) for name, module in read_package(ROOT).items()
             for target in module.imports - {"locator"}
             if area(target) != area(name) and area(target) in rank and area(name) in rank
             and rank[area(target)] >= rank[area(name)]]
    assert wrong == [], "imports against docs/ARCHITECTURE.md's layering"
