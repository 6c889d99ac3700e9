"""The catalog's JSON Schema says what the tool accepts, where JSON Schema can say it: the same
edge catalogs go through `catalog check` and through a real validator (jsonschema, Draft 2020-12),
and the verdicts agree except for the listed checks only the tool can make."""

from __future__ import annotations

import json

import pytest

from mlops_path.core.catalog.model import json_schema

GOOD = {"id": "good", "title": "Good", "kind": "talk", "url": "https://example.org/a", "minutes": 5, "topics": ["t"]}


def resource(**changes) -> dict:
    return {**GOOD, **changes}


EDGES = {
    "plain": ({"resources": [resource()]}, True),
    "ftp-link": ({"resources": [resource(url="ftp://example.org/")]}, False),
    "space-in-link": ({"resources": [resource(url="https://example.org/a b")]}, False),
    "no-host": ({"resources": [resource(url="https:///nohost")]}, False),
    "tab-in-link": ({"resources": [resource(url="https://example.org/\tx")]}, False),
    "control-in-link": ({"resources": [resource(url="https://example.org/\u0007")]}, False),
    "upper-scheme": ({"resources": [resource(url="HTTPS://example.org/")]}, True),
    "javascript": ({"resources": [resource(url="javascript:alert(1)")]}, False),
    "step-twice": ({"resources": [resource()], "paths": [{"id": "p", "title": "P", "steps": ["good", "good"]}]}, False),
    "stage-step-twice": (
        {
            "resources": [resource()],
            "paths": [{"id": "p", "title": "P", "stages": [{"title": "S", "steps": ["good", "good"]}]}],
        },
        False,
    ),
    "zero-minutes": ({"resources": [resource(minutes=0)]}, False),
    "unknown-key": ({"resources": [resource(colour="red")]}, False),
    "bad-id": ({"resources": [resource(id="Not A Slug")]}, False),
}
# What only the tool can check: JSON Schema sees one value at a time, not how values relate.
ONLY_THE_TOOL = {
    "duplicate-ids": ({"resources": [resource(), resource()]}, False),  # an id defined twice
    "unknown-step": ({"resources": [resource()], "paths": [{"id": "p", "title": "P", "steps": ["nothing"]}]}, False),
    "format-char-in-link": (
        {"resources": [resource(url="https://example.org/\u00ad")]},
        False,
    ),  # any Unicode format character
}


def toml_value(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def as_toml(catalog: dict) -> str:
    return "".join(
        f"[[{table}]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in item.items())
        for table, items in catalog.items()
        for item in items
    )


def tool_accepts(cli, tmp_path, catalog: dict) -> bool:
    file = tmp_path / "edge.toml"
    file.write_text(as_toml(catalog))
    result = cli("catalog", "check", str(file))
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code == 0


def schema_accepts(catalog: dict) -> bool:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema())
    return not list(validator.iter_errors(catalog))


def test_the_schema_names_its_draft_and_is_itself_valid():
    import jsonschema

    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", sorted(EDGES))
def test_the_tool_and_the_schema_agree_on_each_edge(cli, tmp_path, name):
    catalog, accepted = EDGES[name]
    assert (tool_accepts(cli, tmp_path, catalog), schema_accepts(catalog)) == (accepted, accepted)


@pytest.mark.parametrize("name", sorted(ONLY_THE_TOOL))
def test_what_only_the_tool_can_check(cli, tmp_path, name):
    catalog, accepted = ONLY_THE_TOOL[name]
    assert (tool_accepts(cli, tmp_path, catalog), schema_accepts(catalog)) == (accepted, True)
