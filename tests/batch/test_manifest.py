"""The batch manifest: TOML and JSON read the same; each mistake is named by its key before anything runs."""

from __future__ import annotations

import json
import tomllib

import pytest

from wfm.batch import TeamSpec, load_manifest
from wfm.exceptions import DataFormatError

from .teamkit import write_batch


def test_toml_and_json_manifests_give_the_same_teams(tmp_path):
    manifest = write_batch(tmp_path)
    as_json = tmp_path / "nightly.json"
    as_json.write_text(json.dumps(tomllib.loads(manifest.read_text())))
    a, b = load_manifest(manifest), load_manifest(as_json)
    assert a.teams == b.teams and a.out_dir == b.out_dir == str((tmp_path / "out").resolve())
    north = a.teams[0]
    assert north.id == "north" and north.tables["agents"] == str((tmp_path / "north" / "agents.csv").resolve())
    assert north.settings == {"time_limit": 20.0, "seed": 0, "workers": 1, "start": "2026-03-02", "days": 7}
    assert load_manifest(manifest, out_dir=tmp_path / "elsewhere").teams[0].out_dir == str(tmp_path / "elsewhere")


def test_the_input_hash_follows_the_inputs_and_settings(tmp_path):
    team = load_manifest(write_batch(tmp_path)).teams[0]
    same = load_manifest(tmp_path / "nightly.toml").teams[0]
    assert team.input_hash() == same.input_hash()
    other = TeamSpec(id=team.id, out_dir=team.out_dir, tables=team.tables, settings={**team.settings, "seed": 1})
    assert other.input_hash() != team.input_hash()
    before = team.input_hash()
    path = tmp_path / "north" / "shifts.csv"
    text = path.read_text()
    path.write_text(text.replace("E0700,07:00", "E0700,07:30"))
    assert path.read_text() != text
    assert team.input_hash() != before


@pytest.mark.parametrize(("extra", "field"), [
    ('\n[[teams]]\nid = "north"\nproblem = "x.json"\n', "nightly.toml:teams[4].id"),
    ('\n[[teams]]\nid = "a/b"\nproblem = "x.json"\n', "nightly.toml:teams[4].id"),
    ('\n[[teams]]\nid = "z"\nproblem = "x.json"\ntime_limt = 3\n', "nightly.toml:teams[4].time_limt"),
    ('\n[[teams]]\nid = "z"\nproblem = "x.json"\ntime_limit = "fast"\n', "nightly.toml:teams[4].time_limit"),
    ('\n[[teams]]\nid = "z"\nproblem = "x.json"\ntime_limit = -1\n', "nightly.toml:teams[4].time_limit"),
    ('\n[[teams]]\nid = "z"\nagents = "north/agents.csv"\n', "nightly.toml:teams[4].shifts"),
    ('\n[[teams]]\nid = "z"\nproblem = "x.json"\nagents = "a.csv"\n', "nightly.toml:teams[4].problem"),
    ('\nwhatever = 1\n', None),
])
def test_a_manifest_mistake_is_named_by_its_key(tmp_path, extra, field):
    manifest = write_batch(tmp_path, extra=extra)
    with pytest.raises(DataFormatError) as info:
        load_manifest(manifest)
    if field is not None:
        assert info.value.field == field, str(info.value)
    else:  # a top-level key after [[teams]] belongs to the last team in TOML
        assert info.value.field == "nightly.toml:teams[3].whatever"


def test_unreadable_manifests(tmp_path):
    with pytest.raises(DataFormatError, match="not found"):
        load_manifest(tmp_path / "none.toml")
    (tmp_path / "m.toml").write_text("teams = [")
    with pytest.raises(DataFormatError, match="not valid TOML"):
        load_manifest(tmp_path / "m.toml")
    (tmp_path / "m.toml").write_text("out_dir = 'x'\n")
    with pytest.raises(DataFormatError) as info:
        load_manifest(tmp_path / "m.toml")
    assert info.value.field == "m.toml:teams"
