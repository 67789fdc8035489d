"""Admin console access: the login guard on every route, CSRF, sessions, the throttle, accounts."""

import io
import os
import stat
import time

import pytest

from locator.admin import accounts
from locator.store import Store
from tests.admin_support import (
    PASSWORD,
    USER,
    console_app,
    dataset,
    english,
    login,
    make_admin,
    signed_in,
    text,
    token,
)
from tests.factories import csv_bytes, load, row

pytestmark = pytest.mark.engines

# Every admin route and method but the login form itself, with a request body for POSTs.
ROUTES = [
    ("GET", "/admin/", None),
    ("GET", "/admin/audit", None),
    ("GET", "/admin/upload", None),
    ("POST", "/admin/upload", "upload"),
    ("POST", "/admin/upload/confirm", {"sha256": "0" * 64}),
    ("GET", f"/admin/upload/{'0' * 64}/progress", None),
    ("GET", f"/admin/upload/{'0' * 64}/preview", None),
    ("GET", "/admin/history", None),
    ("GET", "/admin/history/1.csv", None),
    ("GET", "/admin/history/1.xlsx", None),
    ("GET", "/admin/history/1/rollback", None),
    ("POST", "/admin/history/1/rollback", {}),
    ("GET", "/admin/export.csv", None),
    ("GET", "/admin/export.xlsx", None),
    ("GET", "/admin/template.xlsx", None),
    ("GET", "/admin/columns", None),
    ("GET", "/admin/facilities", None),
    ("GET", "/admin/facilities/room-1/edit", None),
    ("POST", "/admin/facilities/room-1/edit", {"name": "改名", "based_on": "2"}),
    ("POST", "/admin/facilities/room-1/verify", {}),
    ("GET", "/admin/facilities/hours.json", None),
    ("GET", "/admin/facilities/from-report/7", None),
    ("POST", "/admin/facilities/from-report/7", {"id": "new", "name": "新"}),
    ("GET", "/admin/reports", None),
    ("GET", "/admin/reports/7", None),
    ("POST", "/admin/reports/7/accept", {"confirmed": "1"}),
    ("POST", "/admin/reports/7/resolve", {}),
    ("POST", "/admin/reports/7/reject", {}),
    ("POST", "/admin/reports/7/duplicate", {"of": "1"}),
    ("GET", "/admin/reports/export.csv", None),
    ("GET", "/admin/reports/export.xlsx", None),
    ("POST", "/admin/logout", {}),
]
POSTS = [r for r in ROUTES if r[0] == "POST"]


@pytest.fixture
def app(db_path):
    """The console on a database with two versions (so rollback has somewhere to go)."""
    load(db_path, row(1), row(2))
    load(db_path, row(1), row(2), row(3))
    make_admin(db_path)
    return console_app(db_path)


def body(data):
    """The form body of a route: the upload gets a real file."""
    if data == "upload":
        return {"file": (io.BytesIO(csv_bytes(row(1))), "one.csv"),
                "mode": "replace"}
    return dict(data or {})


def test_the_route_list_covers_every_admin_route(app):
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/admin") for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(m, p.replace("room-1", "<facility_id>").replace("/1", "/<int:number>")
               .replace("0" * 64, "<sha256>").replace("/7", "/<int:report_id>"))
              for m, p, _ in ROUTES} | {("GET", "/admin/login"), ("POST", "/admin/login")}
    assert rules == listed


@pytest.mark.parametrize("method, path, data", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_without_a_session_get_redirects_to_login_and_post_is_refused(app, db_path, method,
                                                                       path, data):
    client = english(app.test_client())
    before = dataset(db_path)
    if method == "GET":
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/admin/login?next=")
    else:
        response = client.post(path, data=body(data))
        assert response.status_code == 401
        assert "Sign in" in text(response)
    assert dataset(db_path) == before


@pytest.mark.parametrize("method, path, data", POSTS, ids=[p for _m, p, _ in POSTS])
@pytest.mark.parametrize("csrf", ["missing", "wrong"])
def test_a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(app, db_path, method,
                                                                          path, data, csrf):
    client = signed_in(app)
    before = dataset(db_path)
    form = body(data)
    if csrf == "wrong":
        form["csrf_token"] = "forged-" + token(client, "/admin/")[7:]
    response = client.post(path, data=form)
    assert response.status_code == 400
    assert "Nothing was changed" in text(response)
    assert dataset(db_path) == before
    assert client.get("/admin/").status_code == 200  # still signed in: logout was refused too


def test_login_without_csrf_token_is_refused(app):
    client = english(app.test_client())
    response = client.post("/admin/login", data={"username": USER, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_login_sets_a_hardened_session_cookie_and_next_is_followed(app):
    client = english(app.test_client())
    response = client.post("/admin/login", data={
        "username": USER, "password": PASSWORD, "next": "/admin/history",
        "csrf_token": token(client, "/admin/login?next=/admin/history")})
    assert response.status_code == 302 and response.location == "/admin/history"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # tests and debug speak plain http
    assert client.get("/admin/history").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/admin/", "//evil.example/admin/",
                                    "/\\evil.example", "/elsewhere", "javascript:alert(1)"])
def test_next_never_leaves_the_console(app, target):
    client = english(app.test_client())
    response = client.post("/admin/login", data={"username": USER, "password": PASSWORD,
                                                 "next": target, "csrf_token": token(client)})
    assert response.location == "/admin/"


def test_cookie_is_secure_by_default_outside_debug_and_tests(db_path, tmp_path):
    make_admin(db_path)
    app = console_app(db_path, TESTING=False, SECRET_KEY_FILE=str(tmp_path / "key"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600
    client = app.test_client()
    response = client.post("/admin/login", base_url="https://localhost", headers={
        "Referer": "https://localhost/admin/login"}, data={
        "username": USER, "password": PASSWORD,
        "csrf_token": token_over_https(client)})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def token_over_https(client) -> str:
    """A login form token fetched over https (Secure cookies are not sent over http)."""
    import re
    page = client.get("/admin/login", base_url="https://localhost").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_secret_key_is_generated_once_and_shared_through_the_instance_file(db_path, tmp_path):
    path = tmp_path / "instance" / "secret_key"
    first = console_app(db_path, TESTING=False, SECRET_KEY_FILE=str(path))
    second = console_app(db_path, TESTING=False, SECRET_KEY_FILE=str(path))
    assert first.secret_key == second.secret_key and len(first.secret_key) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(path.parent) == ["secret_key"]  # no temporary file left behind
    assert console_app(db_path, SECRET_KEY="from-config").secret_key == "from-config"


def test_logout_ends_the_session_even_for_a_copied_cookie(app):
    client = signed_in(app)
    stolen = client.get_cookie("session").value
    response = client.post("/admin/logout", data={"csrf_token": token(client, "/admin/")})
    assert response.status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/admin/").status_code == 302


def test_an_expired_session_row_signs_the_admin_out(app, db_path):
    client = signed_in(app)
    store = Store(db_path)
    store.admins.end_sessions(before=time.time() + 10 * 3600)  # as if the 8 hours had passed
    store.close()
    assert client.get("/admin/").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(app):
    client = english(app.test_client())
    wrong = login(client, USER, "not the password at all")
    unknown = login(client, "mallory", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in text(wrong) and "Wrong username" in text(unknown)


def audit_actions(db_path: str) -> list[str]:
    """Every audit action, oldest first."""
    store = Store(db_path)
    try:
        return [e["action"] for e in reversed(store.audit.entries(per_page=1000))]
    finally:
        store.close()


def test_throttle_engages_after_five_wrong_passwords_even_for_the_right_one(app, db_path):
    client = english(app.test_client())
    for _ in range(5):
        assert login(client, USER, "wrong password guess").status_code == 401
    response = login(client, USER, PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Wait 15 minutes" in text(response)
    actions = audit_actions(db_path)
    assert actions.count("login_failed") == 5 and actions[-1] == "login_throttled"
    assert "login" not in actions


def test_throttle_holds_across_two_app_instances_on_one_database(app, db_path):
    other = console_app(db_path)  # another gunicorn worker, in effect
    clients = [english(app.test_client()), english(other.test_client())]
    for attempt in range(5):
        assert login(clients[attempt % 2], USER, "wrong password guess").status_code == 401
    assert login(clients[1], USER, PASSWORD).status_code == 429
    assert login(clients[0], USER, PASSWORD).status_code == 429


def test_throttle_per_address_catches_guesses_spread_over_many_accounts(app):
    client = english(app.test_client())
    for n in range(10):
        assert login(client, f"user{n}", "wrong password guess").status_code == 401
    assert login(client, USER, PASSWORD).status_code == 429
    # Another address may still sign in to the account.
    elsewhere = english(app.test_client())
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert login(elsewhere, USER, PASSWORD).status_code == 302


def test_a_successful_login_clears_the_account_counter(app):
    client = english(app.test_client())
    for _ in range(4):
        login(client, USER, "wrong password guess")
    assert login(client, USER, PASSWORD).status_code == 302
    other = english(app.test_client())
    for _ in range(4):
        assert login(other, USER, "wrong password guess").status_code == 401


GUESSER = "203.0.113.9"


def from_address(app, address: str):
    """A client (asking for English) whose requests come from `address`."""
    client = english(app.test_client())
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_guesser_cannot_lock_the_admin_out_from_another_address(app):
    guesser = from_address(app, GUESSER)
    for _ in range(5):
        assert login(guesser, USER, "wrong password guess").status_code == 401
    assert login(guesser, USER, "wrong password guess").status_code == 429
    assert login(guesser, USER, PASSWORD).status_code == 429  # refused unheard until the wait
    assert login(english(app.test_client()), USER, PASSWORD).status_code == 302
    # The admin signing in elsewhere does not let the guesser go on.
    assert login(guesser, USER, "wrong password guess").status_code == 429


def test_guesses_spread_over_many_addresses_meet_the_account_backoff(app, db_path):
    store = Store(db_path)
    with store.writing():
        for n in range(8):  # one wrong guess each from eight addresses, a moment ago
            store.admins.add_login_failure(time.time() - 1, USER, f"198.51.100.{n}")
    store.close()
    response = login(from_address(app, "192.0.2.1"), USER, PASSWORD)
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60 and f"Wait {wait} seconds" in text(response)
    assert "login" not in audit_actions(db_path)  # refused without looking at the password
    store = Store(db_path)
    burst = store.audit.entries(per_page=1)[0]
    store.close()
    # One entry for the account, whichever address the next guess comes from.
    assert (burst["action"], burst["actor"], burst["address"], burst["detail"]) == (
        "login_throttled", USER, "", {"throttle": "account", "count": 1})


def test_the_account_backoff_doubles_per_failure_up_to_its_cap(store):
    accounts.create_admin(store, USER, PASSWORD)
    now, waits, failures = 1e9, [], 0
    while failures < 11:  # a fresh address for every guess: only the account backoff applies
        outcome = accounts.attempt_login(store, USER, "wrong password guess",
                                         f"198.51.100.{failures}", now=now)
        if outcome.wait_s:
            waits.append(outcome.wait_s)
            refused = accounts.attempt_login(store, USER, PASSWORD, "192.0.2.1", now=now)
            assert refused.admin is None and refused.wait_s == outcome.wait_s
            now += outcome.wait_s
        else:
            failures += 1
            now += 0.001
    assert waits == [2, 4, 8, 16, 32]  # none for the first five failures
    assert accounts.attempt_login(store, USER, PASSWORD, "192.0.2.1", now=now).wait_s == 60
    assert accounts.attempt_login(store, USER, PASSWORD, "192.0.2.1", now=now + 60).admin


def test_a_throttled_burst_is_one_audit_entry_with_a_count(app, db_path):
    client = english(app.test_client())
    for _ in range(5):
        login(client, USER, "wrong password guess")
    csrf = token(client)
    for _ in range(300):
        response = client.post("/admin/login", data={"username": USER, "csrf_token": csrf,
                                                     "password": "wrong password guess"})
        assert response.status_code == 429
    assert audit_actions(db_path)[-6:] == ["login_failed"] * 5 + ["login_throttled"]
    store = Store(db_path)
    burst = store.audit.entries(per_page=1)[0]
    store.close()
    assert (burst["actor"], burst["address"]) == (USER, "127.0.0.1")
    assert burst["detail"] == {"throttle": "account+address", "count": 300}


def test_logins_failures_and_logouts_are_audited_with_the_address(app, db_path):
    client = english(app.test_client())
    login(client, USER, "wrong password guess")
    login(client)
    client.post("/admin/logout", data={"csrf_token": token(client, "/admin/")})
    store = Store(db_path)
    entries = store.audit.entries(per_page=3)
    store.close()
    assert [(e["action"], e["actor"], e["address"]) for e in entries] == [
        ("logout", USER, "127.0.0.1"), ("login", USER, "127.0.0.1"),
        ("login_failed", USER, "127.0.0.1")]


# -- accounts from the command line -------------------------------------------------------------

def test_admin_create_with_password_on_stdin(runner, db_path):
    result = runner.invoke(args=["admin", "create", "Bob", "--password-stdin"],
                           input="a long enough passphrase\n")
    assert result.exit_code == 0, result.output
    assert "'bob'" in result.output
    store = Store(db_path)
    admin = store.admins.by_name("bob")
    store.close()
    assert admin["password_hash"].startswith("scrypt:")
    assert "a long enough" not in admin["password_hash"]


def test_admin_create_prompts_twice(runner):
    result = runner.invoke(args=["admin", "create", "carol"],
                           input="a long enough passphrase\na long enough passphrase\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name, password, words", [
    ("dave", "short", "at least 12"),
    ("dave", "aaaaaaaaaaaaaaaa", "easy to guess"),
    ("dave", "password1234", "easy to guess"),
    ("dave", "my name is dave ok", "easy to guess"),
    ("Da ve", "a long enough passphrase", "username"),
])
def test_admin_create_refuses_weak_passwords_and_bad_names(runner, name, password, words):
    result = runner.invoke(args=["admin", "create", name, "--password-stdin"],
                           input=password + "\n")
    assert result.exit_code != 0 and words in result.output


@pytest.mark.parametrize("password", ["password123!", "Password123!", "123456123456",
                                      "qwertyuiop12", "iloveyou12345", "abcdefabcdef"])
def test_the_strength_estimator_refuses_guessable_passwords(password):
    with pytest.raises(accounts.AccountError, match="easy to guess"):
        accounts.check_password(password, "dave")


def test_the_refusal_says_why_and_a_passphrase_passes():
    with pytest.raises(accounts.AccountError, match="repeat"):
        accounts.check_password("abcdefabcdef", "dave")
    with pytest.raises(accounts.AccountError, match="name of this service"):
        accounts.check_password("xinhuilocator", "dave")
    accounts.check_password("tea kettle under the banyan", "dave")
    # Over 72 characters the estimate reads the first 72 (its cost grows with the length).
    accounts.check_password("tea kettle under the banyan" + " and a long tail" * 8, "dave")


def test_admin_create_refuses_a_taken_name_and_password_resets(runner, app, db_path):
    result = runner.invoke(args=["admin", "create", USER, "--password-stdin"],
                           input="another long passphrase\n")
    assert result.exit_code != 0 and "already exists" in result.output
    client = signed_in(app)
    result = runner.invoke(args=["admin", "password", USER, "--password-stdin"],
                           input="another long passphrase\n")
    assert result.exit_code == 0, result.output
    assert client.get("/admin/").status_code == 302  # the reset ended open sessions
    assert login(english(app.test_client()), USER, "another long passphrase").status_code == 302
