"""What a request needs is worked out once: each record's hours status, the category
parameter, the dataset's extent (inside the search's read snapshot)."""

from datetime import datetime

import pytest

from locator import create_app, db
from locator.core import hours
from locator.core.clock import SHANGHAI
from locator.search import params
from tests.factories import load, row

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
NEAR = {"lat": "22.5", "lon": "113.0"}


@pytest.fixture
def app(db_path):
    """Three nursing rooms with hours of their own (room-2 closed on Mondays), a landmark."""
    load(db_path, row(1, opening_hours="Mo-Fr 08:30-17:30"),
         row(2, opening_hours="Sa-Su 09:00-17:00"), row(3, opening_hours="Mo-Su 07:00-22:00"),
         row(4, category="landmark", name="景堂图书馆"))
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10})


@pytest.fixture
def status_calls(monkeypatch):
    """The opening_hours of every hours.status call (a pure function, wrapped to count)."""
    calls, original = [], hours.status

    def counted(opening_hours, at=None):
        calls.append(opening_hours)
        return original(opening_hours, at)
    monkeypatch.setattr(hours, "status", counted)
    return calls


@pytest.mark.parametrize("path", ["/nearest", "/api/nearest"])
def test_each_status_is_computed_once_per_request(client, status_calls, path):
    response = client.get(path, query_string=NEAR | {"category": "nursing_room",
                                                      "open_now": "1"})
    assert response.status_code == 200
    assert len(status_calls) == 3 and len(set(status_calls)) == 3  # each room once


@pytest.mark.parametrize("path", ["/facilities/room-1", "/api/facilities/room-1",
                                  "/api/facilities"])
def test_a_facility_status_is_computed_once(client, status_calls, path):
    assert client.get(path).status_code == 200
    assert len(status_calls) == len(set(status_calls))


def test_the_category_is_parsed_once(client, monkeypatch):
    asked, original = [], params.choice

    def counted(args, name, allowed):
        asked.append(name)
        return original(args, name, allowed)
    monkeypatch.setattr(params, "choice", counted)
    assert client.get("/nearest", query_string=NEAR | {"category": "landmark"}).status_code == 200
    assert asked.count("category") == 1


def test_the_extent_is_read_once_inside_the_search_snapshot(app, client):
    statements = []
    with app.app_context():  # this thread's connection, kept for the requests that follow
        db.open_store().db.conn.set_trace_callback(statements.append)
    statements.clear()
    page = client.get("/nearest", query_string=NEAR | {"category": "coach_stop", "lang": "en"})
    assert "There are no coach stops in our data yet." in page.get_data(as_text=True)
    begin, end = statements.index("BEGIN"), statements.index("COMMIT")
    extents = [i for i, s in enumerate(statements) if "category_extents" in s]
    assert len(extents) == 1 and begin < extents[0] < end
