"""Where mlops-path keeps its files: one place decides, as pipx and llm do.

Progress and catalogs: $MLOPS_PATH_HOME, else platformdirs' user data directory.
Cache: $MLOPS_PATH_CACHE, else `cache` under $MLOPS_PATH_HOME when that is set, else
platformdirs' user cache directory. platformdirs is imported only when it is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "MLOPS_PATH_HOME"
CACHE_ENV = "MLOPS_PATH_CACHE"
APP_NAME = "mlops-path"


def user_home() -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def progress_file() -> Path:
    return user_home() / "progress.json"


def catalogs_dir() -> Path:
    """Every `*.toml` here is loaded as a user catalog."""
    return user_home() / "catalogs"


def cache_dir() -> Path:
    """Rebuildable data only: deleting this folder loses nothing."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    if os.environ.get(HOME_ENV):
        return user_home() / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
