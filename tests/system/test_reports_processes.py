"""Reports in real processes: gunicorn takes them over HTTP (a chunked body too), the CLI run as
a child lists and accepts them, and the running server then answers with the new data."""

import http.client
import json
import urllib.error
import urllib.request

from tests.processes import Gunicorn, run_cli


def post_json(url: str, payload: dict) -> tuple[int, dict]:
    """POST `payload` as JSON; the status and the JSON answer."""
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def post_chunked(port: int, path: str, body: bytes) -> int:
    """POST `body` with Transfer-Encoding: chunked (no Content-Length); the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body=iter([body[:10], body[10:]]),
                           headers={"Content-Type": "application/json"},
                           encode_chunked=True)
        return connection.getresponse().status
    finally:
        connection.close()


def get_json(url: str) -> tuple[int, dict]:
    """GET; the status and the JSON answer."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_a_report_over_http_accepted_by_the_cli_changes_what_the_server_answers(tmp_path):
    server = Gunicorn.on_sample(tmp_path)
    db_path = str(tmp_path / "locator.sqlite")
    try:
        reports = f"{server.url}/api/facilities/jingtang-library/reports"
        status, answer = post_json(reports, {"kind": "wrong_hours",
                                             "opening_hours": "周二至周日 9:00-17:00"})
        assert (status, answer["status"]) == (201, "new")
        big = json.dumps({"kind": "other", "note": "x" * 9000}).encode()
        assert post_chunked(server.port, "/api/facilities/jingtang-library/reports", big) == 413
        small = json.dumps({"kind": "all_good"}).encode()
        assert post_chunked(server.port, "/api/facilities/jingtang-library/reports", small) == 201

        listed = run_cli(db_path, "reports", "list").splitlines()
        assert [line.split()[:3] for line in listed] == [
            ["2", "new", "all_good"], ["1", "new", "wrong_hours"]]
        assert "version 2" in run_cli(db_path, "reports", "accept", str(answer["id"]))

        _, feature = get_json(f"{server.url}/api/facilities/jingtang-library")
        assert feature["properties"]["opening_hours"] == "Tu-Su 09:00-17:00"
        assert run_cli(db_path, "reports", "list", "--status", "accepted").startswith("    1  ")
    finally:
        server.stop()
