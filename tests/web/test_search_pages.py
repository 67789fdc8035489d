"""The search box on the pages: /nearest?q= as a category word, a destination, a facility's
name or a place; stop cards with their routes; the suggestions' hooks."""

import pytest

from locator import create_app
from tests.factories import load, row


@pytest.fixture
def app(db_path):
    """A nursing room, two coach stops (one to Shenzhen) and a library."""
    load(db_path,
         row(1, name="医院母婴室", name_en="Hospital nursing room", lat="22.5210", lon="113.0310"),
         row(2, category="coach_stop", name="客运站甲", name_en="Coach station A", lat="22.5100",
             lon="113.0600", routes="深圳;江门—珠海", aliases="新会汽车总站"),
         row(3, category="coach_stop", name="客运站乙", name_en="Coach station B", lat="22.5300",
             lon="113.0200", routes="广州"),
         row(4, category="landmark", name="景堂图书馆", name_en="Jingtang Library",
             lat="22.520979", lon="113.040056"))
    return create_app({"TESTING": True, "DATABASE": db_path})


def html(client, status=200, **args):
    """GET /nearest with args; the page's text."""
    response = client.get("/nearest", query_string=args)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def test_a_category_word_lists_that_category_from_the_district_centre(client):
    page = html(client, q="coach station", lang="en")
    assert "From the district centre" in page
    assert "Coach station A" in page and "Coach station B" in page
    assert "Hospital nursing room" not in page


def test_a_category_word_with_a_position_searches_near_it(client):
    page = html(client, q="coach station", lat="22.52", lon="113.03", lang="en")
    assert "From your location" in page and "Coach station A" in page
    assert "Hospital nursing room" not in page


def test_a_destination_lists_only_the_stops_that_serve_it(client):
    page = html(client, q="to Shenzhen", lang="en")
    assert "Stops whose routes serve “to Shenzhen”" in page
    assert "Coach station A" in page and "Coach station B" not in page
    assert "Shenzhen (深圳)" in page and "Jiangmen—Zhuhai (江门—珠海)" in page


def test_routes_are_shown_as_written_on_chinese_pages(client):
    page = html(client, q="去珠海", lang="zh")
    assert "深圳" in page and "Shenzhen (深圳)" not in page


def test_a_facility_name_opens_its_page(client):
    response = client.get("/nearest", query_string={"q": "Jingtan Libary"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/facilities/room-4")
    alias = client.get("/nearest", query_string={"q": "新会汽车总站", "category": "coach_stop"})
    assert alias.headers["Location"].endswith("/facilities/room-2")


def test_a_facility_name_with_another_kind_asked_is_the_place_to_search_near(client):
    page = html(client, q="景堂图书馆", category="nursing_room", lang="en")
    assert "From Jingtang Library" in page and "Hospital nursing room" in page


def test_anything_else_is_a_place_as_before(client):
    page = html(client, 404, q="nowhere at all", lang="en")
    assert "No place found for “nowhere at all”" in page


def test_a_bad_argument_is_refused_before_the_query_is_read(client):
    html(client, 400, q="coach station", category="spaceship")


def test_the_search_box_offers_suggestions_with_javascript(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'data-suggest="/api/search"' in page and "js/search_suggest.js" in page
    assert 'data-facility-url="/facilities/__id__"' in page
