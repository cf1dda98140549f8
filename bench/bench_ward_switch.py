"""Switching to Agglomerative on a cold cache, in headless Chromium against ``gunicorn app:server``.

    python -m bench.bench_ward_switch                 # 95,837 demo songs, 5 runs, each on a fresh server

Each run starts a server with an empty cache, opens the page at K-Means k = 4 and clicks
"Agglomerative (Ward)". Prints, per run and as medians: the time until the page shows something
for the request (status, legend: the K-Means placeholder, named as such), the tree's estimate
as the banner first states it, and the time until the exact Ward tree replaces the placeholder.
The issue's bar: something shown within 2 s (median of 5).
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time

from bench.harness import free_port, launch_chromium, start_server, stop_server

STATUS = "(document.getElementById('status-area') || {}).innerText || ''"
SHOWN = (f"() => {{ const s = {STATUS};"
         " return s.includes('Agglomerative') && !s.includes('omputing')"
         " && document.querySelectorAll('#legend-clusters .legend-item').length === 4; }")
EXACT = (f"() => {{ const s = {STATUS};"
         " return s.includes('Agglomerative') && !s.includes('placeholder') && !s.includes('omputing'); }")


def one_run(songs: int) -> tuple[float, float | None, float]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port, {"CACHE_DIR": tempfile.mkdtemp(prefix="amc-ward-"), "DEMO_SONGS": str(songs),
                                 "SONGS_CSV": ""}, seconds=300)
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/?k=4&tab=visualizations")
            page.wait_for_function(f"({STATUS}).includes('K-Means, k = 4,')", timeout=300_000)
            page.wait_for_selector("#graph-pca .main-svg", timeout=300_000)
            time.sleep(2)  # let the first round of callbacks settle
            started = time.perf_counter()
            page.get_by_text("Agglomerative (Ward)").click()
            page.wait_for_function(SHOWN, timeout=120_000)
            shown = time.perf_counter() - started
            page.wait_for_selector("#tree-progress .progress", timeout=30_000)
            match = re.search(r"of about (\d+) s", page.inner_text("#tree-progress"))
            estimate = float(match.group(1)) if match else None
            page.wait_for_function(EXACT, timeout=900_000, polling=250)
            exact = time.perf_counter() - started
            browser.close()
    finally:
        stop_server(server)
    return shown, estimate, exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=95_837)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"# Switch to Agglomerative, cold cache: {args.songs:,} demo songs, gunicorn (2 workers), headless Chromium")
    shown_times, exact_times = [], []
    for run in range(1, args.runs + 1):
        shown, estimate, exact = one_run(args.songs)
        shown_times.append(shown)
        exact_times.append(exact)
        said = f"{estimate:.0f} s" if estimate is not None else "-"
        print(f"  run {run}: something shown {shown:.2f} s; tree estimate {said}; exact Ward shown {exact:.1f} s",
              flush=True)
    print(f"  median: something shown {statistics.median(shown_times):.2f} s (bar: 2 s), "
          f"exact Ward shown {statistics.median(exact_times):.1f} s")


if __name__ == "__main__":
    main()
