"""gunicorn's threaded worker, made safe from slow clients: a connection gets a thread only once
its whole request head has arrived (`worker_class` in gunicorn.conf.py); and its logger, with
no visitor's position in the access log (`logger_class`). Loaded by gunicorn only."""

import selectors
import time
from collections import deque
from functools import partial

from gunicorn import glogging, util
from gunicorn.workers.gthread import ThreadWorker

from locator.web.access_log import private_query, private_target

# A request head normally arrives in one packet; a client that takes longer than this to send
# it (or to start sending, on a new or kept-alive connection) is slow or idle: it is dropped.
HEADER_TIMEOUT_S = 10
# Longest a thread waits on one read or write of a client (request body, response).
CLIENT_IO_TIMEOUT_S = 10
# Longest request head accepted, in total (nginx's default allows 33 KiB): a longer one is
# refused with 431, as gunicorn refuses a line or field over its own limits.
HEAD_BUFFER_LIMIT = 64 * 1024
# Either ends a head for our purpose: the parser refuses any bare LF at once.
HEAD_ENDS = (b"\r\n\r\n", b"\n\n")


def head_length(buffered: bytes | bytearray) -> int | None:
    """The length of the request head at the start of `buffered`, None if it is not whole."""
    ends = [at + len(end) for end in HEAD_ENDS if (at := buffered.find(end)) >= 0]
    return min(ends, default=None)


class HeadBufferingWorker(ThreadWorker):
    """gthread, except that request heads are read by the worker's event loop.

    gunicorn 27's gthread worker hands a connection to a thread as soon as its first byte
    arrives, and the thread then blocks reading the head: a client trickling header lines
    holds a thread for as long as it likes, and a worker whose threads are all held still
    accepts connections, which then wait behind them. Here the event loop collects the head
    without blocking (dropping the client after HEADER_TIMEOUT_S), a thread only ever gets a
    complete head, and a worker with no idle thread stops accepting so that another worker
    takes the connection.
    """

    def __init__(self, *args, **kwargs):
        """Start with no head being read and no thread busy."""
        super().__init__(*args, **kwargs)
        self.reading_heads: deque = deque()  # by head deadline, earliest first
        self.busy_threads = 0

    def enqueue_req(self, conn) -> None:
        """Give the connection to a thread if its head is here whole, else read it first."""
        if self.cfg.is_ssl:  # the TLS handshake happens in the thread: leave it to gthread
            self.start_thread(conn)
            return
        buffered = bytes(getattr(conn, "head", None) or b"")
        if conn.parser is not None:  # kept alive: what the last request's reads took ahead
            buffered += conn.parser.unreader.take_buffered()
        conn.head = buffered
        if head_length(buffered) is None:
            self.await_head(conn)
        else:
            self.start_thread(conn)

    def start_thread(self, conn) -> None:
        """Submit the connection to the thread pool; stop accepting once no thread is idle."""
        self.busy_threads += 1
        if self.busy_threads >= self.cfg.threads:
            self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def await_head(self, conn) -> None:
        """Watch the connection until its head is complete or its deadline passes."""
        conn.head = bytearray(conn.head)
        conn.head_deadline = time.monotonic() + HEADER_TIMEOUT_S
        conn.sock.setblocking(False)
        self.reading_heads.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.read_head, conn))

    def read_head(self, conn, _sock) -> None:
        """Take what the client sent; hand the connection over once the head is complete."""
        try:
            received = conn.sock.recv(HEAD_BUFFER_LIMIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            received = b""
        if not received:  # closed or reset by the client
            self.drop_head(conn)
            return
        conn.head += received
        length = head_length(conn.head)  # what follows the head (a body) is the thread's to read
        if (length or len(conn.head)) > HEAD_BUFFER_LIMIT:
            self.refuse_head(conn)
        elif length is not None:
            self.poller.unregister(conn.sock)
            self.reading_heads.remove(conn)
            self.start_thread(conn)

    def refuse_head(self, conn) -> None:
        """Answer an over-long head with gunicorn's own 431, then close the connection."""
        self.log.warning("Invalid request from ip=%s: request head over %d bytes",
                         conn.client[0] if isinstance(conn.client, tuple) else conn.client,
                         HEAD_BUFFER_LIMIT)
        try:
            util.write_error(conn.sock, 431, "Request Header Fields Too Large", "")
        except OSError:
            pass  # the client is gone, or not reading: closing is all that is left
        self.drop_head(conn)

    def drop_head(self, conn) -> None:
        """Close a connection whose head did not come."""
        self.poller.unregister(conn.sock)
        self.reading_heads.remove(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Also drop the clients past their head deadline (run() calls this every second)."""
        super().murder_pending()
        now = time.monotonic()
        while self.reading_heads and self.reading_heads[0].head_deadline <= now:
            self.drop_head(self.reading_heads[0])

    def handle(self, conn):
        """In a thread: put the buffered head before the parser, then serve as gthread does."""
        if getattr(conn, "head", None) is not None and not self.cfg.is_ssl:
            conn.data_ready = True  # skips gthread's own wait for a first byte
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(bytes(conn.head))
            conn.head = None
        return super().handle(conn)

    def handle_request(self, req, conn):
        """Bound each wait on the client's body and on its reading of the response."""
        conn.sock.settimeout(CLIENT_IO_TIMEOUT_S)
        return super().handle_request(req, conn)

    def finish_request(self, conn, fs) -> None:
        """A thread is free again."""
        self.busy_threads -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled: bool) -> None:
        """Accept only with a thread idle: otherwise the kernel keeps the connection for
        another worker (or for this one, once a thread is free). run() calls this again
        whenever it finds accepting off with room for connections."""
        super().set_accept_enabled(enabled and self.busy_threads < self.cfg.threads)


class PrivateAccessLogger(glogging.Logger):
    """gunicorn's logger, with request targets and referers made private in the access log
    (`logger_class` in gunicorn.conf.py), whatever access_log_format asks for."""

    def atoms(self, resp, req, environ, request_time):
        """gunicorn's atoms, computed from a private copy of the request."""
        private = dict(environ)
        for key in ("RAW_URI", "REQUEST_URI", "HTTP_REFERER"):
            if key in private:
                private[key] = private_target(private[key])
        private["QUERY_STRING"] = private_query(environ.get("QUERY_STRING", ""))
        headers = req.headers if hasattr(req, "headers") else req
        if hasattr(headers, "items"):
            headers = headers.items()
        headers = [(name, private_target(value) if name.lower() == "referer" else value)
                   for name, value in headers or ()]
        return super().atoms(resp, headers, private, request_time)
