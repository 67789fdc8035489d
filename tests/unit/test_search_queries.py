"""The search box on real queries (the README's table, on the search fixture), the terms a
facility is found by, and bounded work for any query."""

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locator import datasets
from locator.core import terms
from locator.search import words
from locator.search.matching import CANDIDATE_TERMS, find
from locator.store import Store
from tests.processes import ROOT
from tests.unit.conftest import FIXTURE

VISITOR = (22.52, 113.03)


def readme_queries() -> list[tuple[str, str | None, str, str]]:
    """(query, category or None, first facility id, how) from the README's search table."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read().split("## Search", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("query", "---"):
            continue
        category = re.search(r"category `([a-z_]+)`", cells[1])
        first = re.findall(r"`([a-z0-9_-]+)`", cells[1])[-1]
        rows.append((cells[0], category.group(1) if category else None, first,
                     cells[2].strip("`")))
    return rows


QUERIES = readme_queries()


def test_the_table_covers_every_kind_of_query():
    assert len(QUERIES) >= 40
    hows = {how for *_, how in QUERIES}
    assert hows >= {"exact", "prefix", "alias", "pinyin", "typo", "route", "category_word"}


@pytest.mark.parametrize(("query", "category", "first", "how"), QUERIES,
                         ids=[q for q, *_ in QUERIES])
def test_real_queries_find_what_people_mean(fixture_store, query, category, first, how):
    found = find(fixture_store, query, lat=VISITOR[0], lon=VISITOR[1])
    assert (found.category or (None,))[0] == category
    assert found.matches, query
    assert (found.matches[0].record["id"], found.matches[0].how) == (first, how)


def test_without_a_position_ranking_ignores_distance_and_ties_go_by_name(fixture_store):
    found = find(fixture_store, "测试")
    names = [m.record["name"] for m in found.matches]
    assert names == sorted(names) and len(names) >= 3
    assert all(m.distance_m is None for m in found.matches)


def test_distance_breaks_equal_matches(fixture_store):
    near_b = find(fixture_store, "Test Coach Stop", lat=22.5000, lon=113.0100)
    near_a = find(fixture_store, "Test Coach Stop", lat=22.5350, lon=113.0450)
    assert near_b.matches[0].record["id"] == "test-coach-b"
    assert near_a.matches[0].record["id"] == "test-coach-a"


def test_matched_names_the_field_and_its_text(fixture_store):
    alias = find(fixture_store, "新会汽车总站").matches[0]
    assert (alias.field, alias.text) == ("aliases", "新会汽车总站")
    route = find(fixture_store, "to Zhuhai").matches[0]
    assert (route.field, route.text, route.how) == ("routes", "江门—珠海", "route")
    english = find(fixture_store, "Jingtan Libary").matches[0]
    assert (english.field, english.text) == ("name_en", "Jingtang Library")


def test_a_new_version_is_searched_at_once(fixture_store, tmp_path):
    store = Store(str(tmp_path / "locator.sqlite"))
    store.migrate()
    with open(FIXTURE, "rb") as fh:
        data = fh.read().decode()
    datasets.apply_import(store, datasets.check_file(store, data.encode(), "a.csv"), "a.csv",
                          actor="t")
    renamed = data.replace("小鸟天堂,Bird Paradise", "天马村小鸟天堂,Tianma Bird Paradise")
    datasets.apply_import(store, datasets.check_file(store, renamed.encode(), "b.csv"), "b.csv",
                          actor="t")
    assert find(store, "tianma").matches[0].record["id"] == "test-bird-paradise"
    assert find(store, "天马").matches[0].record["id"] == "test-bird-paradise"
    datasets.rollback(store, 1, actor="t")
    assert find(store, "tianma").matches == []
    store.close()


def test_terms_of_a_record():
    found = terms.record_terms({"name": "景堂图书馆", "name_en": "Jingtang Library",
                                "aliases": "旧馆", "routes": "深圳"})
    texts = {t.text for t in found}
    assert {"景堂图书馆", "图书馆", "jingtanglibrary", "library", "jingtangtushuguan", "jttsg",
            "旧馆", "jiuguan", "深圳", "shenzhen"} <= texts
    assert terms.record_spellings({"name_en": "Jingtang Library"}, found) >= {
        "jingtang", "library", "jingtanglibrary", "jingtangtushuguan", "shenzhen"}


def test_a_long_name_makes_a_bounded_number_of_terms():
    found = terms.record_terms({"name": "馆" * 200, "name_en": " ".join(["word"] * 200),
                                "aliases": ";".join(f"别名{i}" for i in range(50)),
                                "routes": ";".join(f"线路{i}" for i in range(50))})
    assert len(found) <= terms.MAX_TERMS
    assert terms.Term("馆" * terms.MAX_SUFFIXES, terms.NAME, 0) in found  # whole fields first


def test_category_words_come_from_every_language():
    assert words.category_of("哺乳室")[0] == "nursing_room"
    assert words.category_of("Breastfeeding")[0] == "nursing_room"
    assert words.category_of("changyuqichezhan") is None
    assert words.category_of("长途汽车站附近")[0] == "coach_stop"
    assert words.destination_of("bus to Guangzhou") == "guangzhou"
    assert words.destination_of("to") is None


@settings(max_examples=200)
@given(st.text(max_size=150))
def test_any_query_is_answered_with_bounded_work(fixture_store, query):
    found = find(fixture_store, query, lat=VISITOR[0], lon=VISITOR[1], limit=10)
    assert len(found.matches) <= 10
    assert all(m.how in ("exact", "prefix", "alias", "pinyin", "typo", "route", "category_word")
               for m in found.matches)


def test_a_one_letter_query_reads_a_bounded_number_of_terms(fixture_store):
    assert len(fixture_store.facilities.terms_from("x", CANDIDATE_TERMS)) <= CANDIDATE_TERMS
    assert find(fixture_store, "x").matches


@pytest.mark.parametrize(("query", "kind", "detail"), [
    ("coach station", "category", "coach_stop"),
    ("哺乳室", "category", "nursing_room"),
    ("to Shenzhen", "destination", ("test-coach-a",)),
    ("中山", "destination", ("test-coach-b",)),
    ("景堂图书馆", "facility", ("jingtang-library",)),
    ("Jingtan Libary", "facility", ("jingtang-library",)),
    ("会城今古洲路1号", "place", None),
])
def test_what_a_query_asks_for(fixture_store, query, kind, detail):
    from locator.search.intent import read_intent
    intent = read_intent(fixture_store, query)
    assert intent.kind == kind
    if kind == "category":
        assert intent.category == detail
    elif detail:
        assert intent.facility_ids == detail


def stored_terms(store) -> list[tuple]:
    """The search_terms rows as stored."""
    return sorted(store.db.execute("SELECT term, fid, source, start FROM search_terms"))


def expected_terms(store) -> list[tuple]:
    """The search_terms rows the current facilities should have."""
    from locator.store import schema
    rows = store.db.execute(f"SELECT fid, {', '.join(schema.TERM_COLUMNS)} FROM facilities")
    return schema.term_rows([(r[0], dict(zip(schema.TERM_COLUMNS, r[1:], strict=True)))
                             for r in rows])[0]


def test_the_terms_follow_every_kind_of_version(store):
    from bench.make_dataset import synthetic_records
    from locator.store.sqlite.facilities import BULK_FROM_ROWS
    from tests.factories import commit_whole
    rows = synthetic_records(BULK_FROM_ROWS + 10)
    for r in rows:
        r["lat"], r["lon"] = float(r["lat"]), float(r["lon"])
    commit_whole(store, rows)  # in bulk
    assert stored_terms(store) == expected_terms(store)
    edited = [dict(r, name=r["name"] + "新馆", aliases="旧名") if i % 7 == 0 else r
              for i, r in enumerate(rows[:-5])]
    commit_whole(store, edited)  # row by row: a few changed, five removed
    assert stored_terms(store) == expected_terms(store)
    assert find(store, "旧名").matches
