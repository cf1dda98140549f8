from __future__ import annotations

import numpy as np
import pandas as pd

from data.demo import COLUMNS, DEMO_SOURCE, demo_catalogue, generate_frame
from data.loader import load_csv


def test_deterministic_and_sized():
    a = generate_frame(2_345, seed=3)
    b = generate_frame(2_345, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 2_345 and tuple(a.columns) == COLUMNS
    assert not generate_frame(2_345, seed=4).equals(a)


def test_schema_ranges_and_synthetic_names():
    frame = generate_frame(5_000)
    assert frame["id_songs"].str.len().eq(22).all() and frame["id_songs"].is_unique
    assert frame["name_song"].str.match(r"^Demo Track \d{4}$").all()
    assert frame["name_artists"].str.startswith("Demo Artist ").all()
    for share in ("danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness",
                  "valence"):
        assert frame[share].between(0, 1).all(), share
    assert (frame["tempo"] >= 0).all() and (frame["duration_ms"] > 0).all()
    assert set(frame["key"]) <= set(range(12)) and set(frame["mode"]) <= {0, 1}
    # Artist-level columns are constant per artist, as in the real data.
    assert frame.groupby("id_artists")["followers"].nunique().max() == 1


def test_demo_is_labelled_and_cleaned_like_a_user_file():
    catalogue = demo_catalogue(1_000)
    assert catalogue.is_demo and catalogue.source == DEMO_SOURCE
    assert catalogue.report.rows_out == 1_000
    assert any("synthetic demo data" in line for line in catalogue.report.lines())


def test_demo_follows_the_real_distributions(sample_csv):
    real = load_csv(sample_csv).frame
    demo = generate_frame(50_000)
    for column in ("danceability", "energy", "speechiness", "acousticness", "valence", "liveness"):
        assert abs(demo[column].mean() - real[column].mean()) < 0.03, column
        assert abs(demo[column].median() - real[column].median()) < 0.05, column
    assert abs(demo["tempo"].mean() - real["tempo"].mean()) < 3
    assert abs(np.log(demo["duration_ms"]).mean() - np.log(real["duration_ms"]).mean()) < 0.05
    # Spoken word is a distinct mode in the real data (speechiness > 0.66): the demo keeps it.
    assert abs((demo["speechiness"] > 0.66).mean() - (real["speechiness"] > 0.66).mean()) < 0.03
    # Correlation structure: energy and loudness go together, energy and acousticness oppose.
    assert demo[["energy", "loudness"]].corr().iloc[0, 1] > 0.6
    assert demo[["energy", "acousticness"]].corr().iloc[0, 1] < -0.5
