"""Locator: find the nearest nursing room, coach or bus stop, or landmark."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from locator import config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings (locator/config.py: defaults → instance/config.py → LOCATOR_*
    environment → test override, checked), then the blueprints and hooks."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(__name__, instance_relative_config=True,
                template_folder=os.path.join(root, "templates"),
                static_folder=os.path.join(root, "static"))
    checked = config.load(app, root, test_config)
    proxies = checked.proxy_count
    if proxies > 0:
        # The client's address (login throttle, audit log) and scheme (HSTS, Secure cookies) as
        # our proxies saw them; entries a client adds itself lie further left and are ignored.
        # Proxies pass Host on as it came, so X-Forwarded-Host is never trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)

    from locator import backup_commands, cli, db, report_commands
    from locator.admin import views as admin
    from locator.api import views as api
    from locator.public import feedback, offline
    from locator.public import views as public
    from locator.web import errors, health, i18n, metrics, request_log, security, serving
    # First: its before-hook times the whole request and names it, its after-hook runs last.
    request_log.init_app(app, checked.log_format)
    metrics.init_app(app)
    db.init_app(app)
    cli.init_app(app)
    report_commands.init_app(app)
    backup_commands.init_app(app)
    errors.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    serving.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(offline.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(api.bp)
    admin.init_app(app)
    # The JSON API acts for nobody signed in and takes only JSON: no CSRF token to ask for.
    admin.csrf.exempt(api.bp)
    return app
