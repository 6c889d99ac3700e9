"""Every command through typer's CliRunner: output, exit codes, and what reaches the progress file."""

import json
import re

import pytest
from conftest import SEED_PATH

from mlops_path.core.catalog import loader as catalog_module

ITEM_KEYS = {"id", "title", "kind", "url", "minutes", "topics", "status", "why", "optional", "position"}
PATH_IDS = SEED_PATH


def test_next_on_a_fresh_home_names_chapter_2(cli):
    result = cli("next")
    assert result.exit_code == 0
    assert "Chapter 2: Introduction to Machine Learning Systems Design" in result.stdout
    for expected in [
        "48 min",
        "https://www.oreilly.com/library/view/designing-machine-learning/9781098107956/",
        "step 1 of 13",
        "Designing Machine Learning Systems",
        "mlops-path done dmls-ch02",
        "why:",
    ]:
        assert expected in result.stdout


def test_done_then_next_names_chapter_7(cli, progress_file):
    result = cli("done", "dmls-ch02")
    assert result.exit_code == 0
    assert "Marked done: dmls-ch02" in result.stdout
    assert "Chapter 2" not in cli("next").stdout
    assert "Chapter 7: Model Deployment and Prediction Service" in cli("next").stdout
    saved = json.loads(progress_file.read_text())
    assert saved["resources"]["dmls-ch02"]["status"] == "done"
    assert saved["resources"]["dmls-ch02"]["done_at"]


def test_done_is_idempotent(cli, progress_file):
    cli("done", "dmls-ch02")
    first = progress_file.read_bytes()
    result = cli("done", "dmls-ch02")
    assert result.exit_code == 0 and "Already done: dmls-ch02" in result.stdout
    assert progress_file.read_bytes() == first


def test_an_unknown_id_changes_nothing_not_even_the_good_ids(cli, progress_file):
    cli("done", "dmls-ch02")
    before = progress_file.read_bytes()
    result = cli("done", "dmls-ch07", "dmls-ch8x")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: Unknown id 'dmls-ch8x'; did you mean dmls-ch08, ")
    assert result.stderr.count("\n") == 1
    assert progress_file.read_bytes() == before


def test_an_unknown_id_on_a_fresh_home_creates_no_file(cli, home):
    assert cli("done", "nope").exit_code == 2
    assert not home.exists()


@pytest.mark.parametrize("odd", ["with space", "ünïcödé", "new\nline", "x" * 5000, "--", "DMLS-CH2X"])
def test_odd_ids_are_a_clean_usage_error(cli, home, odd):
    result = cli("done", "--", odd) if odd != "--" else cli("done", "--", "--")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Unknown id") and result.stderr.count("\n") == 1
    assert not home.exists()


def test_a_leading_dash_is_a_usage_error_not_a_crash(cli, home):
    result = cli("done", "-x")
    assert result.exit_code == 2 and "No such option" in result.output
    assert not home.exists()


def test_list_shows_the_path_in_order_with_status_marks(cli):
    cli("done", "dmls-ch02")
    lines = cli("list").stdout.splitlines()
    assert [line[8:].split()[0] for line in lines] == PATH_IDS
    assert lines[0].startswith("[x]  1  dmls-ch02") and lines[1].startswith("[ ]  2  dmls-ch07")


def test_list_topic_monitoring_shows_the_monitoring_steps(cli):
    ids = [item["id"] for item in cli.json("list", "--topic", "monitoring")]
    assert ids == ["dmls-ch08", "mlops-principles", "operationalizing-ml", "reliable-maintenance", "ml-test-score"]
    text = cli("list", "--topic", "monitoring").stdout
    assert "Data Distribution Shifts and Monitoring" in text and "Chapter 2" not in text


def test_list_filters_by_kind_and_status(cli):
    cli("done", "how-ml-breaks", "dmls-ch11")
    assert [i["id"] for i in cli.json("list", "--kind", "talk")] == [
        "demystifying-mlops",
        "how-ml-breaks",
        "reliable-maintenance",
    ]
    assert [i["id"] for i in cli.json("list", "--status", "done")] == ["dmls-ch11", "how-ml-breaks"]
    assert cli("list", "--status", "skipped").stdout == "No steps match.\n"


@pytest.mark.parametrize(
    ("args", "known"),
    [(["--topic", "mlflow"], "known topics: automation"), (["--kind", "book"], "known kinds: book-chapter")],
)
def test_list_with_an_unknown_topic_or_kind_lists_the_known_ones(cli, args, known):
    result = cli("list", *args)
    assert result.exit_code == 2 and known in result.stderr


def test_a_bad_status_is_a_usage_error(cli):
    assert cli("list", "--status", "finished").exit_code == 2


def test_list_json_is_an_array_of_documented_items(cli):
    items = cli.json("list")
    assert [i["id"] for i in items] == PATH_IDS
    assert all(set(i) >= ITEM_KEYS for i in items)
    assert items[0]["status"] == "todo" and items[0]["position"] == 1 and items[-1]["optional"] is True


def test_next_json_is_one_item(cli):
    cli("done", "dmls-ch02", "dmls-ch07")
    item = cli.json("next")
    assert item["id"] == "dmls-ch08" and item["position"] == 3 and set(item) >= ITEM_KEYS


def test_when_everything_is_done_next_says_so_kindly(cli):
    assert cli("done", *PATH_IDS).exit_code == 0
    result = cli("next")
    assert result.exit_code == 0 and "finished every step" in result.stdout
    assert cli.json("next") is None


def test_show_has_everything_about_one_resource(cli):
    cli("done", "ml-test-score")
    result = cli("show", "ml-test-score")
    assert result.exit_code == 0
    for expected in [
        "The ML Test Score",
        "Eric Breck",
        "40 min",
        "testing, monitoring",
        "step 11 of 13",
        "status: done on 20",
    ]:
        assert expected in result.stdout
    item = cli.json("show", "ml-test-score")
    assert item["status"] == "done" and item["done_at"].startswith("20") and item["authors"][0] == "Eric Breck"


def test_show_an_unknown_id_is_a_usage_error(cli):
    result = cli("show", "ml-test")
    assert result.exit_code == 2 and "did you mean ml-test-score" in result.stderr


def test_topics_count_required_steps_and_done_by_the_one_rule(cli):
    cli("done", "dmls-ch08")
    counts = {t["topic"]: t for t in cli.json("topics")}
    assert counts["monitoring"] == {
        "topic": "monitoring",
        "steps": 5,
        "done": 1,
        "percent": 20,
        "optional": 0,
        "optional_done": 0,
    }
    assert counts["streaming"] == {
        "topic": "streaming",
        "steps": 0,
        "done": 0,
        "percent": None,
        "optional": 1,
        "optional_done": 0,
    }
    other = next(i["id"] for i in cli.json("list") if "monitoring" in i["topics"] and i["id"] != "dmls-ch08")
    cli("skip", other)  # a skipped step leaves the count: 1 of 4, as `progress` says
    text = cli("topics").stdout
    assert re.search(r"^monitoring +1/4 required$", text, re.MULTILINE)
    assert {
        t["name"]: (t["done"], t["steps"]) for t in [{"name": x["topic"], **x} for x in cli.json("progress")["topics"]]
    }["monitoring"] == (1, 4)
    assert re.search(r"^streaming +optional only: 0/1$", text, re.MULTILINE)  # not "0/0"


def test_where_prints_the_progress_file_alone(cli, progress_file):
    assert cli("where").stdout == f"{progress_file}\n"


def test_where_without_the_env_var_uses_the_user_data_dir(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("MLOPS_PATH_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert cli("where").stdout.strip().endswith("mlops-path/progress.json")


def test_a_corrupt_progress_file_is_refused_untouched(cli, progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_bytes(b'{"version": 1, "resources": ')
    for args in (["next"], ["list"], ["done", "dmls-ch02"], ["topics"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.count("\n") == 1 and "is not valid JSON" in result.stderr
    assert progress_file.read_bytes() == b'{"version": 1, "resources": '


def test_a_broken_catalog_is_named_not_a_traceback(cli, monkeypatch, tmp_path):
    broken = tmp_path / "catalog.toml"
    broken.write_text(
        '[[resources]]\nid = "x"\ntitle = "X"\nkind = "talk"\nurl = "https://e.org"\nminutes = -5\ntopics = ["a"]\n'
    )
    monkeypatch.setattr(catalog_module, "bundled_catalog_file", lambda: broken)
    result = cli("next")
    assert result.exit_code == 1
    assert "resource 'x', field 'minutes': input should be greater than 0" in result.stderr


def test_no_arguments_shows_the_start_screen(cli):
    result = cli()
    assert result.exit_code == 0
    assert "Now: step 1 of 13, Chapter 2: Introduction to Machine Learning Systems Design (dmls-ch02)" in result.stdout
    for command in ("mlops-path next", "mlops-path done", "mlops-path list", "mlops-path help"):
        assert command in result.stdout


def test_version(cli):
    from mlops_path import __version__

    assert cli("--version").stdout == f"mlops-path {__version__}\n"
