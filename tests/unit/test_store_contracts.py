"""The store's contracts hold: each SQLite repository has every method of its Protocol with the
same parameters (a second engine's checklist), and no module above the store holds SQL or
imports the engine."""

import ast
import inspect
import os
import re

import pytest

from locator.core.nearest import NearestSource
from locator.store import Store, contracts
from locator.store.postgres.admins import PostgresAdmins
from locator.store.postgres.audit import PostgresAuditLog
from locator.store.postgres.facilities import PostgresFacilities
from locator.store.postgres.geocodes import PostgresGeocodes
from locator.store.postgres.jobs import PostgresImportJobs
from locator.store.postgres.reports import PostgresReports
from locator.store.postgres.store import PostgresStore
from locator.store.postgres.uploads import PostgresPendingUploads
from locator.store.postgres.versions import PostgresVersions
from locator.store.sqlite import SqliteStore
from locator.store.sqlite.admins import SqliteAdmins
from locator.store.sqlite.audit import SqliteAuditLog
from locator.store.sqlite.facilities import SqliteFacilities
from locator.store.sqlite.geocodes import SqliteGeocodes
from locator.store.sqlite.jobs import SqliteImportJobs
from locator.store.sqlite.reports import SqliteReports
from locator.store.sqlite.uploads import SqlitePendingUploads
from locator.store.sqlite.versions import SqliteVersions
from tests.processes import ROOT

IMPLEMENTATIONS = [
    (NearestSource, SqliteFacilities),
    (contracts.FacilityRepository, SqliteFacilities),
    (contracts.VersionRepository, SqliteVersions),
    (contracts.AuditLog, SqliteAuditLog),
    (contracts.AdminRepository, SqliteAdmins),
    (contracts.PendingUploads, SqlitePendingUploads),
    (contracts.GeocodeCache, SqliteGeocodes),
    (contracts.ImportJobs, SqliteImportJobs),
    (contracts.ReportRepository, SqliteReports),
    (contracts.StoreConnection, SqliteStore),
    (NearestSource, PostgresFacilities),
    (contracts.FacilityRepository, PostgresFacilities),
    (contracts.VersionRepository, PostgresVersions),
    (contracts.AuditLog, PostgresAuditLog),
    (contracts.AdminRepository, PostgresAdmins),
    (contracts.PendingUploads, PostgresPendingUploads),
    (contracts.GeocodeCache, PostgresGeocodes),
    (contracts.ImportJobs, PostgresImportJobs),
    (contracts.ReportRepository, PostgresReports),
    (contracts.StoreConnection, PostgresStore),
]
# The repository each attribute of a connection must be.
REPOSITORIES = {"facilities": SqliteFacilities, "versions": SqliteVersions,
                "audit": SqliteAuditLog, "admins": SqliteAdmins, "uploads": SqlitePendingUploads,
                "geocodes": SqliteGeocodes, "jobs": SqliteImportJobs,
                "reports": SqliteReports}

LOCATOR = os.path.join(ROOT, "locator")
STORE = os.path.join(LOCATOR, "store")
# What only the store may write: SQL keywords as statements spell them, and running them.
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (TABLE|INDEX|"
                 r"VIRTUAL TABLE|TRIGGER)|DROP TABLE|PRAGMA)\b|\.execute(many|script)?\(")
ENGINE_MODULES = ("sqlite3", "sqlite_utils", "psycopg", "psycopg_pool", "locator.store.sqlite",
                  "locator.store.postgres")


def methods(cls: type) -> dict[str, inspect.Signature]:
    """The public methods of a class (inherited ones too) and their signatures."""
    return {name: inspect.signature(member) for name, member in inspect.getmembers(cls)
            if inspect.isfunction(member) and not name.startswith("_")}


def parameters(signature: inspect.Signature) -> list[tuple]:
    """What a caller relies on: each parameter's name, kind and default (self left out)."""
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()
            if p.name != "self"]


@pytest.mark.parametrize(("protocol", "implementation"), IMPLEMENTATIONS,
                         ids=lambda c: c.__name__)
def test_each_implementation_has_every_protocol_method_with_the_same_parameters(
        protocol, implementation):
    wanted, found = methods(protocol), methods(implementation)
    assert wanted, f"{protocol.__name__} lists no methods"
    missing = sorted(set(wanted) - set(found))
    assert not missing, f"{implementation.__name__} lacks {missing}"
    for name, signature in wanted.items():
        assert parameters(found[name]) == parameters(signature), \
            f"{implementation.__name__}.{name}{found[name]} is not {name}{signature}"


def test_every_protocol_method_states_its_contract():
    for protocol, _ in IMPLEMENTATIONS:
        for name, member in inspect.getmembers(protocol, inspect.isfunction):
            if not name.startswith("_"):
                assert inspect.getdoc(member), f"{protocol.__name__}.{name} has no docstring"


# The same for PostgreSQL.
POSTGRES_REPOSITORIES = {"facilities": PostgresFacilities, "versions": PostgresVersions,
                         "audit": PostgresAuditLog, "admins": PostgresAdmins,
                         "uploads": PostgresPendingUploads, "geocodes": PostgresGeocodes,
                         "jobs": PostgresImportJobs, "reports": PostgresReports}


@pytest.mark.engines
def test_a_store_exposes_each_repository_over_its_connection(db_path, engine):
    store = Store(db_path)
    try:
        repositories = REPOSITORIES if engine == "sqlite" else POSTGRES_REPOSITORIES
        attributes = set(inspect.get_annotations(contracts.StoreConnection))
        assert attributes == {"path"} | set(repositories)
        assert store.path == db_path
        for name, cls in repositories.items():
            assert isinstance(getattr(store, name), cls), name
    finally:
        store.close()


def modules_above_the_store() -> list[str]:
    """Every module of the app outside locator/store/."""
    found = []
    for folder, _, names in os.walk(LOCATOR):
        if os.path.commonpath([folder, STORE]) != STORE:
            found += [os.path.join(folder, n) for n in names if n.endswith(".py")]
    return sorted(found)


def relative(path: str) -> str:
    """A path as the repository names it."""
    return os.path.relpath(path, ROOT)


@pytest.mark.parametrize("path", modules_above_the_store(), ids=relative)
def test_no_module_above_the_store_holds_sql(path):
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    sql = [f"{n}: {line.strip()}" for n, line in enumerate(lines, 1) if SQL.search(line)]
    assert not sql, "SQL belongs in locator/store/:\n" + "\n".join(sql)


@pytest.mark.parametrize("path", modules_above_the_store(), ids=relative)
def test_no_module_above_the_store_imports_the_engine(path):
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    engine = sorted(m for m in imported
                    if any(m == e or m.startswith(e + ".") for e in ENGINE_MODULES))
    assert not engine, f"import the store from locator.store, not {engine}"


def test_the_sql_check_sees_sql():
    assert SQL.search('db.execute("SELECT id FROM facilities")')
    assert SQL.search("DELETE FROM admin_sessions WHERE token_hash = ?")
    assert not SQL.search("Select a category, then update the map and delete from view.")
