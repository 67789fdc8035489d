"""Opening hours as the district writes them → OSM syntax (locator/ingest/chinese_hours.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locator.core.hours import validate
from locator.ingest.chinese_hours import GENERIC_EXAMPLE, example, to_osm

# Forms collected from Chinese facility notices and spreadsheets, with the OSM they mean.
TABLE = [
    ("周一至周五 8:30-12:00，14:30-17:30", "Mo-Fr 08:30-12:00,14:30-17:30"),
    ("每天 9:00-17:00", "Mo-Su 09:00-17:00"),
    ("每日8:00-22:00", "Mo-Su 08:00-22:00"),
    ("天天 08:00~20:00", "Mo-Su 08:00-20:00"),
    ("全天24小时", "24/7"),
    ("24小时开放", "24/7"),
    ("24小时", "24/7"),
    ("星期一到星期五 9:00-17:00", "Mo-Fr 09:00-17:00"),
    ("周一~周五 8:30-17:30", "Mo-Fr 08:30-17:30"),
    ("周一～周五 8:30～17:30", "Mo-Fr 08:30-17:30"),
    ("工作日 8:30-17:30", "Mo-Fr 08:30-17:30"),
    ("周末 9:00-12:00", "Sa,Su 09:00-12:00"),
    ("双休日 10:00-16:00", "Sa,Su 10:00-16:00"),
    ("周一、三、五 9:00-11:30", "Mo,We,Fr 09:00-11:30"),
    ("周六日 9:00-17:00", "Sa,Su 09:00-17:00"),
    ("上午8:30-12:00 下午14:30-17:30", "Mo-Su 08:30-12:00,14:30-17:30"),
    ("工作日上午8:30-12:00，下午2:30-5:30", "Mo-Fr 08:30-12:00,14:30-17:30"),
    ("8点-17点", "Mo-Su 08:00-17:00"),
    ("8时30分-17时30分", "Mo-Su 08:30-17:30"),
    ("8点半-12点", "Mo-Su 08:30-12:00"),
    ("早上7点至晚上9点", "Mo-Su 07:00-21:00"),
    ("８：３０－１７：３０", "Mo-Su 08:30-17:30"),
    ("周一至周五 ９：００～１７：００", "Mo-Fr 09:00-17:00"),
    ("22:00-次日02:00", "Mo-Su 22:00-02:00"),
    ("晚上10点至次日凌晨2点", "Mo-Su 22:00-02:00"),
    ("周一至周五 8:30-17:30；节假日休息", "Mo-Fr 08:30-17:30; PH off"),
    ("周一至周五 8:30-17:30，法定节假日休息", "Mo-Fr 08:30-17:30; PH off"),
    ("每天 9:00-17:00，节假日不开放", "Mo-Su 09:00-17:00; PH off"),
    ("9:00-17:00，周一休息", "Mo-Su 09:00-17:00; Mo off"),
    ("9:00-17:00（逢周一闭馆，节假日照常开放）", "Mo-Su 09:00-17:00; Mo off; PH 09:00-17:00"),
    ("周二至周日 9:00-17:00；周一闭馆", "Tu-Su 09:00-17:00; Mo off"),
    ("周一至周六 8:00-18:00，节假日照常", "Mo-Sa 08:00-18:00; PH 08:00-18:00"),
    ("周一至周五 8:30-12:00和14:30-17:30", "Mo-Fr 08:30-12:00,14:30-17:30"),
    ("周一至周五 8:30-12:00 / 14:30-17:30", "Mo-Fr 08:30-12:00,14:30-17:30"),
    ("周一至周五8:30—17:30", "Mo-Fr 08:30-17:30"),
    ("周一至周五 8:30至17:30", "Mo-Fr 08:30-17:30"),
    ("周一至周五 8:30到17:30", "Mo-Fr 08:30-17:30"),
    ("周一至周五 8:30-17:30 周六 9:00-12:00 周日休息",
     "Mo-Fr 08:30-17:30; Sa 09:00-12:00; Su off"),
    ("周一至周五 8:30-17:30；周末及节假日休息", "Mo-Fr 08:30-17:30; Sa,Su,PH off"),
    ("8:30-12:00; 14:30-17:30", "Mo-Su 08:30-12:00,14:30-17:30"),
    ("营业时间：每天10:00-22:00", "Mo-Su 10:00-22:00"),
    ("开放时间 周一至周日 09:00-21:00", "Mo-Su 09:00-21:00"),
    ("每周一闭馆", "Mo off"),
    ("星期六、星期日 9:00-12:00", "Sa,Su 09:00-12:00"),
    ("早8点-晚6点", "Mo-Su 08:00-18:00"),
    ("8:30-17:30（工作日）", "Mo-Fr 08:30-17:30"),
    ("9:00-17:00 周一至周五；周六 9:00-12:00", "Mo-Fr 09:00-17:00; Sa 09:00-12:00"),
    ("全年无休 9:00-21:00", "Mo-Su 09:00-21:00"),
    ("每天9:00-21:00，节假日无休", "Mo-Su 09:00-21:00; PH 09:00-21:00"),
    ("周一至周五：8:30-17:30", "Mo-Fr 08:30-17:30"),
    # Already OSM: unchanged, to the character.
    ("Mo-Fr 08:30-17:30; PH off", "Mo-Fr 08:30-17:30; PH off"),
    ("24/7", "24/7"),
    ("8:30-17:30", "8:30-17:30"),
]


@pytest.mark.parametrize(("written", "osm"), TABLE)
def test_people_s_forms_become_osm(written, osm):
    assert to_osm(written) == osm
    assert validate(osm) is None


def test_the_table_is_at_least_thirty_chinese_forms():
    assert sum(any("\u4e00" <= c <= "\u9fff" or c in "：～－" for c in w) for w, _ in TABLE) >= 30


@pytest.mark.parametrize("written", [
    "随时",  # "any time": not hours
    "周一至周五",  # days without hours: OSM would read open all day
    "9:00-17:00 休息",  # closed when?
    "周一至周五 9:00-17:00，周六上午休息",  # half a day off: not expressible by this reader
    "周一至周五 25:00-26:00",
    "节假日照常",  # as usual, but no usual hours given
    "周一至周五；周六 9:00-12:00",  # weekdays: no hours
    "周一至周五 8:30-17:30（法定节假日除外）",  # 除外: closed on holidays, or open then too?
])
def test_what_is_not_understood_is_none(written):
    assert to_osm(written) is None


def test_blank_stays_blank():
    assert to_osm("") == ""
    assert to_osm("  ") == ""


def test_the_example_keeps_what_was_understood():
    assert example("周一至周五 9:00-17:00，周六上午休息") == "Mo-Fr 09:00-17:00; Sa off"
    assert example("随时") == GENERIC_EXAMPLE


FRAGMENTS = ["周一", "周三", "星期五", "周日", "至", "到", "~", "—", "-", "、", "，", ",", "；",
             ";", " ", "每天", "工作日", "周末", "节假日", "法定节假日", "休息", "闭馆",
             "不开放", "照常", "上午", "下午", "晚上", "次日", "凌晨", "24小时", "全天",
             "8:30", "12:00", "14:30", "17:30", "22:00", "02:00", "8点", "5点", "半", "30分",
             "８：３０", "和", "开放", "Mo-Fr", "PH off", "24/7", "(", "）", "逢", "每"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join))
def test_any_output_validates_and_converts_to_itself(written):
    osm = to_osm(written)
    if osm is not None:
        assert validate(osm) is None
        assert to_osm(osm) == osm
    assert validate(example(written)) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_never_breaks_the_reader(written):
    osm = to_osm(written)
    assert osm is None or validate(osm) is None


@pytest.mark.parametrize(("written", "osm"), [
    ("週一至週五 8:30-17:30", "Mo-Fr 08:30-17:30"),
    ("週六、週日 09:00-17:00", "Sa,Su 09:00-17:00"),
])
def test_traditional_characters_read_as_simplified(written, osm):
    assert to_osm(written) == osm
