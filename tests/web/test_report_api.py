"""The report and suggestion API: JSON in, 201 or the error shape out (fields named in the
request's language), bounded bodies, throttles, no cookies, no CSRF token, never a 500."""

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator import create_app
from locator.api.reports import MAX_BODY_BYTES
from locator.reports.kinds import REPORT_KINDS
from locator.store import Store
from tests.factories import assert_canonical_error, load, row

pytestmark = pytest.mark.engines

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REPORTS = "/api/facilities/room-1/reports"
SUGGESTIONS = "/api/suggestions"
PLACE = {"category": "nursing_room", "name": "万达母婴室", "lat": 22.5301, "lon": 113.0402,
         "floor": "2F", "opening_hours": "每天 10:00-22:00", "amenities": ["changing_table"],
         "note": "在电梯旁"}


def make_app(db_path, **config):
    """The app on room-1 and room-2, its clock fixed, with `config` on top."""
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10,
                       **config})


@pytest.fixture
def app(db_path):
    """The app on two nursing rooms."""
    load(db_path, row(1, amenities="changing_table;sink"), row(2))
    return make_app(db_path)


def stored(db_path) -> list[dict]:
    """Every stored report, oldest first."""
    store = Store(db_path)
    try:
        return list(reversed(store.reports.page(limit=1000)[0]))
    finally:
        store.close()


def refused_fields(response, status: int = 400) -> dict:
    """The `fields` of an error answer, after checking the rest of its shape."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert set(error) == {"status", "message", "fields"} and error["status"] == status
    return error["fields"]


def test_a_report_is_stored_as_new_and_answered_201(client, db_path):
    response = client.post(REPORTS, json={"kind": "closed", "note": "锁门了"})
    assert response.status_code == 201
    assert response.get_json() == {"id": 1, "status": "new"}
    assert "Location" not in response.headers and "Set-Cookie" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    [report] = stored(db_path)
    assert (report["kind"], report["facility_id"], report["note"], report["status"]) == (
        "closed", "room-1", "锁门了", "new")


def test_a_suggestion_is_checked_as_a_row_and_stored(client, db_path):
    response = client.post(SUGGESTIONS, json=PLACE)
    assert response.status_code == 201 and response.get_json()["status"] == "new"
    [report] = stored(db_path)
    assert report["kind"] == "suggestion" and report["facility_id"] == ""
    assert report["details"]["opening_hours"] == "Mo-Su 10:00-22:00"  # converted as in a file
    assert report["details"]["amenities"] == ["changing_table"]


def test_nothing_public_changes_on_submission(client):
    before = [client.get(p).get_data() for p in ("/api/facilities/room-1", "/api/facilities")]
    client.post(REPORTS, json={"kind": "wrong_location", "lat": 22.53, "lon": 113.04})
    client.post(REPORTS, json={"kind": "gone"})
    client.post(SUGGESTIONS, json=PLACE)
    after = [client.get(p).get_data() for p in ("/api/facilities/room-1", "/api/facilities")]
    assert after == before


def test_form_style_values_are_read_too(client, db_path):
    response = client.post(REPORTS, json={"kind": "missing_equipment",
                                          "amenities": "changing_table；sink"})
    assert response.status_code == 201
    assert stored(db_path)[0]["details"]["amenities"] == ["changing_table", "sink"]


@pytest.mark.parametrize(("path", "payload", "field"), [
    (REPORTS, {"kind": "nope"}, "kind"),
    (REPORTS, {}, "kind"),
    (REPORTS, {"kind": "closed", "note": "x" * 501}, "note"),
    (REPORTS, {"kind": "closed", "note": "a\u202eb"}, "note"),
    (REPORTS, {"kind": "wrong_location", "lat": 40.0, "lon": 116.4}, "lat"),
    (REPORTS, {"kind": "missing_equipment", "amenities": ["bay"]}, "amenities"),
    (REPORTS, {"kind": "closed", "csrf_token": "x"}, "csrf_token"),
    (SUGGESTIONS, PLACE | {"category": "cafe"}, "category"),
    (SUGGESTIONS, {k: v for k, v in PLACE.items() if k != "name"}, "name"),
    (SUGGESTIONS, PLACE | {"lat": "north"}, "lat"),
])
def test_bad_input_is_400_naming_the_field(client, db_path, path, payload, field):
    fields = refused_fields(client.post(path, json=payload))
    assert field in fields and all(fields.values())
    assert stored(db_path) == []


def test_field_messages_follow_the_requests_language(client):
    bad = {"kind": "closed", "note": "x" * 501}
    zh = refused_fields(client.post(REPORTS, json=bad))["note"]
    en = refused_fields(client.post(REPORTS, json=bad, headers={"Accept-Language": "en"}))["note"]
    by_param = refused_fields(client.post(REPORTS + "?lang=en", json=bad,
                                          headers={"Accept-Language": "zh"}))["note"]
    assert en == by_param and "501" in en and "characters" in en
    assert zh != en and "501" in zh


def test_an_unknown_facility_is_404(client):
    message = assert_canonical_error(client.post("/api/facilities/nowhere/reports",
                                                 json={"kind": "closed"}), 404)
    assert "nowhere" in message


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x",
                                          "application/json-seq", "text/json"])
def test_anything_but_json_is_415(client, db_path, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(REPORTS, data='{"kind": "closed"}', headers=headers)
    assert "application/json" in assert_canonical_error(response, 415)
    assert stored(db_path) == []


def test_a_charset_parameter_is_allowed(client):
    response = client.post(REPORTS, data=b'{"kind": "closed"}',
                           headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201


def test_a_body_over_the_limit_is_413(client, db_path):
    body = json.dumps({"kind": "closed", "note": "x" * MAX_BODY_BYTES})
    assert_canonical_error(client.post(REPORTS, data=body, content_type="application/json"), 413)
    assert stored(db_path) == []


def test_a_chunked_body_over_the_limit_is_413_too(client, db_path):
    # No Content-Length: the limit is applied while reading (gunicorn marks such a body
    # terminated, as wsgi.input_terminated says here).
    body = json.dumps({"kind": "closed", "note": "x" * MAX_BODY_BYTES}).encode()
    response = client.post(REPORTS, input_stream=io.BytesIO(body),
                           headers={"Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked"},
                           environ_base={"wsgi.input_terminated": True})
    assert_canonical_error(response, 413)
    small = client.post(REPORTS, input_stream=io.BytesIO(b'{"kind": "dirty"}'),
                        headers={"Content-Type": "application/json",
                                 "Transfer-Encoding": "chunked"},
                        environ_base={"wsgi.input_terminated": True})
    assert small.status_code == 201 and [r["kind"] for r in stored(db_path)] == ["dirty"]


@pytest.mark.parametrize("body", [b"", b"{", b"kind=closed", b'{"kind": NaN}',
                                  b'{"kind": "closed", "lat": Infinity, "lon": 1}',
                                  b"\xff\xfe{}", b"[" * 4000 + b"]" * 4000,
                                  b'["closed"]', b'"closed"', b"null", b"3"])
def test_malformed_json_or_not_an_object_is_400(client, db_path, body):
    response = client.post(REPORTS, data=body, content_type="application/json")
    assert "JSON" in assert_canonical_error(response, 400)
    assert stored(db_path) == []


def test_a_huge_number_is_a_refused_field_not_a_crash(client):
    huge = "1" + "0" * 4000
    body = f'{{"kind": "wrong_location", "lat": {huge}, "lon": 113.03}}'
    assert "lat" in refused_fields(client.post(REPORTS, data=body,
                                               content_type="application/json"))


def test_no_csrf_token_is_needed_and_no_cookie_is_set(client):
    # CSRFProtect guards every POST of the app unless exempted; the API is.
    for path, payload in ((REPORTS, {"kind": "all_good"}), (SUGGESTIONS, PLACE),
                          (REPORTS + "?lang=en", {"kind": "nope"})):
        response = client.post(path, json=payload)
        assert response.status_code in (201, 400) and "Set-Cookie" not in response.headers


def test_a_form_post_to_the_html_forms_is_not_exempted(app, client):
    # The exemption is the API's only: a console POST still needs its token.
    response = client.post("/admin/login", data={"username": "a", "password": "b"})
    assert response.status_code == 400


def test_one_client_is_throttled_with_retry_after(db_path):
    load(db_path, row(1))
    client = make_app(db_path, REPORTS_PER_CLIENT=2).test_client()
    assert [client.post(REPORTS, json={"kind": "dirty"}).status_code for _ in range(2)] == [201] * 2
    response = client.post(REPORTS, json={"kind": "dirty"})
    assert "try again" in assert_canonical_error(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 3600
    other = client.post(SUGGESTIONS, json=PLACE, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 201  # another client still may
    assert len(stored(db_path)) == 3


def test_everyone_together_is_throttled(db_path):
    load(db_path, row(1))
    client = make_app(db_path, REPORTS_OVERALL=3).test_client()
    codes = [client.post(REPORTS, json={"kind": "dirty"},
                         environ_base={"REMOTE_ADDR": f"198.51.{n}.1"}).status_code
             for n in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    response = client.post(SUGGESTIONS, json=PLACE, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert_canonical_error(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
           "'; DROP TABLE reports;--", "{{ 7*7 }} ${7*7} %(x)s",
           "\\u003c/script\\u003e", "换行\n第二行"]


@pytest.mark.parametrize("note", HOSTILE)
def test_hostile_text_is_stored_as_sent_and_answered_as_json(client, db_path, note):
    response = client.post(REPORTS, json={"kind": "other", "note": note})
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    suggestion = client.post(SUGGESTIONS, json=PLACE | {"note": note, "floor": "B1"})
    assert suggestion.status_code == 201
    assert [r["note"] for r in stored(db_path)] == [note, note]


def test_hostile_text_in_a_refusal_comes_back_as_json_only(client):
    response = client.post(REPORTS, json={"kind": "<script>alert(1)</script>"})
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "kind" in refused_fields(response)


SCALARS = (st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
           | st.integers() | st.text(max_size=30))
JSON = st.recursive(SCALARS,
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
FIELDS = st.sampled_from(["kind", "note", "lat", "lon", "amenities", "opening_hours", "category",
                          "name", "floor", "x"])
BODIES = (st.dictionaries(FIELDS, JSON | st.sampled_from(list(REPORT_KINDS)), max_size=6)
          | JSON | st.text(max_size=50))


@pytest.fixture
def roomy_client(db_path):
    """A client on room-1 whose throttle is raised so that the checks, not 429s, answer."""
    load(db_path, row(1))
    return make_app(db_path, REPORTS_PER_CLIENT=10**6, REPORTS_OVERALL=10**6).test_client()


@given(body=BODIES, facility=st.sampled_from(["room-1", "nowhere", "%E4%B8%AD", "a" * 300]),
       big=st.booleans())
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_json_body_is_answered_never_500(roomy_client, body, facility, big):
    data = json.dumps(body)
    if big:
        data = data + " " * MAX_BODY_BYTES
    for path in (f"/api/facilities/{facility}/reports", SUGGESTIONS):
        response = roomy_client.post(path, data=data, content_type="application/json")
        assert response.status_code in (201, 400, 404, 413, 415, 429), response.get_data()[:300]
        assert response.mimetype == "application/json"


def test_a_preflight_from_another_site_is_not_granted(client):
    # A script on someone else's page could otherwise file reports from its visitors' browsers.
    response = client.options(REPORTS, headers={"Origin": "https://example.org",
                                                "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert "Access-Control-Allow-Headers" not in response.headers
