"""Take the README's dashboard screenshots with the project's own server and headless Chromium.

    .venv/bin/python scripts/screenshot.py      -> docs/dashboard.png, visualizations.png, songs.png,
                                                   find-k.png
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import ROOT, free_port, launch_chromium, start_server, stop_server

SHOTS = {
    "dashboard.png": ("?k=5&algorithm=kmeans&tab=overview", "#panel-overview .cluster-card"),
    "visualizations.png": ("?k=5&algorithm=kmeans&tab=visualizations", "#graph-bars .main-svg"),
    "songs.png": ("?k=5&algorithm=kmeans&tab=visualizations", "#graph-pca .main-svg"),
    "find-k.png": ("?k=5&algorithm=kmeans&tab=find-k", "#graph-silhouette .main-svg"),
}


def run_sweep(page) -> None:
    """Press Find k and wait for the recommendation, so the picture shows the sweep's charts."""
    page.click("#button-find-k")
    page.wait_for_function("document.getElementById('text-recommendation').innerText.includes('Recommended')",
                           timeout=600_000)


def choose_song(page) -> None:
    """Search a song, so the picture shows it ringed on the scatter with its similar songs listed."""
    page.click("#input-song-search")
    page.locator(".dash-dropdown-search").press_sequentially("demo track 04121")
    page.locator("[role=option]", has_text="Demo Track 04121").first.click()
    page.wait_for_selector("#table-similar-songs tbody tr", timeout=60_000)
    page.evaluate("document.getElementById('input-song-search').scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollBy(0, -20)")


def main() -> None:
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    port = free_port()
    server = start_server(port, {"CACHE_DIR": tempfile.mkdtemp(prefix="amc-shot-"), "SONGS_CSV": ""})
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for name, (query, ready) in SHOTS.items():
                # The songs picture is taller: the ringed scatter and the similar songs below it.
                page.set_viewport_size({"width": 1400, "height": 1350 if name == "songs.png" else 900})
                page.goto(f"http://127.0.0.1:{port}/{query}")
                page.wait_for_selector(ready, timeout=120_000)
                if name == "find-k.png":
                    run_sweep(page)
                if name == "songs.png":
                    choose_song(page)
                time.sleep(2)  # let the WebGL scatter finish drawing
                page.screenshot(path=str(out / name), full_page=False)
                print(f"wrote docs/{name}")
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
