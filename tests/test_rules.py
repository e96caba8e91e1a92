"""Rule packs: loading, validation errors, selection, and every example of every rule."""

import pickle
import re
import textwrap

import pytest

from cleantext import Pipeline, RuleError
from cleantext.examples import check_rule_examples
from cleantext.rules import (
    PatternRule,
    builtin_guards,
    builtin_pack_names,
    load_pack,
    load_packs,
    rules_dir,
    select_rules,
)

PACKS = {name: load_pack(rules_dir() / f"{name}.toml") for name in builtin_pack_names()}
ALL_RULES = [(rule, pack) for pack in PACKS.values() for rule in pack]


@pytest.mark.parametrize(("rule", "pack"), ALL_RULES, ids=[rule.id for rule, _ in ALL_RULES])
def test_every_example_of_every_builtin_rule_passes(rule, pack):
    assert check_rule_examples(rule, pack) == []


# TOML strings cannot hold surrogates, so this rule's firing cases are Python tests.
FIRES_ONLY_ON_WHAT_TOML_CANNOT_SPELL = {"repair.surrogates"}


@pytest.mark.parametrize(("rule", "pack"), ALL_RULES, ids=[rule.id for rule, _ in ALL_RULES])
def test_every_builtin_rule_has_an_example_that_fires_and_one_that_must_not(rule, pack):
    if rule.id in FIRES_ONLY_ON_WHAT_TOML_CANNOT_SPELL:
        pytest.skip("its firing examples are in tests/test_repair.py")
    assert any(example.fires for example in rule.examples), f"{rule.id} has no example that fires"
    assert any(not example.fires for example in rule.examples), f"{rule.id} has no example that must not fire"
    assert rule.description


def test_builtin_rule_ids_are_named_after_their_pack():
    for name, pack in PACKS.items():
        assert pack, name
        assert all(rule.pack == name for rule in pack)


def write_pack(tmp_path, body, name="mine.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_the_design_documents_minimal_user_pack_loads_and_its_examples_pass(tmp_path):
    path = write_pack(
        tmp_path,
        """
        [[rule]]
        id = "mysite.promo"
        category = "promo"
        kind = "line"
        pattern = '''(?i)^subscribe to .* newsletter\\.?$'''
        action = "remove"
        replacement = ""
        where = "any"
        description = "Newsletter promo line of mysite.example"

        [[rule.example]]
        input = "Body.\\n\\nSubscribe to the Daily newsletter.\\n"
        output = "Body.\\n"

        [[rule.example]]
        input = "Readers subscribe to the newsletter for its maps.\\n"
        output = "Readers subscribe to the newsletter for its maps.\\n"
        """,
    )
    (rule,) = load_pack(path)
    assert (rule.kind, rule.stage, rule.action) == ("line", "strip", "remove")
    assert check_rule_examples(rule, [rule]) == []
    pipeline = Pipeline.load(extra=[path])
    assert pipeline.clean("Body.\n\nSubscribe to the Daily newsletter.\n").text == "Body.\n"


RULE = """
[[rule]]
id = "mine.rule"
category = "promo"
kind = "line"
pattern = '^Advertisement$'
description = "ads"
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("pattern = '^Advertisement$'", "patern = '^Advertisement$'"), "unknown field"),
        (("pattern = '^Advertisement$'", "pattern = '(unclosed'"), "missing \\)"),
        (('kind = "line"', 'kind = "paragraph"'), "kind must be one of"),
        (('id = "mine.rule"', 'id = "norule"'), "pack.name"),
        (('description = "ads"', 'description = "ads"\nwhere = "middle"'), "where must be"),
        (('description = "ads"', 'description = "ads"\naction = "delete"'), "action must be"),
        (('description = "ads"', ""), "missing required field 'description'"),
        (('description = "ads"', 'description = "ads"\nwhen = { quotes = "fancy" }'), "unknown option"),
        (('description = "ads"', 'description = "ads"\nunless = ["no-such-guard"]'), "no guard named"),
        (
            ('kind = "line"', 'kind = "inline"\nunless = ["reported-speech"]'),
            r"\['unless'\] do not apply to inline rules",
        ),
        (('kind = "line"', 'kind = "inline"\nabstain_above = 2'), r"\['abstain_above'\] do not"),
        (
            ('kind = "line"', 'kind = "inline"\nprotected = ["x"]\ncanonical = "y"'),
            r"field\(s\) \['canonical', 'protected'\] do not apply to inline rules",
        ),
        (('kind = "line"', 'kind = "line"\nmap = { a = "b" }'), r"\['map'\] do not apply to line rules"),
        (('description = "ads"', 'description = "ads"\nabstain_above = -1'), "abstain_above must be a whole number"),
        (
            ('description = "ads"', 'description = "ads"\nabstain_above = 1\nmax_matches = 1'),
            "old name of 'abstain_above'",
        ),
        (
            (
                'description = "ads"',
                'description = "ads"\n[[rule.example]]\ninput = "a"\noutput = "a"\noptions = { quots = "curly" }',
            ),
            "example options: unknown option quots",
        ),
    ],
)
def test_invalid_rules_are_reported_with_file_rule_and_reason(tmp_path, change, message):
    path = write_pack(tmp_path, RULE.replace(*change))
    with pytest.raises(RuleError, match=message) as caught:
        load_pack(path)
    assert str(path) in str(caught.value)
    if "norule" not in change[1]:
        assert "rule mine.rule" in str(caught.value)


def test_invalid_toml_and_duplicate_ids_are_reported(tmp_path):
    broken = write_pack(tmp_path, "[[rule]\nid = 1\n", "broken.toml")
    with pytest.raises(RuleError, match="not valid TOML"):
        load_pack(broken)
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'[pack]\nname = "caf\xe9"\n')
    with pytest.raises(RuleError, match=r"latin1\.toml.*not UTF-8 text \(invalid continuation byte at byte 18\)"):
        load_pack(latin1)
    twice = write_pack(tmp_path, RULE + RULE, "twice.toml")
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_pack(twice)
    clash = write_pack(tmp_path, RULE.replace("mine.rule", "whitespace.tabs"), "clash.toml")
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_packs(["whitespace"], [clash])


def test_an_unknown_builtin_pack_is_named():
    with pytest.raises(RuleError, match="no built-in pack named 'nope'"):
        load_packs(["nope"])


def test_rules_are_selected_by_id_category_pack_and_glob():
    rules = load_packs(["whitespace", "typography"])
    options = {"quotes": "ascii"}

    def ids(**selectors):
        return {rule.id for rule in select_rules(rules, options=options, **selectors)}

    everything = ids()
    assert "typography.curly-apostrophes" not in everything  # only with quotes = curly
    assert "whitespace.tabs" not in ids(disable=["whitespace.tabs"])
    assert not any(i.startswith("typography.") for i in ids(disable=["typography"]))
    assert not any(i.startswith("whitespace.") for i in ids(disable=["whitespace.*"]))
    assert "typography.curly-apostrophes" in ids(enable=["typography.curly-apostrophes"])
    assert "whitespace.tabs" not in ids(enable=["whitespace.tabs"], disable=["whitespace.tabs"])
    with pytest.raises(RuleError, match="no rule, category or pack matches 'nothing'"):
        ids(enable=["nothing"])


def test_rules_run_in_stage_order():
    stages = [rule.stage for rule in Pipeline.load().rules]
    order = ["extract", "repair", "prepare", "normalize", "strip", "layout"]
    assert stages == sorted(stages, key=order.index)


def test_a_pipeline_survives_pickling():
    pipeline = Pipeline.load(quotes="curly")
    clone = pickle.loads(pickle.dumps(pipeline))
    text = "He said 'it\u2019s   cold'\r\n"
    assert clone.clean(text).text == pipeline.clean(text).text == "He said \u2018it\u2019s cold\u2019\n"


def test_every_lexicon_entry_with_protected_expressions_has_an_example_using_one():
    for rule, _ in ALL_RULES:
        if rule.kind != "lexicon" or not rule.protected:
            continue
        protected = [p.casefold() for p in rule.protected]
        assert any(
            not example.fires and any(p in example.input.casefold() for p in protected) for example in rule.examples
        ), f"{rule.id} has no must-not-fire example with a protected expression"


def test_the_names_pack_is_large_and_every_spelling_belongs_to_one_entity():
    names = PACKS["names"]
    assert len(names) >= 150
    per_rule = [{s.casefold() for s in (rule.canonical, *rule.variants)} for rule in names]
    spellings = [s for group in per_rule for s in group]
    assert len(spellings) == len(set(spellings))


def test_one_spelling_in_two_running_lexicon_rules_is_refused(tmp_path):
    pack = tmp_path / "mine.toml"
    pack.write_text(
        '[[rule]]\nid = "mine.kiev"\ncategory = "names"\nkind = "lexicon"\ncanonical = "Kiev"\n'
        'variants = ["Kyiv"]\ndescription = "the old spelling"\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="also in lexicon rule"):
        Pipeline.load(extra=[pack])
    assert Pipeline.load(extra=[pack], disable=["names.kyiv"]).clean("Kyiv").text == "Kiev\n"


def test_a_preferred_spelling_becomes_canonical(tmp_path):
    assert Pipeline.load(canonical=["Zelensky"]).clean("Zelenskyy and Zelenskiy").text == "Zelensky and Zelensky\n"
    pack = tmp_path / "prefer.toml"
    pack.write_text('[canonical]\nprefer = ["Kiev"]\n', encoding="utf-8")
    assert Pipeline.load(extra=[pack]).clean("Kyiv, chicken Kiev").text == "Kiev, chicken Kiev\n"
    with pytest.raises(RuleError, match="no lexicon entry spells 'Zelenskyyy'"):
        Pipeline.load(canonical=["Zelenskyyy"])


def test_a_rule_runs_only_on_texts_that_have_a_required_word(tmp_path):
    pack = tmp_path / "req.toml"
    pack.write_text(
        '[[rule]]\nid = "req.line"\ncategory = "test"\nkind = "line"\npattern = "^Sponsored"\n'
        'requires = ["SPONSORED"]\ndescription = "d"\n',
        encoding="utf-8",
    )
    (rule,) = load_pack(pack)
    assert rule.requires == ("sponsored",)
    pipeline = Pipeline.load(packs=["whitespace"], extra=[pack])
    assert pipeline.clean("Body.\n\nSponsored\n").text == "Body.\n"
    assert pipeline.clean("Body.\n\nPromoted\n").text == "Body.\n\nPromoted\n"


REQUIRING_RULES = [rule for rule, _ in ALL_RULES if rule.kind in ("line", "block") and rule.requires]


@pytest.mark.parametrize("rule", REQUIRING_RULES, ids=[rule.id for rule in REQUIRING_RULES])
def test_a_required_word_is_in_every_line_the_pattern_matches(rule):
    # ``requires`` is a fast path: it must never skip a text the pattern would fire on.
    from tests.test_precision import ARTICLES

    texts = [example.input for pack in PACKS.values() for other in pack for example in other.examples]
    texts += [path.read_text(encoding="utf-8") for path in ARTICLES]
    units = {u for text in texts for u in (text.split("\n\n") if rule.kind == "block" else text.split("\n"))}
    for unit in (unit for unit in units if unit.strip() and rule.compiled.search(unit)):
        assert any(word in unit.casefold() for word in rule.requires), (rule.id, unit)


def test_a_required_word_is_a_hint_that_the_examples_prove_necessary(tmp_path):
    pack = tmp_path / "req.toml"
    pack.write_text(
        '[[rule]]\nid = "req.line"\ncategory = "test"\nkind = "line"\npattern = "^(?:Sponsored|Promoted)$"\n'
        'requires = ["sponsored"]\ndescription = "d"\n'
        '[[rule.example]]\ninput = "Body.\\n\\nPromoted\\n"\noutput = "Body.\\n"\n',
        encoding="utf-8",
    )
    (rule,) = load_pack(pack)
    # "Promoted" matches without the word: the hint would skip a line the rule removes.
    (problem,) = check_rule_examples(rule, [rule])
    assert "req.line: trigger did not hold" in problem and "'Promoted" in problem
    # Where it holds, the hint only spares searches.
    pipeline = Pipeline.load(packs=["whitespace"], extra=[pack])
    assert pipeline.clean("Sponsored\n\nBody.\n").text == "Body.\n"


def signup_pack(tmp_path, name, guard):
    """A pack of one sign-up rule guarded by reported-speech and by its own guard ``name``."""
    return write_pack(
        tmp_path,
        f"""
        [guards]
        {name} = '{guard}'

        [[rule]]
        id = "mine.signup"
        category = "promo"
        kind = "line"
        pattern = '(?i)^sign up\\b'
        unless = ["reported-speech", "{name}"]
        description = "sign-up lines"
        """,
    )


def test_a_guard_keeps_the_lines_it_finds_from_the_rules_that_name_it(tmp_path):
    path = signup_pack(tmp_path, "recipe", "(?i)\\bteaspoons?\\b")
    (rule,) = load_pack(path)
    assert rule.summary()["unless"] == ["reported-speech", "recipe"]
    pipeline = Pipeline.load(packs=[], extra=[path])
    text = (
        "Body.\n\nSign up for the Daily.\n\nSign up here, she told volunteers.\n\n"
        "Sign up for a teaspoon of honey a day.\n\n\u201cSign up now\u201d was the slogan.\n"
    )
    clean = pipeline.clean(text).text
    assert "Sign up for the Daily." not in clean
    assert all(kept in clean for kept in ("she told volunteers.", "a teaspoon of honey", "was the slogan."))


def test_a_guard_that_is_not_a_pattern_is_reported(tmp_path):
    path = write_pack(tmp_path, "[guards]\nbroken = '(unclosed'\n" + RULE)
    with pytest.raises(RuleError, match="guard 'broken' is not a valid pattern") as caught:
        load_pack(path)
    assert str(path) in str(caught.value)


CASED_PROPERTY = re.compile(r"\\[pP]\{(?:Lu|Ll|Lt|Uppercase|Lowercase)\}")


def _case_blind_properties(pattern: str) -> list[int]:
    """Where ``pattern`` tests a letter's case while matching ignores case (regex then accepts any letter)."""
    blind = [pattern.startswith("(?i)")]
    found, index, in_class = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if CASED_PROPERTY.match(pattern, index) and blind[-1]:
                found.append(index)
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += 1 if pattern[index + 1 : index + 2] != "]" else 2  # a ']' first is literal
            continue
        elif char == "(":
            scoped = re.match(r"\(\?([a-z]*)(?:-([a-z]*))?:", pattern[index:])
            on = blind[-1]
            if scoped and "i" in scoped.group(1):
                on = True
            elif scoped and "i" in (scoped.group(2) or ""):
                on = False
            blind.append(on)
        elif char == ")":
            blind.pop()
        index += 1
    return found


def test_the_case_blind_property_check_finds_what_it_should():
    assert _case_blind_properties(r"(?i)^by\s+\p{Lu}") != []
    assert _case_blind_properties(r"(?i)^by\s+(?-i:\p{Lu})") == []
    assert _case_blind_properties(r"^(?i:by)\s+\p{Lu}[\p{L}(]") == []
    assert _case_blind_properties(r"^(?i:by [\p{Lu}])") != []


PATTERNS = {rule.id: rule.pattern for pack in PACKS.values() for rule in pack if isinstance(rule, PatternRule)}
PATTERNS.update({f"guard {name}": pattern for name, pattern in builtin_guards().items()})


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_pattern_has_an_empty_alternative(name):
    # "a||b" or "(?:|a)" matches the empty string: a rule anchored on both ends
    # would then take every line of punctuation alone.
    assert not re.search(r"(?<!\\)\|(?:\||\))|\((?:\?:)?\|", PATTERNS[name]), f"{name}: an empty alternative"


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_pattern_asks_for_a_letters_case_where_case_is_ignored(name):
    assert _case_blind_properties(PATTERNS[name]) == [], f"{name}: \\p{{Lu}} under (?i) matches any letter"


def test_each_guard_keeps_its_own_flags(tmp_path):
    # reported-speech ignores case; a pack's case-sensitive guard must not start to.
    path = signup_pack(tmp_path, "shouting", "FREE")
    (rule,) = load_pack(path)
    assert pickle.loads(pickle.dumps(rule)).guards == rule.guards
    clean = Pipeline.load(packs=[], extra=[path]).clean("Body.\n\nSign up for FREE.\n\nSign up for free.\n").text
    assert "Sign up for FREE." in clean
    assert "Sign up for free." not in clean


def test_a_rule_with_more_matches_than_abstain_above_removes_none(tmp_path):
    path = write_pack(tmp_path, RULE.replace('description = "ads"', 'description = "ads"\nabstain_above = 2'))
    pipeline = Pipeline.load(packs=[], extra=[path])
    two = "Body.\n\nAdvertisement\n\nMore.\n\nAdvertisement\n\nEnd.\n"
    assert "Advertisement" not in pipeline.clean(two).text
    three = two.replace("End.", "Advertisement\n\nEnd.")
    assert pipeline.clean(three).text == three


def test_every_kind_reads_the_fields_it_requires_and_runs_as_a_step():
    from cleantext.rules import RULE_KINDS, STAGES
    from cleantext.steps import STEP_KINDS

    assert set(STEP_KINDS) == set(RULE_KINDS) - {"extract"}  # extract rules are choices of the extraction
    for kind, record in RULE_KINDS.items():
        assert set(record.required) <= record.fields, kind
        assert record.default_stage in STAGES and record.actions, kind


def test_the_old_name_max_matches_still_loads_with_a_warning(tmp_path):
    path = write_pack(tmp_path, RULE.replace('description = "ads"', 'description = "ads"\nmax_matches = 2'))
    with pytest.warns(DeprecationWarning, match="'max_matches' is now 'abstain_above'"):
        (rule,) = load_pack(path)
    assert rule.abstain_above == 2


def test_each_kind_holds_only_its_own_fields():
    from cleantext.rules import InlineRule, LexiconRule

    inline = InlineRule(id="t.x", category="t", pattern="x")
    assert (inline.stage, inline.action) == ("normalize", "replace")
    assert not hasattr(inline, "canonical") and not hasattr(inline, "guards")
    with pytest.raises(TypeError):
        InlineRule(id="t.x", category="t", pattern="x", variants=("y",))
    with pytest.raises(ValueError, match="canonical spelling must not also be a variant"):
        LexiconRule(id="t.n", category="t", canonical="Kyiv", variants=("Kyiv",))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kind = "offtopic"\naction = "replace"', "offtopic rules can only remove"),
        ('kind = "ftfy"\npattern = "x"\nfixes = ["fix_encoding"]\naction = "remove"', "ftfy rules can only replace"),
    ],
)
def test_an_action_the_kind_cannot_take_is_refused(tmp_path, table, message):
    pack = tmp_path / "act.toml"
    pack.write_text(f'[[rule]]\nid = "t.act"\ncategory = "t"\n{table}\ndescription = "d"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        load_pack(pack)
