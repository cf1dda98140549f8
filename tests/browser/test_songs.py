"""Songs in a real browser: the tooltip on the point, search, similar songs, selections, legend,
colour by, genres. What a person sees is what is asserted: where the tooltip lands, what a
selection lists."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from data import load_catalogue
from tests.browser.conftest import BROWSER_SONGS
from tests.browser.helpers import open_page

pytestmark = pytest.mark.browser
PLOT = "document.querySelector('#graph-pca .js-plotly-plot')"


def point_position(page, row: int, trace: int = 0) -> tuple[float, float]:
    """Where a song's point is on the screen (page pixels)."""
    return tuple(page.evaluate(f"""([row, trace]) => {{
        const gd = {PLOT}, xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
        const t = gd._fullData[trace];
        return [r.left + xa._offset + xa.l2p(t.x[row]), r.top + ya._offset + ya.l2p(t.y[row])];
    }}""", [row, trace]))


def open_scatter(page, server, query: str = "") -> None:
    open_page(page, server, "?tab=visualizations" + query)
    page.wait_for_function(f"{PLOT} && {PLOT}._fullData && {PLOT}._fullData[0] && {PLOT}._fullData[0]._length > 0")


def choose(page, text: str, option: str) -> None:
    """Type into the song search and pick the option that contains ``option``."""
    page.click("#input-song-search")
    page.locator(".dash-dropdown-search").press_sequentially(text)  # into the opened search box
    page.locator("[role=option]", has_text=option).first.click()


@pytest.fixture(scope="module")
def catalogue():
    """The catalogue the browser server shows (the same deterministic demo)."""
    return load_catalogue(None, demo_songs=BROWSER_SONGS)


#: Rows of three points: the one nearest the middle of the cloud, its rightmost, its leftmost.
PLACES = f"""() => {{
    const t = {PLOT}._fullData[0], xs = Array.from(t.x), ys = Array.from(t.y);
    const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
    let middle = 0, right = 0, left = 0, best = Infinity;
    xs.forEach((x, i) => {{
        const d = (x - mx) ** 2 + (ys[i] - my) ** 2;
        if (d < best) {{ best = d; middle = i; }}
        if (x > xs[right]) right = i;
        if (x < xs[left]) left = i;
    }});
    return [middle, right, left];
}}"""


@pytest.mark.parametrize(("place", "width"), [(0, 1400), (1, 1400), (2, 1400), (1, 390), (2, 390)])
def test_hover_tooltip_lands_on_the_point_with_its_text_inside(page, page_at, server, place, width):
    if width != 1400:
        page = page_at(width, 844)
    open_scatter(page, server)
    row = page.evaluate(PLACES)[place]
    page.locator("#graph-pca").scroll_into_view_if_needed()
    x, y = point_position(page, row)
    page.mouse.move(x, y)
    tooltip = page.locator(".dash-tooltip .song-tooltip")
    tooltip.wait_for(state="visible")
    box = page.locator(".dash-tooltip .hover-content").first.bounding_box()  # the visible box, bordered
    # The nearest edge of the tooltip to the point: within 30 px (it used to land by the controls).
    dx = max(box["x"] - x, 0, x - (box["x"] + box["width"]))
    dy = max(box["y"] - y, 0, y - (box["y"] + box["height"]))
    assert (dx ** 2 + dy ** 2) ** 0.5 <= 30, (x, y, box)
    # Every line of text stays inside the tooltip's box.
    for line in tooltip.locator(":scope > div").all():
        inner = line.bounding_box()
        assert inner["y"] + inner["height"] <= box["y"] + box["height"] + 1
        assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 1
    # On screen, at either edge of the plot and on a phone: it opens towards the wider side.
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)


def test_search_marks_the_song_and_lists_its_exact_neighbours(page, server, catalogue):
    from clustering.engine import Engine

    open_scatter(page, server)
    choose(page, "track 0042", "Demo Track 0042")
    page.wait_for_selector("#table-similar-songs tbody tr")
    rows = page.locator("#table-similar-songs tbody tr")
    assert rows.count() == 10
    assert "Demo Track 0042" in page.inner_text("#panel-song")
    # Ringed on the scatter: the overlay's first point sits on the song, then its 10 neighbours.
    page.wait_for_function(f"{PLOT}.data[1].x.length === 11")
    overlay = page.evaluate(f"[{PLOT}.data[1].customdata, {PLOT}.data[1].x[0], {PLOT}._fullData[0].x[41]]")
    assert overlay[0][0] == 41 and overlay[1] == pytest.approx(overlay[2], abs=1e-3)
    # The listed songs are the exact nearest neighbours (brute force here, on the same features).
    engine = Engine(catalogue)
    x = engine.matrix(engine.features())
    distances = np.linalg.norm(x - x[41], axis=1)
    distances[41] = np.inf
    expected = np.argsort(distances, kind="stable")[:10]
    listed = [row.locator("td").nth(1).inner_text() for row in rows.all()]
    assert listed == [s["title"] for s in catalogue.songs(expected)]
    shown = [float(row.locator("td").nth(6).inner_text()) for row in rows.all()]
    assert shown == pytest.approx(distances[expected], abs=0.006)
    # Same cluster only: every neighbour in the song's cluster.
    page.get_by_text("Similar songs from the same cluster only").click()
    page.wait_for_function("document.querySelector('#panel-song').innerText.includes('in its cluster')")
    cluster = re.search(r"In cluster (\d+):", page.inner_text("#panel-song")).group(1)
    cells = [row.locator("td").nth(4).inner_text() for row in page.locator("#table-similar-songs tbody tr").all()]
    assert cells and all(cell.startswith(f"{cluster}:") for cell in cells)
    # The playlist downloads as CSV: the song first, then its neighbours.
    with page.expect_download() as download:
        page.click("#button-export-similar")
    text = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("position,id,title") and len(text) == 12 and "Demo Track 0042" in text[1]


def test_a_similar_song_clicked_in_the_table_becomes_the_chosen_song(page, server, catalogue):
    open_scatter(page, server)
    choose(page, "track 0042", "Demo Track 0042")
    link = page.locator("#table-similar-songs tbody tr").nth(2).locator(".link-button")
    title = link.inner_text()
    link.click()
    page.wait_for_function(f"document.querySelector('#panel-song .fw-semibold').innerText === {title!r}")
    assert title in page.inner_text("#input-song-search")
    page.wait_for_selector("#table-similar-songs tbody tr")
    rows = page.locator("#table-similar-songs tbody tr").all()
    assert title not in [row.locator("td").nth(1).inner_text() for row in rows]


def test_clicking_a_point_chooses_that_song(page, server, catalogue):
    open_scatter(page, server)
    x, y = point_position(page, 7)
    page.mouse.click(x, y)
    page.wait_for_selector("#table-similar-songs tbody tr")
    title = catalogue.songs([7])[0]["title"]
    assert title in page.inner_text("#panel-song")
    assert title in page.inner_text("#input-song-search")


def test_searching_an_artist_shows_the_clusters_their_songs_span(page, server, catalogue):
    open_scatter(page, server)
    artist = catalogue.songs([3])[0]["artist"]
    choose(page, artist.lower(), f"Artist: {artist}")
    page.wait_for_function("document.querySelector('#panel-song').innerText.includes('Spans')")
    count = int((catalogue.column("artist") == artist).sum())
    assert f"{count} song" in page.inner_text("#panel-song")
    page.wait_for_function(f"{PLOT}.data[1].x.length === {count}")


def test_box_selection_lists_exactly_the_songs_inside_it(page, server):
    open_scatter(page, server)
    page.evaluate(f"Plotly.relayout({PLOT}, {{dragmode: 'select'}})")
    area = page.locator("#graph-pca .nsewdrag").bounding_box()
    x0, y0 = area["x"] + area["width"] * 0.4, area["y"] + area["height"] * 0.35
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 90, y0 + 70, steps=8)
    page.mouse.up()
    page.wait_for_selector("#panel-selection [data-count]")
    listed = int(page.get_attribute("#panel-selection [data-count]", "data-count"))
    # The songs inside the drawn box, counted here from the points' own coordinates.
    inside = page.evaluate(f"""() => {{
        const gd = {PLOT}, s = gd._fullLayout.selections[0], t = gd._fullData[0];
        const [xl, xh] = [Math.min(s.x0, s.x1), Math.max(s.x0, s.x1)];
        const [yl, yh] = [Math.min(s.y0, s.y1), Math.max(s.y0, s.y1)];
        let n = 0;
        for (let i = 0; i < t._length; i++) if (t.x[i] >= xl && t.x[i] <= xh && t.y[i] >= yl && t.y[i] <= yh) n++;
        return n;
    }}""")
    assert listed == inside > 0
    assert page.locator("#table-selection tbody tr").count() == min(inside, 100)
    assert not page.locator("#button-export-selection").is_disabled()
    with page.expect_download() as download:
        page.click("#button-export-selection")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == inside + 1 and lines[0].endswith("cluster,cluster_name")


def test_legend_isolates_a_cluster_and_brings_all_back(page, server):
    open_scatter(page, server)
    scale = f"{PLOT}.data[0].marker.colorscale"
    before = page.evaluate(scale)
    page.locator("#legend-clusters .legend-item").nth(1).click()
    page.wait_for_function(f"JSON.stringify({scale}).includes('0.12')")
    colours = [step[1] for step in page.evaluate(scale)[::2]]
    assert colours[1] == before[2][1] and all("0.12" in c for i, c in enumerate(colours) if i != 1)
    assert "legend-focused" in page.get_attribute("#legend-clusters .legend-item >> nth=1", "class")
    page.locator("#legend-clusters .legend-item").nth(1).click()
    page.wait_for_function(f"!JSON.stringify({scale}).includes('0.12')")
    assert page.evaluate(scale) == before


def test_colour_by_genre_family_shows_its_key(page, server):
    open_scatter(page, server)
    page.click("#dropdown-colour-by")
    page.locator("[role=option]", has_text="Genre family").click()
    page.wait_for_function(f"{PLOT}._fullData[0].marker.showscale === true")
    ticks = page.evaluate(f"{PLOT}._fullData[0].marker.colorbar.ticktext")
    assert "rock" in ticks and "spoken word" in ticks
    # The cluster legend's colours no longer match the points: they are hidden.
    swatch = page.locator("#legend-clusters .legend-item .swatch").first
    page.wait_for_function("getComputedStyle(document.querySelector('#legend-clusters .swatch')).visibility"
                           " === 'hidden'")
    assert not swatch.is_visible()
    # Back to clusters: the colour key goes, the cluster colours return.
    page.click("#dropdown-colour-by")
    page.locator("[role=option]", has_text="Cluster").first.click()
    page.wait_for_function(f"{PLOT}._fullData[0].marker.showscale === false")


def test_silhouette_selection_lists_the_songs_dragged_over(page, server):
    open_page(page, server, "?tab=find-k")
    page.wait_for_selector("#graph-silhouette .nsewdrag")
    page.locator("#graph-silhouette").scroll_into_view_if_needed()
    area = page.locator("#graph-silhouette .nsewdrag").bounding_box()
    y0 = area["y"] + area["height"] * 0.5
    page.mouse.move(area["x"] + 5, y0)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] - 5, y0 + 30, steps=6)
    page.mouse.up()
    page.wait_for_function("document.getElementById('table-worst-songs').innerText.includes('selected songs')")
    selected = page.evaluate("document.querySelector('#graph-silhouette .js-plotly-plot').data"
                             ".reduce((n, t) => n + (t.selectedpoints || []).length, 0)")
    assert f"Worst fitting of {selected:,} selected songs" in page.inner_text("#table-worst-songs")


def test_genres_against_clusters_and_where_a_family_falls(page, server):
    open_page(page, server, "?tab=insights&k=5")
    page.wait_for_selector("#graph-genre-cluster .main-svg")
    columns = page.evaluate("document.querySelector('#graph-genre-cluster .js-plotly-plot').data[0].x.length")
    assert columns == 5
    page.click("#dropdown-genre")
    page.locator("[role=option]", has_text="spoken word (family)").click()
    page.wait_for_function("(document.querySelector('#graph-genre-spread .gtitle') || {}).textContent"
                           "?.includes('spoken word family')")
    bars = page.evaluate("Array.from(document.querySelector('#graph-genre-spread .js-plotly-plot')._fullData[0].y)")
    assert len(bars) == 5 and sum(bars) > 0
