"""Every SQL statement: the SQLite store (facilities, versions, audit log, admins, pending
uploads), its schema migrations and the version chains.
"""
