"""gunicorn settings, read from the environment the way Heroku-style hosts set it."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A first Agglomerative fit of a new feature set can take a minute at 95k songs; the page shows a
# preview meanwhile, but a request must never be killed half-way.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "180"))
# Load the catalogue once, before forking: workers share its memory pages.
preload_app = True
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
