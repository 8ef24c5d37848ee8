"""WSGI entry point for gunicorn and the development server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imr_dashboard.settings")

application = get_wsgi_application()


def _import_every_view() -> None:
    """Import the URLconf and every view now, not in a worker's first request (about a second:
    scipy.stats and plotly). gunicorn.conf.py preloads this module in the master, so each worker,
    a recycled one too, forks with them loaded. Nothing here may open a connection the forks
    would share: the database's are closed, and Redis and Celery connect only when first used."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (the import is the point)
    connections.close_all()


_import_every_view()
