"""Memory of the deployed app: peak memory (PSS) of gunicorn's master, each worker and the background job
that builds the Ward tree, while a browser uses the dashboard (95,837 demo songs by default).

    python -m bench.bench_memory

A small dyno has 512 MB; this prints what the app needs of it.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time

import psutil

from bench.harness import free_port, launch_chromium, start_server, stop_server


def watch(root: psutil.Process, peaks: dict[int, tuple[str, float]], total: list[float],
          stop: threading.Event) -> None:
    """Sample the proportional set size (PSS) of the server and all its children every 0.2 s."""
    while not stop.is_set():
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        now = 0.0
        for process in processes:
            try:
                rss = process.memory_full_info().pss / 2**20
                role = "master" if process.pid == root.pid else (
                    "worker" if process.ppid() == root.pid else "background job")
            except psutil.NoSuchProcess:
                continue
            now += rss
            if rss > peaks.get(process.pid, ("", 0.0))[1]:
                peaks[process.pid] = (role, rss)
        total[0] = max(total[0], now)
        stop.wait(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=95_837)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port, {"CACHE_DIR": tempfile.mkdtemp(prefix="amc-mem-"), "DEMO_SONGS": str(args.songs),
                                 "SONGS_CSV": "", "WEB_CONCURRENCY": str(args.workers),
                                 "GUNICORN_THREADS": str(args.threads)})
    peaks: dict[int, tuple[str, float]] = {}
    total = [0.0]
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(psutil.Process(server.pid), peaks, total, stop), daemon=True)
    thread.start()
    started = time.perf_counter()
    before_ward = 0.0
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            url = f"http://127.0.0.1:{port}"
            for tab in ("overview", "metrics", "visualizations", "insights"):
                page.goto(f"{url}/?k=6&tab={tab}")
                page.wait_for_selector("#status-area .text-muted", timeout=120_000)
                time.sleep(1)
            before_ward = total[0]
            page.goto(f"{url}/?k=6&algorithm=agglomerative&tab=visualizations")
            page.wait_for_selector("#status-area .text-muted", timeout=120_000)
            page.wait_for_function("document.getElementById('status-area').innerText.includes('placeholder')",
                                   timeout=120_000)
            page.wait_for_function("document.getElementById('status-area').innerText.includes('Agglomerative')"
                                   " && !document.getElementById('status-area').innerText.includes('placeholder')",
                                   timeout=600_000)
            browser.close()
    finally:
        stop.set()
        thread.join()
        stop_server(server)
    print(f"# Memory, {args.songs:,} demo songs, gunicorn with {args.workers} worker(s) x {args.threads} threads "
          f"({time.perf_counter() - started:.0f} s of use, including building the exact Ward tree)")
    for role, rss in sorted(peaks.values(), key=lambda item: (item[0], -item[1])):
        print(f"  {role:<15} peak PSS {rss:6.0f} MB")
    print(f"  all processes together, peak with K-Means on every tab: {before_ward:.0f} MB")
    print(f"  all processes together, peak: {total[0]:.0f} MB (PSS: pages shared after the fork are split "
          "between the processes that share them)")


if __name__ == "__main__":
    main()
