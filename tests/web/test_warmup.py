"""Warming the app in gunicorn's master: every common page answered, no connection kept."""

import gc
import os
import runpy
from types import SimpleNamespace

from flask import request, request_finished

from locator.web.warmup import warm_up
from tests.factories import load, row
from tests.processes import ROOT


def open_files(path: str) -> list[str]:
    """The files of `path`'s database (with -wal and -shm) this process holds open."""
    fds = os.listdir("/proc/self/fd")
    targets = (os.readlink(f"/proc/self/fd/{fd}") for fd in fds
               if os.path.exists(f"/proc/self/fd/{fd}"))
    return [t for t in targets if t.startswith(path)]


def statuses_while(app, action) -> list[tuple[str, int]]:
    """(path, status) of every request the app answers during `action()`."""
    seen = []

    def record(sender, response, **extra):
        seen.append((request.full_path, response.status_code))
    with request_finished.connected_to(record, app):
        action()
    return seen


def test_warm_up_answers_each_page_kind_and_keeps_no_connection(app, db_path):
    load(db_path, row(1), row(2, category="coach_stop"))
    seen = statuses_while(app, lambda: warm_up(app))
    assert [s for s in seen if s[1] != 200] == []
    paths = {p.split("?")[0] for p, _ in seen}
    assert paths == {"/healthz", "/", "/map", "/nearest", "/api/nearest"}
    assert {"lang=zh", "lang=en"} <= {q for p, _ in seen for q in p.split("?")[1].split("&")}
    assert set(app.jinja_env.list_templates()) <= {name for _, name in app.jinja_env.cache}
    assert open_files(db_path) == []  # a connection must not cross fork()


def test_warm_up_on_an_empty_database_compiles_templates_only(app, db_path):
    seen = statuses_while(app, lambda: warm_up(app))
    assert seen == [("/healthz?", 503)]
    assert set(app.jinja_env.list_templates()) <= {name for _, name in app.jinja_env.cache}
    assert open_files(db_path) == []


def test_gunicorn_warms_then_freezes_the_master_heap(app, db_path, tmp_path, monkeypatch):
    load(db_path, row(1))
    # Given a metrics folder, the configuration makes none (nor sets it for later tests).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    config = runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    try:
        seen = statuses_while(app, lambda: config["when_ready"](server))
        # Workers' full collections skip what the master froze (they took ~60 ms each).
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    assert ("/healthz?", 200) in seen and open_files(db_path) == []
