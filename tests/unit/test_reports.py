"""Visitors' reports and suggestions below the web: checks, throttle, kept data, the public
summary and moderation's versions, on a real SQLite file."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locator.ingest.importer import DEFAULT_SETTINGS
from locator.reports import moderation
from locator.reports.clients import WEEK_S, client_network
from locator.reports.intake import KEEP_CLIENTS_S, ReportThrottle, Throttled, submit
from locator.reports.kinds import REPORT_KINDS
from locator.reports.submissions import SubmissionError, check_report, check_suggestion
from locator.reports.summary import DAY_S, recently_said
from tests.factories import load, row

T0 = 1_780_000_000.0  # a fixed moment, mid-week
ROOM = {"id": "room-1", "category": "nursing_room"}


@pytest.fixture
def loaded(db_path, store):
    """The store holding room-1 and room-2 (nursing rooms with a changing table)."""
    load(db_path, row(1, amenities="changing_table;sink"), row(2))
    return store


def report(kind="closed", **fields):
    """A checked report about room-1."""
    return check_report(ROOM, {"kind": kind, **fields}, DEFAULT_SETTINGS)


def send(store, kind="closed", address="203.0.113.7", at=T0, **fields) -> int:
    """Submit a report about room-1 from `address` at `at`."""
    return submit(store, report(kind, **fields), address, now=at)


# -- checks -----------------------------------------------------------------------------------

def test_every_kind_is_accepted_with_a_note():
    for kind in REPORT_KINDS:
        pin = {"lat": 22.52, "lon": 113.03} if kind == "wrong_location" else {}
        assert report(kind, note=" 锁着 \r\n门 ", **pin).note == "锁着 \n门"


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "nope"}, "kind"),
    ({}, "kind"),
    ({"kind": "closed", "note": "x" * 501}, "note"),
    ({"kind": "closed", "note": "a\u202eb"}, "note"),
    ({"kind": "closed", "note": "a\x00b"}, "note"),
    ({"kind": "closed", "note": 5}, "note"),
    ({"kind": "wrong_location"}, "lat"),
    ({"kind": "wrong_location", "lat": 40.0, "lon": 116.4}, "lat"),
    ({"kind": "wrong_location", "lat": "NaN", "lon": 113.0}, "lat"),
    ({"kind": "closed", "lat": True, "lon": 113.0}, "lat"),
    ({"kind": "missing_equipment", "amenities": ["bay"]}, "amenities"),
    ({"kind": "missing_equipment", "amenities": [1]}, "amenities"),
    ({"kind": "wrong_hours", "opening_hours": "有时开有时关"}, "opening_hours"),
    ({"kind": "closed", "colour": "red"}, "colour"),
])
def test_a_bad_report_is_refused_naming_the_field(payload, field):
    with pytest.raises(SubmissionError) as refused:
        check_report(ROOM, payload, DEFAULT_SETTINGS)
    assert field in [p.column for p in refused.value.problems]


def test_details_are_read_as_a_file_reads_them():
    assert report("wrong_hours", opening_hours="周一至周五 8:30-17:30").details == {
        "opening_hours": "Mo-Fr 08:30-17:30"}
    assert report("missing_equipment", amenities="尿布台；sink").details == {
        "amenities": ["changing_table", "sink"]}
    assert report("wrong_location", lat="22.52", lon=113.03).details == {
        "lat": 22.52, "lon": 113.03}


def test_a_suggestion_is_checked_as_one_row_of_a_file():
    suggestion = check_suggestion({"category": "母婴室", "name": " 万达广场母婴室 ",
                                   "lat": 22.52, "lon": 113.03, "floor": "B1",
                                   "opening_hours": "每天 10:00-22:00",
                                   "amenities": ["尿布台"]}, DEFAULT_SETTINGS)
    assert suggestion.kind == "suggestion" and suggestion.facility_id == ""
    assert suggestion.details == {"category": "nursing_room", "name": "万达广场母婴室",
                                  "lat": 22.52, "lon": 113.03, "floor": "B1",
                                  "opening_hours": "Mo-Su 10:00-22:00",
                                  "amenities": ["changing_table"]}


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "x", "lat": 22.5, "lon": 113.0}, "category"),
    ({"category": "nursing_room", "lat": 22.5, "lon": 113.0}, "name"),
    ({"category": "nursing_room", "name": "x", "lat": 0, "lon": 0}, "lat"),
    ({"category": "nursing_room", "name": "x"}, "lat"),
    ({"category": "nursing_room", "name": "a\u2066b", "lat": 22.5, "lon": 113.0}, "name"),
    ({"category": "nursing_room", "name": "x" * 201, "lat": 22.5, "lon": 113.0}, "name"),
    ({"category": "bus_stop", "name": "x", "lat": 22.5, "lon": 113.0,
      "amenities": ["crib"]}, "amenities"),
])
def test_a_bad_suggestion_is_refused_naming_the_field(payload, field):
    with pytest.raises(SubmissionError) as refused:
        check_suggestion(payload, DEFAULT_SETTINGS)
    assert field in [p.column for p in refused.value.problems]


JSON = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
FIELDS = st.sampled_from(["kind", "note", "lat", "lon", "amenities", "opening_hours", "category",
                          "name", "floor", "x"])


@given(st.dictionaries(FIELDS, JSON | st.sampled_from(list(REPORT_KINDS)), max_size=6))
def test_any_json_is_checked_or_refused_never_crashes(payload):
    for check in (lambda p: check_report(ROOM, p, DEFAULT_SETTINGS),
                  lambda p: check_suggestion(p, DEFAULT_SETTINGS)):
        try:
            checked = check(payload)
        except SubmissionError as refused:
            assert refused.problems and all(p.column for p in refused.problems)
        else:
            json.dumps(checked.details)


# -- intake: kept data and the throttle -------------------------------------------------------

def test_the_address_is_kept_only_as_an_hmac_and_blanked_after_30_days(loaded):
    first = send(loaded, address="198.51.100.23")
    dump = "\n".join(loaded.db.conn.iterdump())
    assert "198.51.100.23" not in dump
    client = loaded.db.execute("SELECT client FROM reports WHERE id = ?", [first]).fetchone()[0]
    assert len(client) == 64
    send(loaded, address="198.51.100.24", at=T0 + KEEP_CLIENTS_S + 1)
    assert loaded.db.execute("SELECT client, client_prev FROM reports WHERE id = ?",
                             [first]).fetchone() == ("", "")


def test_old_secrets_are_deleted(loaded):
    for week in range(4):
        send(loaded, at=T0 + week * WEEK_S)
    assert loaded.db.execute("SELECT count(*) FROM report_secrets").fetchone()[0] == 2


def test_ipv6_clients_are_counted_by_their_64():
    assert client_network("2001:db8:1:2:aaaa::1") == client_network("2001:db8:1:2:bbbb::9")
    assert client_network("2001:db8:1:3::1") != client_network("2001:db8:1:2::1")
    assert client_network("::ffff:203.0.113.7") == "203.0.113.7"


def test_one_client_is_throttled_with_the_wait_until_room(loaded):
    throttle = ReportThrottle(per_client=3, client_window_s=600, overall=100)
    for n in range(3):
        submit(loaded, report(), "203.0.113.7", throttle=throttle, now=T0 + n)
    with pytest.raises(Throttled) as refused:
        submit(loaded, report(), "203.0.113.7", throttle=throttle, now=T0 + 10)
    assert refused.value.wait_s == 590
    submit(loaded, report(), "203.0.113.8", throttle=throttle, now=T0 + 10)  # another client
    submit(loaded, report(), "203.0.113.7", throttle=throttle, now=T0 + 600)  # room again


def test_everyone_together_is_throttled(loaded):
    throttle = ReportThrottle(per_client=100, overall=5, overall_window_s=60)
    for n in range(5):
        submit(loaded, report(), f"203.0.113.{n}", throttle=throttle, now=T0)
    with pytest.raises(Throttled) as refused:
        submit(loaded, report(), "203.0.113.99", throttle=throttle, now=T0 + 1)
    assert refused.value.wait_s == 59
    assert loaded.reports.counts_by_status() == {"new": 5}


def test_the_throttle_holds_across_a_secret_rotation(loaded):
    throttle = ReportThrottle(per_client=2, client_window_s=3600)
    week_end = (int(T0 // WEEK_S) + 1) * WEEK_S
    submit(loaded, report(), "203.0.113.7", throttle=throttle, now=week_end - 10)
    submit(loaded, report(), "203.0.113.7", throttle=throttle, now=week_end - 5)
    with pytest.raises(Throttled):
        submit(loaded, report(), "203.0.113.7", throttle=throttle, now=week_end + 5)


# -- what the public page says ----------------------------------------------------------------

def test_closed_shows_only_from_two_distinct_clients_within_a_week(loaded):
    send(loaded, "closed", "203.0.113.7", at=T0)
    send(loaded, "closed", "203.0.113.7", at=T0 + 60)  # the same client again
    assert recently_said(loaded, "room-1", T0 + 120) == []
    send(loaded, "closed", "203.0.113.8", at=T0 + DAY_S)
    said = recently_said(loaded, "room-1", T0 + 3 * DAY_S)
    assert [(s.kind, s.clients, s.days_ago) for s in said] == [("closed", 2, 2)]
    assert recently_said(loaded, "room-1", T0 + 8 * DAY_S) == []  # older than a week
    assert recently_said(loaded, "room-2", T0 + 3 * DAY_S) == []


def test_one_client_across_a_rotation_is_one_voice(loaded):
    week_end = (int(T0 // WEEK_S) + 1) * WEEK_S
    send(loaded, "gone", "203.0.113.7", at=week_end - 60)
    send(loaded, "gone", "203.0.113.7", at=week_end + 60)
    assert recently_said(loaded, "room-1", week_end + 120) == []


def test_all_good_shows_from_one_and_rejected_reports_never_count(loaded):
    send(loaded, "all_good", at=T0)
    assert [s.kind for s in recently_said(loaded, "room-1", T0 + DAY_S)] == ["all_good"]
    first = send(loaded, "closed", "203.0.113.1")
    send(loaded, "closed", "203.0.113.2")
    moderation.reject(loaded, first, actor="admin", note="spam")
    assert [s.kind for s in recently_said(loaded, "room-1", T0 + DAY_S)] == ["all_good"]


# -- moderation -------------------------------------------------------------------------------

def test_accepting_a_suggestion_adds_the_place_as_a_version(loaded):
    suggestion = check_suggestion({"category": "nursing_room", "name": "万达广场母婴室",
                                   "lat": 22.52, "lon": 113.03}, DEFAULT_SETTINGS)
    report_id = submit(loaded, suggestion, "203.0.113.7", now=T0)
    assert loaded.facilities.get("wan-da-guang-chang-mu-ying-shi") is None  # not before
    decision = moderation.accept(loaded, report_id, actor="admin")
    assert decision.status == "accepted"
    assert decision.facility_id == "wan-da-guang-chang-mu-ying-shi"
    stored = loaded.facilities.get(decision.facility_id)
    assert (stored["lat"], stored["lon"], stored["coord_source"]) == (22.52, 113.03, "map")
    version = loaded.versions.current()
    assert (version["number"], version["kind"], version["filename"]) == (
        decision.version, "report", f"report {report_id}")
    entry = loaded.audit.entries()[0]
    assert entry["action"] == "report_accepted" and entry["detail"]["version"] == decision.version


def test_a_suggestion_takes_the_given_id_and_never_overwrites(loaded):
    suggestion = check_suggestion({"category": "nursing_room", "name": "新", "lat": 22.52,
                                   "lon": 113.03}, DEFAULT_SETTINGS)
    first = submit(loaded, suggestion, "203.0.113.7", now=T0)
    with pytest.raises(moderation.ModerationError):
        moderation.accept(loaded, first, actor="admin", new_id="room-1")
    assert moderation.accept(loaded, first, actor="admin", new_id="mall-room").facility_id == (
        "mall-room")


@pytest.mark.parametrize(("kind", "fields", "expect"), [
    ("wrong_location", {"lat": 22.53, "lon": 113.04}, {"lat": 22.53, "lon": 113.04}),
    ("wrong_hours", {"opening_hours": "每天 9:00-18:00"}, {"opening_hours": "Mo-Su 09:00-18:00"}),
    ("missing_equipment", {"amenities": ["sink"]}, {"amenities": "changing_table"}),
])
def test_accepting_a_report_changes_what_it_says(loaded, kind, fields, expect):
    report_id = send(loaded, kind, **fields)
    before = loaded.versions.current_number()
    decision = moderation.accept(loaded, report_id, actor="admin")
    assert decision.status == "accepted" and decision.version == before + 1
    stored = loaded.facilities.get("room-1")
    assert {k: stored[k] for k in expect} == expect


def test_accepting_gone_removes_the_facility_as_a_version(loaded):
    decision = moderation.accept(loaded, send(loaded, "gone"), actor="admin")
    assert decision.status == "accepted" and loaded.facilities.get("room-1") is None
    assert loaded.versions.current()["removed"] == 1


def test_other_kinds_are_resolved_without_a_version(loaded):
    before = loaded.versions.current_number()
    decision = moderation.accept(loaded, send(loaded, "locked"), actor="admin")
    assert (decision.status, decision.version) == ("resolved", None)
    assert loaded.versions.current_number() == before


def test_a_decision_is_made_once(loaded):
    report_id = send(loaded)
    moderation.reject(loaded, report_id, actor="admin", note="not so")
    with pytest.raises(moderation.ModerationError, match="decided already"):
        moderation.accept(loaded, report_id, actor="admin")
    with pytest.raises(moderation.ModerationError, match="no report"):
        moderation.reject(loaded, 999, actor="admin")
    assert loaded.reports.get(report_id)["decision_note"] == "not so"


def test_duplicates_point_at_another_report(loaded):
    first, second = send(loaded, address="203.0.113.1"), send(loaded, address="203.0.113.2")
    with pytest.raises(moderation.ModerationError):
        moderation.mark_duplicate(loaded, second, second, actor="admin")
    moderation.mark_duplicate(loaded, second, first, actor="admin")
    assert loaded.reports.get(second)["duplicate_of"] == first
    rows, total = loaded.reports.page(status="new")
    assert ([r["id"] for r in rows], total) == ([first], 1)


def test_a_refused_acceptance_changes_nothing(loaded):
    report_id = send(loaded, "wrong_location", lat=22.53, lon=113.04)
    moderation.accept(loaded, send(loaded, "gone", "203.0.113.9"), actor="admin")
    before = loaded.versions.current_number()
    with pytest.raises(moderation.ModerationError, match="no longer exists"):
        moderation.accept(loaded, report_id, actor="admin")
    assert loaded.versions.current_number() == before
    assert loaded.reports.get(report_id)["status"] == "new"


@pytest.mark.parametrize(("name", "expected"), [
    ("景堂图书馆", "jing-tang-tu-shu-guan"), ("Wanda Plaza B1", "wanda-plaza-b1"),
    ("！！", "place"), ("x" * 100, "x" * 56)])
def test_ids_from_names(name, expected):
    assert moderation.suggested_id(name, set()) == expected
    assert moderation.suggested_id(name, {expected}) == f"{expected}-2"


def test_forgetting_holds_when_no_report_arrives(loaded):
    from locator.reports.intake import forget_old
    first = send(loaded, address="198.51.100.23")
    forget_old(loaded, now=T0 + KEEP_CLIENTS_S + 1)
    assert loaded.db.execute("SELECT client FROM reports WHERE id = ?", [first]).fetchone() == ("",)
    forget_old(loaded, now=T0 + 3 * WEEK_S)
    assert loaded.db.execute("SELECT count(*) FROM report_secrets").fetchone() == (0,)
