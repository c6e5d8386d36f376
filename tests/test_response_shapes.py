"""One definition of each response shape: the API's models come from the engine's dataclasses, and the
CLI's JSON and the API's JSON have the same keys at every level."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import httpx
import pytest
from click.testing import CliRunner

from app.cli import main
from app.web.models import DESCRIPTIONS, HitOut, SearchOut
from search.engine import Hit, Results


def key_paths(value, prefix="") -> set[str]:
    """Every key of a JSON value as a path ('hits[].id', 'facets.type[].count'); list items merged."""
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths.add(prefix + key)
            paths |= key_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, prefix.rstrip(".") + "[].")
    return paths


def test_key_paths_sees_nested_keys():
    assert key_paths({"a": [{"b": 1}], "c": {"d": [{"e": 2}]}}) == {"a", "a[].b", "c", "c.d", "c.d[].e"}


@pytest.mark.parametrize("query", ["työryhmä", "palveluseteli type:pdf", "kotihoito"])
def test_cli_json_and_api_json_have_the_same_keys(indexed_data_dir, web_url, query):
    cli = CliRunner().invoke(main, ["--data-dir", str(indexed_data_dir), "search", query, "--format", "json"])
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads(cli.output)
    from_api = httpx.get(f"{web_url}/api/search", params={"q": query}).json()
    assert from_cli["hits"] and from_cli["facets"]  # so that hits' and facets' keys are compared too
    assert key_paths(from_api) == key_paths(from_cli)
    assert [h["id"] for h in from_api["hits"]] == [h["id"] for h in from_cli["hits"]]
    assert {h["visibility"] for h in from_api["hits"]} == {"public"}


def test_staff_api_hits_say_which_are_internal(staff, staff_web_url):
    headers = {"Authorization": f"Bearer {staff.tokens['valid']}"}
    hits = httpx.get(f"{staff_web_url}/api/search", params={"q": "pöytäkirja", "size": 50}, headers=headers).json()["hits"]
    assert {h["visibility"] for h in hits} <= {"public", "internal"}
    assert any(h["visibility"] == "internal" for h in hits)


@pytest.mark.parametrize(("cls", "model"), [(Hit, HitOut), (Results, SearchOut)])
def test_models_have_every_field_of_the_engines_dataclasses(cls, model):
    assert list(model.model_fields) == [f.name for f in dataclasses.fields(cls)]
    assert set(DESCRIPTIONS[cls]) <= set(model.model_fields)  # no description of a field that is gone


def test_to_json_validates_against_the_models():
    hit = Hit(id="a", url="https://x.fi/a", title="A", snippet="<mark>a</mark>", score=1.23456789,
              updated=dt.date(2022, 1, 2), lang="fi", type="html", source="x", section="Etusivu", visibility="internal")
    results = Results(query="a", total=1, page=1, size=10, hits=[hit], facets={"type": [("html", 1)]}, suggestion=None)
    payload = results.to_json()
    assert SearchOut.model_validate(payload).model_dump(mode="json") == payload
    assert set(HitOut.model_fields) == set(hit.to_json())
