"""The admin console and admin CLI: sign-in, accounts, uploads with preview and confirm, the
facility editor, versions, audit log.
"""
