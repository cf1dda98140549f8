"""Choosing k in a real browser: the sweep shows progress, renders, and moves the slider; cancel
leaves the app usable."""

from __future__ import annotations

import pytest

from tests.browser.helpers import open_page, status

pytestmark = pytest.mark.browser


def set_range(page, low: int, high: int) -> None:
    page.fill("#input-k-min", str(low))
    page.fill("#input-k-max", str(high))


def test_sweep_shows_progress_renders_and_sets_k(page, server):
    open_page(page, server, "?tab=find-k")
    set_range(page, 2, 7)
    page.click("#button-find-k")
    page.wait_for_function("/\\d\\/6/.test(document.getElementById('progress-sweep').innerText)")
    page.wait_for_function("document.getElementById('text-recommendation').innerText.includes('Recommended k')",
                           timeout=120_000)
    assert page.locator("#graph-k-sweep .main-svg").count() >= 1
    assert "6/6" in page.inner_text("#progress-sweep")
    recommended = int(page.inner_text("#text-recommendation").split("Recommended k = ")[1].split()[0])
    page.click("#button-use-k")
    page.wait_for_function(f"document.getElementById('status-area').innerText.includes('k = {recommended},')")
    assert page.get_attribute("#slider-k [role=slider]", "aria-valuenow") == str(recommended)
    page.wait_for_selector("#graph-silhouette .main-svg")
    assert "Worst fitting" in page.inner_text("#table-worst-songs")
    assert page.console_log.errors() == []


def test_cancel_leaves_the_app_usable(page, server):
    open_page(page, server, "?tab=find-k&algorithm=kmeans&features=energy,valence,tempo,loudness")
    set_range(page, 2, 15)
    page.click("#button-find-k")
    page.wait_for_selector("#button-cancel-sweep:not([disabled])")
    assert page.is_disabled("#button-find-k")
    page.click("#button-cancel-sweep")
    page.wait_for_selector("#button-find-k:not([disabled])", timeout=30_000)
    assert not page.is_disabled("#fieldset-controls")
    thumb = page.locator("#slider-k [role=slider]")
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_function("document.getElementById('status-area').innerText.includes('k = 5,')")
    assert "k = 5" in status(page)


def test_dendrogram_follows_k_for_agglomerative(page, server):
    open_page(page, server, "?tab=find-k&algorithm=agglomerative&k=3")
    page.wait_for_function("!document.getElementById('status-area').innerText.includes('preview')", timeout=60_000)
    page.wait_for_function("document.querySelector('#graph-dendrogram').innerText.includes('cut for k = 3')",
                           timeout=30_000)
    thumb = page.locator("#slider-k [role=slider]")
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_function("document.querySelector('#graph-dendrogram').innerText.includes('cut for k = 4')")
    assert page.console_log.errors() == []
