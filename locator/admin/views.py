"""The admin console under /admin: sign-in, dashboard, audit log, and the shared guard.

Uploads and history live in imports.py, facility edits in facilities.py; both are
blueprints nested in this one, so the guard and error pages here cover them.
"""

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Flask,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge, Unauthorized

from locator.admin import accounts, cli, console, facilities, imports, reports, sessions
from locator.config import current_settings
from locator.core.categories import CATEGORIES
from locator.db import open_store
from locator.store import WriteFailed
from locator.web.i18n import gettext
from locator.web.metrics import throttled

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.register_blueprint(imports.bp)
bp.register_blueprint(facilities.bp)
bp.register_blueprint(reports.bp)
csrf = CSRFProtect()
OPEN_ENDPOINTS = frozenset({"admin.login"})
AUDIT_PER_PAGE = 50


def init_app(app: Flask) -> None:
    """The secret key, the login guard, CSRF, the blueprint and `admin` commands (cookie, upload
    and CSRF limits follow from the settings: locator/config.py)."""
    sessions.configure(app)
    # Registered before CSRFProtect's own hook, so that without a session the answer is
    # "sign in" (401 or a redirect), and the CSRF check (400) applies to signed-in admins.
    app.before_request(require_admin)
    csrf.init_app(app)
    app.register_blueprint(bp)
    cli.init_app(app)


def _is_admin_path(path: str) -> bool:
    """Whether `path` is under /admin."""
    return path == "/admin" or path.startswith("/admin/")


def require_admin():
    """Every /admin path but the login page needs a signed-in admin."""
    if not _is_admin_path(request.path):
        return None
    g.admin = sessions.current_admin(open_store())
    if g.admin is not None or request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    raise Unauthorized(gettext("Your session has ended. Sign in again, then repeat the action."))


@bp.after_request
def never_cache(response):
    """Console pages hold data and tokens: keep them out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def throttle() -> accounts.Throttle:
    """The login throttle from configuration."""
    s = current_settings()
    return accounts.Throttle(per_account=s.login_max_failures,
                             per_address=s.login_max_failures_per_address,
                             window_s=s.login_window_s, backoff_max_s=s.login_backoff_max_s)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a throttled account or address gets 429 and how long to wait."""
    target = _safe_next(request.values.get("next", ""))
    if g.admin is not None:
        return redirect(target)
    if request.method == "GET":
        return render_template("admin/login.html", next=target)
    username = request.form.get("username", "")
    outcome = accounts.attempt_login(open_store(), username, request.form.get("password", ""),
                                     console.address(), throttle=throttle())
    if outcome.wait_s:
        throttled("login")
        page = render_template("admin/login.html", next=target, username=username,
                               error=_wait_message(outcome.wait_s))
        return page, 429, {"Retry-After": str(outcome.wait_s)}
    if outcome.admin is None:
        return render_template("admin/login.html", next=target, username=username,
                               error=gettext("Wrong username or password.")), 401
    sessions.start(open_store(), outcome.admin, console.address())
    return redirect(target)


def _wait_message(wait_s: int) -> str:
    """Why the sign-in was refused unheard, and how long to wait: seconds or minutes."""
    if wait_s < 60:  # the account backoff, or the end of a window: "1 minutes" would mislead
        return gettext("Too many failed sign-ins for this account or from this address. Wait "
                       "%(seconds)s seconds, then try again.", seconds=wait_s)
    return gettext("Too many failed sign-ins for this account or from this address. Wait "
                   "%(minutes)s minutes, then try again.", minutes=(wait_s + 59) // 60)


def _safe_next(target: str) -> str:
    """Where to go after sign-in: only a path under /admin on this site (no open redirect)."""
    dashboard = url_for("admin.dashboard")
    return console.local_target(target, dashboard) or dashboard


@bp.post("/logout")
def logout():
    """Sign out here and in the database; a database that refuses still signs this browser out."""
    admin = g.admin
    g.admin = None  # the page below is shown signed out, whatever the database says
    try:
        sessions.end(open_store(), admin["username"], console.address())
    except WriteFailed as exc:
        expires = datetime.fromtimestamp(admin["expires_at"], UTC).isoformat()
        return message_page(503, gettext("Signed out in this browser only"), gettext(
            "You are signed out in this browser, but the server could not record it: a copy of "
            "this browser's session cookie keeps working until the sign-in expires at "
            "%(time)s. Ask the server's operator to check the disk. Details: %(detail)s",
            time=console.local_time(expires), detail=str(exc)),
            (url_for("admin.login"), gettext("Sign in")))
    flash(gettext("You have signed out."))
    return redirect(url_for("admin.login"))


@bp.get("/")
def dashboard():
    """Counts by category, unverified records, new visitor reports, the latest change of any
    kind (an import, a rollback, an edit, a report) and the last import, and links to the rest."""
    store = open_store()
    with store.reading():
        counts = store.facilities.counts_by_category()
        context = {"total": store.facilities.count(),
                   "unverified": store.facilities.unverified_count(),
                   "last_import": store.versions.last_of("import"),
                   "current": store.versions.current(),
                   "new_reports": reports.new_count(store)}
    categories = [(c, counts.get(c.key, 0)) for c in CATEGORIES.values()]
    return render_template("admin/dashboard.html", categories=categories, **context)


@bp.get("/audit")
def audit():
    """The audit log, newest first, a page at a time."""
    store = open_store()
    with store.reading():
        total = store.audit.count()
        pages = max((total + AUDIT_PER_PAGE - 1) // AUDIT_PER_PAGE, 1)
        page = console.page_number(pages)
        entries = store.audit.entries(page=page, per_page=AUDIT_PER_PAGE)
    return render_template("admin/audit.html", entries=entries, page=page, pages=pages,
                           total=total)


def message_page(status: int, title: str, message: str, link: tuple[str, str] | None = None):
    """A short page in the console's layout: what happened and what to do."""
    return render_template("admin/message.html", title=title, message=message,
                           link=link), status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    """An upload over MAX_CONTENT_LENGTH: say the limit, in the console's layout."""
    limit = round(current_settings().max_import_bytes / 2**20)
    return message_page(413, gettext("The file is too large"), gettext(
        "Files of up to %(limit)s MB can be imported. Remove unused columns or sheets, or "
        "split the list and import the parts in merge mode.", limit=limit),
        (url_for("admin.imports.upload"), gettext("Back to upload")))


@bp.errorhandler(CSRFError)
def csrf_failed(_exc):
    """A form without a valid token: expired, or sent from another site. Nothing was changed."""
    return message_page(400, gettext("This form has expired"), gettext(
        "Nothing was changed. Go back, reload the page, and try again."),
        (url_for("admin.dashboard"), gettext("Back to the dashboard")))


@bp.errorhandler(Unauthorized)
def unauthorized(exc):
    """A POST without a session: ask to sign in."""
    return message_page(401, gettext("Please sign in"), exc.description,
                        (url_for("admin.login"), gettext("Sign in")))


@bp.errorhandler(WriteFailed)
def write_failed(exc):
    """The database refused the write (disk full, read-only): nothing was changed."""
    return message_page(503, gettext("The change could not be saved"), gettext(
        "Nothing was changed. Ask the server's operator to check the disk. Details: "
        "%(detail)s", detail=str(exc)))


@bp.app_template_filter("admin_time")
def admin_time(iso: str | None) -> str:
    """Template filter: a stored UTC time in Asia/Shanghai."""
    return console.local_time(iso)


@bp.app_context_processor
def console_helpers() -> dict:
    """Problems rendered in the admin's language."""
    return {"problem_text": console.problem_text}
