"""Slow and idle clients against gunicorn run as `make serve` runs it: they cost a socket each,
never a worker or a thread, and /healthz keeps answering (issue 10, item 3)."""

import http.client
import socket
import time

import pytest

from locator.web.gunicorn_worker import HEADER_TIMEOUT_S
from tests.processes import Gunicorn, SlowClients

SLOW_CLIENTS = 8
HEALTHZ_BOUND_S = 5  # generous: ~10 ms when nothing is wrong; sync workers made it > 30 s


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with the project's gunicorn.conf.py (2 workers) on the sample dataset."""
    server = Gunicorn.on_sample(tmp_path_factory.mktemp("serving"), workers=2)
    yield server
    server.stop()


def healthz_seconds(port: int) -> float:
    """How long GET /healthz takes on a fresh connection (fails past HEALTHZ_BOUND_S)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HEALTHZ_BOUND_S)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    finally:
        conn.close()
    return time.monotonic() - started


def test_healthz_answers_while_slow_clients_trickle_their_headers(server):
    with SlowClients(server.port, SLOW_CLIENTS) as clients:
        time.sleep(0.5)  # all of them connected and sending before we ask
        for _ in range(5):
            assert healthz_seconds(server.port) < HEALTHZ_BOUND_S
        assert clients.dropped == 0  # still connected: the answers did not wait for them


def test_a_client_that_never_finishes_its_head_is_dropped(server):
    with SlowClients(server.port, 2, interval=1) as clients:
        deadline = time.monotonic() + HEADER_TIMEOUT_S + 20  # generous
        while clients.dropped < 2:
            assert time.monotonic() < deadline, "a trickling client was never dropped"
            time.sleep(0.5)
    assert healthz_seconds(server.port) < HEALTHZ_BOUND_S


def raw_exchange(port: int, *pieces: bytes, pause: float = 0.3) -> bytes:
    """Send `pieces` with a pause between them; everything the server answers until it
    closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(pause)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_a_head_sent_in_pieces_and_a_body_sent_after_it_are_served(server):
    answer = raw_exchange(server.port, b"GET /healthz HT", b"TP/1.1\r\nHost: x\r\n",
                          b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    # A body arriving after the head is read by the thread serving the request.
    head = (b"POST /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 19\r\n\r\n")
    answer = raw_exchange(server.port, head, b"username=a&pass=b\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")  # no CSRF token: the app's own answer


def test_kept_alive_connections_serve_several_requests(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in ("/healthz", "/api/categories", "/healthz"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status == 200 and not response.will_close
    finally:
        conn.close()
    # Two requests sent at once (pipelined): both answered, in order.
    answer = raw_exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                          b"GET /api/categories HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200 ") == 2


def test_healthz_answers_while_clients_hold_threads_with_bodies_they_never_send(server):
    # Six of the eight threads (2 workers × 4) wait on a body: a worker whose threads are all
    # busy leaves new connections to the other one.
    head = (b"POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nusername=")
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(6)]
    try:
        for sock in idle:
            sock.sendall(head)
        time.sleep(0.5)
        for _ in range(5):
            assert healthz_seconds(server.port) < HEALTHZ_BOUND_S
        # Each thread gives up on its client after CLIENT_IO_TIMEOUT_S, with an answer.
        for sock in idle:
            assert sock.recv(100).startswith(b"HTTP/1.1 400 ")
    finally:
        for sock in idle:
            sock.close()
