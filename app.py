"""Amazon Music Clustering: the Dash app. Thin entry point; ``server`` is what gunicorn serves.

    gunicorn app:server          (Procfile; PORT and WEB_CONCURRENCY from the environment)
    python app.py                (development server on PORT, default 8050)
"""

from __future__ import annotations

import logging
import os

import diskcache
from dash import Dash, DiskcacheManager
from dash_bootstrap_templates import load_figure_template

import settings
from data.registry import default_catalogue
from layouts.page import serve_layout

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

THEME = "flatly"
load_figure_template(THEME)


def background_manager():
    """Celery when REDIS_URL is set (several hosts), else diskcache in CACHE_DIR (one host)."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        return DiskcacheManager(diskcache.Cache(str(settings.CACHE_DIR / "background"))), None
    try:
        from celery import Celery
        from dash import CeleryManager
    except ImportError as exc:
        raise SystemExit("REDIS_URL is set but Celery is not installed: "
                         "pip install -r requirements-celery.txt") from exc
    celery = Celery(__name__, broker=redis_url, backend=redis_url)
    return CeleryManager(celery), celery


import callbacks  # noqa: E402,F401  (registers every callback)

catalogue = default_catalogue()  # loaded before gunicorn forks its workers (preload_app)
manager, celery_app = background_manager()  # celery_app: for `celery -A app:celery_app worker`
app = Dash(
    __name__,
    title="Amazon Music Clustering",
    # The Flatly theme is served from assets/ (no CDN); dbc.themes.FLATLY is its upstream.
    background_callback_manager=manager,
)
app.layout = serve_layout(catalogue)
server = app.server
# Dash finishes its set-up on the first request; with threaded workers a second request can race
# ahead of it ("dash is not a registered library"). One request here, before gunicorn forks,
# completes the set-up for every worker.
with server.test_client() as _client:
    _client.get("/")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=settings.PORT, debug=settings.DEBUG)
