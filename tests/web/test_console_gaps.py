"""Console gaps found trying it as a new admin: the dashboard after a rollback, the rollback's
audit entry, "verified today" asking first, the preview's language switch, the CLI's language."""

import io
import re

import pytest

from locator.cli import message_language
from locator.store import Store
from tests.admin_support import (
    console_app,
    console_on_three_rooms,
    dataset,
    make_admin,
    text,
    token,
)
from tests.factories import csv_bytes, load, row


@pytest.fixture
def client(db_path):
    """Signed in as the admin, in English, on three nursing rooms (version 1)."""
    return console_on_three_rooms(db_path)


def upload(client, data: bytes, filename: str = "facilities.csv"):
    """Post a file to the upload form, as the browser does."""
    return client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), filename), "mode": "replace",
        "csrf_token": token(client, "/admin/upload")})


def current_number(db_path: str) -> int:
    """The current version's number."""
    return dataset(db_path)[0]


def roll_back(client, number: int):
    """Restore version `number` through the rollback form."""
    return client.post(f"/admin/history/{number}/rollback",
                       data={"csrf_token": token(client, f"/admin/history/{number}/rollback")})


def test_the_dashboard_shows_a_rollback_as_the_latest_change(client, db_path):
    load(db_path, row(1), row(2, name="新名字"), row(3))  # version 2, an import
    assert roll_back(client, 1).status_code == 302  # version 3 restores version 1
    latest = text(client.get("/admin/")).split("Latest change", 1)[1]
    assert "What restored version 1" in latest and "Version 3" in latest
    assert "Who alice" in latest
    # The last import is still named, since it is no longer the latest change.
    assert re.search(r"Last import: test\.csv by \S+ on [\d: -]+, version 2", latest)


def test_the_dashboard_shows_an_import_with_its_file(client):
    latest = text(client.get("/admin/")).split("Latest change", 1)[1]
    assert "What import File test.csv" in latest and "Version 1" in latest
    assert "Last import:" not in latest  # the same version: said once


def test_a_rollbacks_audit_entry_names_the_version_restored_and_the_new_one(client, db_path):
    load(db_path, row(1), row(2, name="新名字"), row(3))
    roll_back(client, 1)
    store = Store(db_path)
    try:
        entry = store.audit.entries(per_page=1)[0]
    finally:
        store.close()
    assert entry["action"] == "rollback"
    assert (entry["detail"]["restored_from"], entry["detail"]["version"]) == (1, 3)
    assert "rollback restored version 1 as version 3" in text(client.get("/admin/audit"))
    zh = text(client.get("/admin/audit?lang=zh"))
    assert "已将版本 1 恢复为版本 3" in zh


def test_verified_today_asks_first_and_changes_nothing_until_confirmed(client, db_path):
    back = "/admin/facilities?q=room-2"
    response = client.post("/admin/facilities/room-2/verify", data={
        "csrf_token": token(client, "/admin/facilities"), "back": back})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Mark room-2 as verified on site today?" in text(response)
    assert current_number(db_path) == 1  # asked, nothing saved
    # The confirm page's own form (no JavaScript needed) saves and goes back to the list.
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert form["confirmed"] == "1" and form["back"] == back
    response = client.post("/admin/facilities/room-2/verify", data=form)
    assert response.status_code == 302 and response.location == back
    assert current_number(db_path) == 2


def test_the_verify_buttons_ask_in_a_dialog_with_javascript(client):
    for path in ("/admin/facilities", "/admin/facilities/room-1/edit"):
        page = client.get(path).get_data(as_text=True)
        assert 'data-confirm="Mark room-1 as verified on site today?"' in page
        assert "js/admin_confirm.js" in page


def test_the_preview_has_a_language_switch_to_an_address_that_shows_it_again(client):
    response = upload(client, csv_bytes(row(1), row(2, name="新名字"), row(3), row(4)))
    page = response.get_data(as_text=True)
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"', page).group(1)
    assert re.fullmatch(r"/admin/upload/[0-9a-f]{64}/preview\?lang=zh", switch)
    chinese = client.get(switch)
    assert chinese.status_code == 200
    body = text(chinese)
    assert "预览" in body and "room-4" in body and "新名字" in body
    assert 'name="sha256"' in chinese.get_data(as_text=True)  # still confirmable from there
    # …and back to English, through the same address.
    back = re.search(r'<a class="lang-switch" href="([^"]+)"',
                     chinese.get_data(as_text=True)).group(1)
    assert back.endswith("?lang=en") and "Preview of facilities.csv" in text(client.get(back))


def test_a_preview_with_errors_switches_to_the_upload_form(client):
    response = upload(client, csv_bytes(row(1, lat="abc")))
    assert response.status_code == 422
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"',
                       response.get_data(as_text=True)).group(1)
    assert switch == "/admin/upload?lang=zh"  # nothing is kept of a refused file


def test_an_unknown_or_expired_preview_address_says_to_upload_again(client):
    response = client.get("/admin/upload/" + "0" * 64 + "/preview")
    assert response.status_code == 410 and "Upload the file again" in text(response)


def test_anothers_kept_preview_is_not_shown(client, db_path):
    response = upload(client, csv_bytes(row(1), row(4)))
    address = re.search(r'href="(/admin/upload/[0-9a-f]{64}/preview)\?', response.get_data(
        as_text=True)).group(1)
    make_admin(db_path, "bob", "another long passphrase")
    other = console_app(db_path).test_client()
    other.post("/admin/login", data={"username": "bob", "password": "another long passphrase",
                                     "csrf_token": token(other)})
    assert other.get(address).status_code == 410


# -- the CLI's language ------------------------------------------------------------------------

@pytest.mark.parametrize(("option", "environ", "expected"), [
    ("zh", {"LANG": "en_US.UTF-8"}, "zh"),
    ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LANG": "zh_TW.UTF-8"}, "zh"),
    (None, {"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins, as in POSIX
    (None, {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
    (None, {"LANG": "C"}, "en"),
    (None, {}, "en"),
])
def test_the_cli_language_follows_the_option_then_the_locale(option, environ, expected):
    assert message_language(option, environ) == expected


@pytest.fixture
def bad_file(tmp_path) -> str:
    """A file with an unknown category on line 3."""
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(row(1), row(2, category="toilet")))
    return str(path)


def test_cli_import_errors_in_chinese_with_lang_zh(runner, bad_file):
    result = runner.invoke(args=["facilities", "import", bad_file, "--lang", "zh"])
    assert result.exit_code == 1
    assert "第 3 行" in result.stderr and "母婴室 (nursing_room)" in result.stderr


def test_cli_import_errors_follow_lang_from_the_environment(runner, bad_file):
    result = runner.invoke(args=["facilities", "import", bad_file],
                           env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 1 and "第 3 行" in result.stderr
    result = runner.invoke(args=["facilities", "import", bad_file])  # the runner's C.UTF-8
    assert result.exit_code == 1 and "line 3, column category" in result.stderr


def test_cli_import_warnings_follow_the_language_too(runner, tmp_path):
    path = tmp_path / "no-english.csv"
    path.write_bytes(csv_bytes(row(1, name_en="")))
    result = runner.invoke(args=["facilities", "import", str(path), "--lang", "zh"])
    assert result.exit_code == 0 and "警告" in result.stderr
    result = runner.invoke(args=["facilities", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "warning" in result.stderr and "警告" not in result.stderr
