"""Admin sessions: cookie settings, the secret key, and sign-ins recorded in the database.

Flask's session cookie is signed, not secret, and cannot be revoked: it carries only a random
token, whose hash names a row in admin_sessions. Logging out deletes the row, so a copied
cookie stops working at once, and the row's expiry is an absolute limit however active the
admin is.
"""

import hashlib
import logging
import os
import secrets
import time

from flask import Flask, session

from locator.config import current_settings, settings
from locator.store import Store

TOKEN = "admin_token"
ACTIONS = logging.getLogger("locator.actions")


def configure(app: Flask) -> None:
    """The secret key, unless configuration set one (cookie flags: locator/config.py)."""
    if not app.secret_key:
        app.secret_key = _secret_key(app)


def _secret_key(app: Flask) -> str:
    """A random key kept in instance/secret_key, so that every worker signs alike."""
    key_file = settings(app).secret_key_file
    if app.testing and not key_file:
        return secrets.token_hex(32)  # tests never write into the repository's instance/
    path = key_file or os.path.join(app.instance_path, "secret_key")
    try:
        with open(path, encoding="ascii") as fh:
            key = fh.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    # Write a private temporary file, then link it into place: of several workers starting
    # together exactly one link succeeds, and nobody ever reads a half-written key.
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    with open(path, encoding="ascii") as fh:
        return fh.read().strip()


def lifetime() -> float:
    """How long a sign-in lasts, in seconds (PERMANENT_SESSION_LIFETIME)."""
    return current_settings().session_lifetime_s


def start(store: Store, admin: dict, address: str) -> None:
    """Sign `admin` in: a fresh session (new CSRF token too) holding a new random token."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with store.writing():
        store.admins.end_sessions(before=now)
        store.admins.add_session(_hash(token), admin["id"], now, now + lifetime(), address)
    session.clear()
    session.permanent = True
    session[TOKEN] = token


def current_admin(store: Store) -> dict | None:
    """The signed-in admin (id, username, and when the sign-in expires), or None."""
    token = session.get(TOKEN)
    if not isinstance(token, str):
        return None
    return store.admins.session_admin(_hash(token), time.time())


def end(store: Store, actor: str, address: str) -> None:
    """Sign out and audit it: this browser forgets the session at once, the database then.

    The browser's side comes first, so that a database refusing the write (WriteFailed) still
    signs this browser out; the session's row then lasts until it expires.
    """
    token = session.get(TOKEN)
    session.clear()
    with store.writing():
        store.audit.record("logout", actor, address)
        if isinstance(token, str):
            store.admins.end_sessions(token_hash=_hash(token))
    ACTIONS.info("logout", extra={"fields": {"actor": actor, "address": address}})


def _hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, useless to whoever reads the file."""
    return hashlib.sha256(token.encode()).hexdigest()
