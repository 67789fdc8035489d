"""One error shape: JSON `{"error": {"status", "message"}}` under /api, a page elsewhere."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
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
    page = render_template("error.html", status=status, message=exc.description)
    return page, status


def handle_unexpected(exc: Exception):
    """Never show a traceback: log it and answer 500 in the request's shape."""
    from flask import current_app

    current_app.logger.exception("unhandled error", exc_info=exc)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
