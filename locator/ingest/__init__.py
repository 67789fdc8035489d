"""From an admin's file to validated records and back: decoding, tables, field and coordinate
checks, problems with their line and column, the diff, and the export.
"""
