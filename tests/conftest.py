import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlops_path.cli.app import app

# The seed path's steps, in order, as the curator's post gives them (tests/test_catalog.py checks
# the bundled catalog against this list; other tests use it as the path they walk).
SEED_PATH = [
    "dmls-ch02",
    "dmls-ch07",
    "dmls-ch08",
    "dmls-ch09",
    "dmls-ch11",
    "mlops-principles",
    "operationalizing-ml",
    "demystifying-mlops",
    "how-ml-breaks",
    "reliable-maintenance",
    "ml-test-score",
    "gently-down-the-stream",
    "mlops-guide",
]


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own mlops-path home, so none can touch a real learner's progress."""
    home = tmp_path / "home"
    monkeypatch.setenv("MLOPS_PATH_HOME", str(home))
    monkeypatch.setenv("MLOPS_PATH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MLOPS_PATH_PLAIN", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def progress_file(home) -> Path:
    return home / "progress.json"


class Cli:
    """Runs the typer app in-process, with stdout and stderr kept apart."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)

    def json(self, *args: str):
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def installed_script() -> str:
    """The console script installed beside the running interpreter (the venv under test)."""
    candidate = Path(sys.executable).parent / "mlops-path"
    found = str(candidate) if candidate.exists() else shutil.which("mlops-path")
    if not found:
        pytest.fail("the mlops-path console script is not installed in this environment")
    return found


@pytest.fixture
def script_env(home) -> dict[str, str]:
    env = dict(os.environ)
    env["MLOPS_PATH_HOME"] = str(home)
    return env


class LocalSite:
    """A real HTTP server on 127.0.0.1 (tests never reach any other address). Each path answers as
    `routes` says: a function of the request count for that path, returning (code, headers, body,
    seconds to wait before answering)."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        site = self
        self.routes: dict[str, object] = {}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                import time

                with site.lock:
                    count = site.hits[self.path] = site.hits.get(self.path, 0) + 1
                route = site.routes.get(self.path)
                code, headers, body, delay = route(count) if route else (404, {}, b"not here", 0)
                time.sleep(delay)
                try:
                    self.send_response(code)
                    for name, value in {"content-type": "text/html; charset=utf-8", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def page(self, path: str, title: str) -> None:
        self.routes[path] = lambda n: (
            200,
            {},
            f"<html><head><title>{title}</title></head><body>hi</body></html>".encode(),
            0,
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_site():
    site = LocalSite()
    yield site
    site.close()


def need(present: bool, what: str) -> None:
    """A real part a test drives (zsh, tmux, faketime, Chromium, axe-core): `.ci/run` installs
    them, so on CI a missing one fails the test; elsewhere it is skipped, saying what to install."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; .ci/run installs it")
    pytest.skip(f"{what} is not installed here (.ci/run installs it)")


def learner_dir(place: Path, slug: str) -> Path:
    """Where a new group's learner writes in the shared place (the sharded layout of `sync.layout`)."""
    from mlops_path.core.sync.layout import learner_folders

    return learner_folders(place, slug)[0]


@pytest.fixture
def shared(tmp_path) -> Path:
    """A folder that a sync engine (Syncthing, Dropbox) would keep in sync."""
    folder = tmp_path / "Sync"
    folder.mkdir()
    return folder


@pytest.fixture
def remote(tmp_path) -> str:
    """A bare git repository, the group's remote (`git init --bare`, as the README says)."""
    import subprocess

    bare = tmp_path / "group.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    return str(bare)
