"""Every setting in one place: its default, its check, and the one reader of `app.config`.

Settings merge in a fixed order: DEFAULTS → instance/config.py → LOCATOR_* environment
variables (values parsed as JSON when they are JSON) → the test override. `load` does that
once in create_app, checks each value and freezes the result as a `Settings`; a bad value stops
the start with a `ConfigError` naming the setting. Code reads `settings(app)` or
`current_settings()`, or takes the values it needs as arguments (search, ingest and core
never see Flask). The login throttle takes its defaults from DEFAULTS; the importer's two
(service area, file size) are kept beside it, in ingest, and DEFAULTS names them.
"""


import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from locator.backup import check_replica_url
from locator.core import districts
from locator.core.clock import shanghai_now
from locator.geocoding.settings import (
    DEFAULT_TIMEOUT_S,
    NEEDS_KEY,
    PROVIDERS,
    GeocoderSettings,
    settings_from_config,
)
from locator.ingest import importer
from locator.maps.layers import Tiles, resolve_tiles
from locator.store import is_postgres

ENV_PREFIX = "LOCATOR"
EXTENSION_KEY = "locator.settings"
GEOCODERS = ("", *PROVIDERS)
UPLOAD_OVERHEAD = 1024 * 1024  # the multipart envelope and form fields around an uploaded file

DEFAULTS = {
    # An SQLite file, or a postgresql:// URL (PostgreSQL + PostGIS, locator/store/postgres/);
    # DATABASE_REPLICA, a postgresql:// URL of a streaming replica, serves public reads.
    "DATABASE": "instance/locator.sqlite",
    "DATABASE_REPLICA": "",
    "SAMPLE_CSV": "facilities.csv",
    # Xinhui District with a margin, and the largest file an import reads: kept beside the
    # importer, which checks them (ingest imports nothing above core).
    "SERVICE_AREA": importer.SERVICE_AREA,
    "MAX_IMPORT_BYTES": importer.MAX_BYTES,
    # Several districts in one database (core/districts.py): the district of an imported row
    # whose district cell is blank or absent, and of every facility stored before districts
    # ("" = none: each row must name its district); DISTRICTS, if not empty, the only names
    # an import accepts (otherwise any name ending in 区, 县, 市 or 旗).
    "DEFAULT_DISTRICT": districts.DEFAULT_DISTRICT,
    "DISTRICTS": [],
    # CPU priority (nice increment) of `facilities import` and `rollback`: batch work yields
    # to the web workers. 0 = run at the caller's priority.
    "BATCH_NICE": 10,
    # The geocoder (locator/geocoding/): places imported rows that have an address and no
    # coordinates, and answers the place search. "" (off), "amap", "baidu", "tianditu" (these
    # three need GEOCODER_KEY) or "nominatim". GEOCODER_URL replaces the provider's base URL
    # (a self-hosted or test server); GEOCODER_RATE is requests a second (0 = the provider's
    # default); GEOCODER_CITY is AMap's city filter (a name or adcode).
    "GEOCODER": "",
    "GEOCODER_KEY": "",
    "GEOCODER_URL": "",
    "GEOCODER_RATE": 0,
    "GEOCODER_TIMEOUT": DEFAULT_TIMEOUT_S,
    "GEOCODER_CITY": "",
    # Base map (locator/maps/layers.py): osm, amap or tianditu; the rest overrides its parts.
    "TILES": "osm",
    "TILES_KEY": "",
    "TILES_ATTRIBUTION": "",
    "MAP_REVIEW_NUMBER": "",
    "TILE_URL": "",
    # Admin console sessions (locator/admin/sessions.py): None = Secure except in debug and tests.
    "SESSION_COOKIE_SECURE": None,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # Where the generated secret key is kept; None = instance/secret_key.
    "SECRET_KEY_FILE": None,
    # The login throttle (locator/admin/accounts.py Throttle).
    "ADMIN_LOGIN_MAX_FAILURES": 5,
    "ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS": 10,
    "ADMIN_LOGIN_WINDOW_S": 15 * 60,
    "ADMIN_LOGIN_BACKOFF_MAX_S": 60,
    # Visitors' reports and suggestions (locator/reports/intake.py ReportThrottle): per client
    # (an address's HMAC) and from everyone together, each in its window.
    "REPORTS_PER_CLIENT": 10,
    "REPORTS_CLIENT_WINDOW_S": 3600,
    "REPORTS_OVERALL": 120,
    "REPORTS_OVERALL_WINDOW_S": 60,
    # Host names the app answers to, e.g. ["locator.example", ".locator.example"] (a leading dot
    # admits subdomains); any other Host gets 400. None = any host (every link is relative).
    "TRUSTED_HOSTS": None,
    # Reverse proxies in front of the app that append to X-Forwarded-For and set
    # X-Forwarded-Proto. 0 = none: those headers are the client's own word and are ignored.
    "PROXY_COUNT": 0,
    # Strict-Transport-Security max-age in seconds on https responses; 0 = no header.
    "HSTS_MAX_AGE": 365 * 24 * 3600,
    # The offline snapshot (/api/snapshot) holds every facility up to this many; a larger
    # deployment answers it only for a bbox around the visitor (locator/search/snapshot.py).
    "SNAPSHOT_MAX_FACILITIES": 5000,
    # The app's clock, a function returning an aware datetime: tests set it; None = the real
    # Asia/Shanghai time. Pages, API, console and CLI all read this one clock.
    "CLOCK": None,
    # Flask-Compress (locator/web/serving.py): text responses, Brotli first.
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/plain", "text/csv", "application/json",
        "application/geo+json", "application/javascript", "text/javascript", "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 500,
    # Continuous backup (locator/backup.py): where Litestream copies every committed transaction,
    # file:///…, s3://bucket/path or sftp://host/path; "" = no replication.
    "BACKUP_URL": "",
    # /metrics (locator/web/metrics.py) answers only these client addresses (CIDRs, a
    # comma-separated string or a list; after ProxyFix, so behind nginx the visitor's), or a
    # request with `Authorization: Bearer <METRICS_TOKEN>` ("" = no token); anyone else gets 404.
    "METRICS_ALLOW": "127.0.0.1/32,::1/128",
    "METRICS_TOKEN": "",
    # The app's log lines (locator/web/request_log.py): "text" (key=value) or "json" lines.
    "LOG_FORMAT": "text",
}
# A bearer token shorter than this could be guessed; `openssl rand -hex 32` makes a good one.
MIN_METRICS_TOKEN = 16
LOG_FORMATS = ("text", "json")


class ConfigError(ValueError):
    """A setting has a value the app cannot run with; the message names it and says why."""


@dataclass(frozen=True)
class Settings:
    """The app's settings, checked and typed; built once per app by `load`."""

    database: str
    database_replica: str
    sample_csv: str
    service_area: tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon
    max_import_bytes: int
    default_district: str
    districts: tuple[str, ...]
    batch_nice: int
    geocoder: str
    geocoder_key: str
    geocoder_url: str
    geocoder_rate: float
    geocoder_timeout: float
    geocoder_city: str
    tiles: Tiles
    session_cookie_secure: bool | None  # None: Secure except in debug and tests
    session_lifetime_s: int
    secret_key_file: str | None
    login_max_failures: int
    login_max_failures_per_address: int
    login_window_s: int
    login_backoff_max_s: int
    reports_per_client: int
    reports_client_window_s: int
    reports_overall: int
    reports_overall_window_s: int
    trusted_hosts: tuple[str, ...] | None
    proxy_count: int
    hsts_max_age: int
    snapshot_max_facilities: int
    metrics_allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    metrics_token: str
    log_format: str
    clock: Callable[[], datetime]
    backup_url: str = ""  # "" = no continuous backup

    def now(self) -> datetime:
        """The current time by this app's clock (Asia/Shanghai)."""
        return self.clock()

    @property
    def geocoding(self) -> GeocoderSettings | None:
        """The geocoder's settings (locator/geocoding), or None when GEOCODER is off."""
        return settings_from_config({
            "GEOCODER": self.geocoder, "GEOCODER_KEY": self.geocoder_key,
            "GEOCODER_URL": self.geocoder_url, "GEOCODER_RATE": self.geocoder_rate,
            "GEOCODER_TIMEOUT": self.geocoder_timeout, "GEOCODER_CITY": self.geocoder_city,
            "SERVICE_AREA": self.service_area})


def from_mapping(config: Mapping) -> Settings:
    """Check and type the settings in `config` (missing keys take DEFAULTS)."""
    value = _Reader({**DEFAULTS, **config})
    provider = value.config["GEOCODER"]
    if provider in NEEDS_KEY and not value.config["GEOCODER_KEY"]:
        raise ConfigError(f"GEOCODER {provider!r} needs GEOCODER_KEY (environment "
                          f"{ENV_PREFIX}_GEOCODER_KEY): set the key, or GEOCODER to '' or "
                          "'nominatim'")
    return Settings(
        database=value.text("DATABASE", blank=False),
        database_replica=value.replica("DATABASE_REPLICA", value.config["DATABASE"]),
        sample_csv=value.text("SAMPLE_CSV", blank=False),
        service_area=value.area("SERVICE_AREA"),
        max_import_bytes=value.whole("MAX_IMPORT_BYTES", low=1),
        default_district=value.district("DEFAULT_DISTRICT"),
        districts=value.districts("DISTRICTS"),
        batch_nice=value.whole("BATCH_NICE", low=0, high=19),
        geocoder=value.choice("GEOCODER", GEOCODERS),
        geocoder_key=value.text("GEOCODER_KEY"),
        geocoder_url=value.url("GEOCODER_URL"),
        geocoder_rate=value.number("GEOCODER_RATE", low=0),
        geocoder_timeout=value.number("GEOCODER_TIMEOUT", low=0, above=True),
        geocoder_city=value.text("GEOCODER_CITY"),
        tiles=value.tiles(),
        session_cookie_secure=value.flag("SESSION_COOKIE_SECURE"),
        session_lifetime_s=value.seconds("PERMANENT_SESSION_LIFETIME"),
        secret_key_file=value.text("SECRET_KEY_FILE", blank=False, optional=True),
        login_max_failures=value.whole("ADMIN_LOGIN_MAX_FAILURES", low=1),
        login_max_failures_per_address=value.whole("ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS", low=1),
        login_window_s=value.whole("ADMIN_LOGIN_WINDOW_S", low=1),
        login_backoff_max_s=value.whole("ADMIN_LOGIN_BACKOFF_MAX_S", low=0),
        reports_per_client=value.whole("REPORTS_PER_CLIENT", low=1),
        reports_client_window_s=value.whole("REPORTS_CLIENT_WINDOW_S", low=1),
        reports_overall=value.whole("REPORTS_OVERALL", low=1),
        reports_overall_window_s=value.whole("REPORTS_OVERALL_WINDOW_S", low=1),
        trusted_hosts=value.hosts("TRUSTED_HOSTS"),
        proxy_count=value.whole("PROXY_COUNT", low=0),
        hsts_max_age=value.whole("HSTS_MAX_AGE", low=0),
        snapshot_max_facilities=value.whole("SNAPSHOT_MAX_FACILITIES", low=1),
        metrics_allow=value.networks("METRICS_ALLOW"),
        metrics_token=value.token("METRICS_TOKEN", MIN_METRICS_TOKEN),
        log_format=value.choice("LOG_FORMAT", LOG_FORMATS),
        clock=value.clock("CLOCK"),
        backup_url=value.backup_url("BACKUP_URL", value.config["DATABASE"]),
    )


def load(app: Flask, root: str, test_config: Mapping | None = None) -> Settings:
    """Merge the configuration into app.config (fixed order), check it, keep the Settings."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.from_mapping(test_config)
    # Relative paths are the repository's, wherever the process was started.
    for name in ("DATABASE", "SAMPLE_CSV"):
        if isinstance(app.config[name], str) and app.config[name].strip() \
                and not is_postgres(app.config[name]):
            app.config[name] = os.path.join(root, app.config[name])
    checked = from_mapping(app.config)
    _configure_flask(app, checked)
    app.extensions[EXTENSION_KEY] = checked
    return checked


def _configure_flask(app: Flask, s: Settings) -> None:
    """Flask's and its extensions' own settings that follow from ours, unless set already."""
    # Browsers drop Secure cookies on http://, which is what debug and test servers speak.
    secure = s.session_cookie_secure
    app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing) if secure is None \
        else secure
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = s.max_import_bytes + UPLOAD_OVERHEAD
    # A token as old as the session: a preview left open over lunch can still be confirmed.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", s.session_lifetime_s)


def settings(app: Flask) -> Settings:
    """The settings `load` checked for `app`."""
    return app.extensions[EXTENSION_KEY]


def current_settings() -> Settings:
    """The settings of the app handling this request or command."""
    return settings(current_app)


def now() -> datetime:
    """The current time by the app's clock (tests set CLOCK): pages, API, console and CLI."""
    return current_settings().now()


class _Reader:
    """Typed, checked reads of raw configuration values, each error naming its setting."""

    def __init__(self, config: Mapping):
        """Keep the merged configuration."""
        self.config = config

    def _fail(self, name: str, wanted: str) -> ConfigError:
        """The error for a bad value: which setting, what it must be, what it was."""
        raw = repr(self.config[name])[:80]
        return ConfigError(f"{name} (environment {ENV_PREFIX}_{name}) must be {wanted}, "
                           f"not {raw}")

    def text(self, name: str, *, blank: bool = True, optional: bool = False) -> str | None:
        """A string; None allowed only when optional, "" only when blank is."""
        value = self.config[name]
        if value is None and optional:
            return None
        if not isinstance(value, str) or (not blank and not value.strip()):
            raise self._fail(name, "a non-empty string" if not blank else "a string")
        return value

    def whole(self, name: str, *, low: int, high: int | None = None) -> int:
        """A whole number from low to high ("10" from the environment counts)."""
        value = self.config[name]
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if (isinstance(value, bool) or not isinstance(value, int) or value < low
                or (high is not None and value > high)):
            bound = f"from {low} to {high}" if high is not None else f"of {low} or more"
            raise self._fail(name, f"a whole number {bound}")
        return value

    def number(self, name: str, *, low: float, above: bool = False) -> float:
        """A finite number of at least `low` (above it when `above`); "2.5" from the
        environment counts."""
        value = self.config[name]
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or value < low or (above and value == low)):
            raise self._fail(name, f"a number {'above' if above else 'of'} {low:g}"
                             f"{'' if above else ' or more'}")
        return float(value)

    def url(self, name: str) -> str:
        """"" or an http(s) URL."""
        value = self.text(name)
        if value and not value.startswith(("http://", "https://")):
            raise self._fail(name, "an http:// or https:// URL, or empty")
        return value

    def replica(self, name: str, primary: object) -> str:
        """"" or a postgresql:// URL, only beside a PostgreSQL primary."""
        value = self.text(name)
        if value and not (is_postgres(value) and isinstance(primary, str)
                          and is_postgres(primary)):
            raise self._fail(name, "a postgresql:// URL beside a postgresql:// DATABASE, or"
                             " empty")
        return value

    def backup_url(self, name: str, primary: object) -> str:
        """"" or a replica URL Litestream can write to (backup.check_replica_url), only beside
        an SQLite DATABASE: Litestream copies SQLite files."""
        value = self.text(name)
        if value and (reason := check_replica_url(value)):
            raise self._fail(name, reason)
        if value and isinstance(primary, str) and is_postgres(primary):
            raise self._fail(name, "empty with a postgresql:// DATABASE (Litestream copies "
                             "SQLite files; back PostgreSQL up with its own tools)")
        return value

    def flag(self, name: str) -> bool | None:
        """true, false or None (LOCATOR_…=true / false arrive as JSON booleans; 1 and 0 too)."""
        value = self.config[name]
        if value is None or isinstance(value, bool):
            return value
        if value in (0, 1) and not isinstance(value, float):
            return bool(value)
        raise self._fail(name, "true, false or None")

    def seconds(self, name: str) -> int:
        """A duration in whole seconds: a number, or a timedelta."""
        value = self.config[name]
        if hasattr(value, "total_seconds"):
            value = value.total_seconds()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self._fail(name, "a number of seconds above 0")
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        """One of `allowed`."""
        value = self.config[name]
        if value not in allowed:
            raise self._fail(name, "one of " + ", ".join(repr(a) for a in allowed))
        return value

    def area(self, name: str) -> tuple[float, float, float, float]:
        """[min_lat, min_lon, max_lat, max_lon] in WGS-84 degrees, min below max."""
        value = self.config[name]
        wanted = "[min_lat, min_lon, max_lat, max_lon] in degrees, each min below its max"
        if not isinstance(value, list | tuple) or len(value) != 4 or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in value):
            raise self._fail(name, wanted)
        min_lat, min_lon, max_lat, max_lon = (float(v) for v in value)
        if not (-90 <= min_lat < max_lat <= 90 and -180 <= min_lon < max_lon <= 180):
            raise self._fail(name, wanted)
        return min_lat, min_lon, max_lat, max_lon

    def hosts(self, name: str) -> tuple[str, ...] | None:
        """None (any host), or a list of host names."""
        value = self.config[name]
        if value is None:
            return None
        if not isinstance(value, list | tuple) or not all(
                isinstance(h, str) and h.strip() for h in value):
            raise self._fail(name, 'a list of host names, e.g. ["locator.example"]')
        return tuple(value)

    def districts(self, name: str) -> tuple[str, ...]:
        """A list of district names (each ending in 区, 县, 市 or 旗), maybe empty."""
        value = self.config[name]
        if not isinstance(value, list | tuple) or not all(
                isinstance(d, str) and districts.well_formed(d) for d in value):
            raise self._fail(name, 'a list of district names, e.g. ["新会区", "蓬江区"]')
        return tuple(value)

    def district(self, name: str) -> str:
        """'' or a district name, one of DISTRICTS when that list is set."""
        value = self.text(name)
        if value and not districts.well_formed(value):
            raise self._fail(name, "a district name ending in 区, 县, 市 or 旗, or ''")
        known = self.districts("DISTRICTS")
        if value and known and value not in known:
            raise self._fail(name, "one of DISTRICTS (" + "、".join(known) + ") or ''")
        return value

    def networks(self, name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """Networks in CIDR notation: "a/n,b/m" or a list; "" or [] for none."""
        value = self.config[name]
        entries = value.split(",") if isinstance(value, str) else value
        if not isinstance(entries, list | tuple) or not all(isinstance(e, str) for e in entries):
            raise self._fail(name, 'comma-separated CIDRs, e.g. "127.0.0.1/32,::1/128"')
        networks = []
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry))
            except ValueError as exc:  # says which: a bad address, or host bits set
                raise ConfigError(f"{name} (environment {ENV_PREFIX}_{name}): {entry!r} is not "
                                  f"a network in CIDR notation ({exc})") from None
        return tuple(networks)

    def token(self, name: str, shortest: int) -> str:
        """"" (none) or a secret of at least `shortest` printable ASCII characters."""
        value = self.config[name]
        if value == "":
            return value
        if (not isinstance(value, str) or len(value) < shortest or not value.isascii()
                or not value.isprintable() or value != value.strip()):
            raise ConfigError(f"{name} (environment {ENV_PREFIX}_{name}) must be empty or at "
                              f"least {shortest} printable ASCII characters without spaces "
                              "at either end (e.g. from `openssl rand -hex 32`)")
        return value

    def tiles(self) -> Tiles:
        """The base map from TILES and the settings that adjust it."""
        try:
            return resolve_tiles(self.config["TILES"], key=self.text("TILES_KEY"),
                                 attribution=self.text("TILES_ATTRIBUTION"),
                                 review_number=self.text("MAP_REVIEW_NUMBER"),
                                 url=self.text("TILE_URL"))
        except ConfigError:
            raise
        except ValueError as exc:
            raise ConfigError(f"{exc} (environment {ENV_PREFIX}_TILES)") from None

    def clock(self, name: str) -> Callable[[], datetime]:
        """A function returning the current time, or the real Asia/Shanghai clock."""
        value = self.config[name]
        if value is None:
            return shanghai_now
        if not callable(value):
            raise self._fail(name, "a function returning the current time, or None")
        return value
