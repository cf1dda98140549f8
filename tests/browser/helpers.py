"""What the browser tests do and read, as a person would: open a link, move k, read the status."""

from __future__ import annotations

import re


def open_page(page, server, query: str = "") -> None:
    page.goto(server.url + "/" + query)
    page.wait_for_selector("#status-area .text-muted", timeout=60_000)


def status(page) -> str:
    return page.inner_text("#status-area")


def wait_status(page, text: str, timeout: float = 30_000) -> None:
    """Wait until the status line says ``text``."""
    page.wait_for_function(f"(document.getElementById('status-area') || {{}}).innerText?.includes({text!r})",
                           timeout=timeout)


def legend_count(page) -> int:
    return page.locator("#legend-clusters .legend-item").count()


def show_tab(page, label: str) -> None:
    page.get_by_role("tab", name=label).click()


def slider_value(page) -> int:
    return int(page.get_attribute("#slider-k [role=slider]", "aria-valuenow"))


def set_k(page, k: int) -> None:
    """One change of k: a click on the slider's track under the mark for k (one history entry)."""
    mark = page.locator("#slider-k .dash-slider-mark").filter(has_text=re.compile(rf"^{k}$")).bounding_box()
    track = page.locator("#slider-k .dash-slider-track").bounding_box()
    page.mouse.click(mark["x"] + mark["width"] / 2, track["y"] + track["height"] / 2)


def press_k(page, key: str, times: int = 1) -> None:
    thumb = page.locator("#slider-k [role=slider]")
    thumb.focus()
    for _ in range(times):
        thumb.press(key)


def axis_title(page) -> str:
    return page.evaluate("document.querySelector('#graph-pca .js-plotly-plot')._fullLayout.xaxis.title.text")


def effective_opacity(page, selector: str) -> float:
    """The opacity a person sees: the product of the element's and its ancestors' opacity."""
    return page.evaluate("""selector => {
        let el = document.querySelector(selector), value = 1;
        while (el && el.nodeType === 1) { value *= parseFloat(getComputedStyle(el).opacity); el = el.parentElement; }
        return value;
    }""", selector)
