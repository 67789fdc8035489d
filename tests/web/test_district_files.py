"""A district's list as its staff keep it, through the CLI and the console: a title row, Chinese
headers and values, Chinese opening hours, slashed dates, a phone Excel stripped of its 0, and
addresses with no position columns at all, placed by a stub geocoder (tests/geocoder_stubs.py)."""

import io
import re

from tests.admin_support import console_app, make_admin, signed_in, stored, token
from tests.factories import xlsx_bytes
from tests.geocoder_stubs import HOUSE, StubGeocoder
from tests.web.test_geocoded_uploads import follow_progress

TITLE = ["新会区母婴室及客运站名录（2026年11月）"]
HEADER = ["编号", "名称", "类别", "地址", "开放时间", "设施设备", "开放对象", "联系电话",
          "核实日期", "楼层"]
ROWS = [
    ["xh-001", "新会区妇幼保健院母婴室", "母婴室", "江门市新会区会城今古洲路1号",
     "周一至周五 8:30-12:00，14:30-17:30；节假日休息", "护理台、婴儿床、热水", "对公众开放",
     "7506301234", "2026/11/28", "1F"],
    ["xh-002", "新会汽车站", "客运站", "江门市新会区会城测试路2号", "每天 6:00-21:00",
     "候车室;售票处", "", "0750-6601234", "2026年11月20日", ""],
]
# What the importer stores for them: codes, OSM hours, ISO dates, the phone's 0 restored.
EXPECTED = {
    "xh-001": {"category": "nursing_room", "opening_hours": "Mo-Fr 08:30-12:00,14:30-17:30; PH off",
               "amenities": "changing_table;crib;hot_water", "access": "public",
               "phone": "0750-6301234", "verified_on": "2026-11-28", "floor": "1F",
               "coord_source": "geocoded"},
    "xh-002": {"category": "coach_stop", "opening_hours": "Mo-Su 06:00-21:00",
               "amenities": "waiting_room;ticket_office", "access": "public",
               "phone": "0750-6601234", "verified_on": "2026-11-20", "coord_source": "geocoded"},
}


def gbk_csv() -> bytes:
    """The list saved by Excel on Chinese Windows: GBK, a title row and a blank row on top."""
    lines = [",".join(TITLE), "", ",".join(HEADER)]
    lines += [",".join(f'"{cell}"' if "，" in cell or "；" in cell else cell for cell in row)
              for row in ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")




def assert_stored_as_codes(db_path: str) -> None:
    """Every expected value stored, and each row placed at the stub's house in WGS-84."""
    records = stored(db_path)
    for facility_id, expected in EXPECTED.items():
        record = records[facility_id]
        assert {k: record[k] for k in expected} == expected
        assert (round(record["lat"], 5), round(record["lon"], 5)) == HOUSE


def test_the_cli_imports_the_district_list_as_it_is(db_path, tmp_path):
    path = tmp_path / "名录.csv"
    path.write_bytes(gbk_csv())
    with StubGeocoder("amap") as stub:
        app = console_app(db_path, GEOCODER="amap", GEOCODER_KEY="test", GEOCODER_URL=stub.url,
                          GEOCODER_RATE=1000, BATCH_NICE=0)
        result = app.test_cli_runner().invoke(args=["facilities", "import", str(path), "--yes"])
        assert len(stub.requests) == 2
    assert result.exit_code == 0, result.output
    assert "line 4, column phone: warning:" in result.stderr  # title, blank, header, then it
    assert "stored corrected as 0750-6301234" in result.stderr
    assert "converted from" in result.stderr
    assert_stored_as_codes(db_path)


def test_the_console_imports_the_district_workbook_as_it_is(db_path):
    data = xlsx_bytes(TITLE, [], HEADER, *ROWS)
    make_admin(db_path)
    with StubGeocoder("amap") as stub:
        client = signed_in(console_app(db_path, GEOCODER="amap", GEOCODER_KEY="test",
                                       GEOCODER_URL=stub.url, GEOCODER_RATE=1000))
        started = client.post("/admin/upload", content_type="multipart/form-data", data={
            "file": (io.BytesIO(data), "名录.xlsx"), "mode": "replace",
            "csrf_token": token(client, "/admin/upload")})
        assert started.status_code == 303
        preview_url, _pages = follow_progress(client, started.headers["Location"])
        html = client.get(preview_url).get_data(as_text=True)
        assert "Placed from the address by the geocoder" in html
        assert "0750-6301234" in html and "Mo-Fr 08:30-12:00,14:30-17:30; PH off" in html
        sha256 = re.search(r'name="sha256" value="([0-9a-f]{64})"', html).group(1)
        done = client.post("/admin/upload/confirm", data={
            "sha256": sha256, "csrf_token": token(client, "/admin/upload")})
        assert done.status_code in (302, 303), done.get_data(as_text=True)[:1000]
        assert len(stub.requests) == 2  # the confirm asked again from the cache, not the stub
    assert_stored_as_codes(db_path)
