"""Rows with an address and no coordinates are placed by the geocoder, through the store's cache:
a real store in tmp_path and a stub provider on 127.0.0.1 (tests/geocoder_stubs.py)."""

import pytest

from locator import datasets
from locator.core.geo import geodesic_m
from locator.geocoding.settings import GeocoderSettings
from locator.ingest.importer import SERVICE_AREA
from locator.ingest.placing import Unplaced
from tests.geocoder_stubs import CENTRE, HOUSE, Place, StubGeocoder

HEADER = "id,category,name,lat,lon,address,coord_source\n"
FOUND = "江门市新会区会城今古洲路1号"


def csv(*rows: str) -> bytes:
    """A UTF-8 CSV of the given rows under the header."""
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def settings(stub: StubGeocoder) -> GeocoderSettings:
    """The stub's provider at its URL, fast enough for tests, over Xinhui."""
    return GeocoderSettings(stub.provider, key="test", base_url=stub.url, rate_per_s=1000,
                            service_area=SERVICE_AREA)


def check(store, data: bytes, geocoder, **kwargs):
    """check_file's result for `data`."""
    return datasets.check_file(store, data, "f.csv", geocoder=geocoder, **kwargs).result


def geocoder_warnings(result) -> list:
    """The warnings about addresses (not the missing English names these rows all have)."""
    return [w for w in result.warnings if w.column == "address"]


@pytest.mark.parametrize("provider", ["amap", "baidu", "tianditu", "nominatim"])
def test_an_address_is_placed_in_wgs84_and_marked_geocoded(store, provider):
    with StubGeocoder(provider) as stub:
        result = check(store, csv(f"a,landmark,甲,,,{FOUND},"), settings(stub))
    assert result.ok, [str(e) for e in result.errors]
    record = result.records[0]
    assert record["coord_source"] == "geocoded"
    # Each stub answers in its provider's datum; converted back within a metre or two.
    assert geodesic_m(record["lat"], record["lon"], *HOUSE) < 2
    assert result.placed["a"].precision == "exact"
    assert not geocoder_warnings(result)


def test_a_reimport_and_a_rollback_never_ask_again(store):
    data = csv(f"a,landmark,甲,,,{FOUND},", f"b,landmark,乙,,,{FOUND} ,",
               "c,landmark,丙,22.5,113,,")
    with StubGeocoder("amap") as stub:
        checked = datasets.check_file(store, data, "f.csv", geocoder=settings(stub))
        assert len(stub.requests) == 1  # the same address twice (spaces aside): asked once
        datasets.apply_import(store, checked, "f.csv", actor="test")
        again = check(store, data, settings(stub))
        datasets.apply_import(store, datasets.check_file(store, csv("c,landmark,丙,22.5,113,,"),
                                                         "g.csv", geocoder=settings(stub)),
                              "g.csv", actor="test")
        datasets.rollback(store, 1, actor="test")
        assert len(stub.requests) == 1
    assert again.placed["a"].lat == checked.result.placed["a"].lat
    assert store.facilities.get("b")["coord_source"] == "geocoded"
    assert store.geocodes.count() == 1


def test_a_district_answer_is_a_warning_and_kept(store):
    with StubGeocoder("amap") as stub:
        result = check(store, csv("a,landmark,甲,,,江门市新会区,"), settings(stub))
    assert result.ok
    assert geodesic_m(result.records[0]["lat"], result.records[0]["lon"], *CENTRE) < 2
    assert [str(w) for w in geocoder_warnings(result)] == [
        "line 2, column address: warning: the geocoder found '江门市新会区' only as a town or "
        "district (区县): the point is its centre, stored as given — check it on the preview "
        "map, or give lat and lon (kept as written)"]


def test_not_found_outside_or_unavailable_is_an_error_and_nothing_is_imported(store):
    places = {"不存在": Place("none"), "北京市东城区": Place("found", (39.9, 116.4)),
              "配额用完": Place("quota")}
    with StubGeocoder("amap", places=places) as stub:
        result = check(store, csv(f"a,landmark,甲,,,{FOUND},", "b,landmark,乙,,,不存在,",
                                  "c,landmark,丙,,,北京市东城区,", "d,landmark,丁,,,配额用完,"),
                       settings(stub))
    assert not result.ok and not result.records
    messages = [str(e) for e in result.errors]
    assert [m.split(":", 1)[0] for m in messages] == [
        "line 3, column address", "line 4, column address", "line 5, column address"]
    assert "found no place" in messages[0]
    assert "outside the service area" in messages[1]
    assert "quota" in messages[2]
    # What was answered is kept for the next try (found, outside, not found); quota is not.
    assert store.geocodes.count() == 3


def test_no_geocoder_is_an_error_on_the_line_and_no_address_stays_lat_is_empty(store):
    result = check(store, csv(f"a,landmark,甲,,,{FOUND},", "b,landmark,乙,,,,"), None)
    assert [str(e) for e in result.errors] == [
        "line 2, column address: lat and lon are empty and no geocoder is configured "
        "(LOCATOR_GEOCODER) to place the address — give lat and lon, or ask the operator to "
        "set one up",
        "line 3, column lat: lat is empty — every facility needs lat and lon in decimal degrees",
        "line 3, column lon: lon is empty — every facility needs lat and lon in decimal degrees"]


def test_coord_source_takes_codes_and_labels(store):
    result = check(store, csv("a,landmark,甲,22.5,113,,实测", "b,landmark,乙,22.6,113,,地图选点",
                              "c,landmark,丙,22.7,113,,"), None)
    assert [r["coord_source"] for r in result.records] == ["survey", "map", ""]
    wrong = check(store, csv("a,landmark,甲,22.5,113,,guess"), None)
    assert "unknown coord_source 'guess'" in str(wrong.errors[0])


def test_a_kept_not_found_answers_for_an_hour_then_is_asked_again(store):
    nowhere, now = "江门市新会区不存在路999号", [1000.0]
    with StubGeocoder("amap") as stub:
        locate = datasets.locator(store, settings(stub), clock=lambda: now[0])
        first = locate([nowhere])[nowhere]
        locate([nowhere])
        assert len(stub.requests) == 1
        now[0] += datasets.NOT_FOUND_KEPT_S + 1
        locate([nowhere])
        assert len(stub.requests) == 2
    assert isinstance(first, Unplaced) and "found no place" in first.problem(2).render()
