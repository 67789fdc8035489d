"""The console's editor shows a facility's own Traditional name and keeps it on save."""

from tests.admin_support import console_app, make_admin, signed_in, stored
from tests.factories import load, row
from tests.web.test_editor import editor_form


def test_the_editor_keeps_and_changes_the_traditional_name(db_path):
    load(db_path, row(1, name_zh_hant="母嬰室壹"))
    make_admin(db_path)
    client = signed_in(console_app(db_path))
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    form = editor_form(page)
    assert form["name_zh_hant"] == "母嬰室壹"
    assert client.post("/admin/facilities/room-1/edit",
                       data=form | {"floor": "2F"}).status_code == 302
    assert stored(db_path, "room-1")["name_zh_hant"] == "母嬰室壹"
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    assert client.post("/admin/facilities/room-1/edit",
                       data=editor_form(page) | {"name_zh_hant": "育嬰室"}).status_code == 302
    assert stored(db_path, "room-1")["name_zh_hant"] == "育嬰室"
