"""The Celery path (REDIS_URL): the same jobs, a Ward tree and k sweeps, run by a real Celery worker
over a real redis-server on loopback, both started by this test; their state reaches the web side."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from bench.harness import free_port
from clustering.jobs import CeleryJobRunner
from services import Services
from settings import Settings
from tests.conftest import ROOT, TEST_SONGS, skip_or_fail

FEATURES = ("energy", "valence", "tempo")


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {seconds} s")
        time.sleep(0.1)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("Debian's redis-server is not installed (.ci/run installs it)")
    try:
        import celery  # noqa: F401
    except ImportError:
        skip_or_fail("celery is not installed (requirements-celery.txt)")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                               "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: _answers(port), 20, "redis-server answering")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def worker(redis_url, tmp_path_factory):
    """``celery -A app:celery_app worker``, as README tells a deployment to run it."""
    cache_dir = tmp_path_factory.mktemp("shared-cache")
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {**os.environ, "REDIS_URL": redis_url, "CACHE_DIR": str(cache_dir), "DEMO_SONGS": str(TEST_SONGS),
           "SONGS_CSV": ""}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "app:celery_app", "worker",
                                    "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: " ready." in log.read_text() or process.poll() is not None, 90, "the Celery worker")
        assert process.poll() is None, log.read_text()[-3000:]
        yield cache_dir, log
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture()
def web_services(redis_url, worker) -> Services:
    """The web side: the app's services with the same REDIS_URL and cache, submitting to Celery."""
    cache_dir, _log = worker
    services = Services.create(Settings(redis_url=redis_url, cache_dir=cache_dir, demo_songs=TEST_SONGS))
    assert isinstance(services.jobs, CeleryJobRunner)
    return services


def test_a_ward_sweep_and_its_tree_run_on_the_celery_worker(web_services, worker):
    status = web_services.start_sweep("default", "agglomerative", FEATURES, 2, 4)
    final = web_services.jobs.wait(status.id, timeout=180)
    assert final.state == "done", final.message
    assert [row["k"] for row in final.result["rows"]] == [2, 3, 4]
    assert final.runner and not final.runner.endswith(f":{os.getpid()}")  # run by the worker, not here
    engine = web_services.engine("default")
    tree = web_services.jobs.status(web_services.tree_job_id(engine, engine.features(FEATURES)))
    assert tree.state == "done" and not tree.runner.endswith(f":{os.getpid()}")
    assert engine.has_tree(FEATURES)  # the web side cuts the tree the worker built
    assert worker[1].read_text().count("Task amc.run_job") >= 4  # the sweep and the tree: received, succeeded


def test_a_celery_sweep_cancelled_from_the_web_side_stops(web_services):
    status = web_services.start_sweep("default", "kmeans", ("danceability", "energy", "loudness"), 2, 15)
    _wait_for(lambda: (web_services.jobs.status(status.id).done or 0) >= 1, 120, "the first k")
    web_services.jobs.cancel(status.id)
    final = web_services.jobs.wait(status.id, timeout=60)
    assert final.state == "cancelled" and final.done < 14
