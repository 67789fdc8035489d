"""The one-record editor: amenity boxes and drop-downs with labels, the map's point and datum,
and the opening hours read back as they are typed (the console's JSON endpoint)."""

import datetime
import json
import re

import pytest

from locator.core import geo
from locator.core.categories import AMENITIES, CATEGORIES
from locator.core.clock import SHANGHAI
from tests.admin_support import (
    console_app,
    english,
    make_admin,
    signed_in,
    stored,
    text,
    token,
)
from tests.factories import load, row

MONDAY = datetime.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)  # a week without holidays


@pytest.fixture
def console(db_path):
    """Make a signed-in console (English) with any settings, on two rooms and a bus stop."""
    load(db_path, row(1, amenities="crib;wheelchair"), row(2),
         row(3, category="bus_stop", name="新会站", routes="1"))
    make_admin(db_path)

    def make(**config):
        return signed_in(console_app(db_path, CLOCK=lambda: MONDAY, **config))
    return make


@pytest.fixture
def client(console):
    """The console on the OSM base map."""
    return console()


def editor_form(page: str) -> dict:
    """The editor's fields as a browser sends them: inputs, selections, textareas, ticked boxes."""
    fields: dict = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    fields |= dict(re.findall(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', page))
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        fields[name] = re.search(r'<option value="([^"]*)" selected', options).group(1)
    fields["amenity"] = re.findall(r'name="amenity" value="(\w+)" checked', page)
    fields.pop("amenities", None)
    return fields


def map_data(page: str) -> dict:
    """The editor map's JSON."""
    return json.loads(re.search(r'<script type="application/json" id="edit-map-data"[^>]*>'
                                r'(.*?)</script>', page, re.S).group(1))


def test_drop_downs_show_labels_with_their_codes(client):
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    assert '<option value="nursing_room" selected>Nursing rooms (nursing_room)</option>' in page
    assert '<option value="customers" >Customers only (customers)</option>' in page
    assert '<option value="gcj02" >AMap/Tencent (gcj02)</option>' in page
    chinese = client.get("/admin/facilities/room-1/edit?lang=zh").get_data(as_text=True)
    assert '<option value="nursing_room" selected>母婴室 (nursing_room)</option>' in chinese
    assert '百度坐标 (bd09)' in chinese


def test_every_amenity_has_one_labelled_box_in_a_group_by_category(client):
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    boxes = re.findall(r'name="amenity" value="(\w+)"', page)
    assert sorted(boxes) == sorted(AMENITIES)  # each once, every group shown without script
    groups = re.findall(r'<fieldset class="amenity-group" data-categories="([\w ]+)">', page)
    assert groups == ["nursing_room", "coach_stop bus_stop", " ".join(CATEGORIES)]
    assert re.findall(r'value="(\w+)" checked', page) == ["crib", "wheelchair"]
    assert "Changing table" in text(client.get("/admin/facilities/room-1/edit"))
    assert "护理台" in text(client.get("/admin/facilities/room-1/edit?lang=zh"))


def test_ticked_boxes_are_saved_and_none_ticked_clears_them(client, db_path):
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    form = editor_form(page) | {"amenity": ["wheelchair", "changing_table", "wheelchair"]}
    assert client.post("/admin/facilities/room-1/edit", data=form).status_code == 302
    assert stored(db_path, "room-1")["amenities"] == "wheelchair;changing_table"
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    assert client.post("/admin/facilities/room-1/edit",
                       data=editor_form(page) | {"amenity": []}).status_code == 302
    assert stored(db_path, "room-1")["amenities"] == ""


def test_a_box_of_another_category_is_the_importers_error_beside_the_boxes(client, db_path):
    page = client.get("/admin/facilities/room-3/edit").get_data(as_text=True)  # a bus stop
    response = client.post("/admin/facilities/room-3/edit",
                           data=editor_form(page) | {"amenity": ["shelter", "crib"]})
    assert response.status_code == 422
    boxes = response.get_data(as_text=True).split('id="amenities">', 1)[1]
    assert "crib" in text_of(boxes.split("</legend>", 1)[1].split("<fieldset", 1)[0])
    assert stored(db_path, "room-3")["amenities"] == ""
    # What was ticked stays ticked for the admin to correct.
    assert re.findall(r'value="(\w+)" checked', boxes) == ["crib", "shelter"]


def text_of(fragment: str) -> str:
    """A fragment's text without tags."""
    return re.sub(r"<[^>]+>", " ", fragment)


def test_the_map_shows_the_stored_point_on_an_osm_base_map(client, db_path):
    data = map_data(client.get("/admin/facilities/room-1/edit").get_data(as_text=True))
    record = stored(db_path, "room-1")
    assert data["point"] == [round(record["lat"], 6), round(record["lon"], 6)]
    assert data["datum"] == "wgs84" and data["tiles"]["urls"]


def test_on_an_amap_base_map_the_pin_is_gcj02_and_a_placed_pin_is_stored_as_wgs84(
        console, db_path):
    client = console(TILES="amap")
    record = stored(db_path, "room-1")
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    data = map_data(page)
    assert data["datum"] == "gcj02"
    shifted = geo.wgs84_to_gcj02(record["lat"], record["lon"])
    assert data["point"] == [round(shifted[0], 6), round(shifted[1], 6)]
    # The admin drags the pin 100 m north: the script fills the map's datum and says so.
    dropped = (data["point"][0] + 0.0009, data["point"][1])
    form = editor_form(page) | {"lat": f"{dropped[0]:.6f}", "lon": f"{dropped[1]:.6f}",
                                "coord_system": data["datum"]}
    assert client.post("/admin/facilities/room-1/edit", data=form).status_code == 302
    after = stored(db_path, "room-1")
    expected = geo.gcj02_to_wgs84(*dropped)
    assert geo.geodesic_m(after["lat"], after["lon"], *expected) < 0.5
    assert geo.geodesic_m(after["lat"], after["lon"], record["lat"], record["lon"]) > 90


def reading(client, hours_text: str):
    """The console's reading of an opening-hours text."""
    return client.get("/admin/facilities/hours.json", query_string={"text": hours_text})


@pytest.mark.parametrize(("typed", "stored_as", "en", "zh"), [
    ("Mo-Fr 08:30-17:30; PH off", "Mo-Fr 08:30-17:30; PH off",
     "Mon–Fri 08:30–17:30; Sat, Sun closed; public holidays closed",
     "周一至周五 08:30–17:30；周六、周日 关闭；节假日 关闭"),
    ("周一至周五 8:30-12:00，14:30-17:30；节假日休息",
     "Mo-Fr 08:30-12:00,14:30-17:30; PH off",
     "Mon–Fri 08:30–12:00, 14:30–17:30; Sat, Sun closed; public holidays closed",
     "周一至周五 08:30–12:00, 14:30–17:30；周六、周日 关闭；节假日 关闭"),
    ("24小时", "24/7", "every day open 24 hours", "每天 24小时开放"),
    ("", "", "hours unknown", "营业时间未知"),
])
def test_the_hours_endpoint_reads_osm_and_chinese_forms(client, typed, stored_as, en, zh):
    answer = reading(client, typed)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.json == {"ok": True, "stored": stored_as, "converted": typed != stored_as,
                           "words": en}
    client.get("/admin/?lang=zh")  # the language cookie, as the switch sets it
    assert reading(client, typed).json["words"] == zh


def test_hours_that_cannot_be_read_get_the_importers_message_never_the_parsers(client):
    answer = reading(client, "Mo-Fr 25:00-26:00").json
    assert answer["ok"] is False
    assert "for example" in answer["error"] and "expected" not in answer["error"]
    client.get("/admin/?lang=zh")
    assert "例如" in reading(client, "周一到周五上班").json["error"]


def test_the_hours_endpoint_is_the_consoles_only(app, db_path):
    anonymous = english(app.test_client())
    response = reading(anonymous, "24/7")
    assert response.status_code == 302 and "/admin/login" in response.location
    assert response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def app(db_path):
    """A console app without a signed-in client."""
    make_admin(db_path)
    return console_app(db_path)


def test_the_hours_endpoint_changes_nothing_and_needs_no_token(client, db_path):
    before = stored(db_path, "room-1")
    assert reading(client, "24/7").status_code == 200  # GET: no CSRF token needed
    response = client.post("/admin/facilities/hours.json", data={"text": "24/7"})
    assert response.status_code == 405
    assert stored(db_path, "room-1") == before


def test_the_form_shows_the_hours_reading_without_script(client, db_path):
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    form = editor_form(page) | {"opening_hours": "周一至周五 8:30-17:30"}
    client.post("/admin/facilities/room-1/edit", data=form)
    assert stored(db_path, "room-1")["opening_hours"] == "Mo-Fr 08:30-17:30"
    page = text(client.get("/admin/facilities/room-1/edit"))
    assert "Mon–Fri 08:30–17:30; Sat, Sun closed" in page
    response = client.post("/admin/facilities/room-1/edit",
                           data=form | {"opening_hours": "Mo-Fr 25:00", "based_on": "2"})
    assert response.status_code == 422 and "for example" in text(response)


def test_the_editor_carries_its_script_and_the_map_files(client):
    page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
    for asset in ("js/admin_edit.js", "vendor/leaflet-1.9.4/leaflet.js",
                  "vendor/leaflet-1.9.4/leaflet.css"):
        assert asset in page
    assert 'data-reading="/admin/facilities/hours.json"' in page
    assert token(client, "/admin/facilities/room-1/edit")


def test_blank_coordinates_with_an_address_are_placed_by_the_geocoder_as_in_a_file(
        console, db_path):
    from tests.geocoder_stubs import HOUSE, StubGeocoder

    with StubGeocoder("amap") as stub:
        client = console(GEOCODER="amap", GEOCODER_KEY="test", GEOCODER_URL=stub.url,
                         GEOCODER_RATE=1000)
        page = client.get("/admin/facilities/room-1/edit").get_data(as_text=True)
        form = editor_form(page) | {"lat": "", "lon": "", "address": "江门市新会区会城今古洲路1号"}
        assert client.post("/admin/facilities/room-1/edit", data=form).status_code == 302
        assert len(stub.requests) == 1
    after = stored(db_path, "room-1")
    assert after["coord_source"] == "geocoded"
    assert geo.geodesic_m(after["lat"], after["lon"], *HOUSE) < 0.5
