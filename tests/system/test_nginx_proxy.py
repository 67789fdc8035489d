"""The production proxy example, docs/nginx.conf, run as it is (port, upstream and log paths
replaced) in front of gunicorn: requests go through, slow clients stay with nginx, its own
refusals are JSON, its log has no query."""

import http.client
import json
import os
import socket
import subprocess
import time

import pytest

from tests.processes import ROOT, Gunicorn, SlowClients, free_port

NGINX = "/usr/sbin/nginx"
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
    server = Gunicorn.on_sample(tmp, workers=1, args=("--worker-class", "sync"))
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


def get(port: int, target: str, headers: dict | None = None) -> tuple[int, bytes]:
    """Status and body of a GET through the proxy (fails after 5 s, a generous bound)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", target, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
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
