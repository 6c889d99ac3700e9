"""Bounded work on hostile catalogs: a TOML integer of thousands of digits, 16 MiB of empty
tables (as headers or inline), and a file of thousands of broken resources. Each is one clear
problem (a user catalog left out with a warning, `catalog check` exit 1), never exit 3; memory is
measured (the command's own peak from wait4), never time."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import installed_script
from test_links_bounds import MEASURE

from mlops_path.core.catalog.model import MAX_PROBLEMS, MAX_TABLES
from mlops_path.core.limits import MAX_CATALOG_BYTES

BOUND_KB = 64 * 1024  # above the same command on a small catalog


def measured(script_env, *args: str) -> tuple[subprocess.CompletedProcess, int, int]:
    """The command, its exit code and its own peak memory in kilobytes (see test_links_bounds)."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, installed_script(), *args], env=script_env, capture_output=True, timeout=120
    )  # only so that a regression cannot hang the suite
    head, _, tail = result.stderr.decode().rpartition("\nmeasured ")
    peak, code = tail.split()
    return (
        subprocess.CompletedProcess(args, int(code), result.stdout.decode(), head.strip() + "\n"),
        int(code),
        int(peak),
    )


def test_an_integer_of_thousands_of_digits_is_one_problem(cli, tmp_path, home):
    file = tmp_path / "big.toml"
    file.write_text(
        f'[[resources]]\nid = "big"\ntitle = "Big"\nkind = "talk"\nurl = "https://e.org/"\nminutes = {"9" * 5000}\n'
        'topics = ["t"]\n'
    )
    result = cli("catalog", "check", str(file))
    assert result.exit_code == 1 and "holds a number with more than 4,300 digits" in result.stdout
    (home / "catalogs").mkdir(parents=True)
    (home / "catalogs" / "big.toml").write_bytes(file.read_bytes())
    result = cli("next")
    assert result.exit_code == 0 and "Left out the catalog" in result.stderr and "4,300 digits" in result.stderr


@pytest.mark.parametrize("shape", ["headers", "inline"])
def test_sixteen_mib_of_empty_tables_is_refused_before_parsing(script_env, tmp_path, shape):
    small = tmp_path / "small.toml"
    small.write_text("[[resources]]\n")
    _, _, baseline = measured(script_env, "catalog", "check", str(small))
    file = tmp_path / "empty.toml"
    if shape == "headers":
        file.write_text("[[resources]]\n" * ((MAX_CATALOG_BYTES - 1) // 14))
    else:
        file.write_text("resources = [" + "{}," * ((MAX_CATALOG_BYTES - 20) // 3) + "]")
    result, code, peak = measured(script_env, "catalog", "check", str(file))
    assert code == 1 and f"holds more than {MAX_TABLES:,} tables" in result.stdout and result.stdout.count("\n") == 2
    assert peak - baseline < BOUND_KB, f"{(peak - baseline) / 1024:.0f} MB above a small catalog"
    result, code, peak = measured(script_env, "--catalog", str(file), "next")
    assert code == 0 and result.stderr.startswith("Warning: Left out the catalog") and "tables" in result.stderr
    assert peak - baseline < BOUND_KB


def test_checking_stops_after_a_documented_number_of_problems(cli, tmp_path):
    file = tmp_path / "broken.toml"
    file.write_text("[[resources]]\n" * 20_000)  # five problems each: 100,000 if all were listed
    result = cli("catalog", "check", str(file))
    lines = result.stdout.splitlines()
    assert result.exit_code == 1 and len(lines) < MAX_PROBLEMS + 10
    assert f"more than {MAX_PROBLEMS} problems; the rest was not checked" in result.stdout
