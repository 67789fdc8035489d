"""/metrics: Prometheus' text format, parsed with prometheus_client's own parser; open only to
METRICS_ALLOW's addresses (after ProxyFix) or the bearer token, a plain 404 for anyone else."""

import os
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from locator import create_app, datasets
from locator.reports.kinds import STATUSES
from locator.store import Store
from locator.web.warmup import warm_up
from tests.admin_support import english, login, make_admin
from tests.factories import load, row
from tests.processes import ROOT

# The database gauges are read through the store's contract: both engines.
pytestmark = pytest.mark.engines

TOKEN = "s3cret-token-for-the-scraper-0123"
OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def make_app(db_path, **config):
    """The app on `db_path` (migrated) with `config` on top."""
    store = Store(db_path)
    store.migrate()
    store.close()
    return create_app({"TESTING": True, "DATABASE": db_path, "BATCH_NICE": 0, **config})


def scrape(client, **kw) -> dict[str, list]:
    """GET /metrics (it must answer 200), parsed: metric family name → its samples."""
    response = client.get("/metrics", **kw)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return {family.name: family.samples for family in families}


def value(samples: list, name: str, **labels) -> float:
    """The value of the sample `name` whose labels include `labels` (0 if there is none)."""
    return sum(s.value for s in samples if s.name == name
               and all(s.labels.get(k) == v for k, v in labels.items()))


def test_the_database_gauges_are_read_at_scrape_time(db_path):
    load(db_path, row(1), row(2), row(3, category="bus_stop"))
    client = make_app(db_path).test_client()
    families = scrape(client)
    assert value(families["locator_database_up"], "locator_database_up") == 1
    assert value(families["locator_dataset_version"], "locator_dataset_version") == 1
    facilities = families["locator_facilities"]
    assert value(facilities, "locator_facilities", category="nursing_room") == 2
    assert value(facilities, "locator_facilities", category="bus_stop") == 1
    assert value(facilities, "locator_facilities", category="landmark") == 0  # none, still shown
    load(db_path, row(4, category="bus_stop"), merge=True)  # another process's import
    families = scrape(client)
    assert value(families["locator_dataset_version"], "locator_dataset_version") == 2
    assert value(families["locator_facilities"], "locator_facilities", category="bus_stop") == 2


def test_requests_are_counted_by_endpoint_never_by_path(db_path):
    load(db_path, row(1))
    client = make_app(db_path).test_client()
    before = scrape(client)
    for n in range(3):
        assert client.get(f"/facilities/room-1?lang=en&x={n}").status_code == 200
    assert client.get("/no/such/page/22.53,113.08").status_code == 404
    after = scrape(client)
    counted = after["locator_http_requests"]
    assert not any("22.53" in str(s.labels) or "/facilities" in str(s.labels) for s in counted)

    def delta(**labels):
        return (value(counted, "locator_http_requests_total", **labels)
                - value(before["locator_http_requests"], "locator_http_requests_total", **labels))

    assert delta(endpoint="views.facility", method="GET", status="200") == 3
    assert delta(endpoint="unmatched", status="404") == 1
    latency = after["locator_http_request_duration_seconds"]
    assert value(latency, "locator_http_request_duration_seconds_count",
                 endpoint="views.facility", status="200") >= 3


def test_visitor_reports_by_status_and_the_reports_throttle(db_path):
    load(db_path, row(1))
    client = make_app(db_path, REPORTS_PER_CLIENT=1).test_client()
    before = scrape(client)["locator_throttled_requests"]
    report = "/api/facilities/room-1/reports"
    assert client.post(report, json={"kind": "dirty"}).status_code == 201
    assert client.post(report, json={"kind": "dirty"}).status_code == 429
    families = scrape(client)
    reports = families["locator_visitor_reports"]
    assert value(reports, "locator_visitor_reports", status="new") == 1
    assert {s.labels["status"] for s in reports} == set(STATUSES)
    throttled = families["locator_throttled_requests"]
    assert (value(throttled, "locator_throttled_requests_total", throttle="reports")
            - value(before, "locator_throttled_requests_total", throttle="reports")) == 1


def test_the_login_throttle_is_counted(db_path):
    make_admin(db_path)
    client = english(make_app(db_path, ADMIN_LOGIN_MAX_FAILURES=1).test_client())
    before = value(scrape(client)["locator_throttled_requests"],
                   "locator_throttled_requests_total", throttle="login")
    assert login(client, password="wrong password, twice over").status_code == 401
    assert login(client, password="wrong password, twice over").status_code == 429
    after = value(scrape(client)["locator_throttled_requests"],
                  "locator_throttled_requests_total", throttle="login")
    assert after - before == 1


def test_imports_and_rollbacks_are_timed(db_path):
    client = make_app(db_path).test_client()

    def counts():
        families = scrape(client)
        return (value(families["locator_import_duration_seconds"],
                      "locator_import_duration_seconds_count", kind="import"),
                value(families["locator_rollback_duration_seconds"],
                      "locator_rollback_duration_seconds_count"))

    imports, rollbacks = counts()
    load(db_path, row(1))
    load(db_path, row(2))
    store = Store(db_path)
    try:
        datasets.rollback(store, 1, actor="test")
    finally:
        store.close()
    assert counts() == (imports + 2, rollbacks + 1)


def test_a_missing_database_is_a_gauge_not_an_error(tmp_path):
    client = create_app({"TESTING": True, "DATABASE": str(tmp_path / "gone" / "locator.sqlite")}
                        ).test_client()
    families = scrape(client)
    assert value(families["locator_database_up"], "locator_database_up") == 0
    assert "locator_dataset_version" not in families


# -- who may scrape ----------------------------------------------------------------------------

def test_an_address_outside_the_allowed_networks_gets_the_ordinary_404(db_path):
    client = english(make_app(db_path).test_client())
    refused = client.get("/metrics", environ_base=OUTSIDE)
    unknown = client.get("/no-such-page", environ_base=OUTSIDE)
    assert refused.status_code == unknown.status_code == 404
    assert refused.mimetype == "text/html"
    assert refused.get_data() == unknown.get_data()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}
                      ).status_code == 200


def test_the_bearer_token_admits_any_address(db_path):
    client = make_app(db_path, METRICS_TOKEN=TOKEN).test_client()
    ok = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and b"locator_dataset_version" in ok.data
    for wrong in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer "):
        response = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": wrong})
        assert response.status_code == 404, wrong


def test_without_a_token_configured_no_bearer_is_accepted(db_path):
    client = make_app(db_path).test_client()
    response = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer "})
    assert response.status_code == 404


def test_the_allowed_networks_are_configurable(db_path):
    client = make_app(db_path, METRICS_ALLOW="10.0.0.0/8, 2001:db8::/32").test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "2001:db8::5"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is no longer in the list


@pytest.mark.parametrize(("proxies", "peer", "forwarded_for", "status"), [
    # Behind nginx (PROXY_COUNT=1) the address is the one nginx saw, not nginx's own.
    (1, "127.0.0.1", "203.0.113.7", 404),
    (1, "127.0.0.1", "127.0.0.1", 200),
    (1, "127.0.0.1", "127.0.0.1, 203.0.113.7", 404),  # only the last, nginx's, entry counts
    # Without proxies a client's own X-Forwarded-For is its word only, never believed...
    (0, "203.0.113.7", "127.0.0.1", 404),
    # ...and a forwarded request from 127.0.0.1 came through a proxy the app was not told of,
    # whose address says nothing about the client.
    (0, "127.0.0.1", "203.0.113.7", 404),
    (0, "127.0.0.1", None, 200),
])
def test_behind_a_proxy_the_forwarded_address_is_judged(db_path, proxies, peer, forwarded_for,
                                                         status):
    client = make_app(db_path, PROXY_COUNT=proxies).test_client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": peer}, headers=headers)
    assert response.status_code == status


def test_the_warm_up_is_neither_counted_nor_logged(db_path, capsys):
    load(db_path, row(1))
    app = make_app(db_path)
    client = app.test_client()
    before = scrape(client)["locator_http_requests"]
    capsys.readouterr()
    warm_up(app)
    assert " locator.requests " not in capsys.readouterr().err
    after = scrape(client)["locator_http_requests"]
    scrapes = {"endpoint": "metrics.metrics"}
    assert (value(after, "locator_http_requests_total")
            - value(after, "locator_http_requests_total", **scrapes)) == (
        value(before, "locator_http_requests_total")
        - value(before, "locator_http_requests_total", **scrapes))


def test_the_operators_doc_names_exactly_the_metrics_there_are(db_path):
    load(db_path, row(1))
    client = make_app(db_path).test_client()
    client.get("/healthz")
    with open(os.path.join(ROOT, "docs", "operations-monitoring.md"), encoding="utf-8") as fh:
        doc = fh.read()
    named = {re.sub(r"_(total|bucket|count|sum)$", "", name)
             for name in re.findall(r"\blocator_[a-z_]+", doc)}
    served = {name for name in scrape(client) if name.startswith("locator_")}
    assert named == served
