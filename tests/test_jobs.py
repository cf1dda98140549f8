"""Long work as jobs: every job ends (done, failed, cancelled, lost) and says so; cancel stops it."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from clustering.cache import ResultCache
from clustering.engine import Engine
from clustering.jobs import JobRefused, JobRunner, JobStatus, Progress


def counting_handler(steps: int, delay: float, done: list[int]):
    def run(params: dict, progress: Progress) -> dict:
        progress.update(total=steps, done=0, message="started")
        for step in range(steps):
            progress.check()
            time.sleep(delay)
            done.append(step)
            progress.update(done=step + 1, message=f"step {step + 1}")
        return {"steps": len(done)}
    return run


@pytest.fixture()
def runner(tmp_path) -> JobRunner:
    return JobRunner(ResultCache(tmp_path / "jobs"))


def test_a_job_runs_to_its_result_with_progress(runner):
    done: list[int] = []
    runner.handlers["count"] = counting_handler(5, 0.01, done)
    status = runner.submit("count", {})
    final = runner.wait(status.id, timeout=10)
    assert final.state == "done" and final.result == {"steps": 5}
    assert final.done == final.total == 5 and final.fraction() == 1.0 and final.finished >= final.started


def test_cancel_stops_a_job_early_and_it_says_so(runner):
    done: list[int] = []
    runner.handlers["count"] = counting_handler(100, 0.05, done)
    status = runner.submit("count", {})
    deadline = time.monotonic() + 10
    while len(done) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    runner.cancel(status.id)
    final = runner.wait(status.id, timeout=10)
    steps_at_end = len(done)
    time.sleep(0.3)
    assert final.state == "cancelled" and "Cancelled" in final.message
    assert 2 <= steps_at_end < 10  # stopped within a step or two of the request, far from 100
    assert len(done) == steps_at_end  # and nothing ran after it ended


def test_a_failing_job_ends_failed_with_its_reason(runner):
    from clustering.models import ClusteringError

    def fail(params, progress):
        raise ClusteringError("k = 9 is larger than the number of songs (3)")

    runner.handlers["fail"] = fail
    final = runner.wait(runner.submit("fail", {}).id, timeout=5)
    assert final.state == "failed" and "larger than the number of songs" in final.error


def test_a_job_whose_process_died_is_reported_lost(runner):
    release = threading.Event()
    runner.handlers["hang"] = lambda params, progress: release.wait(10)
    status = runner.submit("hang", {})
    while runner.status(status.id).state != "running":
        time.sleep(0.01)
    # What another process sees when the runner's process died: no heartbeat for longer than allowed.
    stale = replace(runner.status(status.id), updated=time.time() - runner.lost_after - 1)
    runner.cache.set(runner._key(status.id), stale.to_dict())
    runner._local.clear()  # another process knows the job only from the cache
    seen = runner.status(status.id)
    release.set()
    assert seen.state == "lost" and "process" in seen.message and not seen.active


def test_one_id_one_job_while_it_runs(runner):
    release = threading.Event()
    calls: list[int] = []

    def slow(params, progress):
        calls.append(1)
        release.wait(5)

    runner.handlers["tree"] = slow
    first = runner.submit("tree", {}, job_id="tree-x")
    second = runner.submit("tree", {}, job_id="tree-x")
    release.set()
    runner.wait("tree-x", timeout=5)
    assert first.id == second.id and len(calls) == 1


def test_jobs_of_one_kind_wait_for_a_free_slot(tmp_path):
    runner = JobRunner(ResultCache(tmp_path / "jobs"), limits={"slow": 1})
    release = threading.Event()
    runner.handlers["slow"] = lambda params, progress: release.wait(5)
    first, second = runner.submit("slow", {}), runner.submit("slow", {})
    deadline = time.monotonic() + 10
    while "running" not in {runner.status(first.id).state, runner.status(second.id).state}:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.2)
    assert sorted([runner.status(first.id).state, runner.status(second.id).state]) == ["queued", "running"]
    release.set()
    assert runner.wait(first.id, timeout=10).state == runner.wait(second.id, timeout=10).state == "done"


def test_progress_by_estimate_never_passes_100_percent():
    running = JobStatus(id="t", kind="tree", params={}, state="running", started=time.time() - 90, estimate=60)
    assert running.fraction() == 0.99
    assert replace(running, started=time.time() - 30).fraction() == pytest.approx(0.5, abs=0.01)
    assert replace(running, state="done").fraction() == 1.0


def test_a_sweep_job_cancelled_stops_fitting(services, monkeypatch):
    """Cancel a K-Means sweep of k = 2..15 after its first k: the engine fits no more k after it."""
    fitted: list[int] = []
    real_fit = Engine._fit

    def slow_fit(self, algorithm, k, features):
        fitted.append(k)
        time.sleep(0.3)
        return real_fit(self, algorithm, k, features)

    monkeypatch.setattr(Engine, "_fit", slow_fit)
    status = services.start_sweep("default", "kmeans", ("energy", "valence", "tempo"), 2, 15)
    deadline = time.monotonic() + 30
    while not fitted and time.monotonic() < deadline:
        time.sleep(0.02)
    services.jobs.cancel(status.id)
    final = services.jobs.wait(status.id, timeout=30)
    count = len(fitted)
    time.sleep(0.7)
    assert final.state == "cancelled"
    assert count <= 3 and len(fitted) == count  # 14 values of k asked, at most the one in flight finished


def test_a_ward_sweep_waits_for_the_one_tree_job(services):
    status = services.start_sweep("default", "agglomerative", ("energy", "valence", "tempo"), 2, 4)
    final = services.jobs.wait(status.id, timeout=120)
    assert final.state == "done", final.message
    assert [row["k"] for row in final.result["rows"]] == [2, 3, 4]
    engine = services.engine("default")
    tree = services.jobs.status(services.tree_job_id(engine, engine.features(("energy", "valence", "tempo"))))
    assert tree is not None and tree.state == "done" and engine.has_tree(("energy", "valence", "tempo"))


def test_one_sweep_per_owner_and_a_bounded_number_per_process(tmp_path):
    """30 presses of Find k (the abuse probe) start a bounded number of jobs; one per browser."""
    runner = JobRunner(ResultCache(tmp_path / "jobs"), limits={"slow": 1}, queues={"slow": 3})
    release = threading.Event()
    runner.handlers["slow"] = lambda params, progress: release.wait(10)
    first = runner.submit("slow", {}, owner="browser-a")
    with pytest.raises(JobRefused, match="previous slow is still running"):
        runner.submit("slow", {}, owner="browser-a")
    started, refused = [first], []
    for n in range(30):
        try:
            started.append(runner.submit("slow", {}, owner=f"browser-{n}"))
        except JobRefused as exc:
            refused.append(str(exc))
    assert len(started) == 3 and len(refused) == 28
    assert "try again in a minute" in refused[0]
    release.set()
    for status in started:
        assert runner.wait(status.id, timeout=20).state == "done"
    assert runner.submit("slow", {}, owner="browser-a").state == "queued"  # the old one ended: a new one may start
    release.set()
