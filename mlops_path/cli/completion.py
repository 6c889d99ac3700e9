"""Shell completion: the scripts bash, zsh and fish load, the answer to each Tab, and the callbacks
that say what completes (small pure functions of what has been typed so far).

Why not typer's own: its zsh script, installed in zsh's fpath, only registers itself on the first
Tab and completes nothing until the second; its fish script runs the program twice per Tab; its zsh
and fish answers import rich (to strip markup that completion help never holds); and
`--show-completion zsh` run from bash printed the bash script. Here each Tab is one run of the
program, in every shell from the first Tab, with no rich; `--show-completion SHELL` and
`--install-completion SHELL` honour SHELL and detect the current shell when it is left out.
The wire format (`_TYPER_COMPLETE_ARGS`, `COMP_WORDS`, ...) is typer's, so a script installed by an
older version keeps working.

The callbacks must never fail loudly (a traceback would land in the user's shell), so a catalog
that cannot be loaded simply completes nothing. Titles shown beside ids come from catalogs that
anyone may have written, and zsh reads the answer inside an `eval`: each passes `completion_help`
(letters, digits, spaces and harmless punctuation only) so no title can run code or break quoting.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_path.core.progress.record import Status
from mlops_path.core.text import completion_help

if TYPE_CHECKING:
    from mlops_path.core.catalog.model import Catalog

PROG = "mlops-path"
VAR = "_MLOPS_PATH_COMPLETE"  # the environment variable that turns a run into a Tab's answer
SHELLS = ("bash", "zsh", "fish")
SHELL_OPTIONS = ("--install-completion", "--show-completion")

# Bash: one run per Tab; `-o default` completes file names when the answer is empty.
BASH_SCRIPT = """\
_mlops_path_completion() {
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD %(var)s=complete_bash $1 ) )
    return 0
}

complete -o default -F _mlops_path_completion %(prog)s
"""

# Zsh loads this file two ways. Sourced or eval'd from .zshrc, it registers the function for the
# Tabs to come. Installed in fpath (`--install-completion zsh`), compinit autoloads it as the
# function `_mlops-path` at the first Tab: the body must then also complete (typer's only
# registered, so the first Tab of every new shell completed nothing); the Tabs after it call the
# registered function.
ZSH_SCRIPT = """\
#compdef %(prog)s

_mlops_path_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" %(var)s=complete_zsh %(prog)s)
}

compdef _mlops_path_completion %(prog)s
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _mlops_path_completion "$@"
fi
"""

# Fish: one run per Tab (typer's asked a `--condition` run first, then ran again for the answer);
# an empty answer (a FILE argument) completes paths, as the condition used to allow.
FISH_SCRIPT = """\
function __mlops_path_complete
    set -l answer (env %(var)s=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args \\
        _TYPER_COMPLETE_ARGS=(commandline -cp) %(prog)s)
    if string length -q -- $answer
        printf '%%s\\n' $answer
    else
        __fish_complete_path (commandline -ct)
    end
end

complete --command %(prog)s --no-files --arguments '(__mlops_path_complete)'
"""

SCRIPTS = {"bash": BASH_SCRIPT, "zsh": ZSH_SCRIPT, "fish": FISH_SCRIPT}


def script(shell: str) -> str:
    """The completion script for `shell` (one of SHELLS)."""
    return SCRIPTS[shell] % {"prog": PROG, "var": VAR}


# --- answering a Tab ------------------------------------------------------------------------------


def answer(command: Any, ctx_args: MutableMapping[str, Any]) -> None:
    """If this run is a Tab's request (`_MLOPS_PATH_COMPLETE=complete_zsh`, or `source_zsh` for the
    script), print the answer and exit; otherwise return. Called before any argument is parsed, and
    never imports rich: a Tab costs one start-up of the program, nothing more."""
    instruction = os.environ.get(VAR)
    if not instruction:
        return
    from mlops_path.cli import output

    action, _, shell = instruction.partition("_")
    if action not in ("complete", "source") or shell not in SHELLS:
        output.error(
            f"{VAR}={instruction} is not a completion request: complete_SHELL or source_SHELL, "
            f"SHELL one of {', '.join(SHELLS)}."
        )
        sys.exit(1)
    if action == "source":
        text = script(shell)
    else:
        text = _shell_classes()[shell](command, ctx_args, PROG, VAR).complete()
        text = text and text + "\n"  # nothing at all when nothing completes: the shell completes files
    _print(text)
    sys.exit(0)


@cache
def _shell_classes() -> dict[str, type]:
    """typer's request parsing for each shell, with answers that never pass through rich (typer's
    zsh and fish answers import it to strip markup; `completion_help` has already left none)."""
    # The one private import left: typer names its per-shell completion classes in no public module
    # (typer.completion only re-exports them from its private ones), and there is no other way in.
    from typer._completion_classes import BashComplete, FishComplete, ZshComplete

    def zsh_quoted(text: str) -> str:
        return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")

    class Zsh(ZshComplete):
        def format_completion(self, item: Any) -> str:
            value = f'"{zsh_quoted(item.value)}"'
            return f'{value}:"{zsh_quoted(item.help)}"' if item.help else value

    class Fish(FishComplete):
        def format_completion(self, item: Any) -> str:
            return f"{item.value}\t{' '.join(item.help.split())}" if item.help else item.value

    return {"bash": BashComplete, "zsh": Zsh, "fish": Fish}


# --- --show-completion and --install-completion ---------------------------------------------------


def shell_options() -> list[Any]:
    """The root's `--install-completion [SHELL]` and `--show-completion [SHELL]` (typer's flags took
    no SHELL: `--show-completion zsh` printed the current shell's script)."""
    from typer.core import TyperOption

    return [
        TyperOption(
            param_decls=["--install-completion"],
            metavar="[SHELL]",
            expose_value=False,
            is_eager=True,
            callback=_install,
            help="Install completion for bash, zsh or fish; by default this shell.",
        ),
        TyperOption(
            param_decls=["--show-completion"],
            metavar="[SHELL]",
            expose_value=False,
            is_eager=True,
            callback=_show,
            help="Print the completion script of bash, zsh or fish; by default this shell.",
        ),
    ]


def optional_shell(args: list[str]) -> list[str]:
    """`--show-completion` with no SHELL after it (last, or before another option) gets an empty
    one, which means the current shell: click's options have no optional value of their own."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg == "--":
            return out + args[i + 1 :]
        if arg in SHELL_OPTIONS and (i + 1 == len(args) or args[i + 1].startswith("-")):
            out.append("")
    return out


def _show(ctx: Any, param: Any, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    import typer

    _print(script(_shell(value)))
    raise typer.Exit()


def _install(ctx: Any, param: Any, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    import typer

    from mlops_path.cli import output

    shell = _shell(value)
    try:
        target, rc = install(shell)
    except OSError as exc:
        output.error(f"Could not install {shell} completion: {exc.strerror or exc} ({exc.filename or 'a file'}).")
        raise typer.Exit(1) from None
    where = f"{target}" + (f", loaded from {rc}" if rc else "")
    output.lines([f"Installed {shell} completion in {where}; it works in each new {shell}."])
    raise typer.Exit()


def install(shell: str) -> tuple[Path, Path | None]:
    """Write the script where `shell` finds it, and the line that loads it in the shell's start-up
    file where one is needed (added once). Returns the script's path and that file's."""
    home = Path.home()
    if shell == "fish":  # fish autoloads completions/PROG.fish at the first Tab for PROG
        config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        target = config / "fish" / "completions" / f"{PROG}.fish"
        _write(target, script(shell))
        return target, None
    if shell == "zsh":  # compinit autoloads _PROG from fpath
        target = home / ".zfunc" / f"_{PROG}"
        rc = Path(os.environ.get("ZDOTDIR") or home) / ".zshrc"
        line = "fpath+=~/.zfunc; autoload -Uz compinit; compinit"
    else:
        target = home / ".bash_completions" / f"{PROG}.sh"
        rc = home / ".bashrc"
        line = f"source '{target}'"
    _write(target, script(shell))
    held = rc.read_text(errors="replace") if rc.is_file() else ""
    if line not in held.splitlines():
        with rc.open("a") as file:
            file.write(("\n" if held and not held.endswith("\n") else "") + line + "\n")
    return target, rc


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def _shell(value: str) -> str:
    """SHELL as given, or the shell this runs in (shellingham, typer's own means) when empty."""
    import typer

    if not value:
        value = _current_shell()
        if value not in SHELLS:
            found = value or "none found"
            raise typer.BadParameter(f"cannot tell which shell this is ({found}); name one: bash, zsh or fish")
    if value not in SHELLS:
        raise typer.BadParameter(f"no completion for {value!r}; name one of bash, zsh or fish")
    return value


def _current_shell() -> str:
    try:
        import shellingham

        name: str = shellingham.detect_shell()[0]  # shellingham ships no types: a (name, path) pair
        return name
    except Exception:  # noqa: BLE001 - shellingham.ShellDetectionFailure, or an odd process table
        return Path(os.environ.get("SHELL", "")).name


def _print(text: str) -> None:
    """Through `output`, so a full or closed stdout is one sentence and exit 1."""
    import typer

    from mlops_path.cli import output

    try:
        output.raw(text)
    except typer.Exit as exc:  # outside click's main loop (a Tab's answer), say the exit code ourselves
        sys.exit(exc.exit_code)


# --- what completes -------------------------------------------------------------------------------


def complete_ids(incomplete: str) -> list[tuple[str, str]]:
    """Resource ids, with their titles as help where the shell shows it (zsh, fish)."""
    catalog = _catalog()
    if catalog is None:
        return []
    return [(r.id, completion_help(r.title)) for r in catalog.resources if r.id.startswith(incomplete)]


def complete_topics(incomplete: str) -> list[str]:
    catalog = _catalog()
    if catalog is None:
        return []
    return sorted({t for r in catalog.resources for t in r.topics if t.startswith(incomplete)})


def complete_kinds(incomplete: str) -> list[str]:
    catalog = _catalog()
    if catalog is None:
        return []
    return sorted({r.kind for r in catalog.resources if r.kind.startswith(incomplete)})


def complete_paths(incomplete: str) -> list[tuple[str, str]]:
    catalog = _catalog()
    if catalog is None:
        return []
    return [(p.id, completion_help(p.title)) for p in catalog.paths.values() if p.id.startswith(incomplete)]


def complete_statuses(incomplete: str) -> list[str]:
    return [s.value for s in Status if s.value.startswith(incomplete)]


def _catalog() -> Catalog | None:
    from mlops_path.core.catalog.loader import load_catalog
    from mlops_path.core.errors import MlopsPathError

    try:
        return load_catalog()
    except MlopsPathError:
        return None
