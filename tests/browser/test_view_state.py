"""One resolved view state, tried as a person would in a real browser: every view agrees with the
controls, through links, Back, Reset, uploads and reloads, and a refused request says why.

Each test reproduces a bug a person saw (issue "One resolved view state") and failed on the code
before the fix.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    axis_title,
    effective_opacity,
    open_page,
    press_k,
    set_k,
    show_tab,
    slider_value,
    status,
    wait_status,
)

pytestmark = pytest.mark.browser


def test_back_after_reset_rebuilds_the_projection_of_the_restored_features(page, server):
    open_page(page, server, "?k=6&features=energy,valence,tempo&tab=visualizations")
    wait_status(page, "k = 6, on 3 features")
    page.wait_for_function("() => { const gd = document.querySelector('#graph-pca .js-plotly-plot');"
                           " return gd && gd._fullLayout && gd._fullLayout.xaxis; }")
    three_features = axis_title(page)
    three_caption = page.inner_text("#caption-pca")
    page.click("#button-reset")
    wait_status(page, "k = 4, on 10 features")
    page.wait_for_function(f"document.querySelector('#graph-pca .js-plotly-plot')._fullLayout.xaxis.title.text"
                           f" !== {three_features!r}")
    page.go_back()
    wait_status(page, "k = 6, on 3 features")
    page.wait_for_function(f"document.querySelector('#graph-pca .js-plotly-plot')._fullLayout.xaxis.title.text"
                           f" === {three_features!r}", timeout=15_000)
    page.wait_for_function(f"document.getElementById('caption-pca').innerText === {three_caption!r}")
    assert slider_value(page) == 6


def test_back_to_the_first_entry_restores_k(page, server):
    open_page(page, server)
    wait_status(page, "k = 4,")
    set_k(page, 6)
    wait_status(page, "k = 6,")
    page.wait_for_function("window.location.search.includes('k=6')")
    page.go_back()
    wait_status(page, "k = 4,", timeout=15_000)
    assert slider_value(page) == 4


def test_reset_restores_every_default(page, server):
    open_page(page, server, "?k=9&algorithm=agglomerative&features=energy,tempo&tab=find-k")
    wait_status(page, "Agglomerative (Ward), k = 9, on 2 features")
    page.fill("#input-k-min", "3")
    page.click("#button-reset")
    wait_status(page, "K-Means, k = 4, on 10 features")
    assert slider_value(page) == 4
    assert page.is_checked("#radio-algorithm input[value=kmeans]")
    assert page.locator("#checklist-features input:checked").count() == 10
    assert page.input_value("#input-k-min") == "2"
    # Reset is about the clustering, not where the person is: the tab stays.
    assert "active" in page.get_by_role("tab", name="Find k").get_attribute("class")
    page.wait_for_function("window.location.search.includes('k=4') && window.location.search.includes('kmeans')")


@pytest.mark.parametrize(("low", "high", "reason"), [
    ("10", "5", "larger than"),
    ("1", "20", "between 2 and 15"),
    ("2", "16", "between 2 and 15"),
    ("", "12", "both ends"),
    ("2.5", "6", "whole numbers"),
])
def test_an_invalid_k_range_says_why_and_cannot_run(page, server, low, high, reason):
    open_page(page, server, "?tab=find-k")
    page.fill("#input-k-min", low)
    page.fill("#input-k-max", high)
    page.wait_for_function(f"document.getElementById('sweep-status').innerText.includes({reason!r})",
                           timeout=10_000)
    assert page.is_disabled("#button-find-k")


def test_a_cancelled_sweep_says_so_and_leaves_no_results_for_other_settings(page, server):
    open_page(page, server, "?tab=find-k&features=energy,valence,tempo,danceability")
    page.fill("#input-k-min", "2")
    page.fill("#input-k-max", "4")
    page.click("#button-find-k")
    page.wait_for_function("document.getElementById('text-recommendation').innerText.includes('Recommended k')",
                           timeout=60_000)
    assert not page.is_disabled("#button-use-k")
    # Other settings: the sweep above no longer describes them.
    page.locator("#checklist-features").get_by_label("acousticness").check()
    wait_status(page, "on 5 features")
    page.wait_for_function("document.getElementById('button-use-k').disabled", timeout=10_000)
    assert "4 features" in page.inner_text("#text-recommendation")
    # A long sweep, cancelled at once: it says so, and the old charts are gone.
    page.fill("#input-k-max", "15")
    page.click("#button-find-k")
    page.wait_for_selector("#button-cancel-sweep:not([disabled])")
    page.click("#button-cancel-sweep")
    page.wait_for_function("document.getElementById('sweep-status').innerText.toLowerCase().includes('cancelled')",
                           timeout=30_000)
    page.wait_for_selector("#button-find-k:not([disabled])")
    assert "Recommended k" not in page.inner_text("#text-recommendation")
    assert page.is_disabled("#button-use-k")
    assert not page.is_disabled("#fieldset-controls")


SLOW_FETCH = """
// When window.__slow is set, answers for the cluster views arrive 2.5 s late, as a cold fit of a
// large catalogue would; the page's own immediate feedback is what the test looks at meanwhile.
const realFetch = window.fetch;
window.fetch = async (...args) => {
  const response = await realFetch(...args);
  const body = args[1] && typeof args[1].body === 'string' ? args[1].body : '';
  if (window.__slow && String(args[0]).includes('_dash-update-component')
      && /status-area|graph-pca|legend-clusters|panel-/.test(body)) {
    await new Promise(resolve => setTimeout(resolve, 2500));
  }
  return response;
};
"""
WATCH = """
() => {
  window.__seen = {statuses: [], hiddenScatter: 0, legendOpacity: []};
  const step = () => {
    const s = document.getElementById('status-area');
    const text = s ? s.innerText : '';
    if (window.__seen.statuses[window.__seen.statuses.length - 1] !== text) window.__seen.statuses.push(text);
    const graph = document.querySelector('#graph-pca .main-svg');
    if (!graph || !graph.checkVisibility({visibilityProperty: true})) window.__seen.hiddenScatter += 1;
    window.__seen.frame = requestAnimationFrame(step);
  };
  step();
}
"""


def test_a_new_k_says_computing_at_once_and_dims_old_views_instead_of_blanking(page, server):
    page.add_init_script(SLOW_FETCH)
    open_page(page, server, "?k=4&tab=visualizations")
    page.wait_for_selector("#graph-pca .main-svg")
    wait_status(page, "k = 4,")
    page.wait_for_timeout(500)
    page.evaluate("window.__slow = true")
    page.evaluate(WATCH)
    set_k(page, 12)
    page.wait_for_timeout(800)
    pending = status(page)
    assert "k = 12" in pending and "omputing" in pending, pending
    assert effective_opacity(page, "#legend-clusters") < 0.7
    wait_status(page, "K-Means, k = 12,", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#legend-clusters .legend-item').length === 12")
    seen = page.evaluate("window.__seen")
    assert seen["hiddenScatter"] == 0, "the scatter was blanked while k = 12 was computed"
    page.wait_for_function("""() => { let el = document.getElementById('legend-clusters'), v = 1;
        while (el && el.nodeType === 1) { v *= parseFloat(getComputedStyle(el).opacity); el = el.parentElement; }
        return v === 1; }""", timeout=5_000)


def test_one_feature_keeps_old_views_dimmed_and_labelled(page, server):
    open_page(page, server, "?k=4&features=energy,valence,tempo&tab=visualizations")
    wait_status(page, "on 3 features")
    page.wait_for_selector("#graph-heatmap .main-svg")
    checklist = page.locator("#checklist-features")
    checklist.get_by_label("valence").uncheck()
    wait_status(page, "on 2 features")
    checklist.get_by_label("tempo").uncheck()
    page.wait_for_function("document.getElementById('status-area').innerText.includes('at least two features')")
    text = status(page)
    assert re.search(r"k = 4,? on 2 features", text), text  # what the views below still show
    for selector in ("#legend-clusters", "#graph-heatmap", "#graph-bars", "#graph-pca"):
        assert effective_opacity(page, selector) < 0.7, selector


def test_a_tab_opened_while_a_request_is_refused_shows_what_the_status_says(page, server):
    open_page(page, server, "?k=5&features=energy,valence&tab=visualizations")
    wait_status(page, "k = 5, on 2 features")
    page.locator("#checklist-features").get_by_label("valence").uncheck()
    page.wait_for_function("document.getElementById('status-area').innerText.includes('at least two features')")
    assert "still show K-Means, k = 5, on 2 features" in page.inner_text("#status-area")
    show_tab(page, "Overview")
    page.wait_for_function("document.querySelectorAll('#panel-overview .cluster-card').length === 5")
    show_tab(page, "Metrics")
    page.wait_for_selector("#panel-metrics .metric-value")


def test_uploaded_catalogue_survives_a_reload(page, server, tmp_path):
    rows = ["track_name,artists,energy,valence,tempo,danceability"]
    rows += [f"Upload song {i},Band {i % 7},{(i * 37 % 100) / 100:.2f},{(i * 53 % 100) / 100:.2f},"
             f"{90 + i % 60},{(i * 11 % 100) / 100:.2f}" for i in range(300)]
    path = tmp_path / "my_songs.csv"
    path.write_text("\n".join(rows) + "\n")
    open_page(page, server)
    page.set_input_files("#upload-csv input[type=file]", str(path))
    wait_status(page, "300 songs", timeout=30_000)
    assert "my_songs.csv" in page.inner_text("#data-source")
    page.reload()
    wait_status(page, "300 songs", timeout=30_000)
    assert "my_songs.csv" in page.inner_text("#data-source")
    assert "300 songs" in page.inner_text("#data-source")
    labels = page.locator("#checklist-features label").all_inner_texts()
    assert sorted(label.strip() for label in labels) == ["danceability", "energy", "tempo", "valence"]
    assert "Unknown feature" not in status(page)


def test_switching_to_agglomerative_shows_something_at_once_and_honest_progress(page, fresh_server):
    big = fresh_server(DEMO_SONGS="40000")
    open_page(page, big, "?k=4&tab=overview")
    wait_status(page, "K-Means, k = 4,", timeout=60_000)
    started = page.evaluate("performance.now()")
    page.get_by_text("Agglomerative (Ward)").click()
    page.wait_for_function("document.getElementById('status-area').innerText.includes('Agglomerative')"
                           " && document.querySelectorAll('#legend-clusters .legend-item').length === 4"
                           " && !document.getElementById('status-area').innerText.includes('omputing')",
                           timeout=10_000)
    shown_after = page.evaluate("performance.now()") - started
    assert shown_after < 2_000, f"nothing shown for {shown_after:.0f} ms"
    # Until the exact tree exists, the page says what it shows instead; the bar never passes 100%.
    page.wait_for_selector("#tree-progress .progress-bar")
    for _ in range(20):
        bar = page.query_selector("#tree-progress .progress-bar")
        if bar is None:  # the exact tree is built
            break
        assert float(bar.get_attribute("aria-valuenow") or 0) <= 100
        banner = page.inner_text("#tree-progress")
        match = re.search(r"(\d+) s of about (\d+) s", banner)
        if match:
            assert int(match.group(1)) <= int(match.group(2)), banner
        page.wait_for_timeout(500)
    # Once the tree exists, the view switches to exact Ward by itself.
    page.wait_for_function("!document.getElementById('status-area').innerText.includes('placeholder')",
                           timeout=120_000)
    assert page.locator("#legend-clusters .legend-item").count() == 4


REQUESTS = """
window.__outputs = [];
const originalFetch = window.fetch;
window.fetch = (...args) => {
  if (String(args[0]).includes('_dash-update-component') && args[1] && typeof args[1].body === 'string') {
    window.__outputs.push(JSON.parse(args[1].body).output);
  }
  return originalFetch(...args);
};
"""


def test_a_new_k_asks_the_server_only_for_what_is_on_screen(page, server):
    page.add_init_script(REQUESTS)
    open_page(page, server, "?k=4&tab=visualizations")
    page.wait_for_selector("#graph-pca .main-svg")
    page.wait_for_timeout(1_000)
    page.evaluate("window.__outputs = []")
    press_k(page, "ArrowRight")
    wait_status(page, "K-Means, k = 5,")
    page.wait_for_function("document.querySelectorAll('#legend-clusters .legend-item').length === 5")
    page.wait_for_timeout(1_000)
    asked = " ".join(page.evaluate("window.__outputs"))
    for shown in ("store-view", "status-shown", "graph-pca", "graph-heatmap", "graph-bars"):
        assert shown in asked, shown
    for hidden in ("panel-overview", "panel-metrics", "panel-insights", "graph-silhouette", "graph-dendrogram",
                   "table-worst-songs", "graph-k-sweep"):
        assert hidden not in asked, hidden
    show_tab(page, "Metrics")  # opening a tab brings it up to date
    page.wait_for_function("document.getElementById('panel-metrics').innerText.includes('k = 5') || "
                           "document.querySelectorAll('#table-profile tbody tr').length === 5")
