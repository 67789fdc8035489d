"""The console's side of visitors' reports: the queue, each decision as a version visible on the
public page, the editor's suggestion and report modes, the audit log, and the export."""

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from locator.core.clock import SHANGHAI
from locator.ingest.importer import DEFAULT_SETTINGS
from locator.reports.intake import submit
from locator.reports.submissions import check_report, check_suggestion
from locator.store import Store
from tests.admin_support import console_app, make_admin, signed_in, stored, text, token
from tests.factories import load, row

pytestmark = pytest.mark.engines

T0 = 1_780_000_000.0  # when the reports arrive; the app's clock is an hour later
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
LONG = "门锁着" * 160  # 480 characters without a space: must wrap, not stretch the page


def now_clock():
    """The app's moment: an hour after the reports."""
    return datetime.fromtimestamp(T0 + 3600, SHANGHAI)


@pytest.fixture
def app(db_path):
    """The console on three nursing rooms (room-3 with a changing table and a sink)."""
    load(db_path, row(1), row(2, name=HOSTILE), row(3, amenities="changing_table;sink"))
    make_admin(db_path)
    return console_app(db_path, CLOCK=now_clock)


@pytest.fixture
def client(app):
    """Signed in as the admin, in English."""
    return signed_in(app)


def send(db_path, facility="room-1", kind="closed", address="203.0.113.7", at=T0,
         **fields) -> int:
    """A visitor's report through the real checks and intake; its id."""
    store = Store(db_path)
    try:
        record = store.facilities.get(facility)
        checked = check_report(record, {"kind": kind, **fields}, DEFAULT_SETTINGS)
        return submit(store, checked, address, now=at)
    finally:
        store.close()


def suggest(db_path, name="万达广场母婴室", **fields) -> int:
    """A visitor's suggested place; its id."""
    store = Store(db_path)
    try:
        checked = check_suggestion({"category": "nursing_room", "name": name, "lat": 22.52,
                                    "lon": 113.03, "floor": "B1",
                                    "amenities": ["changing_table"], **fields},
                                   DEFAULT_SETTINGS)
        return submit(store, checked, "198.51.100.9", now=T0)
    finally:
        store.close()


def the_report(db_path, report_id: int) -> dict:
    """The report as stored."""
    store = Store(db_path)
    try:
        return store.reports.get(report_id)
    finally:
        store.close()


def version(db_path) -> dict:
    """The current version's metadata."""
    store = Store(db_path)
    try:
        return store.versions.current()
    finally:
        store.close()


def post(client, path: str, **data):
    """A console POST with a fresh CSRF token from the queue."""
    return client.post(path, data={"csrf_token": token(client, "/admin/reports"), **data})


# -- the queue --------------------------------------------------------------------------------

def test_the_queue_shows_new_reports_newest_first_with_their_facility(client, db_path):
    first = send(db_path, note="门锁着")
    second = send(db_path, "room-2", "locked", address="203.0.113.8", at=T0 + 60)
    page = client.get("/admin/reports")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.index(f'id="report-{second}"') < body.index(f'id="report-{first}"')
    assert 'href="/admin/facilities/room-1/edit"' in body and 'href="/facilities/room-1"' in body
    words = text(page)
    assert "Closed at the posted hours" in words and "门锁着" in words
    assert "2 reports match" in words


def test_distinct_visitors_saying_the_same_are_counted(client, db_path):
    send(db_path, address="203.0.113.7")
    send(db_path, address="203.0.113.7", at=T0 + 10)  # the same visitor again
    last = send(db_path, address="198.51.100.1", at=T0 + 20)
    words = text(client.get(f"/admin/reports/{last}"))
    assert "Distinct visitors in the last 30 days: 2" in words


def test_filters_by_status_kind_and_facility(client, db_path):
    closed = send(db_path)
    locked = send(db_path, "room-2", "locked")
    rejected = send(db_path, "room-3", "dirty")
    post(client, f"/admin/reports/{rejected}/reject", note="spam")

    def shown(**args) -> set[int]:
        body = client.get("/admin/reports", query_string=args).get_data(as_text=True)
        return {int(n) for n in re.findall(r'<article class="card-box report" id="report-(\d+)"',
                                           body)}

    assert shown() == {closed, locked}  # new only, by default
    assert "New: 2 · Accepted: 0 · Resolved: 0 · Rejected: 1" in text(client.get("/admin/reports"))
    assert shown(status="rejected") == {rejected}
    assert shown(status="all") == {closed, locked, rejected}
    assert shown(kind="locked") == {locked}
    assert shown(facility="room-1", status="all") == {closed}
    assert shown(status="nonsense", kind="<x>") == {closed, locked}  # unknown: the defaults
    assert shown(facility="x" * 500) == set()


def test_the_queue_is_paged(client, db_path):
    ids = [send(db_path, address=f"203.0.113.{i}", at=T0 + i) for i in range(23)]
    first = client.get("/admin/reports").get_data(as_text=True)
    assert f'id="report-{ids[-1]}"' in first and f'id="report-{ids[2]}"' not in first
    assert "Page 1 of 2" in first and "page=2" in first
    second = client.get("/admin/reports?page=2").get_data(as_text=True)
    assert f'id="report-{ids[0]}"' in second and f'id="report-{ids[-1]}"' not in second
    assert client.get("/admin/reports?page=99").status_code == 200  # the last page


def test_hostile_notes_and_names_are_escaped(client, db_path):
    send(db_path, "room-2", note=HOSTILE)
    suggest(db_path, name="<b>坏</b>母婴室")
    send(db_path, note=LONG)
    body = client.get("/admin/reports").get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body and "<b>坏" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;b&gt;坏" in body
    assert 'class="report-note">' + LONG in body  # the stylesheet wraps it (report-note)


def test_the_dashboard_counts_new_reports(client, db_path):
    send(db_path)
    send(db_path, "room-2")
    words = text(client.get("/admin/"))
    assert "New visitor reports: 2" in words
    assert 'href="/admin/reports"' in client.get("/admin/").get_data(as_text=True)


def test_a_wrong_position_report_shows_both_pins(client, db_path):
    report_id = send(db_path, kind="wrong_location", lat=22.52, lon=113.03)
    page = client.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    data = re.search(r'id="report-map-data"[^>]*>(.*?)</script>', page).group(1)
    assert f'"{report_id}": {{"reported": [22.52, 113.03], "stored": [22.501, 113.001]}}' in (
        data)
    assert "m from the stored position" in text(client.get(f"/admin/reports/{report_id}"))


# -- decisions --------------------------------------------------------------------------------

def test_accepting_a_wrong_position_moves_the_facility_as_a_version(client, db_path):
    report_id = send(db_path, kind="wrong_location", lat=22.52, lon=113.03)
    response = post(client, f"/admin/reports/{report_id}/accept")
    assert response.status_code == 303
    record = stored(db_path, "room-1")
    assert (record["lat"], record["lon"], record["coord_source"]) == (22.52, 113.03, "map")
    current = version(db_path)
    assert (current["kind"], current["filename"], current["actor"]) == (
        "report", f"report {report_id}", "alice")
    decided = the_report(db_path, report_id)
    assert (decided["status"], decided["version"]) == ("accepted", current["number"])
    assert f"Report {report_id} is accepted: version {current['number']}." in text(
        client.get(response.headers["Location"]))
    public = client.get("/facilities/room-1?lang=en").get_data(as_text=True)
    assert "22.52" in public


def test_gone_asks_to_confirm_then_removes_the_facility(client, db_path):
    report_id = send(db_path, kind="gone")
    before = version(db_path)["number"]
    page = post(client, f"/admin/reports/{report_id}/accept")
    assert page.status_code == 200 and "Remove room-1 for good?" in text(page)
    assert version(db_path)["number"] == before and stored(db_path, "room-1")
    response = post(client, f"/admin/reports/{report_id}/accept", confirmed="1")
    assert response.status_code == 303
    assert stored(db_path, "room-1") is None
    assert the_report(db_path, report_id)["status"] == "accepted"
    assert client.get("/facilities/room-1").status_code == 404


def test_missing_equipment_and_wrong_hours_change_what_they_say(client, db_path):
    missing = send(db_path, "room-3", "missing_equipment", amenities=["sink"])
    hours = send(db_path, "room-3", "wrong_hours", opening_hours="周一至周五 9:00-17:00")
    post(client, f"/admin/reports/{missing}/accept")
    post(client, f"/admin/reports/{hours}/accept")
    record = stored(db_path, "room-3")
    assert (record["amenities"], record["opening_hours"]) == ("changing_table",
                                                              "Mo-Fr 09:00-17:00")


def test_reject_keeps_the_reason_and_changes_nothing(client, db_path):
    report_id = send(db_path, kind="gone")
    before = version(db_path)["number"]
    response = post(client, f"/admin/reports/{report_id}/reject", note="still there <b>ok</b>")
    assert response.status_code == 303
    decided = the_report(db_path, report_id)
    assert (decided["status"], decided["decision_note"], decided["decided_by"]) == (
        "rejected", "still there <b>ok</b>", "alice")
    assert version(db_path)["number"] == before and stored(db_path, "room-1")
    body = client.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "still there &lt;b&gt;ok&lt;/b&gt;" in body


def test_resolve_with_a_note(client, db_path):
    report_id = send(db_path, kind="dirty")
    post(client, f"/admin/reports/{report_id}/resolve", note="cleaned on Monday")
    decided = the_report(db_path, report_id)
    assert (decided["status"], decided["decision_note"], decided["version"]) == (
        "resolved", "cleaned on Monday", None)


def test_duplicate_of_another_report(client, db_path):
    first = send(db_path)
    second = send(db_path, address="198.51.100.1")
    response = post(client, f"/admin/reports/{second}/duplicate", of=f"#{first}")
    assert response.status_code == 303
    assert the_report(db_path, second)["duplicate_of"] == first
    for n, bad in enumerate(("", "abc", "self", "99999", "9" * 40)):
        third = send(db_path, address=f"198.51.100.{n + 2}")
        bad = str(third) if bad == "self" else bad
        refused = post(client, f"/admin/reports/{third}/duplicate", of=bad)
        assert refused.status_code == 409, bad
        assert "give the id of another report" in text(refused)
        assert the_report(db_path, third)["status"] == "new"


def test_a_second_decision_is_refused_politely(client, db_path):
    report_id = send(db_path)
    post(client, f"/admin/reports/{report_id}/reject", note="no")
    again = post(client, f"/admin/reports/{report_id}/resolve")
    assert again.status_code == 409
    assert f"report {report_id} was decided already: it is rejected" in text(again)
    assert the_report(db_path, report_id)["status"] == "rejected"
    assert client.get("/admin/reports/999").status_code == 404
    assert post(client, "/admin/reports/999/reject").status_code == 409


def test_every_action_needs_the_csrf_token(client, db_path):
    report_id = send(db_path, kind="gone")
    for action in ("accept", "resolve", "reject", "duplicate"):
        response = client.post(f"/admin/reports/{report_id}/{action}",
                               data={"confirmed": "1", "of": "1"})
        assert response.status_code == 400, action
    assert the_report(db_path, report_id)["status"] == "new" and stored(db_path, "room-1")


def test_signed_out_no_queue(app, db_path):
    send(db_path, note="secret note")
    anonymous = app.test_client()
    assert anonymous.get("/admin/reports").status_code == 302
    assert "secret note" not in anonymous.get("/admin/reports/1").get_data(as_text=True)


# -- the editor --------------------------------------------------------------------------------

def editor_form(client, path: str) -> dict:
    """The editor's fields as the browser would send them."""
    page = client.get(path).get_data(as_text=True)
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)  # else the first
        fields[name] = (chosen or re.search(r'<option value="([^"]*)"', options)).group(1)
    fields["amenities"] = ";".join(re.findall(
        r'<input type="checkbox" name="amenity" value="(\w+)" checked>', page))
    fields["based_on"] = re.search(r'name="based_on" value="(\d+)"', page).group(1)
    fields["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return fields


def test_a_suggestion_opens_prefilled_and_saving_adds_the_facility(client, db_path):
    report_id = suggest(db_path)
    accept = post(client, f"/admin/reports/{report_id}/accept")
    assert accept.status_code == 303
    path = accept.headers["Location"]
    assert path == f"/admin/facilities/from-report/{report_id}"
    fields = editor_form(client, path)
    assert (fields["id"], fields["name"], fields["category"], fields["floor"],
            fields["amenities"]) == ("wan-da-guang-chang-mu-ying-shi", "万达广场母婴室",
                                     "nursing_room", "B1", "changing_table")
    fields |= {"id": "wanda-room", "name_en": "Wanda Plaza nursing room"}
    saved = client.post(path, data=fields)
    assert saved.status_code == 303, text(saved)[:2000]
    record = stored(db_path, "wanda-room")
    assert (record["name"], record["name_en"], record["lat"]) == (
        "万达广场母婴室", "Wanda Plaza nursing room", 22.52)
    current = version(db_path)
    assert (current["kind"], current["added"]) == ("report", 1)
    assert the_report(db_path, report_id)["version"] == current["number"]
    assert "万达广场母婴室" in client.get("/facilities/wanda-room").get_data(as_text=True)
    history = text(client.get("/admin/history"))
    assert f"from visitor report {report_id}" in history


def test_the_importers_refusals_show_on_the_suggestion_form(client, db_path):
    report_id = suggest(db_path)
    path = f"/admin/facilities/from-report/{report_id}"
    fields = editor_form(client, path) | {"lat": "40.0", "lon": "116.4", "id": "room-1"}
    refused = client.post(path, data=fields)
    assert refused.status_code == 422
    assert "room-1" in text(refused) and "exists already" in text(refused)
    fields["id"] = "new-room"
    refused = client.post(path, data=fields)
    assert refused.status_code == 422
    assert 'class="has-error">' in refused.get_data(as_text=True)
    assert the_report(db_path, report_id)["status"] == "new" and stored(db_path, "new-room") is None


def test_a_decided_suggestion_cannot_be_saved_twice(client, db_path):
    report_id = suggest(db_path)
    path = f"/admin/facilities/from-report/{report_id}"
    fields = editor_form(client, path)
    assert client.post(path, data=fields).status_code == 303
    again = client.post(path, data=fields | {"id": "another"})
    assert again.status_code == 409 and "was decided already" in text(again)
    assert stored(db_path, "another") is None
    assert client.get(path).status_code == 409


def test_an_edit_for_a_report_resolves_it_with_the_version(client, db_path):
    report_id = send(db_path, kind="other", note="二楼不是三楼")
    path = f"/admin/facilities/room-1/edit?report={report_id}"
    page = client.get(path)
    assert "二楼不是三楼" in text(page) and f"Visitor report {report_id}" in text(page)
    fields = editor_form(client, path) | {"floor": "2F"}
    saved = client.post(path, data=fields)
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/admin/reports/{report_id}"
    current = version(db_path)
    decided = the_report(db_path, report_id)
    assert (decided["status"], decided["version"]) == ("resolved", current["number"])
    assert current["kind"] == "edit" and stored(db_path, "room-1")["floor"] == "2F"
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert f'href="/admin/reports/{report_id}"' in audit
    assert f'href="/admin/history#v{current["number"]}"' in audit


def test_a_stale_editor_for_a_report_saves_nothing(client, db_path):
    report_id = send(db_path, kind="other")
    path = f"/admin/facilities/room-1/edit?report={report_id}"
    fields = editor_form(client, path) | {"floor": "2F"}
    load(db_path, row(9), merge=True)  # someone else's change in the meantime
    stale = client.post(path, data=fields)
    assert stale.status_code == 409
    assert the_report(db_path, report_id)["status"] == "new"
    assert stored(db_path, "room-1")["floor"] == ""


# -- export -----------------------------------------------------------------------------------

def test_the_export_follows_the_filter_and_defuses_formulas(client, db_path):
    send(db_path, note="=cmd|' /C calc'!A0")
    send(db_path, "room-2", "locked", note="+1")
    suggest(db_path, name="@母婴室")
    response = client.get("/admin/reports/export.csv?status=all&kind=closed")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    lines = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(line["kind"], line["note"], line["kind_label"]) for line in lines] == [
        ("closed", "'=cmd|' /C calc'!A0", "Closed at the posted hours")]
    everything = client.get("/admin/reports/export.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(everything)))
    assert {r["facility_name"] for r in rows} == {"母婴室1", HOSTILE, ""}
    assert [r["name"] for r in rows if r["kind"] == "suggestion"] == ["'@母婴室"]
    book = client.get("/admin/reports/export.xlsx?kind=locked")
    sheet = load_workbook(io.BytesIO(book.data)).active
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert len(cells) == 2 and "'+1" in cells[1]


def test_ids_beyond_sqlite_are_not_found_never_a_500(client, db_path):
    huge = "9" * 30
    for path in (f"/admin/reports/{huge}", f"/admin/facilities/from-report/{huge}"):
        assert client.get(path).status_code == 404, path
    assert post(client, f"/admin/reports/{huge}/reject").status_code == 404
    for report in (huge, "-1", "abc", "1e9"):
        page = client.get(f"/admin/facilities/room-1/edit?report={report}")
        assert page.status_code == 200 and "report-context" not in page.get_data(as_text=True)
    assert client.get("/admin/reports?page=" + huge).status_code == 200
