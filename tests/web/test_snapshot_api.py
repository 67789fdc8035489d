"""GET /api/snapshot: what the service worker keeps for offline use, named by dataset version and
date (304 on a repeat), refused without a bbox where the deployment is too large for one."""

import json
from datetime import datetime

import pytest

from locator import create_app
from locator.core.clock import SHANGHAI
from tests.factories import assert_canonical_error, load, row

pytestmark = pytest.mark.engines

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def app(db_path):
    """Three rooms, the clock at Monday 10:00."""
    load(db_path, row(1, opening_hours="Mo-Fr 08:30-17:30; PH off"), row(2), row(3))
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10,
                       "SNAPSHOT_MAX_FACILITIES": 2})


def test_a_repeat_is_304_until_the_data_changes(app, client, db_path):
    first = client.get("/api/snapshot?bbox=112,22,114,22.5015")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.headers["Cache-Control"] == "public, max-age=60"
    tag = first.headers["ETag"]
    assert tag.startswith('"v1.1.2026-11-30.')
    body = first.get_json()
    assert [f["id"] for f in body["facilities"]] == ["room-1"]
    assert body["facilities"][0]["open"][0] == [8 * 60 + 30, 17 * 60 + 30]
    again = client.get("/api/snapshot?bbox=112,22,114,22.5015", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    load(db_path, row(1, name="新名字", opening_hours="Mo-Fr 08:30-17:30; PH off"), merge=True)
    changed = client.get("/api/snapshot?bbox=112,22,114,22.5015", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"].startswith('"v1.2.2026-11-30.')
    assert changed.get_json()["facilities"][0]["name"] == "新名字"


def test_more_than_the_setting_needs_a_bbox_and_says_how_large(client):
    response = client.get("/api/snapshot")
    message = assert_canonical_error(response, 400)
    assert "3 facilities" in message and "bbox" in message
    # Three rooms 0.001° apart: the smallest cell, which still holds the pages' 5 km circle.
    assert response.headers["Locator-Snapshot-Cell"] == "0.05"
    too_large = client.get("/api/snapshot?bbox=112,22,114,23")
    assert "smaller bbox" in assert_canonical_error(too_large, 400)
    assert "Locator-Snapshot-Cell" not in too_large.headers
    assert assert_canonical_error(client.get("/api/snapshot?bbox=1,2,3"), 400)


def test_the_whole_district_in_one_answer(db_path):
    load(db_path, row(1, name='<img src=x onerror=alert(1)>', name_en="a\u2028b"))
    app = create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10})
    response = app.test_client().get("/api/snapshot")
    assert response.headers["ETag"] == '"v1.1.2026-11-30"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = json.loads(response.data)
    assert body["bbox"] is None and body["generated_on"] == "2026-11-30"
    assert body["facilities"][0]["name"] == '<img src=x onerror=alert(1)>'
