"""Security headers on every response, with a per-response nonce for our own inline scripts."""

import secrets

from flask import Flask, g, request

from locator.config import current_settings

PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"


def csp_nonce() -> str:
    """This response's nonce; inline <script> and <style> tags carry it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    """Scripts and styles only from this app (files, or inline with this nonce)."""
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        # Leaflet and folium set positions in style attributes; attributes cannot run code.
        "style-src-attr 'unsafe-inline'",
        # Map tiles come from the configured tile server (https) or a local stub.
        "img-src 'self' data: blob: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def add_security_headers(response):
    """Set CSP, nosniff, referrer, framing and permissions headers, and HSTS over https."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    max_age = current_settings().hsts_max_age
    # Only over https: browsers ignore it on http, and `make run` speaks plain http.
    # No includeSubDomains: other names under this host may not serve https.
    if max_age > 0 and request.is_secure:
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


def init_app(app: Flask) -> None:
    """Install the header hook and the template's nonce function."""
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
