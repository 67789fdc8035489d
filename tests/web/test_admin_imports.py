"""Console imports: bad files refused with every error; upload → confirm → rollback → export."""

import csv
import hashlib
import io
import json
import re
import zipfile

import pytest

from locator import datasets
from locator.admin import previews
from locator.ingest import exporter, importer
from locator.ingest.importer import read_import
from locator.store import Store
from tests.admin_support import (
    console_app,
    counting,
    dataset,
    english,
    login,
    make_admin,
    signed_in,
    text,
    token,
)
from tests.bad_files import BAD
from tests.factories import csv_bytes, load, query, row, xlsx_bytes

pytestmark = pytest.mark.engines


@pytest.fixture
def app(db_path):
    """The console on a dataset of three nursing rooms (version 1)."""
    load(db_path, row(1), row(2), row(3))
    make_admin(db_path)
    return console_app(db_path)


@pytest.fixture
def client(app):
    """Signed in as the admin, in English."""
    return signed_in(app)


def upload(client, data: bytes, filename: str = "facilities.csv", mode: str = "replace"):
    """Post a file to the upload form, as the browser does."""
    return client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), filename), "mode": mode,
        "csrf_token": token(client, "/admin/upload")})


def confirm(client, sha256: str, **extra):
    """Post the preview's confirm form."""
    return client.post("/admin/upload/confirm", data={
        "sha256": sha256, "csrf_token": token(client, "/admin/upload"), **extra})


def previewed_sha(response) -> str:
    """The sha256 the preview's confirm form carries."""
    return re.search(r'name="sha256" value="([0-9a-f]{64})"',
                     response.get_data(as_text=True)).group(1)


def pending_count(db_path: str) -> int:
    """How many previewed files are kept."""
    return query(db_path, "SELECT count(*) FROM pending_uploads")[0][0]


def located(line, column) -> str:
    """How the page starts a problem at this place."""
    if line is not None and column is not None:
        return f"line {line}, column {column}: "
    if line is not None:
        return f"line {line}: "
    return f"column {column}: " if column is not None else ""


# -- every class of bad file, through the console ----------------------------------------------

@pytest.mark.parametrize("content, line, column, words", [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_each_bad_file_class_lists_its_errors_and_changes_nothing(client, db_path, content,
                                                                  line, column, words):
    before = dataset(db_path)
    response = upload(client, content.encode())
    assert response.status_code == 422
    page = text(response)
    assert "Nothing was changed" in page
    errors = re.search(r"<ol>(.*?)</ol>", response.get_data(as_text=True), re.S).group(1)
    first = text_of(errors.split("</li>")[0])
    assert first.startswith(located(line, column)) and words in first, first
    assert "Confirm and apply" not in page
    assert dataset(db_path) == before and pending_count(db_path) == 0


def text_of(fragment: str) -> str:
    """A fragment's text without tags."""
    import html
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _zip_without_workbook() -> bytes:
    """A ZIP archive that holds no sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return out.getvalue()




UNREADABLE = [
    ("big5", b"id,category,name,lat,lon\n" + "會城街道母嬰室,新會區中心醫院,岡州大道中\n"
     .encode("big5"), "facilities.csv", "CSV UTF-8"),
    ("utf16", "id,name\n母婴室,会城\n".encode("utf-16"), "facilities.csv", "UTF-16"),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
    ("csv named xlsx", b"id,name\n", "list.xlsx", "not a valid .xlsx"),
    ("broken zip", b"PK\x03\x04 not really a zip", "list.xlsx", "ZIP"),
    ("zip without sheet", _zip_without_workbook(), "list.xlsx", "xlsx"),
    ("xlsx value beyond header", xlsx_bytes(["id", "category", "name", "lat", "lon"],
                                       ["a", "landmark", "A", 22.5, 113, None, "x"]),
     "list.xlsx", "column G"),
]


@pytest.mark.parametrize("data, filename, words", [u[1:] for u in UNREADABLE],
                         ids=[u[0] for u in UNREADABLE])
def test_unreadable_files_are_refused_with_a_fix(client, db_path, data, filename, words):
    before = dataset(db_path)
    response = upload(client, data, filename)
    assert response.status_code == 422 and words in text(response)
    assert dataset(db_path) == before


def test_a_file_over_the_importer_limit_is_refused_by_the_importer(db_path):
    load(db_path, row(1))
    make_admin(db_path)
    client = signed_in(console_app(db_path, MAX_IMPORT_BYTES=1000))
    response = upload(client, csv_bytes(*[row(i) for i in range(1, 40)]))
    assert response.status_code == 422 and "limit" in text(response)


def test_a_request_over_max_content_length_gets_a_friendly_413_page(client, db_path):
    before = dataset(db_path)
    # A raw body: werkzeug's test client would spool a multipart one to a file it never closes.
    response = client.post("/admin/upload", data=b"x" * (22 * 1024 * 1024),
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    page = text(response)
    assert "The file is too large" in page and "20 MB" in page and "Sign out" in page
    assert dataset(db_path) == before


def test_no_file_chosen(client):
    response = client.post("/admin/upload", data={"mode": "replace",
                                                  "csrf_token": token(client, "/admin/upload")})
    assert response.status_code == 400 and "Choose a CSV or XLSX file" in text(response)


def test_errors_are_shown_in_the_admins_language(app):
    client = login_client(app, "zh")
    response = upload(client, b"id,category,name,lat\na,landmark,A,22.5\n")
    assert response.status_code == 422
    assert "<html lang=\"zh-CN\">" in response.get_data(as_text=True)
    assert "没有任何更改" in text(response)


def login_client(app, lang: str):
    """A signed-in client asking for `lang`."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    assert login(client).status_code == 302
    return client


# -- the full cycle ----------------------------------------------------------------------------

def records(db_path: str) -> list[dict]:
    """Every stored facility."""
    return dataset(db_path)[1]


def test_upload_preview_confirm_history_rollback_export(client, db_path):
    version_1 = records(db_path)
    new_file = csv_bytes(row(1, name="新名字"), row(2, lat="22.51"), row(4))

    # Preview: the diff, field by field, and the map's points; nothing applied yet.
    preview = upload(client, new_file, "v2.csv")
    assert preview.status_code == 200
    page = text(preview)
    for words in ("Added: 1", "Changed: 2", "Removed: 1", "Unchanged: 0", "room-4",
                  "name 母婴室1 新名字", "lat 22.502 22.51", "room-3"):
        assert words in page, words
    map_json = re.search(r'id="preview-map-data"[^>]*>(.*?)</script>',
                         preview.get_data(as_text=True), re.S).group(1)
    points = json.loads(map_json)
    assert [p[2] for p in points["added"]] == ["room-4 · 母婴室4"]
    assert [p[4] for p in points["moved"]] == ["room-2 · 母婴室2"]
    assert [p[2] for p in points["removed"]] == ["room-3 · 母婴室3"]
    sha = previewed_sha(preview)
    assert sha == hashlib.sha256(new_file).hexdigest()
    assert records(db_path) == version_1

    # Confirm: exactly that file becomes version 2.
    response = confirm(client, sha)
    assert response.status_code == 302 and response.location == "/admin/history"
    version_2 = records(db_path)
    assert [(r["id"], r["name"], r["lat"]) for r in version_2] == [
        ("room-1", "新名字", 22.501), ("room-2", "母婴室2", 22.51), ("room-4", "母婴室4", 22.504)]
    store = Store(db_path)
    v2 = store.versions.get(2)
    store.close()
    assert (v2["actor"], v2["kind"], v2["filename"], v2["sha256"], v2["mode"]) == (
        "alice", "import", "v2.csv", sha, "replace")
    assert pending_count(db_path) == 0

    # History: both versions, who and which file; version 1 downloads as it was.
    history = client.get("/admin/history")
    assert "Imported v2.csv as version 2." in text(history)
    assert "alice" in text(history) and "v2.csv" in text(history)
    old_csv = client.get("/admin/history/1.csv")
    assert old_csv.headers["Content-Disposition"] == 'attachment; filename="facilities-v1.csv"'
    assert old_csv.data == exporter.write_csv(version_1)

    # Rollback: a confirmation page with what it changes, then version 1's data as version 3.
    page = text(client.get("/admin/history/1/rollback"))
    assert "Roll back to version 1?" in page and "Added: 1" in page and "Removed: 1" in page
    response = client.post("/admin/history/1/rollback",
                           data={"csrf_token": token(client, "/admin/history/1/rollback")})
    assert response.status_code == 302
    assert records(db_path) == version_1
    assert "restored version 1" in text(client.get("/admin/history"))

    # Export: the current data, which imports back as exactly itself.
    exported = client.get("/admin/export.csv")
    assert exported.mimetype == "text/csv"
    assert exported.data == exporter.write_csv(version_1)
    again = read_import(exported.data, "export.csv", {r["id"]: r for r in version_1})
    assert again.ok and not again.diff.added and not again.diff.changed
    assert not again.diff.removed


def test_a_stale_confirm_is_refused_and_the_admin_asked_to_preview_again(client, db_path):
    preview = upload(client, csv_bytes(row(1), row(2), row(3), row(5)))
    load(db_path, row(1), row(2), row(3), row(6))  # someone else imports meanwhile
    meanwhile = dataset(db_path)
    response = confirm(client, previewed_sha(preview))
    assert response.status_code == 409
    assert "changed since your preview" in text(response)
    assert dataset(db_path) == meanwhile
    # Previewing again shows the change against the new data, and then applies.
    preview = upload(client, csv_bytes(row(1), row(2), row(3), row(5)))
    assert "Added: 1" in text(preview) and "Removed: 1" in text(preview)
    assert confirm(client, previewed_sha(preview)).status_code == 302


def test_a_replace_removing_more_than_half_needs_the_tick(client, db_path):
    before = dataset(db_path)
    preview = upload(client, csv_bytes(row(1)))
    assert 'name="accept_removal"' in preview.get_data(as_text=True)
    sha = previewed_sha(preview)
    refused = confirm(client, sha)
    assert refused.status_code == 400 and "tick the box" in text(refused)
    assert dataset(db_path) == before
    assert confirm(client, sha, accept_removal="1").status_code == 302
    assert [r["id"] for r in records(db_path)] == ["room-1"]


def test_merge_is_a_visible_choice_and_removes_nothing(client, db_path):
    page = client.get("/admin/upload").get_data(as_text=True)
    assert 'value="replace" checked' in page and 'value="merge"' in page
    preview = upload(client, csv_bytes(row(7)), mode="merge")
    assert "Mode: Merge" in text(preview) and "Removed: 0" in text(preview)
    assert confirm(client, previewed_sha(preview)).status_code == 302
    assert [r["id"] for r in records(db_path)] == ["room-1", "room-2", "room-3", "room-7"]


def test_replace_allowing_empty_empties_the_list_after_the_tick(client, db_path):
    refused = upload(client, b"id,category,name,lat,lon\n")
    assert refused.status_code == 422 and "allow empty" in text(refused)
    preview = upload(client, b"id,category,name,lat,lon\n", mode="empty")
    assert preview.status_code == 200
    assert confirm(client, previewed_sha(preview), accept_removal="1").status_code == 302
    assert records(db_path) == []


def test_confirm_needs_this_admins_own_unexpired_preview(app, client, db_path):
    sha = previewed_sha(upload(client, csv_bytes(row(1), row(2), row(3), row(8))))
    make_admin(db_path, "bob", "another long passphrase")
    bob = english(app.test_client())
    login(bob, "bob", "another long passphrase")
    before = dataset(db_path)
    response = confirm(bob, sha)
    assert response.status_code == 410 and "Upload the file again" in text(response)
    assert confirm(client, "f" * 64).status_code == 410
    assert dataset(db_path) == before
    assert confirm(client, sha).status_code == 302
    assert confirm(client, sha).status_code == 410  # applied once, not twice


def test_xlsx_upload_previews_and_applies(client, db_path):
    data = xlsx_bytes(["id", "category", "name", "lat", "lon"],
                 ["room-1", "nursing_room", "母婴室1", 22.501, 113.001],
                 ["room-2", "nursing_room", "母婴室2", 22.502, 113.002],
                 ["room-3", "nursing_room", "母婴室3", 22.503, 113.003],
                 ["hall", "landmark", "会堂", 22.52, 113.03])
    preview = upload(client, data, "list.xlsx")
    assert preview.status_code == 200 and "Added: 1" in text(preview)
    assert confirm(client, previewed_sha(preview)).status_code == 302
    assert "hall" in [r["id"] for r in records(db_path)]


def test_warnings_are_shown_with_the_diff(client):
    preview = upload(client, csv_bytes(row(1), row(2), row(3), row(9, name_en="")))
    assert preview.status_code == 200
    assert "Warnings" in text(preview) and "no English name" in text(preview)


def test_export_of_an_empty_database(db_path):
    make_admin(db_path)
    client = signed_in(console_app(db_path))
    exported = client.get("/admin/export.csv")
    assert list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig")))) == [
        list(exporter.COLUMNS)]
    assert client.get("/admin/history/1.csv").status_code == 404
    assert client.get("/admin/history/1/rollback").status_code == 404


# -- the upload path does its work once: one hash and one parse of the bytes per request, and
# one read of the dataset that the diff, the preview and the apply all use ---------------------


@pytest.fixture
def hashed(monkeypatch) -> list[bytes]:
    """The bytes of every sha256 taken from now on (sessions hash their tokens too)."""
    seen, real = [], hashlib.sha256

    def sha256(data=b"", **kwargs):
        seen.append(bytes(data))
        return real(data, **kwargs)
    monkeypatch.setattr(hashlib, "sha256", sha256)
    return seen


@pytest.fixture
def parsed(monkeypatch) -> list:
    """Every call of the importer's bytes → table step from now on."""
    calls = []
    monkeypatch.setattr(importer, "read_table", counting(calls, importer.read_table))
    return calls


@pytest.fixture
def diffed(monkeypatch) -> list:
    """Every (data, filename, current) the importer checks from now on."""
    calls = []
    monkeypatch.setattr(datasets, "read_import", counting(calls, datasets.read_import))
    return calls


def test_a_preview_and_its_confirm_each_hash_and_parse_the_file_once(client, hashed, parsed):
    data = csv_bytes(row(1, name="新名字"), row(2), row(3))
    preview = upload(client, data)
    assert preview.status_code == 200
    assert hashed.count(data) == 1 and len(parsed) == 1
    hashed.clear(), parsed.clear()
    assert confirm(client, previewed_sha(preview)).status_code == 302
    assert hashed.count(data) == 1 and len(parsed) == 1  # the check that the bytes are those


def test_the_preview_shows_the_dataset_the_diff_was_made_against(client, db_path, monkeypatch):
    # Another admin renames room-3 just after this upload's diff was made against the old data.
    check = datasets.read_import

    def check_then_rename(*args, **kwargs):
        result = check(*args, **kwargs)
        monkeypatch.setattr(datasets, "read_import", check)  # the rename checks its own row
        load(db_path, row(3, name="改名"), merge=True)
        return result
    monkeypatch.setattr(datasets, "read_import", check_then_rename)
    preview = upload(client, csv_bytes(row(1), row(2, name="新名字")))
    assert dataset(db_path)[0] == 2
    page = text(preview)
    assert "Removed: 1" in page and "room-3 母婴室3" in page and "改名" not in page
    points = json.loads(re.search(r'id="preview-map-data"[^>]*>(.*?)</script>',
                                  preview.get_data(as_text=True), re.S).group(1))
    assert [p[2] for p in points["removed"]] == ["room-3 · 母婴室3"]
    # What the preview showed is no longer what the file would do: the confirm refuses.
    before = dataset(db_path)
    refused = confirm(client, previewed_sha(preview))
    assert refused.status_code == 409 and "changed since your preview" in text(refused)
    assert dataset(db_path) == before


def test_the_preview_draws_the_very_records_the_diff_read(client, diffed, monkeypatch):
    shown = []
    monkeypatch.setattr(previews, "diff_view", counting(shown, previews.diff_view))
    monkeypatch.setattr(previews, "map_data", counting(shown, previews.map_data))
    assert upload(client, csv_bytes(row(1), row(2, lat="22.51"))).status_code == 200
    ((_data, _name, current), _options), = diffed
    assert len(shown) == 2 and all(args[2] is current for args, _ in shown)


def test_a_merge_is_applied_onto_the_records_its_diff_read(client, db_path, diffed,
                                                           monkeypatch):
    merges = []
    monkeypatch.setattr(datasets, "merged", counting(merges, datasets.merged))
    preview = upload(client, csv_bytes(row(2, name="新名字"), row(7)), mode="merge")
    diffed.clear()
    assert confirm(client, previewed_sha(preview)).status_code == 302
    ((_data, _name, current), _options), = diffed
    ((base, _records), _), = merges
    assert base is current
    assert [r["name"] for r in dataset(db_path)[1]] == ["母婴室1", "新名字", "母婴室3", "母婴室7"]
