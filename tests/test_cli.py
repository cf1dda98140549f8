from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from tests.conftest import ROOT


def run(*args: str, cache_dir) -> subprocess.CompletedProcess:
    env = {"CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "clustering", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)


def test_fit_on_the_real_sample_reads_as_the_field_reports(sample_csv, tmp_path):
    out = tmp_path / "clustered.csv"
    done = run("fit", "--data", str(sample_csv), "--k", "3", "--json", "--out", str(out), cache_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for key in ("n_songs", "features", "algorithm", "k", "silhouette", "silhouette_sample_size", "davies_bouldin",
                "calinski_harabasz", "sizes", "names", "inertia"):
        assert key in result, key
    assert result["n_songs"] == 5207 and len(result["features"]) == 10
    # The public projects report 0.22-0.26 for K-Means k=3 on this dataset's ten features.
    assert 0.22 <= result["silhouette"] <= 0.26
    names = " / ".join(result["names"])
    assert "Spoken word" in names and ("Acoustic" in names or "Calm" in names) and "Energetic" in names
    exported = pd.read_csv(out)
    assert len(exported) == 5207 and {"cluster", "cluster_name", "id_songs"} <= set(exported.columns)


def test_sweep_json_on_the_demo(tmp_path):
    done = run("sweep", "--demo-songs", "3000", "--k-min", "2", "--k-max", "5", "--json", cache_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [row["k"] for row in result["rows"]] == [2, 3, 4, 5]
    assert result["is_demo"] and 2 <= result["recommended_k"] <= 5


def test_errors_exit_non_zero_with_one_line(tmp_path):
    done = run("fit", "--data", str(tmp_path / "missing.csv"), "--k", "3", cache_dir=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: No file at")
    done = run("fit", "--demo-songs", "100", "--k", "500", cache_dir=tmp_path)
    assert done.returncode == 2 and "larger than the number of songs" in done.stderr
    done = run("fit", "--demo-songs", "100", "--k", "3", "--features", "energy", cache_dir=tmp_path)
    assert done.returncode == 2 and "at least two features" in done.stderr
