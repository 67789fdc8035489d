"""Visitors' reports and suggestions: checked, throttled and kept without personal data
(`intake`), summed up honestly for the public (`summary`), and turned into dataset versions only
when an admin accepts them (`moderation`). No Flask: the views and the CLI call in."""
