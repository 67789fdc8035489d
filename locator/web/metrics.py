"""/metrics in Prometheus' text format, for the operator's scraper only; and the request
counters and latencies behind it.

Requests are counted by the Flask endpoint's name (never the raw path, which a client
chooses), method and status. What the database holds (dataset version, facilities by
category, visitors' reports by status) is read when /metrics is scraped, so every gunicorn
worker answers the same. Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py)
makes the counters of every worker add up in one scrape. Imports and rollbacks are timed in
locator/datasets.py.
"""

import hmac
import ipaddress
import os

from flask import Blueprint, Flask, Response, abort, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from locator.config import Settings, current_settings
from locator.core.categories import CATEGORIES
from locator.db import open_store
from locator.reports.kinds import STATUSES
from locator.store import DatabaseError, Store
from locator.web.request_log import elapsed_s, endpoint
from locator.web.warmup import WARM_UP

bp = Blueprint("metrics", __name__)
# No `…_created` series (the moment each labelled counter first counted): the multiprocess
# mode has none, so one process (`make run`) answers with the same families as gunicorn.
disable_created_metrics()

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Headers a proxy adds: with PROXY_COUNT 0 a request carrying one came through a proxy the app
# was not told about, whose own address (often 127.0.0.1) says nothing about the client.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
# Pages answer in milliseconds; an import's preview or a cold map shell can take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("locator_http_requests", "Requests answered, by Flask endpoint, method "
                   "and status", ["endpoint", "method", "status"])
LATENCY = Histogram("locator_http_request_duration_seconds", "Time from a request's arrival in "
                    "the app to its response, by Flask endpoint and status",
                    ["endpoint", "status"], buckets=LATENCY_BUCKETS)
THROTTLED = Counter("locator_throttled_requests", "Requests refused by a throttle: visitors' "
                    "reports, admin sign-ins", ["throttle"])


def throttled(which: str) -> None:
    """Count one request refused by the `which` throttle ("reports" or "login")."""
    THROTTLED.labels(which).inc()


def record(response):
    """After each request: count it and its latency, by endpoint (bounded: the app's own names)."""
    if request.environ.get(WARM_UP):
        return response
    method = request.method if request.method in METHODS else "other"
    status = str(response.status_code)
    REQUESTS.labels(endpoint(), method, status).inc()
    LATENCY.labels(endpoint(), status).observe(elapsed_s())
    return response


class DatabaseCollector:
    """The gauges read from the database at scrape time (the same in every worker)."""

    def __init__(self, store: Store):
        """Read from `store`."""
        self.store = store

    def collect(self):
        """locator_database_up, and when it is: the dataset version, facilities by category
        and visitors' reports by status, all from one snapshot."""
        try:
            with self.store.reading():
                version = self.store.versions.current_number()
                facilities = self.store.facilities.counts_by_category()
                reports = self.store.reports.counts_by_status()
        except DatabaseError:
            yield GaugeMetricFamily("locator_database_up", "1 if the database could be read "
                                    "at this scrape", value=0)
            return
        yield GaugeMetricFamily("locator_database_up", "1 if the database could be read at "
                                "this scrape", value=1)
        yield GaugeMetricFamily("locator_dataset_version", "The dataset version being served "
                                "(0 before the first import)", value=version)
        by_category = GaugeMetricFamily("locator_facilities", "Facilities in the current "
                                        "version, by category", labels=["category"])
        for category in sorted(set(CATEGORIES) | set(facilities)):
            by_category.add_metric([category], facilities.get(category, 0))
        yield by_category
        by_status = GaugeMetricFamily("locator_visitor_reports", "Visitors' reports and "
                                      "suggestions by status (new = the open queue)",
                                      labels=["status"])
        for status in sorted(set(STATUSES) | set(reports)):
            by_status.add_metric([status], reports.get(status, 0))
        yield by_status


# Where gunicorn's workers keep their counters (gunicorn.conf.py), or None: read once, as
# prometheus_client read it when imported (above) to choose where its values live.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition(store: Store) -> bytes:
    """Every metric in the text format: this process's (or every worker's) and the database's."""
    if MULTIPROCESS_DIR:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted, path=MULTIPROCESS_DIR)
    else:
        counted = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector(store))
    return generate_latest(counted) + generate_latest(database)


def bearer_matches(header: str, token: str) -> bool:
    """Whether `Authorization: Bearer …` carries `token` (compared in constant time)."""
    scheme, _, sent = header.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(sent.strip().encode("latin-1", "replace"), token.encode())


def client_allowed(address: str | None, forwarded: bool, s: Settings) -> bool:
    """Whether the client's address lies in METRICS_ALLOW. Behind PROXY_COUNT proxies it is
    the address ProxyFix took from X-Forwarded-For; with none, a forwarded request is not
    judged by the address of the proxy it came through."""
    if not address or (forwarded and s.proxy_count == 0):
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    candidates = [ip]
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 from a dual-stack socket
        candidates.append(ip.ipv4_mapped)
    return any(c in net for c in candidates for net in s.metrics_allow if c.version == net.version)


@bp.get("/metrics")
def metrics():
    """The metrics for an allowed address or the bearer token; anyone else the plain 404."""
    s = current_settings()
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    if not (bearer_matches(request.headers.get("Authorization", ""), s.metrics_token)
            or client_allowed(request.remote_addr, forwarded, s)):
        abort(404)
    response = Response(exposition(open_store()), content_type=CONTENT_TYPE_LATEST)
    response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    """Count every request, and serve /metrics."""
    app.after_request(record)
    app.register_blueprint(bp)
