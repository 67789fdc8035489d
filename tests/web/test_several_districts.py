"""Several districts through the app: `flask admin create --district`, the facilities CLI's
--district, a limited admin's console (upload, edit, history, rollback), the API's district,
and the settings' checks."""

import csv
import io

import pytest

from locator import create_app
from locator.config import ConfigError
from locator.ingest.importer import DEFAULT_SETTINGS
from locator.reports.intake import submit
from locator.reports.submissions import check_report
from locator.store import Store
from tests.admin_support import PASSWORD, console_app, english, login, text, token
from tests.factories import csv_bytes, load, row

XINHUI, PENGJIANG = "新会区", "蓬江区"
COLUMNS = ("id", "category", "name", "name_en", "lat", "lon", "district")


def place(i: int, district: str = XINHUI, **fields) -> dict:
    """A valid row in `district`."""
    return row(i, district=district, **fields)


def file(*rows: dict) -> bytes:
    """A CSV of `rows` with the district column."""
    return csv_bytes(*rows, columns=COLUMNS)


def stored(db_path: str) -> dict[str, dict]:
    """Every stored facility by id."""
    store = Store(db_path)
    try:
        return store.facilities.by_id()
    finally:
        store.close()


def create(runner, name: str, *districts: str):
    """`flask admin create NAME --district …` with the password on stdin."""
    args = ["admin", "create", name, "--password-stdin"]
    for district in districts:
        args += ["--district", district]
    return runner.invoke(args=args, input=PASSWORD + "\n")


# -- flask admin -----------------------------------------------------------------------------

def test_admin_create_takes_districts_and_admin_districts_changes_them(runner, db_path):
    result = create(runner, "pj", PENGJIANG, XINHUI)
    assert result.exit_code == 0 and "limited to 新会区、蓬江区" in result.output
    store = Store(db_path)
    assert store.admins.by_name("pj")["districts"] == [XINHUI, PENGJIANG]
    result = runner.invoke(args=["admin", "districts", "pj", "--all"])
    assert result.exit_code == 0 and "every district" in result.output
    assert store.admins.by_name("pj")["districts"] is None
    assert runner.invoke(args=["admin", "districts", "pj", "--district", PENGJIANG]).exit_code == 0
    assert store.admins.by_name("pj")["districts"] == [PENGJIANG]
    assert store.audit.entries()[0]["action"] == "admin_districts"
    store.close()


@pytest.mark.parametrize("args, words", [
    (["admin", "districts", "pj"], "give --district (one or more) or --all"),
    (["admin", "districts", "pj", "--all", "--district", XINHUI], "or --all"),
    (["admin", "districts", "nobody", "--all"], "there is no admin named 'nobody'"),
    (["admin", "districts", "pj", "--district", "Xinhui"], "'Xinhui' is not a district's name"),
])
def test_admin_districts_refuses_bad_input(runner, args, words):
    create(runner, "pj", XINHUI)
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and words in result.output


def test_admin_create_refuses_a_district_outside_the_configured_list(db_path):
    app = create_app({"TESTING": True, "DATABASE": db_path, "DISTRICTS": [XINHUI]})
    result = create(app.test_cli_runner(), "pj", PENGJIANG)
    assert result.exit_code != 0 and "not one of the districts set in LOCATOR_DISTRICTS" in \
        result.output


# -- flask facilities ------------------------------------------------------------------------

def test_cli_import_replaces_only_the_files_districts_and_says_which(runner, write, db_path):
    runner.invoke(args=["facilities", "import", write("a.csv", file(
        place(1), place(2), place(3, PENGJIANG)))])
    result = runner.invoke(args=["facilities", "import", write("b.csv", file(place(1)))])
    assert result.exit_code == 0, result.output
    assert "Replaces districts: 新会区" in result.output and "removed 1" in result.output
    assert sorted(stored(db_path)) == ["room-1", "room-3"]


def test_cli_import_district_option_refuses_other_rows(runner, write, db_path):
    data = write("a.csv", file(place(1), place(2, PENGJIANG)))
    result = runner.invoke(args=["facilities", "import", data, "--district", XINHUI])
    assert result.exit_code != 0
    assert "line 3, column district: district 蓬江区 is outside your districts" in result.stderr
    assert stored(db_path) == {}


def test_cli_history_filters_and_rollback_restores_one_district(runner, write, db_path):
    two = write("a.csv", file(place(1), place(2, PENGJIANG)))
    runner.invoke(args=["facilities", "import", two])
    runner.invoke(args=["facilities", "import", "--merge", write("b.csv", file(
        place(1, name_en="later"), place(2, PENGJIANG, name_en="later")))])
    runner.invoke(args=["facilities", "import", "--merge", write("c.csv", file(
        place(3, PENGJIANG)))])
    result = runner.invoke(args=["facilities", "history", "--district", XINHUI])
    numbers = [line.split()[0] for line in result.output.splitlines()]
    assert numbers == ["2", "1"] and "[新会区、蓬江区]" in result.output
    result = runner.invoke(args=["facilities", "rollback", "1", "--district", PENGJIANG])
    assert result.exit_code == 0, result.output
    now = stored(db_path)
    assert sorted(now) == ["room-1", "room-2"]  # room-3 (蓬江区, version 3) is gone
    assert now["room-1"]["name_en"] == "later"  # 新会区 as it is now
    assert now["room-2"]["name_en"] == "Nursing room 2"


def test_cli_export_writes_each_facilitys_district(runner, write, db_path):
    two = write("a.csv", file(place(1), place(2, PENGJIANG)))
    runner.invoke(args=["facilities", "import", two])
    out = runner.invoke(args=["facilities", "export", "-"]).stdout_bytes.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["district"] for row in rows] == ["新会区", "蓬江区"]


def test_init_names_the_facilities_stored_before_districts(runner, write, db_path):
    runner.invoke(args=["facilities", "import", write("a.csv", file(place(1)))])
    store = Store(db_path)
    with store.writing():  # as a database from before the migration holds them
        store.db.execute("UPDATE facilities SET district = ''")
    store.close()
    result = runner.invoke(args=["facilities", "init"])
    assert "1 facilities stored before districts now belong to 新会区 (version 2)" in \
        result.output
    assert stored(db_path)["room-1"]["district"] == XINHUI
    assert "now belong" not in runner.invoke(args=["facilities", "init"]).output


# -- the console, for an admin limited to 新会区 ---------------------------------------------

@pytest.fixture
def console(db_path, runner):
    """Signed in as an admin of 新会区 only, on 2 facilities in 新会区 and 1 in 蓬江区."""
    load(db_path, place(1), place(2), place(3, PENGJIANG))
    create(runner, "xh", XINHUI)
    client = english(console_app(db_path).test_client())
    assert login(client, "xh").status_code == 302
    return client


def upload(client, data: bytes, mode: str = "replace"):
    """Post a file to the upload form."""
    return client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "f.csv"), "mode": mode,
        "csrf_token": token(client, "/admin/upload")})


def test_a_limited_admins_row_of_another_district_is_refused(console, db_path):
    response = upload(console, file(place(1), place(3, PENGJIANG)))
    assert response.status_code == 422
    assert "line 3, column district: district 蓬江区 is outside your districts (新会区)" in \
        text(response)
    assert sorted(stored(db_path)) == ["room-1", "room-2", "room-3"]


def test_a_limited_admins_replace_names_its_district_and_keeps_the_others(console, db_path):
    response = upload(console, csv_bytes(row(1)))  # no district column: the default
    page = text(response)
    assert response.status_code == 200
    assert "Districts this replace replaces: 新会区. Other districts' facilities stay" in page
    sha = response.get_data(as_text=True).split('name="sha256" value="')[1].split('"')[0]
    confirmed = console.post("/admin/upload/confirm", data={
        "sha256": sha, "csrf_token": token(console, "/admin/upload")})
    assert confirmed.status_code == 302
    assert sorted(stored(db_path)) == ["room-1", "room-3"]


def test_a_limited_admin_cannot_edit_another_districts_facility(console, db_path):
    page = console.get("/admin/facilities/room-3/edit")
    form = {"csrf_token": token(console, "/admin/facilities/room-3/edit"), "based_on": "1",
            "category": "nursing_room", "name": "改名", "lat": "22.503", "lon": "113.003",
            "coord_system": "wgs84", "access": "public", "district": PENGJIANG}
    assert page.status_code == 200 and 'name="district" value="蓬江区"' in page.get_data(True)
    response = console.post("/admin/facilities/room-3/edit", data=form)
    assert response.status_code == 422 and "outside your districts" in text(response)
    assert stored(db_path)["room-3"]["name"] == "母婴室3"


def test_history_filters_by_district_and_a_limited_rollback_keeps_the_others(console, db_path):
    load(db_path, place(3, PENGJIANG, name_en="later"), merge=True)  # version 2, 蓬江区
    load(db_path, place(4), merge=True)  # version 3, 新会区
    page = text(console.get("/admin/history?district=蓬江区"))
    assert "test.csv" in page and "蓬江区" in page
    assert [n for n in ("v1", "v2", "v3") if f'id="{n}"' in console.get(
        "/admin/history?district=蓬江区").get_data(True)] == ["v1", "v2"]
    preview = text(console.get("/admin/history/1/rollback"))
    assert "room-4" in preview and "room-3" not in preview
    response = console.post("/admin/history/1/rollback",
                            data={"csrf_token": token(console, "/admin/history/1/rollback")})
    assert response.status_code == 302
    now = stored(db_path)
    assert sorted(now) == ["room-1", "room-2", "room-3"]
    assert now["room-3"]["name_en"] == "later"  # 蓬江区 left as it is now


# -- the API -----------------------------------------------------------------------------------

def test_facilities_carry_their_district_and_the_list_filters_by_it(db_path):
    load(db_path, place(1), place(2, PENGJIANG), place(3, PENGJIANG))
    client = create_app({"TESTING": True, "DATABASE": db_path}).test_client()
    one = client.get("/api/facilities/room-1").get_json()
    assert one["properties"]["district"] == XINHUI
    page = client.get("/api/facilities?district=蓬江区&limit=1").get_json()
    assert page["numberMatched"] == 2 and page["features"][0]["id"] == "room-2"
    assert "district=" in page["links"][1]["href"]
    bad = client.get("/api/facilities?district=Xinhui")
    assert bad.status_code == 400 and "not a district's name" in bad.get_json()["error"]["message"]


# -- settings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("config, words", [
    ({"DEFAULT_DISTRICT": "Xinhui"}, "DEFAULT_DISTRICT"),
    ({"DISTRICTS": ["新会"]}, "DISTRICTS"),
    ({"DISTRICTS": [PENGJIANG]}, "one of DISTRICTS"),
])
def test_bad_district_settings_stop_the_start(db_path, config, words):
    with pytest.raises(ConfigError, match=words):
        create_app({"TESTING": True, "DATABASE": db_path, **config})


def test_without_a_default_district_a_blank_one_is_an_error(db_path, write):
    app = create_app({"TESTING": True, "DATABASE": db_path, "DEFAULT_DISTRICT": "",
                      "BATCH_NICE": 0})
    runner = app.test_cli_runner(env={"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"})
    result = runner.invoke(args=["facilities", "import", write("a.csv", csv_bytes(row(1)))])
    assert result.exit_code != 0
    assert "line 2, column district: district is empty and no default district is set" in \
        result.stderr


def report(db_path: str, facility: str, kind: str, **fields) -> int:
    """A visitor's report through the real checks and intake; its id."""
    store = Store(db_path)
    try:
        checked = check_report(store.facilities.get(facility), {"kind": kind, **fields},
                               DEFAULT_SETTINGS)
        return submit(store, checked, "203.0.113.7")
    finally:
        store.close()


def test_a_limited_admin_cannot_accept_reports_about_another_district(console, db_path):
    gone = report(db_path, "room-3", "gone")
    missing = report(db_path, "room-3", "missing_equipment", amenities=["sink"])
    mine = report(db_path, "room-1", "gone")
    for report_id in (gone, missing):
        response = console.post(f"/admin/reports/{report_id}/accept", data={
            "csrf_token": token(console, "/admin/reports"), "confirmed": "1"})
        assert response.status_code == 409, report_id
        assert "outside your districts" in text(response)
    response = console.post(f"/admin/reports/{mine}/accept", data={
        "csrf_token": token(console, "/admin/reports"), "confirmed": "1"})
    assert response.status_code == 303
    assert sorted(stored(db_path)) == ["room-2", "room-3"]
