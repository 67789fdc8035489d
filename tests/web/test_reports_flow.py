"""A visitor's report and suggestion from the JSON API to the public page: nothing public
changes on submission, and `flask reports accept` makes each a version the page and the API
show (a moved pin, new hours, a new place, a place gone)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from locator import create_app
from tests.factories import load, row

pytestmark = pytest.mark.engines

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PLACE = {"category": "nursing_room", "name": "万达母婴室", "lat": 22.5301, "lon": 113.0402,
         "floor": "2F", "opening_hours": "每天 10:00-22:00", "amenities": ["changing_table"]}
PUBLIC = ("/facilities/room-1", "/facilities/room-2", "/api/facilities/room-1",
          "/api/facilities/room-2", "/api/facilities", "/api/nearest?lat=22.53&lon=113.04&limit=50")


@pytest.fixture
def app(db_path):
    """Two nursing rooms; the clock fixed; CLI messages in English; no nice() in this process."""
    load(db_path, row(1, lat="22.5200", lon="113.0300", opening_hours="Mo-Fr 08:00-17:00"),
         row(2, lat="22.5250", lon="113.0350"))
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10,
                       "BATCH_NICE": 0})


def public(client) -> dict[str, str]:
    """What anyone can read about the data now (without each page's own CSP nonce)."""
    return {path: re.sub(r'nonce="[^"]*"', "", client.get(path).get_data(as_text=True))
            for path in PUBLIC}


def post(client, path: str, payload: dict, address: str) -> int:
    """Submit through the API from `address`; the new report's id."""
    response = client.post(path, json=payload, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def accept(runner, report_id: int, *options: str) -> str:
    """`flask reports accept ID`, which must succeed; its output."""
    result = runner.invoke(args=["reports", "accept", str(report_id), *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_reports_and_a_suggestion_change_the_public_data_only_when_accepted(client, runner):
    before = public(client)
    moved = post(client, "/api/facilities/room-1/reports",
                 {"kind": "wrong_location", "lat": 22.5311, "lon": 113.0322,
                  "note": "在商场三楼，不在一楼"}, "198.51.100.1")
    hours = post(client, "/api/facilities/room-1/reports",
                 {"kind": "wrong_hours", "opening_hours": "每天 9:00-21:00"}, "198.51.100.2")
    gone = post(client, "/api/facilities/room-2/reports", {"kind": "gone"}, "198.51.100.3")
    suggested = post(client, "/api/suggestions", PLACE, "198.51.100.4")
    assert public(client) == before  # nothing visible until an admin decides

    listed = runner.invoke(args=["reports", "list", "--status", "new"]).stdout.splitlines()
    assert [int(line.split()[0]) for line in listed] == [suggested, gone, hours, moved]

    assert "version 2" in accept(runner, moved)
    feature = client.get("/api/facilities/room-1").get_json()
    assert feature["geometry"]["coordinates"] == [113.0322, 22.5311]
    assert feature["properties"]["coord_source"] == "map"
    assert "22.5311" in client.get("/facilities/room-1").get_data(as_text=True)
    assert "22.5311" not in before["/facilities/room-1"]

    assert "version 3" in accept(runner, hours)
    assert client.get("/api/facilities/room-1").get_json()["properties"][
        "opening_hours"] == "Mo-Su 09:00-21:00"
    week = client.get("/facilities/room-1").get_data(as_text=True)
    assert week.count("<td>09:00–21:00</td>") == 7 and "09:00–21:00" not in before[
        "/facilities/room-1"]  # the page's week of hours, in words

    assert "facility wanda-2f, version 4" in accept(runner, suggested, "--id", "wanda-2f")
    added = client.get("/api/facilities/wanda-2f").get_json()["properties"]
    assert (added["name"], added["opening_hours"], added["amenities"], added["floor"]) == (
        "万达母婴室", "Mo-Su 10:00-22:00", "changing_table", "2F")
    assert "万达母婴室" in client.get("/facilities/wanda-2f").get_data(as_text=True)
    nearest = client.get("/api/nearest?lat=22.5301&lon=113.0402&limit=1").get_json()
    assert nearest["results"][0]["id"] == "wanda-2f" and nearest["dataset_version"] == 4

    assert "version 5" in accept(runner, gone)
    assert client.get("/api/facilities/room-2").status_code == 404
    assert client.get("/facilities/room-2").status_code == 404

    history = runner.invoke(args=["facilities", "history"]).stdout
    assert [f"report {n}" in history for n in (moved, hours, suggested, gone)] == [True] * 4
    assert runner.invoke(args=["reports", "list", "--status", "new"]).stdout == ""
