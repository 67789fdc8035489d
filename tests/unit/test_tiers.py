"""The test tiers hold what their names promise (see tests/conftest.py): every test file is in a
tier, tests/unit never builds the Flask app, and neither fast tier starts a server or the CLI."""

import ast
import os

import pytest

from tests.processes import ROOT

TESTS = os.path.join(ROOT, "tests")
TIERS = ("unit", "web", "system", "browser")
APP_FIXTURES = {"app", "client", "runner"}
# What starts gunicorn, the CLI or nginx as a child: tests/system's tools.
PROCESS_TOOLS = {"Gunicorn", "SlowClients", "flask_cli", "run_cli"}


def tier_files(tier: str) -> list[str]:
    """The test modules in one tier's folder."""
    folder = os.path.join(TESTS, tier)
    return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                  if name.startswith("test_") and name.endswith(".py"))


def names_used(path: str) -> tuple[set[str], set[str]]:
    """The names a module imports, and the argument names of its functions (fixtures)."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    imported, arguments = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.FunctionDef):
            arguments |= {arg.arg for arg in node.args.args}
    return imported, arguments


def test_every_test_file_is_in_a_tier():
    loose = [name for name in os.listdir(TESTS) if name.startswith("test_")]
    assert loose == [], f"move these into one of tests/{{{','.join(TIERS)}}}: {loose}"
    assert all(tier_files(tier) for tier in TIERS)


@pytest.mark.parametrize("path", tier_files("unit"), ids=os.path.basename)
def test_unit_tests_never_build_the_app(path):
    imported, arguments = names_used(path)
    assert "create_app" not in imported and not APP_FIXTURES & arguments, \
        "this test uses the Flask app: it belongs in tests/web"


@pytest.mark.parametrize("path", tier_files("unit") + tier_files("web"), ids=os.path.basename)
def test_fast_tiers_start_no_server_and_no_cli_process(path):
    imported, _ = names_used(path)
    assert not PROCESS_TOOLS & imported, \
        "this test starts a server or the CLI as a process: it belongs in tests/system"
