"""Settings (locator/config.py): defaults, types, and a clear error for every bad value."""

import datetime

import pytest

from locator import config
from locator.core.clock import SHANGHAI, shanghai_now
from locator.ingest.importer import ImportSettings


def test_defaults_make_valid_settings():
    s = config.from_mapping({})
    assert s.service_area == (22.0, 112.7, 22.9, 113.35)
    assert (s.max_import_bytes, s.batch_nice, s.proxy_count) == (20 * 2**20, 10, 0)
    assert (s.geocoder, s.tiles.name, s.trusted_hosts) == ("", "osm", None)
    assert (s.login_max_failures, s.login_window_s, s.session_lifetime_s) == (5, 900, 28800)
    assert s.clock is shanghai_now


def test_the_importer_takes_its_defaults_from_the_one_table():
    assert ImportSettings().service_area == config.DEFAULTS["SERVICE_AREA"]
    assert ImportSettings().max_bytes == config.DEFAULTS["MAX_IMPORT_BYTES"]


def test_values_from_the_environment_are_typed():
    # from_prefixed_env hands over JSON values; plain strings of digits count as numbers too.
    s = config.from_mapping({"SERVICE_AREA": [22, 112, 23, 114], "PROXY_COUNT": "2",
                             "PERMANENT_SESSION_LIFETIME": datetime.timedelta(hours=1),
                             "TRUSTED_HOSTS": ["locator.example"]})
    assert s.service_area == (22.0, 112.0, 23.0, 114.0)
    assert (s.proxy_count, s.session_lifetime_s, s.trusted_hosts) == (2, 3600,
                                                                      ("locator.example",))


def test_the_clock_is_the_configured_one():
    moment = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=SHANGHAI)
    assert config.from_mapping({"CLOCK": lambda: moment}).now() == moment


@pytest.mark.parametrize(("name", "value"), [
    ("SERVICE_AREA", [22.9, 112.7, 22.0, 113.35]),  # min above max
    ("SERVICE_AREA", "22,112,23,114"),
    ("SERVICE_AREA", [22, 112, 23]),
    ("MAX_IMPORT_BYTES", 0),
    ("MAX_IMPORT_BYTES", "20MB"),
    ("BATCH_NICE", 20),
    ("BATCH_NICE", True),
    ("PROXY_COUNT", -1),
    ("PROXY_COUNT", "one"),
    ("HSTS_MAX_AGE", 1.5),
    ("GEOCODER", "google"),
    ("GEOCODER_URL", "ftp://geocoder.example"),
    ("GEOCODER_RATE", -1),
    ("GEOCODER_RATE", "fast"),
    ("GEOCODER_TIMEOUT", 0),
    ("GEOCODER_CITY", 440705),
    ("TILES", "google"),
    ("TILE_URL", 5),
    ("PERMANENT_SESSION_LIFETIME", 0),
    ("ADMIN_LOGIN_MAX_FAILURES", 0),
    ("TRUSTED_HOSTS", "locator.example"),
    ("DATABASE", ""),
    ("CLOCK", "now"),
    ("SESSION_COOKIE_SECURE", "no"),  # a string would have been truthy: Secure after all
    ("METRICS_ALLOW", "127.0.0.1/33"),
    ("METRICS_ALLOW", "localhost"),
    ("METRICS_ALLOW", "10.0.0.1/8"),  # host bits set: a typo for 10.0.0.0/8 or for /32?
    ("METRICS_ALLOW", 5),
    ("METRICS_TOKEN", "short"),
    ("METRICS_TOKEN", 12345678901234567890),
    ("METRICS_TOKEN", " padded-token-0123456789 "),
    ("LOG_FORMAT", "xml"),
])
def test_a_bad_value_is_refused_naming_the_setting(name, value):
    with pytest.raises(config.ConfigError, match=name):
        config.from_mapping({name: value})


@pytest.mark.parametrize("provider", ["amap", "baidu", "tianditu"])
def test_keyed_geocoders_need_a_key(provider):
    with pytest.raises(config.ConfigError, match="GEOCODER_KEY"):
        config.from_mapping({"GEOCODER": provider})
    assert config.from_mapping({"GEOCODER": provider, "GEOCODER_KEY": "k"}).geocoder == provider


def test_the_geocoder_settings_come_from_the_checked_settings():
    assert config.from_mapping({}).geocoding is None
    checked = config.from_mapping({
        "GEOCODER": "amap", "GEOCODER_KEY": "k", "GEOCODER_URL": "http://127.0.0.1:9",
        "GEOCODER_RATE": "2.5", "GEOCODER_TIMEOUT": 1, "GEOCODER_CITY": "440705"})
    geocoding = checked.geocoding
    assert (geocoding.provider, geocoding.key, geocoding.url, geocoding.rate,
            geocoding.timeout_s, geocoding.city) == ("amap", "k", "http://127.0.0.1:9", 2.5,
                                                     1.0, "440705")
    assert geocoding.service_area == checked.service_area


def test_metrics_and_log_settings():
    s = config.from_mapping({})
    assert [str(n) for n in s.metrics_allow] == ["127.0.0.1/32", "::1/128"]
    assert (s.metrics_token, s.log_format) == ("", "text")
    s = config.from_mapping({"METRICS_ALLOW": " 10.0.0.0/8 ,, 2001:db8::/32", "LOG_FORMAT": "json",
                             "METRICS_TOKEN": "0123456789abcdef"})
    assert [str(n) for n in s.metrics_allow] == ["10.0.0.0/8", "2001:db8::/32"]
    assert (s.metrics_token, s.log_format) == ("0123456789abcdef", "json")
    listed = config.from_mapping({"METRICS_ALLOW": ["192.0.2.1/32"]}).metrics_allow
    assert [str(n) for n in listed] == ["192.0.2.1/32"]
    assert config.from_mapping({"METRICS_ALLOW": ""}).metrics_allow == ()  # the token only


def test_a_bad_network_is_named_in_the_error():
    with pytest.raises(config.ConfigError, match=r"METRICS_ALLOW .*'10\.0\.0\.1/8'.*host bits"):
        config.from_mapping({"METRICS_ALLOW": "127.0.0.1/32,10.0.0.1/8"})


def test_a_bad_token_is_not_repeated_in_the_error():
    with pytest.raises(config.ConfigError) as refused:
        config.from_mapping({"METRICS_TOKEN": "tooshort"})
    assert "tooshort" not in str(refused.value)
