"""Property: whatever Unicode a catalog, a note or an import holds (controls, bidi overrides, markup
brackets, long strings), every read command, piped or in a colour terminal, exits 0, 1 or 2 with no
traceback, and no control character from the data reaches the output raw."""

import functools
import io
import json
import tempfile
from pathlib import Path

import pytest
from conftest import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import assert_inert

from mlops_path.cli import output
from mlops_path.core import limits

NASTY = (
    "\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x7f\x85\x9b"
    "\u061c\u200e\u202a\u202e\u2066\u2069\u2028\u2029[]/\\$`'\"<>&;:(){}"
)
text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY), st.characters(exclude_categories=("Cs",))), min_size=1, max_size=60
)
long_text = st.builds(lambda t, n: (t * n)[: limits.MAX_TITLE], text, st.integers(1, 40))


def toml_string(value: str) -> str:
    """A TOML basic string for any text: printable ASCII as is, everything else as \\UXXXXXXXX."""
    out = []
    for char in value:
        if " " <= char <= "~" and char not in '"\\':
            out.append(char)
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


READS = [
    ["next"],
    ["list"],
    ["show", "zz-a"],
    ["progress"],
    ["paths"],
    ["topics"],
    ["history"],
    ["plan", "--hours-per-week", "1"],
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@pytest.mark.slow
@given(title=st.one_of(text, long_text), why=text, author=text, stage=text, note=text, imported_note=text)
def test_no_text_from_outside_crashes_a_read_command_or_reaches_the_terminal(
    title, why, author, stage, note, imported_note
):
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        home = Path(tmp) / "home"
        (home / "catalogs").mkdir(parents=True)
        patch.setenv("MLOPS_PATH_HOME", str(home))
        patch.setenv("MLOPS_PATH_CACHE", str(Path(tmp) / "cache"))
        (home / "catalogs" / "random.toml").write_text(
            f'[[resources]]\nid = "zz-a"\ntitle = {toml_string(title)}\nkind = "paper"\nurl = "https://example.org/"\n'
            f'minutes = 5\ntopics = ["random"]\nwhy = {toml_string(why)}\nauthors = [{toml_string(author)}]\n\n'
            f'[[paths]]\nid = "zz"\ntitle = {toml_string(title)}\n'
            f'stages = [{{ title = {toml_string(stage)}, steps = ["zz-a"] }}]\n'
        )
        export = Path(tmp) / "export.json"
        at = "2026-01-01T00:00:00Z"
        entry = {"status": "in-progress", "updated": at, "notes": [{"at": at, "text": imported_note}]}
        export.write_text(
            json.dumps(
                {
                    "format": "mlops-path-export",
                    "version": 1,
                    "exported_at": "2026-01-01T00:00:00Z",
                    "resources": {"zz-a": entry},
                }
            )
        )
        cli = Cli()
        assert cli("use", "zz").exit_code == 0  # the catalog loaded: the text really is in play
        assert cli("note", "zz-a", note).exit_code in (0, 2)  # 2: a note of only white space
        assert cli("import", str(export)).exit_code == 0
        for terminal in (False, True):
            buffer = io.StringIO()
            if terminal:
                patch.setattr(output, "use_rich", lambda: True)
                patch.setattr(
                    output,
                    "console",
                    functools.partial(output.console, file=buffer, width=60, color_system="truecolor"),
                )
            for args in READS:
                result = cli(*args)
                assert result.exit_code in (0, 1, 2), (args, result.output)
                assert "Traceback" not in result.output
                assert_inert(result.stdout + buffer.getvalue())
                assert_inert(result.stderr)
