"""The learner's own time: human output shows local times and names the zone; days, `week`,
streaks and plan weeks follow local calendar days; `--json` stays UTC with `Z`. Each test runs the
installed command under libfaketime (`@...` is a local time in the test's `TZ`) in a zone east of
UTC, one west of it, and across a daylight-saving change."""

import json
import re
import shutil
import subprocess

import pytest
from conftest import installed_script, need


@pytest.fixture
def at(tmp_path):
    """Run the installed command as if it were `when` (local time) in zone `tz`."""
    need(shutil.which("faketime") is not None, "faketime (libfaketime)")
    env = {
        "MLOPS_PATH_HOME": str(tmp_path / "home"),
        "MLOPS_PATH_CACHE": str(tmp_path / "cache"),
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "100",
    }

    def run(tz: str, when: str, *args: str) -> str:
        result = subprocess.run(
            ["faketime", "-f", f"@{when}", installed_script(), *args],
            env={**env, "TZ": tz},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    return run


def test_history_and_notes_show_local_time_with_the_zone_east_of_utc(at):
    at("Asia/Tokyo", "2026-12-06 23:30:00", "done", "dmls-ch02")
    text = at("Asia/Tokyo", "2026-12-06 23:31:00", "history")
    assert re.search(r"2026-12-06 23:3\d JST", text) and "UTC" not in text
    noted = at("Asia/Tokyo", "2026-12-06 23:32:00", "note", "dmls-ch02", "late")
    assert re.search(r"at 2026-12-06 23:3\d JST", noted)
    machine = json.loads(at("Asia/Tokyo", "2026-12-06 23:33:00", "history", "--json"))
    assert re.fullmatch(r"2026-12-06T14:3\d:\d\dZ", machine[0]["at"])  # JSON stays UTC, with Z


def test_week_follows_local_days_east_of_utc(at):
    tz = "Asia/Tokyo"
    at(tz, "2026-12-01 00:10:00", "note", "dmls-ch02", "first thing on the first day")  # Nov 30 in UTC
    at(tz, "2026-12-07 00:10:00", "done", "dmls-ch02")  # Dec 6 in UTC
    text = at(tz, "2026-12-07 09:00:00", "week")
    assert "The last seven days (Tue 01 Dec to Mon 07 Dec, JST):" in text  # seven days, today included
    assert re.search(r"Mon 07 Dec\s+dmls-ch02", text)
    assert re.search(r"Tue 01 Dec\s+dmls-ch02: first thing on the first day", text)
    week = json.loads(at(tz, "2026-12-07 09:00:00", "week", "--json"))
    assert week["start"] == "2026-11-30T15:00:00Z"  # local midnight of the first day, in UTC
    assert [n["text"] for n in week["notes"]] == ["first thing on the first day"]


def test_week_and_streak_follow_local_days_west_of_utc(at):
    tz = "America/Los_Angeles"
    at(tz, "2026-11-29 20:00:00", "done", "dmls-ch02")  # Nov 30 in UTC: the week before, locally
    at(tz, "2026-12-06 20:00:00", "done", "dmls-ch07")  # Dec 7 in UTC
    text = at(tz, "2026-12-06 21:00:00", "week")
    assert "(Mon 30 Nov to Sun 06 Dec, PST)" in text
    assert re.search(r"Sun 06 Dec\s+dmls-ch07", text) and "dmls-ch02" not in text
    assert json.loads(at(tz, "2026-12-06 21:00:00", "week", "--json"))["streak_weeks"] == 2


def test_week_across_a_daylight_saving_change_covers_seven_whole_days(at):
    tz = "Europe/Berlin"  # summer time ends on Sunday 25 October 2026
    at(tz, "2026-10-21 00:30:00", "note", "dmls-ch02", "on the first day, in summer time")
    text = at(tz, "2026-10-27 12:00:00", "week")
    assert "The last seven days (Wed 21 Oct to Tue 27 Oct, CET):" in text
    assert "on the first day, in summer time" in text
    week = json.loads(at(tz, "2026-10-27 12:00:00", "week", "--json"))
    assert week["start"] == "2026-10-20T22:00:00Z"  # midnight CEST (+02:00), not CET


def test_the_plan_and_its_calendar_start_on_the_local_day(at, tmp_path):
    ics = tmp_path / "plan.ics"
    tz = "Asia/Tokyo"
    plan = json.loads(at(tz, "2026-12-07 08:00:00", "plan", "--hours-per-week", "2", "--json"))  # Dec 6 in UTC
    assert plan["weeks"][0]["start"] == "2026-12-07"
    at(tz, "2026-12-07 08:00:00", "plan", "--hours-per-week", "2", "--ics", str(ics))
    assert "DTSTART;VALUE=DATE:20261207" in ics.read_text()


def test_progress_json_stays_utc_with_z(at):
    at("America/Los_Angeles", "2026-12-06 20:00:00", "done", "dmls-ch02")
    data = json.loads(at("America/Los_Angeles", "2026-12-06 20:01:00", "progress", "--json"))
    assert data["last_finished"]["at"].startswith("2026-12-07T04:0") and data["last_finished"]["at"].endswith("Z")
    assert "PST" in at("America/Los_Angeles", "2026-12-06 20:01:00", "progress")
