"""The one error family the core raises; the CLI turns each into a sentence and an exit code."""


class MlopsPathError(Exception):
    """Something the user can fix; the message is one sentence meant for them."""

    exit_code = 1


class UsageError(MlopsPathError):
    """Bad input on the command line (an unknown id, topic or option value)."""

    exit_code = 2


class FileProblem(MlopsPathError):
    """A file we need cannot be read, trusted or written."""

    exit_code = 1


class CatalogError(FileProblem):
    """A catalog file is missing, not TOML, or breaks the format."""


class ProgressError(FileProblem):
    """The progress file is unreadable, corrupt, locked or cannot be written."""
