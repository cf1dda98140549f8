"""The page as a person uses it: keyboard, small screens, long pages, wide tables, dark rooms."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.browser.helpers import open_page, press_k, show_tab, wait_status

pytestmark = pytest.mark.browser


def test_the_page_says_its_language(page, server):
    open_page(page, server)
    assert page.evaluate("document.documentElement.lang") == "en"


def test_tabs_are_reachable_and_usable_by_keyboard(page, server):
    open_page(page, server)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('role')") == "tab":
            break
    else:
        pytest.fail("no tab could be reached with the Tab key")
    assert page.evaluate("document.activeElement.innerText") == "Overview"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_function("window.location.search.includes('tab=metrics')")
    page.wait_for_selector("#panel-metrics .metric-value")


def test_the_controls_stay_on_screen_while_the_views_scroll(page, server):
    open_page(page, server, "?tab=visualizations")
    page.wait_for_selector("#graph-bars .main-svg")
    page.mouse.wheel(0, 5000)
    page.wait_for_function("window.scrollY > 500")
    box = page.locator("#slider-k").bounding_box()
    height = page.evaluate("window.innerHeight")
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    press_k(page, "ArrowRight")
    wait_status(page, "k = 5,")


def test_heatmap_text_is_readable_at_1280_by_720(page_at, server):
    page = page_at(1280, 720)
    open_page(page, server, "?tab=visualizations")
    page.wait_for_selector("#graph-heatmap .main-svg")
    sizes = page.evaluate("""Array.from(document.querySelectorAll('#graph-heatmap text'))
        .filter(t => /^[0-9:.,-]/.test(t.textContent.trim()) && t.closest('.heatmaplayer, .imagelayer, .plot'))
        .map(t => parseFloat(getComputedStyle(t).fontSize))""")
    assert len(sizes) >= 40, sizes  # every cell has its value
    assert min(sizes) >= 10, sorted(sizes)[:5]


CELL_BOXES = """Array.from(document.querySelectorAll('#graph-heatmap text'))
    .filter(t => /^[0-9:.,-]/.test(t.textContent.trim()) && t.closest('.heatmaplayer, .imagelayer, .plot'))
    .map(t => { const b = t.getBoundingClientRect(); return [Math.round(b.top), b.left, b.right]; })"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 720)])
def test_heatmap_cells_never_overlap(page_at, server, width, height):
    """Every feature's value keeps its own cell, on a phone too (the box scrolls sideways)."""
    page = page_at(width, height)
    open_page(page, server, "?k=6&tab=visualizations")
    page.wait_for_selector("#graph-heatmap .main-svg")
    boxes = page.evaluate(CELL_BOXES)
    assert len(boxes) >= 6 * 10
    rows: dict[int, list] = {}
    for top, left, right in boxes:
        rows.setdefault(top, []).append((left, right))
    for cells in rows.values():
        cells.sort()
        for (_, right), (left, _) in pairwise(cells):
            assert right + 2 <= left, f"cell texts overlap at {width}px: {cells}"


def test_a_table_that_scrolls_sideways_says_so(page_at, server):
    page = page_at(1280, 720)
    open_page(page, server, "?tab=metrics")
    page.wait_for_selector("#table-profile")
    page.wait_for_selector(".scroll-box.scrolls .scroll-hint", state="visible")
    assert "Scroll sideways" in page.inner_text(".scroll-box.scrolls .scroll-hint")


def test_usable_on_a_390_pixel_phone(page_at, server):
    page = page_at(390, 844)
    open_page(page, server, "?tab=visualizations")
    page.wait_for_selector("#graph-pca .main-svg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    press_k(page, "ArrowRight")
    wait_status(page, "k = 5,")
    show_tab(page, "Metrics")
    page.wait_for_selector("#panel-metrics .metric-value")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_dark_theme_switches_the_page_and_the_figures_and_is_remembered(page, server):
    open_page(page, server, "?tab=visualizations")
    page.wait_for_selector("#graph-pca .main-svg")
    light = page.evaluate("document.querySelector('#graph-pca .js-plotly-plot')._fullLayout.paper_bgcolor")
    page.get_by_label("Dark").check()
    page.wait_for_function("document.documentElement.getAttribute('data-bs-theme') === 'dark'")
    page.wait_for_function(f"document.querySelector('#graph-pca .js-plotly-plot')._fullLayout.paper_bgcolor"
                           f" !== {light!r}")
    page.wait_for_function(f"document.querySelector('#graph-heatmap .js-plotly-plot')._fullLayout.paper_bgcolor"
                           f" !== {light!r}")
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert body != "rgb(255, 255, 255)"
    page.reload()
    page.wait_for_selector("#graph-pca .main-svg")
    page.wait_for_function("document.documentElement.getAttribute('data-bs-theme') === 'dark'")
    page.get_by_label("Dark").uncheck()
    page.wait_for_function("document.documentElement.getAttribute('data-bs-theme') === 'light'")
