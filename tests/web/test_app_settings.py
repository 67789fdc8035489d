"""create_app reads the settings once, in their fixed order, and refuses a bad one at start-up."""

import pytest

from locator import create_app
from locator.config import ConfigError, settings


def test_environment_values_override_the_defaults(db_path, monkeypatch):
    monkeypatch.setenv("LOCATOR_SERVICE_AREA", "[22.1, 112.8, 22.8, 113.2]")
    monkeypatch.setenv("LOCATOR_PROXY_COUNT", "1")
    app = create_app({"TESTING": True, "DATABASE": db_path})
    assert settings(app).service_area == (22.1, 112.8, 22.8, 113.2)
    assert settings(app).proxy_count == 1


def test_the_test_override_comes_last(db_path, monkeypatch):
    monkeypatch.setenv("LOCATOR_BATCH_NICE", "5")
    assert settings(create_app({"TESTING": True, "DATABASE": db_path,
                                "BATCH_NICE": 0})).batch_nice == 0


@pytest.mark.parametrize(("variable", "value"), [
    ("LOCATOR_PROXY_COUNT", "one"), ("LOCATOR_SERVICE_AREA", "[22.9, 112.7, 22.0, 113.35]"),
    ("LOCATOR_TILES", "google"), ("LOCATOR_GEOCODER", "baidu"), ("LOCATOR_SAMPLE_CSV", '""'),
])
def test_a_bad_setting_stops_the_start_with_its_name(db_path, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable.removeprefix("LOCATOR_")):
        create_app({"TESTING": True, "DATABASE": db_path})


def test_upload_and_cookie_limits_follow_from_the_settings(db_path):
    app = create_app({"TESTING": True, "DATABASE": db_path, "MAX_IMPORT_BYTES": 2**20,
                      "PERMANENT_SESSION_LIFETIME": 600})
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 2**20
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 600
    assert app.config["SESSION_COOKIE_SECURE"] is False  # tests speak plain http
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
