"""The view state, resolved once: bounds, defaults, links and the normalised view key.

Every request the page makes (a link, Back, Reset, an upload, a control) becomes a
:class:`Controls` (what the controls hold, and what the URL says), and then a :class:`View`:
the dataset's fingerprint, algorithm, k and canonical features, whether the K-Means
placeholder stands in for a Ward tree still being built, and the sentence that says why the
request cannot be met, if it cannot. Views compare and hash by value, so a callback can tell
"same projection, new colours" from "new projection" whatever triggered it. No Dash here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from clustering.features import default_features, normalise_features
from clustering.models import ClusteringError, check_k

#: Bounds and defaults of every control, in one place (the page, links, Reset and the CLI use them).
K_MIN, K_MAX, K_DEFAULT = 2, 15, 4
SWEEP_RANGE_DEFAULT = (2, 12)
ALGORITHMS: dict[str, str] = {"kmeans": "K-Means", "agglomerative": "Agglomerative (Ward)"}
DEFAULT_ALGORITHM = "kmeans"
TABS: tuple[str, ...] = ("overview", "metrics", "visualizations", "find-k", "insights")
DEFAULT_TAB = "overview"
DEFAULT_DATASET = "default"
#: An exact Ward tree expected to take longer than this is built in the background, and the page
#: shows K-Means labels, named as such, until it exists (bench/bench_preview.py: no approximate
#: Ward reached an adjusted Rand index of 0.8 against the exact tree).
QUICK_TREE_SECONDS = 1.5


@dataclass(frozen=True)
class Controls:
    """What the controls hold and the URL says: the person's request, before any validation."""

    dataset: str = DEFAULT_DATASET
    k: int = K_DEFAULT
    algorithm: str = DEFAULT_ALGORITHM
    features: tuple[str, ...] = ()
    tab: str = DEFAULT_TAB

    def query(self) -> str:
        """The URL query for these controls: a copied link reopens the same view."""
        params = {} if self.dataset == DEFAULT_DATASET else {"data": self.dataset}
        params |= {"k": self.k, "algorithm": self.algorithm, "features": ",".join(self.features), "tab": self.tab}
        return "?" + urlencode(params, safe=",")

    def same_view(self, other: Controls) -> bool:
        """Same clustering and tab (feature order does not matter)."""
        return (self.dataset, self.k, self.algorithm, frozenset(self.features), self.tab) == \
            (other.dataset, other.k, other.algorithm, frozenset(other.features), other.tab)


def default_controls(available: Sequence[str], dataset: str = DEFAULT_DATASET, tab: str = DEFAULT_TAB) -> Controls:
    return Controls(dataset=dataset, features=default_features(available), tab=tab)


def link_dataset(query: str | None) -> str:
    """The dataset a link names (``data=``), or the default catalogue."""
    return _params(query).get("data", "").strip() or DEFAULT_DATASET


def _params(query: str | None) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs((query or "").lstrip("?"), keep_blank_values=True).items()}


def controls_from_link(query: str | None, available: Sequence[str], dataset: str = DEFAULT_DATASET
                       ) -> tuple[Controls, list[str]]:
    """The controls a link asks for, every missing part at its default; and a sentence for each
    part that was refused (so the page can say why it shows something else)."""
    params = _params(query)
    refused: list[str] = []
    defaults = default_controls(available, dataset)
    k = defaults.k
    if params.get("k", "").strip():
        try:
            k = int(params["k"])
            if not K_MIN <= k <= K_MAX:
                refused.append(f"k = {k} is outside {K_MIN}..{K_MAX}; showing k = {K_DEFAULT}.")
                k = defaults.k
        except ValueError:
            refused.append(f"k = {params['k']!r} is not a whole number; showing k = {K_DEFAULT}.")
    algorithm = params.get("algorithm", "").strip() or defaults.algorithm
    if algorithm not in ALGORITHMS:
        refused.append(f"Unknown algorithm {algorithm!r}; showing {ALGORITHMS[DEFAULT_ALGORITHM]}.")
        algorithm = defaults.algorithm
    features = defaults.features
    if "features" in params:  # present but empty, or one feature: the view will say what is missing
        asked = [f.strip() for f in params["features"].split(",") if f.strip()]
        known = tuple(f for f in available if f in set(asked))
        unknown = [f for f in asked if f not in set(available)]
        if unknown and not known:
            refused.append(f"This catalogue has no feature {', '.join(unknown)}; using the default features.")
        else:
            features = known
            if unknown:
                refused.append(f"This catalogue has no feature {', '.join(unknown)}.")
    tab = params.get("tab", "").strip() or defaults.tab
    if tab not in TABS:
        refused.append(f"There is no tab {tab!r}; showing {DEFAULT_TAB}.")
        tab = defaults.tab
    return Controls(dataset=dataset, k=k, algorithm=algorithm, features=features, tab=tab), refused


def check_range(k_min, k_max, n_songs: int | None = None) -> tuple[int, int]:
    """The Find k range as whole numbers within the bounds, or a ClusteringError saying why not."""

    def whole(value) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise ClusteringError(f"Enter whole numbers for the k range (got {value!r}).") from exc
        if not number.is_integer():
            raise ClusteringError(f"Enter whole numbers for the k range (got {value}).")
        return int(number)

    low, high = whole(k_min), whole(k_max)
    if low is None or high is None:
        raise ClusteringError(f"Enter both ends of the k range (whole numbers between {K_MIN} and {K_MAX}).")
    if not (K_MIN <= low <= K_MAX and K_MIN <= high <= K_MAX):
        raise ClusteringError(f"Each end of the k range must be between {K_MIN} and {K_MAX} (got {low} to {high}).")
    if low > high:
        raise ClusteringError(f"The k range is backwards: 'from' ({low}) is larger than 'to' ({high}).")
    if low == high:
        raise ClusteringError(f"The k range holds one value ({low}): compare at least two values of k.")
    if n_songs is not None and high >= n_songs:
        relation = "larger than" if high > n_songs else "as many as"
        raise ClusteringError(f"k = {high} is {relation} the number of songs ({n_songs:,}); "
                              f"end the range at {n_songs - 1} or less.")
    return low, high


@dataclass(frozen=True)
class View:
    """One resolved request: everything a view depends on, normalised, and its error if any."""

    dataset: str
    fingerprint: str
    n_songs: int
    algorithm: str
    k: int | None
    features: tuple[str, ...]
    placeholder: bool = False  # Ward asked for, its tree not built yet: K-Means labels, named as such
    error: str | None = None
    tree_seconds: float | None = field(default=None, compare=False)  # the tree's estimate, for the page

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def fitted_algorithm(self) -> str:
        """The algorithm whose labels are shown: K-Means while it stands in for a Ward tree."""
        return "kmeans" if self.placeholder else self.algorithm

    @property
    def projection_key(self) -> str:
        """What the scatter's coordinates depend on: the data and the features, nothing else."""
        return f"{self.fingerprint}:{','.join(self.features)}"

    @property
    def key(self) -> str:
        """What every clustering view depends on; equal keys show equal clusters."""
        text = "|".join([self.fingerprint, self.algorithm, str(self.k), ",".join(self.features),
                         str(self.placeholder), self.error or ""])
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    def describe(self) -> str:
        """'K-Means, k = 6, on 3 features', as the status line and the labels of old views say."""
        name = ALGORITHMS.get(self.algorithm, self.algorithm)
        return f"{name}, k = {self.k}, on {len(self.features)} feature{'s' if len(self.features) != 1 else ''}"

    def to_dict(self) -> dict:
        """For the page's store; ``key`` travels with it so the browser can compare views."""
        data = asdict(self)
        data["features"] = list(self.features)
        return data | {"key": self.key, "label": self.describe()}

    @classmethod
    def from_dict(cls, data: dict | None) -> View | None:
        if not data:
            return None
        names = {f for f in cls.__dataclass_fields__}
        values = {name: value for name, value in data.items() if name in names}
        values["features"] = tuple(values.get("features") or ())
        return cls(**values)


def resolve(*, dataset: str, fingerprint: str, n_songs: int, available: Iterable[str], algorithm, k, features,
            tree_ready, tree_seconds, allow_placeholder: bool = True) -> View:
    """Normalise one request. ``tree_ready(features)`` and ``tree_seconds(features)`` tell whether
    the exact Ward tree exists and how long it would take; they are only asked for Ward."""
    available = list(available)
    asked_features = tuple(str(f) for f in (features or []))
    base = View(dataset=dataset, fingerprint=fingerprint, n_songs=n_songs, algorithm=str(algorithm or ""),
                k=k if isinstance(k, int) else None, features=asked_features)
    try:
        if base.algorithm not in ALGORITHMS:
            raise ClusteringError(f"Unknown algorithm {algorithm!r}: choose one of {', '.join(ALGORITHMS.values())}.")
        if k is None or isinstance(k, bool):
            raise ClusteringError("Choose a number of clusters.")
        try:
            whole = int(k)
        except (TypeError, ValueError) as exc:
            raise ClusteringError(f"k must be a whole number (got {k!r}).") from exc
        if whole != k:
            raise ClusteringError(f"k must be a whole number (got {k!r}).")
        base = replace(base, k=whole)
        if len(asked_features) < 2:
            raise ClusteringError("Tick at least two features to cluster on.")
        chosen = normalise_features(asked_features, available)
        base = replace(base, features=chosen)
        check_k(n_songs, whole)
        if not K_MIN <= whole <= K_MAX:
            raise ClusteringError(f"k must be between {K_MIN} and {K_MAX} (got {whole}).")
    except ClusteringError as exc:
        return replace(base, error=str(exc))
    if base.algorithm != "agglomerative" or tree_ready(chosen):
        return base
    seconds = float(tree_seconds(chosen))
    placeholder = allow_placeholder and seconds > QUICK_TREE_SECONDS
    return replace(base, placeholder=placeholder, tree_seconds=seconds)
