"""Sync through git: a clone of the learners' repository, driven with the `git` command line.

Each device owns exactly one file there, so nothing needs git to merge: a sync takes the
remote's branch as it is (`reset --hard`), writes this device's file again from the progress file
(the source of truth), commits it alone and pushes; a push refused because another device pushed
first starts over from the new remote branch. Nothing is ever rebased or stashed, so a clone left
in any state by a killed sync (mid-rebase, a stale lock, stash entries, a detached HEAD) is
brought back to a clean one first, and a group member who rewrites this device's file loses to
this device's version.

The repository is data, not configuration: its `.gitattributes` cannot re-encode or filter our
files (`info/attributes` overrides them), no hook runs, and git's own environment variables
(`GIT_DIR` inside a hook, say) are removed before git runs, so `sync` never acts on another
repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from mlops_path.core.errors import FileProblem

PUSH_TRIES = 5
TIMEOUT = 120  # seconds for one git command

# Settings that no repository or user configuration may change for our files.
FORCED = (
    "core.autocrlf=false",
    "core.eol=lf",
    "core.safecrlf=false",
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "commit.gpgSign=false",
    "gc.auto=0",
)
# Highest precedence of all attribute files: the repository's .gitattributes cannot touch our bytes.
NEUTRAL_ATTRIBUTES = "* -text -eol -filter -ident -working-tree-encoding -diff -merge\n"
# git's environment that may stay: how to reach the remote (ssh, proxies, certificates).
KEPT_GIT_ENV = frozenset(
    {
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_PROXY_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_SSL_NO_VERIFY",
    }
)


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise FileProblem(
            "Sync with git needs the git command, which is not installed; install git, or sync a folder instead."
        )
    return git


def environment() -> dict[str, str]:
    """The environment git runs in: ours less git's own variables (GIT_DIR, GIT_WORK_TREE,
    GIT_INDEX_FILE, GIT_CONFIG_*...), never prompting, in the C locale (we read its messages)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in KEPT_GIT_ENV}
    return {**env, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}


def run(repo: Path | None, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """One git command, never prompting; a failure is a FileProblem with git's own reason."""
    forced = [part for setting in FORCED for part in ("-c", setting)]
    argv = [_git(), *forced, *(["-C", str(repo)] if repo else []), *args]
    try:
        result = subprocess.run(
            argv,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        raise FileProblem(
            f"git {args[0]} took more than {TIMEOUT} seconds; your progress is saved here, try again later."
        ) from None
    if check and result.returncode != 0:
        raise FileProblem(
            f"git {args[0]} failed: {reason(result.stderr)}; your progress is saved here, try again later."
        )
    return result


def reason(stderr: str) -> str:
    """The line of git's message that says why: its first `fatal:` or `error:` line (git's last
    lines are often advice, such as "and the repository exists"), else its first line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("hint:")]
    for line in lines:
        for prefix in ("fatal:", "error:"):
            if line.startswith(prefix):
                return line[len(prefix) :].strip().rstrip(".")
    return (lines[0] if lines else "no message").rstrip(".")


def clone(url: str, dest: Path) -> None:
    """Clone `url` into `dest` (a remote with no commits yet is fine: the first sync makes one, on
    the branch the remote's HEAD names, so a fresh `git clone` of it shows the group's files)."""
    try:
        if dest.exists():
            shutil.rmtree(
                dest
            )  # a clone made by an earlier `sync init` (this device's file is re-written from progress)
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileProblem(f"Cannot prepare the folder {dest} for the clone: {exc.strerror or exc}.") from None
    result = run(None, "clone", "--quiet", "--no-checkout", "--", url, str(dest), check=False)
    if result.returncode != 0:
        shutil.rmtree(dest, ignore_errors=True)
        raise FileProblem(f"Cannot clone {url}: {reason(result.stderr)}.")
    recover(dest)
    upstream = _upstream(dest)
    if upstream:
        run(dest, "reset", "--quiet", "--hard", upstream)


def recover(repo: Path) -> None:
    """Bring the clone back to a clean state, whatever a killed or failed git left: an unfinished
    rebase, merge or cherry-pick, stale lock files, stash entries, a detached HEAD. Called with
    the sync lock held, so no other git of ours works in this clone."""
    git_dir = repo / ".git"
    for name in ("rebase-merge", "rebase-apply"):
        if (git_dir / name).exists():
            run(repo, "rebase", "--abort", check=False)
            shutil.rmtree(git_dir / name, ignore_errors=True)
    for name in ("MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "CHERRY_PICK_HEAD", "REVERT_HEAD", "AUTO_MERGE"):
        (git_dir / name).unlink(missing_ok=True)
    for lock in [*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")]:
        lock.unlink(missing_ok=True)
    if run(repo, "symbolic-ref", "--quiet", "HEAD", check=False).returncode != 0:
        run(repo, "symbolic-ref", "HEAD", f"refs/heads/{_remote_branch(repo) or 'main'}")
    if run(repo, "rev-parse", "--verify", "--quiet", "refs/stash", check=False).returncode == 0:
        run(repo, "stash", "clear")
    (git_dir / "info").mkdir(exist_ok=True)
    (git_dir / "info" / "attributes").write_text(NEUTRAL_ATTRIBUTES)


def branch(repo: Path) -> str:
    return run(repo, "symbolic-ref", "--short", "HEAD").stdout.strip()


def _remote_branch(repo: Path) -> str | None:
    """A branch the remote has: main, else master, else the first (None: the remote is empty)."""
    refs = run(repo, "for-each-ref", "--format=%(refname:strip=3)", "refs/remotes/origin", check=False).stdout.split()
    refs = [r for r in refs if r != "HEAD"]
    for preferred in ("main", "master"):
        if preferred in refs:
            return preferred
    return refs[0] if refs else None


def _upstream(repo: Path) -> str | None:
    """`origin/<our branch>`; when the remote has no such branch but has others (our clone named
    the branch the remote's HEAD points to, which nobody pushed), ours becomes one of theirs."""
    mine = branch(repo)
    if run(repo, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{mine}", check=False).returncode == 0:
        return f"origin/{mine}"
    theirs = _remote_branch(repo)
    if theirs is None:
        return None
    run(repo, "symbolic-ref", "HEAD", f"refs/heads/{theirs}")
    return f"origin/{theirs}"


def start_over(repo: Path) -> None:
    """Recover, fetch, and make the working tree the remote's branch exactly (files git does not
    track stay). This device's own file is written again afterwards, from the progress file."""
    recover(repo)
    run(repo, "fetch", "--quiet", "--prune", "origin")
    upstream = _upstream(repo)
    if upstream:
        run(repo, "reset", "--quiet", "--hard", upstream)
    elif run(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0:
        run(repo, "reset", "--quiet", "--hard", "HEAD")


def stage(repo: Path, paths: list[Path]) -> None:
    """Stage what is under `paths` (this learner's folder: this device's file, and the removal
    of anything set aside there), nothing else."""
    run(repo, "add", "--all", "--", *(str(p.relative_to(repo)) for p in paths))


def commit(repo: Path, file: Path, written: bytes, learner: str, device: str) -> bool:
    """Commit what is staged if it changes anything; True if a commit was made. What git stored
    must be the bytes we wrote: anything else (a filter, an encoding) is refused."""
    if run(repo, "diff", "--cached", "--quiet", check=False).returncode == 0:
        return False
    run(
        repo,
        "-c",
        f"user.name={learner}",
        "-c",
        f"user.email={device}@mlops-path.invalid",
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        f"mlops-path: progress of {learner} ({device})",
    )
    relative = file.relative_to(repo).as_posix()
    stored = subprocess.run(
        [_git(), "-C", str(repo), "cat-file", "blob", f"HEAD:{relative}"],
        env=environment(),
        capture_output=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    ).stdout
    if stored != written:
        run(repo, "reset", "--quiet", "--soft", "HEAD~1", check=False)
        raise FileProblem("git stored your sync file differently from what mlops-path wrote, so nothing was pushed.")
    return True


# What a remote says when another push updated the branch at the same moment: try again.
RACES = ("[rejected]", "fetch first", "non-fast-forward", "cannot lock ref", "failed to update ref", "failed to lock")


def push(repo: Path) -> bool:
    """Push this branch; False when the remote moved on (another device pushed first: start over).
    Any other refusal is git's or the server's own reason, in one sentence."""
    if run(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        return True  # nothing to push
    result = run(repo, "push", "--quiet", "--porcelain", "origin", f"HEAD:refs/heads/{branch(repo)}", check=False)
    if result.returncode == 0:
        return True
    text = result.stdout + "\n" + result.stderr
    if any(race in text for race in RACES):
        return False
    if "[remote rejected]" in text:
        why = text.split("[remote rejected]", 1)[1].split("(", 1)[-1].split(")", 1)[0].strip()
        said = [line[len("remote:") :].strip() for line in result.stderr.splitlines() if line.startswith("remote:")]
        said = [line for line in said if line]
        detail = f" ({said[0].rstrip('.')})" if said else ""
        raise FileProblem(f"The server refused the push: {why}{detail}; your progress is saved here.")
    raise FileProblem(f"git push failed: {reason(result.stderr)}; your progress is saved here, try again later.")
