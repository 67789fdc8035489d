"""The production proxy example, docs/nginx.conf, run as it is (port, upstream and log paths
replaced) in front of gunicorn: requests go through, slow clients stay with nginx, its own
refusals are JSON, its log has no query."""

import http.client
import json
import os
import re
import socket
import subprocess
import time

import pytest

from tests.processes import ROOT, Gunicorn, SlowClients, free_port

NGINX = "/usr/sbin/nginx"
TOKEN = "scraper-token-0123456789abcdef"
ELSEWHERE = "127.0.0.2"  # a visitor's address that is not METRICS_ALLOW's 127.0.0.1
pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK),
                                reason="needs nginx: apt-get install nginx")

MAIN_CONF = """daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/main.error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/locator.conf;
}}
"""


def replace_once(text: str, old: str, new: str, count: int = 1) -> str:
    """`text` with `old` (found exactly `count` times) replaced by `new`."""
    assert text.count(old) == count, old
    return text.replace(old, new)


def site_conf(port: int, upstream_port: int, log_dir: str) -> str:
    """docs/nginx.conf listening on 127.0.0.1:port, proxying to gunicorn on upstream_port."""
    with open(os.path.join(ROOT, "docs", "nginx.conf"), encoding="utf-8") as fh:
        conf = fh.read()
    conf = replace_once(conf, "listen 80;", f"listen 127.0.0.1:{port};")
    conf = replace_once(conf, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    return replace_once(conf, "/var/log/nginx/", f"{log_dir}/", count=2)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """nginx on a free port in front of gunicorn with ONE SYNC worker: a slow client reaching
    gunicorn would stall it, so a prompt answer shows that nginx holds them."""
    tmp = tmp_path_factory.mktemp("nginx")
    # As docs/nginx.conf says to run it: the app takes the visitor's address from nginx.
    server = Gunicorn.on_sample(tmp, workers=1, args=("--worker-class", "sync"),
                                stderr=str(tmp / "app.log"),
                                env={"LOCATOR_PROXY_COUNT": "1", "LOCATOR_METRICS_TOKEN": TOKEN})
    port = free_port()
    (tmp / "locator.conf").write_text(site_conf(port, server.port, str(tmp)))
    (tmp / "main.conf").write_text(MAIN_CONF.format(tmp=tmp))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "main.conf"),
                              "-e", str(tmp / "main.error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, nginx)
        yield port, tmp
    finally:
        nginx.terminate()
        nginx.wait(20)
        server.stop()


def _wait_for_port(port: int, proc: subprocess.Popen) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)


def get(port: int, target: str, headers: dict | None = None,
        source: str = "127.0.0.1") -> tuple[int, bytes]:
    """Status and body of a GET through the proxy (fails after 5 s, a generous bound), from
    the `source` address (any of 127.0.0.0/8 reaches the loopback)."""
    status, _, body = request(port, target, headers, source)
    return status, body


def request(port: int, target: str, headers: dict | None = None,
            source: str = "127.0.0.1") -> tuple[int, dict, bytes]:
    """Status, headers and body of a GET from `source` (see get)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    try:
        conn.request("GET", target, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_requests_go_through_and_the_log_has_no_query(proxy):
    port, tmp = proxy
    status, body = get(port, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert get(port, "/nearest?lat=22.5312&lon=113.0871&q=secret")[0] == 200
    log = logged(tmp / "locator.access.log", '"GET /nearest HTTP/1.1" 200')
    assert "22.53" not in log and "secret" not in log


def logged(path, line: str, patience_s: float = 10) -> str:
    """The log once it holds `line`: nginx writes a request's line after sending the answer,
    so on a busy machine the client can read the answer first (a guard, not a measure)."""
    deadline = time.monotonic() + patience_s
    while True:
        log = path.read_text()
        if line in log or time.monotonic() > deadline:
            assert line in log, log
            return log
        time.sleep(0.05)


def test_slow_clients_are_held_by_nginx(proxy):
    port, _ = proxy
    with SlowClients(port, 8) as clients:
        time.sleep(0.5)
        for _ in range(5):
            started = time.monotonic()
            assert get(port, "/healthz")[0] == 200
            assert time.monotonic() - started < 5
        assert clients.dropped == 0


@pytest.mark.parametrize("target, headers, status", [
    ("/api/nearest?q=" + "x" * 5000, {}, 414),
    ("/healthz", {"X-Long": "v" * 5000}, 431),
])
def test_requests_over_the_limits_get_json_errors(proxy, target, headers, status):
    port, _ = proxy
    answer_status, body = get(port, target, headers)
    assert answer_status == status
    assert json.loads(body)["error"]["status"] == status


def test_metrics_through_nginx_judge_the_visitors_address(proxy):
    port, _ = proxy
    assert get(port, "/metrics")[0] == 200  # from 127.0.0.1, as nginx forwarded it
    status, body = get(port, "/metrics", source=ELSEWHERE)
    assert status == 404 and b"locator_" not in body
    # A visitor cannot claim to be local: nginx replaces X-Forwarded-For.
    assert get(port, "/metrics", {"X-Forwarded-For": "127.0.0.1"}, source=ELSEWHERE)[0] == 404
    status, body = get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"}, source=ELSEWHERE)
    assert status == 200 and b"locator_dataset_version 1.0" in body


def test_nginx_and_the_app_log_one_request_id(proxy):
    port, tmp = proxy
    status, headers, _ = request(port, "/healthz?lat=22.5312", source=ELSEWHERE)
    assert status == 200
    rid = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)  # nginx's $request_id, returned by the app
    nginx_log = logged(tmp / "locator.access.log", rid)
    [line] = [text for text in nginx_log.splitlines() if rid in text]
    assert '"GET /healthz HTTP/1.1" 200' in line
    app_log = logged(tmp / "app.log", f"request_id={rid}")
    [line] = [text for text in app_log.splitlines() if f"request_id={rid}" in text]
    assert f"address={ELSEWHERE}" in line and 'path="/healthz?lat=-"' in line
