"""Where mlops-path keeps its files: one place decides, as pipx and llm do.

Order: the MLOPS_PATH_HOME environment variable, else platformdirs' user data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "MLOPS_PATH_HOME"
APP_NAME = "mlops-path"


def user_home() -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # only when no override: it costs start-up time

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def progress_file() -> Path:
    return user_home() / "progress.json"


def catalogs_dir() -> Path:
    """Every `*.toml` here is loaded as a user catalog."""
    return user_home() / "catalogs"
