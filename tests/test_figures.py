from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd

from layouts.figures import (
    PALETTE,
    bars_figure,
    compact_value,
    format_value,
    heatmap_figure,
    marker_update,
    pca_figure,
    sizes_figure,
    typed_array,
)


def test_typed_array_round_trips():
    values = np.array([0, 3, 255], dtype=np.uint8)
    spec = typed_array(values)
    assert spec["dtype"] == "u1"
    assert np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.uint8).tolist() == [0, 3, 255]


def test_marker_colours_map_each_label_to_its_palette_colour():
    marker = marker_update(np.array([0, 1, 2, 1]), 3)
    scale, low, high = marker["colorscale"], marker["cmin"], marker["cmax"]
    for label in range(3):
        position = (label - low) / (high - low)
        bands = zip(scale[::2], scale[1::2], strict=True)
        colour = next(c for (start, c), (end, _) in bands if start <= position <= end)
        assert colour == PALETTE[label]


def test_pca_figure_is_one_webgl_trace_of_songs_without_hover_text():
    coordinates = np.random.default_rng(0).normal(size=(500, 2)).astype(np.float32)
    figure = pca_figure(coordinates, marker_update(np.zeros(500, dtype=np.int16), 2), [0.3, 0.2])
    # The songs, and an empty overlay for chosen songs (patched with a few points when one is chosen).
    assert len(figure.data) == 2 and figure.data[0].type == "scattergl" and len(figure.data[1].x) == 0
    assert figure.data[0].hoverinfo == "none" and figure.data[0].text is None
    assert figure.layout.xaxis.title.text == "PC1 (30% of variance)"
    data = json.dumps(json.loads(figure.to_json())["data"])
    # float32 x and y plus one byte of colour per song, base64 (4/3), no decimal text.
    assert len(data) < 500 * 9 * 4 / 3 + 1_500


def test_heatmap_colours_z_scores_and_prints_units():
    means = pd.DataFrame({"tempo": [120.0, 90.0], "duration_ms": [200_000.0, 125_000.0]})
    z = pd.DataFrame({"tempo": [1.0, -1.0], "duration_ms": [0.5, -0.5]})
    figure = heatmap_figure(means, z, ["Fast", "Slow"], ["tempo", "duration_ms"])
    heat = figure.data[0]
    assert list(heat.text[0]) == ["120", "3:20"] and list(heat.x) == ["tempo (BPM)", "duration (m:ss)"]
    assert list(heat.customdata[0]) == ["120 BPM", "3:20"]  # the hover keeps the unit
    assert list(heat.y) == ["0: Fast", "1: Slow"] and heat.zmid == 0


def test_heatmap_cells_stay_short():
    assert [compact_value(f, v) for f, v in [("followers", 325_128), ("followers", 2_400_000), ("loudness", -7.26),
                                             ("energy", 0.634), ("popularity", 41.2)]] == \
        ["325k", "2.4M", "-7.3", "0.63", "41"]


def test_bars_and_sizes():
    means = pd.DataFrame({"energy": [0.8, 0.2]})
    z = pd.DataFrame({"energy": [1.2, -1.2]})
    bars = bars_figure(means, z, ["A", "B"], ["energy"])
    assert [trace.name for trace in bars.data] == ["0: A", "1: B"]
    sizes = sizes_figure([30, 10], ["A", "B"])
    assert list(sizes.data[0].text) == ["30 (75.0%)", "10 (25.0%)"]


def test_format_value_units():
    assert format_value("duration_ms", 61_000) == "1:01"
    assert format_value("loudness", -7.26) == "-7.3 dB"
    assert format_value("energy", 0.456) == "0.46"
    assert format_value("energy", float("nan")) == "-"
