"""The startup cache: values kept between processes, never stale, never in the way of a run."""

import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from cleantext import cache, rules, triggers
from cleantext.native import ENGINE
from cleantext.rules import LineRule, builtin_guards, builtin_pack_names, load_packs, read_toml

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]
CLEAN_SEED = f"""
import json, sys
from cleantext import Pipeline, cache
result = Pipeline.load().clean(open({str(SEED)!r}, encoding="utf-8").read())
print(json.dumps([result.text, [edit.to_dict() for edit in result.edits], result.metadata], default=str))
print(cache.cache_path(), file=sys.stderr)
"""


def clean_seed_in_a_process(environment: dict[str, str]) -> tuple[str, str]:
    """The seed's result (as JSON) cleaned by a new process, and the cache file it names."""
    command = [sys.executable, "-c", CLEAN_SEED]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **environment}, check=True)
    return done.stdout, done.stderr.strip()


def test_a_process_that_reads_the_cache_cleans_as_one_that_wrote_it(tmp_path):
    environment = {"CLEANTEXT_CACHE_DIR": str(tmp_path)}
    cold, path = clean_seed_in_a_process(environment)
    assert Path(path).parent == tmp_path and Path(path).is_file()
    with open(path, "rb") as file:
        kept = pickle.load(file)
    kept_functions = {key[0] for key in kept}
    assert "cleantext.triggers.derive" in kept_functions
    # The translations and Unicode tables are the native core's.
    assert ("cleantext.translate.translate" in kept_functions) == (ENGINE == "native")
    written = Path(path).stat().st_mtime_ns
    warm, _ = clean_seed_in_a_process(environment)
    assert warm == cold
    # It found every value it needed in the file: it computed none, so it wrote nothing.
    assert Path(path).stat().st_mtime_ns == written
    # What the warm process read is what a fresh derivation gives.
    derived = [(key, value) for key, value in kept.items() if key[0] == "cleantext.triggers.derive"]
    for (_, args, keywords), value in derived:
        assert triggers.derive.__wrapped__(*args, **dict(keywords)) == value
    # The rule packs' data, kept by the digest of each file's content.
    assert "cleantext.rules._parsed_toml" in kept_functions


def test_a_broken_or_foreign_cache_file_is_computed_again_and_replaced(tmp_path):
    environment = {"CLEANTEXT_CACHE_DIR": str(tmp_path)}
    expected, path = clean_seed_in_a_process(environment)
    for damage in (b"", b"not a pickle", pickle.dumps(["a list, not a dict"])):
        Path(path).write_bytes(damage)
        assert clean_seed_in_a_process(environment) == (expected, path)
        with open(path, "rb") as file:
            assert isinstance(pickle.load(file), dict)


def test_a_cache_folder_that_cannot_be_written_leaves_the_run_alone(tmp_path):
    blocked = tmp_path / "a file where the folder would be"
    blocked.write_text("")
    expected, _ = clean_seed_in_a_process({"CLEANTEXT_CACHE_DIR": str(tmp_path / "fresh")})
    output, path = clean_seed_in_a_process({"CLEANTEXT_CACHE_DIR": str(blocked / "cache")})
    assert output == expected
    assert not Path(path).exists()


def test_a_cache_turned_off_writes_nothing(tmp_path):
    output, path = clean_seed_in_a_process({"CLEANTEXT_CACHE_DIR": str(tmp_path), "CLEANTEXT_CACHE": "off"})
    assert path == "None"
    assert output
    assert list(tmp_path.iterdir()) == []


def test_the_cache_file_is_named_by_what_its_values_depend_on(monkeypatch):
    cache._fingerprint.cache_clear()
    named = cache.cache_path()
    monkeypatch.setattr(regex, "__version__", "0.0.0")
    cache._fingerprint.cache_clear()
    try:
        assert cache.cache_path() != named
    finally:
        monkeypatch.undo()
        cache._fingerprint.cache_clear()
    assert cache.cache_path() == named


def test_persisted_values_are_the_function_s_and_are_kept_up_to_a_limit(monkeypatch):
    calls = []

    @cache.persisted
    def square(number: int, *, plus: int = 0) -> int:
        calls.append(number)
        return number * number + plus

    assert [square(3), square(3), square(3, plus=1), square(4)] == [9, 9, 10, 16]
    assert calls == [3, 3, 4]  # each set of arguments computed once
    monkeypatch.setattr(cache, "MAX_ENTRIES", 0)
    assert [square(5), square(5)] == [25, 25]
    assert calls == [3, 3, 4, 5, 5]  # past the limit, computed each time and not kept


def test_values_kept_by_a_key_of_their_arguments():
    calls = []

    @cache.persisted_by(len)
    def shout(word: str) -> str:
        calls.append(word)
        return word.upper()

    # The key tells the calls apart: here, by length alone, so "cat" gets the value kept for "dog".
    assert [shout("dog"), shout("dog"), shout("cat"), shout("horse")] == ["DOG", "DOG", "DOG", "HORSE"]
    assert calls == ["dog", "horse"]


def test_a_built_in_rule_file_is_parsed_once_and_read_anew_when_it_changes(tmp_path, monkeypatch):
    def kept(content: str) -> bool:
        return ("cleantext.rules._parsed_toml", hashlib.sha256(content.encode()).digest()) in cache._loaded()

    pack = tmp_path / "mine.toml"
    mine, yours = '[pack]\nname = "mine"\n', '[pack]\nname = "yours"\n'
    pack.write_text(mine, encoding="utf-8")
    first = read_toml(pack)
    assert first == {"pack": {"name": "mine"}} and not kept(mine)  # a file of yours is not kept
    monkeypatch.setattr(rules, "_bundled_folder", lambda: tmp_path)
    first = read_toml(pack)
    assert first == {"pack": {"name": "mine"}} and kept(mine)
    first["pack"]["name"] = "changed by a caller"
    assert read_toml(pack) == {"pack": {"name": "mine"}}  # each caller gets data of its own
    pack.write_text(yours, encoding="utf-8")
    assert read_toml(pack) == {"pack": {"name": "yours"}} and kept(yours)  # kept by the content


def test_a_stale_file_of_another_fingerprint_is_deleted_when_the_cache_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANTEXT_CACHE_DIR", str(tmp_path))
    stale, recent = tmp_path / "startup-0000.pickle", tmp_path / "startup-1111.pickle"
    stale.write_bytes(b"old")
    recent.write_bytes(b"newer")
    month_ago = stale.stat().st_mtime - (cache.STALE_DAYS + 1) * 86_400
    os.utime(stale, (month_ago, month_ago))
    cache._loaded()[("a test's value",)] = 1
    monkeypatch.setattr(cache, "_added", 1)
    cache.save()
    assert cache.cache_path().is_file()
    assert not stale.exists() and recent.exists()
    cache._loaded().pop(("a test's value",))


def test_every_built_in_pattern_compiles():
    # A built-in pack's patterns compile when first searched: here, all of them.
    rules = load_packs(builtin_pack_names())
    compiled = [rule.compiled for rule in rules if hasattr(type(rule), "compiled")]
    assert len(compiled) > 100
    assert all(hasattr(pattern, "search") for pattern in compiled)
    for rule in rules:
        for guard in getattr(rule, "guards", ()):
            assert guard.compiled.pattern == guard.pattern
    # The built-in guards, named or not, as the built-in packs' patterns, compile when first searched.
    assert all(regex.compile(pattern) for pattern in builtin_guards().values())


@pytest.mark.parametrize(
    ("pattern", "captures"),
    [
        (r"(?P<author>\w+) wrote", ("author",)),
        (r"(?P<published>\d{4}) (?P<author>\w+)", ("author", "published")),
        (r"author (?P<name>\w+)", ()),  # the name in the text, not as a group
        (r"by \w+", ()),
    ],
)
def test_a_rule_captures_the_metadata_groups_its_pattern_names(pattern, captures):
    assert LineRule(id="test.captures", category="test", pattern=pattern).captures == captures
