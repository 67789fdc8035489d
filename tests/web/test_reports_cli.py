"""`flask reports list|accept|reject|duplicate` through Click's runner on a real SQLite file:
one line per report with the id first, visitors' text inert in a terminal, decisions made as
versions, refusals on stderr with exit 1."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from locator.ingest.importer import DEFAULT_SETTINGS
from locator.reports import intake
from locator.reports.submissions import check_suggestion
from tests.factories import load, row

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 30, 9, 5, tzinfo=SHANGHAI).timestamp()
PLACE = {"category": "nursing_room", "name": "万达母婴室", "lat": 22.5301, "lon": 113.0402,
         "floor": "2F", "amenities": ["changing_table"]}


@pytest.fixture
def loaded(db_path, store):
    """room-1 (with a changing table and a sink) and room-2 in the store."""
    load(db_path, row(1, amenities="changing_table;sink"), row(2))
    return store


def add(store, kind="closed", facility_id="room-1", details=None, note="", address="192.0.2.1",
        at=AT) -> int:
    """Store a report as intake does, from `address` at `at`; its id."""
    clients = (f"client-{address}", "")
    with store.writing():
        return store.reports.add(kind, facility_id, details or {}, note, clients=clients, at=at)


def suggest(store, **values) -> int:
    """Store a checked suggestion; its id."""
    submission = check_suggestion(PLACE | values, DEFAULT_SETTINGS)
    return intake.submit(store, submission, "192.0.2.9", now=AT)


def reports(runner, *args: str):
    """Run `reports ARGS`."""
    return runner.invoke(args=["reports", *args])


def test_list_shows_one_line_each_newest_first_id_first(runner, loaded):
    add(loaded, "closed", note="锁门了")
    add(loaded, "closed", address="192.0.2.2")
    suggest(loaded)
    result = reports(runner, "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["3", "2", "1"]
    assert lines[0].split()[1:4] == ["new", "suggestion", "万达母婴室"]
    assert lines[2].split()[1:3] == ["new", "closed"] and "room-1" in lines[2]
    assert "2026-11-30 09:05" in lines[2]  # Asia/Shanghai, whatever the machine's zone
    assert "2 clients" in lines[2] and lines[2].endswith("锁门了")


def test_list_filters_by_status(runner, loaded):
    first, second = add(loaded), add(loaded, "dirty")
    assert reports(runner, "reject", str(first)).exit_code == 0
    new = reports(runner, "list", "--status", "new").stdout.splitlines()
    rejected = reports(runner, "list", "--status", "rejected").stdout.splitlines()
    assert [line.split()[0] for line in new] == [str(second)]
    assert [line.split()[0] for line in rejected] == [str(first)]
    assert reports(runner, "list", "--status", "nope").exit_code == 2


def test_visitors_text_cannot_drive_the_terminal(runner, loaded):
    # Intake refuses these characters; the list must be safe even for a row that holds them.
    add(loaded, "other", facility_id="room-\x1b[2J", note="red\x1b[31m\n\u202eevil\r" + "x" * 90)
    [line] = reports(runner, "list").stdout.splitlines()
    assert "\x1b" not in line and "\u202e" not in line and "\r" not in line
    assert "room-\\x1b[2J" in line and "red\\x1b[31m\\nevil" not in line
    assert "red\\x1b[31m\\n\\u202eevil\\r" in line and line.endswith("…")


def test_accepting_a_suggestion_adds_the_facility_as_a_version(runner, loaded):
    report_id = suggest(loaded)
    result = reports(runner, "accept", str(report_id))
    assert result.exit_code == 0, result.output
    assert "facility wan-da-mu-ying-shi, version 2" in result.stdout
    assert loaded.facilities.get("wan-da-mu-ying-shi")["name"] == "万达母婴室"
    assert loaded.reports.get(report_id)["status"] == "accepted"


def test_accept_takes_the_given_id_and_never_overwrites(runner, loaded):
    report_id = suggest(loaded)
    refused = reports(runner, "accept", str(report_id), "--id", "room-1")
    assert refused.exit_code == 1 and "room-1 exists already" in refused.stderr
    assert loaded.reports.get(report_id)["status"] == "new"
    assert reports(runner, "accept", str(report_id), "--id", "wanda-2f").exit_code == 0
    assert loaded.facilities.get("wanda-2f") is not None


def test_a_suggestion_the_importer_refuses_names_each_column(runner, loaded):
    # Stored before the service area shrank, say: accepting checks it again, like an import.
    report_id = add(loaded, "suggestion", facility_id="", details={
        "category": "nursing_room", "name": "北京母婴室", "lat": 39.9, "lon": 116.4,
        "floor": "", "opening_hours": "whenever", "amenities": []})
    result = reports(runner, "accept", str(report_id))
    assert result.exit_code == 1 and result.stdout == ""
    assert "Error: the suggested place cannot be stored as it is" in result.stderr
    assert "column lat:" in result.stderr and "column opening_hours:" in result.stderr
    assert "line " not in result.stderr  # a visitor's place has no line
    assert loaded.reports.get(report_id)["status"] == "new"


def test_accepting_gone_removes_the_facility(runner, loaded):
    report_id = add(loaded, "gone", facility_id="room-2")
    result = reports(runner, "accept", str(report_id))
    assert "facility room-2, version 2" in result.stdout
    assert loaded.facilities.get("room-2") is None


def test_accepting_a_kind_that_changes_nothing_resolves_it(runner, loaded):
    report_id = add(loaded, "dirty")
    result = reports(runner, "accept", str(report_id))
    assert result.exit_code == 0 and "resolved" in result.stdout
    assert loaded.versions.current_number() == 1
    assert loaded.reports.get(report_id)["status"] == "resolved"


def test_reject_keeps_the_reason_in_the_audit_log(runner, loaded):
    report_id = add(loaded)
    result = reports(runner, "reject", str(report_id), "--note", "spam from a competitor")
    assert result.exit_code == 0 and "rejected" in result.stdout
    report = loaded.reports.get(report_id)
    assert (report["status"], report["decision_note"]) == ("rejected", "spam from a competitor")
    assert report["decided_by"].startswith("cli")


def test_duplicate_points_at_another_report(runner, loaded):
    first, second = add(loaded), add(loaded, address="192.0.2.7")
    result = reports(runner, "duplicate", str(second), "--of", str(first))
    assert result.exit_code == 0 and f"duplicate of report {first}" in result.stdout
    assert loaded.reports.get(second)["duplicate_of"] == first
    assert reports(runner, "duplicate", str(first)).exit_code == 2  # --of is required
    refused = reports(runner, "duplicate", str(first), "--of", "99")
    assert refused.exit_code == 1 and "report 99 cannot be the original" in refused.stderr


@pytest.mark.parametrize("args", [["accept", "99"], ["reject", "99"]])
def test_an_unknown_report_is_an_error(runner, loaded, args):
    result = reports(runner, *args)
    assert result.exit_code == 1 and "there is no report 99" in result.stderr


def test_a_decision_is_made_once(runner, loaded):
    report_id = add(loaded, "dirty")
    assert reports(runner, "reject", str(report_id)).exit_code == 0
    again = reports(runner, "accept", str(report_id))
    assert again.exit_code == 1 and "decided already: it is rejected" in again.stderr


def test_errors_follow_the_locale(app, loaded):
    runner = app.test_cli_runner(env={"LC_ALL": None, "LC_MESSAGES": None,
                                      "LANG": "zh_CN.UTF-8"})
    result = reports(runner, "accept", "99")
    assert result.exit_code == 1 and "99" in result.stderr and "there is no" not in result.stderr


def test_list_on_an_empty_queue_prints_nothing(runner, loaded):
    result = reports(runner, "list")
    assert result.exit_code == 0 and result.stdout == ""


def test_forget_blanks_old_client_hmacs(runner, loaded):
    import time  # the command reads the app's clock, the real one here
    old = add(loaded, at=time.time() - 31 * 24 * 3600)
    recent = add(loaded, address="192.0.2.2", at=time.time())
    result = reports(runner, "forget")
    assert result.exit_code == 0 and "blanked" in result.output
    clients = dict(loaded.db.execute("SELECT id, client FROM reports"))
    assert clients[old] == "" and clients[recent] == "client-192.0.2.2"
