"""One error shape: JSON `{"error": {"status", "message"}}` under /api, a page elsewhere."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadHost, HTTPException, InternalServerError, SecurityError
from werkzeug.http import HTTP_STATUS_CODES


def error_response(status: int, message: str | None = None):
    """The canonical JSON error response."""
    message = message or HTTP_STATUS_CODES.get(status, "error")
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def wants_json() -> bool:
    """API paths answer errors in JSON."""
    return request.path.startswith("/api/")


def handle_http_error(exc: HTTPException):
    """Render an HTTP error as JSON for the API, as a page for people."""
    status = exc.code or 500
    if wants_json():
        return error_response(status, exc.description if status != 500 else None)
    # Without a usable Host no URL can be built, so that page goes without its stylesheet.
    page = render_template("error.html", status=status, message=exc.description,
                           urls_available=not bad_host())
    return page, status


def bad_host() -> bool:
    """Whether the Host header was invalid or untrusted (Flask then has no URL adapter)."""
    return isinstance(request.routing_exception, BadHost | SecurityError)


def refuse_bad_host() -> None:
    """Answer a bad Host with 400 before any other hook (login guard, CSRF) builds a URL."""
    if bad_host():
        raise request.routing_exception


def handle_unexpected(exc: Exception):
    """Never show a traceback: log it and answer 500 in the request's shape."""
    from flask import current_app

    current_app.logger.exception("unhandled error", exc_info=exc)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers, and the Host check that runs before every other hook."""
    app.before_request(refuse_bad_host)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
