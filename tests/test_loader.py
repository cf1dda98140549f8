from __future__ import annotations

import pandas as pd
import pytest

from data.loader import PRIMARY_GENRE, DatasetError, clean, load_csv, parse_genres, read_csv_bytes


def _write(tmp_path, text: str | bytes, name: str = "songs.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_real_sample_loads_with_roles_and_genres(sample_csv):
    catalogue = load_csv(sample_csv)
    assert catalogue.n_songs == 5207
    assert catalogue.report.rows_in == catalogue.report.rows_out == 5207
    assert catalogue.roles["title"] == "name_song"
    assert catalogue.roles["artist"] == "name_artists"
    assert catalogue.roles["popularity"] == "popularity_songs"
    assert len(catalogue.original_columns) == 23
    assert (catalogue.frame[PRIMARY_GENRE] == "unknown").sum() == 50
    summary = catalogue.summary()
    assert summary["artists"] == 1034 and summary["years"] == (1922, 2021)


def test_other_schema_matched_by_aliases(tmp_path):
    path = _write(tmp_path, "track_id,track_name,artists,track_genre,popularity,Energy,Valence,Tempo\n"
                            "a,Song A,X,pop,50,0.5,0.4,120\nb,Song B,Y,rock,20,0.9,0.1,140\n"
                            "c,Song C,Z,jazz,30,0.2,0.7,90\n")
    catalogue = load_csv(path)
    assert catalogue.roles == {"id": "track_id", "title": "track_name", "artist": "artists",
                               "genre": "track_genre", "popularity": "popularity"}
    assert catalogue.numeric_columns[:3] == ["energy", "valence", "tempo"]
    assert list(catalogue.frame[PRIMARY_GENRE]) == ["pop", "rock", "jazz"]


def test_cleaning_counts_every_dropped_row(tmp_path):
    path = _write(tmp_path, "id_songs,name_song,energy,valence,tempo,duration_ms\n"
                            "1,a,0.5,0.5,100,1000\n"
                            "2,b,,0.5,100,1000\n"          # missing value
                            "3,c,abc,0.5,100,1000\n"       # not a number
                            "1,d,0.6,0.5,100,1000\n"       # duplicate id
                            "4,e,1.5,0.5,100,1000\n"       # share outside 0..1
                            "5,f,0.5,0.5,-3,1000\n"        # negative tempo
                            "6,g,0.5,0.5,90,2000\n"
                            "7,h,0.5,0.5,inf,2000\n"      # infinite
                            "8,i,0.4,0.3,95,3000\n")
    report = load_csv(path).report
    assert report.rows_in == 9 and report.rows_out == 3
    assert report.dropped == {"missing or non-numeric feature value": 2,
                              "infinite or absurdly large value (beyond 1e+15)": 1,
                              "impossible value (share outside 0-1, negative tempo or duration)": 2,
                              "duplicate song id": 1}
    assert "3 songs kept" in report.lines()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b"energy,valence\n", "header but no rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "not a CSV text file"),
    (b"just one column\nvalue\n", "single column"),
    (b"name,artist\nx,y\n", "no usable audio-feature columns"),
    (b'energy,valence\n"0.5,0.2\n0.1,0.3\n', "not a well-formed CSV"),
    (b"energy,valence\nx,y\n", "fewer than two of them hold numbers"),
    (b"energy,valence\n0.5,x\ny,0.2\n", "no rows left after cleaning"),
])
def test_bad_files_raise_one_clear_error(tmp_path, content, message):
    with pytest.raises(DatasetError, match=message):
        load_csv(_write(tmp_path, content))


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(DatasetError, match="No file at"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match="is a folder"):
        load_csv(tmp_path)


def test_semicolon_and_latin1_files_are_read(tmp_path):
    text = "name;energy;valence\nCaf\xe9;0.5;0.4\nNa\xefve;0.2;0.1\nSoir;0.9;0.3\n"
    catalogue = load_csv(_write(tmp_path, text.encode("cp1252")))
    assert catalogue.frame["name"].iloc[0] == "Café"


@pytest.mark.parametrize(("cell", "expected"), [
    ("['salsa', 'merengue']", ["salsa", "merengue"]),
    ("[]", []),
    ("pop; rock", ["pop", "rock"]),
    ("pop", ["pop"]),
    (float("nan"), []),
    ("[broken", ["[broken"]),
    ('["children\'s music", \'pop\']', ["children's music", "pop"]),
    ("[1+1+1]", ["1+1+1"]),
])
def test_parse_genres(cell, expected):
    assert parse_genres(cell) == expected


def test_constant_extra_columns_are_not_offered_as_features():
    frame = pd.DataFrame({"energy": [0.1, 0.2, 0.3], "valence": [0.3, 0.2, 0.1], "constant": [1, 1, 1],
                          "popularity": [1, 2, 3]})
    catalogue = clean(frame, "t")
    assert "constant" not in catalogue.numeric_columns
    assert "popularity" in catalogue.numeric_columns


def test_read_csv_bytes_rejects_huge_input(monkeypatch):
    monkeypatch.setattr("data.loader.MAX_BYTES", 10)
    with pytest.raises(DatasetError, match="larger than"):
        read_csv_bytes(b"energy,valence\n0.1,0.2\n", "big.csv")
