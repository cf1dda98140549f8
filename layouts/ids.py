"""Every component id, once, each constant named like its string (``slider-k`` is ``SLIDER_K``).

Layouts and callbacks import these names, so a typo fails at import. The first group is a
contract with tests and automation: keep those strings stable.
"""

# Contract ids.
SLIDER_K = "slider-k"
RADIO_ALGORITHM = "radio-algorithm"
CHECKLIST_FEATURES = "checklist-features"
GRAPH_PCA = "graph-pca"
GRAPH_HEATMAP = "graph-heatmap"
GRAPH_BARS = "graph-bars"
TABS_MAIN = "tabs-main"
BUTTON_FIND_K = "button-find-k"
GRAPH_K_SWEEP = "graph-k-sweep"
GRAPH_SILHOUETTE = "graph-silhouette"
GRAPH_DENDROGRAM = "graph-dendrogram"
INPUT_SONG_SEARCH = "input-song-search"
TABLE_SIMILAR_SONGS = "table-similar-songs"
TABLE_SELECTION = "table-selection"
BUTTON_EXPORT_SELECTION = "button-export-selection"
DROPDOWN_COLOUR_BY = "dropdown-colour-by"
GRAPH_GENRE_CLUSTER = "graph-genre-cluster"

# Page state: the URL (read and written by separate components, so each direction is one
# callback without a cycle), navigation to apply (Back, Forward, Reset, an upload), the resolved
# view and what each view shows.
URL = "url"
URL_WRITE = "url-write"
STORE_NAVIGATION = "store-navigation"
STORE_DATASET = "store-dataset"
STORE_VIEW = "store-view"
# The resolved view, handed on by the browser only to the open tab's views (hidden tabs cost nothing).
STORE_VIEW_OVERVIEW = "store-view-overview"
STORE_VIEW_METRICS = "store-view-metrics"
STORE_VIEW_VISUALIZATIONS = "store-view-visualizations"
STORE_VIEW_FIND_K = "store-view-find-k"
STORE_VIEW_INSIGHTS = "store-view-insights"
STORE_SHOWN = "store-shown"
STORE_PCA_DRAWN = "store-pca-drawn"
STORE_TREE_READY = "store-tree-ready"
STORE_SWEEP = "store-sweep"
STORE_SWEEP_JOB = "store-sweep-job"
INTERVAL_TREE = "interval-tree"
INTERVAL_SWEEP = "interval-sweep"

# Status and notices.
STATUS_AREA = "status-area"
STATUS_PENDING = "status-pending"
STATUS_SHOWN = "status-shown"
ALERT_LINK = "alert-link"
TREE_PROGRESS = "tree-progress"
VIEWS = "views"

# Controls.
FIELDSET_CONTROLS = "fieldset-controls"
BUTTON_RESET = "button-reset"
SWITCH_THEME = "switch-theme"
DATA_SOURCE = "data-source"
BUTTON_CLEANING = "button-cleaning"
POPOVER_CLEANING = "popover-cleaning"
UPLOAD_CSV = "upload-csv"
UPLOAD_STATUS = "upload-status"
STORE_UPLOAD = "store-upload"  # an upload the browser checked (size) and hands to the server
STORE_UPLOAD_LIMIT = "store-upload-limit"
BUTTON_DEFAULT_DATA = "button-default-data"

# Tabs: "tab-" + the tab's name in links (clustering.view.TABS).
TAB_OVERVIEW = "tab-overview"
TAB_METRICS = "tab-metrics"
TAB_VISUALIZATIONS = "tab-visualizations"
TAB_FIND_K = "tab-find-k"
TAB_INSIGHTS = "tab-insights"
PANEL_OVERVIEW = "panel-overview"
PANEL_METRICS = "panel-metrics"
PANEL_INSIGHTS = "panel-insights"
TABLE_PROFILE = "table-profile"
LEGEND_CLUSTERS = "legend-clusters"
TOOLTIP_PCA = "tooltip-pca"
CAPTION_PCA = "caption-pca"
DROPDOWN_BAR_FEATURES = "dropdown-bar-features"

# Songs: the chosen song or artist and its neighbours, the selection, legend isolation, genres.
PANEL_SONG = "panel-song"
SWITCH_SAME_CLUSTER = "switch-same-cluster"
BUTTON_EXPORT_SIMILAR = "button-export-similar"
DOWNLOAD_SIMILAR = "download-similar"
PANEL_SELECTION = "panel-selection"
DOWNLOAD_SELECTION = "download-selection"
STORE_SONG_MATCHES = "store-song-matches"  # the server's matches and the query they answer
STORE_HIGHLIGHT = "store-highlight"  # the songs marked on the scatter (rows; the first leads)
STORE_SELECTION = "store-selection"  # the scatter's box or lasso selection, as a bitmap of rows
STORE_FOCUS = "store-focus"  # clusters isolated from the legend, for one clustering
LEGEND_ITEM = "legend-item"  # pattern-matching type: {"type": LEGEND_ITEM, "index": cluster}
SONG_LINK = "song-link"  # pattern-matching type: a song's title in a table, {"type": SONG_LINK, "index": row}
DROPDOWN_GENRE = "dropdown-genre"
GRAPH_GENRE_SPREAD = "graph-genre-spread"

# Choosing k.
INPUT_K_MIN = "input-k-min"
INPUT_K_MAX = "input-k-max"
BUTTON_CANCEL_SWEEP = "button-cancel-sweep"
BUTTON_USE_K = "button-use-k"
PROGRESS_SWEEP = "progress-sweep"
SWEEP_STATUS = "sweep-status"
TEXT_RECOMMENDATION = "text-recommendation"
TABLE_WORST_SONGS = "table-worst-songs"

# Export.
BUTTON_DOWNLOAD_SONGS = "button-download-songs"
BUTTON_DOWNLOAD_PROFILE = "button-download-profile"
DOWNLOAD_SONGS = "download-songs"
DOWNLOAD_PROFILE = "download-profile"
EXPORT_STATUS = "export-status"


TAB_VIEW_STORES = {TAB_OVERVIEW: STORE_VIEW_OVERVIEW, TAB_METRICS: STORE_VIEW_METRICS,
                   TAB_VISUALIZATIONS: STORE_VIEW_VISUALIZATIONS, TAB_FIND_K: STORE_VIEW_FIND_K,
                   TAB_INSIGHTS: STORE_VIEW_INSIGHTS}


def tab_id(name: str) -> str:
    """The tab component id for a tab's name in links ("find-k" -> "tab-find-k")."""
    return f"tab-{name}"


def tab_name(tab: str | None) -> str:
    return (tab or "").removeprefix("tab-")
