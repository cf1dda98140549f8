"""Amazon Music Clustering: the Dash app. Thin entry point; ``server`` is what gunicorn serves.

    gunicorn app:server          (Procfile; PORT and WEB_CONCURRENCY from the environment)
    python app.py                (development server on PORT, default 8050)
    celery -A app:celery_app worker   (only with REDIS_URL: long jobs on Celery workers)
"""

from __future__ import annotations

import logging

from dash import Dash

from callbacks import register_callbacks
from clustering.view import DEFAULT_DATASET
from data.registry import release_freed_memory
from layouts.figures import register_templates
from layouts.page import serve_layout
from security import harden
from services import Services
from settings import Settings

INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def create_app(settings: Settings | None = None, services: Services | None = None) -> Dash:
    """A Dash app over its own services (catalogues, cache, jobs): one per test, one per server."""
    services = services or Services.create(settings or Settings.from_env())
    register_templates()
    app = Dash(__name__, title="Amazon Music Clustering", index_string=INDEX_STRING,
               meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    # The catalogue is loaded here, before gunicorn forks its workers (preload_app): they share it.
    app.layout = serve_layout(services.registry.default())
    services.engine(DEFAULT_DATASET).tree_seconds()  # calibrate the Ward tree's estimate now, not in a request
    release_freed_memory()  # before gunicorn forks: what loading and calibrating freed goes back to the OS
    app.services = services
    app.callbacks = register_callbacks(app, services)
    # Background warming of other k values runs only while this process serves no request.
    app.server.before_request(services.request_started)
    app.server.teardown_request(lambda _error: services.request_ended())
    harden(app, services.settings.session_secret())  # after the callbacks: the policy hashes their inline scripts
    # Dash finishes its set-up on the first request; with threaded workers a second request can race
    # ahead of it ("dash is not a registered library"). One request here, before gunicorn forks,
    # completes the set-up for every worker.
    with app.server.test_client() as client:
        client.get("/")
    return app


_default: Dash | None = None


def __getattr__(name: str):
    """``app``, ``server`` and ``celery_app`` of the environment's settings, built on first use
    (by gunicorn, Celery or ``python app.py``), never by importing ``create_app``."""
    global _default
    if name not in {"app", "server", "celery_app"}:
        raise AttributeError(f"module 'app' has no attribute {name!r}")
    if _default is None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        _default = create_app()
    return {"app": _default, "server": _default.server, "celery_app": _default.services.celery}[name]


if __name__ == "__main__":
    settings = Settings.from_env()
    create_app(settings).run(host="127.0.0.1", port=settings.port, debug=settings.debug)
