"""Locator: find the nearest nursing room, coach or bus stop, or landmark."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULTS = {
    "DATABASE": "instance/locator.sqlite",
    "SAMPLE_CSV": "facilities.csv",
    # Xinhui District spans 22.09–22.81 N, 112.78–113.26 E; the margin keeps border places in.
    "SERVICE_AREA": (22.0, 112.7, 22.9, 113.35),
    "MAX_IMPORT_BYTES": 20 * 1024 * 1024,
    # CPU priority (nice increment) of `facilities import` and `rollback`: batch work yields
    # to the web workers. 0 = run at the caller's priority.
    "BATCH_NICE": 10,
    # Optional external place search: "" (off), "nominatim" or "baidu" (+ GEOCODER_KEY).
    "GEOCODER": "",
    "GEOCODER_KEY": "",
    # Admin console sessions (locator/admin/sessions.py): None = Secure except in debug and tests.
    "SESSION_COOKIE_SECURE": None,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # Host names the app answers to, e.g. ["locator.example", ".locator.example"] (a leading dot
    # admits subdomains); any other Host gets 400. None = any host (every link is relative).
    "TRUSTED_HOSTS": None,
    # Reverse proxies in front of the app that append to X-Forwarded-For and set
    # X-Forwarded-Proto. 0 = none: those headers are the client's own word and are ignored.
    "PROXY_COUNT": 0,
    # Strict-Transport-Security max-age in seconds on https responses; 0 = no header.
    "HSTS_MAX_AGE": 365 * 24 * 3600,
}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults → instance config → LOCATOR_* environment → test override."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(__name__, instance_relative_config=True,
                template_folder=os.path.join(root, "templates"),
                static_folder=os.path.join(root, "static"))
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("LOCATOR")
    if test_config:
        app.config.from_mapping(test_config)
    app.config["DATABASE"] = os.path.join(root, app.config["DATABASE"])
    app.config["SAMPLE_CSV"] = os.path.join(root, app.config["SAMPLE_CSV"])
    proxies = int(app.config["PROXY_COUNT"])
    if proxies > 0:
        # The client's address (login throttle, audit log) and scheme (HSTS, Secure cookies) as
        # our proxies saw them; entries a client adds itself lie further left and are ignored.
        # Proxies pass Host on as it came, so X-Forwarded-Host is never trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)

    from locator import cli, db
    from locator.admin import views as admin
    from locator.api import views as api
    from locator.public import views as public
    from locator.web import errors, health, i18n, security, serving
    db.init_app(app)
    cli.init_app(app)
    errors.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    serving.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    admin.init_app(app)
    return app
