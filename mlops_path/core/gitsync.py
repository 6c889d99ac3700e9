"""Sync through git: a clone of the learners' repository, driven with the `git` command line.

Each device commits only its own file, so a rebase onto what others pushed never conflicts; a
push that is rejected because another device pushed first fetches, rebases and tries again. Any
remote git can reach works, including a bare repository on a shared disk (`git init --bare`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from mlops_path.core.errors import FileProblem

PUSH_TRIES = 5
TIMEOUT = 120  # seconds for one git command


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise FileProblem("Sync with git needs the git command, which is not installed; install git, or sync a folder instead.")
    return git


def run(repo: Path | None, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """One git command, never prompting; a failure is a FileProblem with git's own first line."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}
    argv = [_git(), *(["-C", str(repo)] if repo else []), *args]
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise FileProblem(f"git {args[0]} took more than {TIMEOUT} seconds; your progress is saved here, try again later.") from None
    if check and result.returncode != 0:
        raise FileProblem(f"git {args[0]} failed: {_first_line(result.stderr)}; your progress is saved here, try again later.")
    return result


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("hint:")]
    return (lines[-1] if lines else "no message").rstrip(".")


def clone(url: str, dest: Path) -> None:
    """Clone `url` into `dest` (a remote with no commits yet is fine: the first sync makes one)."""
    try:
        if dest.exists():
            shutil.rmtree(dest)  # a clone made by an earlier `sync init` (this device's file is re-written from progress)
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileProblem(f"Cannot prepare the folder {dest} for the clone: {exc.strerror or exc}.") from None
    result = run(None, "clone", "--quiet", "--", url, str(dest), check=False)
    if result.returncode != 0:
        shutil.rmtree(dest, ignore_errors=True)
        raise FileProblem(f"Cannot clone {url}: {_first_line(result.stderr)}.")
    if run(dest, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        run(dest, "symbolic-ref", "HEAD", "refs/heads/main")  # an empty remote: start its main branch


def branch(repo: Path) -> str:
    return run(repo, "symbolic-ref", "--short", "HEAD").stdout.strip()


def pull(repo: Path) -> None:
    """Fetch and put this device's commits on top of what the others pushed."""
    run(repo, "fetch", "--quiet", "origin")
    upstream = f"origin/{branch(repo)}"
    if run(repo, "rev-parse", "--verify", "--quiet", upstream, check=False).returncode != 0:
        return  # nothing pushed yet
    if run(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        run(repo, "reset", "--quiet", "--hard", upstream)  # our branch is unborn: start from theirs
        return
    # --autostash: this device's file may hold changes not committed yet (only `sync` commits)
    identity = ("-c", "user.name=mlops-path", "-c", "user.email=mlops-path@invalid")
    result = run(repo, *identity, "rebase", "--autostash", "--quiet", upstream, check=False)
    if result.returncode != 0:
        run(repo, "rebase", "--abort", check=False)
        raise FileProblem(f"git could not put your sync commits on top of the others': {_first_line(result.stderr)}.")


def commit(repo: Path, file: Path, learner: str, device: str) -> bool:
    """Commit this device's file if it changed; True if a commit was made."""
    relative = str(file.relative_to(repo))
    run(repo, "add", "--", relative)
    if run(repo, "diff", "--cached", "--quiet", "--", relative, check=False).returncode == 0:
        return False
    run(repo, "-c", f"user.name={learner}", "-c", f"user.email={device}@mlops-path.invalid",
        "commit", "--quiet", "--no-verify", "-m", f"mlops-path: progress of {learner} ({device})", "--", relative)  # fmt: skip
    return True


def push(repo: Path) -> None:
    """Push; when another device pushed first, fetch, rebase and try again."""
    for _ in range(PUSH_TRIES):
        if run(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
            return  # nothing to push
        result = run(repo, "push", "--quiet", "origin", "HEAD", check=False)
        if result.returncode == 0:
            return
        if "rejected" not in result.stderr and "fetch first" not in result.stderr and "non-fast-forward" not in result.stderr:
            raise FileProblem(f"git push failed: {_first_line(result.stderr)}; your progress is saved here, try again later.")
        pull(repo)
    raise FileProblem(f"git push was rejected {PUSH_TRIES} times (other devices kept pushing); try `mlops-path sync` again.")
