"""Every SQL statement: contracts.py says what a storage engine provides (one Protocol per
concern: facilities, versions, audit log, admins, pending uploads, and the connection);
sqlite/ is the engine in use, schema.py its migrations, version_deltas.py how versions are kept.

Callers import from here, never from an engine: `from locator.store import Store, WriteFailed`.
Modules inside the store import each other by their full names (`import locator.store.schema as
schema`), never through this package: it imports the engine, so that would be a cycle.
"""

from locator.store.contracts import Change, FacilityPage, StaleDataset, WriteFailed
from locator.store.sqlite import DatabaseError, Store

__all__ = ["Change", "DatabaseError", "FacilityPage", "StaleDataset", "Store", "WriteFailed"]
