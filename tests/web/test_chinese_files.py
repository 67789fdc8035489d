"""A district's own file through the CLI: GBK CSV, Chinese headers, values and opening hours."""

import pytest

from tests.admin_support import stored

# As Excel's Chinese "CSV (逗号分隔)" saves it: GBK, CRLF, no BOM.
DISTRICT_CSV = (
    "编号,类别,名称 name,英文名称,纬度,经度,坐标系,地址,镇（街道）,开放时间,开放对象,设施设备\r\n"
    "nr-001,母婴室,会城妇幼保健院母婴室,Huicheng MCH nursing room,22.5301,113.0302,WGS84,"
    "会城冈州大道1号,会城街道,\"周一至周五 8:30-12:00，14:30-17:30；节假日休息\",对公众开放,"
    "护理台、婴儿床、热水\r\n"
    "cs-001,客运站,新会汽车总站,Xinhui Coach Terminal,22.5401,113.0402,,会城中心路,会城街道,"
    "24小时开放,,候车室、行李寄存\r\n"
    "bs-001,公交站台,圭峰山公交站,Guifeng Mountain bus stop,22.5501,113.0502,,,,"
    "每天 6:00-22:00,公开,候车亭\r\n"
).encode("gbk")


@pytest.fixture
def district_file(tmp_path):
    """The district's file on disk."""
    path = tmp_path / "母婴室名单.csv"
    path.write_bytes(DISTRICT_CSV)
    return str(path)




def test_a_gbk_file_with_chinese_headers_and_values_imports_as_codes(runner, district_file,
                                                                     db_path):
    result = runner.invoke(args=["facilities", "import", district_file])
    assert result.exit_code == 0, result.output
    assert "added 3" in result.output
    records = stored(db_path)
    room, coach, bus = records["nr-001"], records["cs-001"], records["bs-001"]
    assert (room["category"], room["access"], room["amenities"], room["opening_hours"]) == (
        "nursing_room", "public", "changing_table;crib;hot_water",
        "Mo-Fr 08:30-12:00,14:30-17:30; PH off")
    assert room["town"] == "会城街道"
    assert (coach["category"], coach["opening_hours"], coach["amenities"]) == (
        "coach_stop", "24/7", "waiting_room;luggage_storage")
    assert (bus["category"], bus["access"], bus["opening_hours"]) == (
        "bus_stop", "public", "Mo-Su 06:00-22:00")


def test_the_export_of_a_chinese_file_writes_codes_and_imports_back_unchanged(
        runner, district_file, db_path, tmp_path):
    runner.invoke(args=["facilities", "import", district_file])
    exported = runner.invoke(args=["facilities", "export", "-"]).stdout_bytes
    text = exported.decode("utf-8-sig")
    assert text.startswith("id,category,name,") and ",nursing_room," in text
    again = tmp_path / "again.csv"
    again.write_bytes(exported)
    result = runner.invoke(args=["facilities", "import", str(again)])
    assert "added 0, changed 0, removed 0, unchanged 3" in result.output
    assert runner.invoke(args=["facilities", "export", "-"]).stdout_bytes == exported


def test_an_unreadable_chinese_value_is_refused_with_the_allowed_labels(runner, tmp_path,
                                                                         db_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(DISTRICT_CSV.replace("对公众开放".encode("gbk"), "员工专用".encode("gbk"))
                     .replace("24小时开放".encode("gbk"), "看情况".encode("gbk")))
    result = runner.invoke(args=["facilities", "import", str(path)])
    assert result.exit_code != 0
    assert "line 2, column access: unknown access '员工专用'" in result.stderr
    assert "Open to the public / 对公众开放 (public)" in result.stderr
    assert "line 3, column opening_hours: opening_hours '看情况' cannot be read" in result.stderr
    assert "expected" not in result.stderr
    assert stored(db_path) == {}
