"""Faults while a person uses the app: a cache made read-only or deleted under a running server,
and a restart that wiped it. Each ends with a view or a sentence, never a hang: the controls come
back, the server keeps answering, and nothing is lost that memory still holds.

These reproduce the fault probe of issue "Hold under abuse" and failed on the code before the fix.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import time
import urllib.request

import pytest

from security import MAX_REQUEST_BYTES
from tests.browser.helpers import open_page, set_k, show_tab, status, wait_status

pytestmark = pytest.mark.browser

SONGS = 3_000  # big enough that results are written as files of their own, as real ones are


def songs_csv_text(songs: int) -> str:
    rows = ["track_name,artists,track_genre,energy,valence,tempo,danceability"]
    rows += [f"Fault song {i},Band {i % 7},genre {i % 5},{(i * 37 % 100) / 100:.2f},{(i * 53 % 100) / 100:.2f},"
             f"{90 + i % 60},{(i * 11 % 100) / 100:.2f}" for i in range(songs)]
    return "\n".join(rows) + "\n"


def upload_catalogue(page, tmp_path) -> None:
    path = tmp_path / "fault_songs.csv"
    path.write_text(songs_csv_text(SONGS))
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


def ward_and_find_k(page, server) -> None:
    """Agglomerative at the shown k = 6, then a sweep; the server answers throughout."""
    page.get_by_text("Agglomerative (Ward)").click()
    wait_status(page, "Agglomerative (Ward), k = 6,", timeout=30_000)
    assert "Recommended k" in find_k_ends(page)
    assert answers_quickly(server.url)


def use_every_control(page, server) -> None:
    set_k(page, 6)
    wait_status(page, "k = 6,", timeout=30_000)
    ward_and_find_k(page, server)


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
    ward_and_find_k(page, server)


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


def test_a_file_over_the_limit_is_refused_in_words_and_changes_nothing(page, server, tmp_path):
    open_page(page, server, "?k=5")
    wait_status(page, "k = 5,")
    # The limit as the page has it, lowered so that a small file stands for a 210 MB one.
    page.evaluate("window.dash_clientside.set_props('store-upload-limit', {data: 4096})")
    path = tmp_path / "too_big.csv"
    path.write_text(songs_csv_text(400))
    page.set_input_files("#upload-csv input[type=file]", str(path))
    page.wait_for_function("document.getElementById('upload-status').innerText.includes('over the limit')")
    assert "too_big.csv" in page.inner_text("#upload-status") and "Nothing was changed" in page.inner_text(
        "#upload-status")
    page.wait_for_timeout(1_000)
    assert "k = 5," in status(page) and "data=" not in page.url
    assert "up to 200 MB" in page.inner_text("#upload-csv")


def test_a_huge_request_gets_413_before_its_body_is_sent(server):
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/_dash-update-component")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(MAX_REQUEST_BYTES + 1))
    connection.endheaders()
    connection.send(b'{"output": "x"')  # a few bytes of the announced 267 MB
    started = time.monotonic()
    response = connection.getresponse()
    assert response.status == 413 and time.monotonic() - started < 5
    connection.close()
