"""A facility placed from its address by the geocoder says so on its page, its result card and
in the API, until someone verifies it on site."""

import pytest

from locator import create_app
from tests.factories import load, row

ESTIMATED = {"zh": "位置根据地址估算", "en": "Position estimated from the address"}


@pytest.fixture
def client(db_path):
    """Two geocoded nursing rooms, one verified since, and one surveyed."""
    load(db_path, row(1, coord_source="geocoded"),
         row(2, coord_source="geocoded", verified_on="2026-11-01"), row(3, coord_source="survey"))
    return create_app({"TESTING": True, "DATABASE": db_path}).test_client()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_facility_page_says_the_position_is_estimated_until_verified(client, lang):
    pages = {n: client.get(f"/facilities/room-{n}?lang={lang}").get_data(as_text=True)
             for n in (1, 2, 3)}
    assert ESTIMATED[lang] in pages[1]
    assert ESTIMATED[lang] not in pages[2] and ESTIMATED[lang] not in pages[3]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_result_card_says_so_too(client, lang):
    html = client.get(f"/nearest?lat=22.5&lon=113.0&category=nursing_room&lang={lang}"
                      ).get_data(as_text=True)
    assert html.count(ESTIMATED[lang]) == 1


def test_the_api_record_carries_coord_source(client):
    sources = {n: client.get(f"/api/facilities/room-{n}").get_json()["properties"]["coord_source"]
               for n in (1, 3)}
    assert sources == {1: "geocoded", 3: "survey"}
