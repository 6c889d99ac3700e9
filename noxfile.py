"""The suite on every Python we support that is installed here (3.11, 3.12, 3.13), each in a fresh
venv with a non-editable install, so a test that passes only from the checkout fails here.

`nox -s tests` runs them all (a missing interpreter is skipped, not failed: `.ci/run` puts pyenv's
on PATH); `nox -s tests-3.13` runs one; arguments after `--` go to pytest.
"""

import nox

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = False


@nox.session(python=["3.11", "3.12", "3.13"])
def tests(session: nox.Session) -> None:
    """A fresh venv, this checkout installed (not editable) with its test extras, then pytest."""
    session.install(".[test]")
    session.run("pytest", *session.posargs)
