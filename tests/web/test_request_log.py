"""The app's log lines, parsed: one per request with its request id (the client's if sane,
returned in X-Request-ID), never a visitor's position or search text; JSON lines with
LOG_FORMAT=json; imports, rollbacks and admin actions with their actor."""

import io
import json
import logging
import re
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locator import create_app, datasets
from locator.store import Store
from locator.web.access_log import KEPT_QUERY_KEYS
from locator.web.request_log import LineFormatter
from tests.admin_support import console_app, login, make_admin, signed_in, token
from tests.factories import csv_bytes, load, row

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def make_app(db_path, **config):
    """The app on `db_path` (migrated) with `config` on top."""
    store = Store(db_path)
    store.migrate()
    store.close()
    return create_app({"TESTING": True, "DATABASE": db_path, "BATCH_NICE": 0, **config})


def lines(capsys) -> list[str]:
    """The app's log lines written to stderr since the last call."""
    return [line for line in capsys.readouterr().err.splitlines()
            if re.match(r"\S+ [A-Z]+ locator[. ]", line) or line.startswith("{")]


def fields(line: str) -> dict:
    """A text line's key=value fields (values JSON-quoted when not plain)."""
    found = {}
    for key, quoted, bare in re.findall(r' (\w+)=(?:("(?:[^"\\]|\\.)*")|(\S*))', line):
        found[key] = json.loads(quoted) if quoted else bare
    return found


def request_lines(capsys) -> list[dict]:
    """The fields of each request line since the last call."""
    return [fields(line) for line in lines(capsys) if " locator.requests request " in line]


def test_one_line_per_request_with_what_an_operator_needs(db_path, capsys):
    load(db_path, row(1))
    client = make_app(db_path).test_client()
    capsys.readouterr()
    response = client.get("/facilities/room-1?lang=en", environ_base={"REMOTE_ADDR": "192.0.2.4"})
    [line] = request_lines(capsys)
    assert line["method"] == "GET" and line["path"] == "/facilities/room-1?lang=en"
    assert line["status"] == "200" and line["endpoint"] == "views.facility"
    assert line["address"] == "192.0.2.4" and float(line["duration_ms"]) >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(line["request_id"])


@pytest.mark.parametrize("sent", ["abc", "req-2026.11.30_0001", "A" * 64,
                                  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"])
def test_a_sane_request_id_is_reused_and_returned(client, capsys, sent):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    assert response.headers["X-Request-ID"] == sent
    assert [line["request_id"] for line in request_lines(capsys)] == [sent]


@pytest.mark.parametrize("sent", ["", "A" * 65, "has space", "quote\"d", "semi;colon",
                                  "new\\nline", "中文", "a/b", "x=1"])
def test_any_other_request_id_is_replaced(client, capsys, sent):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    returned = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(returned) and returned != sent
    assert [line["request_id"] for line in request_lines(capsys)] == [returned]


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_refused_and_failing_requests_are_logged_too(db_path, capsys):
    app = make_app(db_path, TRUSTED_HOSTS=["locator.example"])

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", "broken", broken)
    client = app.test_client()
    capsys.readouterr()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "locator.example"}).status_code == 503
    assert client.get("/broken", headers={"Host": "locator.example"}).status_code == 500
    written = lines(capsys)
    assert [(line["status"], line["endpoint"]) for line in map(fields, written)
            if "request_id" in line] == [
        ("400", "unmatched"), ("503", "health.healthz"), ("500", "broken")]
    [error] = [line for line in written if " ERROR locator " in line]
    assert "RuntimeError: a bug" in fields(error)["error"]  # the traceback, on the same line


def test_json_lines(db_path, capsys):
    load(db_path, row(1))
    client = make_app(db_path, LOG_FORMAT="json").test_client()
    capsys.readouterr()
    response = client.get("/nearest?lat=22.5312&lon=113.0871&category=nursing_room",
                          headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 200
    [line] = [json.loads(text) for text in capsys.readouterr().err.splitlines()
              if text.startswith("{")]
    assert line["logger"] == "locator.requests" and line["message"] == "request"
    assert (line["request_id"], line["method"], line["status"]) == ("trace-42", "GET", 200)
    assert line["path"] == "/nearest?lat=-&lon=-&category=nursing_room"
    assert line["endpoint"] == "views.nearest" and isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00") and isinstance(line["pid"], int)


def test_a_control_character_in_the_path_cannot_forge_a_line(client, capsys):
    capsys.readouterr()
    client.get("/x%0A2026-11-30 INFO locator.requests request status=200%20path=/admin")
    written = lines(capsys)
    assert len(written) == 1
    assert fields(written[0])["path"] == "/x\n2026-11-30 INFO locator.requests request " \
                                         "status=200 path=/admin"


# -- never a position or search text ----------------------------------------------------------

class Collected(logging.Handler):
    """The request lines, formatted as configured, kept in a list."""

    def __init__(self, log_format: str):
        """An empty list, formatting as `log_format`."""
        super().__init__()
        self.setFormatter(LineFormatter(log_format))
        self.lines: list[str] = []

    def emit(self, record):
        """Keep the formatted line."""
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def log_client(tmp_path_factory):
    """A client on a one-facility database, and the request lines it makes (module-wide:
    hypothesis runs many examples on one app)."""
    db_path = str(tmp_path_factory.mktemp("log") / "locator.sqlite")
    load(db_path, row(1))
    client = make_app(db_path).test_client()
    handler = Collected("text")
    logger = logging.getLogger("locator.requests")
    logger.addHandler(handler)
    yield client, handler
    logger.removeHandler(handler)


COORDINATE = st.floats(min_value=-180, max_value=180, allow_nan=False).map(lambda v: f"{v:.5f}")
SEARCH = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=4,
                 max_size=20).filter(lambda t: t.strip() and t.strip() != "-")
PERSONAL_KEYS = st.one_of(st.sampled_from(["lat", "lon", "q", "from", "bbox", "near", "to",
                                           "x", "origin"]),
                          st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
                          ).filter(lambda k: k not in KEPT_QUERY_KEYS)
PATHS = st.sampled_from(["/nearest", "/api/nearest", "/facilities/room-1", "/map", "/",
                         "/api/facilities", "/no-such-page", "/metrics"])


@given(path=PATHS,
       personal=st.lists(st.tuples(PERSONAL_KEYS, st.one_of(COORDINATE, SEARCH,
                                                            st.tuples(COORDINATE, COORDINATE)
                                                            .map(",".join))),
                         min_size=1, max_size=4),
       kept=st.lists(st.tuples(st.sampled_from(sorted(KEPT_QUERY_KEYS)),
                               st.sampled_from(["bus_stop", "en", "2", "changing_table"])),
                     max_size=3),
       order=st.randoms(use_true_random=False))
def test_no_logged_line_ever_holds_a_position_or_search_text(log_client, path, personal, kept,
                                                            order):
    client, handler = log_client
    pairs = personal + kept
    order.shuffle(pairs)
    query = urllib.parse.urlencode(pairs)
    handler.lines.clear()
    client.get(f"{path}?{query}")
    [line] = handler.lines
    logged_path, _, logged_query = fields(line)["path"].partition("?")
    assert logged_path == path  # the rest of the line is the app's own words
    # Every value of a key that is not a harmless choice is "-", whatever it was...
    assert all(value == "-" for key, value in urllib.parse.parse_qsl(logged_query)
               if key not in KEPT_QUERY_KEYS), (query, line)
    # ...and no coordinate (always with a point and 5 decimals) is anywhere in it, raw or encoded.
    for _key, secret in personal:
        if re.fullmatch(r"[-\d.,]+", secret):
            for part in (secret, urllib.parse.quote_plus(secret), urllib.parse.quote(secret)):
                assert part not in logged_query, (query, line)


# -- actions and their actors -----------------------------------------------------------------

def action_lines(capsys) -> list[tuple[str, dict]]:
    """(action, fields) of each locator.actions line since the last call."""
    found = []
    for line in lines(capsys):
        match = re.search(r" locator\.actions (\S+)", line)
        if match:
            found.append((match[1], fields(line)))
    return found


def test_console_imports_rollbacks_and_sign_ins_are_logged_with_the_actor(db_path, capsys):
    make_admin(db_path)
    load(db_path, row(1))
    client = signed_in(console_app(db_path))
    data = {"file": (io.BytesIO(csv_bytes(row(1), row(2))), "two.csv"), "mode": "replace",
            "csrf_token": token(client, "/admin/upload")}
    preview = client.post("/admin/upload", data=data, content_type="multipart/form-data")
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', preview.get_data(as_text=True))[1]
    capsys.readouterr()
    confirmed = client.post("/admin/upload/confirm", data={
        "sha256": sha, "csrf_token": token(client, "/admin/upload")})
    assert confirmed.status_code == 302, confirmed.status_code
    rolled = client.post("/admin/history/1/rollback",
                         data={"csrf_token": token(client, "/admin/history/1/rollback")})
    assert rolled.status_code == 302
    actions = action_lines(capsys)
    assert [(name, f["actor"], f["version"]) for name, f in actions] == [
        ("import", "alice", "2"), ("rollback", "alice", "3")]
    assert actions[0][1]["filename"] == "two.csv" and actions[0][1]["added"] == "1"
    assert actions[1][1]["restored_from"] == "1"


def test_console_requests_name_the_admin(db_path, capsys):
    make_admin(db_path)
    client = signed_in(console_app(db_path))
    capsys.readouterr()
    client.get("/admin/history")
    assert [line.get("actor") for line in request_lines(capsys)] == ["alice"]


def test_sign_ins_and_failures_are_logged(db_path, capsys):
    make_admin(db_path)
    app = console_app(db_path)
    capsys.readouterr()
    signed_in(app)
    login(app.test_client(), password="not the password at all")
    assert [(name, f["actor"]) for name, f in action_lines(capsys)] == [
        ("login", "alice"), ("login_failed", "alice")]


def test_a_cli_import_is_logged_with_its_actor(db_path, runner, tmp_path):
    path = tmp_path / "one.csv"
    path.write_bytes(csv_bytes(row(1)))
    result = runner.invoke(args=["facilities", "import", str(path)])
    assert result.exit_code == 0, result.output
    # The command's own stderr (the runner stands in for it), beside its messages.
    [line] = [text for text in result.stderr.splitlines() if " locator.actions " in text]
    name, logged = line.split()[3], fields(line)
    assert name == "import" and logged["actor"].startswith("cli")
    assert logged["version"] == "1" and logged["filename"] == "one.csv"


def test_a_direct_rollback_is_logged(db_path, capsys):
    make_app(db_path)  # configures the log (as create_app does before any command)
    load(db_path, row(1))
    load(db_path, row(2))
    store = Store(db_path)
    try:
        capsys.readouterr()
        datasets.rollback(store, 1, actor="ops")
    finally:
        store.close()
    [(name, logged)] = action_lines(capsys)
    assert (name, logged["actor"], logged["version"]) == ("rollback", "ops", "3")
