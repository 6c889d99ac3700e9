"""The study plan: weeks within the budget, and an iCalendar file a real parser accepts."""

from datetime import UTC, date, datetime

import icalendar
import pytest

from mlops_path.core.catalog.model import parse_catalog
from mlops_path.core.learning.plan import plan_weeks, to_ics
from mlops_path.core.learning.position import walk
from mlops_path.core.progress.record import Progress, Status, mark

MONDAY = date(2026, 11, 30)


def steps_of(minutes: list[int], done: tuple[str, ...] = ()):
    resources = [
        {
            "id": f"s{i}",
            "title": f"Step {i}",
            "kind": "talk",
            "url": f"https://e.org/{i}",
            "minutes": m,
            "topics": ["t"],
        }
        for i, m in enumerate(minutes)
    ]
    catalog = parse_catalog(
        {"resources": resources, "paths": [{"id": "p", "title": "P", "steps": [r["id"] for r in resources]}]}
    )
    progress, _ = mark(Progress(), list(done), Status.DONE, datetime(2026, 1, 1, tzinfo=UTC))
    return walk(catalog, catalog.path("p"), progress)


def test_weeks_fill_up_to_the_budget_in_order():
    weeks = plan_weeks(steps_of([30, 30, 30, 50, 10]), 60, MONDAY)
    assert [[s.id for s in w.steps] for w in weeks] == [["s0", "s1"], ["s2"], ["s3", "s4"]]
    assert [w.start for w in weeks] == [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]
    assert all(w.minutes <= 60 for w in weeks)


def test_a_step_bigger_than_the_budget_gets_a_week_of_its_own():
    weeks = plan_weeks(steps_of([20, 200, 20]), 60, MONDAY)
    assert [[s.id for s in w.steps] for w in weeks] == [["s0"], ["s1"], ["s2"]]


def test_done_steps_are_not_planned():
    assert [s.id for w in plan_weeks(steps_of([10, 10, 10], done=("s0", "s2")), 60, MONDAY) for s in w.steps] == ["s1"]
    assert plan_weeks(steps_of([10], done=("s0",)), 60, MONDAY) == []


def test_plan_command_json(cli):
    cli("done", "dmls-ch02")
    plan = cli.json("plan", "--hours-per-week", "2", "--start", "2026-11-30")
    assert plan["path"] == "mlops" and plan["hours_per_week"] == 2
    # 120 minutes a week, in path order: 68 | 76 | 60+48 | 25+75+20 | 20+20+40+5+15
    assert [w["steps"] for w in plan["weeks"]] == [
        ["dmls-ch07"],
        ["dmls-ch08"],
        ["dmls-ch09", "dmls-ch11"],
        ["mlops-principles", "operationalizing-ml", "demystifying-mlops"],
        ["how-ml-breaks", "reliable-maintenance", "ml-test-score", "gently-down-the-stream", "mlops-guide"],
    ]
    assert [w["minutes"] for w in plan["weeks"]] == [68, 76, 108, 120, 100]
    assert plan["weeks"][0] | {"steps": None} == {
        "week": 1,
        "start": "2026-11-30",
        "end": "2026-12-06",
        "minutes": 68,
        "steps": None,
        "optional": [],
    }
    assert (
        plan["weeks"][-1]["optional"] == ["gently-down-the-stream", "mlops-guide"] and plan["required_done_week"] == 5
    )


def test_plan_command_text(cli):
    text = cli("plan", "--hours-per-week", "1.5", "--start", "2026-11-30").stdout
    # 90 minutes a week: 48 | 68 | 76 | 60 | 48+25 | 75 | 20+20+20 | 40+5+15
    assert text.startswith("8 weeks at 1.5 h a week for 'So, you want to learn about MLOps':")
    assert "Week 1, Mon 30 Nov to Sun 06 Dec 2026: ≈48 min" in text and "  dmls-ch02  Chapter 2" in text
    assert "  mlops-guide  (optional) MLOps guide (≈15 min)" in text and text.endswith(
        "Week 8 finishes the required steps.\n"
    )


def test_optional_steps_come_after_every_required_one(cli, home):
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    rows = [("opt-first", "true", 30), ("req-a", "false", 30), ("req-b", "false", 30)]
    resource = (
        '[[resources]]\nid = "{}"\ntitle = "T"\nkind = "k"\nurl = "https://e.org/"\nminutes = {}\ntopics = '
        '["t"]\noptional = {}\n\n'
    )
    folder.joinpath("c.toml").write_text(
        "".join(resource.format(rid, m, o) for rid, o, m in rows)
        + '[[paths]]\nid = "p"\ntitle = "P"\nsteps = ["opt-first", "req-a", "req-b"]\n'
    )
    plan = cli.json("--path", "p", "plan", "--hours-per-week", "1")
    assert [w["steps"] for w in plan["weeks"]] == [["req-a", "req-b"], ["opt-first"]] and plan[
        "required_done_week"
    ] == 1
    text = cli("--path", "p", "plan", "--hours-per-week", "1").stdout
    assert "Week 1 finishes the required steps; the weeks after it hold optional ones." in text


def test_a_saved_plan_tells_progress_whether_you_are_on_track(cli, progress_file):
    import json
    from datetime import date, timedelta

    assert "Saved:" in cli("plan", "--hours-per-week", "1", "--save").stdout  # from today: nothing is late yet
    assert cli.json("progress")["on_track"] is True and "On track with your saved plan." in cli("progress").stdout
    data = json.loads(progress_file.read_text())  # the same plan, saved half a year ago
    for week in data["plan"]["weeks"]:
        for key in ("start", "end"):
            week[key] = (date.fromisoformat(week[key]) - timedelta(weeks=26)).isoformat()
    progress_file.write_text(json.dumps(data))
    p = cli.json("progress")
    assert p["on_track"] is False and p["behind_steps"] > 5  # weeks long past, nothing done
    text = cli("progress").stdout
    assert "Behind your saved plan by " in text and "finish around" not in text  # one statement, no second date


def test_a_saved_plan_says_ahead_when_later_weeks_are_done(cli):
    plan = cli.json("plan", "--hours-per-week", "1", "--save")
    later = plan["weeks"][2]["steps"]
    cli("done", *later)
    p = cli.json("progress")
    assert p["on_track"] is True and p["ahead_steps"] == len(later)
    assert f"Ahead of your saved plan by {len(later)} step" in cli("progress").stdout


@pytest.mark.parametrize(
    "args",
    [["--hours-per-week", "0"], ["--hours-per-week", "-1"], ["--hours-per-week", "2", "--start", "30/11/2026"], []],
)
def test_plan_bad_values_are_usage_errors(cli, args):
    assert cli("plan", *args).exit_code == 2


def test_nothing_left_to_plan(cli):
    cli("done", *[i["id"] for i in cli.json("list")])
    assert cli("plan", "--hours-per-week", "3").stdout.startswith("Nothing left to plan")


def test_the_ics_file_is_valid_icalendar(cli, tmp_path):
    ics = tmp_path / "plan.ics"
    result = cli("plan", "--hours-per-week", "2", "--start", "2026-11-30", "--ics", str(ics))
    assert result.exit_code == 0 and f"Wrote {ics}" in result.stdout
    data = ics.read_bytes()
    assert all(len(line) <= 75 for line in data.split(b"\r\n")) and data.endswith(b"END:VCALENDAR\r\n")
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    plan = cli.json("plan", "--hours-per-week", "2", "--start", "2026-11-30")
    assert len(events) == len(plan["weeks"])
    first = events[0]
    assert first.decoded("DTSTART") == date(2026, 11, 30) and first.decoded("DTEND") == date(2026, 12, 7)
    assert str(first["SUMMARY"]).startswith("So, you want to learn about MLOps, week 1: ")
    assert "https://www.oreilly.com/library/view/designing-machine-learning/9781098107956/" in str(first["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_ics_escapes_and_folds_unicode_without_breaking_characters():
    steps = steps_of([10])
    text = to_ics(
        plan_weeks(steps, 60, MONDAY),
        "p",
        "Ünïcödé; path, with \\ and a very long title " + "é" * 80,
        datetime(2026, 1, 1, tzinfo=UTC),
        "0",
    )
    data = text.encode("utf-8")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    event = next(iter(icalendar.Calendar.from_ical(data).walk("VEVENT")))
    assert str(event["SUMMARY"]).startswith("Ünïcödé; path, with \\ and a very long title éé")


def test_an_unwritable_ics_path_is_a_clean_error(cli, tmp_path):
    result = cli("plan", "--hours-per-week", "2", "--ics", str(tmp_path / "no-such-dir" / "plan.ics"))
    assert result.exit_code == 1 and "Cannot write" in result.stderr and result.stderr.count("\n") == 1
