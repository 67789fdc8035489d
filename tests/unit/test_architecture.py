"""The package keeps the shape docs/ARCHITECTURE.md describes (`python -m bench.structure`)."""

import pytest

from bench.structure import by_area, cycles, packages, read_package, top_level_modules
from tests.processes import ROOT

MODULES = read_package(ROOT)
WEB_FRAMEWORK = {"flask", "flask_babel", "werkzeug", "jinja2", "itsdangerous"}
# What each lower area may import from the package; everything above them may import these.
ALLOWED = {
    "locator.core": {"locator.core"},
    "locator.ingest": {"locator.core", "locator.ingest"},
    "locator.geocoding": {"locator.core", "locator.geocoding"},
}


def test_a_few_top_level_modules_and_the_rest_in_packages():
    assert len(top_level_modules(MODULES)) <= 12
    assert len(packages(MODULES)) >= 5


def test_no_import_cycles_between_modules_or_areas():
    assert cycles(MODULES) == []
    assert cycles(by_area(MODULES)) == []


@pytest.mark.parametrize("area", sorted(ALLOWED))
def test_the_domain_and_the_importer_need_no_web_framework(area):
    inside = [m for name, m in MODULES.items() if name == area or name.startswith(area + ".")]
    assert inside
    for module in inside:
        assert not module.external & WEB_FRAMEWORK, module.name
        reached = {".".join(name.split(".")[:2]) for name in module.imports} - {"locator"}
        assert reached <= ALLOWED[area], f"{module.name} imports {sorted(reached - ALLOWED[area])}"


def test_the_reader_sees_a_cycle_and_a_framework_import(tmp_path):
    package = tmp_path / "locator"
    (package / "core").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "core" / "__init__.py").write_text("")
    (package / "core" / "a.py").write_text("from locator.core import b\nimport flask\n")
    (package / "core" / "b.py").write_text("def f():\n    from locator.core.a import x\n")
    modules = read_package(str(tmp_path))
    assert cycles(modules) == [["locator.core.a", "locator.core.b"]]
    assert "flask" in modules["locator.core.a"].external
