"""Console uploads with addresses to geocode: a background check with a progress page that
survives a reload, then the preview; and the CLI's import with its progress bar. Stub providers
on 127.0.0.1 (tests/geocoder_stubs.py); the test client polls as the page's refresh would."""

import hashlib
import io
import re
import time

import pytest

from locator.admin import uploads
from locator.store import Store
from tests.admin_support import USER, console_app, make_admin, signed_in, stored, token
from tests.factories import load, row
from tests.geocoder_stubs import StubGeocoder

HEADER = "id,category,name,name_en,lat,lon,address\n"
PATIENCE_S = 600  # a guard against a hung job, not a measure of speed


def addresses_csv(n: int, address: str = "江门市新会区会城测试路{i}号") -> bytes:
    """n landmarks with an address and no coordinates."""
    return (HEADER + "".join(f"g{i},landmark,地标{i},Landmark {i},,,{address.format(i=i)}\n"
                             for i in range(1, n + 1))).encode()


def console(db_path: str, stub: StubGeocoder, rate: float = 1000):
    """A signed-in client of a console whose geocoder is the stub."""
    load(db_path, row(1))
    make_admin(db_path)
    app = console_app(db_path, GEOCODER=stub.provider, GEOCODER_KEY="test",
                      GEOCODER_URL=stub.url, GEOCODER_RATE=rate)
    return signed_in(app)


def upload(client, data: bytes):
    """Post a file to the upload form (merge: the stored facility stays)."""
    return client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "district.csv"), "mode": "merge",
        "csrf_token": token(client, "/admin/upload")})


def follow_progress(client, progress_url: str) -> tuple[str, list[str]]:
    """Reload the progress page until it sends on to the preview: that URL, and each page seen
    meanwhile."""
    pages, deadline = [], time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        response = client.get(progress_url)
        if response.status_code == 303:
            return response.headers["Location"], pages
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
        time.sleep(0.1)
    raise AssertionError("the background check never finished")




def test_an_upload_is_checked_in_the_background_then_previewed_and_confirmed(db_path):
    with StubGeocoder("amap") as stub:
        client = console(db_path, stub)
        started = upload(client, addresses_csv(5))
        assert started.status_code == 303
        preview_url, _pages = follow_progress(client, started.headers["Location"])
        preview = client.get(preview_url)
        html = preview.get_data(as_text=True)
        assert preview.status_code == 200, html[:2000]
        assert "Placed from the address by the geocoder" in html
        assert html.count("house number or building") == 5
        sha256 = re.search(r'name="sha256" value="([0-9a-f]{64})"', html).group(1)
        done = client.post("/admin/upload/confirm", data={
            "sha256": sha256, "csrf_token": token(client, "/admin/upload")})
        assert done.status_code == 302
        # The preview and the confirm check the file again, from the cache: 5 requests in all.
        assert len(stub.requests) == 5
    assert stored(db_path, "g3")["coord_source"] == "geocoded"
    assert stored(db_path, "room-1") is not None


def test_a_provider_that_refuses_gives_errors_on_the_preview(db_path):
    with StubGeocoder("amap") as stub:
        client = console(db_path, stub)
        started = upload(client, addresses_csv(2, "配额用完"))
        preview_url, _pages = follow_progress(client, started.headers["Location"])
        preview = client.get(preview_url)
    assert preview.status_code == 422
    assert "quota" in preview.get_data(as_text=True)
    assert stored(db_path, "g1") is None


def test_a_job_whose_process_ended_is_started_again_by_the_progress_page(db_path):
    data = addresses_csv(3)
    with StubGeocoder("amap") as stub:
        client = console(db_path, stub)
        store = Store(db_path)
        try:  # as if a worker took the upload, started the job and was then restarted
            sha256 = hashlib.sha256(data).hexdigest()
            admin_id = store.admins.by_name(USER)["id"]
            uploads.keep(store, admin_id, data, sha256, "district.csv", "merge", 1)
            store.jobs.start(admin_id, sha256, time.time() - 3600)
        finally:
            store.close()
        preview_url, _pages = follow_progress(client, f"/admin/upload/{sha256}/progress")
        assert client.get(preview_url).status_code == 200
        assert len(stub.requests) == 3


@pytest.mark.slow
def test_sixty_addresses_at_one_second_each_survive_reloads_of_the_progress_page(db_path):
    with StubGeocoder("nominatim", delay_s=1.0) as stub:
        client = console(db_path, stub, rate=1)
        started = upload(client, addresses_csv(60))
        preview_url, pages = follow_progress(client, started.headers["Location"])
        html = client.get(preview_url).get_data(as_text=True)
        assert len(stub.requests) == 60
    # Each reload showed the count so far and refreshed itself; none was the preview.
    counts = [int(m.group(1)) for page in pages
              if (m := re.search(r"Placing addresses with the geocoder: (\d+) of 60", page))]
    assert counts and counts == sorted(counts) and max(counts) > 0
    assert all('http-equiv="refresh"' in page for page in pages)
    assert html.count("house number or building") == 60


def test_the_cli_import_shows_a_progress_bar_and_asks_once(db_path, tmp_path):
    path = tmp_path / "district.csv"
    path.write_bytes(addresses_csv(4))
    with StubGeocoder("tianditu") as stub:
        load(db_path, row(1))
        app = console_app(db_path, GEOCODER="tianditu", GEOCODER_KEY="test",
                          GEOCODER_URL=stub.url, GEOCODER_RATE=1000, BATCH_NICE=0)
        runner = app.test_cli_runner()
        first = runner.invoke(args=["facilities", "import", str(path), "--merge"])
        again = runner.invoke(args=["facilities", "import", str(path), "--merge", "--dry-run"])
        assert len(stub.requests) == 4
    assert first.exit_code == 0, first.output
    assert "Geocoding addresses" in first.stderr
    assert "Geocoding addresses" not in again.stderr  # all cached: nothing to wait for
    assert stored(db_path, "g4")["coord_source"] == "geocoded"
