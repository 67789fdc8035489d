"""Requests gunicorn refuses before the app sees them: over-long request line, too many or too
long header fields, an over-long head. A clear 4xx at once, never a hang or a 500."""

import socket
import time

import pytest

from tests.processes import Gunicorn


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with the project's gunicorn.conf.py on the sample dataset."""
    server = Gunicorn.on_sample(tmp_path_factory.mktemp("limits"), workers=1)
    yield server
    server.stop()


def status_of(port: int, head: bytes) -> int:
    """The status line's code of the answer to `head` (the connection's whole input)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        received = b""
        while b"\r\n" not in received and (chunk := sock.recv(4096)):
            received += chunk
    return int(received.split(b" ", 2)[1])


def request(target: str = "/healthz", headers: list[str] = ()) -> bytes:
    """A GET request head."""
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_request_within_the_limits_is_served(server):
    assert status_of(server.port, request("/healthz?pad=" + "x" * 4000,
                                          [f"X-Field-{i}: {'v' * 600}" for i in range(95)])) == 200


def test_an_over_long_request_line_gets_414(server):
    assert status_of(server.port, request("/api/nearest?q=" + "x" * 5000)) == 414


def test_too_many_or_too_long_header_fields_get_431(server):
    assert status_of(server.port, request(headers=[f"X-Field-{i}: v" for i in range(101)])) == 431
    assert status_of(server.port, request(headers=["X-Long: " + "v" * 9000])) == 431


def test_a_head_over_64_kib_in_all_gets_431(server):
    fields = [f"X-Field-{i}: {'v' * 8000}" for i in range(9)]  # each within the field limit
    assert status_of(server.port, request(headers=fields)) == 431


def test_a_body_arriving_with_the_end_of_a_head_is_not_counted_in_the_head(server):
    head = (b"POST /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head[:20])
        time.sleep(0.3)  # the head's first piece is read alone
        sock.sendall(head[20:] + b"\r\n" + b"x" * 100_000)
        answer = sock.recv(100)
    assert answer.startswith(b"HTTP/1.1 400 ")  # the app's: no CSRF token (not 431)
