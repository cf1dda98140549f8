"""Dashboard benchmark: a k change in headless Chromium against ``gunicorn app:server``.

    python -m bench.bench_dashboard                  # 95,837 demo songs, 20 measured k changes

Prints, for k changes with a warm cache: end-to-end time from releasing the slider to the
scatter having redrawn the new clusters (median, p95), split into the server's answer and the
browser's drawing (software WebGL here), and the bytes the browser received per k change. Then
the same for slider steps on a fresh cache, a person's pace apart, without and with warming the
neighbours (two fresh servers), against the Streamlit peer's recorded figure; then the recluster
callbacks' server time, cold and cached, measured in-process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ROOT, launch_chromium, start_server, stop_server

# Records every Dash callback request: which outputs, when it started and ended, bytes received.
FETCH_PROBE = """
window.__calls = [];
const realFetch = window.fetch;
window.fetch = async (...args) => {
  const started = performance.now();
  const response = await realFetch(...args);
  if (String(args[0]).includes('_dash-update-component')) {
    const body = JSON.parse(args[1].body);
    const text = await response.clone().text();
    window.__calls.push({output: body.output, started, ended: performance.now(), bytes: text.length});
  }
  return response;
};
"""
AFTERPLOT_PROBE = """
() => {
  const gd = document.querySelector('#graph-pca .js-plotly-plot');
  if (!gd || gd.__probed) return !!gd;
  gd.__probed = true;
  gd.on('plotly_afterplot', () => (window.__plots = window.__plots || []).push(performance.now()));
  return true;
}
"""


#: The public Streamlit peer (KMeans n_init=10, matplotlib pictures) on the same 95,837 songs as
#: CSV, Run to done, median: as recorded on this machine in the issue "Live means live"; the peer
#: is not part of this project, so its figure is a recorded constant.
PEER_RUN_TO_DONE_SECONDS = 5.39
PEER_MEASURED = "recorded in issue 12, not re-run"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def open_scatter(browser, url: str):
    """A page on the scatter tab at k = 4, with the probes attached; (page, slider thumb, seconds)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(FETCH_PROBE)
    started = time.perf_counter()
    page.goto(url + "/?k=4&tab=visualizations")
    page.wait_for_selector("#graph-pca .main-svg", timeout=120_000)
    page.wait_for_function(AFTERPLOT_PROBE)
    loaded = time.perf_counter() - started
    time.sleep(3)  # let the page's first round of callbacks (URL, panels) settle
    thumb = page.locator("#slider-k [role=slider]")
    thumb.focus()
    return page, thumb, loaded


def change(page, thumb, key: str) -> dict:
    """One k change by keyboard; the server's answer, the drawing and the bytes it took."""
    page.wait_for_function(AFTERPLOT_PROBE)  # (re)attach, should the graph have been re-mounted
    page.evaluate("window.__calls = []; window.__plots = []")
    t0 = page.evaluate("performance.now()")
    thumb.press(key)
    try:
        page.wait_for_function(
            "window.__plots.length > 0 && window.__calls.some(c => c.output.includes('graph-pca'))"
            " && document.querySelectorAll('#graph-pca .js-plotly-plot').length === 1", timeout=60_000)
    except Exception:
        print("calls", page.evaluate("window.__calls"), "plots", page.evaluate("window.__plots"),
              page.inner_text("#status-area"))
        raise
    time.sleep(0.3)  # let the other panels' answers arrive, so their bytes are counted
    calls = page.evaluate("window.__calls")
    plotted = page.evaluate("window.__plots[0]")
    pca = next(c for c in calls if "graph-pca" in c["output"])
    return {"end_to_end": plotted - t0, "response": pca["ended"] - t0, "draw": plotted - pca["ended"],
            "pca_bytes": pca["bytes"], "all_bytes": sum(c["bytes"] for c in calls)}


def summarise(rows: list[dict], bytes_too: bool = True) -> None:
    for name in ("end_to_end", "response", "draw"):
        values = [r[name] for r in rows]
        print(f"  {name.replace('_', '-'):<12} median {statistics.median(values):7.0f} ms   "
              f"p95 {percentile(values, 0.95):7.0f} ms")
    if bytes_too:
        print(f"  bytes per k change: scatter patch {statistics.median(r['pca_bytes'] for r in rows) / 1024:.0f} KB,"
              f" all callbacks {statistics.median(r['all_bytes'] for r in rows) / 1024:.0f} KB (uncompressed)")


def browser_figures(url: str, changes: int) -> None:
    """k changes with a warm cache (every k visited once before measuring)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page, thumb, loaded = open_scatter(browser, url)
        print(f"  first load to scatter drawn: {loaded:.2f} s")
        for key in ["ArrowRight"] * 11 + ["ArrowLeft"] * 11:
            change(page, thumb, key)
        keys = (["ArrowRight"] * 10 + ["ArrowLeft"] * 10) * (changes // 20 + 1)
        rows = [change(page, thumb, key) for key in keys[:changes]]
        browser.close()
    summarise(rows)


def cold_steps(url: str, steps: int, pause: float) -> list[dict]:
    """``steps`` slider steps up from k = 4 on a fresh cache, ``pause`` seconds apart (a person
    looking at each k): every k is new to the server unless it was warmed meanwhile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page, thumb, _ = open_scatter(browser, url)
        rows = []
        for _ in range(steps):
            rows.append(change(page, thumb, "ArrowRight"))
            time.sleep(pause)
        browser.close()
    return rows


def server_times(songs: int) -> None:
    """The recluster callbacks in-process on a fresh app: cold (empty cache) and cached, per k."""
    from plotly.io.json import to_json_plotly

    from app import create_app
    from clustering.features import DEFAULT_FEATURES
    from settings import Settings

    app = create_app(Settings(demo_songs=songs, cache_dir=Path(tempfile.mkdtemp(prefix="amc-bench-cold-")),
                              warm_neighbours=False))  # truly cold: nothing fitted behind the measurement
    cb, tab, features = app.callbacks, "tab-visualizations", list(DEFAULT_FEATURES)
    view = cb["update_view"]("default", 4, "kmeans", features, None, None)
    figure, _, drawn = cb["update_pca"](view, False, tab, None)  # the scatter once, as the page load does
    print(f"  a full scatter figure: {len(to_json_plotly(figure)) / 1024:.0f} KB (uncompressed)")
    cold, warm = [], []
    for k in range(5, 13):
        before = drawn  # both passes recolour from the previous k's scatter, as the page does
        for bucket in (cold, warm):
            started = time.perf_counter()
            view = cb["update_view"]("default", k, "kmeans", features, None, None)
            cb["update_status"](view)
            cb["update_heatmap"](view, tab, False)
            cb["update_bars"](view, ["energy", "valence"], tab, False)
            drawn = cb["update_pca"](view, False, tab, before)[2]
            bucket.append(time.perf_counter() - started)
    print("  recluster callbacks on the scatter tab (view, status, heatmap, bars, scatter), k=5..12: "
          f"cold median {statistics.median(cold):.2f} s, "
          f"cached median {statistics.median(warm) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=95_837)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--cold-steps", type=int, default=8)
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between cold slider steps")
    args = parser.parse_args()
    cache_dir = tempfile.mkdtemp(prefix="amc-bench-")
    sys.path.insert(0, str(ROOT))
    print(f"# Dashboard benchmark: {args.songs:,} demo songs, gunicorn (2 workers), headless Chromium")
    env = {"PORT": str(args.port), "CACHE_DIR": cache_dir, "DEMO_SONGS": str(args.songs), "SONGS_CSV": ""}
    server = start_server(args.port, env)
    try:
        print("## k changes, warm cache")
        browser_figures(f"http://127.0.0.1:{args.port}", args.changes)
    finally:
        stop_server(server)
    cold: dict[str, list[dict]] = {}
    for warming in ("0", "1"):  # fresh server and cache each: without, then with warming the neighbours
        env = {**env, "CACHE_DIR": tempfile.mkdtemp(prefix="amc-bench-cold-"), "WARM_NEIGHBOURS": warming}
        server = start_server(args.port, env)
        try:
            cold[warming] = cold_steps(f"http://127.0.0.1:{args.port}", args.cold_steps, args.pause)
        finally:
            stop_server(server)
    for warming, label in (("0", "no warming: every k new to the server"), ("1", "warming the neighbours")):
        print(f"## {args.cold_steps} slider steps on a fresh cache, {args.pause:g} s apart, {label}")
        summarise(cold[warming], bytes_too=False)
    done = statistics.median(r["end_to_end"] for r in cold["1"]) / 1000
    print(f"  against the Streamlit peer's Run-to-done, {PEER_RUN_TO_DONE_SECONDS} s ({PEER_MEASURED}): "
          f"{PEER_RUN_TO_DONE_SECONDS / done:.1f}x faster (scatter redrawn, median)")
    server_times(args.songs)


if __name__ == "__main__":
    main()
