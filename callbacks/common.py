"""What every callback shares: the engine for a dataset, request parsing and in-page errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import dash_bootstrap_components as dbc

import settings
from clustering.cache import ResultCache
from clustering.engine import ClusterResult, Engine, check_algorithm
from clustering.models import ClusteringError
from data.loader import DatasetError
from data.registry import catalogue_for

log = logging.getLogger(__name__)
USER_ERRORS = (ClusteringError, DatasetError)


@lru_cache(maxsize=4)
def _result_cache(directory: str, size_limit: int) -> ResultCache:
    """One cache handle per process and directory: diskcache is thread-safe, and opening SQLite
    again for every callback (several per k change) was work on the hot path."""
    return ResultCache(directory, size_limit)


def engine_for(dataset_id: str | None) -> Engine:
    """An engine over the request's catalogue; cheap to build, all results live in the disk cache."""
    return Engine(catalogue_for(dataset_id), _result_cache(str(settings.CACHE_DIR), settings.CACHE_SIZE_LIMIT),
                  seed=settings.SEED, silhouette_sample=settings.SILHOUETTE_SAMPLE)


@dataclass(frozen=True)
class Request:
    """The clustering a page asks for, validated."""

    dataset_id: str | None
    algorithm: str
    k: int
    features: tuple[str, ...]

    @classmethod
    def parse(cls, dataset_id, k, algorithm, features) -> Request:
        if not features or len(features) < 2:
            raise ClusteringError("Tick at least two features to cluster on.")
        if k is None:
            raise ClusteringError("Choose a number of clusters.")
        return cls(dataset_id, check_algorithm(algorithm), int(k), tuple(features))


def current_result(request: Request, *, allow_preview: bool = True) -> ClusterResult:
    """The clustering for a request; Agglomerative shows the fast preview until its tree exists."""
    engine = engine_for(request.dataset_id)
    if request.algorithm == "agglomerative" and allow_preview and not engine.has_tree(request.features):
        return engine.cluster("agglomerative", request.k, request.features, preview=True)
    return engine.cluster(request.algorithm, request.k, request.features)


def error_alert(exc: Exception) -> dbc.Alert:
    """A message in the page for anything a callback could not do; never a traceback."""
    if isinstance(exc, USER_ERRORS):
        return dbc.Alert(str(exc), color="warning", className="my-2", dismissable=True)
    log.exception("callback failed")
    return dbc.Alert("Something went wrong while computing this view; the error was logged. "
                     "Try another setting or reload the page.", color="danger", className="my-2", dismissable=True)


def run_triggered(prop_id: str | None, function, *args):
    """Call a callback outside a request as if ``prop_id`` had changed (None: the page's first call).

    For tests and benchmarks, which call callbacks as plain functions.
    """
    from contextvars import copy_context

    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    def run():
        inputs = [{"prop_id": prop_id, "value": None}] if prop_id else []
        context_value.set(AttributeDict(triggered_inputs=inputs))
        return function(*args)

    return copy_context().run(run)
