"""The public report and suggestion forms without JavaScript, through the test client with
CSRF on as in production: every state, the honeypot, throttling, hostile text, and what the
facility page says visitors reported."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locator.reports import moderation
from locator.reports.intake import submit
from locator.reports.submissions import Submission
from locator.reports.summary import DAY_S
from locator.store import Store
from tests.admin_support import TOKEN, console_app, english, text
from tests.factories import load, row

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def app(db_path):
    """CSRF on, a fixed clock, two nursing rooms (room-1 with a changing table and a crib)."""
    load(db_path, row(1, amenities="changing_table;crib"), row(2))
    return console_app(db_path, CLOCK=lambda: NOW)


@pytest.fixture
def client(app):
    """A visitor asking for English pages."""
    return english(app.test_client())


def reports(db_path) -> list[dict]:
    """Every stored report, newest first."""
    store = Store(db_path)
    try:
        return store.reports.page(limit=100, offset=0)[0]
    finally:
        store.close()


def token(client, path: str) -> str:
    """The CSRF token of the form on `path`."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def post(client, path: str, address: str = "203.0.113.7", **fields):
    """Post the form on `path` as a browser would, with its token, from `address`."""
    return client.post(path, data={"csrf_token": token(client, path), "website": "", **fields},
                       environ_base={"REMOTE_ADDR": address})


REPORT = "/facilities/room-1/report"


def test_the_report_form_offers_every_kind_and_the_facility_equipment(client):
    page = client.get(REPORT)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for kind in ("closed", "locked", "dirty", "missing_equipment", "wrong_location",
                 "wrong_hours", "gone", "other"):
        assert f'value="{kind}"' in body
    assert 'name="kind" value="all_good"' in body  # the one-tap confirmation
    assert 'value="changing_table"' in body and 'value="crib"' in body
    assert 'value="shelter"' not in body  # only this facility's own equipment
    assert 'name="csrf_token"' in body and 'name="website"' in body
    assert 'aria-hidden="true"><label for="website"' in body
    cache = page.headers["Cache-Control"]
    assert "private" in cache and "no-store" in cache and "public" not in cache


def test_a_report_is_stored_and_answered_with_a_thank_you(client, db_path):
    answer = post(client, REPORT, kind="missing_equipment", amenities=["crib"],
                  note="No crib today", lat="1", lon="2")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/facilities/room-1/report/thanks")
    thanks = client.get(answer.headers["Location"])
    assert "Nothing on the site changes until they have" in text(thanks)
    [stored] = reports(db_path)
    assert (stored["kind"], stored["facility_id"], stored["note"]) == (
        "missing_equipment", "room-1", "No crib today")
    assert stored["details"] == {"amenities": ["crib"]}  # lat/lon belong to another kind


def test_the_one_tap_confirmation(client, db_path):
    assert post(client, REPORT, kind="all_good").status_code == 303
    assert [r["kind"] for r in reports(db_path)] == ["all_good"]


def test_a_wrong_position_and_wrong_hours_carry_their_details(client, db_path):
    assert post(client, REPORT, kind="wrong_location", lat="22.5123", lon="113.0456",
                opening_hours="ignored").status_code == 303
    assert post(client, REPORT, kind="wrong_hours",
                opening_hours="周一至周五 8:30-17:30").status_code == 303
    hours, where = reports(db_path)
    assert where["details"] == {"lat": 22.5123, "lon": 113.0456}
    assert hours["details"] == {"opening_hours": "Mo-Fr 08:30-17:30"}


def test_a_filled_honeypot_gets_the_same_thanks_and_nothing_is_kept(client, db_path):
    path = REPORT
    answer = client.post(path, data={"csrf_token": token(client, path), "website": "spam.example",
                                     "kind": "closed"})
    assert answer.status_code == 303 and "/report/thanks" in answer.headers["Location"]
    suggestion = client.post("/suggest", data={"csrf_token": token(client, "/suggest"),
                                               "website": "x", "name": "Spam", "lat": "22.5",
                                               "lon": "113.0", "category": "nursing_room"})
    assert suggestion.status_code == 303 and "/suggest/thanks" in suggestion.headers["Location"]
    assert reports(db_path) == []


def test_without_a_csrf_token_nothing_is_kept(client, db_path):
    for path, data in ((REPORT, {"kind": "closed"}),
                       ("/suggest", {"name": "A", "lat": "22.5", "lon": "113"})):
        answer = client.post(path, data=data)
        assert answer.status_code == 400
        assert "This form has expired" in text(answer)
    assert client.post(REPORT, data={"kind": "closed", "csrf_token": "forged"}).status_code == 400
    assert reports(db_path) == []


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({}, "kind", "choose what is wrong"),
    ({"kind": "broken"}, "kind", "choose what is wrong"),
    ({"kind": "closed", "note": "x" * 501}, "note", "501 characters"),
    ({"kind": "closed", "note": "evil \u202e text"}, "note", "text-direction"),
    ({"kind": "wrong_location", "lat": "north", "lon": "113"}, "lat", "decimal degrees"),
    ({"kind": "wrong_location", "lat": "39.9", "lon": "116.4"}, "lat", "outside the area"),
    ({"kind": "missing_equipment", "amenities": ["jacuzzi"]}, "amenities", "jacuzzi"),
    ({"kind": "wrong_hours", "opening_hours": "whenever"}, "opening_hours", "whenever"),
])
def test_a_refused_report_shows_the_form_again_with_the_field_message(client, db_path, fields,
                                                                      field, words):
    answer = post(client, REPORT, **fields)
    assert answer.status_code == 400
    body = answer.get_data(as_text=True)
    slot = re.search(rf'<p class="field-error" id="{field}-error"[^>]*>([^<]*)</p>', body)
    assert slot and words in slot.group(1).replace("&#34;", '"').replace("&#39;", "'"), body
    assert f'aria-describedby="{field}-error"' in body
    if fields.get("kind") in ("closed", "wrong_location", "missing_equipment", "wrong_hours"):
        assert f'value="{fields["kind"]}" checked' in body  # what was chosen is kept
    assert reports(db_path) == []


def test_an_unknown_facility_is_404(client):
    assert client.get("/facilities/no-such/report").status_code == 404
    assert client.post("/facilities/no-such/report",
                       data={"csrf_token": token(client, REPORT), "kind": "closed"}
                       ).status_code == 404


def test_too_many_reports_are_429_with_retry_after(db_path):
    load(db_path, row(1))
    client = english(console_app(db_path, CLOCK=lambda: NOW, REPORTS_PER_CLIENT=2)
                     .test_client())
    for _ in range(2):
        assert post(client, REPORT, kind="dirty").status_code == 303
    answer = post(client, REPORT, kind="dirty")
    assert answer.status_code == 429
    assert 0 < int(answer.headers["Retry-After"]) <= 3600
    assert "Too many reports just now" in text(answer)
    assert post(client, REPORT, address="198.51.100.9", kind="dirty").status_code == 303
    assert len(reports(db_path)) == 3


def test_hostile_text_is_stored_as_sent_and_shown_escaped(client, db_path):
    answer = post(client, REPORT, kind="other", note=HOSTILE)
    assert answer.status_code == 303
    assert reports(db_path)[0]["note"] == HOSTILE
    refused = post(client, REPORT, kind="other", note=HOSTILE + "x" * 500)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # in the textarea, as text
    named = post(client, "/suggest", name=HOSTILE, lat="22.5", lon="113.0",
                 category="nursing_room", floor="\u202e1F")
    page = named.get_data(as_text=True)
    assert named.status_code == 400 and "<img src=x" not in page and "<script>alert" not in page


# -- suggestions ------------------------------------------------------------------------------

def test_the_suggest_form_starts_at_the_phone_or_the_centre(client):
    body = client.get("/suggest?lat=22.53&lon=113.04").get_data(as_text=True)
    assert 'name="lat" inputmode="decimal" autocomplete="off" value="22.53"' in body
    assert 'href="/suggest?lat=22.53&amp;lon=113.04&amp;lang=zh"' in body  # kept in 中文
    for query in ("", "?lat=north&lon=x", "?lat=39.9&lon=116.4", "?lat=nan&lon=inf"):
        page = client.get("/suggest" + query)
        assert page.status_code == 200
        assert 'value="22.52"' in page.get_data(as_text=True)  # the district's centre
    assert "amenity-group" in body and 'value="shelter"' in body and 'value="crib"' in body


def test_a_suggestion_is_stored_in_wgs84_and_answered_with_a_thank_you(client, db_path):
    answer = post(client, "/suggest", category="nursing_room", name="万达广场母婴室",
                  floor="3F", opening_hours="每天 10:00-22:00", amenities=["crib", "sink"],
                  lat="22.5312345", lon="113.0412345", note="Next to the lifts")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/suggest/thanks")
    assert "appears on the map once they have" in text(client.get(answer.headers["Location"]))
    [stored] = reports(db_path)
    assert stored["kind"] == "suggestion" and stored["note"] == "Next to the lifts"
    details = stored["details"]
    assert (details["name"], details["floor"], details["opening_hours"]) == (
        "万达广场母婴室", "3F", "Mo-Su 10:00-22:00")
    assert (details["lat"], details["lon"]) == (22.5312345, 113.0412345)
    assert sorted(details["amenities"]) == ["crib", "sink"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": ""}, "name"),
    ({"category": "spaceport"}, "category"),
    ({"lat": ""}, "lat"),
    ({"lat": "39.9", "lon": "116.4"}, "lat"),
    ({"amenities": ["shelter"]}, "amenities"),
    ({"opening_hours": "sometimes"}, "opening_hours"),
    ({"note": "x" * 501}, "note"),
])
def test_a_refused_suggestion_keeps_what_was_typed(client, db_path, fields, field):
    good = {"category": "nursing_room", "name": "新的母婴室", "lat": "22.53", "lon": "113.04"}
    answer = post(client, "/suggest", **(good | fields))
    assert answer.status_code == 400
    body = answer.get_data(as_text=True)
    assert f'aria-describedby="{field}-error"' in body
    errors = re.findall(r'<p class="field-error"[^>]*>([^<]+)</p>', body)
    listed = re.search(r'class="notice notice-warn form-errors".*?</div>', body, re.S).group(0)
    assert errors or "<li>" in listed, body
    if field != "name":
        assert 'value="新的母婴室"' in body
    assert reports(db_path) == []


# -- links and the facility page's aggregate --------------------------------------------------

def test_cards_and_pages_link_to_the_forms(client):
    assert 'href="/facilities/room-1/report"' in client.get("/facilities/room-1").get_data(
        as_text=True)
    results = client.get("/nearest?lat=22.501&lon=113.001&category=nursing_room")
    assert 'href="/facilities/room-1/report"' in results.get_data(as_text=True)
    assert 'href="/suggest?lat=22.501&amp;lon=113.001"' in results.get_data(as_text=True)
    assert 'href="/suggest"' in client.get("/").get_data(as_text=True)


def said(client) -> list[str]:
    """The lines the facility page shows under "what visitors said"."""
    body = client.get("/facilities/room-1").get_data(as_text=True)
    block = re.search(r'<ul class="said".*?</ul>', body, re.S)
    return re.findall(r"<li[^>]*>(.*?)</li>", block.group(0), re.S) if block else []


def test_closed_shows_from_two_clients_and_never_the_note(client):
    post(client, REPORT, kind="closed", note="Locked by the cleaner Ms Wang")
    assert said(client) == []  # one voice is not enough
    post(client, REPORT, address="198.51.100.9", kind="closed")
    [line] = said(client)
    assert "2 visitors reported it closed in the last 7 days" in line
    assert "Ms Wang" not in client.get("/facilities/room-1").get_data(as_text=True)


def test_all_good_shows_from_one_and_a_rejected_report_never_counts(client, db_path):
    post(client, REPORT, kind="all_good")
    assert said(client) == ["Confirmed by a visitor today"]
    post(client, REPORT, kind="gone")
    post(client, REPORT, address="198.51.100.9", kind="gone")
    assert any("2 visitors reported it gone for good" in s for s in said(client))
    store = Store(db_path)
    try:
        gone = [r for r in reports(db_path) if r["kind"] == "gone"]
        moderation.reject(store, gone[0]["id"], actor="alice", note="spam")
    finally:
        store.close()
    assert not any("gone" in s for s in said(client))


def test_the_aggregate_is_in_chinese_and_changes_the_page_validator(app, db_path):
    client = app.test_client()
    first = client.get("/facilities/room-1")
    store = Store(db_path)
    try:
        submit(store, Submission("all_good", "room-1", {}, ""), "203.0.113.1",
               now=NOW.timestamp() - 3 * DAY_S)
    finally:
        store.close()
    second = client.get("/facilities/room-1", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200  # the aggregate is part of the body its ETag is made of
    assert "3 天前有访客确认信息准确" in text(second)



FIELDS = ("kind", "note", "lat", "lon", "amenities", "opening_hours", "category", "name",
          "floor", "website", "extra")
VALUES = st.text(max_size=60) | st.sampled_from(
    ["closed", "wrong_location", "missing_equipment", "wrong_hours", "22.53", "113.04", "1e400",
     "nan", "crib", "nursing_room"])


def test_any_form_input_is_answered_never_a_500(db_path):
    """Whatever a browser (or a robot) posts: the thank-you, a refusal, or 429."""
    load(db_path, row(1, amenities="crib"))
    # CSRF off: the forms' own checks are what is fuzzed here.
    client = console_app(db_path, CLOCK=lambda: NOW, WTF_CSRF_ENABLED=False,
                         REPORTS_PER_CLIENT=10_000, REPORTS_OVERALL=10_000).test_client()

    @given(st.dictionaries(st.sampled_from(FIELDS), st.lists(VALUES, min_size=1, max_size=3)))
    @settings(max_examples=60)
    def post_anything(data):
        for path in (REPORT, "/suggest"):
            answer = client.post(path, data=data)
            assert answer.status_code in (303, 400, 429), answer.get_data(as_text=True)[:500]

    post_anything()


def test_from_the_forms_to_an_accepted_version_on_the_public_page(client, db_path):
    post(client, "/suggest", category="nursing_room", name="江门万达母婴室", lat="22.5301",
         lon="113.0401")
    post(client, REPORT, kind="wrong_location", lat="22.5111", lon="113.0222")
    new_id = moderation.suggested_id("江门万达母婴室", set())
    assert client.get(f"/facilities/{new_id}").status_code == 404
    before = client.get("/facilities/room-1").get_data(as_text=True)
    assert "22.5111" not in before  # nothing changes until an admin accepts
    moved, suggested = reports(db_path)
    store = Store(db_path)
    try:
        added = moderation.accept(store, suggested["id"], actor="alice")
        moderation.accept(store, moved["id"], actor="alice")
    finally:
        store.close()
    assert added.facility_id == new_id
    page = client.get(f"/facilities/{new_id}")
    assert page.status_code == 200 and "江门万达母婴室" in text(page)
    assert "22.5111" in client.get("/facilities/room-1").get_data(as_text=True)
