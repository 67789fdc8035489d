"""gunicorn settings for `make serve` (gunicorn reads ./gunicorn.conf.py by default).

Each setting can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import glob
import multiprocessing
import os
import shutil
import tempfile

# Prometheus' multiprocess mode (locator/web/metrics.py): every worker writes its counters to
# files in this folder, and a scrape answered by any worker sums them all. prometheus_client
# reads the variable when it is first imported, so it is set here, before the app is loaded.
# A folder of the operator's own (the variable set before gunicorn starts) is kept at exit; one
# made here is removed (the marker survives a configuration reload, which runs this again).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="locator-metrics-")
    os.environ["METRICS_DIR_MADE_BY_GUNICORN"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]

bind = os.environ.get("LOCATOR_BIND", "127.0.0.1:8000")
# Requests are short and CPU-bound (SQLite reads, geodesics, templates): about two worker
# processes per core. Each has a few threads, so that a request waiting on its client (a slow
# upload, a slow reader) or on the optional geocoder does not hold the whole process; each
# thread keeps its own SQLite connection.
workers = int(os.environ.get("LOCATOR_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("LOCATOR_THREADS", 4))
# gthread, but a connection gets a thread only once its request head has arrived whole, and a
# client that does not send one within 10 s is dropped: slow or idle clients cost a socket,
# never a thread (locator/web/gunicorn_worker.py). Sync workers gave each such client a whole
# process until the 30 s timeout.
worker_class = "locator.web.gunicorn_worker.HeadBufferingWorker"
timeout = 30            # a worker whose event loop is stuck that long is restarted
graceful_timeout = 20   # let in-flight requests finish on reload/stop
keepalive = 5
# Requests gunicorn refuses itself, before the app sees them, with a small HTML page (it has no
# hook to shape them as JSON): a request line over 4094 bytes (414), more than 100 header
# fields or one over 8190 bytes (431), and a head over 64 KiB in all (431, the worker). The
# longest URL the app makes is well under 2 KiB. docs/deploy-nginx.md sets the proxy's limits
# at or below these, so that behind it the proxy refuses first, with JSON.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Load the app once in the master and fork workers from it: a new or recycled worker is ready
# at once instead of importing everything itself (SQLite connections open lazily, after the fork).
preload_app = True
# Recycle workers now and then so that a slow leak can never build up; rarely, since each
# restart costs the new worker its warm caches (a low value shows up in tail latency).
max_requests = 200_000
max_requests_jitter = 20_000
# gunicorn's runtime control socket (gunicornc) sits at one path per user, so every gunicorn
# on the machine (each test server too) would take it over from the last; nothing uses it.
control_socket_disable = True
# No access log from gunicorn: the app writes one line per request itself
# (locator/web/request_log.py), with what gunicorn's line cannot have: the request id it returns
# in X-Request-ID, the Flask endpoint, the visitor's address behind nginx (PROXY_COUNT), the
# admin who acted, and JSON with LOCATOR_LOG_FORMAT=json. Two lines per request would double
# the volume for nothing. What only gunicorn sees (a request line or head it refused, a worker
# timeout) goes to its error log below. `--access-logfile -` turns gunicorn's on again.
accesslog = None
errorlog = "-"
# If gunicorn's access log is turned on: a visitor's position and search text are personal
# (PIPL), so its logger writes request lines and referers with only the values of harmless
# query keys (locator/web/access_log.py), e.g. "GET /nearest?lat=-&lon=-&category=bus_stop
# HTTP/1.1". The address stays (abuse handling); the user agent is left out.
logger_class = "locator.web.gunicorn_worker.PrivateAccessLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def when_ready(server):
    """Before forking the workers: warm the preloaded app, so that they start warm, and move
    everything loaded so far out of the garbage collector's sight."""
    import gc

    from locator.web.warmup import warm_up

    warm_up(server.app.wsgi())
    # A worker's full collections walked every object the master had loaded (Flask, Jinja,
    # folium, pyproj…) while the worker's requests waited. Frozen objects are skipped,
    # and no longer get their pages copied by the collector's writes after fork().
    gc.collect()
    gc.freeze()


def on_starting(server):
    """Before anything is counted: forget the counters of an earlier run in the folder."""
    for path in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(path)


def child_exit(server, worker):
    """A worker ended: drop its live gauges' files (its counters stay, so totals never fall)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """gunicorn stops: remove the counters' folder if it made it."""
    made = os.environ.get("METRICS_DIR_MADE_BY_GUNICORN")
    if made and made == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(made, ignore_errors=True)
