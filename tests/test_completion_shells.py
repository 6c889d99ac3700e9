"""Completion in real shells: bash, zsh and fish, each new and interactive in tmux, complete from the
first Tab, installed (`--install-completion`) or loaded from `--show-completion`, with one run of the
program per Tab (counted by a wrapper on PATH) and no rich on the way; `--show-completion SHELL`
prints SHELL's script whichever shell runs it.

Parallel-safe: each test has its own HOME (and ZDOTDIR, XDG_CONFIG_HOME), its own tmux server on a
socket in its tmp_path, and its own run log. Nothing waits a fixed time: the pane is polled for the
text expected, and the one bound (a minute) only ends a test that would otherwise hang."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import installed_script, need

from mlops_path.cli.completion import SHELLS, optional_shell, script


def shell_env(script_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The environment of a new user: HOME, ZDOTDIR and XDG_CONFIG_HOME in the test's folder."""
    home = tmp_path / "user"
    home.mkdir(exist_ok=True)
    env = {
        **script_env,
        "HOME": str(home),
        "ZDOTDIR": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "TERM": "xterm-256color",
    }
    for inherited in ("TMUX", "BASH_ENV", "ENV", "PROMPT_COMMAND", "XDG_DATA_HOME"):
        env.pop(inherited, None)
    return env


def counting_wrapper(tmp_path: Path) -> tuple[Path, Path]:
    """A `mlops-path` that logs each run (the completion request it carries) and runs the real one;
    its folder goes first on PATH, so the shell's completion runs it. Returns (folder, log)."""
    folder, log = tmp_path / "wrapper", tmp_path / "runs.log"
    folder.mkdir()
    wrapper = folder / "mlops-path"
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "${{_MLOPS_PATH_COMPLETE:-run}}" >> "{log}"\nexec "{installed_script()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    log.touch()
    return folder, log


class Terminal:
    """An interactive shell in tmux, on a server of its own (a socket in the test's folder)."""

    def __init__(self, tmp_path: Path, command: list[str], env: dict[str, str]):
        need(shutil.which("tmux") is not None, "tmux")
        self.tmux = ["tmux", "-S", str(tmp_path / "tmux.sock")]
        start = ["new-session", "-d", "-s", "t", "-x", "120", "-y", "30", *command]
        subprocess.run([*self.tmux, "-f", "/dev/null", *start], env=env, check=True, cwd=tmp_path)

    def screen(self) -> str:
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-t", "t"], capture_output=True, text=True).stdout

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + 60  # only ends a hang; a slow machine just takes longer
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared:\n{shown}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", "t", *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


PROMPT = "READY> "
RC = {  # each shell's start-up file, and the line that gives it a prompt we can wait for
    "bash": (".bashrc", f"PS1='{PROMPT}'\n"),
    "zsh": (".zshrc", f"PS1='{PROMPT}'\nunsetopt beep\n"),
    "fish": (".config/fish/config.fish", f"set -g fish_greeting\nfunction fish_prompt; echo -n '{PROMPT}'; end\n"),
}
SOURCED = {  # the other way in: the script of --show-completion loaded at start-up
    "bash": "source <({cmd} --show-completion bash)\n",
    "zsh": "autoload -Uz compinit\ncompinit -u -d ~/.zcompdump\nsource <({cmd} --show-completion zsh)\n",
    "fish": "{cmd} --show-completion fish | source\n",
}
START = {"bash": ["bash", "-i"], "zsh": ["zsh", "-i"], "fish": ["fish", "-i"]}


@pytest.fixture
def new_shell(script_env, tmp_path):
    """A new interactive SHELL with completion set up HOW ("install" or "source"), typing through
    the counting wrapper; yields (terminal, the log of runs)."""
    opened: list[Terminal] = []

    def start(shell: str, how: str) -> tuple[Terminal, Path]:
        need(shutil.which(shell) is not None, shell)
        env = shell_env(script_env, tmp_path)
        home = Path(env["HOME"])
        rc_name, prompt = RC[shell]
        rc = home / rc_name
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_text(prompt)
        if how == "install":
            result = subprocess.run(
                [installed_script(), "--install-completion", shell], env=env, capture_output=True, text=True, timeout=60
            )
            assert result.returncode == 0 and f"Installed {shell} completion" in result.stdout, result.stderr
        else:
            with rc.open("a") as file:
                file.write(SOURCED[shell].format(cmd=installed_script()))
        folder, log = counting_wrapper(tmp_path)
        env["PATH"] = f"{folder}:{env['PATH']}"
        terminal = Terminal(tmp_path, START[shell], env)
        opened.append(terminal)
        terminal.wait_for(PROMPT.strip())  # (the pane is read without trailing spaces)
        return terminal, log

    yield start
    for terminal in opened:
        terminal.close()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["install", "source"])
@pytest.mark.parametrize("shell", SHELLS)
def test_the_first_tab_of_a_new_shell_completes_with_one_run(new_shell, shell, how):
    terminal, log = new_shell(shell, how)
    terminal.keys("mlops-path done ml-t", "Tab")
    terminal.wait_for("mlops-path done ml-test-score")
    assert log.read_text().split() == [f"complete_{shell}"]  # the first Tab: one run, and it completed
    terminal.keys("C-u", "mlops-path list --topic dr", "Tab")
    terminal.wait_for("mlops-path list --topic drift")
    assert log.read_text().split() == [f"complete_{shell}"] * 2  # the second: one more


@pytest.mark.parametrize("shell", SHELLS)
def test_an_empty_answer_completes_file_names(new_shell, shell, tmp_path):
    """`--catalog FILE` has nothing of ours to complete: the shell offers files, as before."""
    (tmp_path / "my-catalog.toml").write_text("")
    terminal, log = new_shell(shell, "install")
    terminal.keys("mlops-path --catalog my-cat", "Tab")
    terminal.wait_for("--catalog my-catalog.toml")
    assert log.read_text().split() == [f"complete_{shell}"]


# --- no rich on the completion path ---------------------------------------------------------------


def completion_env(script_env: dict[str, str], shell: str, line: str) -> dict[str, str]:
    env = {**script_env, "_MLOPS_PATH_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    if shell == "bash":
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(line.split()) - 1)}
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    return env


@pytest.mark.parametrize("shell", SHELLS)
def test_a_tab_imports_no_rich(script_env, shell):
    """Python's own import log (-X importtime) of one Tab's run of the installed command."""
    env = completion_env(script_env, shell, "mlops-path show dmls-ch0")
    command = [sys.executable, "-X", "importtime", installed_script()]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "dmls-ch08" in result.stdout, result.stderr
    log = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    imported = {line.rsplit("|", 1)[-1].strip() for line in log}
    assert "mlops_path.core.catalog.loader" in imported  # the log is read right: the catalog was loaded
    assert not {name for name in imported if name == "rich" or name.startswith("rich.")}, "a Tab imported rich"


# --- --show-completion SHELL ----------------------------------------------------------------------


@pytest.mark.parametrize("parent", SHELLS)
def test_show_completion_prints_the_named_shells_script_from_any_shell(script_env, parent):
    need(shutil.which(parent) is not None, parent)
    for shell in SHELLS:
        for args in (["--show-completion", shell], [f"--show-completion={shell}"]):
            command = " ".join([installed_script(), *args]) + "; true"  # `; true`: the shell stays the parent
            result = subprocess.run([parent, "-c", command], env=script_env, capture_output=True, text=True, timeout=60)
            assert (result.returncode, result.stdout) == (0, script(shell)), (parent, args, result.stderr)


@pytest.mark.parametrize("parent", SHELLS)
def test_show_completion_alone_prints_the_current_shells_script(script_env, parent):
    need(shutil.which(parent) is not None, parent)
    command = f"{installed_script()} --show-completion; true"
    result = subprocess.run([parent, "-c", command], env=script_env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, script(parent)), result.stderr


def test_an_unknown_shell_is_a_usage_error(cli):
    for args in (["--show-completion", "ksh"], ["--install-completion=tcsh"], ["--show-completion", "next"]):
        result = cli(*args)
        assert result.exit_code == 2 and "name one of bash, zsh or fish" in result.stderr, result.stderr


def test_show_completion_takes_its_shell_only_when_one_follows():
    assert optional_shell(["--show-completion"]) == ["--show-completion", ""]
    assert optional_shell(["--show-completion", "--path", "x"]) == ["--show-completion", "", "--path", "x"]
    assert optional_shell(["--show-completion", "zsh"]) == ["--show-completion", "zsh"]
    assert optional_shell(["note", "--", "--show-completion"]) == ["note", "--", "--show-completion"]


# --- --install-completion -------------------------------------------------------------------------


def test_installing_twice_writes_the_script_and_one_line_at_start_up(cli, monkeypatch, tmp_path):
    home = tmp_path / "user"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ZDOTDIR", str(tmp_path / "zdot"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "zdot").mkdir()
    (tmp_path / "zdot" / ".zshrc").write_text("PS1='> '")  # no newline at the end
    for _ in range(2):
        for shell in SHELLS:
            result = cli("--install-completion", shell)
            assert result.exit_code == 0 and f"Installed {shell} completion" in result.stdout, result.stderr
    assert (home / ".zfunc" / "_mlops-path").read_text() == script("zsh")
    assert (tmp_path / "zdot" / ".zshrc").read_text() == "PS1='> '\nfpath+=~/.zfunc; autoload -Uz compinit; compinit\n"
    assert (home / ".bash_completions" / "mlops-path.sh").read_text() == script("bash")
    assert (home / ".bashrc").read_text() == f"source '{home / '.bash_completions' / 'mlops-path.sh'}'\n"
    assert (tmp_path / "config" / "fish" / "completions" / "mlops-path.fish").read_text() == script("fish")


def test_an_install_that_cannot_write_is_one_sentence(cli, monkeypatch, tmp_path):
    home = tmp_path / "user"
    home.mkdir()
    (home / ".zfunc").write_text("a file where the folder should be")
    monkeypatch.setenv("HOME", str(home))
    result = cli("--install-completion", "zsh")
    assert result.exit_code == 1 and result.stderr.startswith("Error: Could not install zsh completion"), result.stderr
    assert result.stderr.count("\n") == 1
