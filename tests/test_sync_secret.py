"""The sync secret: a learner's notes travel between their devices encrypted; the shared place never
holds them in clear; a tampered file, or one under their name without the secret, is not merged; a
device given a wrong secret is told so and keeps working alone."""

import json

import pytest
from conftest import learner_dir
from test_sync import Device

SECRET = "correct horse battery staple"
X = "dmls-ch08"


@pytest.fixture
def place(tmp_path):
    folder = tmp_path / "Sync"
    folder.mkdir()
    return folder


def device(tmp_path, monkeypatch, name, secret=SECRET) -> "DeviceWithSecret":
    return DeviceWithSecret(Device(tmp_path, name, monkeypatch), monkeypatch, secret)


class DeviceWithSecret:
    """A device whose commands see `secret` as $MLOPS_PATH_SYNC_SECRET (None: no secret given)."""

    def __init__(self, inner: Device, monkeypatch, secret: str | None):
        self.inner, self.monkeypatch, self.secret = inner, monkeypatch, secret

    def __call__(self, *args, input=None):
        if self.secret is None:
            self.monkeypatch.delenv("MLOPS_PATH_SYNC_SECRET", raising=False)
        else:
            self.monkeypatch.setenv("MLOPS_PATH_SYNC_SECRET", self.secret)
        return self.inner(*args, input=input)

    def ok(self, *args):
        result = self(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    def json(self, *args):
        return json.loads(self.ok(*args, "--json"))


def shared_text(place) -> str:
    return "\n".join(p.read_text() for p in place.rglob("*.json"))


def test_two_devices_with_the_secret_share_notes_that_the_shared_place_never_holds_in_clear(
    tmp_path, monkeypatch, place
):
    a = device(tmp_path, monkeypatch, "a")
    b = device(tmp_path, monkeypatch, "b")
    a.ok("sync", "init", str(place), "--name", "Ada", "--secret")
    b.ok("sync", "init", str(place), "--name", "Ada", "--secret", "--join")
    a.ok("note", X, "a private thought about drift")
    a.ok("done", X)
    shown = b.json("show", X)
    assert shown["status"] == "done" and [n["text"] for n in shown["notes"]] == ["a private thought about drift"]
    text = shared_text(place)
    assert "private thought" not in text and "sealed_notes" in text and '"proof"' in text
    b.ok("note", X, "and one from the desk")
    assert [n["text"] for n in a.json("show", X)["notes"]] == ["a private thought about drift", "and one from the desk"]


def test_a_file_under_my_name_without_the_secret_is_not_merged(tmp_path, monkeypatch, place):
    a = device(tmp_path, monkeypatch, "a")
    a.ok("sync", "init", str(place), "--name", "Ada", "--secret")
    mallory = device(tmp_path, monkeypatch, "mallory", secret=None)
    mallory.ok("sync", "init", str(place), "--name", "Ada", "--join")  # no secret: she can write under the name
    mallory.ok("done", X)
    result = a("next")
    assert result.exit_code == 0 and "does not prove it knows your sync secret" in result.stderr
    assert a.json("show", X)["status"] == "todo"


def test_a_tampered_file_is_refused(tmp_path, monkeypatch, place):
    a = device(tmp_path, monkeypatch, "a")
    b = device(tmp_path, monkeypatch, "b")
    a.ok("sync", "init", str(place), "--name", "Ada", "--secret")
    b.ok("sync", "init", str(place), "--name", "Ada", "--secret", "--join")
    a.ok("note", X, "mine")
    b.ok("next")
    a_id = a.json("sync", "status")["device"]
    file = learner_dir(place, "ada") / f"{a_id}.json"
    doc = json.loads(file.read_text())
    doc["resources"][X]["status"] = "skipped"  # a changed status: the proof no longer matches
    file.write_text(json.dumps(doc))
    result = b("next")
    assert "does not prove it knows your sync secret" in result.stderr and b.json("show", X)["status"] == "todo"
    doc = json.loads(file.read_text())
    doc["resources"][X]["status"] = "todo"
    sealed = doc["sealed_notes"]
    doc["sealed_notes"] = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]  # a changed note
    from mlops_path.core.sync import secret

    key = secret.derive(SECRET, "ada")
    doc["proof"] = "0" * 64
    doc["proof"] = secret.prove(key, doc)  # even with a valid proof, the sealed notes must open
    file.write_text(json.dumps(doc))
    result = b("next")
    assert "do not open with your sync secret" in result.stderr


def test_a_wrong_secret_is_told_and_the_device_keeps_working_alone(tmp_path, monkeypatch, place):
    a = device(tmp_path, monkeypatch, "a")
    a.ok("sync", "init", str(place), "--name", "Ada", "--secret")
    a.ok("done", "dmls-ch02")
    b = device(tmp_path, monkeypatch, "b", secret="not the same secret")
    result = b("sync", "init", str(place), "--name", "Ada", "--secret", "--join")
    assert result.exit_code == 0 and "matches none of your other devices' files" in result.stderr
    b.ok("done", "dmls-ch07")  # works alone
    assert b.json("show", "dmls-ch02")["status"] == "todo" and b.json("show", "dmls-ch07")["status"] == "done"
    assert a.json("show", "dmls-ch07")["status"] == "todo"  # and is not merged by the others
    right = device(tmp_path, monkeypatch, "b")  # given the right one, it catches up
    right.ok("sync", "secret")
    assert right.json("show", "dmls-ch02")["status"] == "done"


def test_a_short_secret_or_none_in_a_script_is_one_sentence(tmp_path, monkeypatch, place):
    a = device(tmp_path, monkeypatch, "a", secret="short")
    result = a("sync", "init", str(place), "--name", "Ada", "--secret")
    assert result.exit_code == 2 and "at least 8 characters" in result.stderr
    b = device(tmp_path, monkeypatch, "b", secret=None)
    result = b("sync", "init", str(place), "--name", "Ada", "--secret")
    assert result.exit_code == 2 and "MLOPS_PATH_SYNC_SECRET" in result.stderr


def test_with_share_notes_on_show_says_what_the_group_noted(tmp_path, monkeypatch, place):
    ada = device(tmp_path, monkeypatch, "ada", secret=None)
    bob = device(tmp_path, monkeypatch, "bob", secret=None)
    ada.ok("sync", "init", str(place), "--name", "Ada", "--share-notes")
    bob.ok("sync", "init", str(place), "--name", "Bob", "--share-notes")
    bob.ok("note", X, "the covariate shift part is the key")
    shown = ada.json("show", X)
    assert [(g["learner"], g["text"]) for g in shown["group_notes"]] == [("Bob", "the covariate shift part is the key")]
    assert "Bob, " in ada.ok("show", X) and shown["notes"] == []  # theirs are not merged into yours
    ada.ok("sync", "share-notes", "off")
    assert ada.json("show", X)["group_notes"] == []  # shown to a learner who shares too


def test_sync_status_says_whether_a_secret_is_set(tmp_path, monkeypatch, place):
    a = device(tmp_path, monkeypatch, "a")
    assert a.json("sync", "status")["secret"] is False
    a.ok("sync", "init", str(place), "--name", "Ada", "--secret")
    assert a.json("sync", "status")["secret"] is True
    assert "a sync secret is set" in a.ok("sync", "status")
    assert "key" not in a.json("sync", "status") and "key" not in a.ok(
        "export"
    )  # the key never leaves the progress file
