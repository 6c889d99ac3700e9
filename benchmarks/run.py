"""Benchmark the installed mlops-path against the floor app, interleaved, medians of repeated runs.

    python benchmarks/run.py            # the full run (about two minutes)
    python benchmarks/run.py --quick    # a few rounds, as CI runs it (prints; never fails on timings)

Run it with the interpreter of the environment mlops-path is installed in: the floor app
(benchmarks/floor_app.py: one typer command, one small pydantic model, one line through rich)
runs on the same interpreter and packages. Every round runs every case once, in a shuffled order,
so a noisy neighbour slows all cases alike; the table reports each case's median wall time, the
median of its per-round ratios to the floor (each pair measured in the same round), and its peak
memory (max RSS). hyperfine is not used:
it times one command's batch after another, and interleaving is what makes ratios trustworthy on
a shared machine. Timings are printed, never asserted: the targets are in the table for reading.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mlops_path.core.sync.layout import learner_folders

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SCRIPT = str(BIN / "mlops-path")
FLOOR = [sys.executable, str(HERE / "floor_app.py")]
BIG = 5_000
HUGE = 40_000
COURSE = 10_000  # learners in the course-sized cohort case


def run_once(argv: list[str], env: dict[str, str], tty: bool) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run; under a pseudo-terminal when `tty`."""
    if tty:
        argv = ["script", "-qec", " ".join(argv), "/dev/null"]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark case failed: {' '.join(argv)}\n{err}")
    return elapsed, usage.ru_maxrss


FIRST_FRAME_MARK = b"lists every key"  # the browse screen's status line at open: the first frame is drawn


def first_frame(env: dict[str, str]) -> tuple[float, int]:
    """Seconds from starting `mlops-path browse` in an 80x24 pseudo-terminal to its first frame
    on that terminal, and its peak RSS (KiB); it is sent `q` then and must end with exit 0."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    argv, frame_env = [SCRIPT, "browse"], env | {"TERM": "xterm-256color"}
    tty = {"stdin": child_fd, "stdout": child_fd, "stderr": child_fd}
    proc = subprocess.Popen(argv, env=frame_env, start_new_session=True, **tty)
    os.close(child_fd)
    seen, elapsed = b"", None
    try:
        while select.select([main_fd], [], [], 30)[0]:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the terminal's other side closed: the command ended
                break
            seen += chunk
            if elapsed is None and FIRST_FRAME_MARK in seen:
                elapsed = time.perf_counter() - start
                os.write(main_fd, b"q")
    finally:
        os.close(main_fd)
        if elapsed is None:
            proc.kill()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if elapsed is None or proc.returncode != 0:
        raise SystemExit(f"benchmark case failed: mlops-path browse (exit {proc.returncode})\n{seen[-2000:]!r}")
    return elapsed, usage.ru_maxrss


def make_home(root: Path, name: str) -> Path:
    home = root / name
    home.mkdir()
    return home


def big_home(
    root: Path, env: dict[str, str], name: str = "big", size: int = BIG, done: int = BIG // 2
) -> tuple[Path, list[str]]:
    """A home with a generated catalog of `size` resources in one path, its first `done` steps done."""
    home = make_home(root, name)
    (home / "catalogs").mkdir()
    ids = [f"r{i:05d}" for i in range(size)]
    # written as it is made: the benchmark process stays small, and so does what its children inherit
    with (home / "catalogs" / "big.toml").open("w") as catalog:
        for i, rid in enumerate(ids):
            catalog.write(
                f'[[resources]]\nid = "{rid}"\ntitle = "Generated resource number {i}"\nkind = "paper"\n'
                f'url = "https://example.org/{rid}"\nminutes = {5 + i % 60}\ntopics = ["t{i % 40}", "all"]\n\n'
            )
        catalog.write(
            '[[paths]]\nid = "big"\ntitle = "A generated path"\nsteps = [' + ", ".join(f'"{r}"' for r in ids) + "]\n"
        )
    big_env = {**env, "MLOPS_PATH_HOME": str(home), "MLOPS_PATH_CACHE": str(home / "cache")}
    subprocess.run([SCRIPT, "use", "big"], env=big_env, check=True, capture_output=True)
    if done:
        subprocess.run([SCRIPT, "done", *ids[:done]], env=big_env, check=True, capture_output=True)
    return home, ids


SEED_IDS = ["dmls-ch02", "dmls-ch07", "dmls-ch08", "dmls-ch09", "dmls-ch11", "mlops-principles", "operationalizing-ml"]


def device_file(folder: Path, learner: str, device: str, done: int, sharded: bool = False) -> None:
    """A sync file as another device writes it: `done` of the seed path's first steps done (in the
    first layout, or the sharded one a course-sized group uses)."""
    at = "2026-11-01T00:00:00Z"
    resources = {
        rid: {
            "status": "done",
            "updated": at,
            "done_at": at,
            "started_at": None,
            "notes": [],
            "clock": [1793491200000 + i, 0, device],
        }
        for i, rid in enumerate(SEED_IDS[:done])
    }
    target = learner_folders(folder, learner)[0] if sharded else folder / "mlops-path" / learner
    target.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": "mlops-path-sync",
        "version": 1,
        "learner": learner,
        "device": device,
        "exported_at": at,
        "clock": [1793491200000 + done, 0],
        "path": "mlops",
        "resources": resources,
    }
    (target / f"{device}.json").write_text(json.dumps(doc))


def synced_home(root: Path, env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """A home syncing through a folder where 19 other devices of the same learner wrote their
    files (the `next` case), and a folder of 1,000 learners' files (the `cohort` case)."""
    home, folder, group = make_home(root, "synced"), root / "sync-folder", root / "group"
    folder.mkdir()
    for i in range(19):
        device_file(folder, "ada", f"{i:04x}", i % len(SEED_IDS))
    for i in range(1000):
        device_file(group, f"learner-{i:04d}", f"{i:04x}", i % len(SEED_IDS))
    sync_env = env | {"MLOPS_PATH_HOME": str(home), "MLOPS_PATH_CACHE": str(home / "cache")}
    subprocess.run(
        [SCRIPT, "sync", "init", str(folder), "--name", "ada", "--join"], env=sync_env, check=True, capture_output=True
    )
    return sync_env, group


def course(root: Path) -> Path:
    """A course of 10,000 learners in one folder, in the sharded layout."""
    folder = root / "course"
    for i in range(COURSE):
        device_file(folder, f"learner-{i:05d}", f"{i:05x}", i % len(SEED_IDS), sharded=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few rounds, for CI")
    parser.add_argument("--rounds", type=int, help="rounds of interleaved runs (default 21, quick 5)")
    parser.add_argument(
        "--json", type=Path, default=HERE / "results" / "latest.json", help="where to write the results"
    )
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 21)
    if not Path(SCRIPT).exists():
        raise SystemExit(f"mlops-path is not installed beside {sys.executable}; install it first (pip install .)")

    root = Path(tempfile.mkdtemp(prefix="mlops-path-bench-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("MLOPS_PATH")} | {
        "TERM": "xterm-256color",
        "COLUMNS": "100",
    }
    home = make_home(root, "plain")
    env = base_env | {"MLOPS_PATH_HOME": str(home), "MLOPS_PATH_CACHE": str(home / "cache")}
    subprocess.run([SCRIPT, "done", "dmls-ch02", "dmls-ch07"], env=env, check=True, capture_output=True)
    big, big_ids = big_home(root, base_env)
    big_env = base_env | {"MLOPS_PATH_HOME": str(big), "MLOPS_PATH_CACHE": str(big / "cache")}

    def writable_copy(seed: Path) -> tuple[dict[str, str], Callable[[], None]]:
        """A copy of a home for a case that writes, and a reset that restores it before each run,
        so every run does the same work and the read-only cases never see its changes. Its cache
        lives outside it, so resets keep the cache warm as a user's would be."""
        copy = root / f"{seed.name}-written"

        def reset() -> None:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(seed, copy)

        reset()
        return base_env | {
            "MLOPS_PATH_HOME": str(copy),
            "MLOPS_PATH_CACHE": str(root / f"{seed.name}-written-cache"),
        }, reset

    sync_env, group = synced_home(root, base_env)
    big_group = course(root)
    cold_cache = root / "cold-cache"
    cold_env = env | {"MLOPS_PATH_CACHE": str(cold_cache)}

    def forget_course() -> None:
        shutil.rmtree(cold_cache, ignore_errors=True)

    done_env, done_reset = writable_copy(home)
    big_done_env, big_done_reset = writable_copy(big)
    # `done` must stay linear in the ids it is given: 40,000 ids against 10,000, on a 40,000-resource catalog
    huge, huge_ids = big_home(root, base_env, "huge", HUGE, done=0)
    huge_env, huge_reset = writable_copy(huge)

    # (name, argv, env, tty, prepare-before-each-run (untimed), target ratio, compared with)
    cases = [
        ("floor", FLOOR, env, False, None, None, None),
        ("floor (terminal)", FLOOR, env, True, None, None, None),
        ("next", [SCRIPT, "next"], env, False, None, 0.8, "floor"),
        ("next --json", [SCRIPT, "next", "--json"], env, False, None, 0.8, "floor"),
        ("--help", [SCRIPT, "--help"], env, False, None, 0.8, "floor"),
        ("list", [SCRIPT, "list"], env, False, None, 0.9, "floor"),
        ("list --json", [SCRIPT, "list", "--json"], env, False, None, 0.9, "floor"),
        ("progress", [SCRIPT, "progress"], env, False, None, 0.9, "floor"),
        ("done", [SCRIPT, "done", "dmls-ch08"], done_env, False, done_reset, 1.0, "floor"),
        ("next (terminal)", [SCRIPT, "next"], env, True, None, 1.0, "floor (terminal)"),
        ("list (terminal)", [SCRIPT, "list"], env, True, None, 1.0, "floor (terminal)"),
        ("progress (terminal)", [SCRIPT, "progress"], env, True, None, 1.0, "floor (terminal)"),
        ("next, 20 synced devices", [SCRIPT, "next"], sync_env, False, None, 1.2, "next"),
        ("cohort --json, 1,000 learners", [SCRIPT, "cohort", str(group), "--json"], env, False, None, 3.0, "next"),
        (
            "cohort --json, 10,000 learners (warm)",
            [SCRIPT, "cohort", str(big_group), "--json"],
            env,
            False,
            None,
            5.0,
            "next",
        ),
        (
            "cohort --json, 10,000 learners (cold)",
            [SCRIPT, "cohort", str(big_group), "--json"],
            cold_env,
            False,
            forget_course,
            None,
            None,
        ),
        ("big: next", [SCRIPT, "next"], big_env, False, None, 1.5, "next"),
        ("big: list --json", [SCRIPT, "list", "--json"], big_env, False, None, 1.5, "floor"),
        (
            "big: done 2,500 ids",
            [SCRIPT, "done", *big_ids[BIG // 2 :]],
            big_done_env,
            False,
            big_done_reset,
            None,
            None,
        ),
        ("huge: done 10,000 ids", [SCRIPT, "done", *huge_ids[: HUGE // 4]], huge_env, False, huge_reset, None, None),
        (
            "huge: done 40,000 ids",
            [SCRIPT, "done", *huge_ids],
            huge_env,
            False,
            huge_reset,
            5.0,
            "huge: done 10,000 ids",
        ),
    ]
    times: dict[str, list[float]] = {c[0]: [] for c in cases}
    memory: dict[str, list[int]] = {c[0]: [] for c in cases}
    for _name, argv, case_env, tty, prepare, *_ in cases:  # warm-up: caches built, files in the page cache
        if prepare:
            prepare()
        run_once(argv, case_env, tty)
    for _ in range(rounds):
        order = cases[:]
        random.shuffle(order)
        for name, argv, case_env, tty, prepare, *_ in order:
            if prepare:
                prepare()
            elapsed, rss = run_once(argv, case_env, tty)
            times[name].append(elapsed)
            memory[name].append(rss)

    # browse: time to the first frame in a pseudo-terminal (a case of its own: it waits for keys)
    first_frame(env)  # warm-up
    frames = [first_frame(env) for _ in range(rounds)]
    frame = {"case": "browse: first frame (terminal, 80x24)", "baseline": None, "ratio": None, "target": None}
    frame["met"] = None  # reported, never a target: it waits for keys, so it is not interleaved with the others

    # One write for 2,500 ids: the history grew by exactly one change.
    big_done_reset()
    written = Path(big_done_env["MLOPS_PATH_HOME"]) / "progress.json"
    before = len(json.loads(written.read_text())["history"])
    subprocess.run([SCRIPT, "done", *big_ids[BIG // 2 :]], env=big_done_env, check=True, capture_output=True)
    writes = len(json.loads(written.read_text())["history"]) - before

    results = []
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, _argv, _env, _tty, _prepare, target, baseline in cases:
        # the median of per-round ratios: each pair ran in the same round, under the same load
        ratio = (
            statistics.median(a / b for a, b in zip(times[name], times[baseline], strict=True)) if baseline else None
        )
        results.append(
            {
                "case": name,
                "median_ms": round(median[name] * 1000, 1),
                "baseline": baseline,
                "ratio": round(ratio, 2) if ratio else None,
                "target": target,
                "met": (ratio <= target) if ratio and target else None,
                "peak_rss_kib": int(statistics.median(memory[name])),
            }
        )
    frame["median_ms"] = round(statistics.median(seconds for seconds, _ in frames) * 1000, 1)
    results.append(frame | {"peak_rss_kib": int(statistics.median(rss for _, rss in frames))})
    floor_rss = statistics.median(memory["floor"])
    next_rss = statistics.median(memory["next"])
    summary = {
        "rounds": rounds,
        "python": sys.version.split()[0],
        "typer": _version("typer"),
        "pydantic": _version("pydantic"),
        "results": results,
        "memory": {"next_vs_floor": round(next_rss / floor_rss, 2), "target": 1.2, "met": next_rss / floor_rss <= 1.2},
        "big_done_writes": writes,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2) + "\n")
    print(table(summary))
    shutil.rmtree(root, ignore_errors=True)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def table(summary: dict) -> str:
    out = [
        (
            f"mlops-path benchmark: {summary['rounds']} interleaved rounds, Python {summary['python']}, "
            f"typer {summary['typer']}, pydantic {summary['pydantic']}"
        ),
        "",
        "| case | median ms | vs | ratio | target | met | peak RSS MiB |",
        "| --- | ---: | --- | ---: | ---: | :---: | ---: |",
    ]
    for r in summary["results"]:
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        target = f"≤ {r['target']}" if r["target"] else ""
        out.append(
            f"| {r['case']} | {r['median_ms']:.1f} | {r['baseline'] or ''} | {ratio} | {target} | {met} | "
            f"{r['peak_rss_kib'] / 1024:.1f} |"
        )
    m = summary["memory"]
    writes = summary["big_done_writes"]
    out += [
        "",
        (
            f"Peak memory of `next` vs the floor: {m['next_vs_floor']:.2f} (target ≤ {m['target']}: "
            f"{'met' if m['met'] else 'NOT met'})."
        ),
        f"`done` with 2,500 ids wrote {writes} change{'s' * (writes != 1)} to the history (target: 1).",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    main()
