"""The dashboard in a real browser: load, move k, switch algorithm, untick a feature, export."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.browser.conftest import BROWSER_SONGS
from tests.browser.helpers import legend_count, open_page, show_tab, status

pytestmark = pytest.mark.browser


def test_page_loads_every_tab_without_console_errors(page, server):
    open_page(page, server)
    assert "k = 4, on 10 features" in status(page) and "demo data" in status(page)
    assert page.locator("#panel-overview .cluster-card").count() == 4
    show_tab(page, "Metrics")
    page.wait_for_selector("#panel-metrics .metric-value")
    assert re.search(r"sample of [\d,]+ songs", page.inner_text("#panel-metrics"))
    show_tab(page, "Visualizations")
    page.wait_for_selector("#graph-pca .main-svg")
    page.wait_for_selector("#graph-heatmap .main-svg")
    page.wait_for_selector("#graph-bars .main-svg")
    show_tab(page, "Insights & Export")
    page.wait_for_selector("#panel-insights .cluster-card")
    assert page.console_log.errors() == []


def test_moving_k_changes_the_clusters_shown(page, server):
    open_page(page, server, "?tab=visualizations")
    page.wait_for_selector("#graph-pca .main-svg")
    assert legend_count(page) == 4
    thumb = page.locator("#slider-k [role=slider]")
    thumb.focus()
    for _ in range(3):
        thumb.press("ArrowRight")
    page.wait_for_function("document.querySelectorAll('#legend-clusters .legend-item').length === 7")
    assert "k = 7" in status(page)
    page.wait_for_function("window.location.search.includes('k=7')")
    # The scatter keeps every song and is recoloured, not rebuilt.
    points = page.evaluate("document.getElementById('graph-pca').querySelector('.js-plotly-plot')"
                           "._fullData[0]._length")
    assert points == BROWSER_SONGS
    assert page.console_log.errors() == []


def test_switching_algorithm_and_unticking_a_feature_refit(page, server):
    open_page(page, server)
    page.get_by_text("Agglomerative (Ward)").click()
    page.wait_for_function("document.getElementById('status-area').innerText.includes('Agglomerative')")
    # The exact tree of 6,000 songs builds in about a second; the preview badge then goes away.
    page.wait_for_function("!document.getElementById('status-area').innerText.includes('preview')", timeout=60_000)
    assert page.locator("#panel-overview .cluster-card").count() == 4
    page.locator("#checklist-features").get_by_label("tempo").uncheck()
    page.wait_for_function("document.getElementById('status-area').innerText.includes('on 9 features')")
    page.wait_for_function("window.location.search.includes('algorithm=agglomerative')")
    assert "tempo" not in page.evaluate("window.location.search").split("features=")[1].split("&")[0]
    assert page.console_log.errors() == []


def test_link_reopens_the_view(page, server):
    open_page(page, server, "?k=6&algorithm=kmeans&features=energy,valence,danceability&tab=metrics")
    page.wait_for_function("document.getElementById('status-area').innerText.includes('k = 6')")
    assert "on 3 features" in status(page)
    page.wait_for_selector("#panel-metrics .metric-value")
    assert page.get_by_role("tab", name="Metrics").get_attribute("class").count("active") == 1


def test_too_few_features_gives_a_message_not_an_error(page, server):
    open_page(page, server, "?features=energy,valence")
    page.wait_for_function("document.getElementById('status-area').innerText.includes('on 2 features')")
    page.locator("#checklist-features").get_by_label("valence").uncheck()
    page.wait_for_selector("#status-area .alert")
    assert "at least two features" in page.inner_text("#status-area .alert")
    assert page.console_log.errors() == []


def test_csv_download_has_one_row_per_song_and_cluster_columns(page, server, tmp_path):
    open_page(page, server, "?k=5&tab=insights")
    page.wait_for_selector("#panel-insights .cluster-card")
    with page.expect_download() as download_info:
        page.get_by_text("Download clustered songs (CSV)").click()
    path = tmp_path / "songs.csv"
    download_info.value.save_as(path)
    frame = pd.read_csv(path)
    assert len(frame) == BROWSER_SONGS
    assert {"cluster", "cluster_name", "id_songs", "name_song", "genres"} <= set(frame.columns)
    assert sorted(frame["cluster"].unique()) == [0, 1, 2, 3, 4]
    assert frame.groupby("cluster")["cluster_name"].nunique().max() == 1
