"""One truth: random progress on a random catalog, and every figure every view prints equals one
reference computed here, independently of the code under test (required and optional steps each
counted the same way; a skipped step leaves its own count; `n/total` and the percentage beside it
share a denominator)."""

import json
import re
from pathlib import Path

import pytest
from conftest import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TOPICS = ["alpha", "beta", "gamma"]
STATUSES = ["todo", "in-progress", "done", "skipped"]


def catalog_text(resources: list[dict], stages: list[list[str]]) -> str:
    out = [
        f'[[resources]]\nid = "{r["id"]}"\ntitle = "Title {r["id"]}"\nkind = "talk"\n'
        f'url = "https://example.org/{r["id"]}"\nminutes = {r["minutes"]}\ntopics = {json.dumps(r["topics"])}\n'
        f"optional = {str(r['optional']).lower()}\n"
        for r in resources
    ]
    steps = [rid for stage in stages for rid in stage]
    out.append(f'[[paths]]\nid = "p"\ntitle = "Path p"\nsteps = {json.dumps(steps)}\n')
    for i, stage in enumerate(stages):
        out.append(f'[[paths.stages]]\ntitle = "Stage {i}"\nsteps = {json.dumps(stage)}\n')
    return "\n".join(out)


def reference(resources: list[dict], statuses: dict[str, str], members: list[str]) -> dict:
    """The counts of `members` by the rule the README states, computed without the package."""
    by_id = {r["id"]: r for r in resources}
    required = [m for m in members if not by_id[m]["optional"] and statuses[m] != "skipped"]
    optional = [m for m in members if by_id[m]["optional"] and statuses[m] != "skipped"]
    done = sum(statuses[m] == "done" for m in required)
    return {
        "steps": len(required),
        "done": done,
        "percent": (100 * done // len(required)) if required else None,
        "optional": len(optional),
        "optional_done": sum(statuses[m] == "done" for m in optional),
    }


catalogs = st.integers(min_value=2, max_value=7).flatmap(
    lambda n: st.tuples(
        st.lists(
            st.fixed_dictionaries(
                {
                    "minutes": st.integers(min_value=1, max_value=90),
                    "topics": st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2, unique=True),
                    "optional": st.booleans(),
                }
            ),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.sampled_from(STATUSES), min_size=n, max_size=n),
        st.integers(min_value=1, max_value=n),
    )
)


@pytest.mark.slow
def test_every_view_prints_the_same_figures_as_the_reference(tmp_path, monkeypatch):
    counter = iter(range(10**6))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=catalogs)
    def check(case):
        raw, chosen, cut = case
        resources = [{"id": f"r{i}", **r} for i, r in enumerate(raw)]
        ids = [r["id"] for r in resources]
        stages = [ids[:cut], ids[cut:]] if cut < len(ids) else [ids]
        statuses = dict(zip(ids, chosen, strict=True))
        root = tmp_path / f"case{next(counter)}"
        home = root / "home"
        (home / "catalogs").mkdir(parents=True)
        (home / "catalogs" / "mine.toml").write_text(catalog_text(resources, stages))
        monkeypatch.setenv("MLOPS_PATH_HOME", str(home))
        monkeypatch.setenv("MLOPS_PATH_CACHE", str(root / "cache"))
        cli = Cli()
        assert cli("use", "p").exit_code == 0
        group = root / "group"
        group.mkdir()
        assert cli("sync", "init", str(group), "--name", "Ada", "--join").exit_code == 0
        for rid, status in statuses.items():
            verb = {"in-progress": "start", "done": "done", "skipped": "skip"}.get(status)
            if verb:
                assert cli(verb, rid).exit_code == 0

        whole = reference(resources, statuses, ids)
        progress = cli.json("progress")
        assert (progress["required"], progress["required_done"], progress["optional"], progress["optional_done"]) == (
            whole["steps"],
            whole["done"],
            whole["optional"],
            whole["optional_done"],
        )
        assert progress["percent"] == (whole["percent"] if whole["percent"] is not None else 100)
        for i, stage in enumerate(stages):
            expected = {"stage": f"Stage {i}", **reference(resources, statuses, stage)}
            assert expected in progress["stages"]
        for topic in TOPICS:
            members = [r["id"] for r in resources if topic in r["topics"]]
            if members:
                expected = {"topic": topic, **reference(resources, statuses, members)}
                assert expected in progress["topics"]
                assert expected in cli.json("topics")

        paths = {p["id"]: p for p in cli.json("paths")}
        assert (paths["p"]["required"], paths["p"]["required_done"]) == (whole["steps"], whole["done"])
        assert paths["p"]["percent"] == progress["percent"]

        cohort = cli.json("cohort")["learners"]
        assert [(c["done"], c["total"], c["percent"]) for c in cohort] == [
            (whole["done"], whole["steps"], progress["percent"])
        ]

        human = cli("progress").stdout
        line = f"{whole['done']} of {whole['steps']} required steps done ({progress['percent']}%)"
        assert line in human, human
        if whole["optional"]:
            assert f"optional: {whole['optional_done']} of {whole['optional']}" in human

        paths_text = cli("paths").stdout
        assert re.search(rf"\b{whole['done']}/{whole['steps']}\s+required\s+{progress['percent']}%", paths_text), (
            paths_text
        )

        page = root / "page.html"
        assert cli("view", "-o", str(page)).exit_code == 0
        text = re.sub(r"<[^>]+>", "", Path(page).read_text())
        assert line in " ".join(text.split())

        listed = {item["id"]: item["status"] for item in cli.json("list")}
        assert listed == statuses

    check()
