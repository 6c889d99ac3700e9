"""Two real Syncthing instances on 127.0.0.1, sharing one folder, driven through their REST API; and
the mlops-path devices that sync through them. Kept apart from the tests so that they read as the
learner's story, while the engine's plumbing (ports, config.xml, polling) lives here.

Everything stays on loopback: discovery, relays, NAT, usage reports, crash reports and upgrades
are off before the first start, so an instance never reaches beyond this machine. Every wait is a
bounded poll on a condition Syncthing or the file system reports; the bound only turns a hang
into a failure, it never decides a verdict.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

FOLDER_ID = "mlops-path-shared"
PATIENCE = 120.0  # seconds: only so a hang fails instead of stalling the run
POLL = 0.25

# Where the loopback-only settings come from: the "Syncthing" row of the shared real-parts notes.
OPTIONS = {
    "globalAnnounceEnabled": "false",
    "localAnnounceEnabled": "false",
    "relaysEnabled": "false",
    "natEnabled": "false",
    "urAccepted": "-1",
    "autoUpgradeIntervalH": "0",
    "crashReportingEnabled": "false",
    "stunServer": "",
    "globalAnnounceServer": "",
    "startBrowser": "false",
    "announceLANAddresses": "false",
    # A paused peer is dialled again this often once resumed (the default, 60 s, is only slow).
    "reconnectionIntervalS": "1",
}


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now, all different: the kernel's picks for port 0 on 127.0.0.1, each
    held until all are picked."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_for(what: str, check: Callable[[], Any], patience: float = PATIENCE) -> Any:
    """Poll `check` until it returns something true, and return it; fail saying `what` was awaited
    (and the last error `check` raised, if any) once `patience` runs out."""
    deadline = time.monotonic() + patience
    last_error: Exception | None = None
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, ValueError) as exc:  # an instance still starting, a file being replaced
            last_error = exc
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"gave up after {patience:.0f} s waiting for {what}{detail}")
        time.sleep(POLL)


class Syncthing:
    """One Syncthing instance: its own home, GUI/REST port, listening port and API key."""

    def __init__(self, name: str, home: Path, gui_port: int, listen_port: int):
        self.name = name
        self.home = home
        self.gui_port = gui_port
        self.listen_port = listen_port
        self.apikey = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        self.log = home / "syncthing.log"
        self.device_id = ""
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy

    def generate(self) -> None:
        """Keys and config.xml, then the config edited before the first start (loopback only)."""
        subprocess.run(
            ["syncthing", "generate", f"--home={self.home}", "--no-default-folder", "--skip-port-probing"],
            check=True,
            capture_output=True,
            timeout=60,
            env=self._env(),
        )
        config = self.home / "config.xml"
        tree = ET.parse(config)
        root = tree.getroot()
        gui = root.find("gui")
        gui.set("tls", "false")
        gui.find("address").text = f"127.0.0.1:{self.gui_port}"
        gui.find("apikey").text = self.apikey
        options = root.find("options")
        options.find("listenAddress").text = f"tcp://127.0.0.1:{self.listen_port}"
        for key, value in OPTIONS.items():
            element = options.find(key)
            if element is None:
                element = ET.SubElement(options, key)
            element.text = value
        tree.write(config)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}  # dial 127.0.0.1 directly
        env.update(STNOUPGRADE="1", STNODEFAULTFOLDER="1", STNORESTART="1")
        return env

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["syncthing", "serve", f"--home={self.home}", "--no-browser", "--no-restart"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env(),
                start_new_session=True,  # its own process group, so teardown ends it and nothing else
            )
        self.device_id = wait_for(f"Syncthing {self.name} to answer on 127.0.0.1:{self.gui_port}", self._my_id)

    def _my_id(self) -> str:
        if self.process.poll() is not None:
            raise AssertionError(f"Syncthing {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
        return self.api("GET", "/rest/system/status")["myID"]

    def stop(self) -> None:
        """End this instance (and only it: its own process group), politely first."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def api(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        url = f"http://127.0.0.1:{self.gui_port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={"X-API-Key": self.apikey})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with self.opener.open(request, timeout=60) as response:
            raw = response.read()
        return json.loads(raw) if raw.strip() else None

    # --- what the tests ask of it -------------------------------------------------------------------

    def add_peer(self, peer: Syncthing) -> None:
        device = {"deviceID": peer.device_id, "name": peer.name, "addresses": [f"tcp://127.0.0.1:{peer.listen_port}"]}
        self.api("POST", "/rest/config/devices", device)

    def share(self, folder: Path, peer: Syncthing) -> None:
        (folder / ".stfolder").mkdir(parents=True, exist_ok=True)
        devices = [{"deviceID": self.device_id}, {"deviceID": peer.device_id}]
        config = {"id": FOLDER_ID, "label": "mlops-path", "path": str(folder), "type": "sendreceive"}
        watch = {"fsWatcherEnabled": True, "fsWatcherDelayS": 1}
        self.api("POST", "/rest/config/folders", {**config, "devices": devices, **watch})

    def connected_to(self, peer: Syncthing) -> bool:
        connections = self.api("GET", "/rest/system/connections")["connections"]
        return bool(connections.get(peer.device_id, {}).get("connected"))

    def scan(self) -> None:
        """Look at the folder now (returns once scanned), so no wait depends on the watcher's timing."""
        self.api("POST", "/rest/db/scan", folder=FOLDER_ID)

    def settled(self) -> bool:
        status = self.api("GET", "/rest/db/status", folder=FOLDER_ID)
        return status["state"] == "idle" and status["needTotalItems"] == 0

    def peer_complete(self, peer: Syncthing) -> bool:
        """The peer has, by the index it sent, everything this instance has."""
        completion = self.api("GET", "/rest/db/completion", folder=FOLDER_ID, device=peer.device_id)
        return completion["completion"] == 100 and completion["needItems"] == 0 and completion["needDeletes"] == 0

    def pause(self, peer: Syncthing) -> None:
        self.api("POST", "/rest/system/pause", device=peer.device_id)

    def resume(self, peer: Syncthing) -> None:
        self.api("POST", "/rest/system/resume", device=peer.device_id)


def tree(folder: Path) -> dict[str, bytes]:
    """Every regular file under the shared folder's `mlops-path` part, by relative path."""
    base = folder / "mlops-path"
    if not base.is_dir():
        return {}
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def names(folder: Path) -> list[str]:
    """What the folder holds, for a failure's message (whatever Syncthing is doing to it meanwhile)."""
    try:
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    except OSError as exc:
        return [f"(cannot list: {exc})"]


class SyncthingPair:
    """Two instances, each the engine of one folder, the folders shared with each other."""

    def __init__(self, root: Path):
        self.folders = (root / "sync-a", root / "sync-b")
        ports = free_ports(4)
        self.instances = (Syncthing("st-a", root / "st-a", *ports[:2]), Syncthing("st-b", root / "st-b", *ports[2:]))

    def start(self) -> None:
        a, b = self.instances
        for instance, folder in zip(self.instances, self.folders, strict=True):
            folder.mkdir(parents=True)
            instance.home.mkdir(parents=True)
            instance.generate()
            instance.start()
        for me, peer, folder in ((a, b, self.folders[0]), (b, a, self.folders[1])):
            me.add_peer(peer)
            me.share(folder, peer)
        self.wait_connected()

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()

    def wait_connected(self) -> None:
        a, b = self.instances
        wait_for("the two Syncthing instances to connect", lambda: a.connected_to(b) and b.connected_to(a))

    def apart(self) -> None:
        """Pause each instance's peer, as two machines without a network between them."""
        a, b = self.instances
        a.pause(b)
        b.pause(a)
        wait_for("the two Syncthing instances to disconnect", lambda: not a.connected_to(b) and not b.connected_to(a))

    def together(self) -> None:
        """Each side has looked at its folder first, so what was written while apart is known to it
        as its own change when the two meet again."""
        a, b = self.instances
        a.scan()
        b.scan()
        a.resume(b)
        b.resume(a)
        self.wait_connected()

    def in_sync(self, also: Callable[[dict[str, bytes]], bool] = bool, what: str = "") -> dict[str, bytes]:
        """Wait until both folders hold the same files, byte for byte, with nothing in flight, both
        instances idle with nothing needed and each peer complete; and `also` holds of the files
        (by default: there are some). Returns those files."""
        a, b = self.instances

        def same() -> tuple[dict[str, bytes]] | None:
            for instance in self.instances:
                instance.scan()
            if not (a.settled() and b.settled() and a.peer_complete(b) and b.peer_complete(a)):
                return None
            files = tree(self.folders[0])
            in_flight = any(Path(name).name.startswith(".") for name in files)
            if in_flight or files != tree(self.folders[1]) or not also(files):
                return None
            return (files,)

        try:
            return wait_for(f"both Syncthing folders to hold the same files{what}", same)[0]
        except AssertionError as exc:
            listed = "\n".join(f"{folder.name}: {names(folder)}" for folder in self.folders)
            raise AssertionError(f"{exc}\n{listed}\n{self.diagnosis()}") from None

    def diagnosis(self) -> str:
        return "\n".join(f"--- {i.name} log ---\n{i.log_tail()}" for i in self.instances)


class Device:
    """One of the learner's devices: an mlops-path home (and cache) of its own, run as the installed
    command, syncing through its own Syncthing folder."""

    def __init__(self, script: str, root: Path, folder: Path):
        self.script = script
        self.home = root / "home"
        self.cache = root / "cache"
        self.folder = folder

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLOPS_PATH_")}
        env.update(MLOPS_PATH_HOME=str(self.home), MLOPS_PATH_CACHE=str(self.cache), NO_COLOR="1")
        return env

    def __call__(self, *args: str) -> str:
        result = subprocess.run([self.script, *args], capture_output=True, text=True, env=self.env(), timeout=120)
        if result.returncode != 0:
            command = " ".join(args)
            raise AssertionError(f"mlops-path {command} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json"))

    def statuses(self) -> dict[str, str]:
        return {step["id"]: step["status"] for step in self.json("list")}

    def notes(self) -> dict[str, list[str]]:
        """Each resource's notes, as text (what export carries)."""
        exported = json.loads(self("export"))
        notes = {rid: sorted(n["text"] for n in e.get("notes", [])) for rid, e in exported["resources"].items()}
        return {rid: texts for rid, texts in notes.items() if texts}
