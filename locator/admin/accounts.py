"""Admin accounts: usernames, the password policy, hashing, and the login throttle. No Flask.

Passwords are hashed with werkzeug's scrypt. Failed logins are rows in the database, so the
throttle holds across gunicorn workers and restarts; each attempt is counted *before* the
password is checked and forgotten only when it proves right, so parallel guesses cannot
slip past the limit either. A throttled attempt is refused without looking at the password.

The throttle counts failures per account *and address*: a guesser closes only its own door,
and the admin still signs in from elsewhere. Over all addresses an account gets a short,
capped backoff instead, which slows a guesser with many addresses without locking anyone
out for long.
"""

import logging
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from locator.config import DEFAULTS
from locator.core import districts as district_names
from locator.store import Store

ACTIONS = logging.getLogger("locator.actions")
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # scrypt's cost grows with the input; nobody types more than this
# zxcvbn's score 0-4: 3 is "safely unguessable" online (about 10^8 guesses or more).
MIN_STRENGTH = 3
# zxcvbn refuses longer input: its cost grows with the square of the length.
ESTIMATED_CHARACTERS = 72
# Words a guesser of this site tries first. zxcvbn's lists come from English-language leaks,
# so the favourites of Chinese ones ("I love you", "520 1314") are added here.
SITE_WORDS = ("locator", "xinhui", "jiangmen", "admin", "administrator")
CHINESE_FAVOURITES = ("woaini", "5201314", "1314520")
# Why a password scored low, by the kind of pattern zxcvbn found in it.
WEAKNESSES = {
    "passwords": "a common password",
    "site": "a name of this service or the username",
    "dictionary": "common words or names",
    "repeat": "repeated characters or patterns",
    "sequence": "a sequence like abcd or 1234",
    "spatial": "a keyboard pattern like qwerty",
    "date": "a date or a year",
    "regex": "a date or a year",
}


class AccountError(ValueError):
    """A username or password that the policy refuses; the message says why."""


@dataclass(frozen=True)
class Throttle:
    """How many failed logins are heard, and how long the next one waits.

    In any `window_s` seconds: `per_account` failures for one account from one address, or
    `per_address` from one address over all accounts, close that pair or that address until
    the oldest of them leaves the window. Over all addresses an account may fail `per_account`
    times freely; each further failure makes the next attempt wait twice as long after the
    latest one (2 s, 4 s, 8 s, …), at most `backoff_max_s`.
    """

    per_account: int = DEFAULTS["ADMIN_LOGIN_MAX_FAILURES"]
    per_address: int = DEFAULTS["ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS"]
    window_s: int = DEFAULTS["ADMIN_LOGIN_WINDOW_S"]
    backoff_max_s: int = DEFAULTS["ADMIN_LOGIN_BACKOFF_MAX_S"]


@dataclass(frozen=True)
class LoginOutcome:
    """The signed-in admin (None if refused), or how many seconds to wait when throttled."""

    admin: dict | None
    wait_s: int = 0


def normalise_username(name: str) -> str:
    """Usernames are compared in lower case, without surrounding spaces."""
    return name.strip().lower()


def check_username(name: str) -> None:
    """AccountError unless `name` is 1-64 of a-z, 0-9, '.', '_' or '-', starting alphanumeric."""
    if not USERNAME.fullmatch(name):
        raise AccountError("the username must be 1 to 64 characters a-z, 0-9, '.', '_' or '-', "
                           "starting with a letter or digit")


def check_password(password: str, username: str) -> None:
    """AccountError when the password is too short or long, holds the username, or zxcvbn
    estimates it easy to guess; the message says why."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters "
                           "(a few unrelated words make a strong one)")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must have at most {MAX_PASSWORD} characters")
    if username and username in password.lower():
        raise AccountError("the password is too easy to guess: it contains the username")
    # A longer password is judged by its start: the rest can only add to its strength.
    estimate = zxcvbn(password[:ESTIMATED_CHARACTERS],
                      user_inputs=[username, *SITE_WORDS, *CHINESE_FAVOURITES])
    if estimate["score"] < MIN_STRENGTH:
        reasons = dict.fromkeys(_weakness(match) for match in estimate["sequence"])
        why = " and ".join(WEAKNESSES[r] for r in reasons if r in WEAKNESSES)
        raise AccountError("the password is too easy to guess"
                           + (f" (it is built from {why})" if why else "")
                           + "; a few unrelated words make a strong one")


def _weakness(match: dict) -> str:
    """The kind of guessable pattern a zxcvbn match is (a key of WEAKNESSES, or another)."""
    if match["pattern"] != "dictionary":
        return match["pattern"]
    if match["dictionary_name"] == "user_inputs":
        return "passwords" if match["matched_word"] in CHINESE_FAVOURITES else "site"
    return "passwords" if match["dictionary_name"] == "passwords" else "dictionary"


def create_admin(store: Store, username: str, password: str,
                 districts: Sequence[str] | None = None) -> int:
    """Create an admin account after checking the name and password, limited to `districts`
    (None: every district); return its id."""
    username = normalise_username(username)
    check_username(username)
    check_password(password, username)
    districts = check_districts(districts)
    password_hash = generate_password_hash(password)  # slow: before the write lock is taken
    with store.writing():  # the account and its audit entry, together or not at all
        admin_id = store.admins.add(username, password_hash, districts)
        if admin_id is None:
            raise AccountError(f"an admin named {username!r} already exists")
        store.audit.record("admin_created", "cli", detail={"username": username}
                           | ({"districts": list(districts)} if districts else {}))
    ACTIONS.info("admin_created", extra={"fields": {"actor": "cli", "username": username}})
    return admin_id


def check_districts(names: Sequence[str] | None,
                    known: Sequence[str] = ()) -> tuple[str, ...] | None:
    """An admin's districts, sorted without repeats (None: every district); AccountError for
    a name that is no district's, or not one of `known` when that list is set."""
    if names is None:
        return None
    cleaned = tuple(sorted({name.strip() for name in names}))
    if not cleaned:
        raise AccountError("give at least one district, or none to allow every district")
    for name in cleaned:
        if not district_names.well_formed(name):
            raise AccountError(f"{name!r} is not a district's name: write its full name, "
                               "ending in 区, 县, 市 or 旗 (for example 新会区)")
        if known and name not in known:
            raise AccountError(f"{name!r} is not one of the districts set in "
                               f"LOCATOR_DISTRICTS ({'、'.join(known)})")
    return cleaned


def set_districts(store: Store, username: str, districts: Sequence[str] | None,
                  known: Sequence[str] = ()) -> None:
    """Limit an existing admin to `districts` (None: every district); their sessions go on
    with the new scope from their next request."""
    username = normalise_username(username)
    districts = check_districts(districts, known)
    with store.writing():
        if not store.admins.set_districts(username, districts):
            raise AccountError(f"there is no admin named {username!r}")
        store.audit.record("admin_districts", "cli", detail={
            "username": username, "districts": list(districts) if districts else None})


def set_password(store: Store, username: str, password: str) -> None:
    """Give an existing admin a new password, ending their sessions."""
    username = normalise_username(username)
    check_password(password, username)
    password_hash = generate_password_hash(password)  # slow: before the write lock is taken
    with store.writing():  # the new password and its audit entry, together or not at all
        if not store.admins.set_password(username, password_hash):
            raise AccountError(f"there is no admin named {username!r}")
        store.audit.record("password_changed", "cli", detail={"username": username})
    ACTIONS.info("password_changed", extra={"fields": {"actor": "cli", "username": username}})


def attempt_login(store: Store, username: str, password: str, address: str, *,
                  throttle: Throttle = Throttle(), now: float | None = None) -> LoginOutcome:
    """Check a login against the throttle and the stored hash; audit whatever happens."""
    now = time.time() if now is None else now
    username = normalise_username(username)[:64]
    with store.writing():
        wait, closed = _wait_s(store, username, address, now, throttle)
        if wait:
            _audit_throttled(store, closed, username, address, now, throttle)
            ACTIONS.info("login_throttled", extra={"fields": {
                "actor": username, "address": address, "throttle": closed, "wait_s": wait}})
            return LoginOutcome(None, wait)
        store.admins.add_login_failure(now, username, address)  # until the password proves right
    admin = store.admins.by_name(username)
    ok = password_matches(admin["password_hash"] if admin else None, password)
    with store.writing():
        if ok:
            store.admins.forget_login_failures(username=username, address=address)
            store.audit.record("login", username, address)
        else:
            store.admins.forget_login_failures(before=now - throttle.window_s)
            store.audit.record("login_failed", username, address)
    ACTIONS.info("login" if ok else "login_failed",
                 extra={"fields": {"actor": username, "address": address}})
    return LoginOutcome({"id": admin["id"], "username": username} if ok else None)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; an unknown account costs the same time as a known one."""
    if len(password) > MAX_PASSWORD:
        return False
    if stored_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check against when the account does not exist (no timing oracle)."""
    return generate_password_hash("no such account")


def _wait_s(store: Store, username: str, address: str, now: float,
            throttle: Throttle) -> tuple[int, str]:
    """Seconds until this account may try again from this address (0: now), and which
    throttle says so: "account+address", "address" or "account"."""
    since = now - throttle.window_s
    pair = store.admins.login_failure_times(since=since, username=username, address=address)
    from_address = store.admins.login_failure_times(since=since, address=address)
    account = store.admins.login_failure_times(since=since, username=username)
    wait, closed = max((0.0, ""),
                       (_window_wait(pair, throttle.per_account, now, throttle), "account+address"),
                       (_window_wait(from_address, throttle.per_address, now, throttle), "address"),
                       (_backoff_wait(account, now, throttle), "account"))
    return math.ceil(wait), closed


def _window_wait(times: list[float], limit: int, now: float, throttle: Throttle) -> float:
    """With `limit` failures in the window, the wait until the oldest that counts leaves it."""
    if len(times) < limit:
        return 0.0
    # Once the failure `limit` places from the end leaves the window, one more is allowed.
    return times[-limit] + throttle.window_s - now


def _backoff_wait(times: list[float], now: float, throttle: Throttle) -> float:
    """The account's wait after its latest failure: doubling per failure over the free ones."""
    over = len(times) - throttle.per_account
    if over <= 0:
        return 0.0
    return times[-1] + min(2.0 ** min(over, 32), throttle.backoff_max_s) - now


def _audit_throttled(store: Store, closed: str, username: str, address: str, now: float,
                     throttle: Throttle) -> None:
    """Count a refused attempt into one audit entry per throttled account and/or address."""
    # Keyed by what the throttle counts, never by what the guesser varies (the account names
    # it tries from one address, the addresses it tries one account from): a burst of any
    # size is one entry per window.
    store.audit.record_burst("login_throttled", "" if closed == "address" else username,
                      "" if closed == "account" else address, {"throttle": closed},
                      now=now, window_s=throttle.window_s)
