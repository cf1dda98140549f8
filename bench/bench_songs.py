"""Songs benchmark: search, similar songs, a highlight's bytes and hover in headless Chromium.
Prints figures, asserts nothing (not part of the test run).

    python -m bench.bench_songs                              # 95,837 and 1,000,000 demo songs
    python -m bench.bench_songs --sizes 95837 --repeat 7 --no-browser

Bars (issue "Songs, not only clusters"): search <= 100 ms and neighbours <= 50 ms at 95,837
songs, neighbours <= 300 ms at 1,000,000 (medians); a highlight sends <= 10 KB; hover <= 50 ms a
move at 1,000,000 points. Hover is timed in the page as plotly's own hover call (one per move,
spaced past plotly's 50 ms throttle), with the app's hover distance limit and, in the same run,
without it (plotly's unlimited setting) for the ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from dash import Patch
from sklearn.metrics import pairwise_distances

from bench.harness import free_port, launch_chromium, start_server, stop_server
from clustering.cache import ResultCache
from clustering.engine import Engine
from data.demo import demo_catalogue
from layouts.figures import HOVER_DISTANCE_PX, highlight_update

TYPED = "demo track 01234"
QUERIES = ("track 0042", "demo track 1234", "artist 0014", "track 9", "artist 00077 track", "no such song")


def median_ms(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {1000 * statistics.median(times):7.1f} ms, p95 {1000 * p95:7.1f} ms ({len(times)} runs)"


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def bench_engine(n: int, repeat: int) -> None:
    built, catalogue = timed(lambda: demo_catalogue(n))
    print(f"\n## {n:,} demo songs (generated in {built:.1f} s)")
    engine = Engine(catalogue, ResultCache(None))
    first, _ = timed(lambda: engine.search().search("warm up"))
    searches = [timed(lambda q=q: engine.search().search(q))[0] for _ in range(repeat) for q in QUERIES]
    print(f"  search ({len(QUERIES)} queries x {repeat}):  {median_ms(searches)}; "
          f"the first search builds the index: {first:.2f} s")
    typed = []
    for _ in range(repeat):  # a person typing: each keystroke's query extends the last one
        engine.search().songs.forget()
        engine.search().artist_matcher.forget()
        typed += [timed(lambda q=TYPED[:i]: engine.search().search(q))[0] for i in range(2, len(TYPED) + 1)]
    print(f"  search while typing {TYPED!r}, one key at a time: {median_ms(typed)}")
    features = engine.features()
    result = engine.cluster("kmeans", 4, features, scored=False)
    rows = np.random.default_rng(0).choice(n, size=20, replace=False)
    first, _ = timed(lambda: engine.similar(int(rows[0]), features))
    overall = [timed(lambda r=r: engine.similar(int(r), features))[0] for _ in range(repeat) for r in rows]
    inside = [timed(lambda r=r: engine.similar(int(r), features, within_cluster=result))[0]
              for _ in range(repeat) for r in rows]
    print(f"  10 similar songs, all songs:    {median_ms(overall)}; the first builds the index: {first:.2f} s")
    print(f"  10 similar songs, same cluster: {median_ms(inside)}")
    x = engine.matrix(features)
    exact = 0
    for r in rows:
        distances = pairwise_distances(x[[int(r)]], x)[0]
        distances[int(r)] = np.inf
        expected = np.argsort(distances, kind="stable")[:10]
        found = engine.similar(int(r), features)
        exact += [f.row for f in found] == expected.tolist() and np.allclose([f.distance for f in found],
                                                                             distances[expected])
    print(f"  exact (same songs and distances as brute force): {exact} of {len(rows)} queries")
    coordinates = engine.projection(features).coordinates
    patch = Patch()
    for key, value in highlight_update(coordinates, [int(rows[0])] + [f.row for f in found], True).items():
        patch["data"][1][key] = value
    print(f"  a highlighted song and its 10 neighbours: {len(json.dumps(patch.to_plotly_json())):,} bytes "
          "(the scatter's Patch)")


HOVER_SCRIPT = """async ([moves, seed]) => {
    const gd = document.querySelector('#graph-pca .js-plotly-plot');
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    let state = seed;
    const random = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
    const times = [];
    for (let i = 0; i < moves; i++) {
        await new Promise(resolve => setTimeout(resolve, 70));  // past plotly's 50 ms hover throttle
        const event = {xpx: random() * xa._length, ypx: random() * ya._length};
        const started = performance.now();
        Plotly.Fx.hover(gd, event, 'xy');
        times.push(performance.now() - started);
    }
    Plotly.Fx.unhover(gd);
    return times;
}"""


def bench_hover(n: int, moves: int) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as cache:
        env = {"PORT": str(port), "CACHE_DIR": cache, "DEMO_SONGS": str(n), "WEB_CONCURRENCY": "1",
               "SONGS_CSV": "", "WARM_NEIGHBOURS": "0"}
        log = Path(cache) / "server.log"
        started = time.perf_counter()
        server = start_server(port, env, log, seconds=600)
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/?tab=visualizations", timeout=600_000)
                page.wait_for_function("(() => { const gd = document.querySelector('#graph-pca .js-plotly-plot');"
                                       " const t = gd && gd._fullData && gd._fullData[0];"
                                       f" return t && t._length === {n}; }})()", timeout=600_000)
                print(f"  hover at {n:,} points (page up in {time.perf_counter() - started:.0f} s, "
                      f"{moves} moves at random places over the plot):")
                plot = page.query_selector("#graph-pca .js-plotly-plot")
                limited = [t / 1000 for t in page.evaluate(HOVER_SCRIPT, [moves, 7])]
                # The layout before this limit: plotly's own defaults for hover mode and distances.
                page.evaluate("gd => Plotly.relayout(gd, {hovermode: null, hoverdistance: null, "
                              "spikedistance: null})", plot)
                defaults = [t / 1000 for t in page.evaluate(HOVER_SCRIPT, [moves, 7])]
                page.evaluate("gd => Plotly.relayout(gd, {hovermode: 'closest', hoverdistance: -1, "
                              "spikedistance: -1})", plot)
                unlimited = [t / 1000 for t in page.evaluate(HOVER_SCRIPT, [moves, 7])]
                browser.close()
        finally:
            stop_server(server)
    print(f"    the app ({HOVER_DISTANCE_PX} px limit): {median_ms(limited)}")
    app = max(statistics.median(limited), 1e-6)
    for label, times in (("plotly's defaults (before):", defaults), ("no limit (plotly -1):", unlimited)):
        print(f"    {label:<30}{median_ms(times)}; {statistics.median(times) / app:.0f}x the app's median")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="95837,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--no-browser", action="store_true", help="skip hover in Chromium")
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        bench_engine(n, args.repeat)
        if not args.no_browser:
            bench_hover(n, args.moves)


if __name__ == "__main__":
    main()
