"""Helpers for the admin console tests: accounts, signing in, CSRF tokens from real forms."""

import html
import re

from locator import create_app
from locator.admin import accounts
from locator.store import Store
from tests.factories import load, row

USER, PASSWORD = "alice", "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_admin(db_path: str, username: str = USER, password: str = PASSWORD) -> None:
    """Create an admin account through the same code as `flask admin create`."""
    store = Store(db_path)
    try:
        store.migrate()
        accounts.create_admin(store, username, password)
    finally:
        store.close()


def console_app(db_path: str, **config):
    """An app on `db_path` with CSRF on (the default), as in production."""
    return create_app({"TESTING": True, "DATABASE": db_path, **config})


def english(client):
    """Make the client ask for English pages (Chinese is the default)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def token(client, path: str = "/admin/login") -> str:
    """The CSRF token of the form on `path`."""
    response = client.get(path)
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, (path, response.status_code)
    return found.group(1)


def login(client, username: str = USER, password: str = PASSWORD):
    """Sign in through the login form; return the response."""
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": token(client)})


def signed_in(app):
    """A client (asking for English) signed in as the default admin."""
    client = english(app.test_client())
    response = login(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def dataset(db_path: str) -> tuple[int, list[dict]]:
    """The current version number and every facility: what "nothing changed" compares."""
    store = Store(db_path)
    try:
        return store.versions.current_number(), store.facilities.all()
    finally:
        store.close()


def stored(db_path: str, facility_id: str | None = None):
    """One stored facility (None if there is none), or without an id every one by id."""
    store = Store(db_path)
    try:
        if facility_id is None:
            return store.facilities.by_id()
        return store.facilities.get(facility_id)
    finally:
        store.close()


def text(response) -> str:
    """The response body with tags removed and spaces collapsed, for content assertions."""
    body = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"\s+", " ", body)


def console_on_three_rooms(db_path: str):
    """A signed-in console client on three nursing rooms (version 1)."""
    load(db_path, row(1), row(2), row(3))
    make_admin(db_path)
    return signed_in(console_app(db_path))


def counting(calls: list, function):
    """`function`, noting the arguments of every call in `calls`."""
    def wrapper(*args, **kwargs):
        calls.append((args, kwargs))
        return function(*args, **kwargs)
    return wrapper
