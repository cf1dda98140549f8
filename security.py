"""What the web server guards, for every page and callback: request size, malformed callback
bodies, response headers (Content-Security-Policy, framing, sniffing), and a signed session id
per browser, so per-user limits (one sweep at a time) know who is asking.

The session is signed with ``SECRET_KEY`` (settings.py): fixed in production, so a restart or a
second dyno keeps every open page's session valid.
"""

from __future__ import annotations

import json
import logging
import math
import secrets

import flask
from dash import Dash
from dash.exceptions import DashException
from werkzeug.exceptions import HTTPException

from data.loader import MAX_BYTES

log = logging.getLogger(__name__)

#: A request may carry one CSV of MAX_BYTES, base64-encoded (4/3) inside the callback's JSON.
MAX_REQUEST_BYTES = math.ceil(MAX_BYTES * 4 / 3) + 2**20
SESSION_KEY = "uid"
ANONYMOUS = "anonymous"


def content_security_policy(app: Dash) -> str:
    """As strict as Dash allows: scripts from this origin plus the hashes of Dash's inline ones;
    'unsafe-eval' because plotly's WebGL scatter (regl) compiles its drawing code at run time;
    inline styles because plotly and Dash components set style attributes."""
    scripts = " ".join(["'self'", "'unsafe-eval'", *app.csp_hashes()])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def session_id() -> str:
    """This browser's id (signed cookie); requests without one share the anonymous id."""
    try:
        return str(flask.session.get(SESSION_KEY) or ANONYMOUS)
    except RuntimeError:  # outside a request (tests calling callbacks directly)
        return ANONYMOUS


#: What a callback raises when a request hands it values of the wrong shape (a tampered or
#: hand-made body): answered 400, logged in one line, never a traceback.
BAD_VALUE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, DashException)


def _is_callback_request() -> bool:
    return flask.request.method == "POST" and flask.request.path.endswith("/_dash-update-component")


def _malformed_callback(app: Dash) -> str | None:
    """Why a callback request body cannot be one of this app's callbacks, or None when it can."""
    if not _is_callback_request():
        return None
    try:
        body = json.loads(flask.request.get_data(cache=True) or b"null")
    except (ValueError, UnicodeDecodeError):
        return "the body is not JSON"
    if not isinstance(body, dict) or not isinstance(body.get("output"), str) \
            or not isinstance(body.get("inputs", []), list) or not isinstance(body.get("state", []), list):
        return "the body is not a Dash callback request"
    if body["output"] not in app.callback_map:
        return "there is no such callback"
    return None


def harden(app: Dash, secret_key: str) -> None:
    """Install the request limit, the body check, the headers and the session on ``app``."""
    server = app.server
    server.secret_key = secret_key
    server.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, SESSION_COOKIE_HTTPONLY=True,
                         SESSION_COOKIE_SAMESITE="Lax")
    policy = content_security_policy(app)

    @server.before_request
    def check_request():
        if flask.request.content_length is not None and flask.request.content_length > MAX_REQUEST_BYTES:
            return flask.Response(f"Request too large: at most {MAX_REQUEST_BYTES // 2**20} MB.\n", 413,
                                  mimetype="text/plain")
        problem = _malformed_callback(app)
        if problem:
            log.info("refused a callback request from %s: %s", flask.request.remote_addr, problem)
            return flask.Response(f"Bad request: {problem}.\n", 400, mimetype="text/plain")
        if SESSION_KEY not in flask.session and flask.request.method == "GET":
            flask.session[SESSION_KEY] = secrets.token_hex(16)
            flask.session.permanent = True
        return None

    @server.errorhandler(Exception)
    def bad_callback_values(error: Exception):
        """A callback that fails on the values a request handed it: 400 and one line, when the
        values were not what the page sends (any other failure stays a 500 with its traceback)."""
        if isinstance(error, HTTPException):
            return error
        if _is_callback_request() and isinstance(error, BAD_VALUE_ERRORS):
            log.warning("refused a callback request from %s: %s: %s", flask.request.remote_addr,
                        type(error).__name__, str(error)[:200])
            return flask.Response("Bad request: the callback cannot use these values.\n", 400, mimetype="text/plain")
        log.error("request failed", exc_info=error)
        return flask.Response("Internal server error.\n", 500, mimetype="text/plain")

    @server.after_request
    def add_headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
