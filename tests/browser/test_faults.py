"""Faults while a person uses the app: a cache made read-only or deleted under a running server,
and a restart that wiped it. Each ends with a view or a sentence, never a hang: the controls come
back, the server keeps answering, and nothing is lost that memory still holds.

These reproduce the fault probe of issue "Hold under abuse" and failed on the code before the fix.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request

import pytest

from tests.browser.helpers import open_page, set_k, show_tab, status, wait_status

pytestmark = pytest.mark.browser

SONGS = 3_000  # big enough that results are written as files of their own, as real ones are


def upload_catalogue(page, tmp_path) -> None:
    rows = ["track_name,artists,track_genre,energy,valence,tempo,danceability"]
    rows += [f"Fault song {i},Band {i % 7},genre {i % 5},{(i * 37 % 100) / 100:.2f},{(i * 53 % 100) / 100:.2f},"
             f"{90 + i % 60},{(i * 11 % 100) / 100:.2f}" for i in range(SONGS)]
    path = tmp_path / "fault_songs.csv"
    path.write_text("\n".join(rows) + "\n")
    page.set_input_files("#upload-csv input[type=file]", str(path))
    wait_status(page, f"{SONGS:,} songs", timeout=30_000)


def answers_quickly(url: str, seconds: float = 5.0) -> bool:
    started = time.monotonic()
    with urllib.request.urlopen(url + "/", timeout=seconds) as response:
        return response.status == 200 and time.monotonic() - started < seconds


def find_k_ends(page, low: int = 2, high: int = 6) -> str:
    """Press Find k and wait until the sweep ends either way; the sentence or recommendation shown."""
    show_tab(page, "Find k")
    page.fill("#input-k-min", str(low))
    page.fill("#input-k-max", str(high))
    page.click("#button-find-k")
    page.wait_for_function("document.getElementById('text-recommendation').innerText.includes('Recommended k')"
                           " || /stopped|again|Cannot/.test(document.getElementById('sweep-status').innerText)",
                           timeout=60_000)
    page.wait_for_selector("#button-find-k:not([disabled])", timeout=10_000)
    assert not page.is_disabled("#fieldset-controls")
    return page.inner_text("#text-recommendation") + page.inner_text("#sweep-status")


def use_every_control(page, server) -> None:
    set_k(page, 6)
    wait_status(page, "k = 6,", timeout=30_000)
    page.get_by_text("Agglomerative (Ward)").click()
    wait_status(page, "Agglomerative (Ward), k = 6,", timeout=30_000)
    assert "Recommended k" in find_k_ends(page)
    assert answers_quickly(server.url)


def test_a_read_only_cache_slows_nothing_and_says_so(page, fresh_server, tmp_path):
    server = fresh_server(unprivileged=True)
    open_page(page, server)
    upload_catalogue(page, tmp_path)
    subprocess.run(["chmod", "-R", "a-w", str(server.cache_dir)], check=True)
    try:
        use_every_control(page, server)
        assert "not kept" in status(page)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(server.cache_dir)], check=True)
    set_k(page, 5)  # writable again: the app keeps working
    wait_status(page, "k = 5,", timeout=30_000)


def test_a_deleted_cache_loses_nothing_the_page_shows(page, fresh_server, tmp_path):
    server = fresh_server()
    open_page(page, server)
    upload_catalogue(page, tmp_path)
    shutil.rmtree(server.cache_dir)
    set_k(page, 6)
    page.wait_for_function("document.getElementById('status-area').innerText.includes('k = 6,')"
                           " || document.getElementById('status-area').innerText.includes('upload the file again')",
                           timeout=30_000)
    if "upload the file again" in status(page):  # the other worker never held it: it says so, and a new upload works
        upload_catalogue(page, tmp_path)
        set_k(page, 6)
        wait_status(page, "k = 6,", timeout=30_000)
    page.get_by_text("Agglomerative (Ward)").click()
    wait_status(page, "Agglomerative (Ward), k = 6,", timeout=30_000)
    assert "Recommended k" in find_k_ends(page)
    assert answers_quickly(server.url)


def test_find_k_after_a_restart_that_wiped_the_cache(page, fresh_server):
    server = fresh_server(DEMO_SONGS="40000")
    open_page(page, server, "?tab=find-k")
    wait_status(page, "k = 4,", timeout=60_000)
    page.fill("#input-k-min", "2")
    page.fill("#input-k-max", "15")
    page.click("#button-find-k")
    page.wait_for_selector("#button-cancel-sweep:not([disabled])")
    shutil.rmtree(server.cache_dir)
    server.restart()  # the sweep dies with the old server, and its state with the cache
    page.wait_for_timeout(1_000)  # the console events of the polls that failed while it was down arrive
    page.console_log.clear()  # those failures are expected: the server was down
    page.wait_for_function("/restarted|again/.test(document.getElementById('sweep-status').innerText)",
                           timeout=30_000)
    page.wait_for_selector("#button-find-k:not([disabled])", timeout=10_000)
    page.fill("#input-k-max", "6")
    page.click("#button-find-k")
    page.wait_for_function("document.getElementById('text-recommendation').innerText.includes('k = 2..6')",
                           timeout=60_000)
